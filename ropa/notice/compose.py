"""The privacy notice composed from the register: Art. 13/14 information in plain English, each sentence carrying
the register entries it was written from. Nothing is inferred: what the register does not hold is said as a gap.

Input is the register in dump form (entity name → list of records, as ropa.services.register.dump_register gives).
Retired activities are left out. Activities where we are the processor are named in "Who we are" (their controller
tells people about them) and left out of the rest.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from ropa.notice import rights

#: Entity kinds a reference can point at; the page links those that have one.
ACTIVITY, ORGANISATION, SERVICE, RECIPIENT, ENGAGEMENT, TRANSFER, RETENTION, BASIS, CATEGORY, SUBJECT, SYSTEM = (
    "activity", "organisation", "service", "recipient", "engagement", "transfer", "retention_rule",
    "lawful_basis", "data_category", "subject_category", "system")

MECHANISMS = {
    "adequacy": "adequacy regulations (a transfer approved by regulations)",
    "uk_us_data_bridge": "the UK-US data bridge (the UK Extension to the EU-US Data Privacy Framework)",
    "idta": "the International Data Transfer Agreement (IDTA)",
    "uk_addendum": "the UK Addendum to the EU standard contractual clauses",
    "bcr": "binding corporate rules",
    "other_art46": "another Article 46 safeguard",
    "legacy_sccs": "the old EU standard contractual clauses alone (not valid for UK transfers since 21 March 2024)",
    "art49_exception": "an Article 49 exception",
    "art49_explicit_consent": "your explicit consent (Article 49(1)(a))",
    "art49_contract_with_subject": "a contract with you (Article 49(1)(b))",
    "art49_contract_for_subject": "a contract in your interest (Article 49(1)(c))",
    "art49_public_interest": "important reasons of public interest (Article 49(1)(d))",
    "art49_legal_claims": "legal claims (Article 49(1)(e))",
    "art49_vital_interests": "vital interests (Article 49(1)(f))",
    "art49_public_register": "a public register (Article 49(1)(g))",
    "art49_compelling_interests": "compelling legitimate interests (Article 49(1), second subparagraph)",
}
KIND_WORDS = {"personal": "Personal data", "special": "Special category data (Art. 9)",
              "criminal": "Criminal offence data (Art. 10)", None: "Other information (its kind is not recorded)"}


@dataclass(frozen=True)
class Ref:
    """A register entry a sentence was written from."""

    kind: str
    key: str


@dataclass(frozen=True)
class Line:
    text: str
    refs: tuple[Ref, ...] = ()
    item: bool = False  # one of a list rather than a paragraph
    gap: bool = False  # says what the register does not record


@dataclass
class Section:
    key: str
    heading: str
    lines: list[Line] = field(default_factory=list)

    def say(self, text: str, refs: Iterable[Ref] = (), *, item: bool = False, gap: bool = False) -> None:
        self.lines.append(Line(text, tuple(dict.fromkeys(refs)), item, gap))

    @property
    def refs(self) -> list[Ref]:
        """Every entry the section was written from, first mention first."""
        return list(dict.fromkeys(r for line in self.lines for r in line.refs))


@dataclass
class Notice:
    title: str
    controller: str
    sections: list[Section]
    as_at: str = ""  # the snapshot it was written from; empty for the live register

    @property
    def gaps(self) -> list[Line]:
        return [line for s in self.sections for line in s.lines if line.gap]


class _Register:
    """Lookups over the dump, made once."""

    def __init__(self, data: dict[str, list[dict]]):
        self.data = data
        self.by = {name: {_key(name, r): r for r in rows} for name, rows in data.items()
                   if name != "snapshots" and isinstance(rows, list)}
        live = [a for a in data.get("activities", []) if a.get("status") != "retired"]
        self.ours = [a for a in live if a.get("our_role") != "processor"]
        self.for_others = [a for a in live if a.get("our_role") == "processor"]
        self.live = live
        selves = [o for o in data.get("organisations", []) if o.get("is_self")]
        self.self_org = selves[0] if selves else None

    def basis(self, code: str) -> dict:
        return self.by.get("lawful_bases", {}).get(code) or {}

    def country(self, code: str | None) -> str:
        return (self.by.get("countries", {}).get(code or "") or {}).get("name") or (code or "")


def _key(entity: str, record: dict) -> str:
    if entity == "disclosures":
        return f"{record.get('activity')} / {record.get('recipient')}"
    return record.get("reference") or record.get("code") or record.get("name") or ""


def act(a: dict) -> Ref:
    return Ref(ACTIVITY, a["reference"])


def _join(items: Iterable[str]) -> str:
    items = [i for i in dict.fromkeys(items) if i]
    return items[0] if len(items) == 1 else "; ".join(items[:-1]) + " and " + items[-1] if items else ""


def _named(activities: Iterable[dict]) -> str:
    return _join(f"{a['name']} ({a['reference']})" for a in activities)


def basis_words(code: str, record: dict) -> str:
    """'Art. 6(1)(e) public task', 'DPA 2018 Schedule 1 paragraph 2 (Health or social care purposes)'."""
    label = record.get("label") or ""
    if code.startswith("Sch1"):
        para = code.removeprefix("Sch1").strip().replace("para", "paragraph")
        return f"DPA 2018 Schedule 1 {para}" + (f" ({label})" if label else "")
    return f"Art. {code}" + (f" {label[:1].lower()}{label[1:]}" if label else "")


def period_words(rule: dict) -> str:
    """'30 days', '1 year'; empty when no period is recorded."""
    value, unit = rule.get("period_value"), rule.get("period_unit") or ""
    if value is None:
        return ""
    if value == 1:
        unit = unit.removesuffix("s")
    return f"{value} {unit}".strip()


def compose(data: dict[str, list[dict]], *, as_at: str = "") -> Notice:
    """The notice for a dump-form register."""
    reg = _Register(data)
    name = reg.self_org["name"] if reg.self_org else ""
    sections = [_who(reg), _contact(reg), _collect(reg), _purposes(reg), _recipients(reg), _processors(reg),
                _transfers(reg), _retention(reg), _rights(reg), _complain(reg)]
    title = f"{name}: privacy notice" if name else "Privacy notice"
    return Notice(title, name, sections, as_at)


def _who(reg: _Register) -> Section:
    s = Section("who", "Who we are")
    org = reg.self_org
    if org is None:
        s.say("The register does not say which organisation keeps it: mark one organisation as \u201cThis is us\u201d.",
              gap=True)
    else:
        ref = Ref(ORGANISATION, org["name"])
        s.say(f"{org['name']} is the controller of the personal information described in this notice: it decides "
              "why and how your information is used.", [ref])
        facts = [f"registered number {org['registration_number']}" if org.get("registration_number") else "",
                 f"address: {org['address']}" if org.get("address") else "",
                 f"country: {reg.country(org.get('country'))}" if org.get("country") else "",
                 f"ICO registration number {org['ico_registration']}" if org.get("ico_registration") else ""]
        if any(facts):
            s.say(f"{org['name']}: " + "; ".join(f for f in facts if f) + ".", [ref])
        if not org.get("ico_registration"):
            s.say(f"The register does not record {org['name']}'s ICO registration number.", [ref], gap=True)
    for service in reg.data.get("services", []):
        if org is not None and service.get("provider") == org["name"]:
            partners = service.get("partners") or []
            s.say(f"We provide {service['name']}" + (f", in partnership with {_join(partners)}" if partners else "")
                  + ".", [Ref(SERVICE, service["name"]), *(Ref(ORGANISATION, p) for p in partners)], item=True)
    _for_others(reg, s)
    return s


def _for_others(reg: _Register, s: Section) -> None:
    by_controller: dict[str, list[dict]] = {}
    for a in reg.for_others:
        by_controller.setdefault(a.get("controller") or "", []).append(a)
    if by_controller:
        s.say("For some services we act as a data processor: another organisation is the controller, decides how "
              "your information is used, and its own privacy notice tells you about it.")
    for controller, activities in by_controller.items():
        refs = [act(a) for a in activities]
        if not controller:
            s.say(f"{_named(activities)}: we act as processor, but the register does not name the controller.",
                  refs, item=True, gap=True)
            continue
        notice = (reg.by.get("organisations", {}).get(controller) or {}).get("privacy_notice_url")
        where = f"; its privacy notice: {notice}" if notice else "; the register holds no link to its privacy notice"
        services = _join(a.get("service") or "" for a in activities) or _named(activities)
        s.say(f"{services}: the controller is {controller}{where}.", [*refs, Ref(ORGANISATION, controller)],
              item=True, gap=not notice)
    for a in reg.ours:
        if a.get("joint_controllers"):
            s.say(f"For {a['name']} ({a['reference']}) we are joint controllers with "
                  f"{_join(a['joint_controllers'])}.", [act(a), *(Ref(ORGANISATION, o) for o in a["joint_controllers"])],
                  item=True)


def _contact(reg: _Register) -> Section:
    s = Section("contact", "How to contact us and our Data Protection Officer")
    org = reg.self_org
    if org is None:
        s.say("No contact details can be given: the register does not say which organisation keeps it.", gap=True)
        return s
    ref = Ref(ORGANISATION, org["name"])
    details = [v for v in (org.get("address"), org.get("email"), org.get("telephone"), org.get("website")) if v]
    if details:
        s.say(f"Contact {org['name']}: " + "; ".join(details) + ".", [ref])
    if not (org.get("email") or org.get("telephone") or org.get("website")):
        s.say(f"The register records no email address, telephone number or website for {org['name']}.", [ref],
              gap=True)
    if org.get("dpo_name") or org.get("dpo_contact"):
        s.say("Our Data Protection Officer: " + "; ".join(v for v in (org.get("dpo_name"), org.get("dpo_contact"))
                                                       if v) + ".", [ref])
    else:
        s.say("The register does not record a Data Protection Officer or their contact details.", [ref], gap=True)
    if org.get("representative_name"):
        s.say(f"Our representative: {org['representative_name']}"
              + (f"; {org['representative_contact']}" if org.get("representative_contact") else "") + ".", [ref])
    return s


def _collect(reg: _Register) -> Section:
    s = Section("collect", "What information we collect and where it comes from")
    categories = reg.by.get("data_categories", {})
    by_kind: dict[str | None, dict[str, list[dict]]] = {}
    for a in reg.ours:
        for name in a.get("data_categories") or []:
            kind = (categories.get(name) or {}).get("kind")
            by_kind.setdefault(kind if kind in KIND_WORDS else None, {}).setdefault(name, []).append(a)
    for kind in ("personal", "special", "criminal", None):
        found = by_kind.get(kind)
        if found:
            s.say(f"{KIND_WORDS[kind]}: {_join(found)}.",
                  [*(Ref(CATEGORY, n) for n in found), *(act(a) for uses in found.values() for a in uses)], item=True)
    subjects = list(dict.fromkeys(n for a in reg.ours for n in a.get("data_subjects") or []))
    if subjects:
        s.say(f"We hold information about: {_join(subjects)}.", [Ref(SUBJECT, n) for n in subjects])
    sources: dict[str, list[dict]] = {}
    for a in reg.ours:
        if a.get("source"):
            sources.setdefault(a["source"], []).append(a)
    for text, activities in sources.items():
        s.say(f"Where it comes from, for {_named(activities)}: {text}", [act(a) for a in activities], item=True)
    _gap_for(s, [a for a in reg.ours if not a.get("data_categories")], "categories of personal data")
    _gap_for(s, [a for a in reg.ours if not a.get("data_subjects")], "whom the information is about")
    return s


def _gap_for(s: Section, activities: list[dict], what: str) -> None:
    if activities:
        s.say(f"The register does not record {what} for {_named(activities)}.", [act(a) for a in activities],
              gap=True)


def _purposes(reg: _Register) -> Section:
    s = Section("purposes", "Why we use your information and our lawful basis")
    s.say("For each purpose, the lawful basis under Article 6 of the UK GDPR and, for special category data, the "
          "condition under Article 9 (with the Data Protection Act 2018 Schedule 1 condition where one is needed).")
    categories = reg.by.get("data_categories", {})
    for a in reg.ours:
        codes = a.get("lawful_bases") or []
        kinds = {code: reg.basis(code).get("kind") or _kind_of(code) for code in codes}
        words = {k: [basis_words(c, reg.basis(c)) for c in codes if kinds[c] == k]
                 for k in ("article_6", "article_9", "schedule_1")}
        special = any((categories.get(n) or {}).get("kind") in ("special", "criminal")
                      for n in a.get("data_categories") or [])
        parts = [f"lawful basis: {_join(words['article_6'])}" if words["article_6"] else "lawful basis: not recorded"]
        if words["article_9"] or special:
            parts.append(f"condition for special category data: {_join(words['article_9']) or 'not recorded'}")
        needs_sch1 = any(reg.basis(c).get("needs_schedule_1") for c in codes if kinds[c] == "article_9")
        if words["schedule_1"] or needs_sch1:
            parts.append(f"Schedule 1 condition: {_join(words['schedule_1']) or 'not recorded'}")
        purpose = _sentence(a.get("purpose") or "Purpose not recorded")
        gap = not words["article_6"] or ((special or words["article_9"]) and not words["article_9"]) or \
            (needs_sch1 and not words["schedule_1"]) or not a.get("purpose")
        parts[0] = parts[0][:1].upper() + parts[0][1:]
        s.say(f"{a['name']} ({a['reference']}). {purpose} " + "; ".join(parts) + ".",
              [act(a), *(Ref(BASIS, c) for c in codes)], item=True, gap=gap)
        if any(c in ("6(1)(f)", "6(1)(ea)") for c in codes):
            interests = a.get("legitimate_interests") or "not recorded"
            s.say(f"The legitimate interests we rely on for {a['name']}: {interests}", [act(a)], item=True,
                  gap=not a.get("legitimate_interests"))
    return s


def _sentence(text: str) -> str:
    """Text ending as a sentence does."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", ".'", '."', ".\u2019", ".\u201d")) else text + "."


