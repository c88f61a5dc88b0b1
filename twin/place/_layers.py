"""A place's grid as NumPy arrays (private; see twin.place): what grid.nc holds, without xarray.

:class:`Layers` holds the coordinates, layers and attributes of a grid: each a NumPy array with
its dimension names and CF attributes, in file order. The place's checks, the interventions
and ``twin validate`` work on it directly, so checking a scenario never imports xarray or pandas
(about half a second of a ``twin validate``). :attr:`twin.place.Place.grid` is the same arrays as
an :class:`xarray.Dataset`, built on first use and sharing their memory (:meth:`Layers.to_dataset`).

:func:`read_netcdf` reads a NetCDF-4 file's root group with h5netcdf and decodes it as
``xarray.open_dataset`` does by default for numeric data (CF ``_FillValue``/``missing_value``
masking, ``scale_factor``/``add_offset`` unpacking, ``_Unsigned``, with xarray's choice of float
type), so a grid reads the same either way; ``tests/test_place_layers.py`` checks that on packed,
masked and plain files against xarray itself.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Layers", "Variable", "read_netcdf"]


@dataclass(frozen=True)
class Variable:
    """One array of a grid: dimension names, values and CF attributes."""

    dims: tuple[str, ...]
    data: np.ndarray
    attrs: Mapping[str, Any]


class Layers:
    """Coordinates, data variables (layers) and global attributes of a grid, as NumPy arrays.

    ``name in layers`` and ``layers[name]`` cover layers and coordinates alike (as for an
    ``xarray.Dataset``); ``layers[name]`` is the array itself. Treat it as read-only: an
    intervention returns ``place.replace(layers=place.layers.assign(...))``, a new grid.
    """

    __slots__ = ("attrs", "coords", "data_vars")

    def __init__(self, coords: Mapping[str, Variable], data_vars: Mapping[str, Variable],
                 attrs: Mapping[str, Any] | None = None) -> None:
        self.coords: dict[str, Variable] = dict(coords)
        self.data_vars: dict[str, Variable] = dict(data_vars)
        self.attrs: dict[str, Any] = dict(attrs or {})

    # ------------------------------------------------------------------ reading
    @property
    def x(self) -> np.ndarray:
        """Cell-centre eastings (m), west to east."""
        return self.coords["x"].data

    @property
    def y(self) -> np.ndarray:
        """Cell-centre northings (m), north first."""
        return self.coords["y"].data

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``."""
        return (int(self.y.size), int(self.x.size))

    def __contains__(self, name: object) -> bool:
        return name in self.data_vars or name in self.coords

    def __getitem__(self, name: str) -> np.ndarray:
        var = self.data_vars.get(name) or self.coords.get(name)
        if var is None:
            raise KeyError(name)
        return var.data

    def __iter__(self):  # the layers' names, as iterating a Dataset gives its data variables
        return iter(self.data_vars)

    def __len__(self) -> int:
        return len(self.data_vars)

    def attrs_of(self, name: str) -> dict[str, Any]:
        """A copy of the CF attributes of a layer or coordinate."""
        var = self.data_vars.get(name) or self.coords[name]
        return dict(var.attrs)

    def __repr__(self) -> str:
        ny, nx = self.shape if "x" in self.coords and "y" in self.coords else (0, 0)
        return f"<Layers {ny}x{nx}: {', '.join(self.data_vars)}>"

    # ------------------------------------------------------------------ new grids
    def assign(self, **layers: Any) -> Layers:
        """A new grid with ``name=(array, attrs)`` layers on ``(y, x)`` set or added (added ones go last)."""
        data_vars = dict(self.data_vars)
        for name, value in layers.items():
            if isinstance(value, Variable):
                data_vars[name] = value
                continue
            array, attrs = value
            array = np.asarray(array)
            if array.shape != self.shape:
                raise ValueError(f"layer {name!r} has shape {array.shape}, the grid is {self.shape}")
            data_vars[name] = Variable(("y", "x"), array, dict(attrs))
        return Layers(self.coords, data_vars, self.attrs)

    def copy(self) -> Layers:
        """A deep copy (arrays and attributes)."""
        def cp(v: Variable) -> Variable:
            return Variable(v.dims, v.data.copy(), dict(v.attrs))

        return Layers({k: cp(v) for k, v in self.coords.items()}, {k: cp(v) for k, v in self.data_vars.items()},
                      dict(self.attrs))

    def reversed_along(self, dim: str) -> Layers:
        """The grid with ``dim`` in reverse order (a view, as ``Dataset.isel(dim=slice(None, None, -1))``)."""
        def flip(v: Variable) -> Variable:
            if dim not in v.dims:
                return v
            index = tuple(slice(None, None, -1) if d == dim else slice(None) for d in v.dims)
            return Variable(v.dims, v.data[index], v.attrs)

        return Layers({k: flip(v) for k, v in self.coords.items()}, {k: flip(v) for k, v in self.data_vars.items()},
                      self.attrs)

    # ------------------------------------------------------------------ xarray
    def to_dataset(self) -> Any:
        """The grid as an ``xarray.Dataset`` (the arrays are shared, not copied)."""
        import xarray as xr

        return xr.Dataset({k: (v.dims, v.data, dict(v.attrs)) for k, v in self.data_vars.items()},
                          coords={k: (v.dims, v.data, dict(v.attrs)) for k, v in self.coords.items()},
                          attrs=dict(self.attrs))

    @classmethod
    def from_dataset(cls, ds: Any) -> Layers:
        """The arrays of an ``xarray.Dataset`` (its coordinates, data variables and attributes)."""
        def var(v: Any) -> Variable:
            return Variable(tuple(str(d) for d in v.dims), np.asarray(v.values), dict(v.attrs))

        return cls({str(k): var(v) for k, v in ds.coords.items()},
                   {str(k): var(v) for k, v in ds.data_vars.items()}, dict(ds.attrs))


