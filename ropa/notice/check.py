"""A published privacy notice checked against the register: what the notice omits or contradicts.

Checked: processors; the controllers we process for; recipients; transfers (that they are described, their country
and their safeguard); retention periods and legal holds; the lawful bases relied on. Each finding carries the
register entry and the notice's own words (a quoted excerpt, or none when it is not mentioned). Conservative: a name
counts as mentioned when any of its usual forms is there, and every match is quoted so a loose one can be seen.
"""

from dataclasses import asdict, dataclass, field

from ropa.notice.compose import (
    ACTIVITY,
    BASIS,
    MECHANISMS,
    ORGANISATION,
    RECIPIENT,
    RETENTION,
    TRANSFER,
    Ref,
    basis_words,
    period_words,
)
from ropa.notice.matching import (
    ABROAD,
    COUNTRY_ALIASES,
    MECHANISM_WORDS,
    basis_variants,
    first_mention,
    mentions,
    name_variants,
    periods_in,
    same_period,
    subject_words,
)
from ropa.notice.text import Folded, fold

OMITTED, CONTRADICTED, FOUND = "omitted", "contradicted", "found"
CATEGORIES = {"processors": "Processors", "controllers": "Controllers we process for", "recipients": "Recipients",
              "transfers": "International transfers", "retention": "Retention", "lawful_bases": "Lawful bases"}
#: How far either side of a mention a transfer's country and safeguard, or a retention period, are looked for.
NEAR = 400
#: Mechanism words too common in notices to be read as naming a safeguard the register lacks.
LOOSE = {"adequate", "explicit consent"}


@dataclass(frozen=True)
class Finding:
    category: str
    kind: str  # omitted, contradicted, or found
    ref: Ref
    aspect: str  # named, country, safeguard, period, legal hold
    entry: str  # the register's words
    notice_words: str  # a quoted excerpt; empty: not mentioned
    message: str
    activities: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        data = asdict(self)
        data["activities"] = list(self.activities)
        return data


@dataclass
class Report:
    gaps: list[Finding] = field(default_factory=list)
    matched: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        (self.matched if finding.kind == FOUND else self.gaps).append(finding)

    def as_dict(self) -> dict:
        return {"gaps": [g.as_dict() for g in self.gaps], "matched": [m.as_dict() for m in self.matched],
                "summary": {"gaps": len(self.gaps), "omitted": sum(g.kind == OMITTED for g in self.gaps),
                            "contradicted": sum(g.kind == CONTRADICTED for g in self.gaps),
                            "matched": len(self.matched)}}


def check_notice(text: str, data: dict[str, list[dict]]) -> Report:
    """What the notice (plain text) omits or contradicts, against a dump-form register."""
    notice, report = Folded(text), Report()
    live = [a for a in data.get("activities", []) if a.get("status") != "retired"]
    ours = [a for a in live if a.get("our_role") != "processor"]
    _processors(notice, data, ours, report)
    _controllers(notice, live, report)
    _recipients(notice, data, ours, report)
    _transfers(notice, data, live, report)
    _retention(notice, data, ours, report)
    _bases(notice, data, ours, report)
    return report


def _named(notice: Folded, report: Report, category: str, ref: Ref, entry: str, variants: list[str],
           activities: list[dict], what: str) -> None:
    span = first_mention(notice, variants)
    refs = tuple(a["reference"] for a in activities)
    if span:
        report.add(Finding(category, FOUND, ref, "named", entry, notice.excerpt(*span), f"{what} is named", refs))
    else:
        report.add(Finding(category, OMITTED, ref, "named", entry, "", f"the notice does not name {what}", refs))


def _processors(notice: Folded, data: dict, ours: list[dict], report: Report) -> None:
    users: dict[str, list[dict]] = {}
    for e in data.get("engagements", []):
        users.setdefault(e["processor"], [])
    for a in ours:
        for name in a.get("processors") or []:
            users.setdefault(name, []).append(a)
    for name, activities in users.items():
        engagements = [e["reference"] for e in data.get("engagements", []) if e["processor"] == name]
        entry = f"{name}: processor" + (f" ({', '.join(engagements)})" if engagements else "")
        _named(notice, report, "processors", Ref(ORGANISATION, name), entry, name_variants(name), activities,
               f"the processor {name}")


def _controllers(notice: Folded, live: list[dict], report: Report) -> None:
    by: dict[str, list[dict]] = {}
    for a in live:
        if a.get("our_role") == "processor" and a.get("controller"):
            by.setdefault(a["controller"], []).append(a)
    for name, activities in by.items():
        _named(notice, report, "controllers", Ref(ORGANISATION, name), f"{name}: the controller we act for",
               name_variants(name), activities, f"{name} as the controller we process for")


def _recipients(notice: Folded, data: dict, ours: list[dict], report: Report) -> None:
    for r in data.get("recipients", []):
        activities = [a for a in ours if r["name"] in (a.get("recipients") or [])]
        extra = (r["organisation"],) if r.get("organisation") else ()
        _named(notice, report, "recipients", Ref(RECIPIENT, r["name"]), f"{r['name']}: recipient",
               name_variants(r["name"], extra), activities, f"the recipient {r['name']}")


