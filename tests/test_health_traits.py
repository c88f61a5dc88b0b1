"""Resident traits: channel preference by age (ONS internet use), living alone, conditions, homes, list."""

from __future__ import annotations

import numpy as np
import pytest

from twin._names import CHANNELS
from twin.health import (
    DIGITAL,
    FACE_TO_FACE,
    PHONE,
    HeatHealthParams,
    TraitParams,
    channel_preference,
    channel_probabilities,
    ew_2021_population,
    living_alone,
    long_term_condition,
    on_vulnerable_list,
    overheating_home,
)

N = 100_000


def _share_ok(draws: np.ndarray, p: float, n: int = N) -> bool:
    return abs(draws.mean() - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-12


def test_channel_indices_follow_names():
    assert CHANNELS[FACE_TO_FACE] == "face_to_face" and CHANNELS[PHONE] == "phone" and CHANNELS[DIGITAL] == "digital"


@pytest.mark.parametrize(("age", "use"), [(30, 0.99), (60, 0.86), (70, 0.74), (80, 0.54)])
def test_digital_shares_by_age_reproduce_ons_internet_use(age, use):
    u = np.random.default_rng(age).random(N)
    ch = channel_preference(np.full(N, age), u)
    assert ch.dtype == np.int8
    assert _share_ok(ch == DIGITAL, use * 0.8)  # ONS use x digital uptake
    non_digital = 1 - use * 0.8
    phone = 0.75 if age >= 75 else 0.88
    assert _share_ok(ch == PHONE, non_digital * phone)
    assert _share_ok(ch == FACE_TO_FACE, non_digital * (1 - phone))


def test_channel_by_hand_and_rural_lowers_digital():
    p = channel_probabilities(np.array([30, 80]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[:, DIGITAL], [0.99 * 0.8, 0.54 * 0.8])
    u = np.array([0.0, 0.5, 0.85, 0.86])  # cut points 0.432 and 0.858 at 80
    np.testing.assert_array_equal(channel_preference(np.full(4, 80), u), [DIGITAL, PHONE, PHONE, FACE_TO_FACE])
    rural = channel_probabilities(np.array([30, 80]), rural=True)
    np.testing.assert_allclose(rural[:, DIGITAL], p[:, DIGITAL] * 0.9)
    # same uniforms: rural only moves residents out of digital
    u = np.random.default_rng(1).random(N)
    urban_ch = channel_preference(np.full(N, 70), u)
    rural_ch = channel_preference(np.full(N, 70), u, rural=True)
    assert not ((rural_ch == DIGITAL) & (urban_ch != DIGITAL)).any()


def test_living_alone_by_age_and_sex_and_65plus_shares_match_ons_2021():
    rng = np.random.default_rng(2)
    u = rng.random(N)
    np.testing.assert_array_equal(living_alone(np.array([10, 80, 80]), np.array([0, 0, 1]), np.array([0.0, 0.5, 0.5])),
                                  [False, True, False])  # 0.525 vs 0.257 at 75-84
    assert _share_ok(living_alone(np.full(N, 90), np.zeros(N, int), u), 0.545)
    assert _share_ok(living_alone(np.full(N, 90), np.ones(N, int), u), 0.369)
    # 65+ on the E&W 2021 structure: women 36.3 %, men 22.7 % (ONS 2021)
    pop = ew_2021_population()
    ages = np.arange(65, 91)
    tp = TraitParams()
    for sex, target in [(0, 0.363), (1, 0.227)]:
        probs = np.array([living_alone(np.array([a]), np.array([sex]), np.array([0.0]), tp) for a in ages])
        table = tp.living_alone_f if sex == 0 else tp.living_alone_m
        p_age = np.select([ages < 75, ages < 85], [table[3], table[4]], table[5])
        assert probs.all()
        # abs 0.01: the table was fitted on the older approximate structure (before the one baseline mortality)
        assert np.sum(p_age * pop[sex, 65:]) / pop[sex, 65:].sum() == pytest.approx(target, abs=0.01)


def test_long_term_condition_rises_with_age():
    u = np.random.default_rng(3).random(N)
    shares = [long_term_condition(np.full(N, a), u).mean() for a in (10, 30, 50, 70, 80, 90)]
    assert np.all(np.diff(shares) > 0)
    assert _share_ok(long_term_condition(np.full(N, 80), u), 0.60)


def test_overheating_rises_with_building_fraction_and_falls_with_cool_roofs():
    u = np.random.default_rng(4).random(N)
    shares = [overheating_home(np.full(N, b), u).mean() for b in (0.0, 0.25, 0.5, 0.9)]
    assert _share_ok(overheating_home(np.zeros(N), u), 0.05)
    assert _share_ok(overheating_home(np.full(N, 0.25), u), 0.225)
    assert shares[0] < shares[1] < shares[2] == shares[3]
    base = overheating_home(np.full(N, 0.5), u)
    roofs = overheating_home(np.full(N, 0.5), u, cool_roof=1.0)
    assert _share_ok(roofs, 0.4 * 0.7)
    assert not (roofs & ~base).any()  # same uniforms: cool roofs only remove overheating homes


def test_vulnerable_list_probabilities_by_hand():
    age = np.array([80, 80, 80, 50, 50, 30])
    ltc = np.array([1, 0, 0, 1, 1, 0], bool)
    alone = np.array([0, 1, 0, 1, 0, 0], bool)
    u = np.array([0.29, 0.29, 0.049, 0.099, 0.0049, 0.006])
    np.testing.assert_array_equal(on_vulnerable_list(age, ltc, alone, u), [True, True, True, True, True, False])
    np.testing.assert_array_equal(on_vulnerable_list(age, ltc, alone, u + 0.0011),
                                  [True, True, False, False, False, False])


def test_same_uniforms_same_traits_and_params_accepted_whole_or_by_section():
    rng = np.random.default_rng(5)
    age, u = rng.integers(0, 91, 1000), rng.random(1000)
    a = channel_preference(age, u, params=HeatHealthParams())
    b = channel_preference(age, u, params=TraitParams())
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, channel_preference(age, u))


def test_bad_trait_tables_are_rejected():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="age groups"):
        TraitParams(internet_use=(0.9, 0.8))
    with pytest.raises(ValidationError, match="between 0 and 1"):
        TraitParams(ltc_prevalence=(0.05, 0.12, 0.25, 0.45, 0.6, 1.7))
    with pytest.raises(ValidationError):
        TraitParams(digital_uptake=1.2)
