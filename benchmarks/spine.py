"""Benchmark the spine: the quickstart scenario end to end, and one baseline year of the urban place.

Run from the repository root::

    python benchmarks/spine.py            # prints measured wall times and peak memory

Nothing here asserts a time: it prints what it measures on this machine.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def quickstart(jobs: int) -> float:
    import twin

    sc = twin.load_scenario(ROOT / "scenarios" / "quickstart.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        twin.run(sc, Path(tmp) / "out", jobs=jobs, progress=False).close()
        return time.perf_counter() - t0


def baseline_year() -> tuple[float, float, int]:
    import numpy as np
    import pandas as pd

    import twin
    from twin.run import Ensemble

    place = twin.load_place("urban_borough")
    time_index = pd.date_range("2030-01-01", "2030-12-31", freq="D")
    ens = Ensemble.for_place(place, "heat_exposure", time=time_index, seed=1)
    t0 = time.perf_counter()
    residents = ens.residents(0)
    t_synth = time.perf_counter() - t0
    t1 = time.perf_counter()
    ds = ens.run_one(0, "baseline", 0)  # the engine: drivers (weather) + the model's year
    t_run = time.perf_counter() - t1
    assert np.isfinite(ds["hot_day_exposure"].values).all()
    return t_synth, t_run, len(residents)


def main() -> None:
    import platform

    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    t_synth, t_run, n = baseline_year()
    print(f"heat_exposure, urban_borough, one baseline year (365 days, {n:,} residents): "
          f"synthesis {t_synth:.2f} s, run {t_run:.2f} s ({n * 365 / t_run / 1e6:.1f} M resident-days/s)")
    for jobs in (1, 2):
        t = quickstart(jobs)
        print(f"quickstart (2 options x 2 pathways x 5 replicates, 92 days, plots): {t:.1f} s with --jobs {jobs}")
    print(f"peak memory of this process: {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
