"""Heat exposure–response and the daily harm draw (pure, vectorised).

The exposure is a resident's local **daily mean** temperature (``(tasmax + tasmin) / 2``
at the home cell, after heat island and canopy). Above the region's threshold the
death rate rises log-linearly: all ages +2.1 % per degC (Gasparrini et al. 2012),
with the age/sex gradient of Ishigami et al. 2008. Only the heat *excess* is
modified by a resident's vulnerability (long-term condition, living alone, an
overheating home) and by protective behaviour, so below the threshold nothing an
option does changes anyone's risk.

Residents are columns: ``age`` (int, 0..90, 90 = 90+) and ``sex`` (int index into
``SEXES``: 0 = F, 1 = M). Random numbers are drawn by the caller and passed in as
uniforms, one per resident per draw per day whatever the option, so options share
common random numbers.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin._names import MAX_AGE, SEXES
from twin.errors import PlaceDataError
from twin.health.params import ExposureResponseParams, HeatHealthParams

__all__ = [
    "Harm",
    "attributable_death_probability",
    "daily_harm",
    "daily_mean_temperature",
    "heat_rr",
    "heat_slopes",
    "population_mean",
    "regional_threshold",
    "vulnerability_multiplier",
]

_SLOPE_CACHE: dict[str, np.ndarray] = {}


class Harm(NamedTuple):
    """Outcome of one day's harm draw, one entry per resident."""

    died: np.ndarray  #: bool, heat-attributable death
    died_other: np.ndarray  #: bool, baseline (non-heat) death
    ill: np.ndarray  #: bool, heat-related illness needing hospital-level care
    excess_probability: np.ndarray  #: float, heat-attributable death probability (sum = expected deaths)
    ill_probability: np.ndarray  #: float

    @property
    def expected_deaths(self) -> float:
        """Expected heat-attributable deaths: a low-variance estimate of ``died.sum()``."""
        return float(self.excess_probability.sum())


def daily_mean_temperature(tasmax: np.ndarray, tasmin: np.ndarray) -> np.ndarray:
    """The exposure metric: ``(tasmax + tasmin) / 2`` in degC."""
    return 0.5 * (np.asarray(tasmax, dtype=float) + np.asarray(tasmin, dtype=float))


def regional_threshold(region: str, params: HeatHealthParams | ExposureResponseParams | None = None) -> float:
    """Daily-mean temperature threshold (degC) for ``region`` (docs/sources.md s10 names).

    Raises
    ------
    PlaceDataError
        If the region has no threshold; the message lists the known regions.
    """
    er = _er(params)
    try:
        return float(er.thresholds[region]) + er.threshold_shift
    except KeyError:
        raise PlaceDataError("no heat-health threshold for this region", field="region", value=region,
                             hint=f"use one of {sorted(er.thresholds)!r} or add it to exposure_response.thresholds") from None


def _er(params: HeatHealthParams | ExposureResponseParams | None) -> ExposureResponseParams:
    if params is None:
        return ExposureResponseParams()
    return params.exposure_response if isinstance(params, HeatHealthParams) else params


