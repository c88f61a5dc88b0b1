"""Small result directories for the dashboard tests, built without running the full engine.

* ``urban/``: results with the runner's layout (:func:`tests.appraisal_fakes.fake_results`) on the
  20 zones of the bundled ``urban_borough``, whose stored scenario names that place, so the map
  draws the real urban borough (its zones and services) — the urban place of the timing figures.
* ``projection/``: ``twin project`` on a tiny place (three variants, to 2030).
* ``scenarios/tiny_health.yaml``: a heat_health scenario on the tiny place, small enough for the
  Run and Live model pages to run it in a second or two.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.appraisal_fakes import fake_results
from twin.testing import write_tiny_place

URBAN_SCENARIO = """name: urban_fake
description: Which heat measures protect most per pound in the urban borough?
place: urban_borough
model: heat_health
pathways: [baseline, gwl2, gwl4]
period: {start: 2030-07-01, end: 2030-07-20}
replicates: 4
seed: 1
options:
  - name: do_nothing
    interventions: []
  - name: no_effect
    budget: 60000
    interventions:
      - {type: digital_inclusion, share: 0.1}
  - name: outreach
    budget: 60000
    interventions:
      - {type: heat_health_outreach, staff: 2.0, target: {top: 2, by: deprivation}}
  - name: centres
    budget: 80000
    interventions:
      - {type: cooling_centres, target: {class: urban}}
"""

PROJECTION_SCENARIO = """name: tiny_projection
place: ../places/tiny
seed: 5
demography:
  base_year: 2023
  horizon: 2030
  variants: [principal, high_migration, low_life_expectancy]
outputs: {plots: false}
"""

HEALTH_SCENARIO = """name: tiny_health
description: Nine days of the heat-health model on a tiny place (dashboard tests).
place: ../places/tiny
model: heat_health
pathways: [gwl4]
period: {start: 2030-07-10, end: 2030-07-18}
replicates: 1
seed: 11
outputs: {plots: false, heat_indices: false}
options:
  - name: do_nothing
    interventions: []
  - name: outreach
    interventions:
      - {type: heat_health_outreach, staff: 2.0, target: all}
"""


def build_dashboard_dirs(root: Path) -> dict[str, Path]:
    """Write the urban results, the tiny place, its projection and the tiny scenario under ``root``."""
    from twin.demography.run import run_projection_scenario

    root = Path(root)
    urban = root / "urban"
    urban.mkdir(parents=True)
    ds = fake_results(n_zones=20, replicates=4, days=20, seed=5)
    rng = np.random.default_rng(2)
    # contacts and unmet demand by channel, as the heat_health model writes them (zone detail, channels)
    shape = ds["protected"].shape
    for name, scale in (("contacts_by_age", 4.0), ("unmet_demand_by_age", 1.0)):
        ds[name] = (ds["protected"].dims, rng.poisson(scale, size=shape).astype(np.float32),
                    {"units": "contact", "long_name": f"{name.removesuffix('_by_age').replace('_', ' ')}, over the period"})
    ds.attrs.update(scenario=URBAN_SCENARIO, scenario_name="urban_fake", place="urban_borough")
    ds.to_netcdf(urban / "results.nc", engine="h5netcdf")
    (urban / "manifest.json").write_text(json.dumps({"scenario": {"name": "urban_fake", "path": None}}))
    write_tiny_place(root / "places", "tiny", n_zones=4, residents=3000, seed=4)
    scen = root / "scenarios"
    scen.mkdir()
    (scen / "tiny_projection.yaml").write_text(PROJECTION_SCENARIO)
    (scen / "tiny_health.yaml").write_text(HEALTH_SCENARIO)
    projection = run_projection_scenario(scen / "tiny_projection.yaml", root / "projection")
    return {"root": root, "urban": urban, "projection": projection, "scenario": scen / "tiny_health.yaml"}
