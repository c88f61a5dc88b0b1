"""The ``flood`` model on a tiny place with a river: outputs, options' effects, reproducibility, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.errors import InterventionError
from twin.flood.params import FloodModelParams
from twin.interventions import apply_option
from twin.run.streams import RunStreams
from twin.testing import tiny_place

RIVER = {"peaks_m3_s": {2: 60.0, 100: 300.0}, "base_m3_s": 10.0, "time_to_peak_h": 0.75}


@pytest.fixture(scope="module")
def place():
    """A 20 x 20 tiny place cut by a west-east river valley (row 10, bed 1.5 m below the banks)."""
    p = tiny_place(n_zones=4, residents=3000, seed=2)
    z = np.asarray(p.grid["elevation"].values, dtype=float)
    rows = np.arange(z.shape[0])[:, None]
    valley = 3.0 + 0.4 * np.abs(rows - 10) + 0.01 * (z - z.min())
    valley[10, :] = 1.5
    grid = p.grid.copy()
    grid["elevation"] = grid["elevation"].copy(data=valley.astype(np.float32))
    return p.replace(grid=grid)


def _run(place, params=None, pathway="baseline", seed=1, days=5):
    from twin.models.flood import FloodModel

    params = params or FloodModelParams(river=RIVER, rainfall={"return_periods": [10, 100, 1000], "duration_min": 60},
                                        people={"response_return_period": 100})
    streams = RunStreams(seed, 0)
    residents = FloodModel.make_residents(place, params, streams.get("population"))
    drivers = FloodModel.make_drivers(place, pathway, pd.date_range("2040-07-01", periods=days), streams, params=params)
    return FloodModel(place, drivers, residents, params, streams=streams).simulate()


@pytest.fixture(scope="module")
def base(place):
    return _run(place)


def test_outputs_are_cf_and_sensible(base):
    assert base["max_depth"].dims == ("return_period", "y", "x") and base["max_depth"].attrs["units"] == "m"
    for v in base.data_vars:
        assert "units" in base[v].attrs and "long_name" in base[v].attrs, v
    dmg = base["flood_damage"].sum("zone").values
    assert np.all(np.diff(dmg) >= 0) and dmg[-1] > 0                      # rarer floods do more damage
    assert float(base["expected_annual_damage_total"]) == pytest.approx(float(base["expected_annual_damage"].sum()))
    assert np.all(np.diff(base["displaced"].sum("zone").values) >= 0)
    assert base.attrs["flood_mass_balance_error_m3"] < 1e-6
    assert base["displaced_residents"].isel(time=0).sum() == base["displaced"].sel(return_period=100).sum()
    need0 = float(base["welfare_need"].isel(time=0).sum())
    served = float(base["welfare_served"].sum())
    need = base["welfare_need"].sum("zone").values
    assert need0 > 0 and 0 < served <= need0
    assert np.all(np.diff(need) <= 0) and need0 - need[-1] <= served    # contacts made leave the queue


def test_same_seed_same_results_and_wetter_pathway(place, base):
    again = _run(place)
    assert again.identical(base)
    wet = _run(place, pathway="gwl4")
    assert wet.attrs["flood_rainfall_uplift"] > 1.3
    assert float(wet["expected_annual_damage_total"]) > float(base["expected_annual_damage_total"])


def test_options_cut_damage_where_they_act(place, base):
    defended, (cost,) = apply_option(place, [{"type": "flood_defence", "standard_of_protection": 100}])
    assert cost.capital > 0 and (defended.grid["defence_sop"].values == 100).sum() > 0
    d = _run(defended)
    held, over = d["flood_damage"].sum("zone").values, base["flood_damage"].sum("zone").values
    assert over[1] > 0 and held[1] < 0.1 * over[1]          # the 1-in-100 river flood is held back
    assert held[2] > 0                                      # the 1-in-1000 overtops the bank
    assert float(d["expected_annual_damage_total"]) < float(base["expected_annual_damage_total"])
    pfr, _ = apply_option(place, [{"type": "property_flood_resilience", "coverage": 1.0},
                                  {"type": "suds", "share_of_sealed": 0.5}])
    p = _run(pfr)
    assert float(p["expected_annual_damage_total"]) < float(base["expected_annual_damage_total"])
    assert float(p["max_depth"].sel(return_period=10).sum()) < float(base["max_depth"].sel(return_period=10).sum())


def test_bad_inputs_are_one_line_errors(place):
    from pydantic import ValidationError

    with pytest.raises(InterventionError, match="outside the place") as e:
        apply_option(place, [{"type": "flood_defence", "line": [[530_250.0, 179_750.0], [600_000.0, 100_000.0]]}])
    assert "\n" not in str(e.value)
    with pytest.raises(ValidationError, match="must increase"):
        FloodModelParams(rainfall={"return_periods": [100, 10]}, people={"response_return_period": 100})
    with pytest.raises(ValidationError, match="not monotone"):
        FloodModelParams(damage={"residential": [0, 0.25, 0.2, 0.5, 0.6, 0.75, 0.85, 0.95, 1.0]})
    with pytest.raises(ValidationError, match="response_return_period"):
        FloodModelParams(rainfall={"return_periods": [10, 30]})


@pytest.mark.slow
def test_twin_run_writes_flood_results_and_plots(write_scenario, tmp_path):
    """The CLI end to end: a flood scenario on the tiny place runs, writes CF results and the flood plots."""
    import xarray as xr

    from twin.cli import main

    options = ("options:\n  - name: do_nothing\n    interventions: []\n  - name: pfr\n    interventions:\n"
               "      - type: property_flood_resilience\n        coverage: 1.0\n        min_ponding_m: 0\n"
               "        target: all")
    path = write_scenario(model="model: flood",
                          parameters="parameters: {rainfall: {return_periods: [10, 100], duration_min: 60}}",
                          pathways="pathways: [baseline]", replicates="replicates: 1",
                          period="period: {start: 2030-07-01, end: 2030-07-03}", options=options,
                          outputs="outputs: {plots: true}")
    out = tmp_path / "run"
    assert main(["run", str(path), "-o", str(out)]) == 0
    ds = xr.open_dataset(out / "results.nc")
    assert ds["max_depth"].dims[-2:] == ("y", "x") and ds["max_depth"].attrs["units"] == "m"
    assert set(ds["expected_annual_damage"].dims) == {"option", "pathway", "replicate", "zone"}
    plots = {p.name for p in (out / "plots").glob("*.png")}
    assert {"flood_ead_by_option.png", "flood_damage_exceedance.png"} <= plots
    assert any(p.startswith("flood_depth_") for p in plots)
    bad = write_scenario("bad.yaml", model="model: flood", parameters="parameters: {rainfall: {return_periods: [100, 10]}}")
    assert main(["validate", str(bad)]) == 2
