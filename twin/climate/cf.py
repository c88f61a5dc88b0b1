"""Reading daily climate data from CF NetCDF files, with units converted at the boundary.

:func:`read_cf` returns ``tasmax``/``tasmin`` in degC and ``pr`` in mm day-1 whatever the
file used (K, degF; kg m-2 s-1, mm/d ...), and refuses anything it cannot vouch for with a
:class:`~twin.errors.ClimateDataError` naming the file, the variable and the bad value.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from twin.errors import ClimateDataError
from twin.climate.weather import CF_ATTRS

__all__ = ["PLAUSIBLE", "TARGET_UNITS", "convert_units", "read_cf"]

#: What each variable is converted to, and the UDUNITS quantities accepted for it. Precipitation may
#: come as a flux of water mass (kg m-2 s-1: 1 kg m-2 of water is 1 mm deep) or of depth (m s-1), or as
#: a daily amount (kg m-2, mm), since the time step is one day.
TARGET_UNITS = {"tasmax": "degC", "tasmin": "degC", "pr": "mm day-1"}
_PRECIPITATION_AS = (("mm day-1", 1.0), ("kg m-2 day-1", 1.0), ("mm", 1.0), ("kg m-2", 1.0))


def convert_units(values: np.ndarray, units: str, name: str, path: Path) -> np.ndarray:
    """``values`` in ``units`` (any UDUNITS-2 string) converted to :data:`TARGET_UNITS` of ``name``.

    Conversion goes through UDUNITS-2 (the CF conventions' units library, via ``cf_units``), imported
    only when a file is read.
    """
    import cf_units

    target = TARGET_UNITS[name]
    try:
        unit = cf_units.Unit(units)
    except ValueError:
        raise ClimateDataError("units are not UDUNITS-2 units", file=path, field=f"{name}.units", value=units,
                               hint=f"use e.g. {target!r}" + (" or 'K'" if target == "degC" else " or 'kg m-2 s-1'")
                               ) from None
    values = np.asarray(values, dtype=np.float64)
    if name == "pr":
        for via, to_mm in _PRECIPITATION_AS:
            if unit.is_convertible(via):
                return unit.convert(values, cf_units.Unit(via)) * to_mm
    elif unit.is_convertible(target):
        return unit.convert(values, cf_units.Unit(target))
    raise ClimateDataError(f"units cannot be converted to {target}", file=path, field=f"{name}.units", value=units)


#: Plausible ranges after conversion (degC, degC, mm day-1); UK records are 40.3 / -27.2 degC
#: and ~341 mm in a day (Met Office), so these only catch unit and coding errors.
PLAUSIBLE = {"tasmax": (-60.0, 60.0), "tasmin": (-60.0, 60.0), "pr": (0.0, 1000.0)}

#: Largest climate file read, and most values in one variable (the variables used are loaded whole).
MAX_FILE_BYTES = 2 << 30
MAX_VALUES = 40_000_000


def _maybe(da: xr.DataArray) -> bool:
    """A variable that may be found by its CF standard_name (loaded; others are left on disk)."""
    return da.attrs.get("standard_name") in {n for names, _ in _STANDARD_NAMES.values() for n in names}

_STANDARD_NAMES = {
    "tasmax": ({"air_temperature"}, "maximum"),
    "tasmin": ({"air_temperature"}, "minimum"),
    "pr": ({"precipitation_flux", "lwe_precipitation_rate", "precipitation_amount",
            "lwe_thickness_of_precipitation_amount"}, None),
}


def _find(ds: xr.Dataset, name: str, path: Path) -> xr.DataArray:
    if name in ds.data_vars:
        return ds[name]
    names, method = _STANDARD_NAMES.get(name, (set(), None))
    for var in ds.data_vars.values():
        if var.attrs.get("standard_name") in names and (
                method is None or method in str(var.attrs.get("cell_methods", ""))):
            return var
    raise ClimateDataError("variable not found (by name or CF standard_name)", file=path, field=name,
                           hint=f"file has {sorted(map(str, ds.data_vars))}")


def _convert(da: xr.DataArray, name: str, path: Path) -> xr.DataArray:
    units = str(da.attrs.get("units", "")).strip()
    if not units:
        raise ClimateDataError("missing units", file=path, field=f"{name}.units", value=units,
                               hint=f"add a units attribute, e.g. {TARGET_UNITS[name]!r}")
    out = da.copy(data=convert_units(da.values, units, name, path))
    out.attrs = dict(CF_ATTRS[name])
    if units != TARGET_UNITS[name]:
        out.attrs["converted_from"] = units
    return out


def _check_time(ds: xr.Dataset, path: Path) -> pd.DatetimeIndex:
    if "time" not in ds.coords:
        raise ClimateDataError("no time coordinate", file=path, field="time")
    values = ds["time"].values
    if not np.issubdtype(values.dtype, np.datetime64):
        raise ClimateDataError("time is not a standard-calendar date", file=path, field="time",
                               value=str(values[:1]), hint="use a gregorian/standard calendar")
    t = pd.DatetimeIndex(values)
    days = t.values.astype("datetime64[D]").astype(np.int64)
    step = np.diff(days)
    if (step <= 0).any():
        i = int(np.argmax(step <= 0)) + 1
        raise ClimateDataError("time is not strictly increasing", file=path, field="time",
                               value=str(t[i]))
    if (step != 1).any():
        i = int(np.argmax(step != 1)) + 1
        raise ClimateDataError("time is not daily (gap or sub-daily step)", file=path, field="time",
                               value=str(t[i]), hint="give one value per consecutive day")
    return t.normalize()


def read_cf(path, *, variables: Sequence[str] = ("tasmax", "tasmin", "pr"),
            optional: Sequence[str] = ()) -> xr.Dataset:
    """Read daily climate variables from a CF NetCDF file (h5netcdf engine).

    Parameters
    ----------
    path
        NetCDF4/HDF5 file.
    variables
        Names wanted: ``tasmax``, ``tasmin``, ``pr``. Each is found by variable name or by
        CF ``standard_name`` (+ ``cell_methods`` maximum/minimum for temperatures).
    optional
        Names in ``variables`` that may be absent without error.

    Returns
    -------
    xarray.Dataset
        The variables renamed to ``tasmax``/``tasmin``/``pr``, in degC and mm day-1 with CF
        attributes, daily ``time`` normalised to midnight; attr ``source_file``.

    Raises
    ------
    ClimateDataError
        Missing file or variable, unknown units, NaN values, non-daily or non-monotonic
        time, implausible values (outside :data:`PLAUSIBLE`, or tasmax < tasmin).
    """
    import os
    import stat

    path = Path(path)
    try:
        st = os.stat(path)
    except OSError:
        raise ClimateDataError("climate file not found", file=path) from None
    if not stat.S_ISREG(st.st_mode):
        raise ClimateDataError("is not a regular file (a directory, FIFO or device)", file=path)
    if st.st_size > MAX_FILE_BYTES:
        raise ClimateDataError(f"climate file is too large ({st.st_size / 2**30:.1f} GB; at most "
                               f"{MAX_FILE_BYTES / 2**30:.0f} GB)", file=path, hint="cut it to the place and period")
    try:
        with xr.open_dataset(path, engine="h5netcdf") as raw:
            big = [(n, v.size) for n, v in raw.variables.items() if v.size > MAX_VALUES]
            if big:  # checked before decompressing: a small file can hold gigabytes of zeros
                raise ClimateDataError(f"variable is too large ({big[0][1]:,} values; at most {MAX_VALUES:,})",
                                       file=path, field=str(big[0][0]), hint="cut the file to the place and period")
            ds = raw[[v for v in raw.data_vars if v in variables or _maybe(raw[v])]].load()
    except ClimateDataError:
        raise
    except Exception as exc:  # h5py/h5netcdf raise many types for broken files
        raise ClimateDataError(f"cannot read as NetCDF ({type(exc).__name__})", file=path,
                               hint="give a NetCDF4/HDF5 file with CF metadata") from None
    t = _check_time(ds, path)
    out = {}
    for name in variables:
        if name not in CF_ATTRS:
            raise ClimateDataError("unsupported variable", field="variables", value=name,
                                   hint=f"valid: {', '.join(CF_ATTRS)}")
        try:
            da = _find(ds, name, path)
        except ClimateDataError:
            if name in optional:
                continue
            raise
        if "time" not in da.dims:
            raise ClimateDataError("variable has no time dimension", file=path, field=name,
                                   value=da.dims)
        da = _convert(da, name, path)
        bad = np.isnan(da.values)
        if bad.any():
            i = np.unravel_index(int(np.argmax(bad)), bad.shape)[da.dims.index("time")]
            raise ClimateDataError(f"{int(bad.sum())} missing (NaN) values", file=path, field=name,
                                   value=f"first at {t[i].date()}", hint="fill or drop the gaps")
        lo, hi = PLAUSIBLE[name]
        out_of = (da.values < lo) | (da.values > hi)
        if out_of.any():
            v = float(da.values[out_of][0])
            raise ClimateDataError(f"implausible value (valid {lo}..{hi} {da.attrs['units']} after "
                                   "unit conversion)", file=path, field=name, value=v)
        out[name] = da.drop_vars([c for c in da.coords if c not in da.dims])
    if "tasmax" in out and "tasmin" in out:
        diff = out["tasmax"].values - out["tasmin"].values
        if (diff < 0).any():
            i = np.unravel_index(int(np.argmin(diff)), diff.shape)[out["tasmax"].dims.index("time")]
            raise ClimateDataError("tasmax below tasmin", file=path, field="tasmax",
                                   value=f"{t[i].date()}: {float(np.min(diff)):+.2f} degC")
    result = xr.Dataset(out).assign_coords(time=t.values)
    result.attrs = {"source_file": str(path), "source": str(ds.attrs.get("source", path.name))}
    return result
