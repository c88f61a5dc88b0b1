"""Place: load/save round trip, WGS84 input, and one test per kind of bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from twin.errors import OutputError, PlaceDataError
from twin.place import PLACE_FILES, Place, list_places, resolve_place
from twin.testing import tiny_place, write_tiny_place


@pytest.fixture
def place_dir(tmp_path) -> Path:
    return write_tiny_place(tmp_path, n_zones=4, residents=2000, seed=1)


def _edit_json(path: Path, fn) -> None:
    doc = json.loads(path.read_text())
    fn(doc)
    path.write_text(json.dumps(doc))


def _edit_grid(path: Path, fn) -> None:
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        ds = ds.load()
    ds = fn(ds)
    path.unlink()
    ds.to_netcdf(path, engine="h5netcdf")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ round trip
def test_load_save_round_trip_is_exact(place_dir, tmp_path):
    original = tiny_place(n_zones=4, residents=2000, seed=1)
    p = Place.load(place_dir)
    xr.testing.assert_equal(p.grid, original.grid)  # data and coordinates; saving adds CF 1.10 global attributes
    for name in original.grid.variables:
        assert original.grid[name].attrs.items() <= p.grid[name].attrs.items(), name
    assert p.grid.attrs["Conventions"] == "CF-1.10"
    assert p.zones == original.zones
    assert p.services == original.services
    xr.testing.assert_identical(p.population, original.population)
    assert p.meta == original.meta
    assert set(p.checksums) == set(PLACE_FILES)
    assert p.checksums["grid.nc"] == _sha(place_dir / "grid.nc")
    again = p.save(tmp_path / "again")
    for name in PLACE_FILES:
        assert _sha(again / name) == p.checksums[name], name


def test_zone_residents_match_population(place_dir):
    p = Place.load(place_dir)
    from twin.place.grid import zonal_stat

    per_zone = zonal_stat(p.grid["residents"].values, p.zone_index, len(p.zones), how="sum")
    np.testing.assert_array_equal(per_zone, p.population.sum(("sex", "age")).values)
    assert p.population.dims == ("zone", "sex", "age")
    assert p.population.dtype == np.int64
    assert list(p.population["age"].values) == list(range(91))


def test_save_refuses_to_overwrite(place_dir):
    p = Place.load(place_dir)
    with pytest.raises(OutputError, match="already holds a place"):
        p.save(place_dir)
    p.save(place_dir, overwrite=True)
    assert Place.load(place_dir).checksums == p.checksums
    assert not [q for q in place_dir.parent.iterdir() if q.name.startswith(".")]  # no temp dirs left


def test_replace_returns_new_place_with_own_cache(place_dir):
    p = Place.load(place_dir)
    idx = p.zone_index
    grid2 = p.grid.assign(canopy=p.grid["canopy"] * 0 + 0.5)
    q = p.replace(grid=grid2)
    assert q is not p and float(p.grid["canopy"].max()) < 0.5 and float(q.grid["canopy"].min()) == 0.5
    assert q.zones is p.zones and "zone_index" not in q.__dict__
    np.testing.assert_array_equal(q.zone_index, idx)
    with pytest.raises(AttributeError):
        p.name = "other"  # frozen


def test_summary_is_one_line(place_dir):
    line = Place.load(place_dir).summary()
    assert "\n" not in line
    assert line.startswith("tiny: 2,000 residents, 4 zones, 11 services, 4 km2")


def test_extra_zone_properties_and_day_names_are_kept(place_dir, tmp_path):
    def edit_z(doc):
        doc["features"][0]["properties"]["ons_code"] = "E05000001"

    def edit_s(doc):
        doc["features"][0]["properties"]["opening_days"] = ["Mon", "Wed", "Sat"]

    _edit_json(place_dir / "zones.geojson", edit_z)
    _edit_json(place_dir / "services.geojson", edit_s)
    p = Place.load(place_dir)
    assert p.zones[0].properties == {"ons_code": "E05000001"}
    assert p.services[0].opening_days == (0, 2, 5)
    q = Place.load(p.save(tmp_path / "copy"))
    assert q.zones[0].properties == {"ons_code": "E05000001"}


@pytest.mark.parametrize("crs_member", [True, False])
def test_wgs84_geojson_is_reprojected(place_dir, crs_member):
    from pyproj import Transformer

    ref = Place.load(place_dir)
    tr = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)

    def to_wgs(doc):
        if crs_member:
            doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
        else:
            del doc["crs"]
        for f in doc["features"]:
            g = f["geometry"]
            if g["type"] == "Point":
                g["coordinates"] = list(tr.transform(*g["coordinates"]))
            else:
                g["coordinates"] = [[list(tr.transform(x, y)) for x, y in ring] for ring in g["coordinates"]]

    _edit_json(place_dir / "zones.geojson", to_wgs)
    _edit_json(place_dir / "services.geojson", to_wgs)
    p = Place.load(place_dir)
    for a, b in zip(p.services, ref.services):
        assert abs(a.x - b.x) < 0.01 and abs(a.y - b.y) < 0.01 and a.zone == b.zone
    for a, b in zip(p.zones, ref.zones):
        assert abs(a.geometry.area - b.geometry.area) < 1.0
    np.testing.assert_array_equal(p.zone_index, ref.zone_index)


def test_percent_layers_are_converted(place_dir):
    def pct(ds):
        ds["canopy"] = ds["canopy"] * 100
        ds["canopy"].attrs.update(units="%", long_name="canopy")
        return ds

    ref = Place.load(place_dir)
    _edit_grid(place_dir / "grid.nc", pct)
    p = Place.load(place_dir)
    np.testing.assert_allclose(p.grid["canopy"].values, ref.grid["canopy"].values, atol=1e-5)
    assert p.grid["canopy"].attrs["units"] == "1"


def test_resolve_place(tmp_path, place_dir, monkeypatch):
    assert resolve_place("urban_borough") == [q for q in list_places() if q.name == "urban_borough"][0]
    assert resolve_place("tiny", base_dir=tmp_path) == place_dir
    monkeypatch.chdir(tmp_path)
    assert resolve_place("tiny").resolve() == place_dir.resolve()
    with pytest.raises(PlaceDataError, match=r"no such place.*'atlantis'.*urban_borough"):
        resolve_place("atlantis")


# ------------------------------------------------------------------ bad input
def test_missing_directory(tmp_path):
    with pytest.raises(PlaceDataError, match="nowhere: place directory does not exist"):
        Place.load(tmp_path / "nowhere")


@pytest.mark.parametrize("name", PLACE_FILES)
def test_missing_file(place_dir, name):
    (place_dir / name).unlink()
    with pytest.raises(PlaceDataError, match=rf"{name}: file is missing"):
        Place.load(place_dir)


def test_unreadable_yaml(place_dir):
    (place_dir / "place.yaml").write_text("name: [unclosed\n")
    with pytest.raises(PlaceDataError, match=r"place.yaml:2: YAML syntax error"):
        Place.load(place_dir)


def test_yaml_missing_key_and_bad_crs(place_dir):
    text = (place_dir / "place.yaml").read_text()
    (place_dir / "place.yaml").write_text(text.replace("region:", "regio:"))
    with pytest.raises(PlaceDataError, match=r"place.yaml: region: is missing"):
        Place.load(place_dir)
    (place_dir / "place.yaml").write_text(text.replace("EPSG:27700", "EPSG:4326"))
    with pytest.raises(PlaceDataError, match=r"crs: is not supported \(got 'EPSG:4326'\)"):
        Place.load(place_dir)


GRID_CASES = {
    "missing layer": (lambda ds: ds.drop_vars("canopy"), r"grid.nc: canopy: layer is missing"),
    "nan": (lambda ds: ds.assign(elevation=ds["elevation"].where(ds["x"] > ds["x"][0])),
            r"elevation: has 20 NaN cells \(got 'NaN'\); first at"),
    "fraction": (lambda ds: ds.assign(canopy=ds["canopy"] + 1.0), r"canopy: fraction outside \[0, 1\] \(got 1\.\d+\)"),
    "negative residents": (lambda ds: ds.assign(residents=ds["residents"] - 100),
                           r"residents: must not be negative \(got -\d+"),
    "not yx": (lambda ds: ds.assign(building=ds["building"].transpose("x", "y")),
               r"building: must have dims \('y', 'x'\) \(got \('x', 'y'\)\)"),
    "not square": (lambda ds: ds.assign_coords(y=ds["y"].values[0] - 50.0 * np.arange(ds.sizes["y"])),
                   r"x/y: cells must be square \(got '100 m x 50 m'\)"),
    "uneven": (lambda ds: ds.assign_coords(x=ds["x"].values + np.r_[0, 0, 7, np.zeros(ds.sizes["x"] - 3)]),
               r"x: cell centres must be evenly spaced"),
}


@pytest.mark.parametrize("case", list(GRID_CASES))
def test_bad_grid(place_dir, case):
    fn, match = GRID_CASES[case]
    _edit_grid(place_dir / "grid.nc", fn)
    with pytest.raises(PlaceDataError, match=match):
        Place.load(place_dir)


def test_cell_size_mismatch(place_dir):
    text = (place_dir / "place.yaml").read_text()
    (place_dir / "place.yaml").write_text(text.replace("cell_size: 100.0", "cell_size: 50"))
    with pytest.raises(PlaceDataError, match=r"x: cell size does not match place.yaml cell_size \(got '100 m'\); place.yaml says 50 m"):
        Place.load(place_dir)


def test_unreadable_grid(place_dir):
    (place_dir / "grid.nc").write_bytes(b"not netcdf")
    with pytest.raises(PlaceDataError, match=r"grid.nc: is not a readable NetCDF-4 file"):
        Place.load(place_dir)


def _zone_prop(key, value):
    def fn(doc):
        if value is KeyError:
            del doc["features"][1]["properties"][key]
        else:
            doc["features"][1]["properties"][key] = value
    return fn


BOWTIE = {"type": "Polygon", "coordinates": [[[530000, 179000], [530500, 179500], [530500, 179000],
                                              [530000, 179500], [530000, 179000]]]}
ZONE_CASES = {
    "missing name": (_zone_prop("name", KeyError), r"zones.geojson: features\[1\].properties.name: is missing"),
    "duplicate": (_zone_prop("code", "Z01"), r"features\[1\].properties.code: duplicate zone code \(got 'Z01'\)"),
    "urban_rural": (_zone_prop("urban_rural", "suburban"),
                    r"Z02.urban_rural: is not valid \(got 'suburban'\); use 'urban' or 'rural'"),
    "decile": (_zone_prop("deprivation_decile", 11), r"Z02.deprivation_decile: must be an integer 1..10 \(got 11\)"),
    "decile float": (_zone_prop("deprivation_decile", 2.5), r"deprivation_decile: must be an integer 1..10 \(got 2.5\)"),
    "invalid polygon": (lambda doc: doc["features"][1].update(geometry=BOWTIE),
                        r"Z02.geometry: is not a valid polygon \(got 'Self-intersection"),
    "point zone": (lambda doc: doc["features"][1].update(geometry={"type": "Point", "coordinates": [1, 2]}),
                   r"features\[1\].geometry.type: is not allowed \(got 'Point'\)"),
    "bad crs": (lambda doc: doc.update(crs={"type": "name", "properties": {"name": "EPSG:3857"}}),
                r"zones.geojson: crs: is not supported \(got 'EPSG:3857'\)"),
}


@pytest.mark.parametrize("case", list(ZONE_CASES))
def test_bad_zones(place_dir, case):
    fn, match = ZONE_CASES[case]
    _edit_json(place_dir / "zones.geojson", fn)
    with pytest.raises(PlaceDataError, match=match):
        Place.load(place_dir)


def _svc(key, value, i=0):
    def fn(doc):
        if key == "geometry":
            doc["features"][i]["geometry"]["coordinates"] = value
        else:
            doc["features"][i]["properties"][key] = value
    return fn


SERVICE_CASES = {
    "type": (_svc("type", "spa"), r"services.geojson: GP01.type: is not a known service type \(got 'spa'\); use one of gp_practice"),
    "channel": (_svc("channels", ["phone", "pigeon"]), r"GP01.channels: is not a known channel \(got 'pigeon'\)"),
    "day": (_svc("opening_days", ["Mon", "Funday"]), r"GP01.opening_days: is not a list of days \(got \['Mon', 'Funday'\]\)"),
    "day number": (_svc("opening_days", [7]), r"GP01.opening_days: is not a list of days \(got \[7\]\)"),
    "capacity": (_svc("capacity", -5), r"GP01.capacity: must not be negative \(got -5\)"),
    "capacity type": (_svc("capacity", "lots"), r"GP01.capacity: must be a number per day \(got 'lots'\)"),
    "outside": (_svc("geometry", [600000.0, 100000.0]),
                r"GP01.geometry: service outside the place \(in no zone\) \(got \(600000.0, 100000.0\)\)"),
    "missing": (lambda doc: doc["features"][0]["properties"].pop("capacity"),
                r"features\[0\].properties.capacity: is missing"),
    "duplicate": (_svc("id", "GP01", i=1), r"features\[1\].properties.id: duplicate service id \(got 'GP01'\)"),
}


@pytest.mark.parametrize("case", list(SERVICE_CASES))
def test_bad_services(place_dir, case):
    fn, match = SERVICE_CASES[case]
    _edit_json(place_dir / "services.geojson", fn)
    with pytest.raises(PlaceDataError, match=match):
        Place.load(place_dir)


POP_CASES = {
    "missing column": (lambda lines: [lines[0].replace("count", "n")] + lines[1:],
                       r"population.csv: count: column is missing"),
    "sex": (lambda lines: lines[:1] + [lines[1].replace(",F,", ",X,")] + lines[2:],
            r"population.csv:2: sex: is not a known sex \(got 'X'\); use F or M"),
    "age": (lambda lines: lines[:1] + [lines[1].replace(",F,0,", ",F,95,")] + lines[2:],
            r"population.csv:2: age: is not a valid age \(got '95'\); use 0..89 or 90\+"),
    "negative": (lambda lines: lines[:1] + [lines[1].rsplit(",", 1)[0] + ",-3"] + lines[2:],
                 r"population.csv:2: count: must be a non-negative integer \(got '-3'\)"),
    "fraction": (lambda lines: lines[:1] + [lines[1].rsplit(",", 1)[0] + ",2.5"] + lines[2:],
                 r"count: must be a non-negative integer \(got '2.5'\)"),
    "unknown zone": (lambda lines: lines[:1] + [lines[1].replace("Z01,", "Z99,")] + lines[2:],
                     r"population.csv:2: zone_code: is not a zone in zones.geojson \(got 'Z99'\)"),
    "zone without rows": (lambda lines: [ln for ln in lines if not ln.startswith("Z03,")],
                          r"zone_code: zone has no population rows \(got 'Z03'\)"),
    "duplicate": (lambda lines: lines[:2] + [lines[1]] + lines[2:], r"population.csv:3: duplicate row"),
}


@pytest.mark.parametrize("case", list(POP_CASES))
def test_bad_population(place_dir, case):
    fn, match = POP_CASES[case]
    path = place_dir / "population.csv"
    path.write_text("\n".join(fn(path.read_text().splitlines())) + "\n")
    with pytest.raises(PlaceDataError, match=match):
        Place.load(place_dir)


def test_errors_are_one_line(place_dir):
    _edit_json(place_dir / "services.geojson", _svc("type", "spa\nmore"))
    with pytest.raises(PlaceDataError) as info:
        Place.load(place_dir)
    assert "\n" not in str(info.value)
