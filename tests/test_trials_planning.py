"""Planning a trial from the twin's prediction: measurement model, heterogeneity, clusters needed."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from twin.errors import TwinError
from twin.trials.parametric import OutcomeModel
from twin.trials.planning import clusters_needed, icc_from_cv, plan_model, power_at
from twin.trials.power import closed_needed
from twin.trials.spec import TrialSpec

TWIN = OutcomeModel(mean=20.0, sigma_w=150.0, tau=1.0, effect=4.0, cluster_size=7500.0,
                    extra={"mean_residents": 7500.0, "effect_sd_between_clusters": 1.0, "clusters": 20,
                           "cluster_level_noise": 0.3})


def _spec(**kw):
    base = {"design": "stepped_wedge", "periods": 5, "outcome": {"variable": "protected", "type": "binary"},
            "intervention": {"type": "heat_health_outreach"}, "n_sim": 200,
            "measurement": {"method": "survey", "sample": 1000, "response_rate": 0.5}}
    return TrialSpec.model_validate({**base, **kw})


def test_trial_section_states_how_the_outcome_is_measured():
    with pytest.raises(ValidationError, match="a survey needs a sample"):
        _spec(measurement={"method": "survey"})
    with pytest.raises(ValidationError, match="routine data has no sample"):
        _spec(measurement={"method": "routine", "sample": 100})
    with pytest.raises(ValidationError, match="not both"):
        _spec(cluster_size=300)
    with pytest.raises(ValidationError, match="between_cv or icc"):
        _spec(heterogeneity={"between_cv": 0.2, "icc": 0.01})
    with pytest.raises(ValidationError, match="for stepped wedges"):
        _spec(design="parallel", window={"before": 1})
    assert _spec().measurement.respondents == 500


def test_plan_model_applies_survey_size_binary_variance_and_published_heterogeneity():
    model, info = plan_model(TWIN, _spec())
    assert model.cluster_size == 500
    assert model.sigma_w**2 == pytest.approx(1000**2 * 0.02 * 0.98)  # per 1,000: p(1 - p) per person
    assert model.tau == pytest.approx(0.2 * 20)  # between-zone CV 0.2 of the baseline
    assert info["icc"] == pytest.approx(16 / (16 + 19600))
    lo, hi = info["icc_interval"]
    assert lo == pytest.approx(icc_from_cv(0.1, 20, 19600)) and hi == pytest.approx(icc_from_cv(0.3, 20, 19600))
    assert lo < info["icc"] < hi
    assert model.eta == pytest.approx(1.0)  # effect_cv from the twin: SD 1 on effect 4
    routine, rinfo = plan_model(TWIN, _spec(measurement={"method": "routine"}))
    assert routine.cluster_size == 7500 and rinfo["measurement"] == "routine"
    twin_het, tinfo = plan_model(TWIN, _spec(heterogeneity={"source": "twin"}))
    assert twin_het.tau == pytest.approx(1.0) and tinfo["icc_interval"][0] <= tinfo["icc"] <= tinfo["icc_interval"][1]
    with pytest.raises(TwinError, match="binary outcome"):
        plan_model(OutcomeModel(mean=1500.0, effect=1.0), _spec())


def test_fewer_respondents_or_more_heterogeneity_need_more_zones():
    def need(**kw):
        model, _ = plan_model(TWIN, _spec(**kw))
        return closed_needed("stepped_wedge", model.effect, model.cluster_size, 5, model)
    small, big = need(measurement={"method": "survey", "sample": 300}), need()
    routine = need(measurement={"method": "routine"})
    assert small > big > routine
    assert need(heterogeneity={"between_cv": 0.3}) > big


def test_clusters_needed_and_power_at_available_clusters_carry_intervals():
    spec = _spec(heterogeneity={"between_cv": 0.1, "effect_cv": 0.0})
    model, info = plan_model(TWIN, spec)
    need = clusters_needed(model, info, spec, n_sim=200, seed=1)
    assert need["closed_form"] % 4 == 0  # whole sequences of the wedge
    lo, hi = need["closed_form_over_icc_interval"]
    assert lo <= need["closed_form"] <= hi
    assert 12 <= need["closed_form"] <= 200, need["closed_form"]  # a design the simulation can check
    sim_lo, sim_hi = need["simulated_interval"]
    assert sim_lo <= need["simulated"] <= sim_hi
    # the t test with estimated variances needs at least as many zones, within Monte Carlo error
    assert need["closed_form"] - 8 <= need["simulated"] <= 1.3 * need["closed_form"] + 8
    at = power_at(model, info, spec, 20, n_sim=200, seed=1)
    assert at["power_interval_mc"][0] <= at["power"] <= at["power_interval_mc"][1]
    a, b = at["closed_form_over_icc_interval"]
    assert a <= at["closed_form"] <= b
    assert (at["closed_form"] >= 0.8) == (need["closed_form"] <= 20)


def test_analysis_reports_the_icc_with_an_interval_that_covers_it():
    from twin.trials.analysis import analyse
    from twin.trials.parametric import Draws, allocations, simulate_parametric, trial_frame

    model = OutcomeModel.from_icc(0.05, 1.0, cluster_size=30, effect=0.2)
    n = 15
    x = allocations("stepped_wedge", 24, 5, n, seed=4)
    sim = simulate_parametric(model, x, Draws(4, n, 24, 5))
    hits = 0
    for i in range(n):
        row = analyse(trial_frame(sim, i, 30), design="stepped_wedge", method="cluster_robust").iloc[0]
        assert row.icc_low <= row.icc <= row.icc_high
        hits += row.icc_low <= 0.05 <= row.icc_high
    assert hits >= 11  # a 95 % interval: 11 or fewer of 15 has probability 0.006
