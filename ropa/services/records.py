"""Saving one record of any kind, as forms and the API will: validated like an import, audited, version-checked."""

from ropa.exchange.problems import ImportFailed, Problem, RawRecord
from ropa.exchange.schema import BY_NAME
from ropa.exchange.values import BadValue, parse_value
from ropa.services.register import ImportSummary, apply_records


def save_record(entity_name: str, values: dict, *, actor: str, expected_version: int | None = None,
                source: str = "form") -> ImportSummary:
    """Create or update one record from dump-form values; raise ImportFailed with field-level problems.

    With expected_version, an edit of a row someone else saved since it was loaded is refused, never merged.
    """
    entity = BY_NAME[entity_name]
    parsed, problems = {}, []
    for name, value in values.items():
        try:
            parsed[name] = parse_value(entity.field(name), value)
        except BadValue as exc:
            problems.append(Problem(source, 1, name, str(exc)))
    if problems:
        raise ImportFailed(problems)
    record = RawRecord(entity_name, parsed, source, 1, {name: name for name in parsed})
    key = " / ".join(str(parsed.get(k, "")) for k in entity.key)
    expected = {key: expected_version} if expected_version is not None else None
    return apply_records([record], actor=actor, expected_versions=expected)
