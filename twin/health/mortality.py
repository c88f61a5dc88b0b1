"""Baseline mortality: Gompertz–Makeham life tables fitted to life expectancy (docs/sources.md s11, D).

Age-specific death rates were not retrieved for docs/sources.md, so single-year death
probabilities ``qx`` (ages 0..89 and the open group 90+) come from a Gompertz–Makeham
law per sex whose level is fitted, by root finding, to the ONS period life
expectancy at birth (M 79.0, F 83.0, 2021–23). The fit is checked (in the tests)
against the crude death rate of England and Wales (about 9.8 per 1,000) on the 2021
age structure, approximated from docs/sources.md s5 by :func:`ew_2021_population`.

All figures produced here are derived (D).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from twin._names import MAX_AGE, SEXES
from twin.errors import TwinError
from twin.health.params import MortalityParams

__all__ = [
    "EW_2021_POPULATION_TOTAL",
    "baseline_qx_table",
    "crude_death_rate",
    "daily_death_probability",
    "ew_2021_population",
    "fit_to_life_expectancy",
    "gompertz_makeham_qx",
    "life_expectancy",
]

#: Usual residents of England and Wales, Census 2021 (ONS), used to scale the approximate structure.
EW_2021_POPULATION_TOTAL = 59_600_000
_AGES = np.arange(MAX_AGE + 1, dtype=float)


def _law(params: MortalityParams, sex: str) -> tuple[float, float, float]:
    """(target e0, Gompertz slope, Makeham term) for ``sex``."""
    if sex == "F":
        return params.life_expectancy_f, params.gompertz_slope_f, params.makeham_f
    if sex == "M":
        return params.life_expectancy_m, params.gompertz_slope_m, params.makeham_m
    raise TwinError("unknown sex", field="sex", value=sex, hint=f"use one of {SEXES!r}")


def _qx_from_law(alpha: float, slope: float, makeham: float) -> np.ndarray:
    """Single-year qx (ages 0..89) and the open-group annual death probability at 90+."""
    cum = lambda x: makeham * x + alpha / slope * np.expm1(slope * x)  # noqa: E731 - integrated hazard H(x)
    q = -np.expm1(-(cum(_AGES[:-1] + 1.0) - cum(_AGES[:-1])))
    # open group: mean hazard of the stationary 90+ population, m = 1 / e90
    t = np.linspace(0.0, 60.0, 6001)
    surv = np.exp(-(cum(MAX_AGE + t) - cum(float(MAX_AGE))))
    e90 = float(np.sum((surv[1:] + surv[:-1]) * 0.5) * (t[1] - t[0]))
    return np.append(q, -np.expm1(-1.0 / e90))


def life_expectancy(qx: np.ndarray) -> float:
    """Period life expectancy at birth of a single-year life table with an open last group.

    Parameters
    ----------
    qx : array_like, shape (91,)
        Annual death probabilities at ages 0..89; the last entry is the annual death
        probability of the open group 90+.

    Returns
    -------
    float
        Life expectancy at birth, years.

    Notes
    -----
    With :math:`l_0 = 1`, :math:`l_{x+1} = l_x (1 - q_x)`, deaths spread evenly within a
    year, :math:`L_x = (l_x + l_{x+1})/2` for :math:`x < 90`, and the open group lives
    :math:`L_{90} = l_{90}/m_{90}` with :math:`m_{90} = -\\ln(1 - q_{90})`;
    :math:`e_0 = \\sum_x L_x`.
    """
    qx = np.asarray(qx, dtype=float)
    if qx.shape != (MAX_AGE + 1,) or np.any((qx < 0) | (qx > 1)) or qx[-1] <= 0:
        raise TwinError("qx must be 91 probabilities with a positive last (90+) entry", field="qx", value=qx.shape)
    lx = np.concatenate([[1.0], np.cumprod(1.0 - qx[:-1])])
    person_years = 0.5 * (lx[:-1] + lx[1:])
    m90 = -np.log1p(-qx[-1]) if qx[-1] < 1 else np.inf
    return float(person_years.sum() + lx[-1] / m90)


@lru_cache(maxsize=64)
def _fit_alpha(target: float, slope: float, makeham: float) -> float:
    from scipy.optimize import brentq

    def gap(log_alpha: float) -> float:
        return life_expectancy(_qx_from_law(np.exp(log_alpha), slope, makeham)) - target

    lo, hi = np.log(1e-9), np.log(0.5)
    if gap(lo) < 0 or gap(hi) > 0:
        raise TwinError("life expectancy cannot be reached with this Gompertz slope and Makeham term",
                        field="mortality.life_expectancy", value=target)
    return float(np.exp(brentq(gap, lo, hi, xtol=1e-12, rtol=1e-12)))


def fit_to_life_expectancy(target: float, sex: str, params: MortalityParams | None = None) -> float:
    """Fit the Gompertz level ``alpha`` so the life table's life expectancy is ``target``.

    Parameters
    ----------
    target
        Life expectancy at birth, years.
    sex
        ``"F"`` or ``"M"``: chooses the slope and Makeham term in ``params``.
    params
        Mortality parameters (defaults if None).

    Returns
    -------
    float
        ``alpha`` (per year), found with Brent's method on :math:`\\ln\\alpha`.

    Notes
    -----
    Hazard :math:`\\mu(x) = \\lambda + \\alpha e^{\\beta x}`; life expectancy falls
    monotonically in :math:`\\alpha`, so the root is unique.
    """
    params = MortalityParams() if params is None else params
    _, slope, makeham = _law(params, sex)
    return _fit_alpha(float(target), float(slope), float(makeham))


def gompertz_makeham_qx(params: MortalityParams | None, sex: str) -> np.ndarray:
    """Annual death probabilities by single year of age for ``sex``, fitted to its life expectancy.

    Parameters
    ----------
    params
        Mortality parameters (defaults if None).
    sex
        ``"F"`` or ``"M"``.

    Returns
    -------
    numpy.ndarray, shape (91,)
        :math:`q_x` for ages 0..89 and, last, the annual death probability at 90+.

    Notes
    -----
    :math:`q_x = 1 - \\exp(-\\int_x^{x+1} \\mu)`, with
    :math:`\\int_0^x \\mu = \\lambda x + \\frac{\\alpha}{\\beta}(e^{\\beta x} - 1)`.
    For 90+, :math:`q = 1 - e^{-1/e_{90}}`, the mean hazard of the stationary 90+ population.
    """
    params = MortalityParams() if params is None else params
    target, slope, makeham = _law(params, sex)
    return _qx_from_law(_fit_alpha(float(target), float(slope), float(makeham)), slope, makeham)


def baseline_qx_table(params: MortalityParams | None = None) -> np.ndarray:
    """``qx`` for both sexes, shape (2, 91), rows in :data:`twin._names.SEXES` order (F, M)."""
    return np.stack([gompertz_makeham_qx(params, s) for s in SEXES])


def daily_death_probability(qx_table: np.ndarray, age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Daily baseline death probability of each resident.

    Parameters
    ----------
    qx_table : array_like, shape (2, 91)
        From :func:`baseline_qx_table`.
    age : array_like of int
        Single year of age, 0..90 (90 = 90+); larger values are clipped to 90.
    sex : array_like of int
        Index into ``SEXES`` (0 = F, 1 = M).

    Returns
    -------
    numpy.ndarray of float64
        :math:`p = 1 - (1 - q_x)^{1/365}`.
    """
    q = np.asarray(qx_table, dtype=float)[np.asarray(sex), np.minimum(np.asarray(age), MAX_AGE)]
    return -np.expm1(np.log1p(-q) / 365.0)


