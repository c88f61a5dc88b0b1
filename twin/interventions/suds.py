"""Sustainable drainage (SuDS) retrofit: rain gardens, permeable paving, tree pits, storage.

Writes the ``suds_mm_h`` grid layer: extra loss capacity (mm h-1 over the whole cell) that the
flood solver takes from standing water, on top of soil infiltration and sewers. A cell's extra
capacity is ``share_of_sealed x impervious x capacity_mm_h``: the retrofitted part of its
sealed area drains at ``capacity_mm_h``.

Costs and performance are assumptions (L) to be replaced with a scheme's design: retrofit at
£100 per m² of sealed area drained, £1 per m² a year of upkeep, 30-year life; 30 mm h-1 of
capacity (a rain garden or permeable pavement sized for a 1-in-30-year storm).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions.targeting import cell_area_m2, zone_mask

__all__ = ["Suds", "SudsParams"]

PRICE_BASE_YEAR = 2019
SOURCE = "unit cost, upkeep, life and capacity: assumptions (L)"
LAYER_ATTRS = {"units": "mm h-1", "long_name": "extra drainage capacity of sustainable drainage (SuDS)"}


class SudsParams(InterventionParams):
    """Parameters of ``suds``."""

    share_of_sealed: float = Field(0.3, gt=0, le=1, description="Share of each cell's sealed area drained to SuDS (L).")
    capacity_mm_h: float = Field(30.0, gt=0, le=500, description="Loss capacity of the drained area (mm h-1; L).")
    cost_per_m2: float = Field(100.0, ge=0, description="GBP per m² of sealed area drained (L, 2019 prices).")
    annual_cost_per_m2: float = Field(1.0, ge=0, description="GBP per m² a year of upkeep (L).")
    lifetime_years: float = Field(30.0, gt=0, le=100, description="Life (L).")


def _drained(place: Any, params: SudsParams, zones: tuple[str, ...]) -> np.ndarray:
    imp = np.clip(np.asarray(place.layers["impervious"], float), 0, 1)
    return np.where(zone_mask(place, zones), params.share_of_sealed * imp, 0.0)


@register
class Suds(Intervention):
    """Retrofit sustainable drainage in the targeted zones."""

    name: ClassVar[str] = "suds"
    Params: ClassVar[type[InterventionParams]] = SudsParams
    description: ClassVar[str] = "Add drainage capacity (`suds_mm_h` layer) by retrofitting SuDS on sealed ground."
    example: ClassVar[dict[str, Any]] = {"share_of_sealed": 0.3}

    def apply(self, place: Any, params: SudsParams, zones: tuple[str, ...]) -> Any:
        old = np.asarray(place.layers["suds_mm_h"], float) if "suds_mm_h" in place.layers else 0.0
        new = old + _drained(place, params, zones) * params.capacity_mm_h
        return place.replace(layers=place.layers.assign(suds_mm_h=(np.asarray(new, np.float32), LAYER_ATTRS)))

    def cost(self, place: Any, params: SudsParams, zones: tuple[str, ...]) -> Cost:
        area = float(_drained(place, params, zones).sum()) * cell_area_m2(place.layers, getattr(place, "meta", None))
        return Cost(capital=area * params.cost_per_m2, annual=area * params.annual_cost_per_m2,
                    lifetime_years=params.lifetime_years, price_base_year=PRICE_BASE_YEAR, source=SOURCE,
                    intervention=self.name, notes=f"{area / 1e4:,.1f} ha of sealed ground drained to SuDS",
                    quantities={"drained_m2": area})
