"""Reading and checking the five files of a place directory (private; see twin.place).

Each ``read_*`` function takes the file's bytes (already hashed by the caller) and
returns plain objects, raising :class:`~twin.errors.PlaceDataError` that names the
file, the field and the bad value. Writers produce canonical, byte-reproducible text.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from twin._names import MAX_AGE, SEXES  # noqa: F401 - re-exported names used by callers
from twin.errors import PlaceDataError

if TYPE_CHECKING:
    import xarray as xr

    from twin.place._layers import Layers

__all__ = [
    "BNG",
    "FRACTION_LAYERS",
    "REQUIRED_LAYERS",
    "check_grid",
    "check_station",
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
#: Sanity bounds on place data (a UK council area is at most ~1.2 million residents over ~26,000 km2).
MAX_CELL_RESIDENTS = 1_000_000
MAX_GRID_SIDE = 20_000
MAX_GRID_CELLS = 4_000_000      # e.g. 2,000 x 2,000 cells: 40 km at 20 m
MAX_GRID_VARIABLES = 64
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
    """Parse place.yaml (the scenarios' bounded safe reader: no aliases, depth limit) and check its keys."""
    from twin._files import decode_utf8
    from twin.scenario._yaml import load_with_lines

    meta, lines = load_with_lines(decode_utf8(data, path=file, what="place.yaml", error=PlaceDataError), file,
                                  error=PlaceDataError)
    if not isinstance(meta, dict):
        raise fail(file, None, "must be a mapping of keys to values", type(meta).__name__)
    for key in ("name", "crs", "cell_size", "region", "climate_station"):
        if key not in meta:
            raise fail(file, key, "is missing", has_value=False,
                       hint="place.yaml needs name, crs, cell_size, region, climate_station")
    for key in ("name", "region", "climate_station"):
        if not isinstance(meta[key], str) or not meta[key]:
            raise fail(file, key, "must be a non-empty string", meta[key], line=lines.line_of((key,)))
    from twin.climate.hazards import HEAT_THRESHOLDS, thresholds_for
    from twin.errors import ClimateDataError

    try:
        thresholds_for(meta["region"])  # heat-health thresholds of every run come from the region
    except ClimateDataError:
        import difflib

        close = difflib.get_close_matches(meta["region"], list(HEAT_THRESHOLDS), n=1, cutoff=0.6)
        raise fail(file, "region", "is not a known region (for heat-health thresholds)", meta["region"],
                   line=lines.line_of(("region",)),
                   hint=(f"did you mean {close[0]!r}? " if close else "") + "valid: " + ", ".join(HEAT_THRESHOLDS)) from None
    if crs_kind(str(meta["crs"])) != "bng":
        raise fail(file, "crs", "is not supported", meta["crs"], hint=f"grids must be in {BNG!r}",
                   line=lines.line_of(("crs",)))
    size = meta["cell_size"]
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not math.isfinite(size) or not 1 <= size <= 10_000:
        raise fail(file, "cell_size", "must be a number of metres between 1 and 10000", size,
                   line=lines.line_of(("cell_size",)))
    meta.setdefault("description", "")
    sources = meta.setdefault("sources", [])
    if not isinstance(sources, list):
        raise fail(file, "sources", "must be a list", sources, line=lines.line_of(("sources",)))
    return meta


def check_station(meta: dict, file: str) -> None:
    """The place's ``climate_station`` must be one the weather generator knows (it is used unless a climate file is given)."""
    from twin.climate.pathways import STATIONS

    name = meta.get("climate_station")
    if str(name).lower() in STATIONS:
        return
    line = None
    try:
        from twin._files import read_text
        from twin.scenario._yaml import MAX_YAML_BYTES, load_with_lines

        line = load_with_lines(read_text(file, limit=MAX_YAML_BYTES), file, error=PlaceDataError)[1].line_of(("climate_station",))
    except (OSError, ValueError):
        pass
    raise fail(file, "climate_station", "is not a station the weather generator knows", name, line=line,
               hint=f"valid: {', '.join(STATIONS)}; or give the scenario a climate file (climate: {{source: FILE.nc}})")


# ----------------------------------------------------------------------------- grid.nc
def read_grid(data: bytes, file: str) -> Layers:
    """Read grid.nc from bytes into :class:`Layers` (NumPy; CF-decoded as xarray would); drop the grid mapping.

    Sizes are checked before anything is decompressed (a small gzip-compressed file can hold
    gigabytes of zeros): at most :data:`MAX_GRID_CELLS` cells and :data:`MAX_GRID_VARIABLES` variables.
    """
    from twin.place._layers import TooLarge, read_netcdf

    try:
        grid = read_netcdf(data, max_cells=MAX_GRID_CELLS, max_variables=MAX_GRID_VARIABLES)
    except TooLarge as big:
        raise fail(file, None, f"grid is too large ({big.variables} variables, dims {big.sizes})", has_value=False,
                   hint=f"at most {MAX_GRID_CELLS:,} cells and {MAX_GRID_VARIABLES} variables") from None
    except Exception as exc:  # h5py/h5netcdf raise many types for broken files
        raise fail(file, None, f"is not a readable NetCDF-4 file ({type(exc).__name__})", has_value=False) from None
    for var in (*grid.coords.values(), *grid.data_vars.values()):
        var.attrs.pop("grid_mapping", None)
    grid.data_vars.pop("spatial_ref", None)
    grid.coords.pop("spatial_ref", None)
    return grid


def check_grid(grid: Layers, file: str, cell_size: float | None = None) -> Layers:
    """Check layers, dims, spacing, NaNs and ranges; return the grid (y flipped to descending)."""
    from twin.place._layers import Layers, Variable

    for name in REQUIRED_LAYERS:
        if name not in grid.data_vars:
            raise fail(file, name, "layer is missing", has_value=False,
                       hint=f"grid.nc needs layers {', '.join(REQUIRED_LAYERS)}")
    for name, var in grid.data_vars.items():
        if var.dims != ("y", "x"):
            raise fail(file, name, "must have dims ('y', 'x')", var.dims)
    for axis in ("x", "y"):
        coord = grid.coords.get(axis)
        if coord is None or coord.dims != (axis,) or coord.data.size < 1:
            raise fail(file, axis, "coordinate is missing or not 1-D", has_value=False)
        c = np.asarray(coord.data)
        if not np.issubdtype(c.dtype, np.number) or not np.isfinite(c.astype(float)).all():
            raise fail(file, axis, "coordinate must be finite metres (EPSG:27700)", str(c[:3]))
        if c.size > MAX_GRID_SIDE:
            raise fail(file, axis, f"grid is too large (more than {MAX_GRID_SIDE:,} cells a side)", int(c.size))
    if grid.y.size > 1 and grid.y[1] > grid.y[0]:
        grid = grid.reversed_along("y")  # north first, as the contract says
    crs = str(grid.attrs.get("crs", BNG))
    if crs_kind(crs) != "bng":
        raise fail(file, "crs", "is not supported", crs, hint=f"grids must be in {BNG!r}")
    steps = {}
    for axis in ("x", "y"):
        c = np.asarray(grid[axis], dtype=float)
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
        v, attrs = var.data, dict(var.attrs)
        if not np.issubdtype(v.dtype, np.number):
            raise fail(file, name, "must be numeric", str(v.dtype))
        units = attrs.get("units")
        if isinstance(units, str) and " since " in units:  # xarray would decode it to dates
            raise fail(file, name, "must be numeric", f"dates ({units})")
        if name in LAYER_ATTRS and units in ("%", "percent") and LAYER_ATTRS[name][0] == "1":
            v = v / 100.0  # units at the boundary: percentages become fractions
            attrs["units"] = "1"
        if np.issubdtype(v.dtype, np.floating) and not np.isfinite(v).all():
            nan = bool(np.isnan(v).any())
            bad = np.isnan(v) if nan else ~np.isfinite(v)
            r, c = np.argwhere(bad)[0]
            raise fail(file, name, f"has {int(bad.sum())} {'NaN' if nan else 'infinite'} cells",
                       "NaN" if nan else float(v[r, c]),
                       hint=f"first at y={float(grid.y[r]):g}, x={float(grid.x[c]):g}; fill them")
        if name in LAYER_ATTRS:
            want = LAYER_ATTRS[name][0]
            if units is not None and attrs.get("units") != want:
                raise fail(file, f"{name}.units", "is not supported", units, hint=f"expected {want!r}")
            attrs.setdefault("units", want)
            attrs.setdefault("long_name", LAYER_ATTRS[name][1])
        if v.size and name in FRACTION_LAYERS and (v.min() < 0 or v.max() > 1):
            bad = v.min() if v.min() < 0 else v.max()
            raise fail(file, name, "fraction outside [0, 1]", float(bad))
        if v.size and name == "residents" and v.min() < 0:
            raise fail(file, name, "must not be negative", float(v.min()))
        if v.size and name == "residents" and v.max() > MAX_CELL_RESIDENTS:
            raise fail(file, name, f"more than {MAX_CELL_RESIDENTS:,} residents in one cell", float(v.max()))
        if v.size and name == "elevation" and (v.min() < -500 or v.max() > 9000):
            raise fail(file, name, "elevation outside -500..9000 m", float(v.min() if v.min() < -500 else v.max()))
        new_vars[name] = Variable(var.dims, v, attrs)
    return Layers(grid.coords, new_vars, {**grid.attrs, "crs": BNG})


def write_grid(grid: xr.Dataset, path: Path) -> None:
    """Write grid.nc: CF attributes, BNG grid mapping, gzip-compressed layers."""
    import xarray as xr

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
    from twin._cf import finalize_cf

    ds = finalize_cf(ds, "grid")
    ds.to_netcdf(path, engine="h5netcdf", encoding=encoding)


# ----------------------------------------------------------------------------- GeoJSON
def read_features(data: bytes, file: str, geom_types: tuple[str, ...]) -> list[tuple[Any, dict]]:
    """Parse a GeoJSON FeatureCollection into ``(geometry in EPSG:27700, properties)`` pairs."""
    import shapely

    from twin._files import decode_utf8

    text = decode_utf8(data, path=file, what="GeoJSON file", error=PlaceDataError)
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise fail(file, None, f"is not readable JSON: {' '.join(str(exc).split())[:160]}", has_value=False) from None
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
            raise fail(file, f"{where}.geometry", f"cannot be read ({' '.join(str(exc).split())[:120]})",
                       has_value=False) from None
        if geom.is_empty or not np.isfinite(shapely.get_coordinates(geom)).all():
            raise fail(file, f"{where}.geometry", "coordinates must be finite numbers", has_value=False)
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            raise fail(file, f"{where}.properties", "must be a mapping", props)
        out.append((geom, props))
    crs = _crs_of(doc, [g for g, _ in out], file)
    if crs == "wgs84" and out:
        out = list(zip(_to_bng([g for g, _ in out]), [p for _, p in out]))
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


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


#: The spellings of the two CRSs that place files use nearly always, known without asking pyproj
#: (importing it is a tenth of a ``twin validate``); any other name is looked up with pyproj.
_COMMON_CRS_NAMES = {"EPSG:27700": "bng", "epsg:27700": "bng", "urn:ogc:def:crs:EPSG::27700": "bng",
                     "EPSG:4326": "wgs84", "epsg:4326": "wgs84", "OGC:CRS84": "wgs84",
                     "urn:ogc:def:crs:OGC:1.3:CRS84": "wgs84"}


def crs_kind(name: str) -> str | None:
    """``"bng"`` (British National Grid), ``"wgs84"`` (lon/lat) or None, for any CRS name pyproj reads."""
    common = _COMMON_CRS_NAMES.get(name.strip())
    if common is not None:
        return common
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


# population.csv lives in its own module; its names stay importable from here
from twin.place._population import (  # noqa: E402
    MAX_COUNT,
    MAX_RESIDENTS,
    make_population,
    read_population,
    write_population,
)
