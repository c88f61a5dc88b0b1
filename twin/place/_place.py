"""A place: its grid layers, zones, services and resident population.

A place directory holds five files a council could produce from its own data:

``place.yaml``
    name, description, crs (``EPSG:27700``), cell_size (m), region, climate_station, sources.
``grid.nc``
    CF NetCDF (dims ``y, x``; cell centres in metres): elevation (m), impervious, canopy,
    building (fractions, units ``1``), residents (count per cell).
``zones.geojson``
    Polygons with properties code, name, urban_rural, deprivation_decile (extra properties kept).
``services.geojson``
    Points with properties id, type, name, capacity (per day), channels, opening_days.
``population.csv``
    Columns zone_code, sex, age (``0``..``89``, ``90+``), count.

GeoJSON in WGS84 is reprojected to British National Grid on load; everything is checked
and bad input raises :class:`~twin.errors.PlaceDataError` naming file, field and value.

Examples
--------
>>> from twin.place import Place, resolve_place
>>> place = Place.load(resolve_place("urban_borough"))   # doctest: +SKIP
>>> print(place.summary())                                # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from twin._files import read_bytes
from twin.place import _io as pio
from twin._names import CHANNELS, SERVICE_TYPES
from twin.errors import PlaceDataError
from twin.place._layers import Layers

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "BUNDLED_PLACES_DIR",
    "PLACE_FILES",
    "Place",
    "Service",
    "Zone",
    "list_places",
    "resolve_place",
]

PLACE_FILES = ("place.yaml", "grid.nc", "zones.geojson", "services.geojson", "population.csv")
#: Largest file read for each (bytes): far above any council's data, far below a memory problem.
PLACE_FILE_LIMITS = {"place.yaml": 256 * 1024, "grid.nc": 512 << 20, "zones.geojson": 256 << 20,
                     "services.geojson": 64 << 20, "population.csv": 128 << 20}
ZONE_KEYS = ("code", "name", "urban_rural", "deprivation_decile")
SERVICE_KEYS = ("id", "type", "name", "capacity", "channels", "opening_days")


def _bundled_dir() -> Path:
    here = Path(__file__).resolve().parent.parent  # the twin package
    installed = here / "data" / "places"          # wheel: pyproject force-includes data/places here
    return installed if installed.is_dir() else here.parent / "data" / "places"  # source checkout


#: Directory of the places shipped with placetwin (``urban_borough``, ``rural_district``).
BUNDLED_PLACES_DIR: Path = _bundled_dir()


#: The last place loaded, by (directory, checksums of its files): ``twin run`` checks the place
#: before it starts (shared with ``twin validate``) and the engine loads it again; the second load
#: reuses the first when the files are byte-identical (a copy, so callers cannot change the cache).
_LOADED: dict[tuple, Any] = {}


@dataclass(frozen=True)
class Zone:
    """A neighbourhood (ward or output area): the unit results are reported by.

    ``properties`` holds any extra GeoJSON properties, kept on a save/load round trip.
    """

    code: str
    name: str
    urban_rural: str
    deprivation_decile: int
    geometry: Any  # shapely Polygon | MultiPolygon, EPSG:27700 metres
    properties: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Service:
    """A service point (GP practice, hub, library, alert channel...) with daily capacity."""

    id: str
    type: str
    name: str
    capacity: float
    channels: tuple[str, ...]
    opening_days: tuple[int, ...]
    x: float
    y: float
    zone: str
    properties: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


class Place:
    """Grid layers, zones, services and population of one place (see module docstring).

    Immutable: :meth:`replace` returns a new place. The grid is held as NumPy arrays
    (:attr:`layers`) or as the ``xarray.Dataset`` a caller built (:attr:`grid`), and the population
    as a count array (:attr:`counts`) or a ``DataArray`` (:attr:`population`); the other form of
    each is made on first use, sharing memory, so checking a place (``twin validate``) never
    needs xarray while models and plots get the Dataset they expect.

    Parameters
    ----------
    name, meta
        The place's name and its ``place.yaml`` keys.
    grid, layers
        The grid, one of the two: an ``xarray.Dataset`` on ``(y, x)`` or :class:`Layers`.
    zones, services
        :class:`Zone` and :class:`Service` tuples.
    population, counts
        Residents, one of the two: a ``(zone, sex, age)`` DataArray or an int64 array in zone order.
    path, checksums
        Where the place was read from and the SHA-256 of each file (``None``/empty if built in memory).
    """

    _FIELDS = ("name", "meta", "zones", "services", "path", "checksums")

    def __init__(self, name: str, meta: dict, grid: xr.Dataset | None = None, zones: tuple[Zone, ...] = (),
                 services: tuple[Service, ...] = (), population: xr.DataArray | None = None,
                 path: Path | None = None, checksums: Mapping[str, str] | None = None, *,
                 layers: Layers | None = None, counts: np.ndarray | None = None) -> None:
        if (grid is None) == (layers is None):
            raise TypeError("a Place needs its grid as grid= (an xarray.Dataset) or layers= (Layers): one of them")
        if (population is None) == (counts is None):
            raise TypeError("a Place needs its residents as population= (a DataArray) or counts= (an array): one of them")
        d = self.__dict__
        d.update(name=name, meta=meta, zones=tuple(zones), services=tuple(services), path=path,
                 checksums=checksums if checksums is not None else {})
        d.update({"grid": grid} if grid is not None else {"layers": layers})
        d.update({"population": population} if population is not None else {"counts": np.asarray(counts)})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Place cannot be changed ({name!r}); use place.replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Place cannot be changed ({name!r})")

    def __getstate__(self) -> dict:
        # one form of each is enough: the other is rebuilt on first use (unpickling fills __dict__ directly)
        state = dict(self.__dict__)
        if "layers" in state:
            state.pop("grid", None)
        if "counts" in state:
            state.pop("population", None)
        return state

    # ------------------------------------------------------------------ the two forms
    @cached_property
    def grid(self) -> xr.Dataset:
        """The grid layers as an ``xarray.Dataset`` on ``(y, x)`` (made from :attr:`layers` on first use)."""
        return self.layers.to_dataset()

    @cached_property
    def layers(self) -> Layers:
        """The grid as NumPy arrays (:class:`~twin.place._layers.Layers`)."""
        return Layers.from_dataset(self.grid)

    @cached_property
    def population(self) -> xr.DataArray:
        """Usual residents by ``zone`` x ``sex`` x ``age`` (single years, 90 = 90+), int64."""
        return pio.make_population(self.counts, self.zone_codes)

    @cached_property
    def counts(self) -> np.ndarray:
        """:attr:`population` as a ``(zone, sex, age)`` int64 array in zone order."""
        pop = self.population.transpose("zone", "sex", "age").sel(zone=list(self.zone_codes))
        return np.asarray(pop.values)

    # ------------------------------------------------------------------ derived
    @property
    def zone_codes(self) -> tuple[str, ...]:
        """Zone codes in zone order (the order of ``population``'s ``zone`` axis)."""
        return tuple(z.code for z in self.zones)

    @cached_property
    def zone_index(self) -> np.ndarray:
        """``(y, x)`` int32 index into :attr:`zones` of each cell, ``-1`` outside all zones."""
        from twin.place.grid import rasterize_zones

        idx = rasterize_zones(self.zones, self.layers)
        idx.setflags(write=False)
        return idx

    @property
    def cell_size(self) -> float:
        """Cell side in metres."""
        return float(self.meta.get("cell_size") or self.layers.attrs.get("cell_size", 100.0))

    @property
    def residents(self) -> int:
        """Total usual residents (from ``population``)."""
        return int(self.counts.sum())

    def replace(self, **changes: Any) -> Place:
        """A new Place with some fields replaced (the grid wholesale, as ``grid=`` or ``layers=``).

        The grid and population not replaced are carried over in every form already made;
        other caches (``zone_index``) are not.
        """
        unknown = set(changes) - {*self._FIELDS, "grid", "layers", "population", "counts"}
        if unknown:
            raise TypeError(f"Place has no field {sorted(unknown)[0]!r}")
        kw: dict[str, Any] = {k: changes.get(k, self.__dict__[k]) for k in self._FIELDS}
        carry: dict[str, Any] = {}
        for pair in (("grid", "layers"), ("population", "counts")):
            given = [k for k in pair if k in changes]
            if len(given) > 1:
                raise TypeError(f"give {pair[0]}= or {pair[1]}=, not both")
            if given:
                kw[given[0]] = changes[given[0]]
            else:
                have = [k for k in pair if k in self.__dict__]
                kw[have[-1]] = self.__dict__[have[-1]]
                carry.update({k: self.__dict__[k] for k in have[:-1]})
        new = Place(**kw)
        new.__dict__.update(carry)
        return new

    def summary(self) -> str:
        """One line: name, residents, zones, services, area and description."""
        area = sum(z.geometry.area for z in self.zones) / 1e6
        desc = " ".join(str(self.meta.get("description", "")).split())
        return (f"{self.name}: {self.residents:,} residents, {len(self.zones)} zones, "
                f"{len(self.services)} services, {area:,.0f} km2" + (f" - {desc}" if desc else ""))

    def __repr__(self) -> str:
        ny, nx = self.layers.shape if "x" in self.layers.coords and "y" in self.layers.coords else (0, 0)
        return (f"<Place {self.name!r}: {len(self.zones)} zones, {len(self.services)} services, "
                f"{self.residents} residents, grid {ny}x{nx} @ {self.cell_size:g} m>")

    # ------------------------------------------------------------------ I/O
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Place:
        """Read and check a place directory.

        Parameters
        ----------
        path
            Directory holding the five place files.

        Raises
        ------
        PlaceDataError
            A file is missing or unreadable, or holds bad values; the message names
            the file, the field and the value.
        """
        root = Path(path)
        if not root.is_dir():
            raise PlaceDataError("place directory does not exist", file=root,
                                 hint=f"bundled places: {', '.join(p.name for p in list_places())}")
        raw: dict[str, bytes] = {}
        for name in PLACE_FILES:
            f = root / name
            if not f.exists():
                raise PlaceDataError("file is missing", file=f, hint=f"a place needs {', '.join(PLACE_FILES)}")
            raw[name] = read_bytes(f, limit=PLACE_FILE_LIMITS[name], what="place file", error=PlaceDataError)
        checksums = {name: hashlib.sha256(data).hexdigest() for name, data in raw.items()}
        key = (str(root.resolve()), tuple(sorted(checksums.items())))
        if key in _LOADED:  # the same bytes were checked in this process already (validate, then run)
            hit = _LOADED[key]
            if isinstance(hit, PlaceDataError):
                raise PlaceDataError(hit.message, file=hit.file, field=hit.field, value=hit.value, line=hit.line,
                                     hint=hit.hint)
            return hit.replace(layers=hit.layers.copy(), meta=dict(hit.meta), counts=hit.counts.copy())
        _LOADED.clear()  # keep one: the place a command is working on
        try:
            return cls._parse(root, raw, checksums, key)
        except PlaceDataError as err:
            _LOADED[key] = err  # the same bytes give the same error (the engine's second check is free)
            raise

    @classmethod
    def _parse(cls, root: Path, raw: dict[str, bytes], checksums: dict[str, str], key: tuple) -> Place:
        meta = pio.read_meta(raw["place.yaml"], str(root / "place.yaml"))
        grid = pio.check_grid(pio.read_grid(raw["grid.nc"], str(root / "grid.nc")),
                              str(root / "grid.nc"), meta["cell_size"])
        zones = _zones_from(pio.read_features(raw["zones.geojson"], str(root / "zones.geojson"),
                                              ("Polygon", "MultiPolygon")), str(root / "zones.geojson"))
        _check_extent(grid, zones, str(root / "zones.geojson"))
        services = _services_from(pio.read_features(raw["services.geojson"], str(root / "services.geojson"),
                                                    ("Point",)), zones, str(root / "services.geojson"))
        counts = pio.read_population(raw["population.csv"], str(root / "population.csv"),
                                     tuple(z.code for z in zones))
        place = cls(name=str(meta["name"]), meta=meta, layers=grid, zones=zones, services=services,
                    counts=counts, path=root, checksums=checksums)
        _LOADED[key] = place.replace(layers=grid.copy(), meta=dict(meta), counts=counts.copy())
        return place

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the five place files through the one writer (staged, then published whole).

        Parameters
        ----------
        path
            Target directory; it must not hold a place already unless ``overwrite`` is true.
        overwrite
            Replace the place files there (the old ones stay until the new ones are whole).

        Returns
        -------
        pathlib.Path
            The directory written; ``Place.load`` of it gives back this place.

        Raises
        ------
        OutputError
            The directory holds a place and ``overwrite`` is false, or cannot be written.
        """
        from twin.run.writer import OutputDir

        target = Path(path)
        with OutputDir(target, holds=PLACE_FILES, overwrite=overwrite, what="a place") as od:
            self._write_files(od.stage)
            od.publish()
        return target

    def _write_files(self, d: Path) -> None:
        import yaml

        meta = {"name": self.name, **{k: v for k, v in self.meta.items() if k != "name"}}
        (d / "place.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100),
                                      encoding="utf-8")
        pio.write_grid(self.grid, d / "grid.nc")
        pio.write_features([(z.geometry, {"code": z.code, "name": z.name, "urban_rural": z.urban_rural,
                                          "deprivation_decile": int(z.deprivation_decile), **z.properties})
                            for z in self.zones], d / "zones.geojson")
        import shapely

        pio.write_features([(shapely.Point(s.x, s.y),
                             {"id": s.id, "type": s.type, "name": s.name, "capacity": _num(s.capacity),
                              "channels": list(s.channels), "opening_days": list(s.opening_days),
                              **s.properties}) for s in self.services], d / "services.geojson")
        pio.write_population(self.population, d / "population.csv")


def _check_extent(grid: Layers, zones: tuple[Zone, ...], file: str) -> None:
    """Every zone must lie (mostly) on the grid: same CRS, same place; a shifted grid or a zone elsewhere is an error."""
    import shapely

    xs, ys = np.asarray(grid.x, dtype=float), np.asarray(grid.y, dtype=float)
    half = 0.5 * float(abs(xs[1] - xs[0])) if xs.size > 1 else 0.5
    box = shapely.box(xs.min() - half, ys.min() - half, xs.max() + half, ys.max() + half)
    for z in zones:
        area = z.geometry.area
        on = z.geometry.intersection(box).area if area > 0 else 0.0
        if area <= 0 or on < 0.5 * area:
            b = tuple(round(v) for v in z.geometry.bounds)
            raise PlaceDataError(
                "zone lies off the grid (grid.nc and zones.geojson must cover the same place, both EPSG:27700)",
                file=file, field=f"{z.code}.geometry", value=f"bounds {b}",
                hint=f"grid covers {tuple(round(v) for v in box.bounds)} m; {100 * on / area if area else 0:.0f}% of the zone is on it")


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


def _zones_from(features: list, file: str) -> tuple[Zone, ...]:
    import shapely

    zones, seen = [], set()
    for i, (geom, props) in enumerate(features):
        where = f"features[{i}]"
        pio.check_mapping(props, ZONE_KEYS, file, where)
        code = props["code"]
        if not isinstance(code, str) or not code:
            raise pio.fail(file, f"{where}.properties.code", "must be a non-empty string", code)
        if code in seen:
            raise pio.fail(file, f"{where}.properties.code", "duplicate zone code", code)
        seen.add(code)
        ur = props["urban_rural"]
        if ur not in ("urban", "rural"):
            raise pio.fail(file, f"{code}.urban_rural", "is not valid", ur, hint="use 'urban' or 'rural'")
        dec = pio.as_int(props["deprivation_decile"])
        if dec is None or not 1 <= dec <= 10:
            raise pio.fail(file, f"{code}.deprivation_decile", "must be an integer 1..10",
                           props["deprivation_decile"])
        if geom.is_empty or not shapely.is_valid(geom):
            raise pio.fail(file, f"{code}.geometry", "is not a valid polygon",
                           shapely.is_valid_reason(geom), hint="fix self-intersections (e.g. buffer(0) in a GIS)")
        extra = {k: v for k, v in props.items() if k not in ZONE_KEYS}
        zones.append(Zone(code=code, name=str(props["name"]), urban_rural=ur, deprivation_decile=dec,
                          geometry=geom, properties=extra))
    if not zones:
        raise pio.fail(file, "features", "holds no zones", has_value=False)
    return tuple(zones)


def _services_from(features: list, zones: tuple[Zone, ...], file: str) -> tuple[Service, ...]:
    import shapely

    out, seen = [], set()
    for i, (geom, props) in enumerate(features):
        where = f"features[{i}]"
        pio.check_mapping(props, SERVICE_KEYS, file, where)
        sid = str(props["id"])
        if sid in seen:
            raise pio.fail(file, f"{where}.properties.id", "duplicate service id", sid)
        seen.add(sid)
        if props["type"] not in SERVICE_TYPES:
            raise pio.fail(file, f"{sid}.type", "is not a known service type", props["type"],
                           hint=f"use one of {', '.join(SERVICE_TYPES)}")
        cap = props["capacity"]
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not np.isfinite(cap):
            raise pio.fail(file, f"{sid}.capacity", "must be a number per day", cap)
        if cap < 0:
            raise pio.fail(file, f"{sid}.capacity", "must not be negative", cap)
        chans = props["channels"]
        if isinstance(chans, str):
            chans = [chans]
        bad = [c for c in (chans if isinstance(chans, list) else [chans]) if c not in CHANNELS]
        if bad or not chans:
            raise pio.fail(file, f"{sid}.channels", "is not a known channel", bad[0] if bad else chans,
                           hint=f"use {', '.join(CHANNELS)}")
        days = pio.parse_days(props["opening_days"])
        if days is None:
            raise pio.fail(file, f"{sid}.opening_days", "is not a list of days", props["opening_days"],
                           hint="use 0=Mon..6=Sun or 'Mon'..'Sun'")
        x, y = float(geom.x), float(geom.y)
        zone = next((z.code for z in zones if shapely.intersects_xy(z.geometry, x, y)), None)
        if zone is None:
            raise pio.fail(file, f"{sid}.geometry", "service outside the place (in no zone)",
                           (round(x, 1), round(y, 1)))
        extra = {k: v for k, v in props.items() if k not in SERVICE_KEYS and k != "zone"}
        out.append(Service(id=sid, type=props["type"], name=str(props["name"]), capacity=float(cap),
                           channels=tuple(dict.fromkeys(chans)), opening_days=days, x=x, y=y, zone=zone,
                           properties=extra))
    return tuple(out)


def resolve_place(name_or_path: str | os.PathLike[str], base_dir: Path | None = None) -> Path:
    """Find a place directory: a path (relative to ``base_dir``, then the cwd) or a bundled name.

    Raises
    ------
    PlaceDataError
        Nothing of that name exists; the message lists the bundled places.
    """
    text = str(name_or_path)
    candidates = []
    p = Path(text).expanduser()
    if p.is_absolute():
        candidates.append(p)
    else:
        if base_dir is not None:
            candidates.append(Path(base_dir) / p)
        candidates.append(Path.cwd() / p)
    if os.sep not in text and "/" not in text:
        candidates.append(BUNDLED_PLACES_DIR / text)
    for c in candidates:
        if c.is_dir():
            return c
    names = ", ".join(q.name for q in list_places()) or "none"
    raise PlaceDataError("no such place directory or bundled place", field="place", value=text,
                         hint=f"bundled places: {names}")


def list_places() -> list[Path]:
    """Directories of the bundled places, sorted by name."""
    if not BUNDLED_PLACES_DIR.is_dir():
        return []
    return sorted(p for p in BUNDLED_PLACES_DIR.iterdir() if p.is_dir() and (p / "place.yaml").is_file())
