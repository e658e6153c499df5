"""The ICO-style workbook for auditors: sheets streamed from the database, findings from the stored checks."""

import csv
import gc
import io
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import BinaryIO

from ropa.checks import run_checks
from ropa.exchange.values import escape_cell
from ropa.ico.writer import template_row, workbook_inputs, write_ico_workbook
from ropa.ico.assets import SENSITIVE
from ropa.ico.index import Contracts, Lookups, Transfers
from ropa.ico.layout import TEMPLATE_COLUMNS
from ropa.services import findings as findings_service, register_reader
from ropa.services.analysis import counts_of
from ropa.services.diff import diff_snapshots
from ropa.services.snapshots import register_as_at

#: progress(fraction done, what it is doing)
Progress = Callable[[float, str], None]
EVERY = 2000  # rows between progress reports
COLLECT_EVERY = 50_000  # rows between full passes of the cyclic collector while writing
#: Share of the job taken by the checks, when they have to be run first (at 10k: ~6 s of ~11 s).
CHECKS_SHARE = 0.5
RETENTION_FIELDS = ("period_value", "period_unit", "trigger", "exceptions", "legal_hold")
#: From this many activities the workbook is written by a writer process of its own (ropa.ico.writer_process),
#: overlapping the database reads; smaller registers are written in this process. ROPA_XLSX_WRITER=process or
#: inline chooses one way whatever the size.
SEPARATE_WRITER_FROM = 1000


def separate_writer(activities: int) -> bool:
    """Whether a workbook of this many activities is written by a writer process."""
    chosen = os.environ.get("ROPA_XLSX_WRITER", "")
    if chosen not in ("", "process", "inline"):
        raise ValueError(f"ROPA_XLSX_WRITER must be 'process' or 'inline', not {chosen!r}")
    return chosen == "process" or (not chosen and activities >= SEPARATE_WRITER_FROM)


def write_ico(out: BinaryIO | str, *, generated_by: str, as_at: str | None = None,
              progress: Progress | None = None, since: str | None = None) -> dict[str, int]:
    """Write the workbook now or as at a snapshot; return the data rows per sheet. With `since` (a snapshot
    label, the baseline) it carries a Changes since sheet: what changed from that snapshot to this register.

    Now: every sheet is read from the database in batches as it is written, so memory does not grow with the
    register; the Findings sheet and the SHA-256 come from the stored findings, refreshed first if a write (or a
    new day) made them stale; that refresh alone holds the whole register in memory. As at a snapshot: the
    snapshot is one JSON text, loaded and checked in memory.
    """
    report = progress or (lambda fraction, message: None)
    changes = diff_snapshots(since, as_at) if since else None
    if as_at:
        return _write_snapshot(out, generated_by, as_at, report, changes)
    start = 0.0
    if findings_service.fresh_state() is None:
        report(0.0, "Running the checks on the whole register")
        start = CHECKS_SHARE
    state, _ = findings_service.ensure_fresh()
    inputs, totals = live_inputs()
    totals["findings"] = findings_service.count()
    track = _Tracker(report, start, totals)
    about = {"generated_at": datetime.now(UTC), "generated_by": generated_by, "as_at": "now",
             "sha256": state.register_sha256, "counts": state.counts}
    with _young_collections_only():
        counts = write_ico_workbook(out, about=about, findings=track("findings", findings_service.stream()),
                                    separate_writer=separate_writer(totals["activities"]), changes=changes,
                                    **track.inputs(inputs))
    report(1.0, "Workbook written")
    return counts


