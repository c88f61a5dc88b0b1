"""Heat-health thresholds, alert levels and heatwave episodes (pure numpy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.errors import ClimateDataError
from twin.climate.hazards import ALERT_LEVELS, HEAT_THRESHOLDS, alert_levels, in_alert_season, thresholds_for


def test_thresholds_by_region():
    assert thresholds_for("London") == (32.0, 18.0)
    assert thresholds_for("  south west ") == (30.0, 15.0)
    assert thresholds_for("Yorkshire & Humber") == (29.0, 15.0)
    assert thresholds_for("North East") == (28.0, 15.0)
    assert len(HEAT_THRESHOLDS) == 9


def test_unknown_region_is_a_clear_error():
    with pytest.raises(ClimateDataError, match=r"region.*'Narnia'.*valid: London"):
        thresholds_for("Narnia")


def test_alert_levels_follow_the_risk_matrix():
    day, night = 32.0, 18.0  # London: minor Tmax >= 28; significant Tmax >= 29 & Tmin >= 15; severe Tmax >= 34.5
    #              0   1   2   3   4   5   6   7   8   9  10  11  12  13
    tx = np.array([25, 28, 25, 28, 28, 25, 30, 25, 30, 30, 25, 35, 35, 25.0])
    tn = np.array([12, 12, 12, 12, 12, 12, 16, 12, 16, 16, 12, 19, 19, 12.0])
    lv = alert_levels(tx, tn, day, night)
    assert ALERT_LEVELS[lv[0]] == "green"
    assert lv[1] == 0                     # minor impact on one day: green
    assert list(lv[3:5]) == [1, 1]        # minor for two days: yellow
    assert lv[6] == 1                     # significant on one day: yellow
    assert list(lv[8:11]) == [2, 2, 2]    # significant for two days: amber, carried one day after
    assert list(lv[11:14]) == [3, 3, 3]   # severe for two days: red, carried one day after
    one_severe = alert_levels(np.array([25, 35, 25.0]), np.array([12, 12, 12.0]), day, night)
    assert list(one_severe) == [0, 2, 2]  # severe on one day: amber


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


@pytest.mark.filterwarnings("ignore:The 'name' property is deprecated")  # xclim 0.62 on pandas 3
def test_heat_indices_are_xclims_on_multi_year_gridded_series():
    """twin.climate.heat_indices computes xclim's definitions in NumPy: the same numbers as xclim."""
    import xarray as xr
    import xclim.indices as xi

    from twin.climate import heat_indices

    rng = np.random.default_rng(7)
    t = pd.date_range("2030-06-25", "2031-07-10", freq="D")  # two years, runs across 1 January cut
    shape = (2, 3, len(t))
    tx = 29 + 4 * np.sin(np.arange(len(t)) / 9.0) + rng.normal(0, 2.5, shape)
    tn = tx - 12 + rng.normal(0, 2, shape)
    tx[0, 0, :6] = 40.0  # a run at the very start, and one at the very end
    tn[0, 0, :6] = 25.0
    tx[1, 2, -3:], tn[1, 2, -3:] = 40.0, 25.0
    w = xr.Dataset({"tasmax": (("y", "x", "time"), tx, {"units": "degC"}),
                    "tasmin": (("y", "x", "time"), tn, {"units": "degC"})}, coords={"time": t})
    ours = heat_indices(w, region="London", window=2)
    txa, tna = w["tasmax"], w["tasmin"]
    hw = {"thresh_tasmin": "18 degC", "thresh_tasmax": "32 degC", "window": 2, "freq": "YS", "op": ">="}
    ref = {"tx_days_above_28": xi.tx_days_above(txa, thresh="28 degC", freq="YS", op=">"),
           "tx_days_above_30": xi.tx_days_above(txa, thresh="30 degC", freq="YS", op=">"),
           "heat_wave_frequency": xi.heat_wave_frequency(tna, txa, **hw),
           "heat_wave_max_length": xi.heat_wave_max_length(tna, txa, **hw),
           "tropical_nights": xi.tn_days_above(tna, thresh="20 degC", freq="YS", op=">")}
    assert int(ours["heat_wave_frequency"].sum()) > 10  # the series has heat waves to count
    for name, da in ref.items():
        np.testing.assert_array_equal(ours[name].transpose("y", "x", "time").values,
                                      da.transpose("y", "x", "time").values, err_msg=name)
        assert list(ours[name]["time"].values) == list(da["time"].values)


def test_heatwave_counts_come_from_xclim():
    import xarray as xr

    from twin.climate.weather import summer_statistics

    t = pd.date_range("2001-06-01", periods=12, freq="D")
    tx = np.array([20, 29, 29, 29, 20, 29, 29, 20, 29, 29, 29, 29.0])
    ds = xr.Dataset({"tasmax": ("time", tx), "tasmin": ("time", tx - 10), "pr": ("time", np.zeros(12))},
                    coords={"time": t})
    s = summer_statistics(ds)
    assert s["heatwaves_per_year"] == 2 and s["heatwave_mean_length"] == 3.5
    assert s["days_ge_28"] == 9
