"""Tiny places, drivers and results for tests and notebooks (the way ``xarray.testing`` ships helpers).

>>> from twin.testing import tiny_place
>>> place = tiny_place(n_zones=4, residents=2000)
>>> place.residents, len(place.zones)
(2000, 4)

- :func:`tiny_place` / :func:`write_tiny_place`: a small place in memory or on disk;
- :func:`tiny_drivers`: daily weather of a given shape on a place, without the weather generator;
- :func:`tiny_scenario` / :func:`tiny_results`: a small scenario on a tiny place and its results,
  run through the real engine;
- :func:`assert_results_valid`: what every results dataset must satisfy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from twin.place._io import LAYER_ATTRS, make_population
from twin.place._synth_people import synth_counts
from twin.place.grid import cell_centres, make_grid
from twin.place import Place, Service, Zone

__all__ = ["assert_results_valid", "tiny_drivers", "tiny_place", "tiny_results", "tiny_scenario", "write_tiny_place"]


def _layout(n: int) -> tuple[int, int]:
    rows = max(d for d in range(1, int(np.sqrt(n)) + 1) if n % d == 0)
    return rows, n // rows


def tiny_place(
    n_zones: int = 4,
    residents: int = 2000,
    seed: int = 0,
    urban: bool = True,
    *,
    size: int = 20,
    cell_size: float = 100.0,
    name: str = "tiny",
    with_services: bool = True,
) -> Place:
    """A small, valid Place built in memory (a ``size`` x ``size`` grid of rectangular zones).

    Parameters
    ----------
    n_zones
        Number of zones, laid out as a near-square grid of rectangles aligned to cells.
    residents
        Total residents (population.csv total and the sum of the ``residents`` layer).
    seed
        Seed of the Generator used for land cover, residents and ages.
    urban
        Urban (dense centre in zone ``Z01``, younger, region London) or rural (older, South West).
    size, cell_size
        Grid cells per side and cell side in metres.
    name
        Place name.
    with_services
        Add one GP practice per zone and one each of the other service types.

    Returns
    -------
    Place
        Zones ``Z01``..; zone residents equal population totals; ``load(save(p))`` round-trips.
    """
    import shapely

    rng = np.random.default_rng(seed)
    rows, cols = _layout(n_zones)
    if rows > size or cols > size:
        raise ValueError(f"n_zones={n_zones} does not fit a {size}x{size} grid")
    x_min, y_max = 530_000.0, 180_000.0
    grid = make_grid(x_min, y_max, size, size, cell_size)
    X, Y = cell_centres(grid)
    xe = x_min + cell_size * np.round(np.linspace(0, size, cols + 1))
    ye = y_max - cell_size * np.round(np.linspace(0, size, rows + 1))
    zones = []
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            zones.append(Zone(code=f"Z{i + 1:02d}", name=f"Zone {i + 1}",
                              urban_rural="urban" if (urban and i < max(1, n_zones - 1)) else "rural",
                              deprivation_decile=int(1 + (9 * i) // max(n_zones - 1, 1)),
                              geometry=shapely.box(xe[c], ye[r + 1], xe[c + 1], ye[r])))
    # Land cover: dense in the north-west corner (zone Z01) when urban.
    r = np.hypot(X - X.min(), Y - Y.max()) / (size * cell_size)
    dense = np.exp(-(r / 0.5) ** 2) if urban else 0.1 * np.exp(-(r / 0.3) ** 2)
    noise = rng.uniform(-0.03, 0.03, X.shape)
    layers = {
        "elevation": 10 + 40 * (1 - r) + rng.normal(0, 1, X.shape),
        "impervious": np.clip(0.05 + 0.8 * dense + noise, 0, 1),
        "canopy": np.clip(0.35 - 0.3 * dense - noise, 0, 1),
        "building": np.clip(0.5 * dense + noise / 3, 0, 1),
    }
    for key, arr in layers.items():
        units, long_name = LAYER_ATTRS[key]
        grid[key] = (("y", "x"), np.round(arr, 3).astype(np.float32), {"units": units, "long_name": long_name})
    from twin.place.grid import rasterize_zones

    zidx = rasterize_zones(zones, grid)
    weight = 0.05 + layers["building"]
    share = np.bincount(zidx.ravel(), weights=weight.ravel(), minlength=n_zones)
    totals = np.floor(residents * share / share.sum()).astype(np.int64)
    totals[np.argmax(share)] += residents - totals.sum()
    counts = np.zeros(X.shape, dtype=np.int64)
    for k in range(n_zones):
        m = zidx == k
        counts[m] = rng.multinomial(int(totals[k]), weight[m] / weight[m].sum())
    units, long_name = LAYER_ATTRS["residents"]
    grid["residents"] = (("y", "x"), counts.astype(np.int32), {"units": units, "long_name": long_name})
    kind = "urban" if urban else "rural"
    tilts = np.linspace(-0.2, 0.2, n_zones)
    pop = make_population(synth_counts(rng, totals, tilts, kind), [z.code for z in zones])
    services = _tiny_services(zones, residents) if with_services else ()
    meta = {"name": name, "description": f"tiny synthetic {kind} place for tests", "crs": "EPSG:27700",
            "cell_size": float(cell_size), "region": "London" if urban else "South West",
            "climate_station": "heathrow" if urban else "yeovilton", "sources": ["twin.testing (synthetic)"]}
    return Place(name=name, meta=meta, grid=grid, zones=tuple(zones), services=services, population=pop)


def _tiny_services(zones: list[Zone], residents: int) -> tuple[Service, ...]:
    out = []
    every = (0, 1, 2, 3, 4, 5, 6)
    for i, z in enumerate(zones):
        c = z.geometry.centroid
        out.append(Service(id=f"GP{i + 1:02d}", type="gp_practice", name=f"{z.name} Surgery",
                           capacity=max(1.0, round(residents / len(zones) * 0.025)),
                           channels=("face_to_face", "phone", "digital"), opening_days=(0, 1, 2, 3, 4),
                           x=float(c.x), y=float(c.y), zone=z.code))
    z0 = zones[0]
    x0, y0, x1, y1 = z0.geometry.bounds
    px, py = float(x0 + (x1 - x0) / 4), float(y0 + (y1 - y0) / 4)
    extra = [
        ("LIB01", "library", "Central Library", 200.0, ("face_to_face", "digital"), (0, 1, 2, 3, 4, 5)),
        ("COOL01", "cooling_centre", "Central Library Cool Space", 100.0, ("face_to_face",), every),
        ("HUB01", "community_hub", "Community Hub", 60.0, ("face_to_face", "phone"), (0, 1, 2, 3, 4, 5)),
        ("CC01", "contact_centre", "Council Contact Centre", 200.0, ("phone", "digital"), (0, 1, 2, 3, 4)),
        ("ALERT01", "alert_channel", "Heat-Health Alerts", float(residents), ("digital",), every),
        ("HVT01", "home_visit_team", "Home Visit Team", 20.0, ("face_to_face",), (0, 1, 2, 3, 4, 5)),
        ("SCH01", "school", "Primary School", 300.0, ("face_to_face",), (0, 1, 2, 3, 4)),
    ]
    for sid, stype, name, cap, channels, days in extra:
        out.append(Service(id=sid, type=stype, name=name, capacity=cap, channels=channels,
                           opening_days=days, x=px, y=py, zone=z0.code))
    return tuple(out)


def write_tiny_place(tmp_path: str | Path, name: str = "tiny", **kwargs) -> Path:
    """Write :func:`tiny_place` (same keyword arguments) to ``tmp_path/name`` and return the directory."""
    place = tiny_place(name=name, **kwargs)
    return place.save(Path(tmp_path) / name)


def tiny_drivers(place: Place, tmax, tmin, start: str = "2030-07-01"):
    """:class:`twin.climate.ClimateDrivers` of the given daily Tmax/Tmin (degC) on ``place``."""
    import pandas as pd
    import xarray as xr

    from twin.climate import ClimateDrivers, local_offsets

    tmax, tmin = np.asarray(tmax, float), np.asarray(tmin, float)
    time = pd.date_range(start, periods=len(tmax))
    w = xr.Dataset({"tasmax": ("time", tmax, {"units": "degC"}), "tasmin": ("time", tmin, {"units": "degC"}),
                    "pr": ("time", np.zeros(len(tmax)), {"units": "mm day-1"})}, coords={"time": time})
    return ClimateDrivers(w, local_offsets(place.grid))


def tiny_scenario(directory: str | Path, place_dir: str | Path | None = None, *, model: str = "heat_exposure",
                  replicates: int = 2, days: int = 20, pathways=("baseline", "gwl4"), seed: int = 42,
                  options: str | None = None, plots: bool = False) -> Path:
    """Write a small two-option scenario (``do_nothing``, ``canopy_all``) and return its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if place_dir is None:
        place_dir = write_tiny_place(directory)
    end = (np.datetime64("2030-07-01") + np.timedelta64(days - 1, "D")).astype(str)
    options = options or (
        "options:\n  - name: do_nothing\n    interventions: []\n  - name: canopy_all\n    interventions:\n"
        "      - {type: tree_canopy, increase: 0.2, target: all}"
    )
    text = (f"name: tiny\nplace: {place_dir}\nmodel: {model}\npathways: [{', '.join(pathways)}]\n"
            f"period: {{start: 2030-07-01, end: {end}}}\nreplicates: {replicates}\nseed: {seed}\n{options}\n"
            f"outputs: {{plots: {str(plots).lower()}, heat_indices: false}}\n")
    path = directory / "tiny.yaml"
    path.write_text(text)
    return path