def ew_2021_population(params: MortalityParams | None = None, total: float = EW_2021_POPULATION_TOTAL) -> np.ndarray:
    """Approximate England and Wales 2021 population by sex and single year of age (D).

    Returns
    -------
    numpy.ndarray, shape (2, 91)
        Counts (float), rows F, M.

    Notes
    -----
    Built from docs/sources.md s5 (ONS Census 2021): under 15 17.4 %, 15–64 64.1 %, 65+ 18.6 %.
    Under 65 each band is spread evenly over its single years and split evenly by sex;
    65+ follows the stationary person-years :math:`L_x` of the fitted life tables (so women
    are the majority), tilted towards younger ages so that 90+ matches the Census's 527,900.
    """
    qx = baseline_qx_table(params)
    lx = np.concatenate([np.ones((2, 1)), np.cumprod(1.0 - qx[:, :-1], axis=1)], axis=1)
    big_l = np.concatenate([0.5 * (lx[:, :-1] + lx[:, 1:]), (lx[:, -1] / -np.log1p(-qx[:, -1]))[:, None]], axis=1)
    pop = np.zeros((2, MAX_AGE + 1))
    pop[:, :15] = 0.174 / 15 / 2
    pop[:, 15:65] = 0.641 / 50 / 2
    pop[:, 65:] = 0.186 * _old_age_shape(big_l[:, 65:])
    return pop * (total / pop.sum())


def _old_age_shape(big_l: np.ndarray) -> np.ndarray:
    """Shares of the 65+ population by sex and age 65..90+, summing to 1.

    Stationary person-years tilted by :math:`e^{-r(x-65)}` (younger cohorts larger, past
    mortality higher), with ``r`` solved so 90+ is 527,900 / 11.09 m of the 65+ (docs/sources.md s5).
    """
    from scipy.optimize import brentq

    target = 527_900 / (0.186 * EW_2021_POPULATION_TOTAL)
    tilt = lambda r: big_l * np.exp(-r * np.arange(big_l.shape[1]))  # noqa: E731
    share90 = lambda r: tilt(r)[:, -1].sum() / tilt(r).sum() - target  # noqa: E731
    r = brentq(share90, -0.2, 0.5) if share90(-0.2) * share90(0.5) < 0 else 0.0
    shape = tilt(r)
    return shape / shape.sum()


def crude_death_rate(qx_table: np.ndarray, population: np.ndarray) -> float:
    """Expected deaths per 1,000 per year of ``population`` (2, 91) under ``qx_table`` (2, 91)."""
    population = np.asarray(population, dtype=float)
    return float(1000.0 * np.sum(np.asarray(qx_table) * population) / population.sum())
