"""Runoff attenuation features (natural flood management): earth bunds across the flow paths above villages.

What a rural council considers where there is no river to wall off: surface water runs off the
fields along shallow valleys into the villages, so it is held back upstream in temporary storage
behind low earth bunds, ponds and leaky barriers (Runoff Attenuation Features; Quinn, Hewett,
Wilkinson & Adams, *Water* 14:3807, 2022; the Belford catchment scheme, led by the Environment
Agency, protected a small settlement where conventional defences failed the cost-benefit test).
docs/sources.md, "Flooding".

Writes the ``bund_m`` grid layer: the height (m) of the bund built on each cell (0 where none),
which the flood solver adds to the ground (:func:`twin.flood.event.terrain_of`), so water ponds
behind it, soaks in, and overtops it when the storage is full: every cubic metre stays booked.

Where (:func:`twin.flood.flowpaths.attenuation_sites`): on each flow path that runs from fields
into homes where surface water ponds (cells at least ``min_ponding_m`` below their spill level,
as property flood resilience), the last field cell before the homes, if it drains at least
``min_catchment_ha`` and the homes are within ``reach_m`` downstream; the bund spans that cell and
``half_width_cells`` field cells on each side across the flow. A field cell has at most
``field_max_residents`` residents and ``field_max_building`` built share; a site whose pond (the cells
upstream lower than the crest) would stand on a cell that is not a field is left out.

Cost: bund length x cost per metre, upkeep a share of capital a year, life in years: assumptions
(L); docs/sources.md holds no UK unit cost for RAFs: replace them with the scheme's estimate.
Effect is modelled hydraulically, not assumed: the appraisal's avoided EAD is what the bunds hold back
in the design storms on this DEM.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions.targeting import zone_mask

__all__ = ["RunoffAttenuation", "RunoffAttenuationParams", "bund_cells"]

PRICE_BASE_YEAR = 2020
SOURCE = ("bund cost per metre, upkeep and life: assumptions (L); the measure: runoff attenuation features "
          "(Quinn et al. 2022, Water 14:3807; Belford catchment, Environment Agency)")
LAYER_ATTRS = {"units": "m", "long_name": "height of the runoff attenuation bund on the cell (0: none)"}


class RunoffAttenuationParams(InterventionParams):
    """Parameters of ``runoff_attenuation`` (every value an assumption, L, to be replaced by a scheme's design)."""

    height_m: float = Field(1.0, gt=0, le=3, description="Bund height above the ground (m; L: low bunds keep the "
                            "stored volume small and out of reservoir regulation).")
    min_catchment_ha: float = Field(20.0, gt=0, description="Least area (ha) draining through a site (L).")
    reach_m: float = Field(1500.0, gt=0, description="Homes at risk lie at most this far (m) downstream of a site (L).")
    min_ponding_m: float = Field(0.1, ge=0, le=20, description="Homes at risk: on cells at least this far (m) "
                                 "below their spill level (where surface water ponds).")
    half_width_cells: int = Field(1, ge=0, le=10, description="Cells of bund on each side of the flow path.")
    field_max_residents: float = Field(0.0, ge=0, description="Most residents on a field cell.")
    field_max_building: float = Field(0.01, ge=0, le=1, description="Most built share on a field cell.")
    cost_per_m: float = Field(100.0, ge=0, description="GBP per metre of bund (earthworks, outlet pipe, "
                              "spillway, landowner payment; L, 2020 prices).")
    annual_share: float = Field(0.02, ge=0, le=1, description="Upkeep a year as a share of capital (L).")
    lifetime_years: float = Field(30.0, gt=0, le=100, description="Life before the bunds are rebuilt (L).")


def bund_cells(place: Any, params: RunoffAttenuationParams, zones: tuple[str, ...]) -> np.ndarray:
    """Boolean (y, x) mask of the cells a bund is built on (sites in the targeted zones)."""
    key = (_digest(place), params.model_dump_json(), tuple(zones))
    if key not in _CELLS:
        _CELLS.clear()  # apply and cost of one option ask in turn: keep the last answer only
        _CELLS[key] = _bund_cells(place, params, zones)
    return _CELLS[key].copy()


def _digest(place: Any) -> str:
    import hashlib

    h = hashlib.sha256()
    for name in ("elevation", "residents", "building"):
        h.update(np.ascontiguousarray(place.layers[name]).tobytes())
    h.update(np.ascontiguousarray(place.zone_index).tobytes() + repr(float(place.cell_size)).encode())
    return h.hexdigest()


_CELLS: dict = {}


def _bund_cells(place: Any, params: RunoffAttenuationParams, zones: tuple[str, ...]) -> np.ndarray:
    from twin.flood.event import depression_depth
    from twin.flood.flowpaths import (
        attenuation_sites,
        children_of,
        drainage_tree,
        pond_behind,
    )

    g = place.layers
    z = np.asarray(g["elevation"], float)
    res = np.asarray(g["residents"], float)
    field = (res <= params.field_max_residents) & (np.asarray(g["building"], float) <= params.field_max_building)
    at_risk = (res > params.field_max_residents) & (depression_depth(z) >= params.min_ponding_m)
    size = float(place.cell_size)
    tree = drainage_tree(z)
    sites = attenuation_sites(z, field, at_risk, min_cells=params.min_catchment_ha * 1e4 / size**2,
                              reach_cells=int(params.reach_m // size), tree=tree)
    ny, nx = z.shape
    parent, children = tree[0], children_of(tree[0])
    inside, flat_field = zone_mask(place, zones), field.ravel()
    mask = np.zeros((ny, nx), bool)
    for i in sites:
        r, c = divmod(int(i), nx)
        if not inside[r, c] or not flat_field[pond_behind(int(i), children, z, params.height_m)].all():
            continue          # outside the targeted zones, or the pond would stand on homes
        pr = int(parent[i]) // nx
        dr, dc = (0, 1) if pr != r else (1, 0)          # across the flow
        for k in range(-params.half_width_cells, params.half_width_cells + 1):
            rr, cc = r + k * dr, c + k * dc
            if 0 <= rr < ny and 0 <= cc < nx and field[rr, cc]:
                mask[rr, cc] = True
    return mask


@register
class RunoffAttenuation(Intervention):
    """Build runoff attenuation bunds on the flow paths above villages in the targeted zones."""

    name: ClassVar[str] = "runoff_attenuation"
    Params: ClassVar[type[InterventionParams]] = RunoffAttenuationParams
    description: ClassVar[str] = ("Natural flood management: earth bunds (`bund_m` layer) across the surface-water "
                                  "flow paths in the fields above homes where water ponds.")
    #: on the twin.testing tiny place (100 m cells, a few residents on every cell): small fields and catchments
    example: ClassVar[dict[str, Any]] = {"height_m": 1.0, "min_catchment_ha": 1.0, "field_max_residents": 8.0,
                                         "field_max_building": 0.3, "min_ponding_m": 0.0, "reach_m": 1000.0}

    def apply(self, place: Any, params: RunoffAttenuationParams, zones: tuple[str, ...]) -> Any:
        cells = bund_cells(place, params, zones)
        old = np.asarray(place.layers["bund_m"], float) if "bund_m" in place.layers else np.zeros(cells.shape)
        new = np.where(cells, np.maximum(old, params.height_m), old)
        return place.replace(layers=place.layers.assign(bund_m=(new.astype(np.float32), LAYER_ATTRS)))

    def cost(self, place: Any, params: RunoffAttenuationParams, zones: tuple[str, ...]) -> Cost:
        cells = bund_cells(place, params, zones)
        old = np.asarray(place.layers["bund_m"], float) if "bund_m" in place.layers else np.zeros(cells.shape)
        length = float((cells & (old < params.height_m)).sum()) * float(place.cell_size)
        capital = length * params.cost_per_m
        n_sites = int(cells.sum())
        return Cost(capital=capital, annual=capital * params.annual_share, lifetime_years=params.lifetime_years,
                    price_base_year=PRICE_BASE_YEAR, source=SOURCE, intervention=self.name,
                    notes=f"{length / 1000:,.1f} km of {params.height_m:g} m bund ({n_sites} cells) in {len(zones)} zones",
                    quantities={"bund_m": length})
