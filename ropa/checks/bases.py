"""Lawful basis: Arts. 6, 9 and 10, DPA 2018 Schedule 1."""

from collections.abc import Iterator

from ropa.checks.engine import CONSENT, Context, Severity, _act, rule

# --- Lawful basis (Arts. 6, 9, 10; DPA 2018 Sch. 1) ------------------------------------------------------------


@rule("L01", Severity.ERROR, "No Art. 6 lawful basis",
      "Decide and record the Art. 6(1) basis the activity relies on (and tell people in the privacy notice).",
      "UK GDPR Art. 6(1); Art. 5(2) (accountability)")
def _no_article_6(c: Context) -> Iterator:
    for a in c.controlled:
        if not c.codes(a, "6("):
            yield _act(a, f"{a['reference']} {a['name']} has no Art. 6 lawful basis recorded.")


@rule("L02", Severity.ERROR, "Special category data without an Art. 9 condition",
      "Record the Art. 9(2) condition relied on for the special category data (for care, usually 9(2)(h) health "
      "or social care).",
      "UK GDPR Art. 9(1)-(2)")
def _no_article_9(c: Context) -> Iterator:
    for a in c.controlled:
        if "special" in c.kinds_of(a) and not c.codes(a, "9("):
            yield _act(a, f"{a['reference']} {a['name']} processes special category data "
                          f"({_special_names(c, a)}) with no Art. 9 condition recorded.")


def _special_names(c: Context, a: dict) -> str:
    return ", ".join(n for n in a.get("data_categories", []) if c.data_kinds.get(n) in ("special", "criminal"))


#: Art. 9(2) conditions whose Schedule 1 condition the law names, and which needs no appropriate policy document
#: (DPA 2018 s.10(2); Sch. 1 paras 2-4): the register should record it, and the fix can say which it is.
IMPLIED_SCHEDULE_1 = {"9(2)(h)": "Sch. 1 para 2, health or social care purposes",
                      "9(2)(i)": "Sch. 1 para 3, public health",
                      "9(2)(j)": "Sch. 1 para 4, archiving, research and statistics (with the Art. 89(1) safeguards)"}


def _needing_schedule_1(c: Context, a: dict) -> list[str]:
    """The Art. 9 conditions of an activity that need a Schedule 1 condition, if it records none."""
    if c.codes(a, "Sch1"):
        return []
    return [code for code in c.codes(a, "9(") if c.bases.get(code, {}).get("needs_schedule_1")]


@rule("L03", Severity.WARNING, "Art. 9 condition without the DPA 2018 Schedule 1 condition the law names for it",
      "Record the Schedule 1 condition: Sch. 1 para 2, health or social care purposes, for 9(2)(h); para 3, public "
      "health, for 9(2)(i); para 4, research etc., for 9(2)(j) (DPA 2018 s.10(2)). None of them needs an "
      "appropriate policy document (Sch. 1 para 1 and para 5 require one only for employment and Part 2).",
      "DPA 2018 s.10(2); Sch. 1 paras 2-4")
def _implied_schedule_1_not_recorded(c: Context) -> Iterator:
    for a in c.controlled:
        implied = [code for code in _needing_schedule_1(c, a) if code in IMPLIED_SCHEDULE_1]
        if implied:
            by_law = "; ".join(f"{code} → {IMPLIED_SCHEDULE_1[code]}" for code in implied)
            yield _act(a, f"{a['reference']} relies on {', '.join(implied)} but records no Schedule 1 condition "
                          f"(by law: {by_law}).")


@rule("L04", Severity.ERROR, "Criminal offence data without a Schedule 1 condition",
      "Art. 10 processing needs a DPA 2018 Schedule 1 condition (Parts 1-3): record it.",
      "UK GDPR Art. 10; DPA 2018 s.10(4)-(5) and Sch. 1 Parts 1-3")
def _criminal_without_condition(c: Context) -> Iterator:
    for a in c.controlled:
        if "criminal" in c.kinds_of(a) and not c.codes(a, "Sch1"):
            yield _act(a, f"{a['reference']} {a['name']} processes criminal offence data with no Schedule 1 condition.")


@rule("L05", Severity.ERROR, "Schedule 1 condition without an appropriate policy document",
      "Write the appropriate policy document (Sch. 1 Part 4) and link it on the activity.",
      "DPA 2018 Sch. 1 paras 1(1)(b), 5(1) and 36; Part 4 (paras 38-40)")
def _no_policy_document(c: Context) -> Iterator:
    for a in c.controlled:
        needing = [code for code in c.codes(a, "Sch1") if c.bases.get(code, {}).get("needs_policy_document")]
        if needing and not a.get("policy_document_url"):
            yield _act(a, f"{a['reference']} relies on {', '.join(needing)} with no appropriate policy document linked.")


@rule("L06", Severity.WARNING, "Consent relied on without a record of consent",
      "Link where the consent records are kept (who consented, when, to what, how to withdraw).",
      "UK GDPR Art. 7(1) (be able to demonstrate consent)")
def _consent_without_record(c: Context) -> Iterator:
    for a in c.controlled:
        consent = [code for code in a.get("lawful_bases", []) if code in CONSENT]
        if consent and not a.get("consent_record_url"):
            yield _act(a, f"{a['reference']} relies on consent ({', '.join(consent)}) with no record of consent linked.")


@rule("L07", Severity.WARNING, "Legitimate interests without a legitimate interests assessment",
      "Carry out the three-part legitimate interests assessment and link it; describe the interests.",
      "UK GDPR Art. 6(1)(f) and Art. 5(2); ICO guidance on legitimate interests")
def _li_without_lia(c: Context) -> Iterator:
    for a in c.controlled:
        if "6(1)(f)" in a.get("lawful_bases", []) and not a.get("lia_url"):
            yield _act(a, f"{a['reference']} relies on legitimate interests with no LIA linked.")


@rule("L08", Severity.WARNING, "Legitimate interests relied on by a public authority",
      "A public authority cannot rely on legitimate interests for its public tasks: use public task, or record why "
      "this processing is outside those tasks.",
      "UK GDPR Art. 6(1), final subparagraph")
def _li_public_authority(c: Context) -> Iterator:
    if c.us and c.us.get("is_public_authority"):
        for a in c.controlled:
            if "6(1)(f)" in a.get("lawful_bases", []):
                yield _act(a, f"{c.us['name']} is a public authority and {a['reference']} relies on legitimate interests.")


@rule("L09", Severity.ERROR, "Art. 9(2)(b) or (g) relied on without its Schedule 1 condition",
      "Record the Schedule 1 condition: for employment, social security and social protection (9(2)(b)) Sch. 1 "
      "para 1; for substantial public interest (9(2)(g)) the Part 2 paragraph (6 to 28) that applies. Both need an "
      "appropriate policy document (Sch. 1 para 1(1)(b) and para 5), and the record must name the condition "
      "(para 41).",
      "DPA 2018 s.10(2)-(3); Sch. 1 paras 1, 5 and 41")
def _no_schedule_1(c: Context) -> Iterator:
    for a in c.controlled:
        needing = [code for code in _needing_schedule_1(c, a) if code not in IMPLIED_SCHEDULE_1]
        if needing:
            yield _act(a, f"{a['reference']} relies on {', '.join(needing)} but records no Schedule 1 condition.")
