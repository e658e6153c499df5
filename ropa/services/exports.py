"""Writing the register out: the activity CSV, every entity as CSV, the JSON dump."""

import io
from pathlib import Path

from ropa.exchange.csvio import write_csv
from ropa.exchange.jsonio import dump_text
from ropa.exchange.schema import BY_NAME, ENTITIES
from ropa.services.register import activity_csv_rows, dump_records, dump_register

FORMATS = ("csv", "json")


def activity_csv() -> str:
    """The activity register, one row per processing activity (the shape of data/seed.csv)."""
    out = io.StringIO()
    write_csv(BY_NAME["activities"], activity_csv_rows(), out)
    return out.getvalue()


def entity_csv(name: str) -> str:
    """One entity's CSV (organisations, services, transfers, ...)."""
    if name == "activities":
        return activity_csv()
    out = io.StringIO()
    write_csv(BY_NAME[name], dump_records(BY_NAME[name], display=True), out)
    return out.getvalue()


def json_dump() -> str:
    """The lossless dump of the whole register."""
    return dump_text(dump_register())


def export_path(path: Path, fmt: str) -> list[Path]:
    """Write an export to a file (or, for CSV and a folder, one file per entity); return what was written."""
    if fmt == "json":
        return [_write(path, json_dump())]
    if fmt == "csv" and path.is_dir():
        return [_write(path / f"{e.name}.csv", entity_csv(e.name)) for e in ENTITIES]
    if fmt == "csv":
        return [_write(path, activity_csv())]
    raise ValueError(f"unknown export format {fmt!r}")


def _write(path: Path, text: str) -> Path:
    # Written next to the target then renamed, so a failed export never leaves half a file behind.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    temporary.replace(path)
    return path