def _kind_of(code: str) -> str:
    return "article_6" if code.startswith("6(") else "article_9" if code.startswith("9(") else "schedule_1"


def _recipients(reg: _Register) -> Section:
    s = Section("recipients", "Who we share your information with")
    tied: dict[str, list[dict]] = {}
    for a in reg.ours:
        for name in a.get("recipients") or []:
            tied.setdefault(name, []).append(a)
    gateways = {(d["activity"], d["recipient"]): d for d in reg.data.get("disclosures", [])}
    for name, activities in tied.items():
        refs = [Ref(RECIPIENT, name), *(act(a) for a in activities)]
        s.say(f"{name}: for {_named(activities)}.", refs, item=True)
        for a in activities:
            d = gateways.get((a["reference"], name)) or {}
            if d.get("legal_gateway"):
                s.say(f"The legal gateway for sharing with {name} for {a['name']}: {d['legal_gateway']}",
                      refs[:1] + [act(a)], item=True)
    others = [r["name"] for r in reg.data.get("recipients", []) if r["name"] not in tied]
    if others:
        s.say("The register also lists these recipients without tying them to any purpose we control: "
              f"{_join(others)}.", [Ref(RECIPIENT, n) for n in others], gap=True)
    if not reg.data.get("recipients"):
        s.say("The register records no recipients.", gap=True)
    return s


