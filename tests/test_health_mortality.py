"""Baseline mortality: Gompertz–Makeham life tables fitted to ONS life expectancy (docs/sources.md s11)."""

from __future__ import annotations

import numpy as np
import pytest

from twin.errors import TwinError
from twin.health import (
    MortalityParams,
    baseline_qx_table,
    crude_death_rate,
    daily_death_probability,
    ew_2021_population,
    fit_to_life_expectancy,
    gompertz_makeham_qx,
    life_expectancy,
)


@pytest.mark.parametrize(("sex", "target"), [("F", 83.0), ("M", 79.0)])
def test_fitted_life_expectancy_equals_ons_target(sex, target):
    qx = gompertz_makeham_qx(None, sex)
    assert qx.shape == (91,)
    assert life_expectancy(qx) == pytest.approx(target, abs=0.01)


def test_fit_reaches_other_targets_and_alpha_falls_with_longer_life():
    params = MortalityParams(life_expectancy_f=86.0)
    assert life_expectancy(gompertz_makeham_qx(params, "F")) == pytest.approx(86.0, abs=0.01)
    assert fit_to_life_expectancy(86.0, "F") < fit_to_life_expectancy(83.0, "F")


def test_qx_rise_with_age_and_men_die_younger():
    qx = baseline_qx_table()
    assert np.all(np.diff(qx, axis=1) > 0)
    assert np.all(qx[1, 20:] > qx[0, 20:])
    # plausible levels for E&W 2021-23 (ONS tables: q80 about 0.04 F, 0.06 M)
    assert 0.03 < qx[0, 80] < 0.06 and 0.045 < qx[1, 80] < 0.08
    assert 0.15 < qx[0, 90] < 0.3


def test_life_expectancy_by_hand_for_a_tiny_table():
    # everyone dies in their first year except the open group, which is never reached
    qx = np.ones(91)
    assert life_expectancy(qx) == pytest.approx(0.5)
    # constant q: geometric survival; open group with q = 1 - exp(-m) lives 1/m
    q = 0.1
    lx = (1 - q) ** np.arange(91)
    expected = 0.5 * (lx[:-1] + lx[1:]).sum() + lx[-1] / -np.log(1 - q)
    assert life_expectancy(np.full(91, q)) == pytest.approx(expected)


def test_crude_death_rate_and_deaths_match_ons_on_ew_2021_structure():
    qx = baseline_qx_table()
    pop = ew_2021_population()
    assert pop.sum() == pytest.approx(59.6e6)
    assert pop[:, 90].sum() == pytest.approx(527_900, rel=0.01)  # Census 2021 90+
    assert 9.3 < crude_death_rate(qx, pop) < 10.3  # ONS about 9.8 per 1,000
    assert 560_000 < np.sum(qx * pop) < 610_000  # 577,160 (2022) to 598,000 (yr to mid-2023)


def test_daily_death_probability_compounds_to_the_annual_one():
    qx = baseline_qx_table()
    age = np.array([0, 40, 80, 90, 99])
    sex = np.array([0, 1, 0, 1, 1])
    p = daily_death_probability(qx, age, sex)
    annual = qx[sex, np.minimum(age, 90)]
    np.testing.assert_allclose(1 - (1 - p) ** 365, annual, rtol=1e-9)
    assert p[-1] == p[-2]  # 99 is 90+


def test_bad_inputs_raise_twin_errors():
    with pytest.raises(TwinError, match="sex"):
        gompertz_makeham_qx(None, "X")
    with pytest.raises(TwinError, match="qx"):
        life_expectancy(np.full(10, 0.1))
