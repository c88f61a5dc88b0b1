"""Trials inside the twin: residents randomised within zones, and model state carried across a wedge's periods.

One tiny place (4 zones, 2,000 residents), heat_health with a phone outreach team, short seasons.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest

from twin.errors import TwinError

PARAMS = {"delivery": {"proactive_min_level": 1}}
OUTREACH = {"type": "heat_health_outreach", "mode": "phone", "staff": 0.2}


@pytest.fixture(scope="module")
def wedge():
    from twin.testing import tiny_place
    from twin.trials.simulate import TwinTrial

    place = tiny_place(n_zones=4, residents=2000)
    return TwinTrial(place, "heat_health", PARAMS, {**OUTREACH, "staff": 5.0}, "protected",
                     pd.date_range("2030-06-15", "2030-08-03"), periods=3, pathway="gwl4", seed=3)


# --- allocation ------------------------------------------------------------------------------
def test_residents_are_randomised_within_zones_reproducibly():
    from twin.trials.designs import allocation_rng
    from twin.trials.individual import allocate_residents

    zone = np.repeat([0, 1, 2], [7, 10, 4])
    eligible = np.ones(zone.size, bool)
    eligible[[0, 8]] = False
    arm = allocate_residents(zone, eligible, allocation_rng(1, 0))
    assert (arm[[0, 8]] == -1).all()
    for z, n in ((0, 6), (1, 9), (2, 4)):
        assert (arm[zone == z] == 1).sum() == round(n / 2)  # exactly balanced within each zone
    assert np.array_equal(arm, allocate_residents(zone, eligible, allocation_rng(1, 0)))
    assert not np.array_equal(arm, allocate_residents(zone, eligible, allocation_rng(1, 1)))


# --- individually randomised trials through the CLI's pipeline ---------------------------------
TRIAL = textwrap.dedent("""\
    trial:
      design: individual
      randomise: residents
      outcome: {variable: protected, per: 1000, type: count}
      intervention: {type: heat_health_outreach, mode: phone, staff: 0.15}
      relative_effects: [0, 1]
      n_sim: 40
      twin_replicates: 1
      twin_trials: 24
    """)


def _scenario(tmp_path, place_dir, trial: str, model: str = "heat_health"):
    path = tmp_path / "trial.yaml"
    path.write_text(textwrap.dedent(f"""\
        name: tiny_individual
        place: {place_dir}
        model: {model}
        pathways: [gwl4]
        period: {{start: 2030-07-01, end: 2030-07-20}}
        replicates: 1
        seed: 3
        options:
          - name: do_nothing
            interventions: []
        """) + ("parameters:\n  delivery: {proactive_min_level: 1}\n" if model == "heat_health" else "") + trial)
    return path


@pytest.fixture(scope="module")
def individual_out(tmp_path_factory, tiny_place_dir):
    from twin.cli import main

    tmp = tmp_path_factory.mktemp("individual")
    out = tmp / "out"
    assert main(["trial", str(_scenario(tmp, tiny_place_dir, TRIAL)), "-o", str(out), "--quiet", "--no-plots"]) == 0
    return out


def test_an_individually_randomised_trial_runs_in_the_twin(individual_out):
    import xarray as xr

    from twin._cf import udunits_ok

    summary = json.loads((individual_out / "manifest.json").read_text())["summary"]
    assert summary["randomise"] == "residents" and summary["trials"] == 24
    assert summary["effect_on_treated"] > 0 and summary["residents_in_trial"] == 2000
    # the team serves only the treated arm and shares nothing with the controls: no contamination
    assert summary["contamination_of_controls"] == 0.0
    arms = pd.read_csv(individual_out / "arms.csv")
    untreated = arms[arms["run"] == "untreated"]
    trial = arms[arms["run"] == "trial"]
    assert np.array_equal(trial[trial["treated"] == 0]["y"], untreated[untreated["treated"] == 0]["y"])
    assert (trial.groupby(["trial", "treated"])["n"].sum().unstack().diff(axis=1).abs().iloc[:, 1] <= 4).all()
    est = pd.read_csv(individual_out / "estimates.csv")
    assert len(est) == 24 and set(est["source"]) == {"twin"} and "zone-stratified" in est["method"].iloc[0]
    assert "Power from 24 whole trials in the twin" in summary["answer"]
    with xr.open_dataset(individual_out / "trial.nc", engine="h5netcdf") as ds:
        assert ds.attrs["randomise"] == "residents" and ds["treated"].dims == ("cluster", "period")
        for v in ds.data_vars:
            assert "long_name" in ds[v].attrs and udunits_ok(ds[v].attrs.get("units", "1")), v


def test_power_of_whole_twin_trials_agrees_with_the_parametric_power(individual_out):
    s = json.loads((individual_out / "manifest.json").read_text())["summary"]
    lo, hi = s["power_twin_interval"]
    assert 0.15 < s["power_parametric"] < 0.85  # a design point where power can be wrong either way
    assert lo <= s["power_parametric"] <= hi, s
    # the zone-stratified estimate is unbiased for the effect on the treated arm (within Monte Carlo error)
    assert abs(s["mean_estimate"] - s["effect_on_treated"]) < 3 * s["sd_estimate"] / np.sqrt(s["trials"])


def test_analysis_of_a_zone_arm_table_matches_person_level_ols():
    import statsmodels.formula.api as smf

    from twin.trials.individual import analyse_individual

    rng = np.random.default_rng(0)
    people = pd.DataFrame({"cluster": np.repeat(["A", "B", "C"], 60), "treated": np.tile([0, 1], 90)})
    people["y"] = rng.poisson(2 + people["treated"] + (people["cluster"] == "B"))
    g = people.groupby(["cluster", "treated"])["y"]
    table = pd.DataFrame({"y": g.mean(), "n": g.size(), "ss_within": g.var(ddof=0) * g.size()}).reset_index()
    row = analyse_individual(table.assign(period=0, stratum=table["cluster"])).iloc[0]
    ols = smf.ols("y ~ treated + C(cluster)", people).fit(cov_type="HC0")
    assert row.estimate == pytest.approx(ols.params["treated"], rel=1e-12)  # equal arms in each zone
    assert row.se == pytest.approx(ols.bse["treated"], rel=0.05)


@pytest.mark.parametrize("edit, key", [
    (("design: individual", "design: parallel"), "trial"),
    (("type: heat_health_outreach, mode: phone, staff: 0.15", "type: tree_canopy, increase: 0.2"),
     "trial.intervention.type"),
    (("randomise: residents", "randomise: households"), "trial.randomise"),
    (("twin_trials: 24", "twin_trials: 24\n  carry_over: true"), "trial"),
])
def test_bad_individual_trials_are_one_line_errors(tmp_path, tiny_place_dir, edit, key):
    from twin.trials.run import load_trial_scenario

    path = _scenario(tmp_path, tiny_place_dir, TRIAL.replace(*edit))
    with pytest.raises(TwinError) as err:
        load_trial_scenario(path)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and key in msg, msg


def test_a_model_without_arms_and_an_unknown_eligibility_are_refused(tmp_path, tiny_place_dir):
    from twin.trials.run import load_trial_scenario, run_trial

    path = _scenario(tmp_path, tiny_place_dir, TRIAL.replace("protected", "hot_day_exposure"), model="heat_exposure")
    with pytest.raises(TwinError, match=r"trial.randomise: the model records no outcomes by trial arm"):
        load_trial_scenario(path)
    path = _scenario(tmp_path, tiny_place_dir, TRIAL.replace("randomise: residents", "randomise: residents\n  "
                                                             "eligible: retired"))
    with pytest.raises(TwinError) as err:
        run_trial(*load_trial_scenario(path))  # before any model run
    msg = str(err.value)
    assert str(path) in msg and "trial.eligible: unknown eligibility (got 'retired')" in msg and "vulnerable_list" in msg


# --- state carried across a stepped wedge's periods --------------------------------------------
def test_carry_over_keeps_contact_history_and_is_reproducible(wedge):
    zones = tuple(wedge.place.zone_codes)
    fresh = wedge.run_chain(0, [zones, zones], carry_over=False)
    assert np.array_equal(fresh, np.array([wedge.run_span(0, p, zones) for p in range(2)]))  # as before
    carried = wedge.run_chain(0, [zones, zones], carry_over=True)
    assert np.array_equal(carried[0], fresh[0]) and not np.array_equal(carried[1], fresh[1])
    assert np.array_equal(carried, wedge.run_chain(0, [zones, zones], carry_over=True))


def test_state_hand_off_counts_days_in_the_scenario_period(wedge):
    from twin.run.streams import TRIAL_SPAN_OFFSET

    ens, place = wedge.ensemble, wedge.place_for(tuple(wedge.place.zone_codes))
    _, state = ens.run_span(place, "gwl4", 0, days=wedge.spans[0], span=TRIAL_SPAN_OFFSET)
    assert state["last_proactive"].max() <= wedge.spans[0].stop - 1 and (state["last_proactive"] >= 0).any()
    daily = [ens.run_span(place, "gwl4", 0, days=wedge.spans[1], span=TRIAL_SPAN_OFFSET + 1, state=s)[0]["contacts"]
             .sum("zone").values for s in (None, state)]
    first = int(np.flatnonzero(daily[0])[0])
    # the team phoned the whole list at the end of period 1: with the history kept, it does not phone
    # them again within proactive_recontact_days (7) at the start of period 2
    assert wedge.spans[1].start + first < state["last_proactive"].max() + 7  # within the recontact interval
    assert daily[1][first] < daily[0][first] / 4
    model = ens.model(*ens._arguments(place, ens.drivers(place, "gwl4", 0), 0, None, wedge.spans[1], 1),
                      streams=ens._streams(0, None, wedge.spans[1], TRIAL_SPAN_OFFSET + 1))
    model.import_state(state)
    start = wedge.spans[1].start
    phoned = state["last_proactive"] >= 0
    assert np.array_equal(model.last_proactive[phoned], state["last_proactive"][phoned] - start)
    assert np.array_equal(model.alive, state["alive"]) and np.array_equal(model.adopted, state["adopted"])


def test_time_on_treatment_with_and_without_carry_over(wedge):
    from twin.trials.carryover import carryover_answer, exposure_time_model, time_on_treatment
    from twin.trials.designs import allocation_rng, stepped_wedge

    design = stepped_wedge(list(wedge.place.zone_codes), 3, allocation_rng(3, 0))
    tot = time_on_treatment(wedge, design, 0)
    assert set(tot["carry_over"]) == {False, True} and set(tot["exposure"]) == {-1, 0, 1}
    # the phone team serves treated zones only: zones not yet treated get exactly what they would untreated
    assert (tot.loc[tot["exposure"] == -1, "effect"] == 0).all()
    assert (tot.loc[tot["exposure"] >= 0, "effect"] > 0).any()
    eti = exposure_time_model(wedge.run(design, 0, False))
    assert list(eti["exposure"]) == [0, 1] and np.isfinite(eti["estimate"]).all() and (eti["se"] > 0).all()
    assert "with carry-over" in carryover_answer(tot)