# ----------------------------------------------------------------------------- NetCDF-4
class TooLarge(ValueError):
    """A file's declared sizes exceed the caller's limits (raised before any array is read)."""

    def __init__(self, variables: int, sizes: dict[str, int]) -> None:
        super().__init__(f"{variables} variables, dims {sizes}")
        self.variables, self.sizes = variables, sizes


def read_netcdf(data: bytes, *, max_cells: int, max_variables: int) -> Layers:
    """Read the root group of a NetCDF-4 file from bytes, decoded as ``xarray.open_dataset`` would.

    Sizes are checked from the file's metadata before any array is read or decompressed
    (a small gzip-compressed file can hold gigabytes of zeros): :class:`TooLarge` when the
    variables' dimensions span more than ``max_cells`` cells or there are more than
    ``max_variables`` variables. Any other problem with the file raises what h5py/h5netcdf raise.

    Variables named after their own single dimension are coordinates, as are those a variable's
    ``coordinates`` attribute names; the rest are data variables. Bytes attributes are decoded
    as UTF-8.
    """
    import h5netcdf

    with h5netcdf.File(io.BytesIO(data), "r") as f:
        variables = f.variables
        sizes: dict[str, int] = {}
        for v in variables.values():
            for dim, n in zip(v.dimensions, v.shape, strict=True):
                sizes[str(dim)] = int(n)
        if len(variables) > max_variables or math.prod(sizes.values()) > max_cells:
            raise TooLarge(len(variables), sizes)
        raw = {str(name): (tuple(str(d) for d in v.dimensions), np.asarray(v[...]), _attrs(v.attrs))
               for name, v in variables.items()}
        attrs = _attrs(f.attrs)
    aux = set()
    for _, _, a in raw.values():
        aux.update(str(a.pop("coordinates", "")).split())
    coords, data_vars = {}, {}
    for name, (dims, values, a) in raw.items():
        var = Variable(dims, _decode(values, a), a)
        if dims == (name,) or name in aux:
            coords[name] = var
        else:
            data_vars[name] = var
    return Layers(coords, data_vars, attrs)


def _attrs(attrs: Any) -> dict[str, Any]:
    out = {}
    for k, v in attrs.items():
        if k not in ("_FillValue", "missing_value") and isinstance(v, bytes):
            try:
                v = v.decode("utf-8")
            except UnicodeDecodeError:
                pass
        out[str(k)] = v
    return out


def _decode(values: np.ndarray, attrs: dict[str, Any]) -> np.ndarray:
    """CF decoding of one numeric variable (xarray's defaults; the decoding attributes are removed)."""
    if values.dtype.kind not in "iuf":
        return values
    fills = [np.asarray(attrs.pop(k)).ravel() for k in ("_FillValue", "missing_value") if k in attrs]
    fill_values = np.unique(np.concatenate(fills)) if fills else np.array([])
    unsigned = str(attrs.pop("_Unsigned", "")).lower()
    if values.dtype.kind == "i" and unsigned == "true":
        values = values.view(values.dtype.str.replace("i", "u"))
        fill_values = fill_values.astype(values.dtype.str.replace("u", "i")).view(values.dtype) if fill_values.size else fill_values
    elif values.dtype.kind == "u" and unsigned == "false":
        values = values.view(values.dtype.str.replace("u", "i"))
    scale = attrs.pop("scale_factor", None)
    offset = attrs.pop("add_offset", None)
    scale = None if scale is None else (np.asarray(scale).item() if np.ndim(scale) else scale)
    offset = None if offset is None else (np.asarray(offset).item() if np.ndim(offset) else offset)
    packed = scale is not None or offset is not None
    if fill_values.size:
        dtype = _float_dtype(values.dtype, scale, offset) if packed else _promote(values.dtype)
        mask = np.isin(values, fill_values)
        values = values.astype(dtype)
        values[mask] = np.nan
    if packed:
        values = values.astype(_float_dtype(values.dtype, scale, offset), copy=True)
        if scale is not None:
            values *= scale
        if offset is not None:
            values += offset
    return values


def _promote(dtype: np.dtype) -> type:
    """The float type masked values become (xarray's ``dtypes.maybe_promote`` for numbers)."""
    if dtype.kind == "f":
        return dtype.type
    return np.float32 if dtype.itemsize <= 2 else np.float64


def _float_dtype(dtype: np.dtype, scale: Any, offset: Any) -> type:
    """xarray's ``_choose_float_dtype``: a float type that holds the unpacked values."""
    if scale is not None or offset is not None:
        scale_type = np.dtype(type(scale)) if scale is not None else None
        offset_type = np.dtype(type(offset)) if offset is not None else None
        if offset is not None and scale is not None and offset_type == scale_type \
                and scale_type in (np.float32, np.float64):
            if dtype.itemsize == 4 and dtype.kind in "iu":
                return np.float64
            return scale_type.type
        if offset is not None:
            return np.float64
        return scale_type.type
    if dtype.itemsize <= 4 and dtype.kind == "f":
        return np.float32
    if dtype.itemsize <= 2 and dtype.kind in "iu":
        return np.float32
    return np.float64
