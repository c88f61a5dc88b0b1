"""Contact and protective behaviour, help seeking and cooling-centre visits (pure, vectorised).

A resident contacted by a service (through one channel) may adopt protective
behaviours; each adopted behaviour scales the resident's heat excess risk by its
odds ratio from Bouchama et al. 2007 (docs/sources.md s1), read as a relative risk: with
daily death probabilities near 1e-4 the outcome is rare and OR ~ RR. Adoption is
likeliest after a face-to-face contact and least after a digital message: passive
advice alone is likely ineffective (Eur J Public Health review, docs/sources.md s14),
active outreach works (Ebi et al. 2004). Adoption probabilities are assumptions (L).
"""

from __future__ import annotations

import numpy as np

from twin._names import CHANNELS
from twin.health._params_people import BEHAVIOURS
from twin.health.params import BehaviourParams, HeatHealthParams, ServiceParams

__all__ = [
    "BEHAVIOURS",
    "adoption_probabilities",
    "behaviour_rr",
    "cooling_centre_visit_probability",
    "help_seeking_probability",
    "protective_behaviour",
    "seeks_help",
]


def _bp(params: HeatHealthParams | BehaviourParams | None) -> BehaviourParams:
    if params is None:
        return BehaviourParams()
    return params.behaviour if isinstance(params, HeatHealthParams) else params


def _sp(params: HeatHealthParams | ServiceParams | None) -> ServiceParams:
    if params is None:
        return ServiceParams()
    return params.services if isinstance(params, HeatHealthParams) else params


def adoption_probabilities(contacted: np.ndarray, channel: np.ndarray, age: np.ndarray,
                           params: HeatHealthParams | BehaviourParams | None = None) -> np.ndarray:
    """Probability each resident adopts each behaviour today, shape ``(n, len(BEHAVIOURS))``.

    Notes
    -----
    :math:`p_{ib} = c_i\\, a_b\\, f_{ch(i)}\\, m_{ib}`: contacted indicator, adoption after a
    face-to-face contact, channel effect, and the 85+ mobility multiplier on cool places.
    """
    bp = _bp(params)
    contacted = np.asarray(contacted, dtype=bool)
    effect = np.array([bp.channel_effect[c] for c in CHANNELS])[np.asarray(channel)]
    base = np.array([getattr(bp, f"adopt_{b}") for b in BEHAVIOURS])
    p = (np.where(contacted, effect, 0.0))[:, None] * base[None, :]
    cool = BEHAVIOURS.index("cool_places")
    p[:, cool] *= np.where(np.asarray(age) >= 85, bp.cool_places_85plus, 1.0)
    return p


def protective_behaviour(contacted: np.ndarray, channel: np.ndarray, age: np.ndarray, u: np.ndarray,
                         params: HeatHealthParams | BehaviourParams | None = None) -> np.ndarray:
    """Which protective behaviours each resident adopts after today's contact.

    Parameters
    ----------
    contacted : array_like of bool, shape (n,)
        Whether the resident was contacted today.
    channel : array_like of int, shape (n,)
        Index into ``CHANNELS`` of the channel the contact came through (ignored where
        not contacted).
    age : array_like of int, shape (n,)
        Single year of age.
    u : array_like of float, shape (n, len(BEHAVIOURS))
        Uniforms on [0, 1), drawn for everyone whether contacted or not.
    params
        Parameters (defaults if None).

    Returns
    -------
    numpy.ndarray of bool, shape (n, len(BEHAVIOURS))
        Columns in :data:`BEHAVIOURS` order.
    """
    contacted = np.asarray(contacted, dtype=bool)
    u = np.asarray(u)
    out = np.zeros(u.shape, dtype=bool)
    idx = np.flatnonzero(contacted)  # only contacted residents can adopt (speed: few are contacted a day)
    if idx.size:
        p = adoption_probabilities(contacted[idx], np.asarray(channel)[idx], np.asarray(age)[idx], params)
        out[idx] = u[idx] < p
    return out


def behaviour_rr(adopted: np.ndarray, params: HeatHealthParams | BehaviourParams | None = None) -> np.ndarray:
    """Combined relative risk of heat death from adopted behaviours, never above 1.

    Parameters
    ----------
    adopted : array_like of bool, shape (n, len(BEHAVIOURS))
        From :func:`protective_behaviour` (or a resident's running state).

    Returns
    -------
    numpy.ndarray, shape (n,)
        :math:`\\max(\\prod_b OR_b^{x_b}, \\text{min\\_combined\\_rr})`; 1 if none adopted.

    Notes
    -----
    ORs are used as RRs (rare outcome). Behaviours overlap (a visit to a cool place is
    also social contact), so the product is floored rather than allowed to vanish.
    """
    bp = _bp(params)
    adopted = np.asarray(adopted, dtype=bool)
    log_or = np.log([getattr(bp, f"or_{b}") for b in BEHAVIOURS])
    rr = np.ones(adopted.shape[0])
    idx = np.flatnonzero(adopted.any(axis=1))
    if idx.size:
        rr[idx] = np.maximum(np.exp(adopted[idx].astype(float) @ log_or), bp.min_combined_rr)
    return np.minimum(rr, 1.0)


def cooling_centre_visit_probability(distance_m: np.ndarray, is_open: bool | np.ndarray, rural: bool | np.ndarray = False,
                                     params: HeatHealthParams | ServiceParams | None = None) -> np.ndarray:
    """Daily probability that a resident who seeks cool places visits the nearest cooling centre.

    Parameters
    ----------
    distance_m : array_like
        Distance from home to the nearest cooling centre (m).
    is_open : bool or array_like of bool
        Whether that centre is open today.
    rural : bool or array_like of bool
        Whether the resident lives in a rural zone (slower decay: people drive).

    Returns
    -------
    numpy.ndarray
        :math:`p = p_{max} e^{-d / d_0}` if open, else 0, with :math:`d_0` the urban or
        rural decay distance (all L). Capacity is the caller's to apply.
    """
    sp = _sp(params)
    d0 = np.where(np.asarray(rural, dtype=bool), sp.cooling_centre_decay_rural_m, sp.cooling_centre_decay_urban_m)
    p = sp.cooling_centre_max_probability * np.exp(-np.maximum(np.asarray(distance_m, dtype=float), 0.0) / d0)
    return np.where(np.asarray(is_open, dtype=bool), p, 0.0)


def help_seeking_probability(alert_level: int | np.ndarray, age: np.ndarray,
                             params: HeatHealthParams | ServiceParams | None = None) -> np.ndarray:
    """Daily probability a resident seeks help from the council, by alert level and age.

    ``alert_level`` is 0 green, 1 yellow, 2 amber, 3 red (UKHSA weather-health alerts,
    docs/sources.md s10); scalar for the whole place or per resident. The resident seeks help
    through their preferred channel (:func:`twin.health.population_traits.channel_preference`),
    so demand by channel follows the channel mix of those who seek it.
    """
    sp = _sp(params)
    level = np.clip(np.asarray(alert_level, dtype=int), 0, 3)
    base = np.asarray(sp.help_seeking_by_alert)[level]
    return np.minimum(base * np.where(np.asarray(age) >= 65, sp.help_seeking_65plus, 1.0), 1.0)


def seeks_help(alert_level: int | np.ndarray, age: np.ndarray, u: np.ndarray,
               params: HeatHealthParams | ServiceParams | None = None) -> np.ndarray:
    """Whether each resident seeks help today (bool): ``u < help_seeking_probability``."""
    return np.asarray(u) < help_seeking_probability(alert_level, age, params)
