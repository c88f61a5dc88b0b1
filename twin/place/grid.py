"""Grid helpers: building a place grid, rasterising zones, zonal statistics, distances.

A place grid is an :class:`xarray.Dataset` (or the same arrays as
:class:`~twin.place._layers.Layers`; every function here takes either) with dims ``("y", "x")`` whose coordinates
are cell centres in metres (British National Grid, ``crs = "EPSG:27700"``), ``x``
ascending and ``y`` descending (north first), with square cells. Everything here is a
pure function of arrays so it can be tested and used without a Place or a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "cell_centres",
    "cell_of",
    "cell_size",
    "distance_to_nearest",
    "make_grid",
    "rasterize_zones",
    "zonal_stat",
]

CRS = "EPSG:27700"


def make_grid(x_min: float, y_max: float, nx: int, ny: int, size: float = 100.0) -> xr.Dataset:
    """An empty CF grid with cell-centre coordinates.

    Parameters
    ----------
    x_min, y_max
        West and north edges of the grid (metres, EPSG:27700).
    nx, ny
        Number of columns and rows.
    size
        Cell side in metres.

    Returns
    -------
    xarray.Dataset
        No data variables; coords ``x`` (ascending) and ``y`` (descending) with CF attributes.
    """
    import xarray as xr

    x = x_min + size * (np.arange(nx) + 0.5)
    y = y_max - size * (np.arange(ny) + 0.5)
    ds = xr.Dataset(
        coords={
            "y": ("y", y, {"units": "m", "standard_name": "projection_y_coordinate",
                           "long_name": "northing of cell centre", "axis": "Y"}),
            "x": ("x", x, {"units": "m", "standard_name": "projection_x_coordinate",
                           "long_name": "easting of cell centre", "axis": "X"}),
        },
        attrs={"Conventions": "CF-1.8", "crs": CRS, "cell_size": float(size)},
    )
    return ds


def cell_size(grid: xr.Dataset) -> float:
    """Side of a (square) grid cell in metres, from the ``x`` coordinate spacing."""
    x = np.asarray(grid["x"], dtype=float)
    if x.size > 1:
        return float(abs(x[1] - x[0]))
    y = np.asarray(grid["y"], dtype=float)
    if y.size > 1:
        return float(abs(y[1] - y[0]))
    return float(grid.attrs.get("cell_size", 100.0))


def cell_centres(grid: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """2-D arrays ``(X, Y)`` of cell-centre coordinates, shape ``(ny, nx)``."""
    xs = np.asarray(grid["x"], dtype=float)
    ys = np.asarray(grid["y"], dtype=float)
    X, Y = np.meshgrid(xs, ys)
    return X, Y


def rasterize_zones(zones: Sequence[Any], grid: xr.Dataset) -> np.ndarray:
    """Index of the zone whose polygon contains each cell centre.

    Parameters
    ----------
    zones
        Zones (objects with a ``geometry`` attribute) or shapely polygons, in grid CRS.
    grid
        Place grid with ``x`` and ``y`` coordinates.

    Returns
    -------
    numpy.ndarray
        ``(ny, nx)`` int32: index into ``zones``, ``-1`` where no zone contains the
        centre. Where polygons overlap the first zone wins.

    Notes
    -----
    A cell belongs to a zone when its centre lies strictly inside the polygon
    (``shapely.contains_xy``), evaluated only on the polygon's bounding box.
    """
    import shapely

    xs = np.asarray(grid["x"], dtype=float)
    ys = np.asarray(grid["y"], dtype=float)
    out = np.full((ys.size, xs.size), -1, dtype=np.int32)
    for i, zone in enumerate(zones):
        geom = getattr(zone, "geometry", zone)
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        cols = np.nonzero((xs >= x0) & (xs <= x1))[0]
        rows = np.nonzero((ys >= y0) & (ys <= y1))[0]
        if cols.size == 0 or rows.size == 0:
            continue
        sub_x, sub_y = np.meshgrid(xs[cols], ys[rows])
        inside = shapely.contains_xy(geom, sub_x, sub_y)
        block = out[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
        block[inside & (block < 0)] = i
    return out


def zonal_stat(
    values: np.ndarray,
    zone_index: np.ndarray,
    n_zones: int,
    how: str = "mean",
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Statistic of a ``(y, x)`` layer within each zone.

    Parameters
    ----------
    values
        Layer values, same shape as ``zone_index``. NaN cells are ignored.
    zone_index
        Zone of each cell (from :func:`rasterize_zones`), ``-1`` outside all zones.
    n_zones
        Length of the result.
    how
        ``"mean"`` (weighted mean), ``"sum"`` (weighted sum), ``"max"`` or ``"min"``.
    weights
        Optional cell weights (e.g. residents) for ``"mean"`` and ``"sum"``.

    Returns
    -------
    numpy.ndarray
        ``(n_zones,)`` float64; NaN for a mean or extreme over a zone with no
        (weighted) cells, 0 for an empty sum.
    """
    v = np.asarray(values, dtype=float).ravel()
    z = np.asarray(zone_index).ravel()
    if v.shape != z.shape:
        raise ValueError(f"values shape {np.shape(values)} does not match zone_index {np.shape(zone_index)}")
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float).ravel()
    ok = (z >= 0) & (z < n_zones) & np.isfinite(v) & np.isfinite(w)
    z, v, w = z[ok], v[ok], w[ok]
    if how == "sum":
        return np.bincount(z, weights=v * w, minlength=n_zones)[:n_zones]
    if how == "mean":
        num = np.bincount(z, weights=v * w, minlength=n_zones)[:n_zones]
        den = np.bincount(z, weights=w, minlength=n_zones)[:n_zones]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    if how in ("max", "min"):
        out = np.full(n_zones, np.nan)
        (np.fmax if how == "max" else np.fmin).at(out, z, v)
        return out
    raise ValueError(f"how must be 'mean', 'sum', 'max' or 'min' (got {how!r})")


