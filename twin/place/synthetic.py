"""Deterministic generator of the two bundled synthetic places.

``urban_borough``: about 150,000 residents in 20 wards on 100 m cells (12 km x 10 km), a
river valley, a dense centre with a heat island, greener suburbs and parks, a young
London-like age structure. ``rural_district``: about 60,000 residents in 15 wards on
200 m cells (30 km x 25 km), two market towns on higher ground, scattered villages and
farmland, an older population, few services far apart.

Everything is drawn from one :class:`numpy.random.Generator` seeded by a fixed number per
place, so regenerating gives byte-identical files. Calibration sources (docs/sources.md) are cited
where a value is used and listed in each place's ``sources``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twin.place._io import LAYER_ATTRS, make_population
from twin.place._synth_land import Land, rural_land, urban_land
from twin.place._synth_people import synth_counts
from twin.place import Place, Zone
from twin.place._synth_services import make_services

__all__ = ["GENERATORS", "SEEDS", "rural_district", "urban_borough", "write_bundled_places"]

#: Fixed seeds: changing one changes the bundled data.
SEEDS = {"urban_borough": 20_251_101, "rural_district": 20_251_102}

_URBAN_NAMES = (
    "Riverside", "Market Hill", "Church End", "Kingsmead", "Northfield", "Eastbrook", "Westgate",
    "Southwood", "Hatherley", "Bridge Street", "Parkside", "Mill Lane", "Highcross", "Greenvale",
    "Old Town", "Wharfside", "St Anne's", "Fairfield", "Ashgrove", "Holloway Green", "Canal Side",
    "Brookfield", "Lower Common", "Beacon Rise",
)

COMMON_SOURCES = [
    "ONS Census 2021: E&W age structure <15 17.4%, 15-64 64.1%, 65+ 18.6%, 90+ 527,900 (docs/sources.md s5)",
    "ONS 2020-based national population projections: 85+ share 2.5% (2020) -> 4.3% (2045) (docs/sources.md s5)",
    "ONS Births in England and Wales 2023: TFR E&W 1.44, London 1.35 (docs/sources.md s5)",
    "Synthetic: geometry, land cover, settlement pattern, service locations and capacities are invented (L)",
]


def _voronoi_zones(rng, land: Land, n_zones: int, uniform_weight: float):
    """Zone polygons: Voronoi cells of population-weighted k-means seeds, clipped to the boundary."""
    import shapely

    from twin.place.grid import cell_centres

    X, Y = cell_centres(land.grid)
    inside = shapely.contains_xy(land.boundary, X, Y).ravel()
    pts = np.column_stack([X.ravel()[inside], Y.ravel()[inside]])
    w = land.density.ravel()[inside]
    w = w / w.sum() + uniform_weight / w.size
    seeds = pts[rng.choice(pts.shape[0], n_zones, replace=False, p=w / w.sum())]
    for _ in range(30):  # weighted Lloyd iterations: wards of similar population
        d2 = ((pts[:, None, :] - seeds[None, :, :]) ** 2).sum(-1)
        lab = d2.argmin(1)
        for k in range(n_zones):
            m = lab == k
            if m.any():
                seeds[k] = (pts[m] * w[m, None]).sum(0) / w[m].sum()
    seeds = np.round(seeds, 1)
    order = np.lexsort((seeds[:, 0], -np.round(seeds[:, 1] / 2500)))  # north to south, west to east
    seeds = seeds[order]
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=land.boundary.envelope.buffer(1000),
                                     ordered=True)
    polys = [shapely.set_precision(g & land.boundary, 0.1) for g in shapely.get_parts(cells)]
    return seeds, polys


def _largest_remainder(expected: np.ndarray, total: int) -> np.ndarray:
    base = np.floor(expected).astype(np.int64)
    rest = int(total - base.sum())
    order = np.argsort(-(expected - base), kind="stable")
    base[order[:rest]] += 1
    return base


def _assemble(name: str, kind: str, land: Land, rng: np.random.Generator, n_zones: int, residents: int,
              meta: dict, uniform_weight: float) -> Place:
    from twin.place.grid import rasterize_zones, zonal_stat

    seeds, polys = _voronoi_zones(rng, land, n_zones, uniform_weight)
    zidx = rasterize_zones(polys, land.grid)
    dens = np.where(zidx >= 0, land.density, 0.0)
    totals = _largest_remainder(zonal_stat(dens, zidx, n_zones, how="sum") * residents / dens.sum(), residents)
    counts = np.zeros(dens.shape, dtype=np.int64)
    for k in range(n_zones):
        m = zidx == k
        p = dens[m] / dens[m].sum()
        counts[m] = rng.multinomial(int(totals[k]), p)
    grid = land.grid.copy()
    units, long_name = LAYER_ATTRS["residents"]
    grid["residents"] = (("y", "x"), counts.astype(np.int32), {"units": units, "long_name": long_name})
    # Zone character: centrality, closeness to the river, density.
    area_ha = np.array([p.area for p in polys]) / 1e4
    cx, cy = land.centre
    dist_c = np.hypot(seeds[:, 0] - cx, seeds[:, 1] - cy)
    river = zonal_stat(land.river_distance, zidx, n_zones, how="mean", weights=dens + 1e-9)
    noise = rng.normal(0, 1, n_zones)
    if kind == "urban":
        # Deprivation concentrated near the centre and the river (L); London-like spread, deciles 1..9.
        score = dist_c / dist_c.max() + 0.6 * np.minimum(river, 2000) / 2000 + 0.35 * noise
        lo, hi = 1, 9
        urban_rural = np.where(totals / area_ha >= 10, "urban", "rural")
        tilts = 0.5 * (dist_c / dist_c.max() - 0.5) + 0.15 * noise
        names = [_URBAN_NAMES[i] for i in range(n_zones)]
    else:
        towns = land.settlements[:2]
        near_town = np.array([min(np.hypot(s[0] - t[1], s[1] - t[2]) / t[4] for t in towns) for s in seeds])
        town_share = _town_share(land, zidx, n_zones, dens)
        # Market towns more deprived than villages (L); rural deciles 3..10.
        score = np.minimum(near_town, 20) / 20 + 0.4 * noise - 0.6 * town_share
        lo, hi = 3, 10
        # ONS rural-urban classification: settlements of 10,000+ are urban.
        urban_rural = np.where(town_share > 0.5, "urban", "rural")
        tilts = 0.35 * (0.5 - town_share) + 0.12 * noise
        names = _rural_names(land, seeds, zidx)
    rank = np.argsort(np.argsort(score, kind="stable"), kind="stable")
    deciles = np.clip(np.round(lo + (hi - lo) * rank / max(n_zones - 1, 1) + rng.normal(0, 0.5, n_zones)), 1, 10)
    zones = tuple(Zone(code=f"Z{i + 1:02d}", name=names[i], urban_rural=str(urban_rural[i]),
                       deprivation_decile=int(deciles[i]), geometry=polys[i]) for i in range(n_zones))
    pop = make_population(synth_counts(rng, totals, tilts - np.average(tilts, weights=totals), kind),
                          [z.code for z in zones])
    services = make_services(rng, kind, land, zones, zidx, counts)
    return Place(name=name, meta=meta, grid=grid, zones=zones, services=services, population=pop)


def _town_share(land: Land, zidx, n_zones, dens) -> np.ndarray:
    from twin.place.grid import cell_centres, zonal_stat

    X, Y = cell_centres(land.grid)
    in_town = np.zeros(X.shape, dtype=bool)
    for _, px, py, _, radius in land.settlements[:2]:
        in_town |= np.hypot(X - px, Y - py) < 2 * radius
    return zonal_stat(in_town.astype(float), zidx, n_zones, how="mean", weights=dens + 1e-12)


def _rural_names(land: Land, seeds: np.ndarray, zidx: np.ndarray) -> list[str]:
    """Name each rural ward after its largest settlement; a town's wards get compass suffixes."""
    from twin.place.grid import cell_of

    towns = {s[0] for s in land.settlements[:2]}
    home = [int(zidx.ravel()[cell_of(land.grid, s[1], s[2])]) for s in land.settlements]
    names = []
    for k, (sx, sy) in enumerate(seeds):
        mine = [s for s, z in zip(land.settlements, home) if z == k]
        if mine:
            best = max(mine, key=lambda s: s[3])
        else:
            best = min(land.settlements, key=lambda s: np.hypot(s[1] - sx, s[2] - sy))
        name = best[0]
        if name in towns and (not mine or np.hypot(best[1] - sx, best[2] - sy) > best[4]):
            ang = np.degrees(np.arctan2(sy - best[2], sx - best[1])) % 360
            name += " " + ("East", "North", "West", "South")[int(((ang + 45) % 360) // 90)]
        names.append(name)
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} {seen[n]}")
    return out


def urban_borough(seed: int = SEEDS["urban_borough"]) -> Place:
    """The bundled London-like urban borough (about 150,000 residents, 20 wards)."""
    rng = np.random.default_rng(seed)
    residents = 150_000
    land = urban_land(rng, residents)
    meta = {
        "name": "urban_borough",
        "description": "Synthetic London-like borough: river valley, dense centre with a heat island, "
                       "green suburbs and parks, young population.",
        "crs": "EPSG:27700", "cell_size": 100.0, "region": "London", "climate_station": "heathrow",
        "sources": COMMON_SOURCES + [
            "Graves et al. 2001 / LCCP: London nocturnal UHI up to 7 degC centre vs rural (docs/sources.md s3)",
            "Doick et al. 2014; Bowler et al. 2010: park cool islands (docs/sources.md s3)",
            "Met Office station climatology Heathrow 1991-2020 (docs/sources.md s9)",
        ],
    }
    return _assemble("urban_borough", "urban", land, rng, 20, residents, meta, uniform_weight=0.25)


def rural_district(seed: int = SEEDS["rural_district"]) -> Place:
    """The bundled South West rural district (about 60,000 residents, 15 wards)."""
    rng = np.random.default_rng(seed)
    residents = 60_000
    land = rural_land(rng, residents)
    meta = {
        "name": "rural_district",
        "description": "Synthetic South West district: two market towns on higher ground, scattered villages "
                       "and farmland, older population, services far apart.",
        "crs": "EPSG:27700", "cell_size": 200.0, "region": "South West", "climate_station": "yeovilton",
        "sources": COMMON_SOURCES + [
            "ONS rural-urban classification: settlements of 10,000+ residents are urban",
            "Met Office station climatology Yeovilton 1991-2020 (docs/sources.md s9)",
        ],
    }
    return _assemble("rural_district", "rural", land, rng, 15, residents, meta, uniform_weight=0.3)


GENERATORS = {"urban_borough": urban_borough, "rural_district": rural_district}


def write_bundled_places(out_dir: str | Path, *, overwrite: bool = True) -> list[Path]:
    """Generate both bundled places into ``out_dir/<name>``; return the directories written."""
    out = Path(out_dir)
    written = []
    for name, make in GENERATORS.items():
        written.append(make().save(out / name, overwrite=overwrite))
    return written
