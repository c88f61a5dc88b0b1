"""The run engine: reproducibility, common random numbers, resume, and outputs that are whole or absent."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
import xarray as xr

from twin.errors import OutputError
from twin.run import Ensemble, run_scenario
from twin.run.writer import OutputDir
from twin.scenario import load
from twin.testing import assert_results_valid


def _data(result):
    path = getattr(result, "path", result)
    with xr.open_dataset(path / "results.nc", engine="h5netcdf") as ds:
        return ds.load()


def _assert_identical_data(a: xr.Dataset, b: xr.Dataset) -> None:
    assert set(a.data_vars) == set(b.data_vars)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory, tiny_place_dir):
    """One 12-run ensemble of the standard tiny scenario, shared by the tests that only read it."""
    from tests.conftest import scenario_text

    d = tmp_path_factory.mktemp("full")
    path = d / "scenario.yaml"
    path.write_text(scenario_text(tiny_place_dir, outputs="outputs: {plots: true}"))
    sc = load(path)
    return sc, run_scenario(sc, d / "out", progress=False)


def test_outputs_and_provenance(full_run):
    sc, result = full_run
    out = result.path
    for name in ("results.nc", "indicators.nc", "indicators.csv", "manifest.json", "run.log"):
        assert (out / name).is_file(), name
    assert any((out / "plots").glob("*.png"))
    assert not (out / ".runs").exists() and not list(out.glob(".staging*")) and not (out / ".lock").exists()
    ds = _data(result)
    assert ds["hot_day_exposure"].dims == ("option", "pathway", "replicate", "time", "zone")
    assert ds["hot_day_exposure_by_age"].dims == ("option", "pathway", "replicate", "zone", "age_band")
    assert_results_valid(ds)
    assert ds.attrs["seed"] == 42 and ds.attrs["scenario_sha256"] == sc.sha256
    manifest = result.manifest
    assert manifest == json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["sha256"] == sc.sha256 and manifest["seed"] == 42
    assert manifest["placetwin_version"] and manifest["kind"] == "run"
    assert any(k.startswith("place/") for k in manifest["input_checksums"])
    # residents are conserved: exposure never exceeds residents x days
    days = ds.sizes["time"]
    assert float(ds["hot_day_exposure"].sum(("time", "zone")).max()) <= float(ds["residents"].sum()) * days
    # the options are stored: compare and report never re-apply interventions
    assert ds.sizes["option"] == len(sc.options) and "option_interventions" in ds and "zone_boundary" in ds


def test_result_object_carries_what_the_cli_prints(full_run):
    _, result = full_run
    table = result.summary()
    assert {"indicator", "pathway", "option"} <= set(table.columns)
    stored = xr.open_dataset(result.path / "indicators.nc", engine="h5netcdf")
    np.testing.assert_array_equal(stored["hot_day_exposure_per_1000"].values,
                                  result.indicators["hot_day_exposure_per_1000"].values)
    stored.close()


def test_same_seed_bit_identical_across_runs_and_jobs(full_run, tmp_path):
    sc, result = full_run
    a = _data(result)
    c = _data(run_scenario(sc, tmp_path / "c", jobs=2))
    _assert_identical_data(a, c)
    d = _data(run_scenario(sc, tmp_path / "d", seed=43, replicates=1))
    assert not np.array_equal(a["station_tasmax"].values[:, :1], d["station_tasmax"].values)


def test_one_run_does_not_depend_on_the_runs_before_it(full_run):
    sc, result = full_run
    ds = _data(result)
    fresh = Ensemble(sc)  # run (option 1, pathway 1, replicate 2) first, in a new ensemble
    one = fresh.run_one(1, 1, 2)
    np.testing.assert_array_equal(one["hot_day_exposure"].values, ds["hot_day_exposure"].values[1, 1, 2])
    again = fresh.run_one("do_nothing", 0, 0)  # by name, after another run in the same process
    np.testing.assert_array_equal(again["hot_day_exposure"].values, ds["hot_day_exposure"].values[0, 0, 0])


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
    ds = _data(run_scenario(load(write_scenario(options=options)), tmp_path / "o", replicates=2))
    diff = ds["hot_day_exposure"].sel(option="same_again") - ds["hot_day_exposure"].sel(option="do_nothing")
    assert float(np.abs(diff).max()) == 0.0
    # more canopy cools: mean local tmax falls in every run, and exposure never rises
    cooler = ds["tasmax_mean"].sel(option="canopy_all") - ds["tasmax_mean"].sel(option="do_nothing")
    assert float(cooler.max()) < 0
    more = ds["hot_day_exposure"].sel(option="canopy_all") - ds["hot_day_exposure"].sel(option="do_nothing")
    assert float(more.max()) <= 0
    # every option of a replicate saw the same weather (common random numbers)
    assert ds["station_tasmax"].dims == ("pathway", "replicate", "time")


def test_warmer_pathway_is_warmer_and_paired(full_run):
    ds = _data(full_run[1])
    base = ds["station_tasmax"].sel(pathway="baseline")
    hot = ds["station_tasmax"].sel(pathway="gwl4")
    shift = (hot - base).mean("time")
    assert float(shift.min()) > 1.0  # a 4 degC world is warmer in every replicate
    # the same anomalies under each pathway (hot days warm a little more than the mean: a longer upper tail)
    corr = xr.corr(hot, base, dim="time")
    assert float(corr.min()) > 0.95
    assert float((hot - base).std("time").max()) < 0.5 * float(base.std("time").min())


def test_existing_results_not_overwritten_and_a_failed_overwrite_keeps_them(full_run, write_scenario, tmp_path):
    sc, result = full_run
    out = tmp_path / "x"
    shutil.copytree(result.path, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(OutputError, match="already holds results"):
        run_scenario(sc, out, replicates=1)
    bad = load(write_scenario(name="bad.yaml", options="""options:
  - name: do_nothing
    interventions: []
  - name: canopy_nowhere
    interventions:
      - {type: tree_canopy, increase: 0.3, target: {zones: [NOPE]}}"""))
    with pytest.raises(Exception):  # noqa: B017 - the option fails, whatever its error class
        run_scenario(bad, out, replicates=1, overwrite=True)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before

    def fail_in_plots(key, seconds):  # a failure after the runs, while writing
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run_scenario(sc, out, replicates=1, overwrite=True, on_run=fail_in_plots)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not list(out.glob(".staging*")) and not list(out.glob(".previous*"))
    run_scenario(sc, out, replicates=1, overwrite=True)
    assert (out / "results.nc").read_bytes() != before["results.nc"]


def test_interrupted_ensemble_resumes_identically(full_run, tmp_path):
    sc, result = full_run
    seen = []

    def stop_after_three(key, seconds):
        seen.append(key)
        if len(seen) == 3:
            raise KeyboardInterrupt

    out = tmp_path / "resume"
    with pytest.raises(KeyboardInterrupt):
        run_scenario(sc, out, on_run=stop_after_three)
    assert not (out / "results.nc").exists()  # nothing half-written
    assert len(list((out / ".runs").glob("*.npz"))) == 3
    # a damaged run file is detected and run again, not read
    victim = sorted((out / ".runs").glob("*.npz"))[0]
    victim.write_bytes(victim.read_bytes()[:100])
    resumed_runs = []
    res = run_scenario(sc, out, on_run=lambda k, s: resumed_runs.append(k))
    assert len(resumed_runs) == 12 - 2
    assert res.manifest["timings_seconds"]["runs_resumed"] == 2
    _assert_identical_data(_data(result), _data(out))


def test_a_rerun_whose_inputs_changed_refuses_to_resume(write_scenario, tmp_path, tiny_place_dir):
    place = tmp_path / "place"
    shutil.copytree(tiny_place_dir, place)
    path = write_scenario(place=f"place: {place}")
    sc = load(path)
    out = tmp_path / "changed"

    def stop(key, seconds):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scenario(sc, out, on_run=stop)
    with pytest.raises(OutputError, match="other inputs.*seed"):
        run_scenario(sc, out, seed=7)
    pop = place / "population.csv"
    lines = pop.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",999"
    pop.write_text("\n".join(lines) + "\n")
    with pytest.raises(OutputError, match="population.csv changed"):
        run_scenario(load(path), out)
    run_scenario(load(path), out, overwrite=True, replicates=1)  # --overwrite starts again
    assert (out / "results.nc").is_file()


def test_a_second_writer_is_refused_while_the_first_holds_the_directory(tmp_path):
    out = tmp_path / "busy"
    with OutputDir(out, holds=("results.nc",)) as first:
        first.write_text("results.nc", "x")
        holder = json.loads((out / ".lock").read_text())
        assert holder["pid"] == os.getpid()
        # another process's lock (our parent's pid is alive)
        (out / ".lock").write_text(json.dumps({"pid": os.getppid(), "started": "now"}))
        with pytest.raises(OutputError, match=f"in use by another twin process \\(pid {os.getppid()}"):
            with OutputDir(out, holds=("results.nc",)):
                pass
        (out / ".lock").write_text(json.dumps(holder))
        first.publish()
    assert (out / "results.nc").read_text() == "x" and not (out / ".lock").exists()


def test_the_writer_never_follows_a_planted_link(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / ".staging-1").symlink_to(victim)
    (out / ".lock").symlink_to(victim)  # not a lock of a live process: the link is removed, not followed
    (out / "a.txt").symlink_to(victim)  # the old output, replaced by a new file (not written through)
    with OutputDir(out, holds=("a.txt",), overwrite=True) as od:
        od.write_text("a.txt", "new")
        od.publish()
    assert victim.read_text() == "precious" and (out / "a.txt").read_text() == "new"
