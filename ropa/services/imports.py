"""Importing files into the register: our CSV files (one or a folder of them) and our JSON dump."""

from pathlib import Path

from ropa.config import DATA_DIR
from ropa.ico.importing import read_ico
from ropa.exchange.csvio import read_csv
from ropa.exchange.jsonio import read_dump
from ropa.exchange.problems import ImportFailed, Problem, RawRecord, Remark
from ropa.exchange.schema import ENTITIES
from ropa.services.register import ImportSummary, apply_records

MAX_BYTES = 1024 * 1024 * 1024
REFERENCE_FILES = ("countries.csv", "lawful_bases.csv")


def read_records(path: Path) -> tuple[list[RawRecord], list[dict], list[Problem], list[Remark]]:
    """Parse a file or a folder of CSV files into raw records in dependency order, the problems found, and the
    remarks (what was inferred or kept in notes) a person should check.

    Raises ImportFailed when a file cannot be read as a register file at all.
    """
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
        if not files:
            raise ImportFailed([Problem(str(path), "-", "-", "the folder holds no .csv files")])
    elif path.exists():
        files = [path]
    else:
        raise ImportFailed([Problem(str(path), "-", "-", "no such file or folder")])
    records, snapshots, problems, remarks, fatal = [], [], [], [], []
    for file in files:
        try:
            new_records, new_snapshots, new_problems, new_remarks = _read_file(file)
        except ImportFailed as failed:
            fatal += failed.problems
            continue
        records += new_records
        snapshots += new_snapshots
        problems += new_problems
        remarks += new_remarks
    if fatal:
        raise ImportFailed(fatal + problems)
    order = {e.name: i for i, e in enumerate(ENTITIES)}
    return sorted(records, key=lambda r: order[r.entity]), snapshots, problems, remarks


def _read_file(file: Path) -> tuple[list[RawRecord], list[dict], list[Problem], list[Remark]]:
    size = file.stat().st_size
    if size > MAX_BYTES:
        raise ImportFailed([Problem(str(file), "-", "-", f"the file is {size // 2**20} MiB; the limit is "
                                                         f"{MAX_BYTES // 2**20} MiB")])
    data = file.read_bytes()
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if file.suffix.lower() == ".json" or head in (b"{", b"["):
        return *read_dump(data, file.name), []
    if file.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods") or data[:2] == b"PK":
        return read_ico(data, file.name)
    _, records, problems = read_csv(data, file.name)
    return records, [], problems, []


def import_path(path: Path, *, actor: str, dry_run: bool = False) -> ImportSummary:
    """Import a file or folder as one transaction: all of it, or nothing and every problem listed."""
    records, snapshots, problems, remarks = read_records(path)
    summary = apply_records(records, actor=actor, dry_run=dry_run, snapshots=snapshots, problems=problems)
    summary.remarks = remarks
    return summary


def load_reference_data(*, actor: str) -> ImportSummary:
    """Countries and lawful bases shipped with ropa (editable defaults); re-running changes nothing edited."""
    records: list[RawRecord] = []
    for name in REFERENCE_FILES:
        new_records, _, problems, _ = read_records(DATA_DIR / name)
        if problems:
            raise ImportFailed(problems)
        records += new_records
    return apply_records(records, actor=actor, only_create=True)


def load_seed(*, actor: str) -> ImportSummary:
    """The seed register built from the ECFWS privacy notice (every CSV in data/)."""
    return import_path(DATA_DIR, actor=actor)
