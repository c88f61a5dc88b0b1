"""Field trials: designs, closed forms, analysis, power by simulation (parametric stage)."""

from __future__ import annotations

import numpy as np
import pytest

from twin.trials import closed_form as cf
from twin.trials.analysis import analyse, fast_parallel, fast_stepped_wedge
from twin.trials.designs import allocation_rng, parallel, stepped_wedge, stratified
from twin.trials.parametric import Draws, OutcomeModel, allocations, simulate_parametric, trial_frame
from twin.trials.power import power, required_clusters


def _mc_ok(sim: float, closed: float, n: int, slack: float = 0.02) -> bool:
    se = np.sqrt(max(closed * (1 - closed), 0.01) / n)
    return abs(sim - closed) < 3 * se + slack


# --- designs ------------------------------------------------------------------------------
def test_parallel_is_balanced_and_reproducible_from_the_seed():
    names = [f"Z{i:02d}" for i in range(1, 21)]
    a = parallel(names, allocation_rng(7, 3))
    b = parallel(names, allocation_rng(7, 3))
    assert a.treated[:, 0].sum() == 10
    assert np.array_equal(a.treated, b.treated)
    assert not np.array_equal(a.treated, parallel(names, allocation_rng(7, 4)).treated)


def test_stratified_balances_each_stratum():
    strata = ["urban"] * 8 + ["rural"] * 6
    for i in range(20):
        d = stratified(14, strata, allocation_rng(1, i))
        arm = d.treated[:, 0]
        assert arm[:8].sum() == 4 and arm[8:].sum() == 3


def test_stepped_wedge_rolls_out_monotonically_and_spreads_strata():
    strata = ["a"] * 6 + ["b"] * 6
    d = stepped_wedge(12, 5, allocation_rng(2, 0), strata=strata)
    t = d.treated
    assert not t[:, 0].any() and t[:, -1].all()
    assert np.all(np.diff(t.astype(int), axis=1) >= 0)  # once treated, always treated
    assert sorted(np.bincount(d.crossover)[1:]) == [3, 3, 3, 3]  # four equal steps
    for s in ("a", "b"):  # each stratum reaches every step at most twice
        cross = d.crossover[np.array(strata) == s]
        assert np.bincount(cross, minlength=5)[1:].max() <= 2


# --- closed forms -------------------------------------------------------------------------
def test_hussey_hughes_formula_equals_gls():
    X = cf.stepped_wedge_matrix(12, 5)
    assert cf.hussey_hughes_variance(X, 0.05, 0.0475) == pytest.approx(cf.gls_variance(X, 0.05, 0.0475), rel=1e-10)
    assert cf.design_effect(21, 0.05) == pytest.approx(2.0)
    # DE = 1.95: 40 clusters of 20 with ICC 0.05 count as 800 / 1.95 independent people
    assert cf.se_parallel(40, 20, 0.05) == pytest.approx(np.sqrt(4 * 1.95 / 800))


# --- analysis -----------------------------------------------------------------------------
def test_cluster_level_analysis_covers_the_true_effect_at_the_nominal_rate():
    model = OutcomeModel.from_icc(0.05, 1.0, cluster_size=20, effect=0.3)
    n = 300
    x = allocations("parallel", 16, 1, n, seed=11)
    sim = simulate_parametric(model, x, Draws(11, n, 16, 1))
    hits = 0
    for i in range(n):
        row = analyse(trial_frame(sim, i, 20), design="parallel").iloc[0]
        hits += row["ci_low"] <= 0.3 <= row["ci_high"]
    assert 0.9 <= hits / n <= 0.99


def test_stepped_wedge_fast_estimator_matches_mixedlm_and_covers():
    model = OutcomeModel.from_icc(0.05, 1.0, cluster_size=20, effect=0.3, period_effects=(0, 0.2, 0.4, 0.2, 0))
    n = 400
    x = allocations("stepped_wedge", 12, 5, n, seed=5)
    sim = simulate_parametric(model, x, Draws(5, n, 12, 5))
    est, se, _, icc = fast_stepped_wedge(sim["y"], x, sim["ss_within"], 20)
    assert 0.9 <= np.mean(np.abs(est - 0.3) <= 1.96 * se) <= 0.99
    assert np.nanmean(icc) == pytest.approx(0.05, abs=0.01)  # ANOVA ICC: unbiased-ish
    for i in range(3):
        table = analyse(trial_frame(sim, i, 20), design="stepped_wedge", method="all")
        mixed = table.iloc[0]
        assert mixed["method"].startswith("mixed model")
        assert mixed["estimate"] == pytest.approx(est[i], abs=0.02)
        assert mixed["se"] == pytest.approx(se[i], rel=0.1)
        assert set(table.columns) >= {"estimate", "se", "ci_low", "ci_high", "p_value", "icc", "n_clusters",
                                      "cluster_size", "periods", "method"}


def test_parallel_icc_estimate_is_unbiased_ish():
    model = OutcomeModel.from_icc(0.05, 1.0, cluster_size=30)
    x = allocations("parallel", 30, 1, 800, seed=2)
    sim = simulate_parametric(model, x, Draws(2, 800, 30, 1))
    _, _, _, icc = fast_parallel(sim["y"], x[:, :, 0], None, sim["ss_within"], 30)
    assert np.mean(icc) == pytest.approx(0.05, abs=0.008)
    one = analyse(trial_frame(sim, 0, 30), design="parallel").iloc[0]
    assert one["icc"] == pytest.approx(icc[0], abs=1e-9)


# --- power --------------------------------------------------------------------------------
def test_simulated_power_agrees_with_the_design_effect_formula():
    n = 1000
    t = power("parallel", effects=[0.2, 0.3], clusters=40, cluster_size=20, icc=0.05, n_sim=n, seed=3)
    z = power("parallel", effects=[0.2, 0.3], clusters=40, cluster_size=20, icc=0.05, n_sim=n, seed=3,
              reference="normal")
    for row in t.itertuples():  # the simulation's t test against the DE formula with a t reference
        assert _mc_ok(row.power, row.closed_form_t, n), row
    for row in z.itertuples():  # Wald z against the plain normal approximation 1 + (m - 1) ICC
        assert _mc_ok(row.power, row.closed_form, n), row


def test_simulated_stepped_wedge_power_agrees_with_hussey_hughes():
    n = 1000
    table = power("stepped_wedge", effects=[0.15, 0.25], clusters=16, cluster_size=20, periods=5, icc=0.05,
                  n_sim=n, seed=4)
    for row in table.itertuples():
        assert _mc_ok(row.power, row.closed_form, n), row


def test_power_curve_is_monotone_in_effect_for_a_fixed_seed():
    # (a two-sided test's simulated power may dip just above 0: trials rejecting in the lower tail)
    table = power("stepped_wedge", effects=np.linspace(0.05, 0.5, 10), clusters=[8, 12], cluster_size=10,
                  periods=4, icc=0.1, n_sim=300, seed=9)
    for _, g in table.groupby("n_clusters"):
        assert np.all(np.diff(g.sort_values("effect")["power"].to_numpy()) >= 0)
        assert np.ptp(g["sd_estimate"]) < 1e-12  # same draws: the estimate only shifts


def test_required_clusters_by_closed_form_and_simulation():
    rc = required_clusters("parallel", effect=0.3, cluster_size=20, icc=0.05, n_sim=600, seed=1)
    assert rc["closed_form"] == 35
    assert abs(rc["simulated"] - rc["closed_form"]) <= 6  # t test and MC error
