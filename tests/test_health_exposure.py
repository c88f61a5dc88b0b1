"""Heat exposure–response and the daily harm draw (Gasparrini 2012 slope, Ishigami 2008 gradient)."""

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
    heat_rr,
    heat_slopes,
    population_mean,
    regional_threshold,
    vulnerability_multiplier,
)

F, M = 0, 1


def test_rr_is_one_at_or_below_threshold_and_rises_with_temperature():
    temp = np.array([10.0, 18.9, 19.0, 20.0, 22.0, 26.0])
    rr = heat_rr(temp, 19.0, np.full(6, 80), np.full(6, F))
    np.testing.assert_array_equal(rr[:3], 1.0)
    assert np.all(np.diff(rr[2:]) > 0)


def test_rr_matches_hand_computation():
    slopes = heat_slopes()
    age, sex = np.array([30, 80, 90]), np.array([M, F, M])
    rr = heat_rr(np.array([22.0, 22.0, 22.0]), 19.0, age, sex)
    np.testing.assert_allclose(rr, np.exp(3.0 * slopes[sex, age]))


def test_gradient_follows_ishigami_and_average_matches_gasparrini():
    s = heat_slopes()
    # steeper for 85+ than 75-84, and for women than men, in Ishigami's ratios
    assert s[F, 90] > s[F, 80] > s[F, 70] > s[F, 40]
    assert s[M, 90] > s[M, 80]
    assert s[F, 80] > s[M, 80] and s[F, 90] > s[M, 90]
    assert s[F, 80] / s[M, 80] == pytest.approx(np.log(1.07) / np.log(1.03))
    # average over E&W deaths is ln(1.021)
    deaths = baseline_qx_table() * ew_2021_population()
    assert np.sum(deaths * s) / deaths.sum() == pytest.approx(np.log(1.021))
    # and it scales with the all-ages slope
    steep = heat_slopes(HeatHealthParams(exposure_response=ExposureResponseParams(slope_all_ages=0.026)))
    np.testing.assert_allclose(steep / s, np.log(1.026) / np.log(1.021))


def test_regional_thresholds_cover_facts_regions_and_shift():
    for region in REGIONS:
        assert 15 < regional_threshold(region) < 23
    assert regional_threshold("London") == 19.0
    assert regional_threshold("South West") == 19.5
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
    # inflate risk so that a few thousand draws are informative
    p0 = np.minimum(p0 * 200, 0.2)
    u_d, u_i = rng.random(age.size), rng.random(age.size)
    h = daily_harm(temp, 19.0, age, sex, p0, u_d, u_i)
    again = daily_harm(temp, 19.0, age, sex, p0, u_d, u_i)
    np.testing.assert_array_equal(h.died, again.died)
    np.testing.assert_array_equal(h.ill, again.ill)
    excess = attributable_death_probability(p0, heat_rr(temp, 19.0, age, sex))
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
    cool = daily_harm(np.full(age.size, 15.0), 19.0, age, sex, p0, u_d, u_i)
    assert not cool.died.any() and not cool.ill.any() and cool.expected_deaths == 0
    temp = np.full(age.size, 27.0)
    base = daily_harm(temp, 19.0, age, sex, np.minimum(p0 * 100, 0.2), u_d, u_i)
    protected = daily_harm(temp, 19.0, age, sex, np.minimum(p0 * 100, 0.2), u_d, u_i, protection=0.4)
    assert not (protected.died & ~base.died).any()  # common random numbers: a subset
    assert protected.died.sum() < base.died.sum()
    assert protected.expected_deaths == pytest.approx(0.4 * base.expected_deaths)


def test_precomputed_slope_gives_same_result():
    rng, age, sex, p0 = _residents(1000)
    u = rng.random((2, age.size))
    temp = rng.normal(22, 3, age.size)
    a = daily_harm(temp, 19.0, age, sex, p0, u[0], u[1])
    b = daily_harm(temp, 19.0, age, sex, p0, u[0], u[1], slope=heat_slopes()[sex, age])
    np.testing.assert_array_equal(a.excess_probability, b.excess_probability)
    # the hot-residents-only fast path equals the formula on mixed temperatures
    expected = attributable_death_probability(p0, heat_rr(temp, 19.0, age, sex))
    np.testing.assert_allclose(a.excess_probability, expected, rtol=1e-9)
    assert (a.excess_probability == 0).any() and (a.excess_probability > 0).any()


def test_bad_parameters_are_rejected():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ExposureResponseParams(slope_all_ages=-0.01)
    with pytest.raises(ValidationError):
        ExposureResponseParams(thresholds={"London": 99.0})
    with pytest.raises(ValidationError):
        HeatHealthParams(exposure_response={"slope": 0.02})  # unknown key