def _processors(reg: _Register) -> Section:
    s = Section("processors", "Organisations that process information for us (processors)")
    engagements: dict[str, list[dict]] = {}
    for e in reg.data.get("engagements", []):
        engagements.setdefault(e["processor"], []).append(e)
    used: dict[str, list[dict]] = {}
    for a in reg.ours:
        for name in a.get("processors") or []:
            used.setdefault(name, []).append(a)
    for name in dict.fromkeys([*engagements, *used]):
        refs = [Ref(ORGANISATION, name), *(Ref(ENGAGEMENT, e["reference"]) for e in engagements.get(name, [])),
                *(act(a) for a in used.get(name, []))]
        what = _join((e.get("description") or "").rstrip(".") for e in engagements.get(name, []))
        s.say(f"{name}" + (f": {what}" if what else "") + (f". For {_named(used[name])}" if name in used else "")
              + ".", refs, item=True)
        countries = [reg.country(c) for e in engagements.get(name, []) for c in e.get("countries") or []]
        places = [e.get("processing_location") for e in engagements.get(name, []) if e.get("processing_location")]
        if countries or places:
            s.say(f"Where {name} processes the information: {_join([*countries, *places])}.", refs[:2], item=True,
                  gap=not countries)
        else:
            s.say(f"The register does not record where {name} processes the information.", refs[:2], item=True,
                  gap=True)
        subs = [n for e in engagements.get(name, []) for n in e.get("sub_processors") or []]
        if subs:
            s.say(f"{name} uses these sub-processors: {_join(subs)}.", [*refs[:2], *(Ref(ORGANISATION, n) for n in subs)],
                  item=True)
    if not engagements and not used:
        s.say("The register records no processors.", gap=True)
    return s


