"""Heat exposure-response and the daily harm draw (pure, vectorised).

The exposure is a resident's local **daily mean** temperature (``(tasmax + tasmin) / 2``
at the home cell, after heat island and canopy). The all-ages log relative risk is a
hockey stick that steepens at the hot end (:func:`heat_log_rr`: a gentle rise from where
deaths start rising, then Hajat et al.'s 3.34 %/degC above London's 97th centile); the
**dose** of a day is the lag-weighted sum of the last days' log RR (:func:`lagged_dose`).
A resident's log RR is the dose times the Ishigami et al. 2008 age/sex gradient
(:func:`age_sex_gradient`, deaths-weighted mean 1). Only the heat *excess* is modified by a
resident's vulnerability (long-term condition, living alone, an overheating home) and by
protective behaviour, so below the start of the rise nothing an option does changes anyone's risk.

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
    "Curve",
    "Harm",
    "age_sex_gradient",
    "attributable_death_probability",
    "daily_harm",
    "daily_mean_temperature",
    "heat_log_rr",
    "heat_rr",
    "lagged_dose",
    "population_mean",
    "regional_curve",
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


class Curve(NamedTuple):
    """A region's exposure-response: where the rise starts, the knee, and the two slopes."""

    start: float  #: degC, daily mean where the log RR starts rising
    knee: float  #: degC, the 97th-centile point where it steepens
    slope_low: float  #: log RR per degC between start and knee
    slope_high: float  #: log RR per degC above the knee


def regional_curve(region: str, params: HeatHealthParams | ExposureResponseParams | None = None) -> Curve:
    """The exposure-response of ``region`` (names of :data:`twin.climate.hazards.HEAT_THRESHOLDS`).

    The knee is 21.5 degC (London's 97th centile, Hajat et al. 2002) shifted by the region's
    day-max alert threshold minus London's, unless ``exposure_response.thresholds`` overrides it.

    Raises
    ------
    PlaceDataError
        If the region is unknown; the message lists the known regions.
    """
    from twin.climate.hazards import HEAT_THRESHOLDS, thresholds_for
    from twin.errors import ClimateDataError
    from twin.health.params import CENTILE_97_LONDON

    er = _er(params)
    if region in er.thresholds:
        knee = float(er.thresholds[region])
        london = region == "London"
    else:
        try:
            day_max, _ = thresholds_for(region)
        except ClimateDataError:
            raise PlaceDataError("no heat-health threshold for this region", field="region", value=region,
                                 hint=f"use one of {list(HEAT_THRESHOLDS)!r} or add it to "
                                      "exposure_response.thresholds") from None
        knee = CENTILE_97_LONDON + (day_max - HEAT_THRESHOLDS["London"][0])
        london = day_max == HEAT_THRESHOLDS["London"][0]
    knee += er.threshold_shift
    if london:
        return Curve(knee - er.rise_below_knee, knee, er.slope_low, er.slope_high_london)
    return Curve(knee - er.rise_below_knee_other, knee, er.slope_low, er.slope_high_other)


def regional_threshold(region: str, params: HeatHealthParams | ExposureResponseParams | None = None) -> float:
    """Daily-mean temperature (degC) where heat mortality starts rising in ``region``."""
    return regional_curve(region, params).start


def _er(params: HeatHealthParams | ExposureResponseParams | None) -> ExposureResponseParams:
    if params is None:
        return ExposureResponseParams()
    return params.exposure_response if isinstance(params, HeatHealthParams) else params


def heat_log_rr(temp: np.ndarray, curve: Curve) -> np.ndarray:
    r"""All-ages log relative risk at daily mean ``temp`` (degC): 0 below ``curve.start``.

    :math:`b_1\,\mathrm{clip}(T - T_0, 0, T_k - T_0) + b_2 (T - T_k)^+`.
    """
    t = np.asarray(temp, dtype=float)
    return (curve.slope_low * np.clip(t - curve.start, 0.0, curve.knee - curve.start)
            + curve.slope_high * np.maximum(t - curve.knee, 0.0))


def lagged_dose(history: np.ndarray, weights) -> np.ndarray:
    r"""Lag-weighted dose :math:`\sum_l w_l h_{t-l}` from ``history[l]`` = log RR ``l`` days ago (lag 0 first)."""
    h = np.asarray(history, dtype=float)
    w = np.asarray(weights, dtype=float)
    return np.tensordot(w, h[: w.size], axes=1)


