"""People and services in a flood: displacement, closures, who is cut off (pure functions).

* **Displacement**: a home whose cell's water reaches ``threshold_m`` is left for a number of
  days that grows with depth (a table, linear between points): drying out and repair take
  weeks after shallow flooding and months after deep flooding (assumption L, see
  docs/sources.md, "Flooding").
* **Service closures**: a service whose cell is flooded above its closure depth closes for
  days that grow with depth (same kind of table).
* **Cut off**: water deeper than ``passable_m`` blocks a cell for people on foot and in cars
  (Defra/EA FD2320 *Flood risks to people*, 2006: depths above about 0.25-0.3 m are
  dangerous to most people and cars). Cells joined by passable cells (4-neighbours) form
  islands; a resident is cut off from a service in another island. A resident "loses" a
  service when their nearest face-to-face service is closed or cut off, and "has no
  alternative" when no open, reachable face-to-face service lies within ``alternative_m``.
"""

from __future__ import annotations

import numpy as np

from twin.errors import ScenarioError

__all__ = [
    "DEFAULT_CLOSURE_TABLE",
    "DEFAULT_DISPLACEMENT_TABLE",
    "access_after_flood",
    "days_from_depth",
    "passable_islands",
]

#: (depth m, days) for homes: assumption L (order of weeks for shallow, months for deep water).
DEFAULT_DISPLACEMENT_TABLE = ((0.3, 30.0), (0.6, 90.0), (1.2, 180.0), (2.0, 365.0))
#: (depth m, days) for services (a clean-up before reopening): assumption L.
DEFAULT_CLOSURE_TABLE = ((0.15, 3.0), (0.5, 14.0), (1.0, 45.0), (2.0, 120.0))


def days_from_depth(depth_m: np.ndarray, table=DEFAULT_DISPLACEMENT_TABLE, *, field: str = "days_table") -> np.ndarray:
    """Days out of use for each depth: 0 below the table's first depth, linear between points."""
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[1] != 2 or t.shape[0] < 1:
        raise ScenarioError("needs [depth_m, days] pairs", field=field, value=np.asarray(table).tolist())
    if np.any(np.diff(t[:, 0]) <= 0) or np.any(np.diff(t[:, 1]) < 0) or np.any(t < 0):
        raise ScenarioError("depths must increase and days must not fall as depth grows", field=field, value=t.tolist())
    d = np.asarray(depth_m, dtype=float)
    return np.where(d >= t[0, 0], np.interp(d, t[:, 0], t[:, 1]), 0.0)


def passable_islands(max_depth: np.ndarray, passable_m: float = 0.3) -> np.ndarray:
    """Label of the dry-enough island each cell belongs to (0 where the cell itself is impassable)."""
    from scipy.ndimage import label

    lab, _ = label(np.asarray(max_depth) < passable_m)
    return lab


def access_after_flood(max_depth: np.ndarray, cx: np.ndarray, cy: np.ndarray, service_xy: np.ndarray,
                       service_closed: np.ndarray, *, passable_m: float = 0.3, alternative_m: float = 3000.0
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: is the nearest face-to-face service lost, and is there no alternative?

    Parameters
    ----------
    max_depth
        Peak depth (m), shape (ny, nx).
    cx, cy
        Cell-centre coordinates (m), flat, row-major like ``max_depth``.
    service_xy
        (n, 2) coordinates of the face-to-face services.
    service_closed
        (n,) whether each service is closed (flooded).

    Returns
    -------
    lost, no_alternative, nearest
        Flat boolean arrays per cell (nearest closed or cut off; no open reachable service
        within ``alternative_m``) and the index of each cell's nearest service (-1 if none).
    """
    n_cells = cx.size
    if len(service_xy) == 0:
        none = np.ones(n_cells, bool)
        return none, none, np.full(n_cells, -1)
    islands = passable_islands(max_depth, passable_m).ravel()
    sx, sy = np.asarray(service_xy, dtype=float).T
    ny, nx = np.asarray(max_depth).shape
    x0, y0 = cx[0], cy[0]
    dx = cx[1] - cx[0] if nx > 1 else 1.0
    dy = cy[nx] - cy[0] if ny > 1 else 1.0
    col = np.clip(np.rint((sx - x0) / dx).astype(int), 0, nx - 1)
    row = np.clip(np.rint((sy - y0) / dy).astype(int), 0, ny - 1)
    s_island = islands[row * nx + col]
    dist = np.hypot(cx[None, :] - sx[:, None], cy[None, :] - sy[:, None])       # (n_services, n_cells)
    nearest = np.argmin(dist, axis=0)
    reach = (islands[None, :] > 0) & (islands[None, :] == s_island[:, None]) & ~np.asarray(service_closed)[:, None]
    lost = ~reach[nearest, np.arange(n_cells)]
    best = np.where(reach, dist, np.inf).min(axis=0)
    return lost, best > alternative_m, nearest