def _transfers(reg: _Register) -> Section:
    s = Section("transfers", "Transfers of your information outside the UK")
    live = {a["reference"]: a for a in reg.live}
    found = [t for t in reg.data.get("transfers", []) if t.get("activity") in live]
    if not found:
        s.say("The register records no transfers of personal information outside the UK.")
    for t in found:
        a = live[t["activity"]]
        who = t.get("organisation") or t.get("system") or "the recipient (not recorded)"
        refs = [Ref(TRANSFER, t["reference"]), act(a)] + ([Ref(ORGANISATION, t["organisation"])]
                                                         if t.get("organisation") else [])
        if t.get("country"):
            where = reg.country(t["country"])
        elif t.get("region") in ("eea", "eu"):
            where = t["region"].upper()
        else:
            where = "a country the register does not record" + (f" ({t['destination']})" if t.get("destination")
                                                                  else "")
        mechanism = MECHANISMS.get(t.get("mechanism") or "")
        safeguard = (f"the safeguard is {mechanism}" if mechanism else "the register records no safeguard") + \
            (f" ({t['safeguards']})" if t.get("safeguards") else "")
        gap = not mechanism or not (t.get("country") or t.get("region") in ("eea", "eu"))
        s.say(f"For {a['name']} ({a['reference']}), {who} receives or can access your information in {where}; "
              f"{safeguard}.", refs, item=True, gap=gap)
    return s


