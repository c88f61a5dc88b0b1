"""Climate drivers of a place: pathways, weather, local modulation, heat indices.

This is the public face of the climate layer; the parts live in
:mod:`twin.climate.pathways` (pathways, stations), :mod:`twin.climate.weather` (generator) and
:mod:`twin.climate.cf` (CF NetCDF reader). Here:

* :func:`local_offsets` -- per-cell Tmax/Tmin offsets (heat island, canopy, cool roofs)
  relative to the weather station's surroundings (the NumPy core is :mod:`twin.climate.modulation`);
* :class:`ClimateDrivers` / :func:`make_drivers` -- daily weather for a place and pathway;
* :func:`heat_indices` -- yearly heat indices (xclim's definitions, in NumPy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from twin.climate.cf import read_cf
from twin.climate import modulation
from twin.climate.modulation import ModulationParams, place_station
from twin.errors import ClimateDataError
from twin.place._layers import Variable
from twin.climate.pathways import PATHWAYS, STATIONS, Pathway, PathwayScaling, StationClimate, get_pathway
from twin.climate.weather import WeatherParams, generate_weather

__all__ = [
    "PATHWAYS",
    "STATIONS",
    "ClimateDrivers",
    "ClimateParams",
    "ModulationParams",
    "Pathway",
    "PathwayScaling",
    "StationClimate",
    "WeatherParams",
    "climate_file_for",
    "generate_weather",
    "heat_indices",
    "local_offsets",
    "place_station",
    "make_drivers",
    "read_cf",
]


@dataclass(frozen=True)
class ClimateParams:
    """All parameters of the climate layer, as :func:`make_drivers` takes them."""

    weather: WeatherParams = field(default_factory=WeatherParams)
    modulation: ModulationParams | None = None  # None: defaults with the station's urbanness


def local_offsets(grid: xr.Dataset, params: ModulationParams | None = None) -> xr.Dataset:
    """Per-cell offsets of daily Tmax and Tmin from the station series, degC.

    Parameters
    ----------
    grid
        Place grid (dims ``y``, ``x``) with ``impervious``, ``canopy``, ``building``
        fractions and optionally ``cool_roof`` (fraction of roof area treated; 0 if absent).
    params
        :class:`ModulationParams` (defaults: Heathrow-like station surroundings).

    Returns
    -------
    xarray.Dataset
        ``tasmax_offset``, ``tasmin_offset`` (y, x), float64, ``units = degC``. Cells as
        urban as the station's surroundings get 0, rural cells slightly negative.
    """
    p = params or ModulationParams()
    tx, tn = modulation.offsets(grid, p)
    coords = {c: grid.coords[c] for c in ("y", "x") if c in grid.coords}
    coords = {c: (v.dims, v.data, dict(v.attrs)) if isinstance(v, Variable) else v for c, v in coords.items()}
    attrs = {"units": "degC", "source": p.source}
    return xr.Dataset(
        {"tasmax_offset": (("y", "x"), tx, {**attrs, "long_name": "Local offset of daily maximum temperature"}),
         "tasmin_offset": (("y", "x"), tn, {**attrs, "long_name": "Local offset of daily minimum temperature"})},
        coords=coords,
    )


@dataclass
class ClimateDrivers:
    """Daily weather for a place: a station series plus per-cell offsets, or a grid.

    Attributes
    ----------
    weather
        ``tasmax``, ``tasmin``, ``pr`` with dims ``(time,)`` or ``(time, y, x)``.
    offsets
        ``tasmax_offset``, ``tasmin_offset`` (y, x), zero for gridded weather.
    """

    weather: xr.Dataset
    offsets: xr.Dataset
    _tx: np.ndarray = field(init=False, repr=False)
    _tn: np.ndarray = field(init=False, repr=False)
    _ox: np.ndarray = field(init=False, repr=False)
    _on: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        gridded = self.weather["tasmax"].ndim == 3
        order = ("time", "y", "x") if gridded else ("time",)
        self._tx = np.asarray(self.weather["tasmax"].transpose(*order).values, dtype=np.float64)
        self._tn = np.asarray(self.weather["tasmin"].transpose(*order).values, dtype=np.float64)
        if gridded:
            self._tx = self._tx.reshape(self._tx.shape[0], -1)
            self._tn = self._tn.reshape(self._tn.shape[0], -1)
        self._ox = np.ascontiguousarray(self.offsets["tasmax_offset"].transpose("y", "x").values,
                                        dtype=np.float64).ravel()
        self._on = np.ascontiguousarray(self.offsets["tasmin_offset"].transpose("y", "x").values,
                                        dtype=np.float64).ravel()

    @property
    def time(self) -> pd.DatetimeIndex:
        """The days of the series."""
        return pd.DatetimeIndex(self.weather["time"].values)

    @property
    def gridded(self) -> bool:
        """True when the weather itself varies by cell."""
        return self._tx.ndim == 2

    def cell_temperatures(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Local (tasmax, tasmin) of every cell on day index ``t``: flat ``(ny*nx,)`` float64."""
        return self._tx[t] + self._ox, self._tn[t] + self._on


