"""The rest of the record: retention, reviews, DPIAs, roles, references, sharing and Art. 30 contents."""

from collections.abc import Iterator
from datetime import date, timedelta

from ropa.checks.engine import REVIEW_MONTHS, Context, Severity, _act, rule
from ropa.graph import orphans

# --- Retention, review, DPIA -----------------------------------------------------------------------------------


@rule("R01", Severity.WARNING, "Retention period not stated",
      "Link a retention rule (period and trigger, e.g. from the NHS Records Management Code).",
      "UK GDPR Art. 30(1)(f); Art. 5(1)(e)")
def _no_retention(c: Context) -> Iterator:
    for a in c.controlled:
        if not a.get("retention_rule"):
            yield _act(a, f"{a['reference']} {a['name']} has no retention rule.")


@rule("V01", Severity.INFO, "Review overdue",
      "Review the entry with its owner and mark it reviewed (DSPT 1.1.2 wants approval within 12 months).",
      "DSPT v8 1.1.2; UK GDPR Art. 24(1) (measures reviewed and updated)")
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
      "Screen the activity for a DPIA (Art. 35) and link the assessment, or record why none is needed.",
      "UK GDPR Art. 35(1), (3) and (4); ICO list of processing likely to result in high risk")
def _dpia_missing(c: Context) -> Iterator:
    for a in c.controlled:
        reasons = _dpia_reasons(c, a)
        if reasons and not a.get("dpia_url") and a.get("dpia_required") is not False:
            yield _act(a, f"{a['reference']} involves {' and '.join(reasons)} and no DPIA is linked.")


# --- Roles, references, sharing -------------------------------------------------------------------------------


@rule("O01", Severity.WARNING, "Controller not identified",
      "Name the controller: the organisation keeping the register (marked as ours), or, for processing done as a "
      "processor, the organisation we act for.",
      "UK GDPR Art. 30(1)(a) and 30(2)(a)")
def _no_controller(c: Context) -> Iterator:
    names = {a["reference"]: a["name"] for a in c.activities}
    for conflict in c.role_conflicts:
        if conflict.organisation is None and conflict.activity in names:
            yield "activity", conflict.activity, names[conflict.activity], \
                f"{conflict.activity}: {conflict.problem}."


@rule("O02", Severity.WARNING, "Organisation is both controller and processor of one activity",
      "Decide which role the organisation has for this activity; it cannot be both.",
      "UK GDPR Art. 4(7)-(8) and Art. 28(10)")
def _both_roles(c: Context) -> Iterator:
    names = {a["reference"]: a["name"] for a in c.activities}
    for conflict in c.role_conflicts:
        if conflict.organisation and conflict.activity in names:
            yield "activity", conflict.activity, names[conflict.activity], \
                f"{conflict.organisation} is recorded as both controller and processor of {conflict.activity}."


@rule("O03", Severity.INFO, "Referenced nowhere",
      "Link it to the activities it is part of, or remove it if the register no longer needs it.",
      "Good practice: UK GDPR Art. 5(1)(d) (an accurate record)")
def _orphans(c: Context) -> Iterator:
    for n in orphans(c.graph):
        attrs = c.graph.nodes[n]
        if attrs.get("org_kind") == "regulator":
            continue  # the ICO is named for complaints, not processing
        what = {"organisation": "The organisation", "system": "The system", "recipient": "The recipient"}[attrs["kind"]]
        yield attrs["kind"], attrs["label"], attrs["label"], f"{what} {attrs['label']} is not linked to any activity."


@rule("S01", Severity.WARNING, "Recipient with no legal gateway recorded",
      "Record the law or power that allows each disclosure (and the data-sharing agreement, if any).",
      "UK GDPR Art. 5(2) and Art. 6(1); ICO Data Sharing Code of Practice (DPA 2018 s.121)")
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
      "Complete the purpose, data subjects, data categories and security measures (Art. 30(1)(b), (c), (g)).",
      "UK GDPR Art. 30(1)(b), (c), (g) and 30(2)(b), (d)")
def _incomplete(c: Context) -> Iterator:
    for a in c.activities:
        wanted = (("purpose", "purpose"), ("data_subjects", "data subjects"), ("data_categories", "data categories"),
                  ("security_measures", "security measures"))
        if a.get("our_role") == "processor":  # Art. 30(2) asks only for the categories of processing and security
            wanted = (("purpose", "categories of processing"), ("security_measures", "security measures"))
        missing = [label for key, label in wanted if not a.get(key)]
        if missing:
            yield _act(a, f"{a['reference']} {a['name']} has no {', '.join(missing)} recorded.")


@rule("A02", Severity.WARNING, "Our organisation or its DPO contact not recorded",
      "Mark the organisation keeping this register as ours and record its DPO's contact details.",
      "UK GDPR Art. 30(1)(a) and 37(7)")
def _our_details(c: Context) -> Iterator:
    if c.us is None:
        yield "organisation", "-", "-", "No organisation is marked as the one keeping this register."
    elif not c.us.get("dpo_contact"):
        yield "organisation", c.us["name"], c.us["name"], f"{c.us['name']} has no DPO contact recorded."


@rule("A03", Severity.INFO, "Our ICO registration number not recorded",
      "Record the ICO registration (data protection fee) number: the DSPT asks for it, and the ICO's register of "
      "fee payers shows it.",
      "DPA 2018 s.137; Data Protection (Charges and Information) Regulations 2018; DSPT v8 1.1.1")
def _our_registration(c: Context) -> Iterator:
    # Not an Art. 30 item, and an ICO template has no cell for it: a note, not a warning.
    if c.us is not None and not c.us.get("ico_registration"):
        yield "organisation", c.us["name"], c.us["name"], f"{c.us['name']} has no ICO registration number recorded."
