"""Resident traits drawn once at synthesis: channel, living alone, condition, home, list.

Each function maps resident columns and caller-drawn uniforms (one per resident,
on [0, 1)) to a trait column. A trait is ``u < p`` for its probability ``p``, so the
same uniforms always give the same residents, and an option that lowers ``p`` (e.g.
cool roofs lowering overheating) only removes residents from the trait.
"""

from __future__ import annotations

import numpy as np

from twin._names import CHANNELS
from twin.health.params import HeatHealthParams, TraitParams

__all__ = [
    "FACE_TO_FACE",
    "PHONE",
    "DIGITAL",
    "by_age_group",
    "channel_preference",
    "channel_probabilities",
    "living_alone",
    "long_term_condition",
    "on_vulnerable_list",
    "overheating_home",
    "overheating_probability",
]

FACE_TO_FACE, PHONE, DIGITAL = (np.int8(CHANNELS.index(c)) for c in ("face_to_face", "phone", "digital"))


def _tp(params: HeatHealthParams | TraitParams | None) -> TraitParams:
    if params is None:
        return TraitParams()
    return params.traits if isinstance(params, HeatHealthParams) else params


def by_age_group(age: np.ndarray, lower_bounds: tuple[int, ...], values: tuple[float, ...]) -> np.ndarray:
    """Value of each resident's age group: the last group whose lower bound is ``<= age``."""
    idx = np.searchsorted(np.asarray(lower_bounds), np.asarray(age), side="right") - 1
    return np.asarray(values, dtype=float)[idx]


def channel_probabilities(age: np.ndarray, rural: bool | np.ndarray = False,
                          params: HeatHealthParams | TraitParams | None = None) -> np.ndarray:
    """Probability of preferring each channel, shape ``age.shape + (3,)``, columns in ``CHANNELS`` order.

    Notes
    -----
    :math:`P(\\text{digital}) = \\text{use}(a)\\,\\text{uptake}\\,r` with ``use`` the ONS
    internet-use share of the age group and :math:`r` the rural multiplier (1 if urban);
    the rest splits phone : face to face as ``phone_share_non_digital`` (its 75+ value
    from age 75).
    """
    tp = _tp(params)
    age = np.asarray(age)
    p_dig = by_age_group(age, tp.internet_use_ages, tp.internet_use) * tp.digital_uptake
    p_dig = p_dig * np.where(np.asarray(rural, dtype=bool), tp.rural_digital_multiplier, 1.0)
    phone_share = np.where(age >= 75, tp.phone_share_non_digital_75plus, tp.phone_share_non_digital)
    out = np.empty(age.shape + (len(CHANNELS),))
    out[..., DIGITAL] = p_dig
    out[..., PHONE] = (1.0 - p_dig) * phone_share
    out[..., FACE_TO_FACE] = (1.0 - p_dig) * (1.0 - phone_share)
    return out


def channel_preference(age: np.ndarray, u: np.ndarray, rural: bool | np.ndarray = False,
                       params: HeatHealthParams | TraitParams | None = None) -> np.ndarray:
    """Each resident's preferred contact channel, as an int8 index into ``CHANNELS``.

    Parameters
    ----------
    age : array_like of int
        Single year of age.
    u : array_like of float
        Uniforms on [0, 1), one per resident.
    rural : bool or array_like of bool
        Whether the resident's zone is rural (lower digital use).
    params
        Parameters (defaults if None).

    Returns
    -------
    numpy.ndarray of int8
        Digital if ``u < P(digital)``, else phone if ``u < P(digital) + P(phone)``, else
        face to face (:func:`channel_probabilities`).
    """
    p = channel_probabilities(age, rural, params)
    u = np.asarray(u)
    return np.where(u < p[..., DIGITAL], DIGITAL,
                    np.where(u < p[..., DIGITAL] + p[..., PHONE], PHONE, FACE_TO_FACE)).astype(np.int8)


def living_alone(age: np.ndarray, sex: np.ndarray, u: np.ndarray,
                 params: HeatHealthParams | TraitParams | None = None) -> np.ndarray:
    """Whether each resident lives alone (bool), by age group and sex (ONS, docs/sources.md s12).

    ``sex`` is an index into ``SEXES`` (0 = F, 1 = M).
    """
    tp = _tp(params)
    p_f = by_age_group(age, tp.living_alone_ages, tp.living_alone_f)
    p_m = by_age_group(age, tp.living_alone_ages, tp.living_alone_m)
    return np.asarray(u) < np.where(np.asarray(sex) == 0, p_f, p_m)


def long_term_condition(age: np.ndarray, u: np.ndarray, params: HeatHealthParams | TraitParams | None = None) -> np.ndarray:
    """Whether each resident has a long-term condition raising heat risk (bool; prevalence by age, L)."""
    tp = _tp(params)
    return np.asarray(u) < by_age_group(age, tp.ltc_ages, tp.ltc_prevalence)


def overheating_home(building_fraction: np.ndarray, u: np.ndarray, params: HeatHealthParams | TraitParams | None = None,
                     cool_roof: float | np.ndarray = 0.0) -> np.ndarray:
    """Whether each resident's home overheats (bool), more likely in dense cells.

    Parameters
    ----------
    building_fraction : array_like
        Building cover of the home cell (0..1), the grid's ``building`` layer.
    u : array_like
        Uniforms on [0, 1).
    params
        Parameters (defaults if None).
    cool_roof : float or array_like
        Fraction of roof area treated in the home cell (the optional ``cool_roof`` layer).

    Notes
    -----
    :math:`p = [p_{min} + (p_{max} - p_{min}) \\min(1, b / b_{sat})] (1 - \\epsilon c)`,
    with :math:`b` the building fraction, :math:`c` the cool-roof fraction and
    :math:`\\epsilon` its efficacy (all L). Top-floor and single-aspect flats are
    commoner where buildings are dense.
    """
    return np.asarray(u) < overheating_probability(building_fraction, params, cool_roof)


def overheating_probability(building_fraction: np.ndarray, params: HeatHealthParams | TraitParams | None = None,
                            cool_roof: float | np.ndarray = 0.0) -> np.ndarray:
    """Probability that a home overheats (:func:`overheating_home`'s ``p``), e.g. per grid cell."""
    tp = _tp(params)
    dens = np.clip(np.asarray(building_fraction, dtype=float) / tp.overheating_saturation, 0.0, 1.0)
    p = tp.overheating_min + (tp.overheating_max - tp.overheating_min) * dens
    return p * (1.0 - tp.cool_roof_efficacy * np.clip(np.asarray(cool_roof, dtype=float), 0.0, 1.0))


def on_vulnerable_list(age: np.ndarray, ltc: np.ndarray, alone: np.ndarray, u: np.ndarray,
                       params: HeatHealthParams | TraitParams | None = None) -> np.ndarray:
    """Whether each resident is on the council's vulnerable-persons list (bool; all L).

    Mostly residents 75+ who live alone or have a long-term condition; some younger
    residents with both; a few others.
    """
    tp = _tp(params)
    age = np.asarray(age)
    ltc = np.asarray(ltc, dtype=bool)
    alone = np.asarray(alone, dtype=bool)
    old = age >= 75
    p = np.select([old & (ltc | alone), old, ltc & alone],
                  [tp.vulnerable_list_75_at_risk, tp.vulnerable_list_75_other, tp.vulnerable_list_alone_and_ltc],
                  tp.vulnerable_list_other)
    return np.asarray(u) < p
