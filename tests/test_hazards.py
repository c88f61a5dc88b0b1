"""Heat-health thresholds, alert levels and heatwave episodes (pure numpy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.errors import ClimateDataError
from twin.climate.hazards import (ALERT_LEVELS, HEAT_THRESHOLDS, alert_levels, episode_count, episodes,
                          heatwave_mask, in_alert_season, thresholds_for)


def test_thresholds_by_region():
    assert thresholds_for("London") == (32.0, 18.0)
    assert thresholds_for("  south west ") == (30.0, 15.0)
    assert thresholds_for("Yorkshire & Humber") == (29.0, 15.0)
    assert thresholds_for("North East") == (28.0, 15.0)
    assert len(HEAT_THRESHOLDS) == 9


def test_unknown_region_is_a_clear_error():
    with pytest.raises(ClimateDataError, match=r"region.*'Narnia'.*valid: London"):
        thresholds_for("Narnia")


def test_alert_levels_rule():
    day, night = 32.0, 18.0
    #             0   1   2   3   4   5   6   7   8
    tx = np.array([25, 33, 25, 33, 33, 25, 37, 36.5, 25])
    tn = np.array([12, 19, 12, 17, 18, 19, 19, 20, 12])
    lv = alert_levels(tx, tn, day, night)
    assert ALERT_LEVELS[lv[0]] == "green"
    assert ALERT_LEVELS[lv[1]] == "yellow"        # one hot day
    assert list(lv[3:5]) == [2, 2]                # two hot days and the night between -> amber
    assert ALERT_LEVELS[lv[5]] == "yellow"        # warm night alone
    assert list(lv[6:8]) == [3, 3]                # >= threshold + 4 on two days -> red
    assert lv[8] == 0


def test_alert_levels_2d_matches_columns_and_season():
    rng = np.random.default_rng(1)
    tx = rng.normal(30, 4, (60, 5))
    tn = rng.normal(16, 3, (60, 5))
    lv = alert_levels(tx, tn, 32, 18)
    for c in range(5):
        np.testing.assert_array_equal(lv[:, c], alert_levels(tx[:, c], tn[:, c], 32, 18))
    t = pd.date_range("2022-05-15", periods=60, freq="D")
    season = in_alert_season(t.month, t.day)
    assert not season[:17].any() and season[17:].all()
    lv_s = alert_levels(tx, tn, 32, 18, season=season)
    assert (lv_s[:17] == 0).all() and (lv_s[17:] == lv[17:]).all()


def test_heatwave_episodes_1d_and_2d():
    hot = np.array([0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1], dtype=bool)
    cell, start, length = episodes(hot, 3)
    assert list(start) == [1, 8] and list(length) == [3, 4] and episode_count(hot) == 2
    mask = heatwave_mask(hot, 3)
    assert list(np.flatnonzero(mask)) == [1, 2, 3, 8, 9, 10, 11]
    two = np.column_stack([hot, np.roll(hot, 1), np.zeros_like(hot)])  # roll wraps: runs 0, 2-4, 6-7, 9-11
    np.testing.assert_array_equal(episode_count(two, 3), [2, 2, 0])
    np.testing.assert_array_equal(heatwave_mask(two, 3)[:, 0], mask)
    assert episode_count(two, 2).tolist() == [3, 3, 0]
