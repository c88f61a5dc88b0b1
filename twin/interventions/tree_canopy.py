"""Street and park tree planting: more canopy cover in the targeted zones.

The ``canopy`` layer (fraction of each cell under tree crowns) is raised by
``increase`` in every cell of the targeted zones, capped at ``max_canopy`` and at
the cell's unbuilt share (``1 - building``); cells already above the cap keep
their canopy. The climate module turns canopy into local cooling (about 0.6 °C
per +10 % canopy, Marando et al. 2022, docs/sources.md §3).

Cost: trees = added canopy area / crown area per tree; each tree costs the
planting-plus-establishment price (docs/sources.md §7). Canopy is treated as mature
crown cover: the model shows the cooling the planting buys once trees have grown,
not in the first years.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions.targeting import cell_area_m2, zone_mask

__all__ = ["TreeCanopy", "TreeCanopyParams"]

#: Street tree planted with 3-year establishment, GBP per tree, 2019 prices
#: (Horticulture Week 2019; Trees for Streets; Brighton & Hove CC 2021 — docs/sources.md §7, S/M).
COST_PER_TREE_GBP = 900.0
PRICE_BASE_YEAR = 2019
SOURCE = "£900/tree planted incl. 3-yr establishment: Horticulture Week 2019; Trees for Streets; Brighton & Hove CC 2021 (docs/sources.md §7)"


class TreeCanopyParams(InterventionParams):
    """Parameters of ``tree_canopy``. Values marked (L) are assumptions, not sourced figures."""

    increase: float = Field(
        gt=0, le=0.5, description="Absolute rise in canopy fraction per targeted cell (0.10 = ten percentage points)."
    )
    max_canopy: float = Field(
        0.6, gt=0, le=1, description="Cap on canopy fraction in any cell; 0.6 leaves room for streets and open space (L)."
    )
    crown_area_m2: float = Field(
        30.0, gt=0, le=500, description="Crown area of one tree at maturity, m2 (L: a medium street tree, ~6 m crown)."
    )
    cost_per_tree: float = Field(
        COST_PER_TREE_GBP, ge=0, description="GBP per tree planted incl. 3-yr establishment (docs/sources.md §7, 2019 prices)."
    )
    annual_cost_per_tree: float = Field(
        15.0, ge=0, description="GBP per tree per year after establishment: inspection, pruning (L)."
    )
    lifetime_years: float = Field(40.0, gt=0, le=200, description="Years the planting is appraised over (L).")


def _new_canopy(place: Any, params: TreeCanopyParams, zones: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(old, new) canopy arrays for the targeted cells' change."""
    old = np.asarray(place.layers["canopy"], dtype=float)
    building = np.asarray(place.layers["building"], dtype=float)
    cap = np.minimum(params.max_canopy, np.clip(1.0 - building, 0.0, 1.0))
    raised = np.minimum(old + params.increase, cap)
    new = np.where(zone_mask(place, zones), np.maximum(old, raised), old)
    return old, new


@register
class TreeCanopy(Intervention):
    """Plant trees to raise canopy cover in the targeted zones."""

    name: ClassVar[str] = "tree_canopy"
    Params: ClassVar[type[InterventionParams]] = TreeCanopyParams
    description: ClassVar[str] = "Raise tree canopy cover by `increase` (capped) in the targeted zones."

    example: ClassVar[dict[str, Any]] = {"increase": 0.1}

    def apply(self, place: Any, params: TreeCanopyParams, zones: tuple[str, ...]) -> Any:
        """Return a copy of ``place`` whose ``canopy`` layer is raised in ``zones``."""
        old, new = _new_canopy(place, params, zones)
        canopy = new.astype(place.layers["canopy"].dtype, copy=False)
        return place.replace(layers=place.layers.assign(canopy=(canopy, place.layers.attrs_of("canopy"))))

    def cost(self, place: Any, params: TreeCanopyParams, zones: tuple[str, ...]) -> Cost:
        """Trees needed for the added canopy, priced per tree planted and maintained."""
        old, new = _new_canopy(place, params, zones)
        area = float((new - old).sum()) * cell_area_m2(place.layers, getattr(place, "meta", None))
        trees = int(np.ceil(area / params.crown_area_m2 - 1e-9)) if area > 0 else 0
        return Cost(
            capital=trees * params.cost_per_tree,
            annual=trees * params.annual_cost_per_tree,
            lifetime_years=params.lifetime_years,
            price_base_year=PRICE_BASE_YEAR,
            source=SOURCE + "; crown area, maintenance and lifetime: assumptions (L)",
            intervention=self.name,
            notes=f"{trees:,} trees for {area / 1e4:,.1f} ha of added canopy in {len(zones)} zones",
            quantities={"trees": float(trees), "canopy_m2": area, "zones": float(len(zones))},
        )
