"""Surface-water flow paths on a DEM: where the runoff that reaches a village comes from.

:func:`drainage_tree` routes every cell to a neighbour by priority flood from the grid's edge
(Barnes, Lehman & Mulla 2014, *Computers & Geosciences* 62:117-127): the cell that first reaches
a cell on the way in from the edge is where that cell drains to, so depressions drain over their
spill point and every cell has a path to the edge. :func:`contributing_area` counts the cells
upstream of each cell. :func:`attenuation_sites` picks, on each flow path that runs from fields
into homes where water ponds, the last field cell before the homes: where a runoff attenuation
feature (an earth bund across the flow path, a storage pond) holds water back (Quinn et al.,
*Water* 14:3807, 2022; docs/sources.md, "Flooding").
"""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["attenuation_sites", "children_of", "contributing_area", "drainage_tree", "pond_behind"]

_STEPS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def drainage_tree(elevation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(parent, order)``: the flat index each cell drains to (-1 at the edge) and the cells
    in the order the flood reached them (downstream first)."""
    z = np.asarray(elevation, dtype=float)
    ny, nx = z.shape
    parent = np.full(ny * nx, -1, np.int64)
    seen = np.zeros((ny, nx), bool)
    heap: list = []
    for r in range(ny):
        for c in range(nx):
            if r in (0, ny - 1) or c in (0, nx - 1):
                seen[r, c] = True
                heap.append((z[r, c], r * nx + c))
    heapq.heapify(heap)
    order = []
    while heap:
        level, i = heapq.heappop(heap)
        order.append(i)
        r, c = divmod(i, nx)
        for dr, dc in _STEPS:
            rr, cc = r + dr, c + dc
            if 0 <= rr < ny and 0 <= cc < nx and not seen[rr, cc]:
                seen[rr, cc] = True
                parent[rr * nx + cc] = i
                heapq.heappush(heap, (max(z[rr, cc], level), rr * nx + cc))
    return parent, np.asarray(order, np.int64)


def contributing_area(parent: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Cells draining through each cell, itself included (flat)."""
    acc = np.ones(parent.size)
    for i in order[::-1]:       # upstream first
        p = parent[i]
        if p >= 0:
            acc[p] += acc[i]
    return acc


def attenuation_sites(elevation: np.ndarray, field: np.ndarray, at_risk: np.ndarray, *, min_cells: float,
                      reach_cells: int, tree: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Flat indices of runoff attenuation sites (see module notes).

    A site is a ``field`` cell draining at least ``min_cells`` cells whose next cell downstream
    is not a field cell, and whose flow path reaches an ``at_risk`` cell (homes where water
    ponds) within ``reach_cells`` cells. ``tree`` is :func:`drainage_tree` of ``elevation`` if
    already computed.
    """
    parent, order = tree if tree is not None else drainage_tree(elevation)
    acc = contributing_area(parent, order)
    f, risk = np.asarray(field, bool).ravel(), np.asarray(at_risk, bool).ravel()
    # steps downstream to the nearest at-risk cell (inf: none), computed downstream first
    dist = np.full(parent.size, np.inf)
    for i in order:
        if risk[i]:
            dist[i] = 0.0
        elif parent[i] >= 0:
            dist[i] = dist[parent[i]] + 1.0
    outlet = np.ones(parent.size, bool)
    has = parent >= 0
    outlet[has] = ~f[parent[has]]
    ok = f & outlet & (acc >= min_cells) & (dist <= reach_cells)
    return np.flatnonzero(ok)


def children_of(parent: np.ndarray) -> dict[int, list[int]]:
    """The cells draining directly to each cell (the inverse of ``parent``)."""
    out: dict[int, list[int]] = {}
    for i in np.flatnonzero(parent >= 0):
        out.setdefault(int(parent[i]), []).append(int(i))
    return out


def pond_behind(site: int, children: dict[int, list[int]], elevation: np.ndarray, height: float) -> np.ndarray:
    """Flat indices of the cells upstream of ``site`` lower than its ground plus ``height``: where
    water stands behind a bund of that height on the site (the site included). ``children`` is
    :func:`children_of` the drainage tree."""
    z = np.asarray(elevation, dtype=float).ravel()
    crest = z[site] + height
    out, todo = [site], [site]
    while todo:
        for k in children.get(todo.pop(), ()):
            if z[k] < crest:
                out.append(k)
                todo.append(k)
    return np.asarray(out, np.int64)
