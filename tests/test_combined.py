"""heat_and_flood: both hazards in one run and one appraisal; flood inputs drawn per replicate."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from tests.conftest import scenario_text
from twin.run.streams import RunStreams

FLOOD = {"rainfall": {"return_periods": [10, 100], "duration_min": 60}, "people": {"response_return_period": 100}}

OPTIONS = textwrap.dedent(
    """\
    options:
      - name: do_nothing
        interventions: []
      - name: pfr_and_phone
        interventions:
          - type: property_flood_resilience
            coverage: 1.0
            min_ponding_m: 0
            target: all
          - type: heat_health_outreach
            mode: phone
            staff: 4.0
            target: all
    """
).rstrip()


@pytest.fixture(scope="module")
def ensemble(tiny_place_dir):
    """A heat_and_flood scenario on the tiny place: 2 options x 1 pathway x 2 replicates of 3 days."""
    from twin.run.engine import Ensemble
    from twin.scenario import loads

    text = scenario_text(
        tiny_place_dir, model="model: heat_and_flood",
        parameters="parameters: {flood: {rainfall: {return_periods: [10, 100], duration_min: 60}}}",
        pathways="pathways: [gwl2]", replicates="replicates: 2", period="period: {start: 2030-07-14, end: 2030-07-16}",
        options=OPTIONS, outputs="outputs: {plots: false, heat_indices: false}")
    return Ensemble(loads(text, file="adapt.yaml"))


@pytest.fixture(scope="module")
def runs(ensemble, tmp_path_factory):
    """Every run of the ensemble, and results.nc assembled from them by the engine's assembler."""
    import xarray as xr

    from twin.run.assemble import assemble

    done = {key: ensemble.run_key(key) for key in ensemble.keys()}  # noqa: SIM118  (a method, not a dict)
    path = assemble(ensemble, done.__getitem__, tmp_path_factory.mktemp("combined") / "results.nc",
                    attrs={"model": "heat_and_flood"})
    return done, xr.open_dataset(path)


def test_parts_are_bit_for_bit_the_models_run_alone(ensemble, runs):
    """Same place, residents and streams: each part's records equal the same model run on its own."""
    from twin.models import get_model

    from twin.run.engine import RunKey, simulate

    both = runs[0][RunKey(1, 0, 1)]
    assert both.attrs["models"] == "heat_health, flood"
    place, residents, streams = ensemble.option_places[1], ensemble.residents(1), RunStreams(ensemble.seed, 1)
    for name in ("heat_health", "flood"):
        Model, params = get_model(name).load(), getattr(ensemble.params, name)
        own = Model.make_residents(ensemble.place, params, streams.get("population"))
        assert np.array_equal(own.cell, residents.cell) and np.array_equal(own.age, residents.age)
        alone = simulate(Model, place, Model.make_drivers(place, "gwl2", ensemble.time, streams, params=params),
                         residents, params, streams=streams)
        for v in alone.data_vars:
            assert np.array_equal(both[v].values, alone[v].values, equal_nan=True), (name, v)


def test_one_appraisal_counts_heat_and_flood_benefits(runs):
    from twin.analysis.appraisal import appraise

    ds = runs[1]
    assert {"expected_attributable_deaths", "expected_annual_damage", "max_depth"} <= set(ds.data_vars)
    app = appraise(ds)
    assert set(app.attrs["benefits"].split(", ")) >= {"deaths_averted", "flood_ead_avoided"}
    opt = app.sel(option="pfr_and_phone", pathway="gwl2")
    assert np.all(opt["pv_flood_ead_avoided"].values > 0)           # PFR cuts EAD in every replicate
    total = opt["pv_deaths_averted"] + opt["pv_illness_averted"] + opt["pv_flood_ead_avoided"]
    assert np.allclose(opt["pv_benefit"].values, total.values)       # one benefit: heat and flood summed
    # flood inputs are drawn per replicate: the same in every option, different between replicates
    f = ds["flood_design_depth_factor"]
    assert np.array_equal(f.isel(option=0).values, f.isel(option=1).values)
    assert f.isel(option=0, pathway=0, replicate=0) != f.isel(option=0, pathway=0, replicate=1)
    ead = ds["expected_annual_damage"].sum("zone").sel(option="do_nothing", pathway="gwl2")
    assert float(ead.std("replicate")) > 0                           # EAD intervals are not a point


def test_bad_part_parameters_are_one_line_errors(write_scenario, capsys):
    from twin.cli import main

    for params, word in (("{flood: {rainfall: {return_periods: [100, 10]}}}", "increase"),
                         ("{wind: {}}", "wind")):
        path = write_scenario("bad.yaml", model="model: heat_and_flood", parameters=f"parameters: {params}")
        assert main(["validate", str(path)]) == 2
        err = capsys.readouterr().err.strip()
        assert word in err and "bad.yaml" in err and len(err.splitlines()) == 1, err


def test_flood_inputs_drawn_within_their_ranges_and_reproducible():
    from twin.flood.params import FloodModelParams
    from twin.flood.uncertainty import sample_inputs

    p = FloodModelParams()
    draws = [sample_inputs(p, RunStreams(5, r).get("flood_inputs")) for r in range(40)]
    assert draws[3] == sample_inputs(p, RunStreams(5, 3).get("flood_inputs"))
    depth = np.array([d.design_depth_factor for d in draws])
    rate = np.array([d.uplift_per_degC for d in draws])
    home = np.array([d.value_per_dwelling_gbp for d in draws])
    assert depth.min() >= 0.8 and depth.max() < 1.2 and np.ptp(depth) > 0.2
    assert rate.min() >= 0.05 and rate.max() < 0.15                 # Kendon et al. 2023: 5-15 % per degC
    assert home.min() >= 90_000 * (1 - 0.063) and home.max() < 90_000 * (1 + 0.063)
    off = FloodModelParams(uncertainty={"sample": False})
    assert sample_inputs(off, RunStreams(5, 0).get("flood_inputs")).design_depth_factor == 1.0
