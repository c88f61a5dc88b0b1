"""Heat-health outreach: a proactive team that phones or visits the vulnerable list during alerts.

Adds one ``Service(type="home_visit_team")`` with ``properties={"proactive": True, "zones": [...]}``:
during amber/red heat-health alerts the heat-health model has it contact residents on the
vulnerable-persons list in the served zones, whether or not they seek help (active care of
high-risk people, the form of advice that works — docs/sources.md s14: Ebi et al. 2004; passive advice
alone is likely ineffective). ``mode`` sets the channel: ``phone`` or ``home_visit`` (face to face).
Capacity is staff × contacts per staff-day. The team is based at the most populous cell of the
first served zone (location matters little to a phone team; a visiting team travels).

Cost (docs/sources.md s7: no outreach-call cost found; derive from staff time, R/L): running cost =
staff × hours a day × hourly cost × active days a season (alert and preparation days); capital =
set-up (list building, protocols) + training per staff member. All assumptions (L), 2023 prices.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions._pricing import PRICE_BASE_YEAR, Day, new_id, site_cells

__all__ = ["HeatHealthOutreach", "HeatHealthOutreachParams"]

#: Contacts one staff member makes per day (L): a call ~15 min with notes over 7.5 h; a visit ~1.5 h with travel.
CONTACTS_PER_STAFF_DAY = {"phone": 30.0, "home_visit": 5.0}
SOURCE = ("outreach cost from staff time x hourly cost (docs/sources.md s7: no figure found; PSSRU unit costs not "
          "retrieved): hourly cost, contacts per day, active days, set-up and lifetime are assumptions (L)")


class HeatHealthOutreachParams(InterventionParams):
    """Parameters of ``heat_health_outreach``. Values marked (L) are assumptions."""

    mode: Literal["phone", "home_visit"] = Field("phone", description="Phone calls, or home visits (face to face).")
    staff: float = Field(2.0, gt=0, le=500, description="Staff (full-time equivalents) on the team during alerts.")
    contacts_per_staff_day: float | None = Field(
        None, gt=0, le=200, description="Contacts per staff-day; default 30 calls or 5 visits (L).")
    opening_days: list[Day] = Field([0, 1, 2, 3, 4, 5, 6], min_length=1,
                                    description="Days the team works during an alert, 0=Mon..6=Sun (L: every day).")
    hourly_cost: float = Field(30.0, ge=0, description="GBP per staff hour incl. on-costs (L, 2023 prices).")
    hours_per_day: float = Field(7.5, gt=0, le=24, description="Working hours per staff-day.")
    active_days_per_season: float = Field(
        20.0, ge=0, le=366, description="Days a season the team works: alert days plus preparation (L).")
    setup_cost: float = Field(2000.0, ge=0, description="GBP once: vulnerable-list data sharing and protocols (L).")
    training_cost_per_staff: float = Field(500.0, ge=0, description="GBP per staff member trained (L).")
    lifetime_years: float = Field(5.0, gt=0, le=50, description="Years before set-up and training are renewed (L).")


def _capacity(params: HeatHealthOutreachParams) -> float:
    per = params.contacts_per_staff_day or CONTACTS_PER_STAFF_DAY[params.mode]
    return float(params.staff * per)


@register
class HeatHealthOutreach(Intervention):
    """Proactive calls or visits to the vulnerable list in the targeted zones during heat alerts."""

    name: ClassVar[str] = "heat_health_outreach"
    Params: ClassVar[type[InterventionParams]] = HeatHealthOutreachParams
    description: ClassVar[str] = "Add a proactive home-visit/phone outreach team serving the targeted zones."
    resident_targeting: ClassVar[bool] = True  # its services can serve a trial's treated residents only
    example: ClassVar[dict[str, Any]] = {"staff": 2.0}

    def apply(self, place: Any, params: HeatHealthOutreachParams, zones: tuple[str, ...]) -> Any:
        """Return a copy of ``place`` with the outreach team added to its services."""
        from twin.place import Service

        if not zones:
            return place.replace(services=tuple(place.services))
        (x, y), = site_cells(place, zones[0], "most_populous", 1)
        sid = new_id(place, "OUTREACH")
        channel = "phone" if params.mode == "phone" else "face_to_face"
        team = Service(id=sid, type="home_visit_team", name=f"Heat-health outreach ({params.mode}) {sid}",
                       capacity=_capacity(params), channels=(channel,),
                       opening_days=tuple(sorted(set(params.opening_days))), x=x, y=y, zone=zones[0],
                       properties={"proactive": True, "zones": list(zones), "added_by": self.name})
        return place.replace(services=tuple(place.services) + (team,))

    def cost(self, place: Any, params: HeatHealthOutreachParams, zones: tuple[str, ...]) -> Cost:
        """Staff time over the active days (annual) plus set-up and training (capital)."""
        if not zones:
            return Cost(0.0, 0.0, params.lifetime_years, PRICE_BASE_YEAR, SOURCE, self.name, "no zones targeted", {})
        staff_days = params.staff * params.active_days_per_season
        annual = staff_days * params.hours_per_day * params.hourly_cost
        contacts = _capacity(params) * params.active_days_per_season
        return Cost(
            capital=params.setup_cost + params.staff * params.training_cost_per_staff,
            annual=annual,
            lifetime_years=params.lifetime_years,
            price_base_year=PRICE_BASE_YEAR,
            source=SOURCE,
            intervention=self.name,
            notes=(f"{params.staff:g} staff ({params.mode}), up to {contacts:,.0f} contacts a season "
                   f"(~£{annual / max(contacts, 1):,.2f} a contact) in {len(zones)} zones"),
            quantities={"staff": float(params.staff), "staff_days": staff_days, "contacts_capacity": contacts,
                        "zones": float(len(zones))},
        )