def tiny_results(directory: str | Path, **kwargs):
    """Run :func:`tiny_scenario` (same keyword arguments) with the real engine; returns a ``RunResult``."""
    from twin.run import run_scenario
    from twin.scenario import load

    path = tiny_scenario(directory, **kwargs)
    return run_scenario(load(path), Path(directory) / "results", progress=False)


def assert_results_valid(ds) -> None:
    """Check what every ``results.nc`` must hold: run dims, units and names, provenance, sane counts."""
    for d in ("option", "pathway", "replicate", "zone"):
        assert d in ds.dims, f"missing dimension {d!r}"
    for key in ("scenario_sha256", "seed", "placetwin_version", "input_checksums", "reference_option"):
        assert key in ds.attrs, f"missing provenance attribute {key!r}"
    for name, da in ds.data_vars.items():
        assert "long_name" in da.attrs, f"{name}: no long_name"
        if da.dtype.kind in "fiu":
            assert "units" in da.attrs, f"{name}: no units"
    from twin.analysis.metrics import count_variables

    for name in count_variables(ds):  # counts (person-days, contacts, deaths): finite, never negative
        values = np.asarray(ds[name].values)
        assert np.isfinite(values).all(), f"{name}: non-finite counts"
        assert (values >= 0).all(), f"{name}: negative counts"
