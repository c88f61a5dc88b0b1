"""Synthetic landscapes for the bundled places (private; see twin.place.synthetic).

Each function takes a numpy Generator and returns a :class:`Land`: the grid with its
layers (elevation, impervious, canopy, building), the place boundary, the expected
residents per cell (a float density to be turned into counts) and named settlements.
Everything is deterministic given the Generator's state.

Calibration notes (docs/sources.md section 3): a dense centre with high impervious and building
fractions makes the heat island (London nocturnal UHI up to 7 degC centre vs rural,
Graves et al. 2001 / LCCP); parks and a wooded river corridor give the cool islands
(Doick et al. 2014; Bowler et al. 2010). Land-cover magnitudes are L.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from twin.place.grid import cell_centres, make_grid

__all__ = ["Land", "rural_land", "urban_land"]


@dataclass
class Land:
    grid: xr.Dataset                 # layers without residents
    boundary: object                 # shapely Polygon
    density: np.ndarray              # expected residents per cell (float, 0 outside/parks/water)
    settlements: list = field(default_factory=list)  # (name, x, y, population, radius m)
    centre: tuple = (0.0, 0.0)
    river_distance: np.ndarray | None = None


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Gaussian-smoothed white noise rescaled to mean 0, standard deviation 1."""
    from scipy.ndimage import gaussian_filter

    f = gaussian_filter(rng.standard_normal(shape), sigma, mode="reflect")
    return (f - f.mean()) / f.std()


def blob(rng: np.random.Generator, cx: float, cy: float, a: float, b: float, n: int = 160):
    """A smooth irregular closed polygon (a council boundary) around (cx, cy)."""
    import shapely

    th = np.linspace(0, 2 * np.pi, n, endpoint=False)
    phase = rng.uniform(0, 2 * np.pi, 4)
    wobble = (1 + 0.07 * np.sin(2 * th + phase[0]) + 0.05 * np.sin(3 * th + phase[1])
              + 0.03 * np.sin(5 * th + phase[2]) + 0.015 * np.sin(9 * th + phase[3]))
    r = a * b / np.sqrt((b * np.cos(th)) ** 2 + (a * np.sin(th)) ** 2) * wobble
    return shapely.Polygon(np.column_stack([cx + r * np.cos(th), cy + r * np.sin(th)]))


def _layers(grid: xr.Dataset, elevation, impervious, canopy, building) -> xr.Dataset:
    from twin.place._io import LAYER_ATTRS

    out = grid.copy()
    for name, arr in (("elevation", elevation), ("impervious", impervious),
                      ("canopy", canopy), ("building", building)):
        units, long_name = LAYER_ATTRS[name]
        vals = np.round(arr, 1) if name == "elevation" else np.round(arr, 3)
        out[name] = (("y", "x"), vals.astype(np.float32), {"units": units, "long_name": long_name})
    return out


def urban_land(rng: np.random.Generator, residents: int) -> Land:
    """A 12 km x 10 km London-like borough on 100 m cells, a river valley across it."""
    import shapely

    x_min, y_max, nx, ny, size = 525_000.0, 180_000.0, 120, 100, 100.0
    grid = make_grid(x_min, y_max, nx, ny, size)
    X, Y = cell_centres(grid)
    u, v = X - x_min, Y - (y_max - ny * size)          # local metres from the SW corner
    ph = rng.uniform(0, 2 * np.pi, 2)
    river_y = 4300 + 700 * np.sin(2 * np.pi * u / 9000 + ph[0]) + 250 * np.sin(2 * np.pi * u / 3100 + ph[1])
    d = np.abs(v - river_y)                              # distance to the river (m, north-south)
    river = d < 60
    n1, n2, n3 = smooth_noise(rng, X.shape, 8), smooth_noise(rng, X.shape, 4), smooth_noise(rng, X.shape, 1.5)
    elevation = np.maximum(3.0, 5 + 45 * (1 - np.exp(-d / 1500)) + 12 * v / 10_000 + 6 * n1)
    elevation[river] = 3.0
    boundary = blob(rng, x_min + 6000, y_max - 5000, 5400, 4500) & shapely.box(
        x_min + 100, y_max - ny * size + 100, x_min + nx * size - 100, y_max - 100)
    inside = shapely.contains_xy(boundary, X, Y)
    # Town centre on the north bank; two district centres.
    cu = 5600.0
    cv = float(4300 + 700 * np.sin(2 * np.pi * cu / 9000 + ph[0]) + 250 * np.sin(2 * np.pi * cu / 3100 + ph[1]) + 600)
    centre = (x_min + cu, y_max - ny * size + cv)
    r = np.hypot(u - cu, v - cv)
    intensity = 0.26 + 0.68 * np.exp(-(r / 2400) ** 2) + 0.10 * n2
    for du, dv in ((-3600, 2300), (3300, -2400)):
        intensity += 0.22 * np.exp(-(np.hypot(u - cu - du, v - cv - dv) / 800) ** 2)
    intensity = np.clip(intensity, 0, 1)
    # Parks: six commons/parks away from the centre, plus floodplain parkland along the river.
    park = (d < 250) & (n1 > 0.2)
    placed = 0
    while placed < 6:
        pu, pv = rng.uniform(800, 11_200), rng.uniform(800, 9_200)
        if np.hypot(pu - cu, pv - cv) < 1500 or not shapely.contains_xy(boundary, x_min + pu, y_max - ny * size + pv):
            continue
        park |= np.hypot(u - pu, v - pv) < rng.uniform(250, 650)
        placed += 1
    impervious = np.clip(0.08 + 0.85 * intensity + 0.04 * n3, 0.02, 0.97)
    building = np.clip(0.6 * impervious ** 1.4 + 0.02 * n3, 0.0, 0.75)
    canopy = np.clip(0.40 - 0.36 * intensity + 0.06 * n3, 0.02, 0.8)
    impervious[park], building[park] = 0.05, 0.005
    canopy[park] = np.clip(0.45 + 0.12 * n3[park], 0.2, 0.8)
    impervious[river], building[river], canopy[river] = 0.02, 0.0, 0.10
    weight = np.where(inside & ~park & ~river, building ** 1.2, 0.0)
    density = residents * weight / weight.sum()
    grid = _layers(grid, elevation, impervious, canopy, building)
    return Land(grid=grid, boundary=boundary, density=density, centre=centre, river_distance=d)


