"""Ensembles: 16 runs with 1 and 2 local workers and a 2-worker Dask cluster; peak memory against run count.

    python benchmarks/ensemble.py            # from a checkout (or with placetwin installed)
    python benchmarks/ensemble.py --quick    # the small ensemble only (20,000 residents, 30 days)
    python benchmarks/ensemble.py --memory   # peak memory for 20, 100 and 500 runs only

Prints measured numbers only. The speed-up is the ratio of wall times measured in this run on this
machine, for two ensembles of 16 runs (2 options x 2 pathways x 4 replicates, heat_health):

- the bundled urban borough over a summer (92 days from 1 July; today and gwl4), what a council runs;
- a 20,000-resident place over 30 days, where each run takes well under a second, so a worker's
  start-up (a new process imports the twin and builds its ensemble: place, options, residents)
  is a large share of the time. The first run of each worker includes its start-up; the manifest's
  per-run timings show it, and this script prints the median first and later run.

Each memory figure is the peak RSS of a fresh process that runs one ensemble end to end
(``twin run``), so the figures do not include each other.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _scenario(d: Path, replicates: int, days: int, residents: int) -> Path:
    from twin.testing import tiny_scenario, write_tiny_place

    place = write_tiny_place(d, residents=residents, n_zones=9)
    return tiny_scenario(d, place, model="heat_health", replicates=replicates, days=days)


def timed_ensemble(executor: str, workers: int, path: Path, out: Path) -> float:
    from twin.run import make_executor, run_scenario
    from twin.scenario import load

    ex = make_executor(executor, jobs=workers)
    t0 = time.perf_counter()
    res = run_scenario(load(path), out, executor=ex, progress=False, plots=False)
    wall = time.perf_counter() - t0
    per_run = sorted(res.manifest["timings_seconds"]["per_run"].values())
    runs_phase = res.manifest["timings_seconds"]["runs_total"]
    res.close()
    print(f"   {executor} x{workers}: {wall:.1f} s in all, of which the runs {runs_phase:.1f} s "
          f"(the rest: setting up the ensemble, assembling results.nc, indicators)")
    if workers > 1:
        first, rest = per_run[-workers:], per_run[:-workers]  # each worker's first run is its slowest
        print(f"   {executor} x{workers}: first run of a worker {sum(first) / len(first):.1f} s "
              f"(start-up included), later runs {rest[len(rest) // 2]:.2f} s (median)")
    return wall


def _borough_scenario(d: Path) -> Path:
    from twin.testing import tiny_scenario

    path = tiny_scenario(d, "urban_borough", model="heat_health", replicates=4, days=92)
    return path


def _compare(label: str, path: Path, tmp: Path) -> None:
    t1 = timed_ensemble("local", 1, path, tmp / "l1")
    t2 = timed_ensemble("local", 2, path, tmp / "l2")
    try:
        td = timed_ensemble("dask", 2, path, tmp / "d2")
    except Exception as err:  # noqa: BLE001 - the dask extra may be absent
        td = float("nan")
        print(f"dask: not measured ({err})")
    print(f"16 runs ({label}): local 1 worker {t1:.1f} s; local 2 workers {t2:.1f} s ({t1 / t2:.2f}x); "
          f"Dask 2 workers {td:.1f} s ({t1 / td:.2f}x)", flush=True)


def peak_rss_mb(path: Path, out: Path) -> float:
    """Peak RSS (MB) of a fresh `twin run` process on ``path``.

    Read from ``VmHWM`` in ``/proc/self/status``, not ``getrusage``: on Linux a child's ``ru_maxrss``
    starts from its parent's RSS at the fork, so it would report this (large) process instead.
    """
    code = ("import sys; from twin.cli import main; rc = main(['run', sys.argv[1], '-o', sys.argv[2], "
            "'-q', '--no-plots']); "
            "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", code, str(path), str(out)], capture_output=True, text=True, env=env,
                         check=True)
    return float(res.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    quick = "--quick" in args
    if "--memory" in args:  # only the memory figures
        with tempfile.TemporaryDirectory() as tmp:
            memory(Path(tmp))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not quick:
            (tmp / "b").mkdir()
            _compare("heat_health, urban borough, 92 days, baseline and gwl4", _borough_scenario(tmp / "b"), tmp / "b")
        (tmp / "s").mkdir()
        _compare("heat_health, 20,000 residents, 30 days",
                 _scenario(tmp / "s", replicates=4, days=30, residents=20_000), tmp / "s")
        if quick:
            return
        memory(tmp)
    print(f"this process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def memory(tmp: Path) -> None:
    """Peak memory of one `twin run` of 20, 100 and 500 runs (fresh processes)."""
    for reps in (5, 25, 125):  # 20, 100, 500 runs
        p = _scenario(tmp / f"m{reps}", replicates=reps, days=10, residents=5_000)
        mb = peak_rss_mb(p, tmp / f"m{reps}" / "out")
        print(f"peak memory, {4 * reps} runs (heat_health, 5,000 residents, 10 days): {mb:.0f} MB", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
