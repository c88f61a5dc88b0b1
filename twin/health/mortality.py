"""The one baseline mortality of the twin: single-year x sex death rates and their seasonal profile.

Both the heat-health model (the baseline death probability that heat multiplies) and the
demography engine (:mod:`twin.demography.rates`) take their rates from
:func:`baseline_rates`, so a life expectancy printed by one is the life expectancy used by
the other. The rates are either

* a user's ONS-style life table (``mortality.life_table``: a CSV with ``sex, age`` and
  ``mx`` or ``qx``; :mod:`twin.health._life_table`), or
* one parametric fit (derived, D): per sex a hazard
  :math:`\\mu(x) = \\lambda + h e^{-((x - 22)/7)^2} + \\alpha e^{\\beta x} e^{\\delta (x - 75)^+}`
  (Makeham background, young-adult accident hump, Gompertz with a steepening above 75)
  and a fixed infant rate. Per sex, :math:`\\alpha, \\beta` are solved so the life table's
  life expectancy at birth **and** at 65 equal ONS 2021-23 (M 79.0 / 18.6, F 83.0 / 21.1);
  the steepening :math:`\\delta` (one for both sexes) is solved so the crude death rate
  on the England and Wales 2021 age structure (:func:`twin.health.population.ew_2021_population`)
  is ``crude_death_rate_target`` per 1,000 (9.7: between 9.68 from 577,160 registered
  deaths in 2022 and 9.8 for the year to mid-2023, ONS). See docs/sources.md.

Life tables assume a constant hazard within each year of age: :math:`q_x = 1 - e^{-m_x}`,
:math:`L_x = l_x q_x / m_x`, and the open group 90+ lives :math:`l_{90}/m_{90}`.

Seasonality: daily death rates follow :func:`seasonal_factor` (winter peak), mean 1 over
the year, so a summer day's baseline is below the annual average.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from twin._names import MAX_AGE, SEXES
from twin.errors import TwinError
from twin.health.params import MortalityParams

__all__ = [
    "N_AGES",
    "baseline_qx_table",
    "baseline_rates",
    "crude_death_rate",
    "daily_death_probability",
    "life_expectancy",
    "life_expectancy_at",
    "life_table_summary",
    "remaining_life_expectancy",
    "schedule",
    "seasonal_factor",
]

N_AGES = MAX_AGE + 1
_HUMP_AGE, _HUMP_WIDTH, _KNEE = 22.0, 7.0, 75.0


def _cum_hazard(t: np.ndarray, alpha: float, beta: float, makeham: float, delta: float) -> np.ndarray:
    """Integrated senescent + background hazard from 0 to ``t`` (no hump, no infant term)."""
    t = np.asarray(t, dtype=float)
    late = np.maximum(t - _KNEE, 0.0)
    gomp = alpha / beta * np.expm1(beta * t)
    steeper = alpha * np.exp(beta * _KNEE) * (np.expm1((beta + delta) * late) / (beta + delta)
                                              - np.expm1(beta * late) / beta) if delta else 0.0
    return makeham * t + gomp + steeper


def schedule(alpha: float, beta: float, delta: float, makeham: float, hump: float, infant: float,
             n_ages: int = N_AGES) -> np.ndarray:
    """Central death rates ``m_x`` (ages 0..n_ages-1, last open) of the parametric law.

    Notes
    -----
    :math:`m_x = \\int_x^{x+1} \\mu` (exact for the smooth part; hump at mid-year) for
    :math:`1 \\le x < \\omega`, :math:`m_0` = ``infant``, and for the open group
    :math:`m_\\omega = 1 / e_\\omega`, the mean hazard of a stationary population aged
    :math:`\\omega+` under the same law (survival integrated to 140 by 0.02 year).
    """
    x = np.arange(n_ages, dtype=float)
    m = np.diff(_cum_hazard(np.arange(n_ages + 1, dtype=float), alpha, beta, makeham, delta))
    m = m + hump * np.exp(-(((x + 0.5) - _HUMP_AGE) / _HUMP_WIDTH) ** 2)
    m[0] = infant
    w = float(n_ages - 1)
    t = np.arange(w, 140.0, 0.02)
    surv = np.exp(-(_cum_hazard(t, alpha, beta, makeham, delta) - _cum_hazard(w, alpha, beta, makeham, delta)))
    m[-1] = 1.0 / float(np.sum(surv[1:] + surv[:-1]) * 0.01)
    return m


def _person_years(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(l_x, L_x) of central death rates ``m`` (..., ages), last age open."""
    m = np.asarray(m, dtype=float)
    q = -np.expm1(-m)
    lx = np.concatenate([np.ones(m.shape[:-1] + (1,)), np.cumprod(1.0 - q[..., :-1], axis=-1)], axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        big_l = np.where(m > 0, lx * q / np.where(m > 0, m, 1.0), lx)
        big_l[..., -1] = np.where(m[..., -1] > 0, lx[..., -1] / np.where(m[..., -1] > 0, m[..., -1], 1.0), np.inf)
    return lx, big_l


def life_expectancy_at(m: np.ndarray, age: int = 0) -> np.ndarray:
    """Period life expectancy at ``age`` from central death rates ``m`` (..., ages), last age open."""
    lx, big_l = _person_years(m)
    return big_l[..., age:].sum(axis=-1) / lx[..., age]


def remaining_life_expectancy(m: np.ndarray) -> np.ndarray:
    """Life expectancy at every age, ``e_x``, same shape as ``m`` (constant hazard within a year)."""
    lx, big_l = _person_years(m)
    tx = np.cumsum(big_l[..., ::-1], axis=-1)[..., ::-1]
    return tx / lx


def life_expectancy(qx: np.ndarray) -> float:
    """Period life expectancy at birth of annual death probabilities ``qx`` (91 ages, last 90+).

    Raises
    ------
    TwinError
        If ``qx`` is not 91 probabilities with a positive last entry.
    """
    qx = np.asarray(qx, dtype=float)
    if qx.shape != (N_AGES,) or np.any((qx < 0) | (qx > 1)) or qx[-1] <= 0:
        raise TwinError("qx must be 91 probabilities with a positive last (90+) entry", field="qx", value=qx.shape)
    with np.errstate(divide="ignore"):
        m = -np.log1p(-np.minimum(qx, 1 - 1e-15))
    return float(life_expectancy_at(m, 0))


def _fit_sex(e0: float, e65: float, makeham: float, hump: float, infant: float, delta: float) -> tuple[float, float]:
    """(alpha, beta) so that the law's e0 and e65 hit the targets (least squares, to 1e-9 y)."""
    from scipy.optimize import least_squares

    def gap(p: np.ndarray) -> list[float]:
        m = schedule(float(np.exp(p[0])), float(p[1]), delta, makeham, hump, infant)
        return [float(life_expectancy_at(m, 0)) - e0, float(life_expectancy_at(m, 65)) - e65]

    sol = least_squares(gap, [np.log(2e-5), 0.095], bounds=([np.log(1e-12), 0.02], [np.log(0.05), 0.3]),
                        xtol=1e-14, ftol=1e-14, gtol=1e-14)
    if max(abs(g) for g in gap(sol.x)) > 1e-3:
        raise TwinError("life expectancy at birth and at 65 cannot both be reached by the mortality law",
                        field="mortality.life_expectancy", value=(e0, e65))
    return float(np.exp(sol.x[0])), float(sol.x[1])


def _law_table(p: MortalityParams, delta: float, n_ages: int = N_AGES) -> np.ndarray:
    rows = []
    for s in SEXES:
        f = s.lower()
        args = (getattr(p, f"makeham_{f}"), getattr(p, f"hump_{f}"), getattr(p, f"infant_rate_{f}"))
        alpha, beta = _fit_sex(getattr(p, f"life_expectancy_{f}"), getattr(p, f"life_expectancy_65_{f}"), *args, delta)
        rows.append(schedule(alpha, beta, delta, args[0], args[1], args[2], n_ages))
    return np.stack(rows)


@lru_cache(maxsize=16)
def _fitted(params_json: str, n_ages: int, _file_stamp: tuple = ()) -> np.ndarray:
    from scipy.optimize import brentq

    from twin.health.population import ew_2021_population_from

    p = MortalityParams.model_validate_json(params_json)
    if p.life_table:
        from twin.health._life_table import read_life_table

        m = read_life_table(p.life_table, n_ages)
    else:
        def gap(delta: float) -> float:
            m = _law_table(p, delta)
            return crude_death_rate(-np.expm1(-m), ew_2021_population_from(m)) - p.crude_death_rate_target

        lo, hi = 0.0, 0.15
        if gap(lo) > 0 or gap(hi) < 0:
            raise TwinError("crude death rate target cannot be reached with these life expectancies",
                            field="mortality.crude_death_rate_target", value=p.crude_death_rate_target,
                            hint="use about 9-11 per 1,000 with ONS-like life expectancies")
        delta = float(brentq(gap, lo, hi, xtol=1e-10))
        m = _law_table(p, delta, n_ages)
    m.setflags(write=False)
    return m


def baseline_rates(params: MortalityParams | None = None, n_ages: int = N_AGES) -> np.ndarray:
    """Central death rates per person-year by sex and single year of age, shape (2, n_ages), rows F, M.

    The one baseline of the twin (see the module docstring); cached, read-only.
    """
    import os

    p = MortalityParams() if params is None else params
    stamp: tuple = ()
    if p.life_table:  # re-read a table that changed on disk
        try:
            st = os.stat(p.life_table)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = ("missing",)
    return _fitted(p.model_dump_json(), int(n_ages), stamp)


def baseline_qx_table(params: MortalityParams | None = None) -> np.ndarray:
    """Annual death probabilities ``1 - exp(-m_x)``, shape (2, 91), rows F, M (last = 90+)."""
    return -np.expm1(-baseline_rates(params))


def seasonal_factor(dayofyear, params: MortalityParams | None = None) -> np.ndarray:
    """Multiplier of the annual-average death rate on each day of year (mean 1 over a year).

    :math:`1 + A \\cos(2\\pi (d - d_{peak}) / 365.25)` with amplitude ``seasonal_amplitude`` and
    peak ``seasonal_peak_day`` (mid-January): about 0.88 in late July.
    """
    p = MortalityParams() if params is None else params
    d = np.asarray(dayofyear, dtype=float)
    return 1.0 + p.seasonal_amplitude * np.cos(2.0 * np.pi * (d - p.seasonal_peak_day) / 365.25)


def daily_death_probability(qx_table: np.ndarray, age: np.ndarray, sex: np.ndarray,
                            factor: float | np.ndarray = 1.0) -> np.ndarray:
    """Daily baseline death probability :math:`1 - (1 - q_x)^{f/365}` of each resident.

    ``age`` is clipped to 90 (90+); ``sex`` indexes ``SEXES``; ``factor`` is the seasonal
    (and displacement) multiplier of the hazard, 1 for the annual average.
    """
    q = np.asarray(qx_table, dtype=float)[np.asarray(sex), np.minimum(np.asarray(age), MAX_AGE)]
    return -np.expm1(np.log1p(-q) * (np.asarray(factor, dtype=float) / 365.0))


def crude_death_rate(qx_table: np.ndarray, population: np.ndarray) -> float:
    """Expected deaths per 1,000 per year of ``population`` (2, 91) under ``qx_table`` (2, 91)."""
    population = np.asarray(population, dtype=float)
    return float(1000.0 * np.sum(np.asarray(qx_table) * population) / population.sum())


def life_table_summary(params: MortalityParams | None = None) -> dict[str, float]:
    """e0, e65, e85 by sex and the crude death rate on the E&W 2021 structure, for printing."""
    from twin.health.population import ew_2021_population

    m = baseline_rates(params)
    out = {}
    for i, s in enumerate(SEXES):
        for a in (0, 65, 85):
            out[f"e{a}_{s}"] = float(life_expectancy_at(m[i], a))
    out["crude_death_rate_ew"] = crude_death_rate(-np.expm1(-m), ew_2021_population(params))
    return out
