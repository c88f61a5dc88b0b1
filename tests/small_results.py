"""One small results directory shared by the report, table, plot and CF tests (built once per process).

It has the runner's layout (``results.nc``, ``manifest.json``, the scenario beside it, a tiny place on
disk) and common-random-number structure, with heat-health variables (deaths, illness, contacts and
unmet demand by channel) and an exposure variable in ``person day``. Options: ``do_nothing``,
``outreach``, ``centres``, ``no_effect`` (changes nothing) and ``outreach_centres``, which holds the
same interventions as ``outreach`` and ``centres`` together (an overlapping package).
"""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["SCENARIO", "small_results", "small_results_dir"]

OUTREACH = "{type: heat_health_outreach, staff: 2.0, target: {top: 2, by: deprivation}}"
CENTRES = "{type: cooling_centres, target: {class: urban}}"
SCENARIO = f"""name: small
description: Which heat measures protect the most vulnerable residents per pound, today and at 2 °C?
place: tiny
model: heat_health
pathways: [baseline, gwl2]
period: {{start: 2030-07-01, end: 2030-07-30}}
replicates: 6
seed: 1
options:
  - name: do_nothing
    interventions: []
  - name: outreach
    budget: 150000
    interventions:
      - {OUTREACH}
  - name: centres
    interventions:
      - {CENTRES}
  - name: no_effect
    interventions:
      - {{type: digital_inclusion, share: 0.1}}
  - name: outreach_centres
    interventions:
      - {OUTREACH}
      - {CENTRES}
"""
OPTIONS = ("do_nothing", "outreach", "centres", "no_effect", "outreach_centres")
EFFECT = {"do_nothing": 1.0, "outreach": 0.85, "centres": 0.93, "no_effect": 1.0, "outreach_centres": 0.80}
WARMING = {"baseline": 1.0, "gwl2": 1.8}
BANDS = ("0-4", "5-14", "15-24", "25-44", "45-64", "65-74", "75-79", "80-84", "85+")


