"""Benchmark the cohort-component engine: 50 zones x 91 ages x 2 sexes x 50 years x 9 variants.

Run from the repository root:  python benchmarks/demography.py
Prints the best of several runs (engine alone, and with rate building and the xarray Dataset)
and the peak memory traced by tracemalloc. No assertions on time.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import xarray as xr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from twin.demography import DemographySpec, project  # noqa: E402
from twin.demography.inputs import build_rates  # noqa: E402
from twin.demography.projection import cohort_component  # noqa: E402

N_ZONES, N_YEARS = 50, 50
VARIANTS = ["principal", "high_fertility", "low_fertility", "high_life_expectancy", "low_life_expectancy",
            "high_migration", "low_migration", "zero_migration", "old_age_structure"]


def main(repeats: int = 5) -> None:
    rng = np.random.default_rng(2023)
    pop = rng.uniform(20, 120, (N_ZONES, 2, 91))
    zones = [f"Z{i:02d}" for i in range(N_ZONES)]
    da = xr.DataArray(pop, dims=("zone", "sex", "age"), coords={"zone": zones, "sex": ["F", "M"], "age": np.arange(91)})
    spec = DemographySpec(horizon=2023 + N_YEARS, variants=VARIANTS)
    rates = build_rates(spec, zones)
    cohort_component(pop, rates, 2)  # warm up

    def best(fn) -> float:
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    engine = best(lambda: cohort_component(pop, rates, N_YEARS))
    build = best(lambda: build_rates(spec, zones))
    full = best(lambda: project(da, spec))
    tracemalloc.start()
    cohort_component(pop, rates, N_YEARS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    cells = N_ZONES * 91 * 2 * N_YEARS * len(VARIANTS)
    print(f"{N_ZONES} zones x 91 ages x 2 sexes x {N_YEARS} years x {len(VARIANTS)} variants = {cells:,} cells")
    print(f"engine (cohort_component), best of {repeats}: {engine * 1000:.1f} ms")
    print(f"rates from spec (life-table and ASFR fits), best of {repeats}: {build * 1000:.1f} ms")
    print(f"project() incl. rates and xarray Dataset, best of {repeats}: {full * 1000:.1f} ms")
    print(f"peak memory of the engine (tracemalloc): {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
