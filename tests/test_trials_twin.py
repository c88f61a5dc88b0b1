"""Field trials run in the twin: tiny place, heat_exposure + tree_canopy; trial scenarios and their errors."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from twin.errors import TwinError
from twin.trials.designs import allocation_rng, stepped_wedge
from twin.trials.simulate import TwinTrial, estimate_outcome_model


@pytest.fixture(scope="module")
def twin_trial():
    from twin.testing import tiny_place

    place = tiny_place(n_zones=6, residents=3000)
    return TwinTrial(place, "heat_exposure", {}, {"type": "tree_canopy", "increase": 0.3}, "hot_day_exposure",
                     pd.date_range("2030-06-01", "2030-08-31"), periods=4, pathway="gwl4", seed=5)


def test_a_twin_trial_gives_cluster_by_period_outcomes(twin_trial):
    design = stepped_wedge(list(twin_trial.place.zone_codes), 4, allocation_rng(5, 0))
    df = twin_trial.run(design, replicate=0)
    assert len(df) == 6 * 4 and set(df["period"]) == {0, 1, 2, 3}
    assert np.array_equal(df.pivot(index="cluster", columns="period", values="treated").to_numpy(),
                          design.treated.astype(int)[np.argsort(design.clusters)])
    assert np.isfinite(df["y"]).all() and (df["y"] >= 0).all()


def test_common_random_numbers_untreated_spans_do_not_depend_on_the_allocation(twin_trial):
    zones = twin_trial.place.zone_codes
    base = twin_trial.run_span(0, 1, ())
    some = twin_trial.run_span(0, 1, zones[:2])
    # canopy cools the treated zones only: the other zones see the same weather and residents
    assert np.array_equal(base[2:], some[2:])
    assert (some[:2] <= base[:2]).all() and (some[:2] < base[:2]).any()


def test_stage1_estimates_an_outcome_model_with_the_predicted_effect(twin_trial):
    s1 = twin_trial.stage1(replicates=1)
    assert list(s1.columns) == ["replicate", "period", "cluster", "y0", "y1", "spill"]
    model = estimate_outcome_model(s1, twin_trial.residents_by_zone)
    assert model.effect < 0  # canopy reduces hot-day exposure
    assert len(model.period_effects) == 4 and 0 <= model.icc < 1
    assert model.cluster_size == pytest.approx(500.0)


def _trial_scenario(tmp_path, place_dir, trial: str) -> str:
    text = textwrap.dedent(f"""\
        name: tiny_trial
        place: {place_dir}
        model: heat_exposure
        pathways: [gwl4]
        period: {{start: 2030-07-01, end: 2030-07-30}}
        replicates: 1
        seed: 3
        options:
          - name: do_nothing
            interventions: []
        """) + trial
    path = tmp_path / "trial.yaml"
    path.write_text(text)
    return path


GOOD = textwrap.dedent("""\
    trial:
      design: stepped_wedge
      periods: 3
      strata: urban_rural
      outcome: {variable: hot_day_exposure}
      intervention: {type: tree_canopy, increase: 0.3}
      relative_effects: [0, 1]
      n_sim: 50
      twin_replicates: 1
      twin_trials: 1
    """)


def test_run_trial_scenario_end_to_end(tmp_path, tiny_place_dir):
    import xarray as xr

    from twin.errors import OutputError
    from twin.trials import run_trial_scenario

    path = _trial_scenario(tmp_path, tiny_place_dir, GOOD)
    out = run_trial_scenario(path, tmp_path / "out", plots=True)
    for name in ("trial.nc", "trial.csv", "estimates.csv", "stage1.csv", "manifest.json",
                 "plots/power_curve.png", "plots/estimates.png", "plots/design.png"):
        assert (out / name).exists(), name
    with xr.open_dataset(out / "trial.nc", engine="h5netcdf") as ds:
        assert ds.attrs["scenario_sha256"] and ds.attrs["seed"] == 3
        assert ds["power"].attrs["units"] == "1" and ds["treated"].dims == ("cluster", "period")
    est = pd.read_csv(out / "estimates.csv")
    assert set(est["source"]) == {"parametric", "twin"}
    with pytest.raises(OutputError, match="already holds a trial"):
        run_trial_scenario(path, out)
    assert run_trial_scenario(path, out, overwrite=True, plots=False) == out


@pytest.mark.parametrize("trial, key", [
    (GOOD.replace("periods: 3", "periods: 1"), "trial"),
    (GOOD.replace("n_sim: 50", "n_sims: 50"), "trial.n_sims"),
    (GOOD.replace("increase: 0.3}", "increase: 0.3, target: all}"), "trial.intervention"),
    (GOOD.replace("type: tree_canopy", "type: tree_planting"), "trial.intervention"),
    (GOOD.replace("increase: 0.3", "increase: 3.0"), "trial.intervention.increase"),
    (GOOD.replace("design: stepped_wedge", "design: crossover"), "trial.design"),
])
def test_bad_trial_specs_are_one_line_errors(tmp_path, tiny_place_dir, trial, key):
    from twin.trials.run import load_trial_scenario

    path = _trial_scenario(tmp_path, tiny_place_dir, trial)
    with pytest.raises(TwinError) as err:
        load_trial_scenario(path)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and key in msg, msg


def test_bad_zone_and_outcome_are_one_line_errors(tmp_path, tiny_place_dir):
    from twin.trials.run import load_trial_scenario, run_trial

    path = _trial_scenario(tmp_path, tiny_place_dir, GOOD.replace("periods: 3", "periods: 3\n  clusters: [Z01, Z99]"))
    with pytest.raises(TwinError, match=r"trial.clusters: unknown zone \(got 'Z99'\)"):
        run_trial(*load_trial_scenario(path))
    path = _trial_scenario(tmp_path, tiny_place_dir, GOOD.replace("variable: hot_day_exposure", "variable: deaths"))
    with pytest.raises(TwinError, match=r"trial.outcome.variable: outcome variable not in the model's results"):
        run_trial(*load_trial_scenario(path))
