"""Cool (high-albedo) roofs: treat a share of the roof area in the targeted zones.

Writes the ``cool_roof`` grid layer: the fraction of each cell's roof area that is
treated (0..1). Cells of the targeted zones that have buildings are raised to
``coverage``; cells already above it keep their value; cells without buildings
stay 0. The layer is created (all 0) if the place has none. The cooling itself is
applied by :func:`twin.climate.local_offsets`, which reads this layer.

Cost: newly treated roof area (building fraction × cell area × added coverage) ×
cost per m². docs/sources.md has no UK cool-roof cost, so the default unit cost,
maintenance and lifetime are assumptions (L) to be replaced with a local quote.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions.targeting import cell_area_m2, zone_mask

__all__ = ["CoolRoofs", "CoolRoofsParams"]

#: Default GBP per m² of roof for a reflective roof coating. Assumption (L): docs/sources.md
#: holds no sourced figure; liquid-applied reflective coatings are typically quoted in the
#: tens of pounds per m². Stated at 2019 prices, the base year of the other default unit
#: costs (tree planting, docs/sources.md §7), so an option's costs add up. Replace with a local quote.
COST_PER_M2_GBP = 30.0
PRICE_BASE_YEAR = 2019
SOURCE = "cost per m², maintenance and lifetime: assumptions (L), no sourced UK figure in docs/sources.md"

LAYER_ATTRS = {"units": "1", "long_name": "fraction of roof area treated with a cool (reflective) roof"}


class CoolRoofsParams(InterventionParams):
    """Parameters of ``cool_roofs``. Values marked (L) are assumptions, not sourced figures."""

    coverage: float = Field(gt=0, le=1, description="Fraction of roof area treated in every targeted cell with buildings.")
    cost_per_m2: float = Field(COST_PER_M2_GBP, ge=0, description="GBP per m² of roof treated (L, 2019 prices).")
    annual_cost_per_m2: float = Field(0.5, ge=0, description="GBP per m² per year: cleaning, inspection (L).")
    lifetime_years: float = Field(15.0, gt=0, le=100, description="Years before the coating must be renewed (L).")


def _new_layer(place: Any, params: CoolRoofsParams, zones: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(old, new) cool_roof arrays."""
    grid = place.layers
    building = np.asarray(grid["building"], dtype=float)
    old = np.asarray(grid["cool_roof"], dtype=float) if "cool_roof" in grid else np.zeros_like(building)
    where = zone_mask(place, zones) & (building > 0)
    new = np.where(where, np.maximum(old, params.coverage), old)
    return old, new


@register
class CoolRoofs(Intervention):
    """Treat roofs with a reflective coating in the targeted zones."""

    name: ClassVar[str] = "cool_roofs"
    Params: ClassVar[type[InterventionParams]] = CoolRoofsParams
    description: ClassVar[str] = "Raise the treated share of roof area (`cool_roof` layer) to `coverage` in the targeted zones."

    example: ClassVar[dict[str, Any]] = {"coverage": 0.5}

    def apply(self, place: Any, params: CoolRoofsParams, zones: tuple[str, ...]) -> Any:
        """Return a copy of ``place`` with the ``cool_roof`` layer raised in ``zones``."""
        _, new = _new_layer(place, params, zones)
        attrs = place.layers.attrs_of("cool_roof") if "cool_roof" in place.layers else LAYER_ATTRS
        return place.replace(layers=place.layers.assign(cool_roof=(new.astype(np.float32), attrs)))

    def cost(self, place: Any, params: CoolRoofsParams, zones: tuple[str, ...]) -> Cost:
        """Newly treated roof area priced per m²."""
        old, new = _new_layer(place, params, zones)
        building = np.asarray(place.layers["building"], dtype=float)
        area = float((building * (new - old)).sum()) * cell_area_m2(place.layers, getattr(place, "meta", None))
        return Cost(
            capital=area * params.cost_per_m2,
            annual=area * params.annual_cost_per_m2,
            lifetime_years=params.lifetime_years,
            price_base_year=PRICE_BASE_YEAR,
            source=SOURCE,
            intervention=self.name,
            notes=f"{area / 1e4:,.1f} ha of roof treated in {len(zones)} zones",
            quantities={"roof_m2": area, "zones": float(len(zones))},
        )
