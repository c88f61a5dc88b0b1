"""Community hubs: face-to-face service points, or a mobile outreach van for rural villages.

Fixed hubs (``mobile: false``): one ``Service(type="community_hub", channels=("face_to_face",))``
per targeted zone at its most populous cell, open ``opening_days``.
Mobile van (``mobile: true``): one van visits the targeted zones on a weekly rota; each stop is a
``community_hub`` service at the zone's most populous cell with ``properties={"mobile": True,
"van": id}``, open ``days_per_stop`` day(s) a week (Mon..Fri in turn, wrapping when there are more
stops than weekdays). What a resident can reach, and on which days, is the model's business.

Cost: fixed hubs — fit-out per site (L; docs/sources.md s7 warm/cool-space set-up tops out at £5,000
per site, taken as a floor for a permanent point) and annual running cost = expected contacts
(capacity × open days × utilisation, L) × face-to-face cost per contact (Socitm 2009, docs/sources.md s13,
S/M, 2023 prices). Van — purchase and fit-out (L), vehicle running cost a year (L) plus the same
contact-based staffing cost.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions._pricing import CONTACT_SOURCE, COST_PER_CONTACT, PRICE_BASE_YEAR, Day, new_id, site_cells

__all__ = ["CommunityHubs", "CommunityHubsParams"]

SOURCE = CONTACT_SOURCE + "; fit-out, van, utilisation and lifetime: assumptions (L)"
WEEKS = 52.0


class CommunityHubsParams(InterventionParams):
    """Parameters of ``community_hubs``. Values marked (L) are assumptions."""

    mobile: bool = Field(False, description="A mobile outreach van on a rota instead of fixed hubs.")
    capacity: float = Field(60.0, gt=0, le=5000, description="Face-to-face contacts per open day per hub or stop (L).")
    opening_days: list[Day] = Field([0, 1, 2, 3, 4], min_length=1, description="Open days of a fixed hub, 0=Mon..6=Sun.")
    days_per_stop: int = Field(1, ge=1, le=5, description="Days a week the van spends at each stop.")
    utilisation: float = Field(0.5, gt=0, le=1, description="Share of capacity used, for the running cost (L).")
    cost_per_contact: float = Field(COST_PER_CONTACT["face_to_face"], ge=0,
                                    description="GBP per face-to-face contact (docs/sources.md s13, 2023 prices).")
    fitout_cost_per_hub: float = Field(10000.0, ge=0, description="GBP per fixed hub fitted out in an existing building (L).")
    van_cost: float = Field(60000.0, ge=0, description="GBP for a fitted-out outreach van (L).")
    van_running_cost: float = Field(8000.0, ge=0, description="GBP a year: fuel, insurance, servicing (L).")
    lifetime_years: float = Field(8.0, gt=0, le=50, description="Years before refit or van replacement (L).")


def _stops(place: Any, params: CommunityHubsParams, zones: tuple[str, ...]) -> list[tuple[float, float, str, tuple[int, ...]]]:
    out = []
    for k, code in enumerate(zones):
        (x, y), = site_cells(place, code, "most_populous", 1)
        if params.mobile:
            days = tuple(sorted({(k * params.days_per_stop + d) % 5 for d in range(params.days_per_stop)}))
        else:
            days = tuple(sorted(set(params.opening_days)))
        out.append((x, y, code, days))
    return out


@register
class CommunityHubs(Intervention):
    """Face-to-face hubs, or a mobile van visiting the targeted villages."""

    name: ClassVar[str] = "community_hubs"
    Params: ClassVar[type[InterventionParams]] = CommunityHubsParams
    description: ClassVar[str] = "Add face-to-face community hubs, or a mobile outreach van's stops, in the targeted zones."
    resident_targeting: ClassVar[bool] = True  # its services can serve a trial's treated residents only
    example: ClassVar[dict[str, Any]] = {"mobile": False}

    def apply(self, place: Any, params: CommunityHubsParams, zones: tuple[str, ...]) -> Any:
        """Return a copy of ``place`` with the hubs (or van stops) added to its services."""
        from twin.place import Service

        van = new_id(place, "VAN") if params.mobile else None
        added, taken = [], set()
        for x, y, code, days in _stops(place, params, zones):
            sid = new_id(place, "STOP" if params.mobile else "HUB", taken)
            taken.add(sid)
            props = {"mobile": bool(params.mobile), "added_by": self.name} | ({"van": van} if van else {})
            label = f"Mobile van {van} stop" if van else "Community hub"
            added.append(Service(id=sid, type="community_hub", name=f"{label} {sid}", capacity=float(params.capacity),
                                 channels=("face_to_face",), opening_days=days, x=x, y=y, zone=code, properties=props))
        return place.replace(services=tuple(place.services) + tuple(added))

    def cost(self, place: Any, params: CommunityHubsParams, zones: tuple[str, ...]) -> Cost:
        """Fit-out or van (capital); expected contacts x cost per contact, plus van running (annual)."""
        stops = _stops(place, params, zones)
        open_days = sum(len(days) for *_, days in stops) * WEEKS
        contacts = open_days * params.capacity * params.utilisation
        if params.mobile:
            capital = params.van_cost if stops else 0.0
            annual = contacts * params.cost_per_contact + (params.van_running_cost if stops else 0.0)
            what = f"a van with {len(stops)} weekly stops"
        else:
            capital = len(stops) * params.fitout_cost_per_hub
            annual = contacts * params.cost_per_contact
            what = f"{len(stops)} hubs"
        return Cost(
            capital=capital,
            annual=annual,
            lifetime_years=params.lifetime_years,
            price_base_year=PRICE_BASE_YEAR,
            source=SOURCE,
            intervention=self.name,
            notes=f"{what}, ~{contacts:,.0f} contacts a year in {len(zones)} zones",
            quantities={"sites": float(len(stops)), "open_days": open_days, "contacts": contacts,
                        "zones": float(len(zones))},
        )
