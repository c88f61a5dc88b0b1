"""The runner: reproducibility, common random numbers, resume, and safe outputs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from twin.errors import OutputError
from twin.run.engine import run_scenario, stream
from twin.scenario import load


def _data(path):
    with xr.open_dataset(path / "results.nc", engine="h5netcdf") as ds:
        return ds.load()


def _assert_identical_data(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


def test_outputs_and_provenance(write_scenario, tmp_path):
    sc = load(write_scenario(outputs="outputs: {plots: true}"))
    out = run_scenario(sc, tmp_path / "out")
    for name in ("results.nc", "indicators.csv", "manifest.json"):
        assert (out / name).is_file()
    assert any((out / "plots").glob("*.png"))
    assert not (out / ".runs").exists() and not (out / ".staging").exists()
    ds = _data(out)
    assert ds["hot_day_exposure"].dims == ("option", "pathway", "replicate", "time", "zone")
    assert ds["hot_day_exposure_by_age"].dims == ("option", "pathway", "replicate", "zone", "age_band")
    for name in ds.data_vars:
        assert "units" in ds[name].attrs and "long_name" in ds[name].attrs, name
    assert ds.attrs["seed"] == 42 and ds.attrs["scenario_sha256"] == sc.sha256
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["sha256"] == sc.sha256
    assert manifest["seed"] == 42
    assert manifest["placetwin_version"]
    assert any(k.startswith("place/") for k in manifest["input_checksums"])
    # residents are conserved: exposure never exceeds residents x days
    days = ds.sizes["time"]
    assert float(ds["hot_day_exposure"].sum(("time", "zone")).max()) <= float(ds["residents"].sum()) * days


def test_same_seed_bit_identical_across_runs_and_jobs(write_scenario, tmp_path):
    sc = load(write_scenario())
    a = _data(run_scenario(sc, tmp_path / "a", jobs=1))
    b = _data(run_scenario(sc, tmp_path / "b", jobs=1))
    c = _data(run_scenario(sc, tmp_path / "c", jobs=2))
    _assert_identical_data(a, b)
    _assert_identical_data(a, c)
    d = _data(run_scenario(sc, tmp_path / "d", seed=43))
    assert not np.array_equal(a["station_tasmax"].values, d["station_tasmax"].values)


def test_option_without_effect_gives_exactly_zero_difference(write_scenario, tmp_path):
    options = """options:
  - name: do_nothing
    interventions: []
  - name: same_again
    interventions: []
  - name: canopy_all
    interventions:
      - type: tree_canopy
        increase: 0.3
        target: all"""
    ds = _data(run_scenario(load(write_scenario(options=options)), tmp_path / "o"))
    diff = ds["hot_day_exposure"].sel(option="same_again") - ds["hot_day_exposure"].sel(option="do_nothing")
    assert float(np.abs(diff).max()) == 0.0
    # more canopy cools: mean local tmax falls in every run, and exposure never rises
    cooler = ds["tasmax_mean"].sel(option="canopy_all") - ds["tasmax_mean"].sel(option="do_nothing")
    assert float(cooler.max()) < 0
    more = ds["hot_day_exposure"].sel(option="canopy_all") - ds["hot_day_exposure"].sel(option="do_nothing")
    assert float(more.max()) <= 0
    # every option of a replicate saw the same weather (common random numbers)
    assert ds["station_tasmax"].dims == ("pathway", "replicate", "time")


def test_warmer_pathway_is_warmer_and_paired(write_scenario, tmp_path):
    ds = _data(run_scenario(load(write_scenario()), tmp_path / "w"))
    base = ds["station_tasmax"].sel(pathway="baseline")
    hot = ds["station_tasmax"].sel(pathway="gwl4")
    shift = (hot - base).mean("time")
    assert float(shift.min()) > 1.0  # a 4 degC world is warmer in every replicate
    # the same anomalies under each pathway: the shift barely varies from day to day
    assert float((hot - base).std("time").max()) < 1.0


def test_existing_results_not_overwritten(write_scenario, tmp_path):
    sc = load(write_scenario())
    out = run_scenario(sc, tmp_path / "x", replicates=1)
    before = (out / "results.nc").read_bytes()
    with pytest.raises(OutputError, match="already holds results"):
        run_scenario(sc, out, replicates=1)
    assert (out / "results.nc").read_bytes() == before
    run_scenario(sc, out, replicates=1, overwrite=True)


def test_interrupted_ensemble_resumes_identically(write_scenario, tmp_path):
    sc = load(write_scenario())
    full = _data(run_scenario(sc, tmp_path / "full"))

    seen = []

    def stop_after_three(key, seconds):
        seen.append(key)
        if len(seen) == 3:
            raise KeyboardInterrupt

    out = tmp_path / "resume"
    with pytest.raises(KeyboardInterrupt):
        run_scenario(sc, out, on_run=stop_after_three)
    assert not (out / "results.nc").exists()  # nothing half-written
    assert len(list((out / ".runs").glob("*.nc"))) == 3
    resumed_runs = []
    run_scenario(sc, out, on_run=lambda k, s: resumed_runs.append(k))
    assert len(resumed_runs) == 12 - 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["timings_seconds"]["runs_resumed"] == 3
    _assert_identical_data(full, _data(out))


def test_unfinished_run_of_another_scenario_is_refused(write_scenario, tmp_path):
    sc = load(write_scenario())
    out = tmp_path / "mixed"

    def stop(key, seconds):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scenario(sc, out, on_run=stop)
    with pytest.raises(OutputError, match="different scenario"):
        run_scenario(sc, out, seed=7)


def test_streams_are_independent_of_order():
    a = stream(1, 3, "weather").random(5)
    stream(1, 0, "weather").random(100)
    b = stream(1, 3, "weather").random(5)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, stream(1, 3, "model").random(5))