def heat_slopes(params: HeatHealthParams | None = None) -> np.ndarray:
    """Log relative risk per degC above the threshold, by sex and single year of age.

    Returns
    -------
    numpy.ndarray, shape (2, 91)
        Rows in ``SEXES`` order (F, M); read-only.

    Notes
    -----
    The gradient :math:`g_{s,a} = \\ln RR^{Ishigami}_{s,a}` (75–84, 85+ by sex; 65–74 and
    under 65 from parameters) is scaled by :math:`k` so that its average weighted by
    England and Wales deaths :math:`D_{s,a} = q_{s,a} P_{s,a}` (fitted life tables on the
    approximate 2021 structure, :mod:`twin.health.mortality`) equals the all-ages slope:
    :math:`\\sum D g k / \\sum D = \\ln(1 + \\text{slope\\_all\\_ages})`. For small excesses
    the all-ages heat RR is then Gasparrini's while the age/sex shape is Ishigami's.
    """
    from twin.health.mortality import baseline_qx_table, ew_2021_population

    params = HeatHealthParams() if params is None else params
    key = params.exposure_response.model_dump_json() + params.mortality.model_dump_json()
    cached = _SLOPE_CACHE.get(key)
    if cached is not None:
        return cached
    er = params.exposure_response
    age = np.arange(MAX_AGE + 1)
    grad = np.empty((2, MAX_AGE + 1))
    for i, (r7584, r85) in enumerate([(er.rr_75_84_f, er.rr_85plus_f), (er.rr_75_84_m, er.rr_85plus_m)]):
        grad[i] = np.log(np.select([age < 65, age < 75, age < 85], [er.rr_under_65, er.rr_65_74, r7584], r85))
    qx = baseline_qx_table(params.mortality)
    deaths = qx * ew_2021_population(params.mortality)
    mean_grad = float(np.sum(deaths * grad) / deaths.sum())
    slopes = grad * (np.log1p(er.slope_all_ages) / mean_grad) if mean_grad > 0 else np.zeros_like(grad)
    slopes.setflags(write=False)
    if len(_SLOPE_CACHE) > 32:
        _SLOPE_CACHE.clear()
    _SLOPE_CACHE[key] = slopes
    return slopes


def heat_rr(temp: np.ndarray, threshold: float | np.ndarray, age: np.ndarray, sex: np.ndarray,
            params: HeatHealthParams | None = None) -> np.ndarray:
    """Relative risk of death on a day at local daily mean ``temp``.

    Parameters
    ----------
    temp : array_like
        Daily mean temperature at each resident's home (degC).
    threshold : float or array_like
        Regional threshold (degC), broadcast against ``temp``.
    age, sex : array_like of int
        Single year of age (0..90) and index into ``SEXES``.
    params
        Heat-health parameters (defaults if None).

    Returns
    -------
    numpy.ndarray
        :math:`RR = \\exp(\\beta_{s,a} \\max(T - \\theta, 0))`: 1 at or below the
        threshold, rising with temperature, steeper for the old and for women.
    """
    slope = heat_slopes(params)[np.asarray(sex), np.minimum(np.asarray(age), MAX_AGE)]
    return _rr(temp, threshold, slope)


def _rr(temp: np.ndarray, threshold: float | np.ndarray, slope: np.ndarray) -> np.ndarray:
    excess = np.maximum(np.asarray(temp, dtype=float) - threshold, 0.0)
    return np.exp(slope * excess)


def attributable_death_probability(p0_daily: np.ndarray, rr: np.ndarray,
                                   multiplier: float | np.ndarray = 1.0) -> np.ndarray:
    """Heat-attributable daily death probability, ``p0 * (rr - 1) * multiplier``.

    Parameters
    ----------
    p0_daily
        Baseline daily death probability (:func:`twin.health.mortality.daily_death_probability`).
    rr
        Heat relative risk (:func:`heat_rr`).
    multiplier
        Product of vulnerability and protection multipliers of the heat excess (1 = average).

    Returns
    -------
    numpy.ndarray
        Excess probability, clipped to ``[0, 1 - p0]`` so that baseline plus excess is a probability.
    """
    p0 = np.asarray(p0_daily, dtype=float)
    return np.clip(p0 * (np.asarray(rr) - 1.0) * multiplier, 0.0, 1.0 - p0)


