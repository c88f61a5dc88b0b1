"""Broken climate files (validate and run give the same line) and output paths refused before any work."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from tests.adversarial.conftest import assert_refused, nothing_left, run_scenario_text


def _climate(path: Path, *, start="2030-06-15", end="2030-07-14", extra_dim=False, grid_at=None) -> None:
    time = pd.date_range(start, end, freq="D")
    tmax = 22.0 + 3 * np.sin(np.arange(len(time)) / 3.0)
    attrs = {"units": "degC"}
    if grid_at is not None:
        y = grid_at[1] - 50 - 100 * np.arange(3)
        x = grid_at[0] + 50 + 100 * np.arange(3)
        full = np.broadcast_to(tmax[:, None, None], (len(time), 3, 3))
        ds = xr.Dataset({"tasmax": (("time", "y", "x"), full, attrs), "tasmin": (("time", "y", "x"), full - 9, attrs)},
                        coords={"time": time, "y": y, "x": x})
    elif extra_dim:
        both = np.stack([tmax, tmax + 1], axis=1)
        ds = xr.Dataset({"tasmax": (("time", "member"), both, attrs), "tasmin": (("time", "member"), both - 9, attrs)},
                        coords={"time": time})
    else:
        ds = xr.Dataset({"tasmax": ("time", tmax, attrs), "tasmin": ("time", tmax - 9, attrs)}, coords={"time": time})
    ds.to_netcdf(path, engine="h5netcdf")


CLIMATE = {
    "one_day_long": (lambda p: _climate(p, start="2030-06-15", end="2030-06-15"), ("does not cover the scenario period",)),
    "wrong_year": (lambda p: _climate(p, start="2029-06-15", end="2029-07-14"), ("does not cover", "2029-06-15")),
    "extra_dimension": (lambda p: _climate(p, extra_dim=True), ("dims", "member")),
    "grid_elsewhere": (lambda p: _climate(p, grid_at=(100_000.0, 900_000.0)), ("does not cover the place grid",)),
    "truncated": (lambda p: (_climate(p), p.write_bytes(p.read_bytes()[:3000])), ("cannot read as NetCDF",)),
    "text_file": (lambda p: p.write_text("tasmax,tasmin\n20,10\n"), ("cannot read as NetCDF",)),
    "directory": (lambda p: p.mkdir(), ("not a regular file",)),  # refused by the scenario schema
}


@pytest.mark.parametrize("case", list(CLIMATE))
def test_bad_climate_file_validate_and_run_agree(case, tiny_place_dir, tmp_path, cli):
    make, needles = CLIMATE[case]
    make(tmp_path / "clim.nc")
    sc = tmp_path / "s.yaml"
    sc.write_text(run_scenario_text(tiny_place_dir, climate="climate: {source: clim.nc}"))
    code, _, err = cli("validate", sc)
    line = assert_refused(code, err, "clim.nc", *needles)
    code, _, err = cli("run", sc, "-o", tmp_path / "out", "-q")
    assert assert_refused(code, err) == line
    nothing_left(tmp_path, "out")


# --- command-line values -------------------------------------------------------------------------
CLI_VALUES = {
    "seed_negative": (["--seed", "-1"], "--seed"),
    "seed_2_128": (["--seed", str(2**128)], "--seed"),
    "seed_text": (["--seed", "abc"], "--seed"),
    "replicates_text": (["--replicates", "abc"], "--replicates"),
    "replicates_zero": (["--replicates", "0"], "--replicates"),
    "replicates_billion": (["--replicates", "1000000000"], "--replicates"),
    "replicates_5000": (["--replicates", "5000"], "--replicates"),
    "replicates_float": (["--replicates", "2.5"], "--replicates"),
    "jobs_zero": (["--jobs", "0"], "--jobs"),
    "jobs_huge": (["--jobs", "100000"], "--jobs"),
    "unknown_flag": (["--frobnicate"], "unrecognized"),
    "cost_needs_yes": (["--replicates", "1000"], "pass --yes"),
}


@pytest.mark.parametrize("case", list(CLI_VALUES))
def test_bad_command_line_value(case, write_scenario, tmp_path, cli):
    extra, needle = CLI_VALUES[case]
    code, _, err = cli("run", write_scenario(), "-o", tmp_path / "out", "-q", *extra)
    assert_refused(code, err, needle)
    nothing_left(tmp_path, "out")


@pytest.mark.parametrize("argv", [[], ["nonsense"], ["run"], ["show"], ["validate"], ["schema", "-o"]])
def test_argument_errors_are_one_line(argv, cli):
    code, out, err = cli(*argv)
    assert_refused(code, err)
    assert out == ""


# --- output paths ---------------------------------------------------------------------------------
def _out_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "adir").mkdir()
    (tmp_path / "results.nc").write_bytes(b"precious")
    (tmp_path / "population.csv").write_text("zone_code,sex,age,count\n")
    (tmp_path / "notes.txt").write_text("mine")
    os.symlink(tmp_path / "notes.txt", tmp_path / "link.csv")
    return {
        "missing_dir": (tmp_path / "no" / "such" / "f.json", "does not exist"),
        "proc": (Path("/proc/placetwin.json"), "system directory"),
        "directory": (tmp_path / "adir", "is a directory"),
        "results_nc": (tmp_path / "results.nc", "refusing to overwrite"),
        "input_file": (tmp_path / "population.csv", "refusing to overwrite"),
        "symlink": (tmp_path / "link.csv", "symbolic link"),
    }


OUT_CASES = ["missing_dir", "proc", "directory", "results_nc", "input_file", "symlink"]


@pytest.mark.parametrize("case", OUT_CASES)
def test_schema_output_refused(case, tmp_path, cli):
    path, needle = _out_cases(tmp_path)[case]
    code, out, err = cli("schema", "-o", path)
    assert_refused(code, err, needle)
    assert (tmp_path / "results.nc").read_bytes() == b"precious" and (tmp_path / "notes.txt").read_text() == "mine"


def test_schema_output_written_atomically(tmp_path, cli):
    code, _, err = cli("schema", "-o", tmp_path / "s.json")
    assert code == 0, err
    assert (tmp_path / "s.json").read_text().startswith("{") and sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


@pytest.mark.parametrize("command", ["run", "project", "trial"])
def test_output_dir_in_proc_or_under_a_file(command, tiny_place_dir, tmp_path, cli):
    from tests.adversarial.conftest import projection_text, trial_text

    text = {"run": run_scenario_text, "project": projection_text, "trial": trial_text}[command](tiny_place_dir)
    sc = tmp_path / "s.yaml"
    sc.write_text(text)
    (tmp_path / "afile").write_text("x")
    for out, needle in ((Path("/proc/placetwin-out"), "system directory"), (tmp_path / "afile" / "out", "not a directory")):
        code, _, err = cli(command, sc, "-o", out, "-q")
        assert_refused(code, err, needle)
    assert (tmp_path / "afile").read_text() == "x"


def _read_only(monkeypatch, path: Path) -> None:
    """Make ``path`` look read-only to os.access (the suite may run as root, who may write anywhere)."""
    real = os.access
    target = os.path.realpath(path)

    def access(p, mode, *a, **kw):
        if os.path.realpath(p) == target and mode & os.W_OK:
            return False
        return real(p, mode, *a, **kw)

    monkeypatch.setattr(os, "access", access)


@pytest.mark.parametrize("command", ["run", "project", "trial", "schema", "report"])
def test_read_only_output_refused_before_work(command, tiny_place_dir, tmp_path, cli, monkeypatch):
    from tests.adversarial.conftest import projection_text, trial_text
    from tests.adversarial.test_damaged_results import _results

    ro = tmp_path / "ro"
    if command == "report":
        ro = _results(ro)
        argv = ["report", ro]
    elif command == "schema":
        ro.mkdir()
        argv = ["schema", "-o", ro / "s.json"]
    else:
        ro.mkdir()
        text = {"run": run_scenario_text, "project": projection_text, "trial": trial_text}[command](tiny_place_dir)
        (tmp_path / "s.yaml").write_text(text)
        argv = [command, tmp_path / "s.yaml", "-o", ro / "out", "-q"]
    before = sorted(p.name for p in ro.iterdir())
    _read_only(monkeypatch, ro)
    code, _, err = cli(*argv)
    assert_refused(code, err, "not writable")
    assert sorted(p.name for p in ro.iterdir()) == before
