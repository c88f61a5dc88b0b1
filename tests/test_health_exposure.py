"""Heat exposure-response (hockey stick steepening at 21.5 degC, lag 0-3, Ishigami gradient) and the harm draw."""

from __future__ import annotations

import numpy as np
import pytest

from twin.errors import PlaceDataError
from twin.health import (
    REGIONS,
    ExposureResponseParams,
    HeatHealthParams,
    attributable_death_probability,
    baseline_qx_table,
    daily_death_probability,
    daily_harm,
    daily_mean_temperature,
    ew_2021_population,
    age_sex_gradient,
    heat_log_rr,
    heat_rr,
    lagged_dose,
    population_mean,
    regional_curve,
    regional_threshold,
    vulnerability_multiplier,
)

F, M = 0, 1


def test_curve_starts_at_19_and_steepens_to_hajat_above_21_5_in_london():
    c = regional_curve("London")
    assert (c.start, c.knee) == (19.0, 21.5)
    h = heat_log_rr(np.array([10.0, 19.0, 20.0, 21.5, 22.5, 25.0]), c)
    assert h[0] == h[1] == 0 and 0 < h[2] < h[3]
    # above the knee: Hajat et al. 2002, +3.34 %/degC
    assert np.exp(h[4] - h[3]) == pytest.approx(1.0334, abs=1e-4)
    assert (h[5] - h[4]) / 2.5 > (h[3] - h[2]) / 1.5  # steeper at the hot end
    # other regions: the knee follows the one alert table (day max - 32), slope Hajat 2007
    sw = regional_curve("South West")
    assert sw.knee == 19.5 and sw.start == 19.5 and np.exp(sw.slope_high) == pytest.approx(1.03, abs=1e-3)


def test_rr_by_age_and_sex_and_gradient_averages_one_over_deaths():
    age = np.array([40, 70, 80, 80, 90, 90])
    sex = np.array([F, F, F, M, F, M])
    rr = heat_rr(np.full(6, 24.0), "London", age, sex)
    assert np.all(rr > 1) and rr[2] > rr[3] and rr[4] > rr[5] and rr[4] > rr[2] > rr[1] > rr[0]
    g = age_sex_gradient()
    deaths = baseline_qx_table() * ew_2021_population()
    assert float(np.sum(deaths * g) / deaths.sum()) == pytest.approx(1.0)
    np.testing.assert_allclose(heat_rr(np.full(6, 18.0), "London", age, sex), 1.0)


def test_lag_weights_spread_a_hot_day_over_four_days():
    w = HeatHealthParams().exposure_response.lag_weights
    hist = np.zeros((4, 1))
    hist[2] = 0.1  # a hot day two days ago
    assert lagged_dose(hist, w)[0] == pytest.approx(0.1 * w[2])
    assert lagged_dose(np.full((4, 1), 0.1), w)[0] == pytest.approx(0.1)  # sustained heat: the full curve


def test_regional_thresholds_cover_regions_shift_and_errors():
    for region in REGIONS:
        assert 17 < regional_threshold(region) < 23
    shifted = HeatHealthParams(exposure_response=ExposureResponseParams(threshold_shift=2.5))
    assert regional_threshold("London", shifted) == 21.5
    with pytest.raises(PlaceDataError, match="Atlantis"):
        regional_threshold("Atlantis")


def test_attributable_probability_is_p0_times_rr_minus_one():
    p0 = np.array([1e-4, 2e-4, 0.5])
    rr = np.array([1.0, 1.5, 3.0])
    np.testing.assert_allclose(attributable_death_probability(p0, rr), [0.0, 1e-4, 0.5])  # last clipped to 1 - p0
    np.testing.assert_allclose(attributable_death_probability(p0, rr, 0.5)[:2], [0.0, 5e-5])


def test_vulnerability_multiplier_by_hand_and_normalisation():
    ltc = np.array([0, 1, 0, 1], bool)
    alone = np.array([0, 0, 1, 1], bool)
    hot = np.array([0, 0, 0, 1], bool)
    m = vulnerability_multiplier(ltc, alone, hot)
    np.testing.assert_allclose(m, [1.0, 2.0, 1.5, 6.0])
    assert population_mean(m) == pytest.approx(2.625)
    assert population_mean(m, weights=[1, 0, 0, 1]) == pytest.approx(3.5)