def vulnerability_multiplier(long_term_condition: np.ndarray, living_alone: np.ndarray, overheating_home: np.ndarray,
                             params: HeatHealthParams | None = None) -> np.ndarray:
    """Raw multiplier of the heat excess from a resident's vulnerabilities.

    Returns
    -------
    numpy.ndarray
        :math:`RR_{ltc}^{c} RR_{alone}^{l} RR_{home}^{h}` for boolean traits ``c, l, h``.

    Notes
    -----
    The published slopes already average over residents with and without these traits, so
    divide by :func:`population_mean` of the *baseline* population (weighted by baseline
    excess risk) before use, or the average heat effect would be inflated. Keep that divisor
    fixed across options so an option that removes overheating lowers risk.
    """
    er = _er(params)
    m = np.where(np.asarray(long_term_condition, dtype=bool), er.rr_long_term_condition, 1.0)
    m = m * np.where(np.asarray(living_alone, dtype=bool), er.rr_living_alone, 1.0)
    return m * np.where(np.asarray(overheating_home, dtype=bool), er.rr_overheating_home, 1.0)


def population_mean(multiplier: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Weighted mean of ``multiplier`` (weights e.g. ``p0_daily * slope``, the baseline excess risk)."""
    return float(np.average(np.asarray(multiplier, dtype=float), weights=weights))


def daily_harm(temp: np.ndarray, threshold: float | np.ndarray, age: np.ndarray, sex: np.ndarray,
               p0_daily: np.ndarray, u_death: np.ndarray, u_ill: np.ndarray, params: HeatHealthParams | None = None,
               *, vulnerability: float | np.ndarray = 1.0, protection: float | np.ndarray = 1.0,
               slope: np.ndarray | None = None) -> Harm:
    """Draw one day's deaths and heat-related illness for every resident.

    Parameters
    ----------
    temp, threshold, age, sex
        As for :func:`heat_rr`.
    p0_daily
        Baseline daily death probability per resident.
    u_death, u_ill
        Pre-drawn uniforms on [0, 1), one per resident each (common random numbers: the
        caller draws them for everyone, every day, in every option).
    params
        Heat-health parameters (defaults if None).
    vulnerability
        Normalised vulnerability multiplier (:func:`vulnerability_multiplier` / mean).
    protection
        Combined RR of adopted protective behaviour, <= 1 (:func:`twin.health.behaviour.behaviour_rr`).
    slope
        Per-resident slopes ``heat_slopes(params)[sex, age]`` if already computed (speed).

    Returns
    -------
    Harm
        ``died`` (heat-attributable), ``died_other`` (baseline), ``ill``, and the
        probabilities; ``excess_probability.sum()`` is the expected number of heat deaths.

    Notes
    -----
    With :math:`e = p_0 (RR - 1) v \\pi` and :math:`i = \\min(1, \\kappa e)`
    (:math:`\\kappa` = illness per attributable death): heat death if :math:`u_d < e`,
    other death if :math:`e \\le u_d < e + p_0`, illness if :math:`u_i < i`. Lowering
    :math:`e` (an option that protects) only ever removes heat deaths for the same uniforms.
    """
    params = HeatHealthParams() if params is None else params
    p0 = np.asarray(p0_daily, dtype=float)
    x = np.asarray(temp, dtype=float) - threshold
    hot = np.flatnonzero(np.broadcast_to(x, p0.shape) > 0)  # only hot residents carry excess risk (speed)
    excess = np.zeros(p0.shape)
    if hot.size:
        x_hot = np.broadcast_to(x, p0.shape)[hot]
        if slope is None:
            b = heat_slopes(params)[np.asarray(sex)[hot], np.minimum(np.asarray(age)[hot], MAX_AGE)]
        else:
            b = np.broadcast_to(slope, p0.shape)[hot]
        mult = np.broadcast_to(np.multiply(vulnerability, protection), p0.shape)[hot]
        excess[hot] = np.clip(p0[hot] * np.expm1(b * x_hot) * mult, 0.0, 1.0 - p0[hot])
    ill_p = np.minimum(excess * params.exposure_response.illness_per_attributable_death, 1.0)
    u_death = np.asarray(u_death)
    died = u_death < excess
    died_other = ~died & (u_death < excess + p0)
    return Harm(died, died_other, np.asarray(u_ill) < ill_p, excess, ill_p)

assert SEXES == ("F", "M")  # row order of heat_slopes and baseline_qx_table
