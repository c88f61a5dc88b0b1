"""The place's grid as NumPy arrays: the h5netcdf reader decodes as xarray does, and checking needs no xarray."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from twin.place import Place
from twin.place._io import _COMMON_CRS_NAMES, crs_kind
from twin.place._layers import Layers, read_netcdf
from twin.testing import tiny_place, write_tiny_place

ROOT = Path(__file__).resolve().parents[1]
#: attributes xarray moves into a variable's encoding when it decodes
DECODING = {"_FillValue", "missing_value", "scale_factor", "add_offset", "_Unsigned", "coordinates"}


def _file(tmp_path: Path) -> Path:
    """A NetCDF-4 file with every kind of numeric encoding a council's GIS export might use."""
    rng = np.random.default_rng(3)
    ny, nx = 4, 5
    elev = rng.integers(-100, 3000, (ny, nx)).astype(np.int16)
    elev[0, 0] = -32767
    frac = rng.random((ny, nx)).astype(np.float32)
    frac[1, 2] = -9999.0
    count = rng.integers(0, 200, (ny, nx)).astype(np.int32)
    count[2, 2] = -1
    ds = xr.Dataset(
        {
            "plain": (("y", "x"), rng.random((ny, nx)), {"units": "1", "long_name": "plain float64"}),
            "packed": (("y", "x"), elev, {"units": "m", "scale_factor": np.float64(0.1), "add_offset": np.float64(5.0),
                                          "_FillValue": np.int16(-32767)}),
            "scaled_only": (("y", "x"), elev.copy(), {"scale_factor": np.float32(0.5)}),
            "masked_float": (("y", "x"), frac, {"_FillValue": np.float32(-9999.0)}),
            "masked_int": (("y", "x"), count, {"missing_value": np.int32(-1)}),
            "small_int": (("y", "x"), elev.astype(np.int8), {"_FillValue": np.int8(-1)}),
            "unsigned": (("y", "x"), np.full((ny, nx), -2, np.int8), {"_Unsigned": "true"}),
            "lat": (("y", "x"), rng.random((ny, nx)), {"units": "degrees_north"}),
            "with_aux": (("y", "x"), frac.copy(), {"coordinates": "lat"}),
        },
        coords={"y": ("y", 1000.0 - 100 * np.arange(ny), {"units": "m"}),
                "x": ("x", 100.0 * np.arange(nx), {"units": "m"})},
        attrs={"title": "encodings", "crs": "EPSG:27700"},
    )
    path = tmp_path / "encoded.nc"
    # write the raw integers and attributes as they are (no encoding by xarray)
    ds.to_netcdf(path, engine="h5netcdf", encoding={v: {"_FillValue": None} for v in ds.variables
                                                    if "_FillValue" not in ds[v].attrs})
    return path


def test_reader_decodes_like_xarray(tmp_path):
    path = _file(tmp_path)
    ours = read_netcdf(path.read_bytes(), max_cells=10**6, max_variables=64)
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        ref = ds.load()
    assert set(ours.coords) == set(ref.coords) and list(ours.data_vars) == list(ref.data_vars)
    assert "lat" in ours.coords  # named by another variable's `coordinates`: a coordinate, as in xarray
    for name, var in ref.variables.items():
        mine = ours.coords.get(name) or ours.data_vars[name]
        assert mine.dims == var.dims, name
        assert mine.data.dtype == var.dtype, name
        np.testing.assert_array_equal(mine.data, var.values, err_msg=name)
        assert {k: v for k, v in mine.attrs.items() if k not in DECODING} == dict(var.attrs), name
    assert ours.attrs == dict(ref.attrs)
    # the cases are real: something was masked, unpacked and reinterpreted
    assert np.isnan(ours["packed"][0, 0]) and ours["packed"].dtype == np.float64
    assert np.isnan(ours["masked_int"][2, 2]) and np.isnan(ours["masked_float"][1, 2])
    assert (ours["unsigned"] == 254).all()


def test_reader_refuses_large_files_before_reading(tmp_path):
    path = _file(tmp_path)
    from twin.place._layers import TooLarge

    with pytest.raises(TooLarge) as err:
        read_netcdf(path.read_bytes(), max_cells=19, max_variables=64)
    assert err.value.sizes == {"y": 4, "x": 5}
    with pytest.raises(TooLarge):
        read_netcdf(path.read_bytes(), max_cells=10**6, max_variables=5)


def test_layers_and_dataset_are_the_same_arrays(tmp_path):
    place = Place.load(write_tiny_place(tmp_path, n_zones=3, residents=900, seed=2))
    assert "grid" not in place.__dict__ and "population" not in place.__dict__  # loaded as NumPy
    ref = tiny_place(n_zones=3, residents=900, seed=2)
    xr.testing.assert_equal(place.grid, ref.grid)
    assert np.shares_memory(place.grid["canopy"].values, place.layers["canopy"])
    xr.testing.assert_identical(place.population, ref.population)
    np.testing.assert_array_equal(place.counts, ref.counts)
    assert place.residents == ref.residents == 900
    round_trip = Layers.from_dataset(place.grid)
    assert list(round_trip.data_vars) == list(place.layers.data_vars)
    xr.testing.assert_identical(round_trip.to_dataset(), place.grid)


def test_replace_carries_every_made_form_and_pickles_one(tmp_path):
    place = Place.load(write_tiny_place(tmp_path, n_zones=3, residents=900, seed=2))
    _ = place.grid
    moved = place.replace(name="other")
    assert moved.__dict__["grid"] is place.grid and moved.__dict__["layers"] is place.layers
    wider = place.replace(layers=place.layers.assign(extra=(np.ones(place.layers.shape, np.float32), {"units": "1"})))
    assert "grid" not in wider.__dict__ and list(wider.grid.data_vars)[-1] == "extra"
    assert "extra" not in place.grid
    with pytest.raises(ValueError, match="shape"):
        place.layers.assign(extra=(np.ones(3), {}))
    with pytest.raises(TypeError, match="not both"):
        place.replace(grid=place.grid, layers=place.layers)
    with pytest.raises(TypeError, match="one of them"):
        Place(name="x", meta={}, zones=(), services=(), counts=place.counts)
    state = pickle.loads(pickle.dumps(place))
    assert "grid" not in state.__dict__ and "layers" in state.__dict__
    xr.testing.assert_identical(state.grid, place.grid)


@pytest.mark.parametrize("name", sorted(_COMMON_CRS_NAMES))
def test_common_crs_names_agree_with_pyproj(name, monkeypatch):
    expected = _COMMON_CRS_NAMES[name]
    import twin.place._io as pio

    monkeypatch.setattr(pio, "_COMMON_CRS_NAMES", {})  # ask pyproj
    assert crs_kind(name) == expected


def test_validate_imports_neither_xarray_nor_pandas():
    """``twin validate`` checks place, climate station and options on NumPy arrays (and never starts Mesa)."""
    code = ("import sys\nfrom twin.cli import console\n"
            "rc = console(['validate', 'scenarios/quickstart.yaml', 'scenarios/adapt_rural.yaml'])\n"
            "print(rc, sorted(m for m in ('xarray', 'pandas', 'mesa', 'xclim', 'matplotlib')"
            " if sys.modules.get(m) is not None))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "0 []", proc.stdout + proc.stderr
