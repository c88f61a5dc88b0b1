"""Run design events on a place's grid: derived layers, defences, SuDS, the solver.

Layers the bundled places lack are derived here (the places are not regenerated):

``river``
    The channel: cells within ``tol`` m of the grid's lowest level that reach across the
    grid from west to east (the urban borough's river is cut at 3.0 m). The bed is given a
    gentle fall west to east (``bed_slope``, default 2e-4, a lowland river; assumption L)
    so the channel carries water out of the place. A place with no such line has no river.
``manning``
    Manning's n from the sealed fraction: 0.02 on sealed ground, 0.05 on grass and
    gardens (Chow 1959, *Open-channel hydraulics*, table 5-6: asphalt 0.013-0.016, short
    grass 0.025-0.035, high grass/light brush 0.035-0.07), 0.035 in the channel.
``defence_sop`` (written by the ``flood_defence`` intervention)
    Cells of a raised bank and the standard of protection (years) it is built to. The crest
    level is set hydraulically: the highest water level those cells see in the SoP event
    today (undefended, no climate uplift) plus ``freeboard_m``.
``suds_mm_h`` (written by the ``suds`` intervention)
    Extra loss capacity (mm h-1) of sustainable drainage (storage, infiltration).
``bund_m`` (written by the ``runoff_attenuation`` intervention)
    Height (m) of earth bunds across surface-water flow paths, added to the ground.
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from twin.flood.solver import FloodResult, Inflow, simulate_flood
from twin.flood.storms import DesignStorm

__all__ = ["EventSettings", "Terrain", "defence_crest", "depression_depth", "river_cells", "run_event", "terrain_of"]


@dataclass(frozen=True)
class EventSettings:
    """Loss rates and numerical settings of an event run (see models/params.py for sources)."""

    infiltration_mm_h: float = 6.8
    drainage_mm_h: float = 12.0
    manning_sealed: float = 0.02
    manning_pervious: float = 0.05
    manning_channel: float = 0.035
    bed_slope: float = 2e-4
    settle_h: float = 1.0
    freeboard_m: float = 0.3


@dataclass(frozen=True)
class Terrain:
    """The arrays the solver needs, derived from a place's grid."""

    elevation: np.ndarray
    impervious: np.ndarray
    manning: np.ndarray
    extra_loss_mm_h: np.ndarray
    river: np.ndarray
    inflow_cell: tuple[int, int] | None
    defence: np.ndarray          # standard of protection per cell (years), 0 = none
    dx: float


def river_cells(elevation: np.ndarray, tol: float = 0.05) -> np.ndarray:
    """Boolean mask of the river channel (see module notes); all False when there is none."""
    from scipy.ndimage import label

    z = np.asarray(elevation, dtype=float)
    low = z <= z.min() + tol
    lab, n = label(low, structure=np.ones((3, 3)))
    for k in range(1, n + 1):
        m = lab == k
        cols = np.flatnonzero(m.any(axis=0))
        if cols.size and cols[0] == 0 and cols[-1] == z.shape[1] - 1:
            return m
    return np.zeros(z.shape, bool)


