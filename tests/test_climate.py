"""Climate layer: pathways, weather generator statistics, offsets, drivers, CF reader, indices."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from twin.climate import (PATHWAYS, STATIONS, ClimateDrivers, heat_indices, local_offsets,
                          make_drivers, read_cf)
from twin.errors import ClimateDataError
from twin.climate.weather import WeatherParams, generate_weather, summer_statistics

YEARS = pd.date_range("2001-01-01", "2200-12-31", freq="D")  # 200 simulated years


@pytest.fixture(scope="module")
def long_runs():
    return {st: generate_weather(st, "baseline", YEARS, np.random.default_rng(7)) for st in STATIONS}


@pytest.mark.parametrize("station", ["heathrow", "yeovilton", "camborne"])
def test_baseline_summer_matches_station_climatology(long_runs, station):
    s = summer_statistics(long_runs[station])
    st = STATIONS[station]
    for i, m in zip((5, 6, 7), ("jun", "jul", "aug")):
        assert s[f"tasmax_{m}"] == pytest.approx(st.tasmax[i], abs=0.3)
        assert s[f"tasmin_{m}"] == pytest.approx(st.tasmin[i], abs=0.3)
        assert s[f"tasmax_sd_{m}"] == pytest.approx(st.tasmax_monthly_sd[i], rel=0.25)
    assert s["annual_pr"] == pytest.approx(st.annual_pr, rel=0.10)


def test_heathrow_hot_day_frequencies_plausible(long_runs):
    # Documented band (fitted target, R: Heathrow 1991-2020 record has roughly 10 days >= 28,
    # 3-5 days >= 30 degC and about one 3-day run >= 28 degC a year).
    s = summer_statistics(long_runs["heathrow"])
    assert 7 <= s["days_ge_28"] <= 14
    assert 2 <= s["days_ge_30"] <= 6
    assert 0.5 <= s["heatwaves_per_year"] <= 2.0
    assert 3.0 <= s["heatwave_mean_length"] <= 6.0
    # the upper tail: 35 degC reached in roughly one summer in ten to one in five (docs/sources.md)
    assert 0.05 <= s["p_annual_max_ge_35"] <= 0.3
    # A 1 degC cooler climate (~1961-90) has clearly fewer hot days; more so for >= 30
    # (docs/sources.md: doubled / trebled by 2014-23 -- our ratios ~1.7 / ~1.9, see report).
    cool = long_runs["heathrow"].copy()
    cool["tasmax"] = cool["tasmax"] - 1.0
    c = summer_statistics(cool)
    r28, r30 = s["days_ge_28"] / c["days_ge_28"], s["days_ge_30"] / c["days_ge_30"]
    assert 1.4 < r28 < r30 < 3.5


def test_ar1_is_lfilters_recursion_bit_for_bit():
    """The weather's AR(1) loop gives exactly scipy.signal.lfilter's numbers (so results did not move)."""
    from scipy.signal import lfilter

    from twin.climate.weather import _ar1

    rng = np.random.default_rng(3)
    for rho in (0.0, 0.3, 0.72, 0.97, -0.4):
        for n in (1, 2, 365, 4000):
            noise = rng.standard_normal(n)
            e = noise.copy()
            if rho:
                s = np.sqrt(1.0 - rho**2)
                e[0] /= s
                expected = lfilter([s], [1.0, -rho], e)
            else:
                expected = e
            got = _ar1(noise, rho)
            assert got.dtype == np.float64 and np.array_equal(got, expected), (rho, n)
    x = rng.standard_normal(10)
    before = x.copy()
    _ar1(x, 0.5)
    np.testing.assert_array_equal(x, before)  # the caller's noise is left alone


def test_persistence_lag1(long_runs):
    s = summer_statistics(long_runs["heathrow"])
    assert 0.6 <= s["lag1_jja"] <= 0.8


def test_same_rng_identical_and_pathways_paired():
    t = pd.date_range("2030-01-01", periods=800, freq="D")
    a = generate_weather("heathrow", "baseline", t, np.random.default_rng(3))
    b = generate_weather("heathrow", "baseline", t, np.random.default_rng(3))
    xr.testing.assert_identical(a, b)
    w = generate_weather("heathrow", "gwl4", t, np.random.default_rng(3))
    dt, dpr = PATHWAYS["gwl4"].delta(t.day_of_year)
    diff = (w.tasmax - a.tasmax).values
    winter = (t.month == 1) & (t.day >= 8) & (t.day <= 24)  # summer weight < 1 %
    np.testing.assert_allclose(diff[winter], dt[winter], atol=0.05)  # the tail stretch is a summer change
    summer = np.isin(t.month, (6, 7, 8))
    assert abs(diff[summer].mean() - dt[summer].mean()) < 0.15  # the mean follows the UKCP18 delta...
    hottest = summer & (a.tasmax.values >= np.quantile(a.tasmax.values[summer], 0.98))
    assert diff[hottest].mean() > dt[hottest].mean() + 0.5  # ...and hot extremes warm faster
    np.testing.assert_allclose(w.pr, a.pr * (1 + dpr), atol=1e-9)
    assert (w.pr > 0).sum() == (a.pr > 0).sum()


def test_pathways_monotonic_and_applied():
    names = ["baseline", "gwl1.5", "gwl2", "gwl3", "gwl4"]
    summer = [PATHWAYS[n].tas_summer for n in names]
    winter = [PATHWAYS[n].tas_winter for n in names]
    assert summer[0] == 0 and np.all(np.diff(summer) > 0) and np.all(np.diff(winter) > 0)
    assert PATHWAYS["gwl4"].pr_summer < PATHWAYS["gwl2"].pr_summer < 0 < PATHWAYS["gwl4"].pr_winter
    assert summer[-1] > winter[-1]  # UK summers warm faster (UKCP18)
    dt, _ = PATHWAYS["gwl2"].delta(np.array([15, 196]))
    assert dt == pytest.approx([PATHWAYS["gwl2"].tas_winter, PATHWAYS["gwl2"].tas_summer], abs=0.01)
    t = pd.date_range("2050-06-01", "2050-08-31", freq="D")
    means = [float(generate_weather("heathrow", n, t, np.random.default_rng(1)).tasmax.mean()) for n in names]
    assert np.all(np.diff(means) > 0)


def test_generator_rejects_gaps_and_bad_params():
    with pytest.raises(ClimateDataError, match="consecutive"):
        generate_weather("heathrow", "baseline", pd.DatetimeIndex(["2020-01-01", "2020-01-03"]),
                         np.random.default_rng(0))
    with pytest.raises(ClimateDataError, match="lag1"):
        WeatherParams(lag1=1.2)
    with pytest.raises(ClimateDataError, match="valid: baseline"):
        generate_weather("heathrow", "rcp9", pd.date_range("2020-01-01", periods=3), np.random.default_rng(0))


def _grid(**layers):
    ny, nx = 2, 3
    base = {"impervious": 0.3, "canopy": 0.1, "building": 0.1}
    data = {k: (("y", "x"), np.broadcast_to(np.asarray(layers.get(k, v), float), (ny, nx)).copy())
            for k, v in base.items()}
    if "cool_roof" in layers:
        data["cool_roof"] = (("y", "x"), np.broadcast_to(np.asarray(layers["cool_roof"], float), (ny, nx)).copy())
    return xr.Dataset(data, coords={"y": [150.0, 50.0], "x": [50.0, 150.0, 250.0]})


def test_offsets_denser_warmer_canopy_cooler():
    dense = np.array([[0.9, 0.5, 0.0], [0.9, 0.5, 0.0]])
    off = local_offsets(_grid(impervious=dense, building=dense * 0.5))
    tn = off.tasmin_offset.values[0]
    assert tn[0] > tn[1] > 0 > tn[2]                       # rural cells slightly below the station
    assert (off.tasmin_offset > off.tasmax_offset).values[:, 0].all()  # UHI stronger at night
    more = np.array([[0.1, 0.2, 0.4], [0.1, 0.2, 0.4]])
    off2 = local_offsets(_grid(canopy=more))
    np.testing.assert_allclose(np.diff(off2.tasmax_offset.values[0]), [-0.6, -1.2])
    assert off.tasmax_offset.attrs["units"] == "degC"
    roofs = local_offsets(_grid(building=0.5, cool_roof=1.0))
    plain = local_offsets(_grid(building=0.5))
    assert (roofs.tasmax_offset < plain.tasmax_offset).all()


def test_offsets_refuse_bad_fraction():
    with pytest.raises(ClimateDataError, match="canopy"):
        local_offsets(_grid(canopy=1.5))


def _place(station="heathrow"):
    return SimpleNamespace(grid=_grid(impervious=[[0.9, 0.3, 0.0], [0.5, 0.3, 0.1]]),
                           meta={"climate_station": station, "region": "London"})


def test_drivers_from_generator_add_offsets():
    t = pd.date_range("2025-06-01", periods=10, freq="D")
    d = make_drivers(_place(), "gwl2", t, np.random.default_rng(5))
    assert isinstance(d, ClimateDrivers) and d.time.equals(t)
    tx, tn = d.cell_temperatures(3)
    assert tx.shape == (6,) and tx.dtype == np.float64
    np.testing.assert_allclose(tx, d.weather.tasmax.values[3] + d.offsets.tasmax_offset.values.ravel())
    assert (tn < tx).all()


def _write(path, t, tx, tn, pr=None, *, tx_units="degC", pr_units="mm day-1", dims=("time",), coords=None):
    data = {"tasmax": (dims, tx, {"units": tx_units}), "tasmin": (dims, tn, {"units": tx_units})}
    if pr is not None:
        data["pr"] = (dims, pr, {"units": pr_units})
    xr.Dataset(data, coords={"time": t, **(coords or {})}).to_netcdf(path, engine="h5netcdf")
    return path


def test_read_cf_converts_units(tmp_path):
    t = pd.date_range("2020-07-01", periods=3, freq="D")
    p = _write(tmp_path / "k.nc", t, np.array([300.15, 301.15, 302.15]), np.array([290.15] * 3),
               np.array([0.0, 1 / 86400, 2 / 86400]), tx_units="K", pr_units="kg m-2 s-1")
    ds = read_cf(p)
    np.testing.assert_allclose(ds.tasmax, [27, 28, 29])
    np.testing.assert_allclose(ds.pr, [0, 1, 2])
    assert ds.tasmax.attrs["units"] == "degC" and ds.pr.attrs["units"] == "mm day-1"
    assert ds.tasmax.attrs["converted_from"] == "K"
    # found by CF standard_name when the names differ
    xr.Dataset({"tmax": ("time", [20.0, 21, 22], {"units": "degC", "standard_name": "air_temperature",
                                                   "cell_methods": "time: maximum"})},
               coords={"time": t}).to_netcdf(tmp_path / "s.nc", engine="h5netcdf")
    assert float(read_cf(tmp_path / "s.nc", variables=("tasmax",)).tasmax[0]) == 20.0


@pytest.mark.parametrize("case, match", [
    ("units", "units cannot be converted to degC"),
    ("notunits", "not UDUNITS-2 units"),
    ("nan", "NaN"),
    ("missing", "variable not found"),
    ("gap", "not daily"),
    ("order", "not strictly increasing"),
    ("hot", "implausible"),
    ("crossed", "tasmax below tasmin"),
    ("nofile", "not found"),
])
def test_read_cf_refuses_bad_input(tmp_path, case, match):
    t = pd.date_range("2020-07-01", periods=4, freq="D")
    tx, tn, pr = np.array([25.0, 26, 27, 28]), np.array([12.0, 13, 14, 15]), np.zeros(4)
    kw = {}
    if case == "units":
        kw["tx_units"] = "furlongs"  # a length: UDUNITS knows it, but it is no temperature
    elif case == "notunits":
        kw["tx_units"] = "degrees of warmth"
    elif case == "nan":
        tx[2] = np.nan
    elif case == "gap":
        t = pd.DatetimeIndex(["2020-07-01", "2020-07-02", "2020-07-04", "2020-07-05"])
    elif case == "order":
        t = t[[0, 2, 1, 3]]
    elif case == "hot":
        tx[1] = 75.0
    elif case == "crossed":
        tn[3] = 30.0
    path = tmp_path / "bad.nc"
    if case != "nofile":
        _write(path, t, tx, tn, None if case == "missing" else pr, **kw)
    with pytest.raises(ClimateDataError, match=match) as err:
        read_cf(path)
    assert "bad.nc" in str(err.value)


def test_drivers_from_files_series_and_grid(tmp_path):
    t = pd.date_range("2020-06-01", periods=5, freq="D")
    place = _place()
    series = _write(tmp_path / "series.nc", t, np.full(5, 25.0), np.full(5, 14.0), np.ones(5))
    d = make_drivers(place, "gwl2", t, np.random.default_rng(0), source=series)
    dt, _ = PATHWAYS["gwl2"].delta(t.day_of_year)
    tx, _ = d.cell_temperatures(0)
    np.testing.assert_allclose(tx, 25.0 + dt[0] + d.offsets.tasmax_offset.values.ravel())
    assert "delta method" in d.weather.attrs["pathway_delta"]
    g = place.grid
    cube = np.arange(5 * 6, dtype=float).reshape(5, 2, 3) / 10 + 20
    gridded = _write(tmp_path / "grid.nc", t, cube, cube - 8, dims=("time", "y", "x"),
                     coords={"y": g.y.values, "x": g.x.values})
    d2 = make_drivers(place, "baseline", t, np.random.default_rng(0), source=gridded)
    np.testing.assert_allclose(d2.cell_temperatures(4)[0], cube[4].ravel())
    far = _write(tmp_path / "far.nc", t, cube, cube - 8, dims=("time", "y", "x"),
                 coords={"y": g.y.values + 1e5, "x": g.x.values})
    with pytest.raises(ClimateDataError, match="does not cover"):
        make_drivers(place, "baseline", t, np.random.default_rng(0), source=far)
    # a coarser grid covering the place: nearest file cell
    coarse = _write(tmp_path / "coarse.nc", t, np.full((5, 1, 2), 22.0) + [[[0.0, 1.0]]],
                    np.full((5, 1, 2), 12.0), dims=("time", "y", "x"), coords={"y": [100.0], "x": [0.0, 200.0]})
    d3 = make_drivers(place, "baseline", t, np.random.default_rng(0), source=coarse)
    assert d3.weather.attrs["regridding"].startswith("nearest")
    np.testing.assert_allclose(d3.cell_temperatures(0)[0], [22, 23, 23, 22, 23, 23])
    with pytest.raises(ClimateDataError, match="does not cover the scenario period"):
        make_drivers(place, "baseline", pd.date_range("2021-01-01", periods=2), np.random.default_rng(0),
                     source=series)


def test_heat_indices_agree_with_direct_count():
    t = pd.date_range("2020-06-01", periods=12, freq="D")
    tx = np.array([25, 29, 31, 33, 33.5, 34, 27, 32.5, 33, 20, 29, 30.5])
    tn = np.array([12, 15, 17, 19, 19.5, 21, 15, 18, 18.5, 10, 12, 13])
    ds = xr.Dataset({"tasmax": ("time", tx, {"units": "degC"}), "tasmin": ("time", tn, {"units": "degC"})},
                    coords={"time": t})
    hi = heat_indices(ds, region="London")
    assert int(hi.tx_days_above_28.item()) == int((tx > 28).sum())
    assert int(hi.tx_days_above_30.item()) == int((tx > 30).sum())
    assert int(hi.tropical_nights.item()) == int((tn > 20).sum())
    # London 32/18, >= 2 days: runs days 3-5 (0-based 3..5) and 7-8 -> 2 waves, longest 3
    assert int(hi.heat_wave_frequency.item()) == 2
    assert int(hi.heat_wave_max_length.item()) == 3
