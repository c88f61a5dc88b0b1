"""Trial benchmark: time per simulated trial (parametric and twin-based) and a power curve's cost.

Run: python benchmarks/trials.py   (prints measurements; best of 3 for the fast parts)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout: import its twin


def best(f, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    from twin.testing import tiny_place
    from twin.trials import power
    from twin.trials.analysis import analyse
    from twin.trials.designs import allocation_rng, stepped_wedge
    from twin.trials.parametric import Draws, OutcomeModel, allocations, simulate_parametric, trial_frame
    from twin.trials.simulate import TwinTrial

    n = 2000
    t = best(lambda: power("stepped_wedge", effects=[0.2], clusters=20, cluster_size=50, periods=5, icc=0.05, n_sim=n))
    print(f"parametric stepped wedge (20 clusters x 5 periods), fast GLS: {1e6 * t / n:8.1f} us per trial")
    t = best(lambda: power("parallel", effects=[0.2], clusters=40, cluster_size=50, icc=0.05, n_sim=n))
    print(f"parametric parallel (40 clusters), cluster-level t:            {1e6 * t / n:8.1f} us per trial")
    model = OutcomeModel.from_icc(0.05, cluster_size=50, effect=0.2)
    x = allocations("stepped_wedge", 20, 5, 10, 0)
    sim = simulate_parametric(model, x, Draws(0, 10, 20, 5))
    t = best(lambda: [analyse(trial_frame(sim, i, 50), design="stepped_wedge") for i in range(10)], 1) / 10
    print(f"statsmodels MixedLM + ANOVA ICC on one simulated trial:       {1e3 * t:8.1f} ms per trial")
    t = best(lambda: power("stepped_wedge", effects=[0, 0.1, 0.2, 0.3, 0.4, 0.5], clusters=[8, 12, 16, 20, 24, 32, 40],
                           cluster_size=50, periods=5, icc=0.05, n_sim=1000), 1)
    print(f"power curve, 6 effects x 7 cluster counts x 1000 trials:       {t:8.2f} s")
    place = tiny_place(n_zones=12, residents=20000)
    tt = TwinTrial(place, "heat_exposure", {}, {"type": "tree_canopy", "increase": 0.2}, "hot_day_exposure",
                   pd.date_range("2030-06-01", "2030-08-31"), periods=5, pathway="gwl2", seed=1)
    design = stepped_wedge(list(place.zone_codes), 5, allocation_rng(1, 0))
    tt.run(design, 0)  # warm-up (imports)
    t = best(lambda: tt.run(stepped_wedge(list(place.zone_codes), 5, allocation_rng(1, 1)), 1), 2)
    print(f"twin trial, heat_exposure, tiny place (12 zones, 20k residents, 92 days, 5 periods): {t:6.2f} s per trial")
    try:
        from twin.place import Place, resolve_place

        urban = Place.load(resolve_place("urban_borough"))
        hh = TwinTrial(urban, "heat_health", {"delivery": {"proactive_min_level": 1}},
                       {"type": "heat_health_outreach", "staff": 2}, "protected",
                       pd.date_range("2030-06-01", "2030-08-30"), periods=5, pathway="gwl2", seed=1)
        d = stepped_wedge(list(urban.zone_codes), 5, allocation_rng(1, 0), sequences=4)
        t = best(lambda: hh.run(d, 0), 1)
        print(f"twin trial, heat_health, urban borough (20 zones, 150k residents, 91 days): {t:6.2f} s per trial")
    except Exception as err:  # noqa: BLE001 - the model may be absent in an older checkout
        print(f"heat_health twin trial skipped: {err}")


if __name__ == "__main__":
    main()
