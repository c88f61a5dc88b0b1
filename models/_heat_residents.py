"""Residents of the ``heat_health`` model: traits drawn once per replicate, columns derived per option.

:func:`make_residents` runs once per replicate on the BASE place (before the option's
interventions) and is shared by every option and pathway of the replicate. It draws a
fixed block of uniforms, ``TRAIT_DRAWS`` per resident, whatever the place or parameters
(common random numbers), and turns them into traits with :mod:`twin.health`:

======================  ============================================================
column (``extra``)      meaning
======================  ============================================================
``channel``             preferred contact channel (int8 index into ``CHANNELS``): by age
                        from ONS internet use, lower digital uptake in rural zones
``living_alone``        bool, by age and sex (ONS, docs/sources.md)
``long_term_condition`` bool, by age (L)
``overheating_home``    bool, from the home cell's building fraction (base place)
``vulnerable_list``     bool, on the council's vulnerable-persons list (L)
``u_overheat``          the uniform behind ``overheating_home``: an option's cool roofs are
                        applied to it (:func:`derive_columns`)
``u_signup``            uniform compared with the zone's ``alert_signup`` share
``u_training``          uniform compared with the zone's ``digital_training_share`` (65+)
======================  ============================================================

:func:`derive_columns` makes the option-dependent columns from the option's place with
those stored uniforms, so an option changes a trait only for the residents it should.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twin._names import MAX_AGE
from twin.health import (
    DIGITAL,
    baseline_qx_table,
    channel_preference,
    daily_death_probability,
    age_sex_gradient,
    living_alone,
    long_term_condition,
    on_vulnerable_list,
    overheating_home,
    overheating_probability,
    population_mean,
    vulnerability_multiplier,
)
from twin.models.residents import Residents, synthesize_residents

__all__ = ["TRAIT_DRAWS", "Derived", "derive_columns", "make_residents"]

#: Uniforms drawn per resident at synthesis (rows: channel, alone, ltc, overheat, list, signup, training).
TRAIT_DRAWS = 7


def _rural_zones(place: Any) -> np.ndarray:
    return np.array([z.urban_rural == "rural" for z in place.zones], bool)


def _layer(place: Any, name: str) -> np.ndarray:
    if name in place.grid:
        return np.nan_to_num(np.asarray(place.grid[name].values, dtype=np.float64).ravel())
    return np.zeros(place.grid.sizes["y"] * place.grid.sizes["x"])


def make_residents(place: Any, params: Any, rng: np.random.Generator) -> Residents:
    """Synthesise residents and their heat-health traits (the replicate's population stream).

    Parameters
    ----------
    place
        The base place.
    params
        :class:`twin.models.params.HeatHealthModelParams` (or any HeatHealthParams).
    rng
        The population stream: base columns first, then ``TRAIT_DRAWS`` uniforms per resident.
    """
    res = synthesize_residents(place.population, place.zone_index, place.grid["residents"].values, rng)
    n = len(res)
    u = rng.random((TRAIT_DRAWS, n))
    rural = _rural_zones(place)[res.zone]
    alone = living_alone(res.age, res.sex, u[1], params)
    ltc = long_term_condition(res.age, u[2], params)
    over = overheating_home(_layer(place, "building")[res.cell], u[3], params, _layer(place, "cool_roof")[res.cell])
    res.extra.update({
        "channel": channel_preference(res.age, u[0], rural, params),
        "living_alone": alone,
        "long_term_condition": ltc,
        "overheating_home": over,
        "vulnerable_list": on_vulnerable_list(res.age, ltc, alone, u[4], params),
        "u_overheat": u[3].astype(np.float32),
        "u_signup": u[5].astype(np.float32),
        "u_training": u[6].astype(np.float32),
    })
    return res


class Derived:
    """Per-option columns of a run (everything the daily rules read, besides the state).

    Attributes
    ----------
    channel : int8, preferred channel after the zone's digital training
    signed_up : bool, signed up to SMS/app alerts
    overheating : bool, home overheats (option's grid: buildings, cool roofs)
    p0, slope, vulnerability : float32 annual-average baseline daily death probability, age/sex gradient
        of the heat log RR (1 on average over deaths),
        normalised vulnerability multiplier (divisor from the base population, fixed across options)
    vcode : uint8, the vulnerability traits as a code (long-term condition + 2 living alone + 4 overheating)
    rural : bool, home zone is rural
    """


def _zone_property(place: Any, key: str, default: float) -> np.ndarray:
    out = np.empty(len(place.zones))
    for i, z in enumerate(place.zones):
        v = (z.properties or {}).get(key, default)
        out[i] = default if v is None else float(v)
    return np.clip(out, 0.0, 1.0)


def _trait_code(long_term_condition: np.ndarray, living_alone: np.ndarray, overheating: np.ndarray) -> np.ndarray:
    """The three vulnerability traits as one code 0..7 (uint8): condition + 2 alone + 4 overheating."""
    u8 = [np.asarray(a, bool).view(np.uint8) for a in (long_term_condition, living_alone, overheating)]
    return u8[0] | (u8[1] << 1) | (u8[2] << 2)


def derive_columns(place: Any, res: Residents, params: Any) -> Derived:
    """Option-dependent columns from the option's place and the stored uniforms (see module docstring)."""
    d = Derived()
    ex = res.extra
    zone = res.zone
    d.rural = _rural_zones(place)[zone]
    signup = _zone_property(place, "alert_signup", params.delivery.alert_signup)
    d.signed_up = ex["u_signup"] < signup[zone]
    training = _zone_property(place, "digital_training_share", 0.0)
    trained = (res.age >= 65) & (ex["u_training"] < training[zone])
    d.channel = np.where(trained, DIGITAL, ex["channel"]).astype(np.int8)
    # overheating_home's probability per cell, then looked up (the same numbers, one cell at a time)
    d.overheating = ex["u_overheat"] < overheating_probability(_layer(place, "building"), params,
                                                               _layer(place, "cool_roof"))[res.cell]
    age = np.minimum(res.age, MAX_AGE)
    # per (sex, age) first, then looked up: the same numbers as per resident, without a log and an exp each
    ages = np.arange(MAX_AGE + 1)
    p0_table = np.stack([daily_death_probability(baseline_qx_table(params.mortality), ages, np.full(ages.size, s))
                         for s in range(2)])
    p0 = p0_table[res.sex, age]
    slope = age_sex_gradient(params)[res.sex, age]
    # the published slopes average over residents with and without these traits: divide by the mean
    # multiplier of the BASE population weighted by baseline excess risk, fixed across options
    # (the multiplier of the 8 trait combinations, then looked up: the same numbers as per resident)
    bits = np.arange(8)
    table = vulnerability_multiplier(bits & 1, bits & 2, bits & 4, params)
    base = table[_trait_code(ex["long_term_condition"], ex["living_alone"], ex["overheating_home"])]
    divisor = population_mean(base, weights=p0 * slope) if np.any(p0 * slope > 0) else 1.0
    d.vcode = _trait_code(ex["long_term_condition"], ex["living_alone"], d.overheating)
    vul = (table / divisor)[d.vcode]
    d.p0, d.slope, d.vulnerability = p0, slope.astype(np.float64), vul.astype(np.float32)
    d.vulnerable = np.asarray(ex["vulnerable_list"], bool)
    d.age65 = res.age >= 65
    return d