def _apply_delta(ds: xr.Dataset, pw: Pathway) -> xr.Dataset:
    """Add a pathway's delta to user-brought (observed/baseline) data: delta method."""
    doy = pd.DatetimeIndex(ds["time"].values).day_of_year.to_numpy()
    dt, dpr = pw.delta(doy)
    out = ds.copy()
    dt_da = xr.DataArray(dt, dims="time")
    for v in ("tasmax", "tasmin"):
        out[v] = (ds[v] + dt_da).assign_attrs(ds[v].attrs)
    if "pr" in ds:
        out["pr"] = (ds["pr"] * xr.DataArray(np.maximum(0.0, 1.0 + dpr), dims="time")).assign_attrs(ds["pr"].attrs)
    out.attrs.update(pathway=pw.name, pathway_delta=(
        f"delta method: {pw.name} added to the file's data (summer {pw.tas_summer:+.2f} degC, "
        f"winter {pw.tas_winter:+.2f} degC, rain summer {pw.pr_summer:+.1%}, winter {pw.pr_winter:+.1%})"))
    return out


def _on_place_grid(ds: xr.Dataset, grid: xr.Dataset, path) -> xr.Dataset:
    """Gridded file onto the place grid: as is if the same cells, else nearest cell within bounds."""
    gy, gx = grid["y"].values, grid["x"].values
    fy, fx = ds["y"].values, ds["x"].values
    if fy.shape == gy.shape and fx.shape == gx.shape and np.allclose(fy, gy) and np.allclose(fx, gx):
        return ds.assign_coords(y=gy, x=gx)
    tol_y = np.abs(np.diff(fy)).max() / 2 if fy.size > 1 else 0.0
    tol_x = np.abs(np.diff(fx)).max() / 2 if fx.size > 1 else 0.0
    tol_y, tol_x = tol_y or tol_x, tol_x or tol_y  # one-row/column grid: assume square cells
    outside = (gy.min() < fy.min() - tol_y or gy.max() > fy.max() + tol_y
               or gx.min() < fx.min() - tol_x or gx.max() > fx.max() + tol_x)
    if outside:
        raise ClimateDataError("gridded climate does not cover the place grid", file=path, field="y/x",
                               value=f"file x {fx.min():.0f}..{fx.max():.0f}, y {fy.min():.0f}..{fy.max():.0f}",
                               hint=f"place x {gx.min():.0f}..{gx.max():.0f}, y {gy.min():.0f}..{gy.max():.0f}")
    out = ds.sortby(["y", "x"]).sel(y=gy, x=gx, method="nearest").assign_coords(y=gy, x=gx)
    out.attrs["regridding"] = "nearest cell of the file's grid (twin.climate.make_drivers)"
    return out


