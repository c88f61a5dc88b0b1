"""What one run costs, per bundled scenario: the figures behind ``twin validate``'s time estimate.

    python benchmarks/run_cost.py            # every bundled run scenario (about 3 minutes)
    python benchmarks/run_cost.py --quick    # quickstart and heat_health_rural only

For each bundled scenario (its first option and first pathway, with its own parameters and period),
three replicates are run in this process through the engine (``Ensemble.run_one``). The first run
also builds the residents and weather the ensemble caches; the median of the other two is the steady
cost of a run. Printed per scenario: residents, days, the steady seconds per run, what that is per
simulated resident-day, and the estimate ``twin validate`` prints for one run
(:func:`twin.scenario.checks.run_cost`: :data:`~twin.scenario.checks.SECONDS_PER_RUN` plus days x
residents x the model's registered ``seconds_per_resident_day``, in ``models/params.py``).
A ``twin run`` adds writing results, indicators and plots once per ensemble, not per run.

A NumPy floor is measured in the same run (a sum over 10 million float64, ns per element), so the
figures can be compared across machines and across runs on a busy one. Prints measured numbers only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

def numpy_floor_ns() -> float:
    import numpy as np

    a = np.random.default_rng(0).random(10_000_000)
    best = min(_timed(a.sum) for _ in range(5))
    return best / a.size * 1e9


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def measure(path: Path) -> dict:
    from twin.run.engine import Ensemble
    from twin.scenario import load
    from twin.scenario.checks import run_cost

    sc = load(path)
    t = time.perf_counter()
    ens = Ensemble(sc, replicates=3)
    build = time.perf_counter() - t
    times = [_timed(lambda r=r: ens.run_one(0, 0, r)) for r in range(3)]
    residents, days = ens.place.residents, int(sc.period.days)
    steady = statistics.median(times[1:])
    runs, _, estimate = run_cost(sc, replicates=1)
    return {"scenario": path.stem, "model": sc.model, "residents": residents, "days": days, "build": build,
            "first": times[0], "steady": steady, "per_resident_day": steady / (residents * days),
            "estimate": estimate / runs}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="quickstart and heat_health_rural only")
    args = ap.parse_args([] if argv is None else argv)  # python -m benchmarks calls main()
    from twin.scenario import scenario_kind

    paths = sorted((ROOT / "scenarios").glob("*.yaml"))
    paths = [p for p in paths if scenario_kind(p) == "run"]
    if args.quick:
        paths = [p for p in paths if p.stem in ("quickstart", "heat_health_rural")]
    floor = numpy_floor_ns()
    print(f"NumPy floor (sum of 10M float64): {floor:.2f} ns per element")
    print(f"{'scenario':<26}{'model':<16}{'residents':>10}{'days':>6}{'ensemble':>10}{'1st run':>9}{'run':>8}"
          f"{'ns/resident-day':>17}{'estimate':>10}")
    for path in paths:
        m = measure(path)
        print(f"{m['scenario']:<26}{m['model']:<16}{m['residents']:>10,}{m['days']:>6}{m['build']:>9.2f}s"
              f"{m['first']:>8.2f}s{m['steady']:>7.2f}s{m['per_resident_day'] * 1e9:>17.0f}{m['estimate']:>9.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