def test_daily_mean_temperature():
    np.testing.assert_allclose(daily_mean_temperature([30.0, 20.0], [18.0, 10.0]), [24.0, 15.0])


def _residents(n=20_000, seed=0):
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 91, n)
    sex = rng.integers(0, 2, n)
    p0 = daily_death_probability(baseline_qx_table(), age, sex)
    return rng, age, sex, p0


def test_daily_harm_draws_match_probabilities_and_are_reproducible():
    rng, age, sex, p0 = _residents()
    temp = np.full(age.size, 26.0)
    dose = heat_log_rr(temp, regional_curve("London"))
    # inflate risk so that a few thousand draws are informative
    p0 = np.minimum(p0 * 200, 0.2)
    u_d, u_i = rng.random(age.size), rng.random(age.size)
    h = daily_harm(dose, age, sex, p0, u_d, u_i)
    again = daily_harm(dose, age, sex, p0, u_d, u_i)
    np.testing.assert_array_equal(h.died, again.died)
    np.testing.assert_array_equal(h.ill, again.ill)
    excess = attributable_death_probability(p0, heat_rr(temp, "London", age, sex))
    np.testing.assert_allclose(h.excess_probability, excess)
    assert h.expected_deaths == pytest.approx(excess.sum())
    np.testing.assert_array_equal(h.died, u_d < excess)
    np.testing.assert_array_equal(h.died_other, (u_d >= excess) & (u_d < excess + p0))
    np.testing.assert_allclose(h.ill_probability, np.minimum(5.0 * excess, 1.0))
    sd = np.sqrt(h.expected_deaths)
    assert abs(h.died.sum() - h.expected_deaths) < 4 * sd


def test_no_heat_deaths_below_threshold_and_protection_never_adds_deaths():
    rng, age, sex, p0 = _residents()
    u_d, u_i = rng.random(age.size), rng.random(age.size)
    cool = daily_harm(np.zeros(age.size), age, sex, p0, u_d, u_i)
    assert not cool.died.any() and not cool.ill.any() and cool.expected_deaths == 0
    dose = np.full(age.size, heat_log_rr(27.0, regional_curve("London")))
    base = daily_harm(dose, age, sex, np.minimum(p0 * 100, 0.2), u_d, u_i)
    protected = daily_harm(dose, age, sex, np.minimum(p0 * 100, 0.2), u_d, u_i, protection=0.4)
    assert not (protected.died & ~base.died).any()  # common random numbers: a subset
    assert protected.died.sum() < base.died.sum()
    assert protected.expected_deaths == pytest.approx(0.4 * base.expected_deaths)


def test_precomputed_slope_gives_same_result():
    rng, age, sex, p0 = _residents(1000)
    u = rng.random((2, age.size))
    temp = rng.normal(22, 3, age.size)
    dose = heat_log_rr(temp, regional_curve("London"))
    a = daily_harm(dose, age, sex, p0, u[0], u[1])
    b = daily_harm(dose, age, sex, p0, u[0], u[1], gradient=age_sex_gradient()[sex, age])
    np.testing.assert_array_equal(a.excess_probability, b.excess_probability)
    # the hot-residents-only fast path equals the formula on mixed temperatures
    expected = attributable_death_probability(p0, heat_rr(temp, "London", age, sex))
    np.testing.assert_allclose(a.excess_probability, expected, rtol=1e-9)
    assert (a.excess_probability == 0).any() and (a.excess_probability > 0).any()


def test_bad_parameters_are_rejected():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ExposureResponseParams(slope_high_london=-0.01)
    with pytest.raises(ValidationError):
        ExposureResponseParams(lag_weights=(0.5, 0.1))
    with pytest.raises(ValidationError):
        ExposureResponseParams(thresholds={"London": 99.0})
    with pytest.raises(ValidationError):
        HeatHealthParams(exposure_response={"slope": 0.02})  # unknown key
