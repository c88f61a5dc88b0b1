"""Flood defence: raise banks along a line (default: both banks of the river) to a standard of protection.

Writes the ``defence_sop`` grid layer: the standard of protection (years) of the bank built on
each cell (0 where none). The crest level is set by the flood model from that standard: the
highest water level of the undefended 1-in-SoP event of today's climate on those cells, plus
freeboard (:func:`twin.flood.event.defence_crest`); rarer events overtop it.

Where: cells along ``line`` (British National Grid metres), or, without a line, the cells next to
the river channel (derived from the DEM) in the targeted zones. A line that leaves the place is
refused (InterventionError naming the point).

Cost: bank length x cost per metre. docs/sources.md holds no UK unit cost for raised embankments; the
default (£3,000 per m, 2017 prices, maintenance 1 % a year, life 50 years) is an assumption (L),
to be replaced with the Environment Agency's long-term costing tool figures for the scheme.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from pydantic import Field, field_validator

from twin.errors import InterventionError
from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions.targeting import zone_mask

__all__ = ["FloodDefence", "FloodDefenceParams", "defence_cells"]

COST_PER_M_GBP = 3000.0
PRICE_BASE_YEAR = 2017
SOURCE = "cost per metre, maintenance and life: assumptions (L); no sourced UK unit cost in docs/sources.md"
LAYER_ATTRS = {"units": "year", "long_name": "standard of protection of the flood defence on the cell (0: none)"}


class FloodDefenceParams(InterventionParams):
    """Parameters of ``flood_defence``. Values marked (L) are assumptions."""

    standard_of_protection: float = Field(100.0, gt=1, le=10_000, description="Return period (years) the bank "
                                          "holds back in today's climate.")
    line: list[list[float]] | None = Field(None, min_length=2, description="Vertices [x, y] (m, EPSG:27700) of the "
                                                   "bank; default: both banks of the river in the targeted zones.")
    cost_per_m: float = Field(COST_PER_M_GBP, ge=0, description="GBP per metre of bank (L, 2017 prices).")
    annual_share: float = Field(0.01, ge=0, le=1, description="Maintenance a year as a share of capital (L).")
    lifetime_years: float = Field(50.0, gt=0, le=200, description="Design life (L).")

    @field_validator("line")
    @classmethod
    def _points(cls, v: list[list[float]] | None) -> list[list[float]] | None:
        if v is not None and any(len(p) != 2 for p in v):
            raise ValueError("every point of the line is [x, y] in metres (EPSG:27700)")
        return v


def defence_cells(place: Any, params: FloodDefenceParams, zones: tuple[str, ...]) -> np.ndarray:
    """Boolean (y, x) mask of the cells the bank is built on."""
    from scipy.ndimage import binary_dilation

    from twin.flood.event import river_cells

    grid = place.layers
    if params.line is None:
        river = river_cells(np.asarray(grid["elevation"], dtype=float))
        if not river.any():
            raise InterventionError("the place has no river channel to defend; give a line of [x, y] points",
                                    field="flood_defence.line", value=None)
        banks = binary_dilation(river, np.ones((3, 3), bool)) & ~river
        return banks & zone_mask(place, zones)
    xs = np.asarray(grid["x"], float)
    ys = np.asarray(grid["y"], float)
    size = abs(xs[1] - xs[0])
    zidx = np.asarray(place.zone_index)
    pts = np.asarray(params.line, dtype=float)
    mask = np.zeros(zidx.shape, bool)
    for i, (x, y) in enumerate(pts):
        col, row = int(np.rint((x - xs[0]) / size)), int(np.rint((ys[0] - y) / size))
        if not (0 <= row < zidx.shape[0] and 0 <= col < zidx.shape[1]) or zidx[row, col] < 0:
            raise InterventionError("defence line point lies outside the place", field=f"flood_defence.line[{i}]",
                                    value=[float(x), float(y)])
    for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
        n = max(2, int(np.ceil(np.hypot(x1 - x0, y1 - y0) / (size / 4))) + 1)
        cols = np.rint((np.linspace(x0, x1, n) - xs[0]) / size).astype(int)
        rows = np.rint((ys[0] - np.linspace(y0, y1, n)) / size).astype(int)
        mask[rows, cols] = True
    return mask


@register
class FloodDefence(Intervention):
    """Raise banks to a standard of protection."""

    name: ClassVar[str] = "flood_defence"
    Params: ClassVar[type[InterventionParams]] = FloodDefenceParams
    description: ClassVar[str] = ("Raise banks (`defence_sop` layer) along a line or the river to a standard of "
                                  "protection; the flood model sets the crest.")
    #: a line across the twin.testing tiny place (omit `line` on a place with a river to defend both banks)
    example: ClassVar[dict[str, Any]] = {"standard_of_protection": 100,
                                         "line": [[530250.0, 179750.0], [531750.0, 179750.0]]}

    def apply(self, place: Any, params: FloodDefenceParams, zones: tuple[str, ...]) -> Any:
        cells = defence_cells(place, params, zones)
        old = np.asarray(place.layers["defence_sop"], float) if "defence_sop" in place.layers else np.zeros(cells.shape)
        new = np.where(cells, np.maximum(old, params.standard_of_protection), old)
        return place.replace(layers=place.layers.assign(defence_sop=(new.astype(np.float32), LAYER_ATTRS)))

    def cost(self, place: Any, params: FloodDefenceParams, zones: tuple[str, ...]) -> Cost:
        cells = defence_cells(place, params, zones)
        length = float(cells.sum()) * float(place.cell_size)
        capital = length * params.cost_per_m
        return Cost(capital=capital, annual=capital * params.annual_share, lifetime_years=params.lifetime_years,
                    price_base_year=PRICE_BASE_YEAR, source=SOURCE, intervention=self.name,
                    notes=f"{length / 1000:,.1f} km of bank to 1-in-{params.standard_of_protection:g} years",
                    quantities={"bank_m": length, "standard_of_protection": params.standard_of_protection})
