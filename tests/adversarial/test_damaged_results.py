"""Damaged result directories through show, compare and report: one line, nothing written.

The results are synthetic (the shape ``twin run`` writes: option x pathway x replicate x zone),
then damaged one way per case; every command must answer ``not a placetwin result, or damaged:
FILE (why)`` or another one-line error, and leave the directory as it was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from tests.adversarial.conftest import assert_refused


def _results(path: Path) -> Path:
    path.mkdir()
    rng = np.random.default_rng(1)
    ds = xr.Dataset(
        {"hot_day_exposure": (("option", "pathway", "replicate", "zone"), rng.uniform(0, 9, (2, 1, 2, 3)),
                              {"units": "1", "long_name": "hot days"})},
        coords={"option": ["do_nothing", "trees"], "pathway": ["baseline"], "replicate": [0, 1],
                "zone": ["Z01", "Z02", "Z03"]},
        attrs={"reference_option": "do_nothing", "model": "heat_exposure"},
    )
    ds.to_netcdf(path / "results.nc", engine="h5netcdf")
    (path / "manifest.json").write_text(json.dumps({"outputs": ["results.nc"], "timings_seconds": {"total": 1.0}}))
    return path


def _nc(fn):
    def spoil(d: Path) -> None:
        ds = fn(xr.load_dataset(d / "results.nc", engine="h5netcdf"))
        (d / "results.nc").unlink()
        ds.to_netcdf(d / "results.nc", engine="h5netcdf")
    return spoil


# name -> (damage the directory, words the line must hold)
DAMAGE = {
    "truncated_nc": (lambda d: (d / "results.nc").write_bytes((d / "results.nc").read_bytes()[:2000]), "damaged"),
    "empty_nc": (lambda d: (d / "results.nc").write_bytes(b""), "empty file"),
    "text_nc": (lambda d: (d / "results.nc").write_text("option,pathway\n"), "not a NetCDF-4"),
    "nc_is_directory": (lambda d: ((d / "results.nc").unlink(), (d / "results.nc").mkdir()), "not a regular file"),
    "nc_is_fifo": (lambda d: ((d / "results.nc").unlink(), os.mkfifo(d / "results.nc")), "not a regular file"),
    "no_results_nc": (lambda d: (d / "results.nc").unlink(), "no results.nc"),
    "manifest_nonsense": (lambda d: (d / "manifest.json").write_text("{nonsense"), "manifest.json"),
    "manifest_list": (lambda d: (d / "manifest.json").write_text("[1, 2]"), "manifest.json"),
    "manifest_wrong_types": (lambda d: (d / "manifest.json").write_text('{"outputs": 5}'), "'outputs'"),
    "manifest_binary": (lambda d: (d / "manifest.json").write_bytes(b"\xff\xfe\0"), "manifest.json"),
    "renamed_dimension": (_nc(lambda ds: ds.rename({"replicate": "member"})), "'replicate'"),
    "unknown_reference": (_nc(lambda ds: ds.assign_attrs(reference_option="nope")), "reference option"),
    "missing_variables": (_nc(lambda ds: ds.drop_vars("hot_day_exposure")), "no variable"),
    "repeated_options": (_nc(lambda ds: ds.assign_coords(option=["a", "a"])), "repeated"),
}


@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> dict[str, Path]:
    """One damaged results directory per case, built once (the commands only read them)."""
    import shutil

    root = tmp_path_factory.mktemp("damaged")
    base = _results(root / "_whole")
    out = {}
    for case, (damage, _) in DAMAGE.items():
        d = root / case
        shutil.copytree(base, d)
        damage(d)
        out[case] = d
    return out


@pytest.mark.parametrize("case", list(DAMAGE))
@pytest.mark.parametrize("command", ["show", "compare", "report"])
def test_damaged_results(case, command, damaged, cli):
    d, needle = damaged[case], DAMAGE[case][1]
    before = sorted(p.name for p in d.iterdir())
    code, _, err = cli(command, d)
    assert_refused(code, err, needle)
    assert sorted(p.name for p in d.iterdir()) == before  # nothing written beside the damaged result


@pytest.mark.parametrize("target", ["report.html", "zones.geojson"])
def test_report_output_is_a_directory(target, tmp_path, cli):
    d = _results(tmp_path / "r")
    (d / target).mkdir()
    code, _, err = cli("report", d)
    assert_refused(code, err, target, "is a directory")
    assert sorted(p.name for p in d.iterdir()) == sorted(["manifest.json", "results.nc", target])


@pytest.mark.parametrize("make", ["missing", "a_file"])
@pytest.mark.parametrize("command", ["show", "compare", "report"])
def test_results_dir_is_not_a_directory(make, command, tmp_path, cli):
    d = tmp_path / "r"
    if make == "a_file":
        d.write_text("x")
    code, _, err = cli(command, d)
    assert_refused(code, err, "no such results directory" if make == "missing" else "not a directory")


@pytest.mark.parametrize("case", ["directory", "results_nc", "input_file", "missing_dir", "proc"])
def test_compare_csv_refused_before_reading(case, tmp_path, cli):
    d = _results(tmp_path / "r")
    target = {"directory": tmp_path, "results_nc": d / "results.nc", "input_file": tmp_path / "population.csv",
              "missing_dir": tmp_path / "no" / "t.csv", "proc": Path("/proc/t.csv")}[case]
    if case == "input_file":
        target.write_text("zone_code,sex,age,count\n")
    keep = (d / "results.nc").read_bytes()
    code, _, err = cli("compare", d, "--csv", target)
    assert_refused(code, err, "--csv")
    assert (d / "results.nc").read_bytes() == keep


def test_results_too_large_refused_before_loading(damaged, cli, monkeypatch):
    import twin.analysis.results_dir as rd

    monkeypatch.setattr(rd, "MAX_VALUES", 5)  # the cap is checked on sizes, before anything is decompressed
    code, _, err = cli("show", damaged["manifest_nonsense"])
    assert_refused(code, err, "values; more than")