def age_sex_gradient(params: HeatHealthParams | None = None) -> np.ndarray:
    r"""Multiplier of the all-ages log RR by sex and single year of age, shape (2, 91), rows F, M.

    Notes
    -----
    :math:`g_{s,a} = \ln RR^{Ishigami}_{s,a}` (75-84, 85+ by sex; 65-74 and under 65 from
    parameters) divided by its average weighted by England and Wales deaths
    :math:`D_{s,a} = q_{s,a} P_{s,a}` (the one baseline mortality on the 2021 structure),
    so the deaths-weighted mean is 1: the all-ages curve is the published one while the
    age/sex shape is Ishigami's. Read-only, cached.
    """
    from twin.health.mortality import baseline_qx_table
    from twin.health.population import ew_2021_population

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
    deaths = baseline_qx_table(params.mortality) * ew_2021_population(params.mortality)
    mean_grad = float(np.sum(deaths * grad) / deaths.sum())
    out = grad / mean_grad if mean_grad > 0 else np.zeros_like(grad)
    out.setflags(write=False)
    if len(_SLOPE_CACHE) > 32:
        _SLOPE_CACHE.clear()
    _SLOPE_CACHE[key] = out
    return out


def heat_rr(temp: np.ndarray, region: str, age: np.ndarray, sex: np.ndarray,
            params: HeatHealthParams | None = None) -> np.ndarray:
    r"""Relative risk of death at a sustained local daily mean ``temp`` (no lag: every lag day at ``temp``).

    :math:`RR = \exp(g_{s,a}\, f_r(T))`: 1 below the start of the rise, rising with
    temperature, steeper above the knee, for the old and for women.
    """
    g = age_sex_gradient(params)[np.asarray(sex), np.minimum(np.asarray(age), MAX_AGE)]
    return np.exp(g * heat_log_rr(temp, regional_curve(region, params)))


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


def daily_harm(dose: np.ndarray, age: np.ndarray, sex: np.ndarray, p0_daily: np.ndarray, u_death: np.ndarray,
               u_ill: np.ndarray, params: HeatHealthParams | None = None, *,
               vulnerability: float | np.ndarray = 1.0, protection: float | np.ndarray = 1.0,
               gradient: np.ndarray | None = None) -> Harm:
    r"""Draw one day's deaths and heat-related illness for every resident.

    Parameters
    ----------
    dose : array_like
        All-ages heat log relative risk of the day at each resident's home, lag-weighted
        (:func:`lagged_dose` of :func:`heat_log_rr`); 0 where it is not hot.
    age, sex : array_like of int
        Single year of age (0..90) and index into ``SEXES``.
    p0_daily
        Baseline daily death probability per resident (seasonal, after displacement).
    u_death, u_ill
        Pre-drawn uniforms on [0, 1), one per resident each (common random numbers).
    params
        Heat-health parameters (defaults if None).
    vulnerability
        Normalised vulnerability multiplier (:func:`vulnerability_multiplier` / mean).
    protection
        Combined RR of adopted protective behaviour, <= 1 (:func:`twin.health.behaviour.behaviour_rr`).
    gradient
        Per-resident ``age_sex_gradient(params)[sex, age]`` if already computed (speed).

    Returns
    -------
    Harm
        ``died`` (heat-attributable), ``died_other`` (baseline), ``ill``, and the
        probabilities; ``excess_probability.sum()`` is the expected number of heat deaths.

    Notes
    -----
    With :math:`e = p_0 (e^{g D} - 1) v \pi` and :math:`i = \min(1, \kappa e)`
    (:math:`\kappa` = illness per attributable death): heat death if :math:`u_d < e`,
    other death if :math:`e \le u_d < e + p_0`, illness if :math:`u_i < i`. Lowering
    :math:`e` (an option that protects) only ever removes heat deaths for the same uniforms.
    """
    params = HeatHealthParams() if params is None else params
    p0 = np.asarray(p0_daily, dtype=float)
    x = np.broadcast_to(np.asarray(dose, dtype=float), p0.shape)
    hot = np.flatnonzero(x > 0)  # only residents with a heat dose carry excess risk (speed)
    excess = np.zeros(p0.shape)
    if hot.size:
        if gradient is None:
            g = age_sex_gradient(params)[np.asarray(sex)[hot], np.minimum(np.asarray(age)[hot], MAX_AGE)]
        else:
            g = np.broadcast_to(gradient, p0.shape)[hot]
        mult = np.broadcast_to(np.multiply(vulnerability, protection), p0.shape)[hot]
        excess[hot] = np.clip(p0[hot] * np.expm1(g * x[hot]) * mult, 0.0, 1.0 - p0[hot])
    ill_p = np.minimum(excess * params.exposure_response.illness_per_attributable_death, 1.0)
    u_death = np.asarray(u_death)
    died = u_death < excess
    died_other = ~died & (u_death < excess + p0)
    return Harm(died, died_other, np.asarray(u_ill) < ill_p, excess, ill_p)


assert SEXES == ("F", "M")  # row order of age_sex_gradient and baseline_qx_table
