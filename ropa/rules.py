"""The catalogue's rules on lawful bases, processors, retention, reviews, DPIAs, roles and sharing.

Imported by ``ropa.checks`` so that every rule is registered; transfers' rules live in checks.py itself.
"""

from collections.abc import Iterator
from datetime import date, timedelta

from ropa.checks import CONSENT, EXPIRY_WARNING_DAYS, REVIEW_MONTHS, Context, Severity, _act, rule
from ropa.graph import orphans

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


# --- Processors (Art. 28; DSPT 10.1.2, 10.2.2) -----------------------------------------------------------------


def _engagements(c: Context) -> dict[str, list[dict]]:
    by_processor: dict[str, list[dict]] = {}
    for e in c.register.get("engagements", []):
        by_processor.setdefault(e["processor"], []).append(e)
    return by_processor


@rule("P01", Severity.ERROR, "Processor used without a recorded engagement or contract",
      "Record the processor engagement: contract reference, Art. 28 terms, dates, countries.")
def _processor_without_engagement(c: Context) -> Iterator:
    engaged = _engagements(c)
    for a in c.activities:
        for processor in a.get("processors", []):
            if processor not in engaged:
                yield _act(a, f"{a['reference']} uses {processor} as processor but no engagement is recorded.")


@rule("P02", Severity.ERROR, "Processor engagement without a contract",
      "Record the contract reference or link (Art. 28(3) requires a written contract).")
def _engagement_without_contract(c: Context) -> Iterator:
    for e in c.register.get("engagements", []):
        if not e.get("contract_reference") and not e.get("contract_url"):
            yield "engagement", e["reference"], e["processor"], f"No contract is recorded with {e['processor']}."


@rule("P03", Severity.ERROR, "Processor contract has expired",
      "Renew the contract or end the processing and record the new end date.")
def _contract_expired(c: Context) -> Iterator:
    for e in c.register.get("engagements", []):
        if e.get("end_date") and date.fromisoformat(e["end_date"]) < c.today:
            yield "engagement", e["reference"], e["processor"], \
                f"The contract with {e['processor']} ended on {e['end_date']}."


@rule("P04", Severity.WARNING, "Processor contract expires within 90 days",
      "Start the renewal (or the exit plan) now.")
def _contract_expiring(c: Context) -> Iterator:
    horizon = c.today + timedelta(days=EXPIRY_WARNING_DAYS)
    for e in c.register.get("engagements", []):
        if e.get("end_date") and c.today <= date.fromisoformat(e["end_date"]) <= horizon:
            yield "engagement", e["reference"], e["processor"], \
                f"The contract with {e['processor']} ends on {e['end_date']}."


@rule("P05", Severity.WARNING, "Art. 28 processor terms not confirmed",
      "Check the contract holds the Art. 28(3) terms and mark them confirmed.")
def _art28_unconfirmed(c: Context) -> Iterator:
    for e in c.register.get("engagements", []):
        if e.get("art28_confirmed") is not True:
            yield "engagement", e["reference"], e["processor"], \
                f"The Art. 28 terms of the contract with {e['processor']} are not confirmed."


@rule("P06", Severity.WARNING, "Processor without DSPT 'standards met'",
      "Check the supplier's DSPT status and record it; ask for assurance where standards are not met.")
def _processor_dspt(c: Context) -> Iterator:
    for name in sorted(_engagements(c)):
        status = c.organisations.get(name, {}).get("dspt_status") or "unknown"
        if status not in ("standards_met", "standards_exceeded"):
            yield "organisation", name, name, f"The DSPT status of {name} is {status.replace('_', ' ')}."


@rule("P07", Severity.WARNING, "Processor's processing country not known",
      "Ask the processor where it processes or accesses the data (including sub-processors) and record it.")
def _processor_country_unknown(c: Context) -> Iterator:
    for e in c.register.get("engagements", []):
        if not e.get("countries") and not c.organisations.get(e["processor"], {}).get("country"):
            yield "engagement", e["reference"], e["processor"], \
                f"No country is recorded for where {e['processor']} processes the data."


# --- Retention, review, DPIA -----------------------------------------------------------------------------------


@rule("R01", Severity.WARNING, "Retention period not stated",
      "Link a retention rule (period and trigger, e.g. from the NHS Records Management Code).")
def _no_retention(c: Context) -> Iterator:
    for a in c.controlled:
        if not a.get("retention_rule"):
            yield _act(a, f"{a['reference']} {a['name']} has no retention rule.")


@rule("V01", Severity.WARNING, "Review overdue",
      "Review the entry with its owner and mark it reviewed (DSPT 1.1.2 wants approval within 12 months).")