def small_results(n_zones: int = 4, replicates: int = 6, days: int = 30, seed: int = 3) -> xr.Dataset:
    """The results Dataset (see the module docstring), deterministic in ``seed``."""
    from twin._names import AGE_BANDS, CHANNELS

    rng = np.random.default_rng(seed)
    time = pd.date_range("2030-07-01", periods=days, freq="D")
    zones = [f"Z{i + 1:02d}" for i in range(n_zones)]
    by_age = rng.integers(300, 2000, size=(n_zones, len(AGE_BANDS))).astype(np.int64)
    residents = by_age.sum(axis=1)
    pathways = list(WARMING)
    weather = rng.gamma(2.0, 1.0, size=(replicates, days))
    zone_w = residents / residents.sum() * np.linspace(1.5, 0.5, n_zones)
    old = by_age[:, -3:].sum(axis=1) / residents
    shape = (len(OPTIONS), len(pathways), replicates)
    deaths = np.zeros(shape + (days, n_zones))
    exposure = np.zeros_like(deaths)
    for j, p in enumerate(pathways):
        base = 0.004 * WARMING[p] * weather[:, :, None] * zone_w[None, None, :] * n_zones
        for i, o in enumerate(OPTIONS):
            noise = 1.0 if EFFECT[o] == 1.0 else rng.normal(1.0, 0.01, size=base.shape)
            deaths[i, j] = base * EFFECT[o] * noise
            expo = 0.3 * residents * WARMING[p] * weather[:, :, None] / 2
            exposure[i, j] = expo * (0.9 if o in ("centres", "outreach_centres") else 1.0)
    age_w = np.linspace(0.2, 3.0, len(AGE_BANDS))
    gain = {"do_nothing": 0.0, "no_effect": 0.0, "outreach": 1.0, "centres": 0.4, "outreach_centres": 1.2}
    chan = np.array([1.0, 0.6, 0.2])
    contacts = np.zeros(shape + (n_zones, len(AGE_BANDS), len(CHANNELS)))
    unmet = np.zeros_like(contacts)
    for i, o in enumerate(OPTIONS):
        for j, p in enumerate(pathways):
            demand = 0.02 * WARMING[p] * by_age[:, :, None] * age_w[None, :, None] * chan
            contacts[i, j] = demand * (0.5 + 0.4 * gain[o] / 1.2) * rng.uniform(0.95, 1.05, size=(replicates, 1, 1, 1))
            unmet[i, j] = demand - contacts[i, j]
    run5 = ("option", "pathway", "replicate", "time", "zone")
    by6 = ("option", "pathway", "replicate", "zone", "age_band", "channel")
    deaths_by_age = deaths.sum(axis=3)[..., None] * (by_age * age_w) / (by_age * age_w).sum(axis=1, keepdims=True)
    ds = xr.Dataset(
        {
            "expected_attributable_deaths": (run5, deaths.astype(np.float32),
                                             {"units": "deaths", "long_name": "expected heat-attributable deaths"}),
            "expected_attributable_deaths_by_age": (("option", "pathway", "replicate", "zone", "age_band"),
                                                    deaths_by_age.astype(np.float32),
                                                    {"units": "deaths", "long_name": "expected heat-attributable deaths "
                                                     "by age band, over the period"}),
            "heat_illness": (run5, (5.0 * deaths).astype(np.float32),
                             {"units": "episodes", "long_name": "heat illness episodes"}),
            "hot_day_exposure": (run5, exposure.astype(np.float32),
                                 {"units": "person day", "long_name": "residents exposed to a hot day"}),
            "contacts_by_age": (by6, contacts.astype(np.float32),
                                {"units": "contact", "long_name": "contacts delivered by channel and age band"}),
            "unmet_demand_by_age": (by6, unmet.astype(np.float32),
                                    {"units": "contact", "long_name": "requests for help not met"}),
            "residents": (("zone",), residents, {"units": "1", "long_name": "residents"}),
            "residents_by_age": (("zone", "age_band"), by_age, {"units": "1", "long_name": "residents by age band"}),
            "capital_cost": (("option",), np.array([0.0, 20_000.0, 40_000.0, 50_000.0, 60_000.0]),
                             {"units": "GBP", "long_name": "capital cost", "price_base_year": 2023}),
            "annual_cost": (("option",), np.array([0.0, 60_000.0, 30_000.0, 5_000.0, 90_000.0]),
                            {"units": "GBP year-1", "long_name": "annual running cost", "price_base_year": 2023}),
        },
        coords={
            "option": list(OPTIONS), "pathway": pathways, "replicate": np.arange(replicates), "time": time,
            "zone": zones, "age_band": list(AGE_BANDS), "channel": list(CHANNELS),
            "zone_name": ("zone", [f"Zone {i + 1}" for i in range(n_zones)]),
            "urban_rural": ("zone", ["urban"] * (n_zones - 1) + ["rural"]),
            "deprivation_decile": ("zone", np.linspace(1, 10, n_zones).round().astype(np.int16)),
        },
        attrs={"reference_option": "do_nothing", "place": "tiny", "model": "heat_health", "seed": 1,
               "scenario": SCENARIO, "scenario_name": "small"},
    )
    assert not np.isnan(old).any()
    return ds


@functools.lru_cache(maxsize=1)
def small_results_dir() -> Path:
    """A results directory (tiny place, scenario, results.nc, manifest.json) in a fresh temporary folder."""
    from twin._cf import finalize_cf
    from twin.testing import write_tiny_place

    from twin.run.assemble import _zone_data, option_tables
    from twin.run.engine import Ensemble
    from twin.scenario import load

    d = Path(tempfile.mkdtemp(prefix="placetwin-small-"))
    write_tiny_place(d, "tiny", n_zones=4, residents=4000, seed=1)
    (d / "s.yaml").write_text(SCENARIO)
    ds = small_results()
    # the option tables and zone boundaries the writer stores, from the scenario on the tiny place
    ens = Ensemble(load(d / "s.yaml"))
    coords, zone_vars = _zone_data(ens)
    ds = ds.assign_coords({k: v for k, v in coords.items() if k != "zone"})
    ds = ds.assign({k: xr.Variable(*v) if len(v) == 3 else xr.Variable(*v) for k, v in {**option_tables(ens),
                                                                                            **zone_vars}.items()})
    ds.attrs.update(scenario_description=ens.scenario.description or "", place_summary=ens.place.summary())
    finalize_cf(ds, "results").to_netcdf(d / "results.nc", engine="h5netcdf")
    (d / "manifest.json").write_text(json.dumps({
        "placetwin_version": "test", "seed": 1, "replicates": 6,
        "scenario": {"name": "small", "path": str(d / "s.yaml"), "sha256": "abc123"},
        "input_checksums": {"place/grid.nc": "f00"}}))
    return d
