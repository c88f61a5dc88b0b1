"""The `twin` command: every bad input is one line on stderr, exit code 2, nothing written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from tests.conftest import scenario_text
from twin.cli import main


def _run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _copy_place(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "place"
    shutil.copytree(src, dst)
    return dst


# --- corruptions of a place directory -----------------------------------------------------
def _drop_layer(place: Path) -> None:
    ds = xr.load_dataset(place / "grid.nc", engine="h5netcdf")
    ds.drop_vars("canopy").to_netcdf(place / "grid.nc", engine="h5netcdf")


def _unknown_zone_in_population(place: Path) -> None:
    with open(place / "population.csv", "a") as f:
        f.write("Z99,F,30,12\n")


def _negative_count(place: Path) -> None:
    df = pd.read_csv(place / "population.csv", dtype=str)
    df.loc[0, "count"] = "-5"
    df.to_csv(place / "population.csv", index=False)


def _service_outside(place: Path) -> None:
    gj = json.loads((place / "services.geojson").read_text())
    feat = json.loads(json.dumps(gj["features"][0]))
    feat["geometry"]["coordinates"] = [feat["geometry"]["coordinates"][0] + 1e6, feat["geometry"]["coordinates"][1]]
    feat["properties"]["name"] = "Far away hub"
    feat["properties"]["id"] = "far-away"
    gj["features"].append(feat)
    (place / "services.geojson").write_text(json.dumps(gj))


def _nan_layer(place: Path) -> None:
    ds = xr.load_dataset(place / "grid.nc", engine="h5netcdf")
    ds["impervious"][0, 0] = np.nan
    ds.to_netcdf(place / "grid.nc", engine="h5netcdf")


PLACE_CORRUPTIONS = {
    "missing layer": (_drop_layer, "canopy"),
    "zone code with no zone": (_unknown_zone_in_population, "Z99"),
    "negative count": (_negative_count, "-5"),
    "service outside the place": (_service_outside, "far-away|Far away hub"),
    "NaN in a layer": (_nan_layer, "impervious"),
}


@pytest.mark.parametrize("case", sorted(PLACE_CORRUPTIONS))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_place_is_one_line_exit_2(case, command, tiny_place_dir, tmp_path, capsys):
    corrupt, needle = PLACE_CORRUPTIONS[case]
    place = _copy_place(tiny_place_dir, tmp_path)
    corrupt(place)
    sc = tmp_path / "s.yaml"
    sc.write_text(scenario_text(place))
    out = tmp_path / "out"
    argv = [command, str(sc)] + (["-o", str(out), "-q"] if command == "run" else [])
    code, stdout, err = _run_cli(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert any(n in err for n in needle.split("|")), err
    assert "Traceback" not in err
    assert not out.exists()


SCENARIO_ERRORS = {
    "malformed yaml": ({"seed": "seed: [1, 2"}, "s.yaml"),
    "unknown key": ({"seed": "seed: 1\nseeed: 2"}, "seeed"),
    "wrong type": ({"replicates": "replicates: many"}, "replicates"),
    "out of range": ({"replicates": "replicates: 0"}, "replicates"),
    "unknown place": ({"place": "place: atlantis"}, "atlantis"),
    "unknown pathway": ({"pathways": "pathways: [baseline, gwl9]"}, "gwl9"),
    "unknown model": ({"model": "model: weather_magic"}, "weather_magic"),
    "unknown intervention": (
        {"options": "options:\n  - name: a\n    interventions: []\n  - name: b\n    interventions:\n      - type: moat\n"},
        "moat",
    ),
}


@pytest.mark.parametrize("case", sorted(SCENARIO_ERRORS))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_scenario_is_one_line_exit_2(case, command, tiny_place_dir, tmp_path, capsys):
    overrides, needle = SCENARIO_ERRORS[case]
    sc = tmp_path / "s.yaml"
    sc.write_text(scenario_text(tiny_place_dir, **overrides))
    out = tmp_path / "out"
    argv = [command, str(sc)] + (["-o", str(out), "-q"] if command == "run" else [])
    code, _, err = _run_cli(capsys, *argv)
    assert code == 2, err
    assert err.count("\n") == 1 and needle in err, err
    assert not out.exists()


def _climate_file(path: Path, *, kelvin: bool = True, nan: bool = False, units: str | None = None) -> Path:
    time = pd.date_range("2030-06-15", "2030-07-14", freq="D")
    tmax = 295.0 + 3 * np.sin(np.arange(len(time)) / 3.0)
    tmin = tmax - 9
    if not kelvin:
        tmax, tmin = tmax - 273.15, tmin - 273.15
    if nan:
        tmax[4] = np.nan
    u = units or ("K" if kelvin else "degC")
    ds = xr.Dataset(
        {
            "tasmax": ("time", tmax, {"units": u, "standard_name": "air_temperature"}),
            "tasmin": ("time", tmin, {"units": "K" if kelvin else "degC", "standard_name": "air_temperature"}),
            "pr": ("time", np.full(len(time), 1.5), {"units": "mm day-1"}),
        },
        coords={"time": time},
    )
    ds.to_netcdf(path, engine="h5netcdf")
    return path


@pytest.mark.parametrize(
    "case,kw,needle",
    [("nan", {"nan": True}, "tasmax"), ("wrong unit", {"units": "furlongs"}, "furlongs")],
)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_climate_file_is_one_line_exit_2(case, kw, needle, command, tiny_place_dir, tmp_path, capsys):
    nc = _climate_file(tmp_path / "clim.nc", **kw)
    sc = tmp_path / "s.yaml"
    sc.write_text(scenario_text(tiny_place_dir, climate=f"climate: {{source: {nc.name}}}"))
    out = tmp_path / "out"
    argv = [command, str(sc)] + (["-o", str(out), "-q"] if command == "run" else [])
    code, _, err = _run_cli(capsys, *argv)
    assert code == 2 and err.count("\n") == 1 and needle in err and "clim.nc" in err, err
    assert not out.exists()


def test_user_climate_file_in_kelvin_runs(tiny_place_dir, tmp_path, capsys):
    nc = _climate_file(tmp_path / "clim.nc")
    sc = tmp_path / "s.yaml"
    sc.write_text(scenario_text(tiny_place_dir, climate=f"climate: {{source: {nc.name}}}", replicates="replicates: 1"))
    code, _, err = _run_cli(capsys, "run", str(sc), "-o", str(tmp_path / "out"), "-q")
    assert code == 0, err
    with xr.open_dataset(tmp_path / "out" / "results.nc", engine="h5netcdf") as ds:
        base = ds["station_tasmax"].sel(pathway="baseline").values
    assert 15 < base.mean() < 30  # converted from K at the boundary
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "climate/clim.nc" in manifest["input_checksums"]


def test_user_climate_file_without_precipitation_runs(tiny_place_dir, tmp_path, capsys):
    nc = _climate_file(tmp_path / "clim.nc")
    xr.load_dataset(nc, engine="h5netcdf").drop_vars("pr").to_netcdf(tmp_path / "nopr.nc", engine="h5netcdf")
    sc = tmp_path / "s.yaml"
    sc.write_text(scenario_text(tiny_place_dir, climate="climate: {source: nopr.nc}", replicates="replicates: 1"))
    code, _, err = _run_cli(capsys, "run", str(sc), "-o", str(tmp_path / "out"), "-q")
    assert code == 0, err


def test_output_dir_not_writable(write_scenario, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, _, err = _run_cli(capsys, "run", str(write_scenario()), "-o", str(blocker / "out"), "-q")
    assert code == 2 and err.count("\n") == 1 and "a-file" in err, err


def test_existing_output_needs_overwrite(write_scenario, tmp_path, capsys):
    sc = str(write_scenario(replicates="replicates: 1"))
    out = str(tmp_path / "out")
    assert _run_cli(capsys, "run", sc, "-o", out, "-q")[0] == 0
    code, _, err = _run_cli(capsys, "run", sc, "-o", out, "-q")
    assert code == 2 and "--overwrite" in err
    assert _run_cli(capsys, "run", sc, "-o", out, "-q", "--overwrite")[0] == 0


def test_validate_show_places_schema(write_scenario, tmp_path, capsys):
    sc = str(write_scenario(replicates="replicates: 1"))
    code, out, _ = _run_cli(capsys, "validate", sc)
    assert code == 0 and "ok:" in out and "4 runs" in out
    out_dir = tmp_path / "o"
    assert _run_cli(capsys, "run", sc, "-o", str(out_dir), "-q")[0] == 0
    code, out, _ = _run_cli(capsys, "show", str(out_dir))
    assert code == 0 and "do_nothing" in out and "hot-day exposure" in out
    code, out, _ = _run_cli(capsys, "places")
    assert code == 0 and "urban_borough" in out and "rural_district" in out
    code, out, _ = _run_cli(capsys, "schema")
    schema = json.loads(out)
    assert "tree_canopy" in json.dumps(schema)
    code, _, err = _run_cli(capsys, "show", str(tmp_path / "nowhere"))
    assert code == 2 and "results.nc" in err


TRIAL = """trial:
  design: stepped_wedge
  periods: 3
  outcome: {variable: hot_day_exposure, per: 1000}
  intervention: {type: tree_canopy, increase: 0.1}
  n_sim: 50
  twin_replicates: 1
