"""International transfers (UK GDPR Chapter V, Arts. 44-49)."""

from collections.abc import Iterator

from ropa.checks.engine import ART46, NOT_ADEQUATE, Context, Severity, _route_entity, _route_text, rule
from ropa.enums import ART49_MECHANISMS

# --- International transfers (UK GDPR Chapter V) ----------------------------------------------------------------


@rule("T01", Severity.ERROR, "Restricted transfer without a transfer mechanism",
      "Record the mechanism (adequacy, UK-US data bridge, IDTA, UK Addendum, BCR or an Art. 49 exception) on a "
      "transfer for this route, or stop the transfer.",
      "UK GDPR Art. 44; Arts. 45, 46 and 49")
def _transfer_without_mechanism(c: Context) -> Iterator:
    for route in c.routes:
        restricted = route.transfer_status in ("third_country", "unknown")
        adequacy_claimed = route.mechanism in ("adequacy", "uk_us_data_bridge")
        if restricted and (route.mechanism == "none_recorded" or adequacy_claimed):
            recorded = ("no transfer mechanism and no transfer risk assessment are recorded" if route.transfer
                        else "no transfer is recorded for it")
            if adequacy_claimed:
                recorded = (f"it is recorded as {route.mechanism.replace('_', ' ')}, which does not cover "
                            f"{route.destination_label}")
            what = "Personal data"
            if route.special_categories:
                what = f"Special category data ({', '.join(route.special_categories)})"
            about = f" about {', '.join(route.subjects).lower()}" if route.subjects else ""
            yield *_route_entity(route), f"{what}{about} goes from {_route_text(route)}; {recorded}."


@rule("T02", Severity.ERROR, "Art. 46 safeguard without a transfer risk assessment",
      "Carry out and record the transfer risk assessment (date, outcome, link): the exporter's reasonable conclusion "
      "that the data protection test is met for this transfer.",
      "UK GDPR Art. 46(1A)(a) (inserted by the Data (Use and Access) Act 2025, Sch. 7 para. 6, which omits the "
      "old Art. 46(1)); ICO guidance on transfer risk assessments")
def _art46_without_tra(c: Context) -> Iterator:
    for route in c.routes:
        # An Art. 46 safeguard to an adequate destination (the EEA, say) is belt and braces: adequacy needs no TRA.
        if route.mechanism in ART46 and not route.tra_date and route.transfer_status in NOT_ADEQUATE:
            yield *_route_entity(route), f"{_route_text(route)} relies on {route.mechanism} with no TRA on record."


@rule("T03", Severity.ERROR, "Transfer relies on the old EU standard contractual clauses alone",
      "Since 21 March 2024 old EU SCCs alone are not valid for UK transfers: put the IDTA or the UK Addendum in place.",
      "UK GDPR Art. 46(2)(d); DPA 2018 s.119A (IDTA and UK Addendum in force 21 March 2022)")
def _legacy_sccs(c: Context) -> Iterator:
    for route in c.routes:
        if route.mechanism == "legacy_sccs" and route.transfer_status in NOT_ADEQUATE:
            yield *_route_entity(route), f"{_route_text(route)} relies on legacy EU SCCs."


@rule("T04", Severity.ERROR, "Transfer to a partially adequate country without the certification or a safeguard",
      "For the USA, record the recipient's UK-US data bridge certification and the date it was checked, or put an "
      "IDTA or UK Addendum in place; elsewhere confirm the recipient is within the adequacy decision's scope.",
      "UK GDPR Art. 45; Data Protection (Adequacy) (United States of America) Regulations 2023")
def _partial_adequacy(c: Context) -> Iterator:
    for route in c.routes:
        if route.transfer_status != "adequate_partial" or route.mechanism in ART46 | ART49_MECHANISMS:
            continue
        if not (route.mechanism in ("uk_us_data_bridge", "adequacy") and route.certification):
            yield *_route_entity(route), (f"{_route_text(route)}: adequacy covers only some recipients there and "
                                          "no certification or safeguard is recorded.")


@rule("T05", Severity.INFO, "Special category data leaves the UK",
      "Check the route, its mechanism and TRA, and that the privacy notice tells people about it.",
      "UK GDPR Arts. 9 and 44; Art. 13(1)(f) and 14(1)(f) (tell people about transfers)")
def _special_abroad(c: Context) -> Iterator:
    for route in c.routes:
        if route.special_categories:  # always listed for the DPO's attention, EEA included
            yield *_route_entity(route), (f"{', '.join(route.special_categories)} goes from {_route_text(route)} "
                                          f"({route.transfer_status.replace('_', ' ')}).")


@rule("T06", Severity.WARNING, "Destination country not known",
      "Ask the organisation where it processes or accesses the data and record the country.",
      "UK GDPR Art. 30(1)(e) and 30(2)(c) (identify the third country)")
def _unknown_destination(c: Context) -> Iterator:
    for route in c.routes:
        if route.transfer_status == "unknown":
            yield *_route_entity(route), f"{_route_text(route)}: the country is not recorded."


def _transfer_entity(t: dict) -> tuple[str, str, str]:
    return "transfer", t["reference"], t.get("destination") or t.get("country") or t.get("region") or ""


@rule("T07", Severity.WARNING, "Art. 49 exception without its point recorded",
      "Record which Art. 49(1) point the transfer relies on: (a) explicit consent, (b) or (c) a contract, (d) "
      "important public interest, (e) legal claims, (f) vital interests, (g) a public register, or the compelling "
      "legitimate interests of the second subparagraph (then with its safeguards).",
      "UK GDPR Art. 49(1); Art. 30(1)(e)")
def _art49_point_not_recorded(c: Context) -> Iterator:
    for t in c.transfers:
        if t.get("mechanism") == "art49_exception":
            recorded = (t.get("safeguards") or "").strip()
            said = f" (recorded as: {recorded})" if recorded else ", and nothing is documented"
            yield *_transfer_entity(t), \
                f"Transfer {t['reference']} of {t['activity']} relies on an Art. 49 exception without saying which{said}."


@rule("T08", Severity.ERROR, "Compelling legitimate interests transfer without documented safeguards",
      "This exception applies only if you assessed all the circumstances and provided suitable safeguards: record "
      "the assessment and the safeguards on the transfer (Art. 49(6)), and inform the ICO and the people concerned.",
      "UK GDPR Art. 49(1), second subparagraph; Art. 49(6)")
def _compelling_interests_without_safeguards(c: Context) -> Iterator:
    for t in c.transfers:
        if t.get("mechanism") == "art49_compelling_interests" and not (t.get("safeguards") or "").strip():
            yield *_transfer_entity(t), (f"Transfer {t['reference']} of {t['activity']} relies on compelling "
                                         "legitimate interests with no safeguards documented.")