def _retention(reg: _Register) -> Section:
    s = Section("retention", "How long we keep your information")
    users: dict[str, list[dict]] = {}
    for a in reg.ours:
        if a.get("retention_rule"):
            users.setdefault(a["retention_rule"], []).append(a)
    holds = reg.by.get("legal_holds", {})
    for rule in reg.data.get("retention_rules", []):
        name, period, trigger = rule["name"], period_words(rule), rule.get("trigger") or ""
        how = f"{period} from {trigger[:1].lower()}{trigger[1:]}" if period and trigger else period or trigger
        refs = [Ref(RETENTION, name), *(act(a) for a in users.get(name, []))]
        tail = f" (for {_named(users[name])})" if name in users else " (the register ties it to no activity)"
        s.say(f"{name}: {how or 'the period is not recorded'}{tail}.", refs, item=True, gap=not how)
        if rule.get("exceptions"):
            s.say(f"{name}, exceptions: {rule['exceptions']}", refs[:1], item=True)
        if rule.get("source"):
            s.say(f"{name}, source of the rule: {rule['source']}", refs[:1], item=True)
        if rule.get("legal_hold"):
            reason = (holds.get(rule["legal_hold"]) or {}).get("reason") or ""
            s.say(f"{name} is under a legal hold, so records past their retention period are kept: "
                  f"{rule['legal_hold']}" + (f". {reason}" if reason else "."), refs[:1], item=True)
    _gap_for(s, [a for a in reg.ours if not a.get("retention_rule")], "how long the information is kept")
    return s


