"""Expected heat deaths without draws (twin.health.calibration): the fast check behind docs/validation.md.

The calibration itself (``exposure_response.slope_low`` to Gasparrini et al. 2022's London crude
rate) and the held-out figures are in ``validation/`` (``python -m validation``). These tests keep
the analytic estimate honest on 40 generated Heathrow summers: the London-like population lands in
the crude band 1.2-3.0 per 100,000 a year (Gasparrini 2022, ~2.0 crude; the model's own run adds
heat-island cells and vulnerability), most heat deaths are on days at or above the knee, and warmth,
age and the hot-end slope move the burden the right way.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.health import (
    ExposureResponseParams,
    HeatHealthParams,
    expected_annual_heat_deaths,
    generated_summers,
    london_like_population,
)

YEARS = 40


def _groups(pop):
    sex, age = np.nonzero(pop >= 0)
    return age, sex, pop[sex, age]


@pytest.fixture(scope="module")
def summers():
    return {pw: generated_summers(YEARS, pathway=pw, seed=5) for pw in ("baseline", "gwl2")}


def _rate(summers, pathway="baseline", params=None, pop=None):
    t, doy = summers[pathway]
    age, sex, n = _groups(london_like_population() if pop is None else pop)
    return expected_annual_heat_deaths(t, age, sex, "London", params, counts=n, years=YEARS, dayofyear=doy,
                                       by_day=True)


def test_london_like_rate_and_where_the_deaths_fall(summers):
    est, daily = _rate(summers)
    assert 1.2 <= est.per_100k_per_year <= 3.0
    t = summers["baseline"][0][3:]
    assert daily[t >= 21.5].sum() / daily.sum() > 0.55  # the hot end carries the burden


def test_warming_age_and_slope_move_the_burden_the_right_way(summers):
    base = _rate(summers)[0].per_100k_per_year
    warm = _rate(summers, "gwl2")[0].per_100k_per_year
    assert 1.3 < warm / base < 3.6  # Huang 2023 +42 % hottest days .. Hajat 2014 +257 % (with ageing)
    older = london_like_population()
    older[:, 75:] *= 2
    assert _rate(summers, pop=older)[0].per_100k_per_year > 1.3 * base
    steep = HeatHealthParams(exposure_response=ExposureResponseParams(slope_high_london=0.0415))
    assert _rate(summers, params=steep)[0].per_100k_per_year > 1.1 * base