def make_drivers(place, pathway: str | Pathway, time, rng: np.random.Generator, *,
                 source: str | Path | None = None, params: ClimateParams | None = None) -> ClimateDrivers:
    """Daily climate drivers for a place under a pathway.

    Parameters
    ----------
    place
        Object with ``.grid`` (y, x layers) and ``.meta["climate_station"]``.
    pathway
        Name in :data:`PATHWAYS` or a :class:`Pathway`.
    time
        The days wanted (``pd.DatetimeIndex``, consecutive).
    rng
        Generator for the weather draws (unused when reading a file).
    source
        ``None`` or ``"generator"``: :func:`generate_weather` at the place's station. A path:
        :func:`read_cf` (or the Dataset it returned); a ``(time,)`` series gets the local offsets added; a ``(time, y, x)``
        grid on the place's cells is used as is (offsets zero); another grid is sampled at the
        nearest file cell if it covers the place, else ClimateDataError. The pathway delta is
        then added to the file's data (delta method), recorded in ``weather.attrs``.
    params
        :class:`ClimateParams`.
    """
    p = params or ClimateParams()
    pw = get_pathway(pathway)
    grid = place.grid
    generator = source is None or (isinstance(source, (str, Path)) and str(source) == "generator")
    if generator:
        station = place_station(place)
    else:
        name = place.meta.get("climate_station")
        station = STATIONS.get(str(name).lower()) if name else None
    mod = p.modulation or ModulationParams(
        reference_urbanness=station.urbanness if station else ModulationParams.reference_urbanness)
    offsets = local_offsets(grid, mod)
    idx = pd.DatetimeIndex(time).normalize()
    if generator:
        return ClimateDrivers(generate_weather(station, pw, idx, rng, p.weather), offsets)
    ds = climate_file_for(place, source, idx)
    if "y" in ds["tasmax"].dims:
        offsets = xr.zeros_like(offsets).assign_attrs(offsets.attrs)
        for v in offsets:
            offsets[v].attrs.update(units="degC", long_name=f"{v} (zero: weather is gridded)")
    return ClimateDrivers(_apply_delta(ds, pw), offsets)


def climate_file_for(place, source: str | Path | xr.Dataset, time) -> xr.Dataset:
    """A climate file checked for a place and period: the days of ``time`` on the place's cells.

    The one check of a scenario's climate file, called by ``twin validate`` (through
    :func:`twin.scenario.checks.preflight`) and by every run (:func:`make_drivers`), so they give the
    same message: unreadable file or variables (:func:`read_cf`), days of the period missing, dims
    other than ``(time,)`` or ``(time, y, x)`` (an extra dimension), variables on different dims,
    a grid that does not cover the place. ``source`` may be the Dataset :func:`read_cf` returned.
    """
    idx = pd.DatetimeIndex(time).normalize()
    if isinstance(source, xr.Dataset):  # already read by read_cf (the run engine reads a climate file once)
        ds, source = source, source.attrs.get("source_file", "climate file")
    else:
        ds = read_cf(source, variables=("tasmax", "tasmin", "pr"), optional=("pr",))
    have = pd.DatetimeIndex(ds["time"].values)
    missing = idx.difference(have)
    if len(missing):
        span = f"{have[0].date()}..{have[-1].date()}" if len(have) else "no days"
        raise ClimateDataError("file does not cover the scenario period", file=source, field="time",
                               value=f"{len(missing)} of {len(idx)} days missing, first {missing[0].date()}",
                               hint=f"the file holds {span}; the period is {idx[0].date()}..{idx[-1].date()}")
    ds = ds.sel(time=idx.values)
    dims = tuple(ds["tasmax"].dims)
    for v in ds.data_vars:
        if set(ds[v].dims) != set(dims):
            raise ClimateDataError(f"variables must share dims (tasmax has {dims})", file=source, field=v,
                                   value=tuple(ds[v].dims))
    if set(dims) == {"time"}:
        return ds
    if set(dims) == {"time", "y", "x"}:
        return _on_place_grid(ds, place.grid, source).transpose("time", "y", "x")
    raise ClimateDataError("climate variables must have dims (time,) or (time, y, x)", file=source,
                           field="tasmax", value=dims)


