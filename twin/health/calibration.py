"""Calibration helpers: expected heat-attributable deaths per year for a population and climate.

:func:`expected_annual_heat_deaths` sums the heat-attributable death probability
(no random draws) over days and residents, so a place's rules can be checked
against published burdens: Gasparrini et al. 2022 (London 3.21 per 100,000 a year;
England and Wales 791 a year, about 1.3 per 100,000) and Vardoulakis et al. 2014
(about 3 per 100,000 in the UK), docs/sources.md s1 and s10.

Calibration note (D)
--------------------
Exposure is the local daily mean temperature. On 30 years of Heathrow weather from
:func:`twin.climate.weather.generate_weather` (baseline pathway) and the bundled urban
borough's population (150,000, 12 % aged 65+), the Gasparrini slope (+2.1 %/degC)
gives, per 100,000 a year:

* London threshold at the 97th centile, 21.5 degC (Hajat 2002): about 0.8 -- a
  quarter of Gasparrini et al. 2022's London figure (3.21), whose reference is
  the minimum-mortality temperature;
* London threshold at 19 degC, where Hajat 2002 sees London deaths start to rise:
  about 3.8 (3.9 at the station, -0.2 degC mean local offset of the borough), near
  Gasparrini 2022 (3.21) and Vardoulakis 2014 (about 3).

So 19 degC is the default London threshold. London's heat burden per head is
higher than elsewhere (Bennett et al. 2014; Gasparrini 2022: 3.21 vs about 1.3
per 100,000 for England and Wales), so the other regions keep the 97th-centile
level, shifted by the regional alert thresholds (see :mod:`twin.health.params`):
the England and Wales 2021 population on Yeovilton weather with the South West's
19.5 degC gives about 1.4 per 100,000, about 830 deaths a year (Gasparrini 2022:
791). A +2 degC warmer summer roughly doubles the London figure (x1.9); see the
tests for the band and why.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin._names import MAX_AGE
from twin.health.exposure_response import heat_slopes, regional_threshold
from twin.health.mortality import baseline_qx_table, daily_death_probability
from twin.health.params import HeatHealthParams

__all__ = [
    "HEATHROW_JJA_TMEAN",
    "HeatDeathEstimate",
    "expected_annual_heat_deaths",
    "heathrow_like_summers",
    "london_like_population",
]

#: Heathrow 1991-2020 daily-mean temperature by month, June/July/August: (Tmax + Tmin)/2 of docs/sources.md s9 (D).
HEATHROW_JJA_TMEAN = ((21.6 + 12.0) / 2, (23.9 + 14.2) / 2, (23.4 + 14.1) / 2)
#: Year-to-year SD of the monthly mean, June/July/August: docs/sources.md s9's Tmax figures, used for Tmean (L).
_HEATHROW_JJA_YEAR_SD = (1.48, 1.98, 1.53)
_JJA_DAYS = (30, 31, 31)


class HeatDeathEstimate(NamedTuple):
    """Expected heat-attributable deaths."""

    deaths_per_year: float
    per_100k_per_year: float
    population: float


def expected_annual_heat_deaths(temps: np.ndarray, ages: np.ndarray, sexes: np.ndarray, region: str,
                                params: HeatHealthParams | None = None, *, counts: np.ndarray | None = None,
                                years: float = 1.0, vulnerability: np.ndarray | None = None) -> HeatDeathEstimate:
    """Expected heat-attributable deaths per year, without random draws.

    Parameters
    ----------
    temps : array_like, shape (days,) or (days, n)
        Daily mean temperature (degC): one series for everyone, or one per resident/group.
    ages, sexes : array_like of int, shape (n,)
        Single year of age (0..90) and index into ``SEXES`` of each resident or group.
    region : str
        Region of the regional threshold (docs/sources.md s10 names).
    params
        Heat-health parameters (defaults if None).
    counts : array_like, shape (n,), optional
        Persons in each group (default 1 each: ``ages`` are residents).
    years : float
        Number of years the days of ``temps`` cover (e.g. 30 for 30 summers of JJA days).
    vulnerability : array_like, shape (n,), optional
        Normalised vulnerability multipliers (default 1).

    Returns
    -------
    HeatDeathEstimate

    Notes
    -----
    :math:`\\frac{1}{Y}\\sum_d \\sum_i w_i\\, p_{0,i}\\, v_i\\, (e^{\\beta_i (T_{d,i} - \\theta)^+} - 1)`,
    the sum of the excess probabilities that :func:`twin.health.exposure_response.daily_harm`
    would draw from (ignoring the depletion of those who die, which is negligible).
    """
    params = HeatHealthParams() if params is None else params
    ages = np.minimum(np.asarray(ages), MAX_AGE)
    sexes = np.asarray(sexes)
    w = np.ones(ages.shape) if counts is None else np.asarray(counts, dtype=float)
    if vulnerability is not None:
        w = w * np.asarray(vulnerability, dtype=float)
    beta = heat_slopes(params)[sexes, ages]
    wp0 = w * daily_death_probability(baseline_qx_table(params.mortality), ages, sexes)
    theta = regional_threshold(region, params)
    temps = np.asarray(temps, dtype=float)
    if temps.ndim == 1:
        x = np.maximum(temps - theta, 0.0)
        x = x[x > 0]
        total = float(np.expm1(np.multiply.outer(x, beta)).sum(axis=0) @ wp0) if x.size else 0.0
    else:
        total = sum(float(np.expm1(beta * np.maximum(row - theta, 0.0)) @ wp0) for row in temps)
    population = float(np.asarray(counts, dtype=float).sum()) if counts is not None else float(ages.size)
    per_year = total / years
    return HeatDeathEstimate(per_year, 1e5 * per_year / population, population)


def heathrow_like_summers(rng: np.random.Generator, n_years: int, *, shift: float = 0.0,
                          daily_sd: float = 2.5, lag1: float = 0.7) -> np.ndarray:
    """Synthetic June–August daily-mean temperatures at a Heathrow-like site (degC).

    Parameters
    ----------
    rng
        Random generator.
    n_years
        Number of summers.
    shift
        Warming added to every day (degC), e.g. 2.0 for a +2 degC summer.
    daily_sd
        Standard deviation of daily-mean values about the month's mean (degC; L). 2.5 is
        what ``twin.climate.weather``'s fitted SDs (Tmax 3.8, Tmin 2.0, correlated) imply for the
        daily mean; with the year-to-year term the summer SD is about 2.9 degC.
    lag1
        Day-to-day autocorrelation of the daily anomalies (L; does not change expected deaths).

    Returns
    -------
    numpy.ndarray, shape (n_years * 92,)

    Notes
    -----
    Monthly means are docs/sources.md s9's Heathrow 1991–2020 (Tmax + Tmin)/2, plus a
    year-to-year anomaly with docs/sources.md s9's SD, plus an AR(1) daily anomaly.
    """
    out = []
    innov = daily_sd * np.sqrt(1.0 - lag1**2)
    for _ in range(n_years):
        for mean, ysd, days in zip(HEATHROW_JJA_TMEAN, _HEATHROW_JJA_YEAR_SD, _JJA_DAYS, strict=True):
            month = mean + ysd * rng.standard_normal() + shift
            a = np.empty(days)
            a[0] = daily_sd * rng.standard_normal()
            e = innov * rng.standard_normal(days)
            for d in range(1, days):
                a[d] = lag1 * a[d - 1] + e[d]
            out.append(month + a)
    return np.concatenate(out)


def london_like_population(total: float = 150_000.0, params: HeatHealthParams | None = None) -> np.ndarray:
    """A London-like population by sex and single year of age, shape (2, 91), rows F, M.

    Notes
    -----
    Assumption (L; London's structure is not in docs/sources.md): under 15 19 %, 15–64 69 %,
    65+ 12 % (roughly ONS Census 2021 London), built like
    :func:`twin.health.mortality.ew_2021_population` (even spread under 65, life-table
    shape at 65+).
    """
    from twin.health.mortality import ew_2021_population

    params = HeatHealthParams() if params is None else params
    ew = ew_2021_population(params.mortality)
    pop = np.zeros_like(ew)
    pop[:, :15] = 0.19 / 30
    pop[:, 15:65] = 0.69 / 100
    pop[:, 65:] = 0.12 * ew[:, 65:] / ew[:, 65:].sum()
    return pop * (total / pop.sum())
