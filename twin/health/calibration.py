"""Calibration helpers: expected heat-attributable deaths per year for a population and climate.

:func:`expected_annual_heat_deaths` sums the heat-attributable death probability (no
random draws) over days and residents, with the lag, the seasonal baseline and the
age/sex gradient of the model, so a place's rules can be checked against published
burdens quickly. :func:`generated_summers` gives daily mean temperatures from the twin's
own weather generator. The calibration itself (``exposure_response.slope_low`` fitted to
Gasparrini et al. 2022's London crude rate, about 2.0 per 100,000 a year) and the held-out
checks are in ``validation/`` and docs/validation.md.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin._names import MAX_AGE
from twin.health.exposure_response import age_sex_gradient, heat_log_rr, lagged_dose, regional_curve
from twin.health.mortality import baseline_qx_table, daily_death_probability, seasonal_factor
from twin.health.params import HeatHealthParams

__all__ = [
    "HeatDeathEstimate",
    "expected_annual_heat_deaths",
    "generated_summers",
    "london_like_population",
]


class HeatDeathEstimate(NamedTuple):
    """Expected heat-attributable deaths."""

    deaths_per_year: float
    per_100k_per_year: float
    population: float


def expected_annual_heat_deaths(temps: np.ndarray, ages: np.ndarray, sexes: np.ndarray, region: str,
                                params: HeatHealthParams | None = None, *, counts: np.ndarray | None = None,
                                years: float = 1.0, vulnerability: np.ndarray | None = None,
                                dayofyear: np.ndarray | None = None, by_day: bool = False):
    r"""Expected heat-attributable deaths per year, without random draws.

    Parameters
    ----------
    temps : array_like, shape (days,)
        Consecutive daily mean temperatures (degC); the first ``len(lag_weights) - 1`` days
        only feed the lag of later days.
    ages, sexes : array_like of int, shape (n,)
        Single year of age (0..90) and index into ``SEXES`` of each resident or group.
    region : str
        Region of the exposure-response (:func:`twin.health.exposure_response.regional_curve`).
    params
        Heat-health parameters (defaults if None).
    counts : array_like, shape (n,), optional
        Persons in each group (default 1 each).
    years : float
        Number of years the counted days cover.
    vulnerability : array_like, shape (n,), optional
        Normalised vulnerability multipliers (default 1).
    dayofyear : array_like, shape (days,), optional
        Day of year of each day, for the seasonal baseline (default: annual average, factor 1).
    by_day : bool
        Also return the expected heat deaths of each counted day (array).

    Returns
    -------
    HeatDeathEstimate, or (HeatDeathEstimate, numpy.ndarray) with ``by_day``

    Notes
    -----
    :math:`\frac{1}{Y}\sum_d \sum_i w_i\, p_{0,i} s_d\, v_i\, (e^{g_i D_d} - 1)` with
    :math:`D_d` the lag-weighted dose of day ``d`` and :math:`s_d` the seasonal factor:
    what :func:`twin.health.exposure_response.daily_harm` draws from, ignoring the depletion
    of those who die and displacement (gross attributable deaths).
    """
    params = HeatHealthParams() if params is None else params
    ages = np.minimum(np.asarray(ages), MAX_AGE)
    sexes = np.asarray(sexes)
    w = np.ones(ages.shape) if counts is None else np.asarray(counts, dtype=float)
    if vulnerability is not None:
        w = w * np.asarray(vulnerability, dtype=float)
    g = age_sex_gradient(params)[sexes, ages]
    wp0 = w * daily_death_probability(baseline_qx_table(params.mortality), ages, sexes)
    temps = np.asarray(temps, dtype=float)
    lag = params.exposure_response.lag_weights
    h = heat_log_rr(temps, regional_curve(region, params))
    k = len(lag) - 1
    hist = np.stack([h[k - l: h.size - l] for l in range(k + 1)])  # lag l rows, days k.. end
    dose = lagged_dose(hist, lag)
    season = (np.ones(dose.size) if dayofyear is None
              else seasonal_factor(np.asarray(dayofyear)[k:], params.mortality))
    daily = np.zeros(dose.size)
    hot = np.flatnonzero(dose > 0)
    if hot.size:
        daily[hot] = season[hot] * (np.expm1(np.multiply.outer(dose[hot], g)) @ wp0)
    population = float(np.asarray(counts, dtype=float).sum()) if counts is not None else float(ages.size)
    per_year = float(daily.sum()) / years
    est = HeatDeathEstimate(per_year, 1e5 * per_year / population, population)
    return (est, daily) if by_day else est


def generated_summers(n_years: int, *, station: str = "heathrow", pathway: str = "baseline", seed: int = 1,
                      months: tuple[int, ...] = (5, 6, 7, 8, 9)) -> tuple[np.ndarray, np.ndarray]:
    """Daily mean temperatures (degC) and day of year of ``n_years`` generated years, ``months`` only.

    From :func:`twin.climate.weather.generate_weather` at ``station`` under ``pathway``; each
    year's kept days are consecutive (lags inside a year are exact).
    """
    import pandas as pd

    from twin.climate.weather import generate_weather

    time = pd.date_range("2001-01-01", periods=365 * n_years, freq="D")
    ds = generate_weather(station, pathway, time, np.random.default_rng(seed))
    keep = np.isin(time.month, months)
    tmean = 0.5 * (ds["tasmax"].values + ds["tasmin"].values)
    return tmean[keep], time.day_of_year.to_numpy()[keep]


def london_like_population(total: float = 150_000.0, params: HeatHealthParams | None = None) -> np.ndarray:
    """A London-like population by sex and single year of age, shape (2, 91), rows F, M.

    Notes
    -----
    Assumption (L; London's structure is not in docs/sources.md): under 15 19 %, 15–64 69 %,
    65+ 12 % (roughly ONS Census 2021 London), built like
    :func:`twin.health.mortality.ew_2021_population` (even spread under 65, life-table
    shape at 65+).
    """
    from twin.health.population import ew_2021_population

    params = HeatHealthParams() if params is None else params
    ew = ew_2021_population(params.mortality)
    pop = np.zeros_like(ew)
    pop[:, :15] = 0.19 / 30
    pop[:, 15:65] = 0.69 / 100
    pop[:, 65:] = 0.12 * ew[:, 65:] / ew[:, 65:].sum()
    return pop * (total / pop.sum())
