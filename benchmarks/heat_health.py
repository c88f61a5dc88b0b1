"""Benchmark of the ``heat_health`` model on hot days: against a bare NumPy rule and the per-resident reference.

Run from the repository root::

    python benchmarks/heat_health.py            # all parts, each in its own process
    python benchmarks/heat_health.py --quick    # smaller sizes (a smoke test)
    python benchmarks/heat_health.py --part 1   # one part

1. A hot spell (every day hot: Tmax 30-36 degC, Tmin 17-21 degC, alerts on most days),
   300,000 residents x 30 days (the urban borough scaled up; ``--residents N`` to change),
   the model's whole run (construction included), measured in one process: the
   ``heat_health`` model (fused passes, and its NumPy path with ``--numpy``); the floor, a
   bare NumPy heat rule on the same residents and days (temperature lookup, lagged dose,
   age/sex gradient, exponential risk, one Bernoulli draw per resident-day); and the
   per-resident Mesa reference (models/reference.py) on 5,000 residents, per resident-day.
   Ratios: model / floor (goal <= 5x), reference / model (goal >= 300x), and ns per
   resident-day (goal <= 50). ``--profile`` prints the model run's pyinstrument profile.
2. The bundled urban borough for a baseline year (150,000 residents x 365 days).
3. 1,000,000 residents x 365 days of a gwl4 year (the urban borough scaled up, services with
   it): wall time and the process's peak resident set size (goal <= 30 s, <= 4 GB).

Each part reports wall-clock and CPU (process) time: on a shared machine wall time includes
waiting for a core, CPU time does not. Nothing is asserted: the numbers are printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
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
    """``(result, wall seconds, CPU seconds)`` of one call."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, time.perf_counter() - w0, time.process_time() - c0


def run_model(model, place, drivers, params, seed=1, **kw):
    """One run of a model class through the engine's one loop (``twin.run.simulate``; residents drawn
    first, not timed): (records, wall, cpu, residents)."""
    from twin.run.engine import simulate
    from twin.run.streams import RunStreams

    res = model.make_residents(place, params, np.random.default_rng(seed))
    ds, wall, cpu = timed(simulate, model, place, drivers, res, params, streams=RunStreams(seed, 0), **kw)
    return ds, wall, cpu, len(res)


def floor_rule(place, drivers, residents, params) -> int:
    """The floor: a bare NumPy heat rule per resident-day (the cell's lagged dose looked up, the age/sex
    gradient, exponential risk, one Bernoulli draw)."""
    from twin.health import age_sex_gradient, baseline_qx_table, daily_death_probability, heat_log_rr, regional_curve

    curve = regional_curve(place.meta.get("region", "London"), params)
    weights = np.asarray(params.exposure_response.lag_weights, dtype=float)
    p0 = daily_death_probability(baseline_qx_table(params.mortality), residents.age, residents.sex)
    grad = age_sex_gradient(params)[residents.sex, np.minimum(residents.age, 90)]
    rng = np.random.default_rng(0)
    deaths = 0
    hist = None
    for t in range(len(drivers.time)):
        tx, tn = drivers.cell_temperatures(t)
        h = heat_log_rr(0.5 * (tx + tn), curve)
        hist = np.repeat(h[None], weights.size, 0) if hist is None else np.concatenate([h[None], hist[:-1]])
        dose = weights @ hist
        risk = p0 * np.expm1(grad * dose[residents.cell])
        deaths += int(np.count_nonzero(rng.random(risk.size) < risk))
    return deaths


def digest(ds) -> str:
    import hashlib

    h = hashlib.sha256()
    for v in sorted(ds.data_vars):
        h.update(np.ascontiguousarray(ds[v].values).tobytes())
    return h.hexdigest()[:12]


