"""Lawful basis: Arts. 6, 9 and 10, DPA 2018 Schedule 1."""

from collections.abc import Iterator

from ropa.checks.engine import CONSENT, Context, Severity, _act, rule

# --- Lawful basis (Arts. 6, 9, 10; DPA 2018 Sch. 1) ------------------------------------------------------------


@rule("L01", Severity.ERROR, "No Art. 6 lawful basis",
      "Decide and record the Art. 6(1) basis the activity relies on (and tell people in the privacy notice).")
def _no_article_6(c: Context) -> Iterator:
    for a in c.controlled:
        if not c.codes(a, "6("):
            yield _act(a, f"{a['reference']} {a['name']} has no Art. 6 lawful basis recorded.")


@rule("L02", Severity.ERROR, "Special category data without an Art. 9 condition",
      "Record the Art. 9(2) condition relied on for the special category data.")
def _no_article_9(c: Context) -> Iterator:
    for a in c.controlled:
        if "special" in c.kinds_of(a) and not c.codes(a, "9("):
            yield _act(a, f"{a['reference']} {a['name']} processes special category data "
                          f"({_special_names(c, a)}) with no Art. 9 condition recorded.")


def _special_names(c: Context, a: dict) -> str:
    return ", ".join(n for n in a.get("data_categories", []) if c.data_kinds.get(n) in ("special", "criminal"))


@rule("L03", Severity.ERROR, "Art. 9 condition without the DPA 2018 Schedule 1 condition it needs",
      "Art. 9(2)(b), (g), (h), (i) and (j) also need a Schedule 1 condition (DPA 2018 s.10): record it.")
def _no_schedule_1(c: Context) -> Iterator:
    for a in c.controlled:
        needing = [code for code in c.codes(a, "9(") if c.bases.get(code, {}).get("needs_schedule_1")]
        if needing and not c.codes(a, "Sch1"):
            yield _act(a, f"{a['reference']} relies on {', '.join(needing)} but records no Schedule 1 condition.")


@rule("L04", Severity.ERROR, "Criminal offence data without a Schedule 1 condition",
      "Art. 10 processing needs a DPA 2018 Schedule 1 condition (Parts 1-3): record it.")
def _criminal_without_condition(c: Context) -> Iterator:
    for a in c.controlled:
        if "criminal" in c.kinds_of(a) and not c.codes(a, "Sch1"):
            yield _act(a, f"{a['reference']} {a['name']} processes criminal offence data with no Schedule 1 condition.")


@rule("L05", Severity.ERROR, "Schedule 1 condition without an appropriate policy document",
      "Write the appropriate policy document (Sch. 1 Part 4) and link it on the activity.")
def _no_policy_document(c: Context) -> Iterator:
    for a in c.controlled:
        needing = [code for code in c.codes(a, "Sch1") if c.bases.get(code, {}).get("needs_policy_document")]
        if needing and not a.get("policy_document_url"):
            yield _act(a, f"{a['reference']} relies on {', '.join(needing)} with no appropriate policy document linked.")


@rule("L06", Severity.ERROR, "Consent relied on without a record of consent",
      "Link where the consent records are kept (who consented, when, to what, how to withdraw).")
def _consent_without_record(c: Context) -> Iterator:
    for a in c.controlled:
        consent = [code for code in a.get("lawful_bases", []) if code in CONSENT]
        if consent and not a.get("consent_record_url"):
            yield _act(a, f"{a['reference']} relies on consent ({', '.join(consent)}) with no record of consent linked.")


@rule("L07", Severity.ERROR, "Legitimate interests without a legitimate interests assessment",
      "Carry out the three-part legitimate interests assessment and link it; describe the interests.")
def _li_without_lia(c: Context) -> Iterator:
    for a in c.controlled:
        if "6(1)(f)" in a.get("lawful_bases", []) and not a.get("lia_url"):
            yield _act(a, f"{a['reference']} relies on legitimate interests with no LIA linked.")


@rule("L08", Severity.WARNING, "Legitimate interests relied on by a public authority",
      "A public authority cannot rely on legitimate interests for its public tasks: use public task, or record why "
      "this processing is outside those tasks.")
def _li_public_authority(c: Context) -> Iterator:
    if c.us and c.us.get("is_public_authority"):
        for a in c.controlled:
            if "6(1)(f)" in a.get("lawful_bases", []):
                yield _act(a, f"{c.us['name']} is a public authority and {a['reference']} relies on legitimate interests.")
