"""Protective behaviour after contact (Bouchama 2007 ORs), help seeking, cooling-centre visits."""

from __future__ import annotations

import numpy as np
import pytest

from twin.health import (
    BEHAVIOURS,
    DIGITAL,
    FACE_TO_FACE,
    PHONE,
    BehaviourParams,
    HeatHealthParams,
    behaviour_rr,
    cooling_centre_visit_probability,
    help_seeking_probability,
    protective_behaviour,
    seeks_help,
)
from twin.health.behaviour import adoption_probabilities

N = 100_000


def test_adoption_by_channel_face_to_face_beats_phone_beats_digital():
    age = np.full(3, 70)
    p = adoption_probabilities(np.ones(3, bool), np.array([FACE_TO_FACE, PHONE, DIGITAL]), age)
    assert p.shape == (3, len(BEHAVIOURS))
    np.testing.assert_allclose(p[0], [0.25, 0.5, 0.35, 0.0])
    np.testing.assert_allclose(p[1], 0.6 * p[0])
    np.testing.assert_allclose(p[2], 0.2 * p[0])
    assert np.all(adoption_probabilities(np.zeros(3, bool), np.zeros(3, int), age) == 0)
    old = adoption_probabilities(np.ones(1, bool), np.array([FACE_TO_FACE]), np.array([90]))
    assert old[0, BEHAVIOURS.index("cool_places")] == pytest.approx(0.125)


def test_protective_behaviour_draws_match_probabilities():
    rng = np.random.default_rng(0)
    u = rng.random((N, len(BEHAVIOURS)))
    adopted = protective_behaviour(np.ones(N, bool), np.full(N, PHONE), np.full(N, 60), u)
    expected = 0.6 * np.array([0.25, 0.5, 0.35, 0.0])
    assert np.all(np.abs(adopted.mean(axis=0) - expected) < 4 * np.sqrt(expected * (1 - expected) / N) + 1e-12)
    not_contacted = protective_behaviour(np.zeros(N, bool), np.full(N, PHONE), np.full(N, 60), u)
    assert not not_contacted.any()


def test_combined_rr_by_hand_and_never_above_one():
    adopted = np.array([[0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [1, 1, 1, 1]], bool)
    np.testing.assert_allclose(behaviour_rr(adopted), [1.0, 0.34, 0.40 * 0.60, 0.2])
    every = np.array([[(i >> b) & 1 for b in range(4)] for i in range(16)], bool)
    rr = behaviour_rr(every)
    assert np.all(rr <= 1.0) and np.all(rr >= 0.2)
    # a behaviour added never raises risk
    for b in range(4):
        more = every | (np.arange(4) == b)
        assert np.all(behaviour_rr(more) <= rr + 1e-15)


def test_home_ac_off_by_default_but_available():
    rng = np.random.default_rng(1)
    u = rng.random((N, 4))
    ac = BEHAVIOURS.index("home_ac")
    assert not protective_behaviour(np.ones(N, bool), np.zeros(N, int), np.full(N, 70), u)[:, ac].any()
    params = BehaviourParams(adopt_home_ac=0.1)
    assert protective_behaviour(np.ones(N, bool), np.zeros(N, int), np.full(N, 70), u, params)[:, ac].any()
    assert behaviour_rr(np.array([[0, 0, 0, 1]], bool), params)[0] == pytest.approx(0.23)


def test_cooling_centre_distance_decay():
    d = np.array([0.0, 800.0, 1600.0, 3000.0])
    p = cooling_centre_visit_probability(d, True)
    np.testing.assert_allclose(p, 0.3 * np.exp(-d / 800.0))
    rural = cooling_centre_visit_probability(d, True, rural=True)
    np.testing.assert_allclose(rural, 0.3 * np.exp(-d / 3000.0))
    assert np.all(cooling_centre_visit_probability(d, False) == 0)
    mixed = cooling_centre_visit_probability(d, np.array([True, False, True, False]))
    assert mixed[1] == 0 and mixed[2] == p[2]


def test_help_seeking_rises_with_alert_level_and_age():
    ages = np.array([30, 70])
    levels = [help_seeking_probability(level, ages) for level in range(4)]
    np.testing.assert_allclose(levels[0], 0.0)
    np.testing.assert_allclose(levels[3], [0.01, 0.02])
    assert all(np.all(b >= a) for a, b in zip(levels, levels[1:], strict=False))
    per_resident = help_seeking_probability(np.array([1, 3]), ages)
    np.testing.assert_allclose(per_resident, [0.0005, 0.02])
    u = np.random.default_rng(2).random(N)
    assert abs(seeks_help(3, np.full(N, 70), u, HeatHealthParams()).mean() - 0.02) < 4 * np.sqrt(0.02 * 0.98 / N)


def test_bad_behaviour_parameters_are_rejected():
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        BehaviourParams(or_fans=1.2)  # a protective behaviour cannot raise risk
    with pytest.raises(ValidationError, match="channels"):
        BehaviourParams(channel_effect={"face_to_face": 1.0, "phone": 0.5, "carrier_pigeon": 0.1})
