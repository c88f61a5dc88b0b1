"""Unit costs and siting shared by the service-side interventions (cooling centres, outreach, hubs...).

Private module (the registry skips names starting with ``_``).

Prices
------
The five service-side interventions price at :data:`PRICE_BASE_YEAR` (2023, the year of the
value of a prevented fatality the appraisal uses). Sourced unit costs from earlier years are
carried forward with :func:`to_base_year`, which assumes :data:`ANNUAL_INFLATION` a year —
an assumption (L): docs/sources.md holds no GDP deflator series. Replace it with HM Treasury's
"GDP deflators at market prices" when costing for real; :mod:`twin.analysis.appraisal` converts every
cost and value with the same rule (or a deflator table the user gives), so the totals agree.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import Field

from twin.errors import InterventionError
from twin.interventions.targeting import _tasmax_offset, zone_mask

__all__ = [
    "ANNUAL_INFLATION",
    "CONTACT_SOURCE",
    "Day",
    "COST_PER_CONTACT",
    "PRICE_BASE_YEAR",
    "new_id",
    "residents_aged",
    "site_cells",
    "to_base_year",
    "zone_of_point",
]

PRICE_BASE_YEAR = 2023
#: A day of the week, 0=Mon..6=Sun.
Day = Annotated[int, Field(ge=0, le=6)]
#: Assumed general inflation, per year, when no deflator table is given (L: Bank of England target;
#: the GDP deflator rose faster than this in 2021-23, so older costs are if anything understated).
ANNUAL_INFLATION = 0.02


def to_base_year(value: float, year: int, base_year: int = PRICE_BASE_YEAR, inflation: float = ANNUAL_INFLATION) -> float:
    """``value`` at ``year`` prices expressed at ``base_year`` prices, at a constant ``inflation`` rate."""
    return float(value) * (1.0 + inflation) ** (base_year - year)


#: Cost per council contact by channel, Socitm 2009 benchmark (docs/sources.md s13, S/M), carried to 2023
#: prices with :func:`to_base_year`. The 2008 Socitm figures (f2f £9.34, phone £3.76, web £0.27) and the
#: PwC London/SE figures (f2f £10.53, phone £3.39, online £0.08) are the alternatives in docs/sources.md.
COST_PER_CONTACT = {
    "face_to_face": round(to_base_year(7.40, 2009), 2),
    "phone": round(to_base_year(2.90, 2009), 2),
    "digital": round(to_base_year(0.32, 2009), 2),
}
CONTACT_SOURCE = "cost per contact: Socitm 2009 benchmark (docs/sources.md s13, S/M), carried to 2023 at 2 %/yr (L)"


def site_cells(place: Any, code: str, how: str, n: int = 1) -> list[tuple[float, float]]:
    """Cell centres ``(x, y)`` of the ``n`` best cells of zone ``code``: most residents or hottest.

    ``how`` is ``"most_populous"`` (grid ``residents`` weights) or ``"hottest"`` (local daytime
    offset of :func:`twin.climate.local_offsets`). Ties go to the first cell in grid order.
    """
    mask = zone_mask(place, (code,))
    if not mask.any():
        raise InterventionError("zone has no grid cells to site a service in", field="target", value=code)
    if how == "most_populous":
        score = np.asarray(place.layers["residents"], dtype=float)
    elif how == "hottest":
        score = np.asarray(_tasmax_offset(place.layers), dtype=float)
    else:
        raise InterventionError("unknown siting rule", field="site", value=how, hint="valid: most_populous, hottest")
    flat = np.where(mask, score, -np.inf).ravel()
    order = np.argsort(-flat, kind="stable")[: min(n, int(mask.sum()))]
    xs = np.asarray(place.layers["x"], dtype=float)
    ys = np.asarray(place.layers["y"], dtype=float)
    return [(float(xs[i % xs.size]), float(ys[i // xs.size])) for i in order]


def zone_of_point(place: Any, x: float, y: float) -> str | None:
    """Code of the zone whose polygon holds ``(x, y)``; ``None`` outside every zone."""
    import shapely

    pt = shapely.Point(x, y)
    for z in place.zones:
        if z.geometry.covers(pt):
            return z.code
    return None


def new_id(place: Any, prefix: str, taken: set[str] | None = None) -> str:
    """A service id ``PREFIX-n`` not used by the place's services (nor in ``taken``)."""
    used = {s.id for s in place.services} | (taken or set())
    k = 1
    while f"{prefix}-{k}" in used:
        k += 1
    return f"{prefix}-{k}"


def residents_aged(place: Any, zones: tuple[str, ...], min_age: int = 0) -> float:
    """Residents of ``zones`` aged ``min_age`` and over (from ``place.counts``; the last age is 90+)."""
    if not zones:
        return 0.0
    rows = [place.zone_codes.index(z) for z in zones]
    return float(place.counts[rows, :, max(int(min_age), 0):].sum())