def _review_overdue(c: Context) -> Iterator:
    cutoff = c.today - timedelta(days=365 * REVIEW_MONTHS // 12)
    for a in c.activities:
        last, due = a.get("last_reviewed"), a.get("next_review_due")
        if not last:
            yield _act(a, f"{a['reference']} has never been reviewed.")
        elif date.fromisoformat(last) < cutoff or (due and date.fromisoformat(due) < c.today):
            yield _act(a, f"{a['reference']} was last reviewed on {last}.")


def _dpia_reasons(c: Context, a: dict) -> list[str]:
    reasons = []
    children = any("child" in s.lower() or "young" in s.lower() for s in a.get("data_subjects", []))
    if children and c.kinds_of(a) & {"special", "criminal"}:
        reasons.append("special category data about children")
    automated = (a.get("automated_decision_making") or "").strip().lower()
    if automated and not automated.startswith(("no", "none", "n/a")):
        reasons.append("automated decision-making")
    if a["reference"] in c.restricted_activities:
        reasons.append("transfer outside the UK to a country without adequacy")
    return reasons


@rule("D01", Severity.WARNING, "DPIA likely required but none linked",
      "Screen the activity for a DPIA (Art. 35) and link the assessment, or record why none is needed.")
def _dpia_missing(c: Context) -> Iterator:
    for a in c.controlled:
        reasons = _dpia_reasons(c, a)
        if reasons and not a.get("dpia_url") and a.get("dpia_required") is not False:
            yield _act(a, f"{a['reference']} involves {' and '.join(reasons)} and no DPIA is linked.")


# --- Roles, references, sharing -------------------------------------------------------------------------------


@rule("O01", Severity.ERROR, "Controller not identified",
      "Name the controller: for processing done as a processor, the organisation we act for (Art. 30(2)(a)).")
def _no_controller(c: Context) -> Iterator:
    names = {a["reference"]: a["name"] for a in c.activities}
    for conflict in c.role_conflicts:
        if conflict.organisation is None and conflict.activity in names:
            yield "activity", conflict.activity, names[conflict.activity], \
                f"{conflict.activity}: {conflict.problem}."


@rule("O02", Severity.WARNING, "Organisation is both controller and processor of one activity",
      "Decide which role the organisation has for this activity; it cannot be both.")
def _both_roles(c: Context) -> Iterator:
    names = {a["reference"]: a["name"] for a in c.activities}
    for conflict in c.role_conflicts:
        if conflict.organisation and conflict.activity in names:
            yield "activity", conflict.activity, names[conflict.activity], \
                f"{conflict.organisation} is recorded as both controller and processor of {conflict.activity}."


@rule("O03", Severity.INFO, "Referenced nowhere",
      "Link it to the activities it is part of, or remove it if the register no longer needs it.")
def _orphans(c: Context) -> Iterator:
    for n in orphans(c.graph):
        attrs = c.graph.nodes[n]
        if attrs.get("org_kind") == "regulator":
            continue  # the ICO is named for complaints, not processing
        what = {"organisation": "The organisation", "system": "The system", "recipient": "The recipient"}[attrs["kind"]]
        yield attrs["kind"], attrs["label"], attrs["label"], f"{what} {attrs['label']} is not linked to any activity."


@rule("S01", Severity.WARNING, "Recipient with no legal gateway recorded",
      "Record the law or power that allows each disclosure (and the data-sharing agreement, if any).")
def _no_gateway(c: Context) -> Iterator:
    missing: dict[str, list[str]] = {}
    for d in c.register.get("disclosures", []):
        if not d.get("legal_gateway"):
            missing.setdefault(d["activity"], []).append(d["recipient"])
    for a in c.controlled:
        if a["reference"] in missing:
            yield _act(a, f"{a['reference']} shares with {', '.join(missing[a['reference']])} "
                          "with no legal gateway recorded.")


@rule("A01", Severity.WARNING, "Art. 30 contents missing",
      "Complete the purpose, data subjects, data categories and security measures (Art. 30(1)(b), (c), (g)).")
def _incomplete(c: Context) -> Iterator:
    for a in c.activities:
        wanted = (("purpose", "purpose"), ("data_subjects", "data subjects"), ("data_categories", "data categories"),
                  ("security_measures", "security measures"))
        if a.get("our_role") == "processor":  # Art. 30(2) asks only for the categories of processing and security
            wanted = (("purpose", "categories of processing"), ("security_measures", "security measures"))
        missing = [label for key, label in wanted if not a.get(key)]
        if missing:
            yield _act(a, f"{a['reference']} {a['name']} has no {', '.join(missing)} recorded.")


@rule("A02", Severity.WARNING, "Our ICO registration or DPO contact not recorded",
      "Record the ICO registration number (DSPT 1.1.1) and the DPO's contact details (Art. 30(1)(a)).")
def _our_details(c: Context) -> Iterator:
    if c.us is None:
        yield "organisation", "-", "-", "No organisation is marked as the one keeping this register."
        return
    missing = [label for key, label in (("ico_registration", "ICO registration number"),
                                        ("dpo_contact", "DPO contact")) if not c.us.get(key)]
    if missing:
        yield "organisation", c.us["name"], c.us["name"], f"{c.us['name']} has no {' or '.join(missing)} recorded."

