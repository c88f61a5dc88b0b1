"""Residents as columns: synthesis from a place's population and grid.

A city has hundreds of thousands of residents, so they are not one Python object
each: a :class:`Residents` holds one NumPy array per attribute (age, sex, zone,
home cell), and the models' rules are vectorised functions over those columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from twin._names import AGE_BANDS, MAX_AGE, SEXES, age_band_index
from twin.errors import PlaceDataError

__all__ = ["Residents", "synthesize_residents"]


@dataclass
class Residents:
    """Resident attributes as NumPy columns (one row per resident).

    Attributes
    ----------
    age : int16 array, years (``MAX_AGE`` means ``MAX_AGE`` and over)
    sex : int8 array, index into ``SEXES`` (0 = F, 1 = M)
    zone : int16 array, index into the place's zones
    cell : int32 array, flat index of the home cell in the place grid (row-major y, x)
    extra : further columns added by richer models (e.g. ``living_alone``), same length
    """

    age: np.ndarray
    sex: np.ndarray
    zone: np.ndarray
    cell: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.age.shape[0])

    @property
    def age_band(self) -> np.ndarray:
        """Index into :data:`twin._names.AGE_BANDS` for each resident."""
        return age_band_index(self.age)

    def group_index(self, n_zones: int) -> np.ndarray:
        """Flat (zone, age band) group of each resident, for ``np.bincount`` tallies."""
        return self.zone.astype(np.int64) * len(AGE_BANDS) + self.age_band

    def counts_by_zone_band(self, n_zones: int) -> np.ndarray:
        """Residents per (zone, age band), shape ``(n_zones, len(AGE_BANDS))``."""
        nb = len(AGE_BANDS)
        return np.bincount(self.group_index(n_zones), minlength=n_zones * nb).reshape(n_zones, nb)


def synthesize_residents(
    population: xr.DataArray,
    zone_index: np.ndarray,
    weights: np.ndarray,
    rng: np.random.Generator,
    *,
    file: str = "population.csv",
) -> Residents:
    """Make one row per resident from counts by zone × sex × age, with a home cell each.

    Parameters
    ----------
    population
        Counts with dims ``("zone", "sex", "age")``; ages ``0..MAX_AGE``.
    zone_index
        ``(y, x)`` int array: index of the zone each cell belongs to, ``-1`` outside.
    weights
        ``(y, x)`` residents per cell, used as weights for home cells within a zone
        (population.csv is the count truth; the grid says where in the zone people live).
    rng
        The population stream of the run (same for every option of a replicate).

    Notes
    -----
    Rows are ordered by zone, then sex, then age, so the same population and rng give
    the same residents. Within a zone, home cells are drawn with probability
    proportional to ``weights``; a zone whose cells all have zero weight spreads its
    residents evenly over its cells.
    """
    pop = population.transpose("zone", "sex", "age").values
    if pop.shape[1:] != (len(SEXES), MAX_AGE + 1):
        raise PlaceDataError("population must have sexes F, M and ages 0..90+", file=file, field="age/sex", value=pop.shape)
    if np.any(pop < 0):
        raise PlaceDataError("negative count", file=file, field="count", value=int(pop.min()))
    n_zones = pop.shape[0]
    counts = pop.astype(np.int64).ravel()
    z, s, a = np.unravel_index(np.arange(counts.size), pop.shape)
    zone = np.repeat(z, counts).astype(np.int16)
    sex = np.repeat(s, counts).astype(np.int8)
    age = np.repeat(a, counts).astype(np.int16)

    flat_zone = np.asarray(zone_index).ravel()
    flat_w = np.asarray(weights, dtype=np.float64).ravel()
    cell = np.empty(zone.shape[0], dtype=np.int32)
    per_zone = pop.reshape(n_zones, -1).sum(axis=1)
    order = np.argsort(flat_zone, kind="stable")
    bounds = np.searchsorted(flat_zone[order], np.arange(-1, n_zones + 1))
    start = 0
    codes = [str(c) for c in population["zone"].values]
    for zi in range(n_zones):
        n = int(per_zone[zi])
        cells = order[bounds[zi + 1] : bounds[zi + 2]]
        if n == 0:
            continue
        if cells.size == 0:
            raise PlaceDataError(
                "zone covers no grid cell centre, so its residents have nowhere to live",
                file="zones.geojson",
                field="code",
                value=codes[zi],
                hint="make the zone larger than one grid cell or use a finer grid",
            )
        w = flat_w[cells]
        total = w.sum()
        p = w / total if total > 0 else None
        cell[start : start + n] = rng.choice(cells, size=n, p=p)
        start += n
    return Residents(age=age, sex=sex, zone=zone, cell=cell)
