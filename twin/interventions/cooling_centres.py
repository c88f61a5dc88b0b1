"""Cooling centres: new cool spaces (service agents) open to residents on hot days.

Adds ``Service(type="cooling_centre", channels=("face_to_face",))`` points with a daily visitor
capacity and opening days. Locations are given (``locations``: BNG metres, each inside a targeted
zone) or chosen: ``per_zone`` centres in each targeted zone at its most populous (or hottest)
cells. The heat-health model decides who visits (distance decay, capacity, opening days).

Cost: set-up per site as capital and a running cost per site per season. docs/sources.md s7 gives
£500–£5,000 per site per season for warm/cool-space set-up grants (Save the Children 2022, S/L);
the default takes the midpoint. No running-cost figure exists (docs/sources.md s7: "not found"), so the
default running cost per season equals the set-up grant (assumption, L).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from twin.errors import InterventionError
from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions._pricing import PRICE_BASE_YEAR, Day, new_id, site_cells, to_base_year, zone_of_point

__all__ = ["CoolingCentres", "CoolingCentresParams"]

SETUP_PER_SITE = round(to_base_year(2750.0, 2022), 0)  # midpoint of £500-5,000 (2022), at 2023 prices
SOURCE = ("set-up £500-£5,000 per site per season, midpoint: Save the Children survey 2022 (docs/sources.md s7, S/L); "
          "running cost, capacity and lifetime: assumptions (L)")


class CoolingCentresParams(InterventionParams):
    """Parameters of ``cooling_centres``. Values marked (L) are assumptions."""

    per_zone: int = Field(1, ge=1, le=20, description="Centres per targeted zone when locations are chosen.")
    site: Literal["most_populous", "hottest"] = Field(
        "most_populous", description="Where in each zone: the cell with most residents, or the hottest cell.")
    locations: list[list[float]] | None = Field(
        None, description="Given sites as [x, y] in EPSG:27700 metres (each inside a targeted zone); overrides per_zone.")
    capacity: float = Field(100.0, gt=0, le=10000, description="Visitors per day per centre (L).")
    opening_days: list[Day] = Field([0, 1, 2, 3, 4, 5, 6], min_length=1, description="Open days, 0=Mon..6=Sun.")
    setup_cost_per_site: float = Field(SETUP_PER_SITE, ge=0, description="GBP per site, capital (docs/sources.md s7, 2023 prices).")
    running_cost_per_site: float = Field(SETUP_PER_SITE, ge=0, description="GBP per site per season (L).")
    lifetime_years: float = Field(10.0, gt=0, le=100, description="Years before refitting the sites (L).")


def _sites(place: Any, params: CoolingCentresParams, zones: tuple[str, ...]) -> list[tuple[float, float, str]]:
    if params.locations is not None:
        out = []
        for k, loc in enumerate(params.locations):
            if len(loc) != 2:
                raise InterventionError("each location is [x, y]", field=f"locations[{k}]", value=loc)
            code = zone_of_point(place, loc[0], loc[1])
            if code not in zones:
                raise InterventionError("location is not inside a targeted zone", field=f"locations[{k}]", value=loc,
                                        hint=f"targeted zones: {', '.join(zones)}")
            out.append((float(loc[0]), float(loc[1]), code))
        return out
    return [(x, y, code) for code in zones for x, y in site_cells(place, code, params.site, params.per_zone)]


@register
class CoolingCentres(Intervention):
    """Open cooling centres in the targeted zones."""

    name: ClassVar[str] = "cooling_centres"
    Params: ClassVar[type[InterventionParams]] = CoolingCentresParams
    description: ClassVar[str] = "Add cooling-centre services (capacity, opening days) at chosen or given sites."
    resident_targeting: ClassVar[bool] = True  # its services can serve a trial's treated residents only
    example: ClassVar[dict[str, Any]] = {"capacity": 100.0}

    def apply(self, place: Any, params: CoolingCentresParams, zones: tuple[str, ...]) -> Any:
        """Return a copy of ``place`` with the new cooling centres added to its services."""
        from twin.place import Service

        added, taken = [], set()
        for x, y, code in _sites(place, params, zones):
            sid = new_id(place, "COOL", taken)
            taken.add(sid)
            added.append(Service(id=sid, type="cooling_centre", name=f"Cooling centre {sid}", capacity=float(params.capacity),
                                 channels=("face_to_face",), opening_days=tuple(sorted(set(params.opening_days))),
                                 x=x, y=y, zone=code, properties={"added_by": self.name}))
        return place.replace(services=tuple(place.services) + tuple(added))

    def cost(self, place: Any, params: CoolingCentresParams, zones: tuple[str, ...]) -> Cost:
        """Set-up per site (capital) and running cost per site per season."""
        n = len(_sites(place, params, zones))
        return Cost(
            capital=n * params.setup_cost_per_site,
            annual=n * params.running_cost_per_site,
            lifetime_years=params.lifetime_years,
            price_base_year=PRICE_BASE_YEAR,
            source=SOURCE,
            intervention=self.name,
            notes=f"{n} cooling centres of {params.capacity:g} visitors a day in {len(zones)} zones",
            quantities={"sites": float(n), "zones": float(len(zones))},
        )