_TOWNS = ("Ashcombe", "Wellbridge")
_VILLAGES = (
    "Stoke Abbas", "Little Harpton", "Combe Marsh", "Nether Wyke", "Kingsdon Cross", "Old Sarsden",
    "Hollowell", "East Chilton", "West Chilton", "Barrow Gurney", "Temple Hatch", "Brockley",
    "Cheriton Fitz", "Lydford Green", "Marston End", "Puckington", "Shepton Vale", "Withey",
    "Alford Hill", "Cadbury Moor", "Fivehead", "Yarlington", "Tintinhull Down", "Norton Sub",
    "Ilbury", "Pitney", "Drayton Ash", "Langley Burrell", "Hinton Mead", "Rimpton",
)


def rural_land(rng: np.random.Generator, residents: int) -> Land:
    """A 30 km x 25 km South West district on 200 m cells: towns on high ground, villages, farmland."""
    x_min, y_max, nx, ny, size = 345_000.0, 135_000.0, 150, 125, 200.0
    grid = make_grid(x_min, y_max, nx, ny, size)
    X, Y = cell_centres(grid)
    u, v = X - x_min, Y - (y_max - ny * size)
    n1, n2, n3 = smooth_noise(rng, X.shape, 12), smooth_noise(rng, X.shape, 3), smooth_noise(rng, X.shape, 1.2)
    ph = rng.uniform(0, 2 * np.pi)
    river_v = 17_000 - 0.25 * u + 1800 * np.sin(2 * np.pi * u / 14_000 + ph)
    d = np.abs(v - river_v)
    # Levels-like lowland to the north-west, rising hills to the south-east (about 5-200 m).
    elevation = 15 + 0.0028 * (u + 0.9 * (25_000 - v)) + 18 * n1 - 20 * np.exp(-d / 1800)
    elevation = np.maximum(elevation, 5.0)
    boundary = blob(rng, x_min + 15_000, y_max - 12_500, 14_200, 11_800)
    import shapely

    inside = shapely.contains_xy(boundary, X, Y)
    high = elevation > np.quantile(elevation[inside], 0.55)
    # Two market towns on higher ground (>= 10,000 each: urban in the ONS rural-urban sense), then villages.
    settlements: list = []
    pops = [14_500, 10_500] + list(np.round(rng.lognormal(np.log(650), 0.6, len(_VILLAGES)), -1))
    names = list(_TOWNS) + list(_VILLAGES)
    flat = np.flatnonzero(inside.ravel())
    for name, pop in zip(names, pops):
        min_gap = 9000 if name in _TOWNS else 1800
        for _ in range(2000):
            k = flat[rng.integers(flat.size)]
            px, py = X.ravel()[k], Y.ravel()[k]
            if name in _TOWNS and not high.ravel()[k]:
                continue
            if shapely.distance(boundary.exterior, shapely.Point(px, py)) < (3000 if name in _TOWNS else 800):
                continue
            if all(np.hypot(px - s[1], py - s[2]) >= max(min_gap, 1800) for s in settlements):
                break
        radius = 260 * np.sqrt(pop / 1000) + 120
        settlements.append((name, float(px), float(py), float(pop), float(radius)))
    built = np.zeros_like(X)
    settled = np.zeros_like(X)
    for _, px, py, pop, radius in settlements:
        k = np.exp(-(np.hypot(X - px, Y - py) / radius) ** 2)
        built = np.maximum(built, k * min(1.0, 0.45 + pop / 30_000))
        settled += pop * np.where(inside, k, 0) / max(np.where(inside, k, 0).sum(), 1e-9)
    wood = (n2 > 1.3) & (built < 0.05)
    impervious = np.clip(0.01 + 0.80 * built + 0.01 * n3, 0.0, 0.9)
    building = np.clip(0.5 * impervious ** 1.3, 0.0, 0.6)
    canopy = np.clip(0.09 + 0.03 * n3 + 0.05 * built, 0.02, 0.5)   # hedgerows and gardens
    canopy[wood] = np.clip(0.65 + 0.1 * n3[wood], 0.3, 0.9)
    farms = np.where(inside & ~wood, np.exp(0.8 * n3), 0.0)         # scattered farmsteads
    scattered = residents - sum(s[3] for s in settlements)
    density = settled + max(scattered, 0) * farms / farms.sum()
    density *= residents / density.sum()
    grid = _layers(grid, elevation, impervious, canopy, building)
    return Land(grid=grid, boundary=boundary, density=density, settlements=settlements,
                centre=(settlements[0][1], settlements[0][2]), river_distance=d)