def heat_indices(weather: xr.Dataset, *, region: str | None = None, hot_days=(28.0, 30.0),
                 window: int = 2, tropical: float = 20.0, freq: str = "YS") -> xr.Dataset:
    """Yearly heat indices with xclim's definitions, per cell if the weather is gridded.

    The definitions are those of ``xclim.indices`` (``tx_days_above``, ``tn_days_above``,
    ``heat_wave_frequency``, ``heat_wave_max_length``, with the operators given below), computed
    here in NumPy: a run's series are a few thousand numbers, and importing xclim and compiling
    its Numba run-length kernel costs 5-8 s of CPU in every process, about a thousand times the
    computation. ``tests/test_hazards.py`` checks every index against xclim itself.

    Parameters
    ----------
    weather
        ``tasmax``, ``tasmin`` in degC with a daily ``time``.
    region
        Region for heat-health thresholds (:data:`twin.climate.hazards.HEAT_THRESHOLDS`); default
        London's (32, 18).
    hot_days
        Thresholds for ``tx_days_above`` (days with Tmax > t), degC.
    window
        Minimum days at or above both thresholds for a heat wave (2: the old Level-2 trigger).
    tropical
        Tropical-night threshold (Tmin > 20 degC).
    freq
        ``"YS"``: per calendar year (the only period supported).

    Returns
    -------
    xarray.Dataset
        ``tx_days_above_28``, ``tx_days_above_30``, ``heat_wave_frequency``,
        ``heat_wave_max_length``, ``tropical_nights`` per year (``time`` holds each year's 1 January).
    """
    from twin.climate.hazards import thresholds_for

    if freq != "YS":
        raise ValueError(f"heat_indices: freq must be 'YS' (per calendar year), got {freq!r}")
    day, night = thresholds_for(region or "London")
    tx = weather["tasmax"].transpose(..., "time")
    tn = weather["tasmin"].transpose(..., "time")
    years = pd.DatetimeIndex(tx["time"].values).year.to_numpy()
    starts = np.unique(years)
    lead = tx.dims[:-1]
    coords = {k: v for k, v in tx.coords.items() if "time" not in v.dims}
    coords["time"] = pd.to_datetime([f"{y}-01-01" for y in starts])

    txv, tnv = tx.values, tn.values
    masks = [years == y for y in starts]

    def per_year(fn: Any, a: np.ndarray) -> np.ndarray:
        return np.stack([fn(a[..., m]) for m in masks], axis=-1)

    out = {f"tx_days_above_{t:g}": per_year(lambda x, t=t: (x > t).sum(-1), txv) for t in hot_days}
    waves = [run_counts((tnv[..., m] >= night) & (txv[..., m] >= day), window) for m in masks]
    out["heat_wave_frequency"] = np.stack([count for count, _ in waves], axis=-1)
    out["heat_wave_max_length"] = np.stack([longest for _, longest in waves], axis=-1)
    out["tropical_nights"] = per_year(lambda n: (n > tropical).sum(-1), tnv)
    units = {"heat_wave_frequency": "1"}
    ds = xr.Dataset({k: ((*lead, "time"), v.astype(np.int64), {"units": units.get(k, "days")})
                     for k, v in out.items()}, coords=coords)
    ds.attrs.update(source="xclim.indices definitions, computed in NumPy", region=region or "London",
                    heat_thresholds_degC=f"{day}/{night}")
    return ds


def run_counts(cond: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Along the last axis of boolean ``cond``: how many runs of ``window`` or more true days,
    and the longest such run (0 when there is none), as xclim's ``heat_wave_frequency`` and
    ``heat_wave_max_length`` count them."""
    cond = np.asarray(cond, dtype=bool)
    lead = cond.shape[:-1]
    rows = cond.reshape(-1, cond.shape[-1]).astype(np.int8)
    edges = np.diff(np.pad(rows, ((0, 0), (1, 1))), axis=1)  # +1 where a run starts, -1 after it ends
    r_start, c_start = np.nonzero(edges == 1)
    _, c_end = np.nonzero(edges == -1)  # row-major order: the k-th end closes the k-th start
    length = c_end - c_start
    long = length >= window
    n = len(rows)
    count = np.bincount(r_start[long], minlength=n)
    longest = np.zeros(n, dtype=np.int64)
    np.maximum.at(longest, r_start[long], length[long])
    return count.reshape(lead), longest.reshape(lead)
