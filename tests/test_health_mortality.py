"""The one baseline mortality (twin.health.mortality), shared with the demography engine."""

from __future__ import annotations

import numpy as np
import pytest

from twin.errors import TwinError
from twin.health import (
    MortalityParams,
    baseline_qx_table,
    baseline_rates,
    crude_death_rate,
    daily_death_probability,
    ew_2021_population,
    life_expectancy,
    life_expectancy_at,
    life_table_summary,
    seasonal_factor,
)


def test_fit_hits_ons_life_expectancy_at_birth_and_65_and_the_crude_death_rate():
    s = life_table_summary()
    assert s["e0_F"] == pytest.approx(83.0, abs=0.01) and s["e0_M"] == pytest.approx(79.0, abs=0.01)
    assert s["e65_F"] == pytest.approx(21.1, abs=0.01) and s["e65_M"] == pytest.approx(18.6, abs=0.01)
    assert abs(s["crude_death_rate_ew"] - 9.8) <= 0.2  # ONS: 9.68 (2022) to 9.8 (yr to mid-2023)
    pop = ew_2021_population()
    deaths = baseline_qx_table() * pop
    assert 560_000 < deaths.sum() < 610_000  # 577,160 registered in 2022
    assert 0.35 < deaths[:, 85:].sum() / deaths.sum() < 0.5  # most deaths are at great ages


def test_demography_uses_the_same_baseline():
    from twin.demography import rates as R

    m = baseline_rates()
    np.testing.assert_array_equal(R.fit_mortality(83.0, "F"), m[0])
    np.testing.assert_array_equal(R.fit_mortality(79.0, "M"), m[1])
    assert float(R.life_expectancy(m[1])) == pytest.approx(float(life_expectancy_at(m[1], 0)))


def test_qx_shape_levels_and_sex_gap():
    qx = baseline_qx_table()
    assert np.all(np.diff(qx[:, 30:], axis=1) > 0)
    assert np.all(qx[1, 20:] > qx[0, 20:])
    assert 0.03 < qx[0, 80] < 0.06 and 0.04 < qx[1, 80] < 0.08
    assert 0.15 < qx[0, 90] < 0.35


def test_life_expectancy_by_hand_and_bad_input():
    m = 0.1
    q = 1 - np.exp(-m)
    # constant hazard: e0 = 1/m exactly
    assert life_expectancy(np.full(91, q)) == pytest.approx(1 / m)
    with pytest.raises(TwinError, match="qx"):
        life_expectancy(np.full(10, 0.1))


def test_seasonal_profile_averages_one_and_summer_is_lower():
    f = seasonal_factor(np.arange(1, 366))
    assert f.mean() == pytest.approx(1.0, abs=1e-3)
    assert f[14] == pytest.approx(1.12) and f[200] < 0.9
    qx = baseline_qx_table()
    age, sex = np.array([0, 40, 80, 90, 99]), np.array([0, 1, 0, 1, 1])
    p = daily_death_probability(qx, age, sex)
    np.testing.assert_allclose(1 - (1 - p) ** 365, qx[sex, np.minimum(age, 90)], rtol=1e-9)
    assert np.all(daily_death_probability(qx, age, sex, factor=0.88) < p)


def test_user_life_table_replaces_the_fit(tmp_path):
    m = baseline_rates()
    rows = ["sex,age,mx"] + [f"{s},{a},{m[i, min(a, 90)] * (1.1 if a >= 90 else 1.0)}"
                             for i, s in enumerate("FM") for a in range(0, 91)]
    path = tmp_path / "lt.csv"
    path.write_text("\n".join(rows))
    got = baseline_rates(MortalityParams(life_table=str(path)))
    np.testing.assert_allclose(got[:, :90], m[:, :90])
    assert got[0, 90] == pytest.approx(m[0, 90] * 1.1)
    path.write_text("\n".join(rows[:50]))
    with pytest.raises(TwinError, match="missing age"):
        baseline_rates(MortalityParams(life_table=str(path)))
    assert crude_death_rate(-np.expm1(-m), ew_2021_population()) > 9
