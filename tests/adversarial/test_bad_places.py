"""Broken place directories: validate rejects exactly what run would, with the same one line.

Each corruption is applied to a copy of the tiny place; ``twin validate`` and ``twin run`` must
both refuse it with exit 2 and the *same* message (they share :func:`twin.scenario.checks.preflight`),
and ``run`` must leave no output directory behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from tests.adversarial.conftest import assert_refused, copy_place, nothing_left, projection_text, run_scenario_text


def _grid(place: Path, fn) -> None:
    path = place / "grid.nc"
    ds = xr.load_dataset(path, engine="h5netcdf")
    ds = fn(ds)
    path.unlink()
    ds.to_netcdf(path, engine="h5netcdf")


def _inf(layer: str):
    def fn(ds):
        v = ds[layer].values.astype("float64")
        v[1, 2] = np.inf
        ds[layer] = (ds[layer].dims, v, ds[layer].attrs)
        return ds
    return fn


def _shift_grid(ds):
    return ds.assign_coords(x=ds["x"].values + 200_000.0)


def _zones(place: Path, dx: float) -> None:
    path = place / "zones.geojson"
    doc = json.loads(path.read_text())

    def move(c):
        return [move(v) for v in c] if isinstance(c[0], list) else [c[0] + dx, c[1]]

    for f in doc["features"]:
        f["geometry"]["coordinates"] = move(f["geometry"]["coordinates"])
    path.write_text(json.dumps(doc))


def _population(place: Path, fn) -> None:
    path = place / "population.csv"
    lines = path.read_text().splitlines()
    path.write_bytes(fn(lines))


def _set_count(lines, count):
    header, rest = lines[0], lines[1:]
    z, s, a, _ = rest[5].split(",")
    rest[5] = f"{z},{s},{a},{count}"
    return ("\n".join([header] + rest) + "\n").encode()


def _drop(pred):
    return lambda lines: ("\n".join([lines[0]] + [ln for ln in lines[1:] if not pred(ln)]) + "\n").encode()


def _zero(lines):
    return ("\n".join([lines[0]] + [ln.rsplit(",", 1)[0] + ",0" for ln in lines[1:]]) + "\n").encode()


def _latin1(lines):
    return ("\n".join(lines) + "\n").replace("Z01", "Zé1", 1).encode("latin-1")


def _meta(place: Path, old: str, new: str) -> None:
    path = place / "place.yaml"
    path.write_text(path.read_text().replace(old, new))


# name -> (corrupt the copied place directory, words the message must hold)
CASES = {
    "inf_elevation": (lambda p: _grid(p, _inf("elevation")), ("grid.nc", "elevation", "infinite")),
    "inf_residents": (lambda p: _grid(p, _inf("residents")), ("grid.nc", "residents", "infinite")),
    "grid_shifted_away": (lambda p: _grid(p, _shift_grid), ("zones.geojson", "off the grid")),
    "zones_shifted_away": (lambda p: _zones(p, 300_000.0), ("zones.geojson", "off the grid")),
    "count_1e19": (lambda p: _population(p, lambda ln: _set_count(ln, "1e19")), ("population.csv", "count")),
    "count_huge_int": (lambda p: _population(p, lambda ln: _set_count(ln, "10000000000000000000")), ("population.csv",)),
    "missing_90_plus": (lambda p: _population(p, _drop(lambda ln: ",90+," in ln)), ("population.csv", "missing", "90+")),
    "missing_one_age": (lambda p: _population(p, _drop(lambda ln: ln.startswith("Z02,F,37,"))),
                        ("population.csv", "Z02,F,37")),
    "all_zero_population": (lambda p: _population(p, _zero), ("population.csv", "all counts are zero")),
    "latin1_population": (lambda p: _population(p, _latin1), ("population.csv", "not UTF-8", "0xe9")),
    "unknown_region": (lambda p: _meta(p, "region: London", "region: Atlantis"), ("place.yaml:", "region", "Atlantis")),
    "unknown_station": (lambda p: _meta(p, "climate_station: heathrow", "climate_station: mordor"),
                        ("place.yaml:", "climate_station", "mordor")),
    "grid_is_directory": (lambda p: ((p / "grid.nc").unlink(), (p / "grid.nc").mkdir()), ("grid.nc", "directory")),
    "population_is_fifo": (lambda p: ((p / "population.csv").unlink(), os.mkfifo(p / "population.csv")),
                           ("population.csv", "FIFO")),
    "geojson_infinity": (lambda p: (p / "zones.geojson").write_text(
        (p / "zones.geojson").read_text().replace('"coordinates":[[[', '"coordinates":[[[Infinity,0],[', 1)),
        ("zones.geojson", "Infinity")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validate_and_run_refuse_with_the_same_line(case, tiny_place_dir, tmp_path, cli):
    corrupt, needles = CASES[case]
    place = copy_place(tiny_place_dir, tmp_path / "place")
    corrupt(place)
    sc = tmp_path / "s.yaml"
    sc.write_text(run_scenario_text(place))
    code, out, err_validate = cli("validate", sc)
    line = assert_refused(code, err_validate, *needles)
    assert "ok:" not in out
    code, _, err_run = cli("run", sc, "-o", tmp_path / "out", "-q")
    assert assert_refused(code, err_run) == line
    nothing_left(tmp_path, "out")


@pytest.mark.parametrize("case", ["missing_90_plus", "all_zero_population", "latin1_population", "count_1e19"])
def test_project_refuses_bad_population(case, tiny_place_dir, tmp_path, cli):
    corrupt, needles = CASES[case]
    place = copy_place(tiny_place_dir, tmp_path / "place")
    corrupt(place)
    sc = tmp_path / "p.yaml"
    sc.write_text(projection_text(place))
    code, _, err_validate = cli("validate", sc)
    line = assert_refused(code, err_validate, *needles)
    code, _, err = cli("project", sc, "-o", tmp_path / "out", "-q")
    assert assert_refused(code, err) == line
    nothing_left(tmp_path, "out")


def test_decompression_bombs_refused_from_sizes(tiny_place_dir, tmp_path, cli, monkeypatch):
    """A small compressed grid or climate file can hold gigabytes: sizes are checked before loading."""
    import twin.climate.cf as cf
    import twin.place._io as pio
    import twin.place._place as _place
    from tests.adversarial.test_bad_climate_and_outputs import _climate

    place = copy_place(tiny_place_dir, tmp_path / "place")
    sc = tmp_path / "s.yaml"
    sc.write_text(run_scenario_text(place, climate="climate: {source: clim.nc}"))
    _climate(tmp_path / "clim.nc")
    monkeypatch.setattr(pio, "MAX_GRID_CELLS", 10)
    code, _, err = cli("validate", sc)
    assert_refused(code, err, "grid.nc", "grid is too large")
    monkeypatch.setattr(pio, "MAX_GRID_CELLS", 10**9)
    _place._LOADED.clear()  # the same bytes are cached with their error; the cap is what changed here
    monkeypatch.setattr(cf, "MAX_VALUES", 10)
    code, _, err = cli("validate", sc)
    assert_refused(code, err, "clim.nc", "too large")