def part1(args, urban, params) -> None:
    from twin.models.heat_health import HeatHealthModel as hh
    from twin.models.reference import ReferenceHeatHealthModel as ref

    days = 30
    n_vec, n_ref = (30_000, 1_000) if args.quick else (args.residents, 5_000)
    pv, pr = scaled_place(urban, n_vec), scaled_place(urban, n_ref)
    dv = hot_drivers(pv, days)
    w0 = time.perf_counter()
    fused = "fused" in inspect.signature(hh).parameters  # False on code before the fused passes
    run_model(hh, scaled_place(urban, 2_000), hot_drivers(pv, 3), params, **({"fused": True} if fused else {}))
    print(f"[1] first run of 2,000 residents x 3 days (Numba import, compilation or its disk cache): "
          f"{time.perf_counter() - w0:.2f} s wall")
    if args.profile:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.001)
        prof.start()
        run_model(hh, pv, dv, params)
        prof.stop()
        print(prof.output_text(unicode=False, color=False, show_all=False))
    runs = [run_model(hh, pv, dv, params) for _ in range(3)]
    ds, nv = runs[0][0], runs[0][3]
    w_vec, c_vec = min(r[1] for r in runs), min(r[2] for r in runs)
    if fused:
        ds_np, w_np, c_np, _ = run_model(hh, pv, dv, params, fused=False)
    res = hh.make_residents(pv, params, np.random.default_rng(1))
    floor_rule(pv, hot_drivers(pv, 2), res, params)
    _, w_floor, c_floor = timed(floor_rule, pv, dv, res, params)
    _, w_ref, c_ref, nr = run_model(ref, pr, hot_drivers(pr, days), params)
    rd_v, rd_r = nv * days, nr * days
    ns = lambda s, n: s / n * 1e9  # noqa: E731
    print(f"[1] hot spell, {nv:,} residents x {days} days (results {digest(ds)}; expected heat deaths "
          f"{float(ds['expected_attributable_deaths'].sum()):.1f}, contacts {float(ds['contacts'].sum()):.0f})")
    print(f"[1]   heat_health : {w_vec:.2f} s wall, {c_vec:.2f} s CPU = {ns(w_vec, rd_v):.0f} ns wall, "
          f"{ns(c_vec, rd_v):.0f} ns CPU per resident-day (goal <= 50; best of 3 runs)")
    if fused:
        print(f"[1]   NumPy path  : {w_np:.2f} s wall, {c_np:.2f} s CPU = {ns(w_np, rd_v):.0f} ns wall, "
              f"{ns(c_np, rd_v):.0f} ns CPU per resident-day; results {digest(ds_np)} "
              f"({'identical' if digest(ds_np) == digest(ds) else 'DIFFERENT'})")
    print(f"[1]   NumPy floor : {w_floor:.2f} s wall, {c_floor:.2f} s CPU = {ns(w_floor, rd_v):.0f} ns wall, "
          f"{ns(c_floor, rd_v):.0f} ns CPU per resident-day; model / floor = {w_vec / w_floor:.1f}x wall, "
          f"{c_vec / c_floor:.1f}x CPU (goal <= 5x)")
    print(f"[1]   reference   : {nr:,} residents, {w_ref:.2f} s wall, {c_ref:.2f} s CPU = {ns(w_ref, rd_r) / 1e3:.1f} us "
          f"wall, {ns(c_ref, rd_r) / 1e3:.1f} us CPU per resident-day; reference / model = "
          f"{(w_ref / rd_r) / (w_vec / rd_v):.0f}x wall, {(c_ref / rd_r) / (c_vec / rd_v):.0f}x CPU (goal >= 300x)")


def part2(args, urban, params) -> None:
    from twin.models.heat_health import HeatHealthModel as hh

    time_ = pd.date_range("2030-01-01", "2030-12-31")
    place = scaled_place(urban, 20_000) if args.quick else urban
    drv = make_drivers(place, "baseline", time_, np.random.default_rng(3))
    ds, wall, cpu, n = run_model(hh, place, drv, params)
    print(f"[2] urban borough, baseline year, {n:,} residents x {len(time_)} days: {wall:.2f} s wall, {cpu:.2f} s CPU; "
          f"expected heat deaths {float(ds['expected_attributable_deaths'].sum()):.1f}")


def part3(args, urban, params) -> None:
    from twin.run import Ensemble

    total = 200_000 if args.quick else 1_000_000
    big = scaled_place(urban, total)
    time_ = pd.date_range("2030-01-01", "2030-12-31")
    # one run of an ensemble, as `twin run` does it: residents, the gwl4 weather of the year, the model
    ens = Ensemble.for_place(big, "heat_health", params, time=time_, pathways=["gwl4"], seed=1)
    ds, wall, cpu = timed(ens.run_one, 0, "gwl4", 0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux -> GiB
    ens = Ensemble.for_place(big, "heat_health", params, time=time_, pathways=["gwl4"], seed=1)
    tracemalloc.start()
    ens.run_one(0, "gwl4", 0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hot = int((ds["exposed"].sum("zone") > 0).sum())
    n = len(ens.residents(0))
    print(f"[3] {n:,} residents x {len(time_)} days, gwl4 ({hot} days with residents above the threshold), "
          f"Ensemble.run_one (residents, weather and model): {wall:.2f} s wall, {cpu:.2f} s CPU (goal <= 30 s); "
          f"peak RSS {rss:.2f} GiB, peak traced (NumPy) memory {peak / 2**30:.2f} GiB (goal <= 4 GB); "
          f"expected heat deaths {float(ds['expected_attributable_deaths'].sum()):.1f}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--part", type=int, choices=(1, 2, 3), action="append", help="run only these parts")
    ap.add_argument("--residents", type=int, default=300_000, help="residents of the hot spell (part 1)")
    ap.add_argument("--profile", action="store_true", help="print the profile of a hot-spell run (part 1)")
    args = ap.parse_args(argv or [])
    parts = args.part or [1, 2, 3]
    if len(parts) > 1:  # each part in its own process: its own peak memory, no warm caches between parts
        import subprocess

        for part in parts:
            subprocess.run([sys.executable, __file__, "--part", str(part), "--residents", str(args.residents)]
                           + (["--quick"] if args.quick else []) + (["--profile"] if args.profile else []), check=True)
        return
    import os
    import platform

    params = get_model("heat_health").Params()
    urban = Place.load(resolve_place("urban_borough"))
    if parts[0] == 1:
        print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}")
    {1: part1, 2: part2, 3: part3}[parts[0]](args, urban, params)


if __name__ == "__main__":
    main(sys.argv[1:])
