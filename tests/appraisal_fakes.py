"""Fake heat-health results with the runner's layout and common-random-number structure (for appraisal tests).

Every option of replicate ``r`` shares the replicate's weather-driven harm (large noise); options
differ only by a multiplicative effect and a small run-specific noise, so paired differences are
precise and unpaired ones are not. ``no_effect`` equals ``do_nothing`` exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from twin._names import AGE_BANDS, CHANNELS

OPTIONS = ("do_nothing", "no_effect", "outreach", "centres")
EFFECT = {"do_nothing": 1.0, "no_effect": 1.0, "outreach": 0.85, "centres": 0.93}
PATHWAYS = ("baseline", "gwl2", "gwl4")
WARMING = {"baseline": 1.0, "gwl2": 1.6, "gwl4": 2.8}


def fake_results(n_zones: int = 4, replicates: int = 8, days: int = 30, seed: int = 3) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    time = pd.date_range("2030-07-01", periods=days, freq="D")
    zones = [f"Z{i + 1:02d}" for i in range(n_zones)]
    residents_by_age = rng.integers(50, 400, size=(n_zones, len(AGE_BANDS))).astype(np.int64)
    residents = residents_by_age.sum(axis=1)
    shape = (len(OPTIONS), len(PATHWAYS), replicates)
    # shared (CRN) harm per pathway x replicate x day x zone
    weather = rng.gamma(2.0, 1.0, size=(replicates, days))
    zone_w = residents / residents.sum() * np.linspace(1.5, 0.5, n_zones)  # deprived zones (Z01) harder hit
    deaths = np.zeros(shape + (days, n_zones))
    for j, p in enumerate(PATHWAYS):
        base = 0.002 * WARMING[p] * weather[:, :, None] * zone_w[None, None, :] * n_zones
        for i, o in enumerate(OPTIONS):
            noise = 1.0 if o in ("do_nothing", "no_effect") else rng.normal(1.0, 0.01, size=base.shape)
            deaths[i, j] = base * EFFECT[o] * noise
    illness = 5.0 * deaths
    protected = np.zeros(shape + (n_zones, len(AGE_BANDS), len(CHANNELS)))
    gain = {"do_nothing": 0.0, "no_effect": 0.0, "outreach": 1.0, "centres": 0.4}
    chan = {"outreach": np.array([0.2, 1.0, 0.0]), "centres": np.array([1.0, 0.0, 0.0])}
    for i, o in enumerate(OPTIONS):
        pattern = chan.get(o, np.zeros(3))
        protected[i] = 10.0 + gain[o] * residents_by_age[None, None, :, :, None] * 0.01 * pattern
    ds = xr.Dataset(
        {
            "expected_attributable_deaths": (("option", "pathway", "replicate", "time", "zone"), deaths.astype(np.float32),
                                             {"units": "deaths", "long_name": "expected heat-attributable deaths"}),
            "heat_illness": (("option", "pathway", "replicate", "time", "zone"), illness.astype(np.float32),
                             {"units": "episodes", "long_name": "heat illness episodes"}),
            "protected": (("option", "pathway", "replicate", "zone", "age_band", "channel"), protected.astype(np.float32),
                          {"units": "persons", "long_name": "residents protected"}),
            "residents": (("zone",), residents, {"units": "1", "long_name": "residents"}),
            "residents_by_age": (("zone", "age_band"), residents_by_age, {"units": "1", "long_name": "residents by age band"}),
            "capital_cost": (("option",), np.array([0.0, 50_000.0, 20_000.0, 40_000.0]),
                             {"units": "GBP", "price_base_year": 2023}),
            "annual_cost": (("option",), np.array([0.0, 5_000.0, 10_000.0, 8_000.0]), {"units": "GBP year-1"}),
        },
        coords={
            "option": list(OPTIONS), "pathway": list(PATHWAYS), "replicate": np.arange(replicates), "time": time,
            "zone": zones, "age_band": list(AGE_BANDS), "channel": list(CHANNELS),
            "zone_name": ("zone", [f"Zone {z}" for z in zones]),
            "urban_rural": ("zone", ["urban"] * (n_zones - 1) + ["rural"]),
            "deprivation_decile": ("zone", np.linspace(1, 10, n_zones).round().astype(np.int16)),
        },
        attrs={"reference_option": "do_nothing", "place": "tiny", "model": "heat_health", "seed": 1},
    )
    return ds
