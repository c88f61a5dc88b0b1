"""Reading and checking the five files of a place directory (private; see twin.place).

Each ``read_*`` function takes the file's bytes (already hashed by the caller) and
returns plain objects, raising :class:`~twin.errors.PlaceDataError` that names the
file, the field and the bad value. Writers produce canonical, byte-reproducible text.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from twin._names import MAX_AGE, SEXES
from twin.errors import PlaceDataError

__all__ = [
    "BNG",
    "FRACTION_LAYERS",
    "REQUIRED_LAYERS",
    "check_grid",
    "read_features",
    "read_grid",
    "read_meta",
    "read_population",
    "write_features",
    "write_grid",
    "write_population",
]

BNG = "EPSG:27700"
FRACTION_LAYERS = ("impervious", "canopy", "building")
REQUIRED_LAYERS = ("elevation", *FRACTION_LAYERS, "residents")
LAYER_ATTRS = {
    "elevation": ("m", "ground elevation above sea level"),
    "impervious": ("1", "impervious surface fraction of cell"),
    "canopy": ("1", "tree canopy cover fraction of cell"),
    "building": ("1", "building footprint fraction of cell"),
    "residents": ("1", "usual residents living in cell (count; home-cell weights)"),
}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# British National Grid as a CF grid mapping (OSGB36 / Transverse Mercator), written for GIS tools.
_GRID_MAPPING = {
    "grid_mapping_name": "transverse_mercator",
    "latitude_of_projection_origin": 49.0,
    "longitude_of_central_meridian": -2.0,
    "scale_factor_at_central_meridian": 0.9996012717,
    "false_easting": 400000.0,
    "false_northing": -100000.0,
    "semi_major_axis": 6377563.396,
    "inverse_flattening": 299.3249646,
    "spatial_ref": "EPSG:27700",
}


def fail(file: str, field: str | None, message: str, value: Any = None, hint: str | None = None,
         line: int | None = None, has_value: bool = True) -> PlaceDataError:
    """Build (not raise) a PlaceDataError; keeps call sites short."""
    kwargs: dict[str, Any] = {"file": file, "field": field, "hint": hint, "line": line}
    if has_value:
        kwargs["value"] = value
    return PlaceDataError(message, **kwargs)


# ----------------------------------------------------------------------------- place.yaml
def read_meta(data: bytes, file: str) -> dict:
    """Parse place.yaml (safe loader) and check its required keys."""
    import yaml

    try:
        meta = yaml.safe_load(data.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise fail(file, None, f"is not readable YAML: {reason}", has_value=False) from None
    if not isinstance(meta, dict):
        raise fail(file, None, "must be a mapping of keys to values", type(meta).__name__)
    for key in ("name", "crs", "cell_size", "region", "climate_station"):
        if key not in meta:
            raise fail(file, key, "is missing", has_value=False,
                       hint="place.yaml needs name, crs, cell_size, region, climate_station")
    for key in ("name", "region", "climate_station"):
        if not isinstance(meta[key], str) or not meta[key]:
            raise fail(file, key, "must be a non-empty string", meta[key])
    if crs_kind(str(meta["crs"])) != "bng":
        raise fail(file, "crs", "is not supported", meta["crs"], hint=f"grids must be in {BNG!r}")
    size = meta["cell_size"]
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not size > 0:
        raise fail(file, "cell_size", "must be a positive number of metres", size)
    meta.setdefault("description", "")
    sources = meta.setdefault("sources", [])
    if not isinstance(sources, list):
        raise fail(file, "sources", "must be a list", sources)
    return meta


# ----------------------------------------------------------------------------- grid.nc
def read_grid(data: bytes, file: str) -> xr.Dataset:
    """Open grid.nc from bytes, drop the grid-mapping variable and encodings."""
    try:
        with xr.open_dataset(io.BytesIO(data), engine="h5netcdf") as ds:
            grid = ds.load()
    except Exception as exc:  # h5py/h5netcdf raise many types for broken files
        raise fail(file, None, f"is not a readable NetCDF-4 file ({type(exc).__name__})", has_value=False) from None
    grid = grid.drop_vars([v for v in ("spatial_ref",) if v in grid.variables])
    for var in grid.variables.values():
        var.encoding = {}
        var.attrs.pop("grid_mapping", None)
    grid.encoding = {}
    return grid


def check_grid(grid: xr.Dataset, file: str, cell_size: float | None = None) -> xr.Dataset:
    """Check layers, dims, spacing, NaNs and ranges; return the grid (y flipped to descending)."""
    for name in REQUIRED_LAYERS:
        if name not in grid.data_vars:
            raise fail(file, name, "layer is missing", has_value=False,
                       hint=f"grid.nc needs layers {', '.join(REQUIRED_LAYERS)}")
    for name, var in grid.data_vars.items():
        if var.dims != ("y", "x"):
            raise fail(file, name, "must have dims ('y', 'x')", var.dims)
    for axis in ("x", "y"):
        if axis not in grid.coords or grid[axis].ndim != 1 or grid[axis].size < 1:
            raise fail(file, axis, "coordinate is missing or not 1-D", has_value=False)
    if grid["y"].size > 1 and grid["y"].values[1] > grid["y"].values[0]:
        grid = grid.isel(y=slice(None, None, -1))  # north first, as the contract says
    crs = str(grid.attrs.get("crs", BNG))
    if crs_kind(crs) != "bng":
        raise fail(file, "crs", "is not supported", crs, hint=f"grids must be in {BNG!r}")
    steps = {}
    for axis in ("x", "y"):
        c = np.asarray(grid[axis].values, dtype=float)
        d = np.abs(np.diff(c))
        if d.size and (np.ptp(d) > 1e-6 * max(d[0], 1.0) or d[0] <= 0):
            raise fail(file, axis, "cell centres must be evenly spaced", f"steps {d.min():g}..{d.max():g} m")
        steps[axis] = float(d[0]) if d.size else None
    sx, sy = steps["x"], steps["y"]
    if sx and sy and abs(sx - sy) > 1e-6 * sx:
        raise fail(file, "x/y", "cells must be square", f"{sx:g} m x {sy:g} m")
    size = sx or sy
    if cell_size is not None and size and abs(size - float(cell_size)) > 1e-6 * size:
        raise fail(file, "x", "cell size does not match place.yaml cell_size", f"{size:g} m",
                   hint=f"place.yaml says {float(cell_size):g} m")
    new_vars = {}
    for name, var in grid.data_vars.items():
        v = var.values
        if not np.issubdtype(v.dtype, np.number):
            raise fail(file, name, "must be numeric", str(v.dtype))
        units = var.attrs.get("units")
        if name in LAYER_ATTRS and units in ("%", "percent") and LAYER_ATTRS[name][0] == "1":
            var = var / 100.0  # units at the boundary: percentages become fractions
            var.attrs.update(units="1")
            v = var.values
        if np.issubdtype(v.dtype, np.floating) and np.isnan(v).any():
            r, c = np.argwhere(np.isnan(v))[0]
            raise fail(file, name, f"has {int(np.isnan(v).sum())} NaN cells", "NaN",
                       hint=f"first at y={float(grid['y'][r]):g}, x={float(grid['x'][c]):g}; fill them")
        if name in LAYER_ATTRS:
            want = LAYER_ATTRS[name][0]
            if units is not None and var.attrs.get("units") != want:
                raise fail(file, f"{name}.units", "is not supported", units, hint=f"expected {want!r}")
            var.attrs.setdefault("units", want)
            var.attrs.setdefault("long_name", LAYER_ATTRS[name][1])
        if name in FRACTION_LAYERS and (v.min() < 0 or v.max() > 1):
            bad = v.min() if v.min() < 0 else v.max()
            raise fail(file, name, "fraction outside [0, 1]", float(bad))
        if name == "residents" and v.min() < 0:
            raise fail(file, name, "must not be negative", float(v.min()))
        new_vars[name] = var
    grid = grid.assign(new_vars)
    grid.attrs["crs"] = BNG
    return grid


def write_grid(grid: xr.Dataset, path: Path) -> None:
    """Write grid.nc: CF attributes, BNG grid mapping, gzip-compressed layers."""
    # Canonical variable order (coords y, x; required layers; extras by name) so that
    # a loaded-then-saved place is byte-identical to the original.
    names = [n for n in REQUIRED_LAYERS if n in grid.data_vars]
    names += sorted(n for n in grid.data_vars if n not in REQUIRED_LAYERS)
    ds = xr.Dataset(coords={"y": grid["y"].copy(), "x": grid["x"].copy()})
    for name in names:
        ds[name] = grid[name].copy()
    ds.attrs = {"Conventions": "CF-1.8", **{k: v for k, v in grid.attrs.items() if k != "Conventions"}}
    ds.attrs["crs"] = BNG
    ds["spatial_ref"] = xr.DataArray(np.int32(0), attrs=dict(_GRID_MAPPING))
    encoding: dict[str, dict] = {"spatial_ref": {}}
    for name in grid.data_vars:
        ds[name].attrs["grid_mapping"] = "spatial_ref"
        enc: dict[str, Any] = {"compression": "gzip", "compression_opts": 4, "shuffle": True}
        if np.issubdtype(ds[name].dtype, np.floating):
            enc["_FillValue"] = None
        encoding[name] = enc
    for axis in ("x", "y"):
        encoding[axis] = {"_FillValue": None}
    ds.to_netcdf(path, engine="h5netcdf", encoding=encoding)


# ----------------------------------------------------------------------------- GeoJSON
def read_features(data: bytes, file: str, geom_types: tuple[str, ...]) -> list[tuple[Any, dict]]:
    """Parse a GeoJSON FeatureCollection into ``(geometry in EPSG:27700, properties)`` pairs."""
    import shapely

    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise fail(file, None, f"is not readable JSON: {exc}", has_value=False) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise fail(file, "type", "must be a GeoJSON FeatureCollection",
                   doc.get("type") if isinstance(doc, dict) else type(doc).__name__)
    feats = doc.get("features")
    if not isinstance(feats, list):
        raise fail(file, "features", "must be a list", type(feats).__name__)
    out = []
    for i, feat in enumerate(feats):
        where = f"features[{i}]"
        if not isinstance(feat, dict) or not isinstance(feat.get("geometry"), dict):
            raise fail(file, f"{where}.geometry", "is missing", has_value=False)
        gtype = feat["geometry"].get("type")
        if gtype not in geom_types:
            raise fail(file, f"{where}.geometry.type", "is not allowed", gtype, hint=f"use {' or '.join(geom_types)}")
        try:
            geom = shapely.geometry.shape(feat["geometry"])
        except Exception as exc:
            raise fail(file, f"{where}.geometry", f"cannot be read ({exc})", has_value=False) from None
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise fail(file, f"{where}.properties", "must be a mapping", props)
        out.append((geom, props))
    crs = _crs_of(doc, [g for g, _ in out], file)
    if crs == "wgs84" and out:
        out = list(zip(_to_bng([g for g, _ in out]), [p for _, p in out]))
    return out


def _crs_of(doc: dict, geoms: list, file: str) -> str:
    member = doc.get("crs")
    if member is None:
        # GeoJSON's default CRS is WGS84 lon/lat; files without a crs member but with metre
        # coordinates are common in UK exports, so look at the numbers.
        import shapely

        if not geoms:
            return "bng"
        x0, y0, x1, y1 = shapely.total_bounds(np.array(geoms, dtype=object))
        lonlat = -180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90
        return "wgs84" if lonlat else "bng"
    name = ""
    if isinstance(member, dict):
        name = str((member.get("properties") or {}).get("name", ""))
    kind = crs_kind(name)
    if kind is None:
        raise fail(file, "crs", "is not supported", name or member,
                   hint="use EPSG:27700 or WGS84 (urn:ogc:def:crs:OGC:1.3:CRS84)")
    return kind


def crs_kind(name: str) -> str | None:
    """``"bng"`` (British National Grid), ``"wgs84"`` (lon/lat) or None, for any CRS name pyproj reads."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input("OGC:CRS84" if name.strip().lower() == "crs84" else name)
    except CRSError:
        return None
    if crs.to_epsg() == 27700:
        return "bng"
    if crs.to_epsg() == 4326 or crs.equals(CRS.from_user_input("OGC:CRS84"), ignore_axis_order=True):
        return "wgs84"
    return None