def distance_to_nearest(grid: xr.Dataset, xs: Iterable[float], ys: Iterable[float]) -> np.ndarray:
    """Distance in metres from every cell centre to the nearest of the given points.

    Parameters
    ----------
    grid
        Place grid.
    xs, ys
        Point coordinates (EPSG:27700 metres), e.g. service locations.

    Returns
    -------
    numpy.ndarray
        ``(ny, nx)`` float64 distances; ``inf`` everywhere when there are no points.
    """
    from scipy.spatial import cKDTree

    px = np.asarray(list(xs), dtype=float)
    py = np.asarray(list(ys), dtype=float)
    X, Y = cell_centres(grid)
    if px.size == 0:
        return np.full(X.shape, np.inf)
    tree = cKDTree(np.column_stack([px, py]))
    dist, _ = tree.query(np.column_stack([X.ravel(), Y.ravel()]))
    return dist.reshape(X.shape)


def cell_of(grid: xr.Dataset, x: float | np.ndarray, y: float | np.ndarray) -> int | np.ndarray:
    """Flat (row-major) index of the cell containing each point, ``-1`` off the grid.

    Parameters
    ----------
    grid
        Place grid (x ascending, y descending).
    x, y
        Point coordinates in metres; scalars or arrays of the same shape.

    Returns
    -------
    int or numpy.ndarray
        ``row * nx + col``; an ``int`` for scalar input.
    """
    xs = np.asarray(grid["x"], dtype=float)
    ys = np.asarray(grid["y"], dtype=float)
    size = cell_size(grid)
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    col = np.floor((xa - (xs[0] - size / 2)) / size).astype(np.int64)
    if ys.size > 1 and ys[1] > ys[0]:  # ascending y (not the convention, but tolerate it)
        row = np.floor((ya - (ys[0] - size / 2)) / size).astype(np.int64)
    else:
        row = np.floor(((ys[0] + size / 2) - ya) / size).astype(np.int64)
    inside = (col >= 0) & (col < xs.size) & (row >= 0) & (row < ys.size)
    flat = np.where(inside, row * xs.size + col, -1)
    return int(flat) if flat.ndim == 0 else flat