def _rights(reg: _Register) -> Section:
    s = Section("rights", "Your rights")
    s.say("Which rights you have depends on the lawful basis for each use of your information (UK GDPR Articles 7 "
          "and 13 to 22).")
    groups: dict[str, list[dict]] = {}
    overridden, none = [], []
    for a in reg.ours:
        article_6 = [c for c in a.get("lawful_bases") or [] if (reg.basis(c).get("kind") or _kind_of(c)) == "article_6"]
        if a.get("rights_override"):
            overridden.append(a)
        elif not article_6:
            none.append(a)
        for code in [] if a.get("rights_override") else article_6:
            groups.setdefault(code, []).append(a)
    for code, activities in groups.items():
        yes, no = rights.carried(code)
        text = (f"Where we rely on {basis_words(code, reg.basis(code))} ({_named(activities)}): you have the right "
                f"{_join(yes)}.")
        if no:
            text += f" This basis does not carry the right {_join(no)}."
        if not rights.settles_objection(code):
            text += " Ask us whether you can object to this use of your information."
        s.say(text, [Ref(BASIS, code), *(act(a) for a in activities)], item=True)
    for a in reg.ours:
        limited = [rights.ERASURE_LIMITED_BY[c] for c in a.get("lawful_bases") or [] if c in rights.ERASURE_LIMITED_BY]
        if limited:
            s.say(f"For {a['name']} ({a['reference']}) erasure may be refused where it would seriously impair the "
                  f"purpose ({_join(limited)}).", [act(a)], item=True)
    for a in overridden:
        s.say(f"For {a['name']} ({a['reference']}) the register records your rights as: {a['rights_override']}",
              [act(a)], item=True)
    if none:
        s.say(f"The register records no Article 6 lawful basis for {_named(none)}, so the rights that depend on it "
              "(erasure, portability, objection) cannot be stated for them; the rights to be informed, of access, to "
              "rectification and to restrict processing, and to complain, apply.", [act(a) for a in none], gap=True)
    for a in reg.ours:
        if a.get("automated_decision_making"):
            s.say(f"Automated decision-making for {a['name']} ({a['reference']}): {a['automated_decision_making']} "
                  "Where a decision about you is based solely on automated processing, Article 22 gives you rights "
                  "about it.", [act(a)], item=True)
    return s


def _complain(reg: _Register) -> Section:
    s = Section("complain", "How to complain")
    if reg.self_org is not None:
        s.say(f"If you are unhappy with how your information is handled, you can complain to {reg.self_org['name']}"
              + (" through our Data Protection Officer." if reg.self_org.get("dpo_name") else "."),
              [Ref(ORGANISATION, reg.self_org["name"])])
    ico = next((o for o in reg.data.get("organisations", [])
                if "information commissioner" in (o.get("name") or "").lower()), None)
    text = ("You have the right to lodge a complaint with the Information Commissioner's Office (ICO), the UK "
            "supervisory authority (UK GDPR Article 77).")
    if ico is None:
        s.say(text + " The register holds no contact details for the ICO.", gap=True)
        return s
    details = [v for v in (ico.get("address"), ico.get("telephone") and f"helpline {ico['telephone']}",
                           ico.get("email"), ico.get("website")) if v]
    s.say(text + (f" {ico['name']}: " + "; ".join(details) + "." if details else
                  " The register holds no contact details for it."), [Ref(ORGANISATION, ico["name"])],
          gap=not details)
    return s