def _near(notice: Folded, spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The stretches of the notice's text around each mention: (start, end, text)."""
    return [(max(0, s - NEAR), e + NEAR, notice.text[max(0, s - NEAR):e + NEAR]) for s, e in spans]


def _found_in(stretches: list[tuple[int, int, str]], variants: list[str]) -> tuple[int, int] | None:
    """The original-text span of the first variant found in any stretch."""
    for start, _, text in stretches:
        hit = first_mention(Folded(text), variants)
        if hit:
            return start + hit[0], start + hit[1]
    return None


def _transfers(notice: Folded, data: dict, live: list[dict], report: Report) -> None:
    countries = {c["code"]: c for c in data.get("countries", [])}
    by_ref = {a["reference"]: a for a in live}
    for t in data.get("transfers", []):
        if t.get("activity") not in by_ref:
            continue
        parties = [p for p in (t.get("organisation"), t.get("system")) if p]
        spans = mentions(notice, [v for p in parties for v in name_variants(p)])
        # With no party recorded, the transfer is looked for wherever the notice says data leaves the UK.
        stretches = _near(notice, spans if parties else mentions(notice, list(ABROAD)))
        named = [c["name"] for code, c in countries.items() if code != "GB" and c.get("name")]
        abroad = _found_in(stretches, [*ABROAD, *_country_words(countries, t), *named])
        ref, acts = Ref(TRANSFER, t["reference"]), (t["activity"],)
        who = " / ".join(parties) or "recipient not recorded"
        country_words = _country_name(countries, t)
        entry = f"{t['reference']}: {who} for {t['activity']}; country: {country_words or 'not recorded'}; " \
                f"safeguard: {MECHANISMS.get(t.get('mechanism') or '', 'not recorded')}"
        if abroad:
            report.add(Finding("transfers", FOUND, ref, "named", entry, notice.excerpt(*abroad),
                               "the transfer is described", acts))
        else:
            words = notice.excerpt(*spans[0]) if spans else ""
            report.add(Finding("transfers", OMITTED, ref, "named", entry, words,
                               "the notice does not say that this information leaves the UK", acts))
        _transfer_country(notice, countries, t, stretches, abroad, report, ref, entry)
        _transfer_safeguard(notice, t, stretches, abroad, report, ref, entry)


def _country_name(countries: dict, t: dict) -> str:
    if t.get("country"):
        return (countries.get(t["country"]) or {}).get("name") or t["country"]
    return {"eea": "EEA", "eu": "EU"}.get(t.get("region") or "", "")


def _country_words(countries: dict, t: dict) -> list[str]:
    if t.get("country"):
        return [_country_name(countries, t), *COUNTRY_ALIASES.get(t["country"], [])]
    if t.get("region") in ("eea", "eu"):
        return ["European Economic Area", "EEA", "European Union", "EU"]
    return []


def _transfer_country(notice: Folded, countries: dict, t: dict, stretches, abroad, report: Report, ref: Ref,
                      entry: str) -> None:
    acts, wanted = (t["activity"],), _country_words(countries, t)
    if wanted:
        span = first_mention(notice, wanted)
        if span:
            report.add(Finding("transfers", FOUND, ref, "country", entry, notice.excerpt(*span),
                               "the country is named", acts))
            return
        report.add(Finding("transfers", OMITTED, ref, "country", entry, notice.excerpt(*abroad) if abroad else "",
                           f"the notice does not name {_country_name(countries, t)}, where the register says the "
                           "information goes", acts))
        return
    others = [c["name"] for code, c in countries.items() if code != "GB" and c.get("name")]
    named = _found_in(stretches, others)
    if named:
        report.add(Finding("transfers", CONTRADICTED, ref, "country", entry, notice.excerpt(*named),
                           "the notice names a country the register does not record for this transfer", acts))
    else:
        report.add(Finding("transfers", OMITTED, ref, "country", entry, notice.excerpt(*abroad) if abroad else "",
                           "neither the notice nor the register names the country (Art. 13(1)(f))", acts))


def _transfer_safeguard(notice: Folded, t: dict, stretches, abroad, report: Report, ref: Ref, entry: str) -> None:
    acts, mechanism = (t["activity"],), t.get("mechanism") or "none_recorded"
    safeguard_words = _found_in(stretches, ["appropriate safeguards", "safeguards", "safeguard"])
    quoted = notice.excerpt(*safeguard_words) if safeguard_words else (notice.excerpt(*abroad) if abroad else "")
    if mechanism != "none_recorded":
        span = first_mention(notice, MECHANISM_WORDS.get(mechanism, []))
        if span:
            report.add(Finding("transfers", FOUND, ref, "safeguard", entry, notice.excerpt(*span),
                               "the safeguard is named", acts))
        else:
            report.add(Finding("transfers", OMITTED, ref, "safeguard", entry, quoted,
                               f"the notice does not name the safeguard, {MECHANISMS[mechanism]}", acts))
        return
    # Only a safeguard's own name counts as the notice claiming one: not "adequate" or "explicit consent" in passing.
    other = _found_in(stretches, [w for words in MECHANISM_WORDS.values() for w in words if w not in LOOSE])
    if other:
        report.add(Finding("transfers", CONTRADICTED, ref, "safeguard", entry, notice.excerpt(*other),
                           "the notice names a safeguard the register does not record", acts))
    else:
        report.add(Finding("transfers", OMITTED, ref, "safeguard", entry, quoted,
                           "neither the notice nor the register names the safeguard (IDTA, UK Addendum, adequacy "
                           "...) relied on (Art. 13(1)(f))", acts))


def _retention(notice: Folded, data: dict, ours: list[dict], report: Report) -> None:
    categories = {c["name"] for c in data.get("data_categories", [])}
    holds = {h["name"]: h for h in data.get("legal_holds", [])}
    for rule in data.get("retention_rules", []):
        users = [a for a in ours if a.get("retention_rule") == rule["name"]]
        if not users:
            continue
        ref, acts = Ref(RETENTION, rule["name"]), tuple(a["reference"] for a in users)
        subjects = [rule["name"], *subject_words(rule["name"]), *(n for a in users for n in a.get("data_categories") or [] if n in categories
                                    and len(a.get("data_categories") or []) == 1), *(a["name"] for a in users)]
        spans = mentions(notice, [v for s in dict.fromkeys(subjects) for v in name_variants(s)])
        period = period_words(rule)
        entry = f"{rule['name']}: {period or rule.get('trigger') or 'no period recorded'}"
        if period:
            _period(notice, rule, spans, report, ref, entry, acts)
        else:
            _criteria(notice, rule, report, ref, entry, acts)
        if rule.get("legal_hold"):
            hold = holds.get(rule["legal_hold"]) or {}
            span = first_mention(notice, [rule["legal_hold"], "legal hold", "not destroying records",
                                          "moratorium on the destruction", *([f"{hold['imposed_by']} legal hold"]
                                                                              if hold.get("imposed_by") else [])])
            entry_hold = f"{rule['name']}: under the legal hold {rule['legal_hold']}"
            report.add(Finding("retention", FOUND, ref, "legal hold", entry_hold, notice.excerpt(*span),
                               "the legal hold is described", acts) if span else
                       Finding("retention", OMITTED, ref, "legal hold", entry_hold, "",
                               "the notice does not say that records are kept beyond their period under a legal "
                               "hold", acts))


def _period(notice: Folded, rule: dict, spans, report: Report, ref: Ref, entry: str, acts) -> None:
    wanted = (rule["period_value"], rule["period_unit"])
    near_same, near_other = None, None
    for start, end in spans:
        stretch = notice.text[max(0, start - 100):end + 300]
        folded, where = fold(stretch)
        for value, unit, s, e in periods_in(folded):
            at = (max(0, start - 100) + where[s], max(0, start - 100) + where[e - 1] + 1)
            if same_period((value, unit), wanted):
                near_same = near_same or at
            else:
                near_other = near_other or at
    if near_same or not near_other:
        anywhere = near_same or next((( notice.where[s], notice.where[e - 1] + 1)
                                       for value, unit, s, e in periods_in(notice.folded)
                                       if same_period((value, unit), wanted)), None)
        if anywhere:
            report.add(Finding("retention", FOUND, ref, "period", entry, notice.excerpt(*anywhere),
                               "the period is stated", acts))
            return
        report.add(Finding("retention", OMITTED, ref, "period", entry, "",
                           f"the notice does not say how long {rule['name'].lower()} are kept", acts))
        return
    report.add(Finding("retention", CONTRADICTED, ref, "period", entry, notice.excerpt(*near_other),
                       f"the notice gives a different period for {rule['name'].lower()}", acts))


def _criteria(notice: Folded, rule: dict, report: Report, ref: Ref, entry: str, acts) -> None:
    """A rule with no fixed period: the notice should give its criteria, its trigger or the rule it follows."""
    source = (rule.get("source") or "").split(". ")[0]
    span = first_mention(notice, [*(name_variants(source) if source else []),
                                  *([rule["trigger"]] if rule.get("trigger") else [])])
    if span:
        report.add(Finding("retention", FOUND, ref, "period", entry, notice.excerpt(*span),
                           "the notice gives the criteria (the rule the period follows)", acts))
    else:
        report.add(Finding("retention", OMITTED, ref, "period", entry, "",
                           f"the notice gives neither a period nor the criteria for {rule['name'].lower()}", acts))


def _bases(notice: Folded, data: dict, ours: list[dict], report: Report) -> None:
    bases = {b["code"]: b for b in data.get("lawful_bases", [])}
    used: dict[str, list[dict]] = {}
    for a in ours:
        for code in a.get("lawful_bases") or []:
            used.setdefault(code, []).append(a)
    for code, activities in used.items():
        label = (bases.get(code) or {}).get("label") or ""
        _named(notice, report, "lawful_bases", Ref(BASIS, code), basis_words(code, bases.get(code) or {}),
               basis_variants(code, label), activities, f"the basis {basis_words(code, bases.get(code) or {})}")


__all__ = ["ACTIVITY", "CATEGORIES", "Finding", "Report", "check_notice"]
