"""Benchmark of the ``heat_health`` model: vectorised columns against the per-resident reference.

Run from the repository root::

    python benchmarks/heat_health.py            # all three parts
    python benchmarks/heat_health.py --quick    # smaller sizes (a smoke test)

1. The vectorised model and the per-resident Mesa reference (models/reference.py) on the
   same rules and the same hot 30-day period: the vectorised model on 100,000 residents;
   the reference on a smaller population (it takes ~minutes at 100,000), its time scaled
   per resident-day; the ratio is printed.
2. The whole bundled urban borough for a year (365 days, baseline pathway).
3. 1,000,000 residents x 365 days: the urban borough's population scaled up (same grid,
   services scaled with it), with wall time and peak memory (tracemalloc for Python/NumPy
   allocations, and the process's maximum resident set size).

Goal (issue 4): 1M x 365 in <= 30 s and <= 4 GB; >= 300x the reference per resident-day.
Nothing is asserted: the numbers are printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from twin.climate import ClimateDrivers, local_offsets, make_drivers  # noqa: E402
from twin.models import get_model  # noqa: E402
from twin.place import Place, resolve_place  # noqa: E402


def scaled_place(place: Place, total: int) -> Place:
    """The place with its population (and service capacities) scaled to about ``total`` residents."""
    f = total / place.residents
    pop = place.population.copy(data=np.round(place.population.values * f).astype(np.int64))
    services = tuple(dataclasses.replace(s, capacity=s.capacity * f)
                     for s in place.services)
    return place.replace(population=pop, services=services)


def hot_drivers(place: Place, days: int, start: str = "2030-07-01") -> ClimateDrivers:
    """A hot spell: Tmax 30-36, Tmin 17-21 degC (alerts, exposure and harm on most days)."""
    rng = np.random.default_rng(0)
    time_ = pd.date_range(start, periods=days)
    w = xr.Dataset({"tasmax": ("time", 30 + 6 * rng.random(days)), "tasmin": ("time", 17 + 4 * rng.random(days)),
                    "pr": ("time", np.zeros(days))}, coords={"time": time_})
    return ClimateDrivers(w, local_offsets(place.grid))


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def run_model(model, place, drivers, params, seed=1):
    """One run of ``model`` (a TwinModel class) through the engine's one loop; returns (records, seconds, n)."""
    from twin.run.engine import simulate
    from twin.run.streams import RunStreams

    res = model.make_residents(place, params, np.random.default_rng(seed))
    ds, secs = timed(simulate, model, place, drivers, res, params, streams=RunStreams(seed, 0))
    return ds, secs, len(res)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--part", type=int, choices=(1, 2, 3), action="append", help="run only these parts")
    args = ap.parse_args()
    parts = set(args.part or (1, 2, 3))
    from twin.models.heat_health import HeatHealthModel as hh
    from twin.models.reference import ReferenceHeatHealthModel as ref

    params = get_model("heat_health").Params()
    urban = Place.load(resolve_place("urban_borough"))
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")

    if 1 in parts:
        days = 30
        n_vec, n_ref = (20_000, 1_000) if args.quick else (100_000, 5_000)
        pv, pr = scaled_place(urban, n_vec), scaled_place(urban, n_ref)
        _, t_vec, nv = run_model(hh, pv, hot_drivers(pv, days), params)
        _, t_ref, nr = run_model(ref, pr, hot_drivers(pr, days), params)
        per_vec, per_ref = t_vec / (nv * days), t_ref / (nr * days)
        print(f"[1] vectorised: {nv:,} residents x {days} days in {t_vec:.2f} s ({per_vec * 1e9:.0f} ns per resident-day)")
        print(f"[1] reference : {nr:,} residents x {days} days in {t_ref:.2f} s ({per_ref * 1e6:.1f} us per resident-day; "
              f"scaled to {nv:,} residents: {per_ref * nv * days:.0f} s)")
        print(f"[1] speed ratio on the hot spell (per resident-day): {per_ref / per_vec:.0f}x")
        # a year: the vectorised model skips quiet days (no alert, no cell above the threshold); the reference
        # steps every agent every day
        year = pd.date_range("2030-01-01", "2030-12-31")
        n_year = 150_000 if not args.quick else 20_000
        py, pry = scaled_place(urban, n_year), scaled_place(urban, 2_000 if args.quick else 5_000)
        _, ty_vec, nyv = run_model(hh, py, make_drivers(py, "baseline", year, np.random.default_rng(3)), params)
        _, ty_ref, nyr = run_model(ref, pry, make_drivers(pry, "baseline", year, np.random.default_rng(3)), params)
        py_vec, py_ref = ty_vec / (nyv * len(year)), ty_ref / (nyr * len(year))
        print(f"[1] a baseline year: vectorised {nyv:,} residents in {ty_vec:.2f} s ({py_vec * 1e9:.0f} ns per resident-day), "
              f"reference {nyr:,} in {ty_ref:.2f} s ({py_ref * 1e6:.1f} us); ratio {py_ref / py_vec:.0f}x")

    if 2 in parts:
        time_ = pd.date_range("2030-01-01", "2030-12-31")
        drv = make_drivers(urban, "baseline", time_, np.random.default_rng(3))
        ds, secs, n = run_model(hh, urban, drv, params)
        print(f"[2] urban borough, {n:,} residents x {len(time_)} days: {secs:.2f} s; "
              f"expected heat deaths {float(ds['expected_attributable_deaths'].sum()):.1f}, "
              f"contacts {float(ds['contacts'].sum()):.0f}")

    if 3 in parts:
        total = 200_000 if args.quick else 1_000_000
        big = scaled_place(urban, total)
        time_ = pd.date_range("2030-01-01", "2030-12-31")
        drv = make_drivers(big, "baseline", time_, np.random.default_rng(3))
        from twin.run.engine import simulate
        from twin.run.streams import RunStreams

        res, t_res = timed(hh.make_residents, big, params, np.random.default_rng(1))
        tracemalloc.start()
        ds, secs = timed(simulate, hh, big, drv, res, params, streams=RunStreams(1, 0))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        # the same run without tracemalloc's overhead, for the time
        _, secs2 = timed(simulate, hh, big, drv, res, params, streams=RunStreams(1, 0))
        print(f"[3] {len(res):,} residents x {len(time_)} days: {secs2:.2f} s "
              f"({secs:.2f} s under tracemalloc; residents synthesised in {t_res:.2f} s); "
              f"peak traced memory {peak / 2**20:.0f} MiB, process max RSS {rss:.0f} MiB; "
              f"expected heat deaths {float(ds['expected_attributable_deaths'].sum()):.1f}")


if __name__ == "__main__":
    main()
