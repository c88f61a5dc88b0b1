"""Property flood resilience (PFR): flood doors, barriers, non-return valves, air-brick covers.

Writes the ``pfr`` grid layer: the share of each cell's properties fitted (0..1). The flood
model cuts the damage of a fitted property by ``damage.pfr_effectiveness`` where the water is
below ``damage.pfr_max_depth_m`` (PAS 1188 products are tested to 0.6 m; deeper water
overtops them).

Where: homes in the targeted zones on cells where water ponds: cells at least ``min_ponding_m``
below their spill level (priority-flood depression depth of the DEM,
:func:`twin.flood.event.depression_depth`), and, on a place with a river, cells less than
``floodplain_m`` above the river channel. Set ``min_ponding_m: 0`` to fit every home.

Cost: £5,000 per property (Defra Property Flood Resilience Recovery Support Scheme, 2019-2024:
grants of up to £5,000 including VAT per flooded property; S/H), maintenance 1 % a year and a
life of 20 years (L). Defra's PFR Action Plan (2017, via RICS) reports more than £5 of benefit
per £1 for well-targeted schemes (S/M): a check on the appraisal, not an input.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions.targeting import zone_mask

__all__ = ["PropertyFloodResilience", "PropertyFloodResilienceParams"]

COST_PER_PROPERTY_GBP = 5000.0
PRICE_BASE_YEAR = 2019
SOURCE = "£5,000 per property: Defra PFR Recovery Support Scheme grant cap (2019-2024, S); upkeep and life L"
LAYER_ATTRS = {"units": "1", "long_name": "share of the cell's properties fitted with property flood resilience"}


class PropertyFloodResilienceParams(InterventionParams):
    """Parameters of ``property_flood_resilience``."""

    coverage: float = Field(0.8, gt=0, le=1, description="Share of the eligible properties fitted (take-up; L).")
    min_ponding_m: float = Field(0.1, ge=0, le=20, description="Fit homes on cells at least this far (m) below "
                                 "their spill level (where surface water ponds); 0: every home in the zones.")
    floodplain_m: float = Field(5.0, ge=0, le=50, description="Also fit homes less than this (m) above the river "
                                "channel, on a place with a river.")
    household_size: float = Field(2.36, gt=0, description="Residents per dwelling (ONS Census 2021; S).")
    cost_per_property: float = Field(COST_PER_PROPERTY_GBP, ge=0, description="GBP per property (Defra grant cap, S).")
    annual_share: float = Field(0.01, ge=0, le=1, description="Upkeep a year as a share of capital (L).")
    lifetime_years: float = Field(20.0, gt=0, le=100, description="Life of the products (L).")


def _eligible(place: Any, params: PropertyFloodResilienceParams, zones: tuple[str, ...]) -> np.ndarray:
    from twin.flood.event import depression_depth, river_cells

    mask = zone_mask(place, zones) & (np.asarray(place.layers["residents"]) > 0)
    if params.min_ponding_m <= 0:
        return mask
    z = np.asarray(place.layers["elevation"], float)
    at_risk = depression_depth(z) >= params.min_ponding_m
    river = river_cells(z)
    if river.any():
        at_risk |= z < z[river].max() + params.floodplain_m
    return mask & at_risk


@register
class PropertyFloodResilience(Intervention):
    """Fit property flood resilience to homes in the targeted zones."""

    name: ClassVar[str] = "property_flood_resilience"
    Params: ClassVar[type[InterventionParams]] = PropertyFloodResilienceParams
    description: ClassVar[str] = "Fit flood doors and barriers (`pfr` layer) to a share of the homes in the targeted zones."
    example: ClassVar[dict[str, Any]] = {"coverage": 0.8, "min_ponding_m": 0.0}

    def apply(self, place: Any, params: PropertyFloodResilienceParams, zones: tuple[str, ...]) -> Any:
        cells = _eligible(place, params, zones)
        old = np.asarray(place.layers["pfr"], float) if "pfr" in place.layers else np.zeros(cells.shape)
        new = np.where(cells, np.maximum(old, params.coverage), old)
        return place.replace(layers=place.layers.assign(pfr=(new.astype(np.float32), LAYER_ATTRS)))

    def cost(self, place: Any, params: PropertyFloodResilienceParams, zones: tuple[str, ...]) -> Cost:
        cells = _eligible(place, params, zones)
        old = np.asarray(place.layers["pfr"], float) if "pfr" in place.layers else np.zeros(cells.shape)
        added = np.where(cells, np.maximum(params.coverage - old, 0.0), 0.0)
        homes = float((np.asarray(place.layers["residents"], float) / params.household_size * added).sum())
        capital = homes * params.cost_per_property
        return Cost(capital=capital, annual=capital * params.annual_share, lifetime_years=params.lifetime_years,
                    price_base_year=PRICE_BASE_YEAR, source=SOURCE, intervention=self.name,
                    notes=f"{homes:,.0f} homes fitted in {len(zones)} zones", quantities={"properties": homes})