def _to_bng(geoms: list) -> list:
    import shapely
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", BNG, always_xy=True)

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return list(shapely.transform(np.array(geoms, dtype=object), fn))


def write_features(features: list[tuple[Any, dict]], path: Path, decimals: int = 1) -> None:
    """Write a FeatureCollection in EPSG:27700 with a named crs member (canonical text)."""
    import shapely

    feats = []
    for geom, props in features:
        g = json.loads(shapely.to_geojson(shapely.transform(geom, lambda c: np.round(c, decimals))))
        feats.append({"type": "Feature", "properties": props, "geometry": g})
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
           "features": feats}
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- population.csv
def read_population(data: bytes, file: str, zone_codes: tuple[str, ...]) -> xr.DataArray:
    """Parse population.csv into a ``(zone, sex, age)`` int64 DataArray in zone order."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    need = ("zone_code", "sex", "age", "count")
    if header is None:
        raise fail(file, None, "is empty", has_value=False, hint="columns zone_code,sex,age,count")
    header = [h.strip() for h in header]
    missing = [c for c in need if c not in header]
    if missing:
        raise fail(file, missing[0], "column is missing", header, hint="columns zone_code,sex,age,count")
    col = {c: header.index(c) for c in need}
    zpos = {z: i for i, z in enumerate(zone_codes)}
    counts = np.zeros((len(zone_codes), len(SEXES), MAX_AGE + 1), dtype=np.int64)
    seen = np.zeros(counts.shape, dtype=bool)
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise fail(file, None, "row has too few columns", row, line=lineno)
        code, sex, age, count = (row[col[c]].strip() for c in need)
        if code not in zpos:
            raise fail(file, "zone_code", "is not a zone in zones.geojson", code, line=lineno)
        if sex not in SEXES:
            raise fail(file, "sex", "is not a known sex", sex, line=lineno, hint="use F or M")
        a = _parse_age(age)
        if a is None:
            raise fail(file, "age", "is not a valid age", age, line=lineno, hint=f"use 0..{MAX_AGE - 1} or {MAX_AGE}+")
        try:
            n = float(count)
        except ValueError:
            n = math.nan
        if not math.isfinite(n) or n != int(n) or n < 0:
            raise fail(file, "count", "must be a non-negative integer", count, line=lineno)
        key = (zpos[code], SEXES.index(sex), a)
        if seen[key]:
            raise fail(file, None, "duplicate row", f"{code},{sex},{age}", line=lineno)
        seen[key] = True
        counts[key] = int(n)
    empty = [z for z in zone_codes if not seen[zpos[z]].any()]
    if empty:
        raise fail(file, "zone_code", "zone has no population rows", empty[0],
                   hint=f"{len(empty)} zone(s) of zones.geojson are missing")
    return make_population(counts, zone_codes)


def _parse_age(text: str) -> int | None:
    if text == f"{MAX_AGE}+":
        return MAX_AGE
    if text.isdigit() and 0 <= int(text) < MAX_AGE:
        return int(text)
    return None


def make_population(counts: np.ndarray, zone_codes: tuple[str, ...] | list[str]) -> xr.DataArray:
    """Wrap a ``(zone, sex, age)`` count array as the Place population DataArray."""
    return xr.DataArray(
        np.asarray(counts, dtype=np.int64), dims=("zone", "sex", "age"),
        coords={"zone": list(zone_codes), "sex": list(SEXES), "age": np.arange(MAX_AGE + 1)},
        name="population",
        attrs={"units": "1", "long_name": f"usual residents by zone, sex and single year of age ({MAX_AGE} = {MAX_AGE}+)"},
    )


def write_population(pop: xr.DataArray, path: Path) -> None:
    """Write population.csv (zone_code,sex,age,count), one row per zone x sex x age."""
    lines = ["zone_code,sex,age,count"]
    vals = np.asarray(pop.transpose("zone", "sex", "age").values)
    ages = [str(a) if a < MAX_AGE else f"{MAX_AGE}+" for a in pop["age"].values]
    for zi, code in enumerate(pop["zone"].values):
        for si, sex in enumerate(pop["sex"].values):
            for ai, age in enumerate(ages):
                lines.append(f"{code},{sex},{age},{int(vals[zi, si, ai])}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def as_int(value: Any) -> int | None:
    """An integer from an int or integral float (not bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse_days(value: Any) -> tuple[int, ...] | None:
    """Opening days as ints 0=Mon..6=Sun from ints or 'Mon'..'Sun' names; None if invalid."""
    if not isinstance(value, (list, tuple)):
        return None
    days = []
    for d in value:
        if as_int(d) is not None and 0 <= as_int(d) <= 6:
            days.append(as_int(d))
        elif isinstance(d, str) and d[:3].title() in DAY_NAMES and d.title() in (d[:3].title(), _full(d[:3])):
            days.append(DAY_NAMES.index(d[:3].title()))
        else:
            return None
    return tuple(sorted(set(days)))


def _full(abbrev: str) -> str:
    full = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday",
            "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}
    return full[abbrev.title()]


def check_mapping(props: Mapping, keys: tuple[str, ...], file: str, where: str) -> None:
    """Raise if any of ``keys`` is missing from a feature's properties."""
    for key in keys:
        if key not in props or props[key] is None:
            raise fail(file, f"{where}.properties.{key}", "is missing", has_value=False)

