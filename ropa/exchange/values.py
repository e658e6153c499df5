"""Converting field values between dump form (JSON-safe) and the text of a CSV cell."""

import re
from datetime import date
from functools import lru_cache

from ropa.exchange.schema import BOOL, DATE, ENUM, INT, REF, REFS, TEXT, Field

SEPARATOR = "; "
_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}
#: A spreadsheet evaluates a cell that starts with one of these; the apostrophe escape is reversible.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


_DIGITS = re.compile(r"(\d+)")
MAX_INT = 999_999_999  # nine digits, as a CSV cell may have


@lru_cache(maxsize=4096)  # the same few thousand names are sorted again and again (categories, bases)
def sort_key(text: str) -> tuple:
    """Natural, case-insensitive order (PA-2 before PA-10, Sch1 para 2 before para 10), ties broken exactly."""
    parts = _DIGITS.split(text.casefold())
    return tuple((0, int(p), "") if p.isdecimal() else (1, 0, p) for p in parts), text  # not isdigit: "²"


class BadValue(ValueError):
    """A value that does not fit its field; the message says what was expected."""


def escape_cell(text: str) -> str:
    """Prefix an apostrophe so no spreadsheet evaluates the text; unescape_cell reverses it exactly."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def unescape_cell(text: str) -> str:
    # "\n" too: a workbook cell's CR is written as LF, so an escaped "\r..." is read back as "'\n..."
    if text.startswith("'") and text[1:].startswith((*_FORMULA_START, "\n")):
        return text[1:]
    return text


def format_cell(field: Field, value) -> str:
    """The CSV text of a dump-form value."""
    if value is None:
        return ""
    if field.kind == BOOL:
        return "yes" if value else "no"
    if field.kind == REFS:
        return escape_cell(SEPARATOR.join(value))
    if field.kind == INT:
        return str(value)
    return escape_cell(str(value))


def parse_cell(field: Field, text: str):
    """The dump-form value of a CSV cell; raises BadValue."""
    text = unescape_cell(text)
    if field.kind == REFS:
        return [part.strip() for part in text.split(";") if part.strip()]
    if field.kind == TEXT:
        return text
    return parse_value(field, text.strip() or None)


def parse_value(field: Field, value):
    """Check and normalise one dump-form value (from JSON, or a stripped CSV cell); raises BadValue."""
    if field.kind == TEXT:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise BadValue(f"expected text, got {type(value).__name__}")
        return value
    if field.kind == REFS:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadValue("expected a list of names")
        return [v.strip() for v in value if v.strip()]
    if value is None or value == "":
        return None
    if field.kind == BOOL:
        return _parse_bool(value)
    if field.kind == INT:
        return _parse_int(value)
    if field.kind == DATE:
        return _parse_date(value)
    if field.kind == ENUM:
        return _parse_enum(field, value)
    if field.kind == REF:
        if not isinstance(value, str):
            raise BadValue("expected a name")
        return value.strip()
    raise AssertionError(field.kind)


def _parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise BadValue(f"expected yes or no, got {value!r}")


def _parse_int(value) -> int:
    if isinstance(value, bool):
        raise BadValue(f"expected a whole number, got {value!r}")
    if isinstance(value, float) and value.is_integer():  # JSON's 3.0 is the integer 3
        value = int(value)
    if isinstance(value, int):
        if abs(value) > MAX_INT:  # a database integer column holds about ±2.1 billion
            raise BadValue(f"expected a whole number of at most {MAX_INT:,}, got {value!r}")
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,9}", value.strip()):
        return int(value)
    raise BadValue(f"expected a whole number, got {value!r}")


def _parse_date(value) -> str:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise BadValue(f"malformed date {value!r} (expected YYYY-MM-DD, e.g. 2026-01-31)")


def _parse_enum(field: Field, value) -> str:
    allowed = [m.value for m in field.enum]
    if isinstance(value, str):
        wanted = value.strip().lower().replace(" ", "_").replace("-", "_")
        if wanted in allowed:
            return wanted
    raise BadValue(f"unknown {field.name.replace('_', ' ')} {value!r} (expected one of: {', '.join(allowed)})")
