"""International transfers (UK GDPR Chapter V, Arts. 44-49)."""

from collections.abc import Iterator

from ropa.checks.engine import ART46, Context, Severity, _route_entity, _route_text, rule

# --- International transfers (UK GDPR Chapter V) ----------------------------------------------------------------

@rule("T01", Severity.ERROR, "Restricted transfer without a transfer mechanism",
      "Record the mechanism (adequacy, UK-US data bridge, IDTA, UK Addendum, BCR or an Art. 49 exception) on a "
      "transfer for this route, or stop the transfer.")
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
      "Carry out and record the transfer risk assessment (date, outcome, link) for this transfer.")
def _art46_without_tra(c: Context) -> Iterator:
    for route in c.routes:
        if route.mechanism in ART46 and not route.tra_date:
            yield *_route_entity(route), f"{_route_text(route)} relies on {route.mechanism} with no TRA on record."


@rule("T03", Severity.ERROR, "Transfer relies on the old EU standard contractual clauses alone",
      "Since 21 March 2024 old EU SCCs alone are not valid for UK transfers: put the IDTA or the UK Addendum in place.")
def _legacy_sccs(c: Context) -> Iterator:
    for route in c.routes:
        if route.mechanism == "legacy_sccs":
            yield *_route_entity(route), f"{_route_text(route)} relies on legacy EU SCCs."


@rule("T04", Severity.ERROR, "Transfer to a partially adequate country without the certification or a safeguard",
      "For the USA, record the recipient's UK-US data bridge certification and the date it was checked, or put an "
      "IDTA or UK Addendum in place; elsewhere confirm the recipient is within the adequacy decision's scope.")
def _partial_adequacy(c: Context) -> Iterator:
    for route in c.routes:
        if route.transfer_status != "adequate_partial" or route.mechanism in ART46 | {"art49_exception"}:
            continue
        if not (route.mechanism in ("uk_us_data_bridge", "adequacy") and route.certification):
            yield *_route_entity(route), (f"{_route_text(route)}: adequacy covers only some recipients there and "
                                          "no certification or safeguard is recorded.")


@rule("T05", Severity.WARNING, "Special category data leaves the UK",
      "Check the route, its mechanism and TRA, and that the privacy notice tells people about it.")
def _special_abroad(c: Context) -> Iterator:
    for route in c.routes:
        if route.special_categories:  # always listed for the DPO's attention, EEA included
            yield *_route_entity(route), (f"{', '.join(route.special_categories)} goes from {_route_text(route)} "
                                          f"({route.transfer_status.replace('_', ' ')}).")


@rule("T06", Severity.WARNING, "Destination country not known",
      "Ask the organisation where it processes or accesses the data and record the country.")
def _unknown_destination(c: Context) -> Iterator:
    for route in c.routes:
        if route.transfer_status == "unknown":
            yield *_route_entity(route), f"{_route_text(route)}: the country is not recorded."


@rule("T07", Severity.WARNING, "Art. 49 exception without documented safeguards",
      "Document the exception relied on and, for compelling legitimate interests, the safeguards (ICO column I).")
def _art49_undocumented(c: Context) -> Iterator:
    for t in c.transfers:
        if t.get("mechanism") == "art49_exception" and not t.get("safeguards"):
            yield "transfer", t["reference"], t.get("destination") or t.get("country") or "", \
                f"Transfer {t['reference']} of {t['activity']} relies on an Art. 49 exception with nothing documented."