"""


@pytest.mark.parametrize(
    "edit,needle",
    [
        (("design: stepped_wedge", "design: zigzag"), "zigzag"),
        (("increase: 0.1", "increase: 7"), "trial.intervention"),
        (("variable: hot_day_exposure", "variable: happiness"), "happiness"),
    ],
)
def test_bad_trial_is_one_line_exit_2(edit, needle, tiny_place_dir, tmp_path, capsys):
    sc = tmp_path / "t.yaml"
    sc.write_text(scenario_text(tiny_place_dir, replicates="replicates: 1") + TRIAL.replace(*edit))
    out = tmp_path / "out"
    code, _, err = _run_cli(capsys, "trial", str(sc), "-o", str(out), "-q")
    assert code == 2 and err.count("\n") == 1 and needle in err and "Traceback" not in err, err
    assert not (out / "trial.nc").exists()


def test_trial_runs_and_refuses_to_overwrite(tiny_place_dir, tmp_path, capsys):
    sc = tmp_path / "t.yaml"
    sc.write_text(scenario_text(tiny_place_dir, replicates="replicates: 1",
                                period="period: {start: 2030-07-01, end: 2030-07-30}") + TRIAL)
    out = tmp_path / "out"
    code, _, err = _run_cli(capsys, "trial", str(sc), "-o", str(out), "-q", "--no-plots")
    assert code == 0, err
    assert (out / "trial.nc").is_file() and (out / "manifest.json").is_file()
    code, _, err = _run_cli(capsys, "trial", str(sc), "-o", str(out), "-q")
    assert code == 2 and "--overwrite" in err


def test_module_entry_point_help_is_fast_and_clean():
    proc = subprocess.run([sys.executable, "-m", "twin", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "validate" in proc.stdout
    # `twin --help` must not pull in Mesa or xclim
    code = "import sys, twin.cli; twin.cli.build_parser(); print('mesa' in sys.modules, 'xclim' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["False", "False"]


def test_no_bare_top_level_models_or_cli_module_is_installed(tmp_path):
    """Outside the checkout, `models` and `cli` are not importable; the installed package maps them under twin."""
    code = (
        "import importlib.util as u, json\n"
        "out = {'models': u.find_spec('models') is not None, 'cli': u.find_spec('cli') is not None}\n"
        "if u.find_spec('twin') is not None:\n"
        "    import pathlib, twin, twin.models, twin.cli\n"
        "    root = pathlib.Path(twin.__file__).parent\n"
        "    out['mapped'] = [str(pathlib.Path(m.__file__).resolve().is_relative_to(root.resolve()))\n"
        "                     for m in (twin.models, twin.cli)]\n"
        "print(json.dumps(out))\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env, check=True)
    found = json.loads(proc.stdout)
    assert found["models"] is False and found["cli"] is False
    if "mapped" in found:  # the installed wheel (CI): models/ and cli.py live inside the twin package
        assert found["mapped"] == ["True", "True"]
