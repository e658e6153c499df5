"""Processors: Art. 28, Art. 30(1)(d); DSPT 10.1.2 and 10.2.2."""

from collections.abc import Iterator
from datetime import date, timedelta

from ropa.checks.engine import EXPIRY_WARNING_DAYS, Context, Severity, _act, rule

# --- Processors (Art. 28; DSPT 10.1.2, 10.2.2) -----------------------------------------------------------------


def _engagements(c: Context) -> dict[str, list[dict]]:
    by_processor: dict[str, list[dict]] = {}
    for e in c.register.get("engagements", []):
        by_processor.setdefault(e["processor"], []).append(e)
    return by_processor


@rule("P01", Severity.ERROR, "Processor used without a recorded engagement or contract",
      "Record the processor engagement: contract reference, Art. 28 terms, dates, countries.",
      "UK GDPR Art. 28(3) and 28(9) (a written contract)")
def _processor_without_engagement(c: Context) -> Iterator:
    engaged = _engagements(c)
    for a in c.activities:
        for processor in a.get("processors", []):
            if processor not in engaged:
                yield _act(a, f"{a['reference']} uses {processor} as processor but no engagement is recorded.")


@rule("P02", Severity.ERROR, "Processor engagement without a contract",
      "Record the contract reference or link (Art. 28(3) requires a written contract).",
      "UK GDPR Art. 28(3) and 28(9)")
def _engagement_without_contract(c: Context) -> Iterator:
    for e in c.register.get("engagements", []):
        if not e.get("contract_reference") and not e.get("contract_url"):
            yield "engagement", e["reference"], e["processor"], f"No contract is recorded with {e['processor']}."


@rule("P03", Severity.ERROR, "Processor contract has expired",
      "Renew the contract or end the processing and record the new end date.",
      "UK GDPR Art. 28(3)")
def _contract_expired(c: Context) -> Iterator:
    for e in c.register.get("engagements", []):
        if e.get("end_date") and date.fromisoformat(e["end_date"]) < c.today:
            yield "engagement", e["reference"], e["processor"], \
                f"The contract with {e['processor']} ended on {e['end_date']}."


@rule("P04", Severity.INFO, "Processor contract expires within 90 days",
      "Start the renewal (or the exit plan) now.",
      "Good practice: UK GDPR Art. 28(3) needs a contract in force; DSPT 10.2.2")
def _contract_expiring(c: Context) -> Iterator:
    horizon = c.today + timedelta(days=EXPIRY_WARNING_DAYS)
    for e in c.register.get("engagements", []):
        if e.get("end_date") and c.today <= date.fromisoformat(e["end_date"]) <= horizon:
            yield "engagement", e["reference"], e["processor"], \
                f"The contract with {e['processor']} ends on {e['end_date']}."


@rule("P05", Severity.WARNING, "Art. 28 processor terms not confirmed",
      "Check the contract holds the Art. 28(3) terms and mark them confirmed.",
      "UK GDPR Art. 28(3)(a)-(h); DSPT 10.2.2")
def _art28_unconfirmed(c: Context) -> Iterator:
    for e in c.register.get("engagements", []):
        if e.get("art28_confirmed") is not True:
            yield "engagement", e["reference"], e["processor"], \
                f"The Art. 28 terms of the contract with {e['processor']} are not confirmed."


@rule("P06", Severity.INFO, "Processor without DSPT 'standards met'",
      "Check the supplier's DSPT status and record it; ask for assurance where standards are not met.",
      "DSPT v8 10.1.2 and 10.2.2; UK GDPR Art. 28(1) (sufficient guarantees)")
def _processor_dspt(c: Context) -> Iterator:
    for name in sorted(_engagements(c)):
        status = c.organisations.get(name, {}).get("dspt_status") or "unknown"
        if status not in ("standards_met", "standards_exceeded"):
            yield "organisation", name, name, f"The DSPT status of {name} is {status.replace('_', ' ')}."


@rule("P07", Severity.WARNING, "Processor's processing country not known",
      "Ask the processor where it processes or accesses the data (including sub-processors) and record it.",
      "UK GDPR Art. 30(1)(e) and 30(2)(c); Art. 28(3)(a)")
def _processor_country_unknown(c: Context) -> Iterator:
    for e in c.register.get("engagements", []):
        if not e.get("countries") and not c.organisations.get(e["processor"], {}).get("country"):
            yield "engagement", e["reference"], e["processor"], \
                f"No country is recorded for where {e['processor']} processes the data."