def terrain_of(place, settings: EventSettings = EventSettings()) -> Terrain:
    """Solver inputs of ``place`` (elevation with a carved river bed, n, losses, defences)."""
    g = place.grid
    z = np.asarray(g["elevation"].values, dtype=np.float64)
    imp = np.clip(np.asarray(g["impervious"].values, dtype=np.float64), 0, 1)
    river = river_cells(z)
    z = z.copy()
    inflow = None
    if river.any():
        ny, nx = z.shape
        dx = float(place.cell_size)
        fall = settings.bed_slope * dx * (nx - 1 - np.arange(nx))[None, :]
        z = np.where(river, z + fall - settings.bed_slope * dx * (nx - 1), z)   # bed falls to the east
        rows = np.flatnonzero(river[:, 0])
        inflow = (int(rows[len(rows) // 2]), 0)
    if "bund_m" in g:  # runoff attenuation bunds (twin.interventions.runoff_attenuation) stand on the ground
        z = z + np.nan_to_num(np.asarray(g["bund_m"].values, dtype=np.float64))
    n = imp * settings.manning_sealed + (1 - imp) * settings.manning_pervious
    n = np.where(river, settings.manning_channel, n)
    extra = np.asarray(g["suds_mm_h"].values, dtype=np.float64) if "suds_mm_h" in g else np.zeros(z.shape)
    sop = np.asarray(g["defence_sop"].values, dtype=np.float64) if "defence_sop" in g else np.zeros(z.shape)
    return Terrain(z, imp, n, np.nan_to_num(extra), river, inflow, np.nan_to_num(sop), float(place.cell_size))


def run_event(terrain: Terrain, storm: DesignStorm, settings: EventSettings = EventSettings(),
              crest: np.ndarray | None = None) -> FloodResult:
    """Route one design storm (and its river hydrograph) over the terrain, banks raised to ``crest``."""
    z = terrain.elevation if crest is None else np.maximum(terrain.elevation, crest)
    inflows = ()
    if storm.river_m3_s is not None and terrain.inflow_cell is not None:
        inflows = (Inflow(*terrain.inflow_cell, np.asarray(storm.river_m3_s), storm.step_s),)
    flow_end = max(storm.intensity_mm_h.size * storm.step_s, max((f.discharge.size * f.dt for f in inflows), default=0))
    return simulate_flood(
        z, terrain.dx, storm.intensity_mm_h, storm.step_s,
        duration=flow_end + settings.settle_h * 3600.0,
        impervious=terrain.impervious,
        infiltration_mm_h=settings.infiltration_mm_h + terrain.extra_loss_mm_h,
        drainage_mm_h=settings.drainage_mm_h + terrain.extra_loss_mm_h,
        manning=terrain.manning,
        inflows=inflows,
        closed_inflow_edges=True,
    )


def defence_crest(terrain: Terrain, storms_by_rp, settings: EventSettings = EventSettings()) -> np.ndarray | None:
    """Crest level (m) of each defence cell (NaN elsewhere) from its standard of protection."""
    if not (terrain.defence > 0).any():
        return None
    crest = np.full(terrain.elevation.shape, -np.inf)
    for sop in np.unique(terrain.defence[terrain.defence > 0]):
        level = _undefended_level(terrain, float(sop), storms_by_rp, settings)
        cells = terrain.defence == sop
        crest[cells] = np.maximum(level[cells], terrain.elevation[cells]) + settings.freeboard_m
    return crest


def _undefended_level(terrain: Terrain, sop: float, storms_by_rp, settings: EventSettings) -> np.ndarray:
    key = (hash(terrain.elevation.tobytes()), terrain.elevation.shape, sop, settings)
    if key in _LEVEL_CACHE:
        return _LEVEL_CACHE[key]
    storm = storms_by_rp(sop)
    undefended = Terrain(terrain.elevation, terrain.impervious, terrain.manning, np.zeros_like(terrain.extra_loss_mm_h),
                         terrain.river, terrain.inflow_cell, np.zeros_like(terrain.defence), terrain.dx)
    res = run_event(undefended, storm, settings)
    level = terrain.elevation + res.max_depth
    _LEVEL_CACHE[key] = level
    return level


#: Water levels of undefended standard-of-protection events, memoised per terrain and SoP
#: (every option and pathway of a run designs its banks on the same event).
_LEVEL_CACHE: dict = {}


def depression_depth(elevation: np.ndarray) -> np.ndarray:
    """Depth (m) of each cell below its spill level: the sinks where surface water ponds.

    Priority-flood filling from the grid edge (Barnes, Lehman & Mulla 2014, *Computers &
    Geosciences* 62:117-127): ``filled - elevation``, 0 where water runs off freely. A cheap
    screen for where surface water collects, used to target property flood resilience.
    """
    import heapq

    z = np.asarray(elevation, dtype=float)
    ny, nx = z.shape
    filled = np.full(z.shape, np.inf)
    heap: list = []
    for r in range(ny):
        for c in (0, nx - 1):
            filled[r, c] = z[r, c]
            heap.append((z[r, c], r, c))
    for c in range(1, nx - 1):
        for r in (0, ny - 1):
            filled[r, c] = z[r, c]
            heap.append((z[r, c], r, c))
    heapq.heapify(heap)
    while heap:
        level, r, c = heapq.heappop(heap)
        for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            rr, cc = r + dr, c + dc
            if 0 <= rr < ny and 0 <= cc < nx and filled[rr, cc] == np.inf:
                filled[rr, cc] = max(z[rr, cc], level)
                heapq.heappush(heap, (filled[rr, cc], rr, cc))
    return filled - z