@contextmanager
def _young_collections_only() -> Iterator[None]:
    """Let the cyclic collector clear young objects but not pass over the whole heap on its own while the sheets are
    written: its full passes, triggered by the batches' allocations, cost a tenth of the export at 100k activities.
    A full pass is made every COLLECT_EVERY rows instead (_Tracker), so cycles that outlive a batch are still
    freed and memory stays flat."""
    threshold = gc.get_threshold()
    gc.set_threshold(threshold[0], threshold[1], 1_000_000_000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def live_inputs() -> tuple[dict, dict[str, int]]:
    """The writer's inputs (bar findings and about) streamed from the live register, and how many rows each
    stream holds."""
    ids, ranks = register_reader.ordered_ids("activities"), register_reader.Ranks()
    organisations = register_reader.Window()
    inputs = {
        "organisation": organisations.ours, "organisations": organisations,
        "countries": register_reader.keyed("countries"), "bases": register_reader.keyed("lawful_bases"),
        # Only what the writer reads of these (they grow with the register; the writer never writes them out).
        "retention_rules": register_reader.keyed("retention_rules", RETENTION_FIELDS),
        "data_categories": {name: c for name, c in register_reader.keyed("data_categories", ("kind",)).items()
                            if c.get("kind") in SENSITIVE},
        "engagements": register_reader.stream("engagements", window=organisations, ranks=ranks),
        "transfers": register_reader.stream("transfers"),
        "activities": register_reader.stream("activities", ids, window=organisations, ranks=ranks),
        "disclosures": register_reader.disclosures_of(ids, ranks=ranks),
        "systems": register_reader.stream("systems"),
    }
    totals = {name: register_reader.count(name) for name in ("engagements", "transfers", "disclosures", "systems")}
    totals["activities"] = len(ids)
    return inputs, totals


def _write_snapshot(out: BinaryIO | str, generated_by: str, as_at: str, report: Progress,
                    changes=None) -> dict[str, int]:
    report(0.0, f"Reading snapshot {as_at!r} and running the checks")
    register, sha256 = register_as_at(as_at)
    findings = [f.as_dict() for f in run_checks(register)]
    about = {"generated_at": datetime.now(UTC), "generated_by": generated_by, "as_at": as_at,
             "sha256": sha256, "counts": counts_of(register)}
    totals = {name: len(register.get(name, [])) for name in
              ("activities", "engagements", "transfers", "disclosures", "systems")}
    totals["findings"] = len(findings)
    track = _Tracker(report, CHECKS_SHARE, totals)
    counts = write_ico_workbook(out, findings=track("findings", findings), about=about,
                                separate_writer=separate_writer(totals["activities"]), changes=changes,
                                **track.inputs(workbook_inputs(register)))
    report(1.0, "Workbook written")
    return counts


#: What the writer is doing while it reads each stream (it reads them in this order).
STEPS = {"engagements": "Writing processors and contracts", "transfers": "Reading the transfers",
         "activities": "Writing the Template and the processor record", "disclosures": "Writing data sharing",
         "systems": "Writing information assets", "findings": "Writing findings"}


class _Tracker:
    """Reports progress as the writer reads its streams: at the start of each and every EVERY rows, the
    fraction being rows read so far over all rows (from `start`, the share already done)."""

    def __init__(self, report: Progress, start: float, totals: dict[str, int]) -> None:
        self.report, self.start, self.done = report, start, 0
        self.total = max(1, sum(totals.values()))
        self.totals = totals

    def inputs(self, inputs: dict) -> dict:
        return {name: self(name, value) if name in STEPS else value for name, value in inputs.items()}

    def __call__(self, name: str, items: Iterable[dict]) -> Iterator[dict]:
        return self._track(name, items)

    def _track(self, name: str, items: Iterable[dict]) -> Iterator[dict]:
        step, total = STEPS[name], self.totals.get(name, 0)
        self._say(f"{step} ({total:,} rows)")
        for index, item in enumerate(items, 1):
            yield item
            self.done += 1
            if index % EVERY == 0:
                self._say(f"{step}: {index:,} of {total:,} rows")
            if self.done % COLLECT_EVERY == 0:
                gc.collect()

    def _say(self, message: str) -> None:
        fraction = self.start + (1 - self.start) * min(1.0, self.done / self.total)
        self.report(round(fraction, 4), message)


def template_csv(as_at: str | None = None) -> str:
    """The ICO Template's columns as plain CSV, one row per activity we control or jointly control (the same
    cells as the workbook: multi-valued cells on separate lines; text a spreadsheet would evaluate escaped)."""
    inputs = workbook_inputs(register_as_at(as_at)[0]) if as_at else live_inputs()[0]
    lookups = Lookups(inputs["organisation"], inputs["countries"], inputs["bases"], inputs["organisations"],
                      inputs["retention_rules"], inputs["data_categories"])
    contracts = Contracts()
    for engagement in inputs["engagements"]:
        contracts.add(engagement)
    moves = Transfers(inputs["transfers"], lookups)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.heading for c in TEMPLATE_COLUMNS] + ["ropa reference"])
    for activity in inputs["activities"]:
        if activity.get("our_role") != "processor" and activity.get("status") != "retired":
            writer.writerow([_text(v) for v in template_row(activity, lookups, contracts, moves)])
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return escape_cell("\n".join(_text(v) for v in value if v not in (None, "")))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return escape_cell(str(value))
