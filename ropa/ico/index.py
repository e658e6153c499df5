"""What the workbook remembers between sheets, kept small: each input iterable is read once, in order.

Held in memory: the processor engagements and the transfers (the Template's columns G, H and I need them
before each activity's row is written; both are few beside the activities), the references of retired
activities, and the names of activities that have transfers. Nothing else grows with the register: facts per
system wait on disk (ico_assets.SystemUsage).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ropa.ico.text import MECHANISMS, contract, destination, mechanism_line, serves, uk_date, unique

LIMIT = 50


@dataclass(frozen=True)
class Lookups:
    """The small reference tables every sheet reads (all keyed by their natural key)."""

    organisation: dict
    countries: dict[str, dict]
    bases: dict[str, dict]
    organisations: dict[str, dict]
    retention_rules: dict[str, dict]
    data_categories: dict[str, dict]

    def country(self, code: str | None) -> str:
        """A country's name; its code when the code is not in the table."""
        if not code:
            return ""
        return (self.countries.get(code) or {}).get("name") or code


class Contracts:
    """Processor engagements by processor, gathered while the processors sheet is written."""

    def __init__(self) -> None:
        self.by_processor: dict[str, list[dict]] = defaultdict(list)

    #: What the later sheets read of an engagement; the rest is written on the processors sheet and let go.
    KEPT = ("reference", "services", "contract_reference", "contract_url", "end_date")

    def add(self, engagement: dict) -> None:
        kept = {name: engagement[name] for name in self.KEPT if engagement.get(name)}
        self.by_processor[engagement.get("processor") or ""].append(kept)

    def for_activity(self, activity: dict) -> list[str]:
        """Column G: each processor of the activity with its contract, or that none is recorded."""
        lines = []
        for processor in activity.get("processors") or []:
            found = [e for e in self.by_processor.get(processor, []) if serves(e, activity.get("service"))]
            lines += [f"{processor}: {contract(e)}" for e in found] or [
                f"{processor}: no engagement recorded"]
        return unique(lines)

    def as_processor(self, us: str, activity: dict) -> list[str]:
        """Our own engagements as processor for the activity's service: the contract with its controller."""
        service = activity.get("service")
        return unique(contract(e) for e in self.by_processor.get(us, []) if serves(e, service))

    def of_supplier(self, supplier: str | None) -> list[str]:
        """Contracts with a system's supplier, with their end dates."""
        if not supplier:
            return []
        found = [f"{e.get('reference', '')}: {contract(e)}" + (f"; ends {uk_date(e['end_date'])}"
                                                                if e.get("end_date") else "")
                 for e in self.by_processor.get(supplier, [])]
        return found or [f"No contract with {supplier} recorded"]


class Transfers:
    """The transfers, by activity and by system; read once, before the activities."""

    def __init__(self, transfers: Iterable[dict], lookups: Lookups) -> None:
        self.lookups = lookups
        self.all: list[dict] = []
        self.by_activity: dict[str, list[dict]] = defaultdict(list)
        self.by_system: dict[str, list[dict]] = defaultdict(list)
        for transfer in transfers:
            # Kept until the transfers sheet is written, after the activities: empty fields are let go.
            transfer = {name: value for name, value in transfer.items() if value not in (None, "", [])}
            self.all.append(transfer)
            self.by_activity[transfer.get("activity") or ""].append(transfer)
            if transfer.get("system"):
                self.by_system[transfer["system"]].append(transfer)

    def destinations(self, reference: str) -> list[str]:
        """Column H: country names, or the destination words where no country is recorded."""
        return unique(destination(t, self.lookups.countries) for t in self.by_activity.get(reference, ()))

    def exceptional_safeguards(self, reference: str) -> list[str]:
        """Column I: each transfer's mechanism in the words the reader maps back, with its safeguards (Art. 30(1)(e)
        asks for those of Art. 49 second-subparagraph transfers; the others are there so re-import keeps meaning)."""
        return unique(mechanism_line(destination(t, self.lookups.countries), t)
                      for t in self.by_activity.get(reference, ())
                      if (t.get("mechanism") or "none_recorded") != "none_recorded" or t.get("safeguards"))

    def routes_of_system(self, name: str) -> list[str]:
        return unique(f"{destination(t, self.lookups.countries)} (mechanism: "
                      f"{MECHANISMS.get(t.get('mechanism') or '', 'not recorded')})"
                      for t in self.by_system.get(name, ()))


class Capped:
    """An ordered set keeping its first LIMIT items: a cell cannot list 100,000 activities."""

    def __init__(self) -> None:
        self.items: dict[str, None] = {}
        self.dropped = 0

    def add(self, items: Iterable[str]) -> None:
        for item in items:
            if not item or item in self.items:
                continue
            if len(self.items) < LIMIT:
                self.items[item] = None
            else:
                self.dropped += 1

    def lines(self, more: str = "see the activity sheets") -> list[str]:
        tail = [f"… and {self.dropped} more ({more})"] if self.dropped else []
        return [*self.items, *tail]


@dataclass
class Tally:
    """Facts gathered in the single pass over the activities, for the sheets written after it."""

    names: dict[str, str] = field(default_factory=dict)  # only activities that have transfers
    retired: set[str] = field(default_factory=set)

    def see(self, activity: dict, transfers: Transfers) -> None:
        reference = activity.get("reference") or ""
        if reference in transfers.by_activity:
            self.names[reference] = activity.get("name") or ""
        if activity.get("status") == "retired":
            self.retired.add(reference)
