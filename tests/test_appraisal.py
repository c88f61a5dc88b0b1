"""Appraisal: Green Book discounting, paired intervals, no-effect options, ranks, regret, budgets, portfolios."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from tests.appraisal_fakes import fake_results
from twin.analysis.appraisal import (
    AppraisalSettings, CostItem, annuity_factor, appraise, compare_table, convert_price, cost_profile, discount_factors,
    register_benefit, BENEFITS,
)
from twin.analysis._compare import minimax_regret, probability_best
from twin.analysis.metrics import paired_difference, unpaired_difference
from twin.analysis.portfolio import Candidate, choose_portfolio, pareto_front


@pytest.fixture(scope="module")
def results():
    return fake_results()


def test_discount_factors_match_a_hand_calculation_including_the_year_31_step():
    d = discount_factors(40)
    assert d[0] == 1.0
    assert d[1] == pytest.approx(1 / 1.035)
    assert d[30] == pytest.approx(1.035**-30)
    assert d[31] == pytest.approx(1.035**-30 / 1.03)        # the declining schedule's first step
    assert d[35] == pytest.approx(1.035**-30 * 1.03**-5)
    h = discount_factors(80, "health")
    assert h[30] == pytest.approx(1.015**-30)
    assert h[76] == pytest.approx(1.015**-30 * 1.0129**-45 / 1.0107)
    assert annuity_factor(3) == pytest.approx(1 + 1 / 1.035 + 1 / 1.035**2)


def test_costs_reinvest_at_lifetime_end_and_convert_price_years():
    s = AppraisalSettings(years=10, price_base_year=2023, inflation=0.02)
    prof = cost_profile([CostItem(1000.0, 100.0, 4, 2023)], s)
    assert prof.tolist() == [1100, 100, 100, 100, 1100, 100, 100, 100, 1100, 100]
    assert convert_price(100.0, 2021, s) == pytest.approx(100 * 1.02**2)
    table = AppraisalSettings(deflator={2019: 90.0, 2023: 108.0})
    assert convert_price(90.0, 2019, table) == pytest.approx(108.0)
    with pytest.raises(ValueError, match="deflator"):
        convert_price(1.0, 2010, table)


def test_paired_intervals_are_narrower_than_unpaired_on_crn_runs(results):
    total = results["expected_attributable_deaths"].sum(("time", "zone")).rename("deaths")
    paired = paired_difference(total).sel(option="outreach")
    unpaired = unpaired_difference(total).sel(option="outreach")
    width_p = (paired["upper"] - paired["lower"]).values
    width_u = (unpaired["upper"] - unpaired["lower"]).values
    assert np.all(width_p < width_u / 5)


def test_an_option_with_no_effect_has_bcr_zero_and_an_interval_covering_zero(results):
    df = compare_table(results)
    row = df[(df["option"] == "no_effect")]
    assert (row["bcr"] == 0).all()
    assert (row["pv_benefit_lower"] <= 0).all() and (row["pv_benefit_upper"] >= 0).all()
    assert np.allclose(row["npv"], -row["pv_cost"])   # pays its cost, buys nothing
    ref = df[df["option"] == "do_nothing"]
    assert (ref["npv"] == 0).all() and ref["bcr"].isna().all()


def test_benefits_value_deaths_at_the_vpf_over_the_health_discounted_period(results):
    s = AppraisalSettings(years=20, death_valuation="vpf")
    app = appraise(results, s, benefits=["deaths_averted"])
    per_year = app["deaths_averted_per_year"].sel(option="outreach", pathway="gwl2")
    expected = per_year * 2_474_341.0 * annuity_factor(20, "health")
    assert np.allclose(app["pv_deaths_averted"].sel(option="outreach", pathway="gwl2"), expected)
    q = appraise(results, AppraisalSettings(years=20, death_valuation="qaly", qalys_per_death=4.0), benefits=["deaths_averted"])
    ratio = q["pv_benefit"].sel(option="outreach") / app["pv_benefit"].sel(option="outreach")
    assert np.allclose(ratio, 4.0 * 70_000 * 1.02 / 2_474_341.0)   # QALY value at 2022 prices carried to 2023
    # both bases are always there, side by side, whichever one npv follows
    np.testing.assert_allclose(q["npv_vpf"], app["npv"])
    np.testing.assert_allclose(q["npv_qaly"], q["npv"])


def test_deaths_are_valued_by_qalys_lost_at_the_age_of_death_by_default(results):
    from twin.analysis.valuation import qalys_lost_per_death

    q = qalys_lost_per_death()
    assert np.all(np.diff(q) < 0) and 1.5 < q[-1] < 4 and q[0] > 25  # an 85+ death loses a few QALYs
    assert qalys_lost_per_death(displacement_share=0.0)[-1] > q[-1]
    old = results.copy()
    deaths = old["expected_attributable_deaths"].sum("time")
    by_age = xr.zeros_like(old["residents_by_age"], dtype=float).broadcast_like(deaths).copy()
    by_age.loc[{"age_band": "85+"}] = deaths  # every heat death at 85+
    old["expected_attributable_deaths_by_age"] = by_age.transpose("option", "pathway", "replicate", "zone", "age_band")
    app = appraise(old, AppraisalSettings(years=20), benefits=["deaths_averted"])
    assert app.attrs["death_valuation"] == "qaly"
    ratio = app["pv_deaths_averted_qaly"] / app["pv_deaths_averted_vpf"]
    sel = ratio.sel(option="outreach")
    assert np.allclose(sel, q[-1] * 70_000 * 1.02 / 2_474_341.0)  # ~£160k a death at 85+, vs £2.47 m


def test_a_new_model_plugs_in_by_registering_its_benefit(results):
    flood = results.assign(flood_damage=results["heat_illness"].assign_attrs(units="GBP"))
    try:
        register_benefit("flood_damage_avoided", "flood_damage", 1.0, "standard", "GBP", price_base_year=2023)
        app = appraise(flood, benefits=["flood_damage_avoided"])
        assert float(app["pv_benefit"].sel(option="outreach").mean()) > 0
    finally:
        BENEFITS.pop("flood_damage_avoided", None)


def test_ranks_probability_best_and_budget_flags(results):
    df = compare_table(results, budgets={"outreach": 10_000.0, "centres": 1e9})
    best = df[(df["pathway"] == "gwl2") & (df["rank"] == 1)]
    assert best["option"].tolist() == ["outreach"] and float(best["p_best"].iloc[0]) == 1.0
    assert df.groupby("pathway")["p_best"].sum().round(9).eq(1).all()
    flags = df[df["pathway"] == "gwl2"].set_index("option")["over_budget"]
    assert flags["outreach"] and not flags["centres"] and not flags["do_nothing"]


def test_minimax_regret_on_a_hand_example():
    import xarray as xr

    npv = xr.DataArray([[10.0, 0.0], [6.0, 6.0], [0.0, 9.0]], dims=("option", "pathway"),
                       coords={"option": ["a", "b", "c"], "pathway": ["p1", "p2"]})
    regret, worst, best = minimax_regret(npv)
    assert regret.sel(option="a").values.tolist() == [0.0, 9.0]
    assert worst.values.tolist() == [9.0, 4.0, 10.0]
    assert best == "b"  # never best, but never far from it


def test_probability_best_splits_ties():
    import xarray as xr

    npv = xr.DataArray([[1.0, 2.0], [1.0, 0.0]], dims=("option", "replicate"), coords={"option": ["a", "b"]})
    assert probability_best(npv).values.tolist() == [0.75, 0.25]


def test_portfolio_exact_choice_respects_budget_and_groups():
    cands = [Candidate("a", 50, 100), Candidate("b", 40, 70), Candidate("c", 30, 60), Candidate("d", 20, 50, group="g"),
             Candidate("e", 10, 45, group="g")]
    p = choose_portfolio(cands, 100)
    assert p.cost <= 100 and set(p.members) == {"a", "b", "e"} and p.benefit == 215  # a+c+d gives 210
    assert p.method.startswith("exact")
    front = pareto_front(cands)
    assert not front[front["members"].str.contains("d") & front["members"].str.contains("e")].shape[0]
    top = front[front["on_front"]].sort_values("cost")
    assert (np.diff(top["benefit"]) > 0).all()
    greedy = choose_portfolio(cands, 100, exact_limit=2)
    assert greedy.cost <= 100 and greedy.benefit <= p.benefit


@pytest.mark.parametrize("name", ["appraisal_urban", "appraisal_rural"])
def test_bundled_appraisal_scenarios_validate_with_five_options_and_three_pathways(name):
    from pathlib import Path

    from twin.scenario import load

    sc = load(Path(__file__).resolve().parent.parent / "scenarios" / f"{name}.yaml")
    assert sc.pathways == ["baseline", "gwl2", "gwl4"] and sc.options[0].interventions == []
    assert len(sc.options) >= 6
