"""Opening a results directory for ``twin show``, ``compare`` and ``report``: a damaged one is one line.

A results directory comes from outside the command that reads it (copied, truncated, edited,
half-synced), so everything in it is checked as input: ``results.nc`` must open as NetCDF-4 and
have the ``option``, ``pathway`` and ``replicate`` dimensions with named coordinates and a known
reference option; ``manifest.json``, when present, must be a JSON object of the expected shape.
Anything else, and any failure while reading the results later (a missing variable, a renamed
dimension), is an :class:`~twin.errors.OutputError` reading
``not a placetwin result, or damaged: DIR/results.nc (what was wrong)``.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from twin.errors import OutputError, TwinError

__all__ = ["MAX_MANIFEST_BYTES", "MAX_VALUES", "check_results_dir", "damaged", "open_checked", "open_results", "read_manifest", "reading_results"]

#: Largest manifest.json read (they are a few kB).
MAX_MANIFEST_BYTES = 16 << 20
#: Most values read from a results.nc (the bundled appraisal with daily_by_age holds ~0.12 billion).
MAX_VALUES = 250_000_000
_DIMS = ("option", "pathway", "replicate")


def damaged(file: str | os.PathLike[str], reason: str) -> OutputError:
    """The one error of a result that cannot be read: ``not a placetwin result, or damaged: FILE (reason)``."""
    reason = " ".join(str(reason).split())[:200]
    return OutputError(f"not a placetwin result, or damaged: {file}" + (f" ({reason})" if reason else ""))


def results_path(directory: str | os.PathLike[str]) -> Path:
    """``DIR/results.nc``, checked to be a non-empty regular file."""
    out = Path(directory)
    if not out.exists():
        raise OutputError("no such results directory (no results.nc to read)", field="DIR", value=str(out),
                          hint="run `twin run SCENARIO -o DIR` first")
    if not out.is_dir():
        raise OutputError("is not a directory (give the directory `twin run` wrote)", field="DIR", value=str(out))
    path = out / "results.nc"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise OutputError("no results.nc here (run `twin run SCENARIO -o DIR` first)", field="DIR",
                          value=str(out)) from None
    except OSError as exc:
        raise damaged(path, exc.strerror or type(exc).__name__) from None
    if not stat.S_ISREG(st.st_mode):
        raise damaged(path, "not a regular file")
    if st.st_size == 0:
        raise damaged(path, "empty file")
    return path


def check_results_dir(directory: str | os.PathLike[str]) -> Path:
    """Check a results directory before it is read: ``results.nc`` a NetCDF-4 file of sane size with the
    dimensions, coordinates and reference option of a result, ``manifest.json`` (if any) of the right
    shape. Only metadata is read (nothing is decompressed). Returns the directory."""
    out, ds = open_checked(directory)
    ds.close()
    return out


def open_checked(directory: str | os.PathLike[str]) -> tuple[Path, Any]:
    """:func:`check_results_dir`, keeping ``results.nc`` open (lazily): ``(directory, dataset)``."""
    import xarray as xr

    path = results_path(directory)
    with open(path, "rb") as f:
        if f.read(8) != b"\x89HDF\r\n\x1a\n":
            raise damaged(path, "not a NetCDF-4/HDF5 file")
    ds = None
    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
        total = sum(int(v.size) for v in ds.variables.values())
        if total > MAX_VALUES:  # checked before decompressing anything
            raise damaged(path, f"{total:,} values; more than the {MAX_VALUES:,} a result of `twin run` holds")
        check_results(ds, path)
        read_manifest(path.parent)
    except OutputError:
        if ds is not None:
            ds.close()
        raise
    except Exception as exc:  # h5py/h5netcdf raise many types for truncated or odd files
        if ds is not None:
            ds.close()
        raise damaged(path, f"cannot be read: {type(exc).__name__}") from None
    return path.parent, ds


def open_results(directory: str | os.PathLike[str]) -> tuple[Path, Any, dict]:
    """``(directory, results loaded in memory, manifest or {})`` of a checked results directory."""
    import xarray as xr

    out = check_results_dir(directory)
    with reading_results(out), xr.open_dataset(out / "results.nc", engine="h5netcdf") as ds:
        return out, ds.load(), read_manifest(out)


def check_results(ds: Any, path: str | os.PathLike[str]) -> None:
    """Dimensions, coordinates and reference option of a results dataset (raises :func:`damaged`)."""
    missing = [d for d in _DIMS if d not in ds.dims]
    if missing:
        raise damaged(path, f"dimension {missing[0]!r} is missing; has {', '.join(map(str, ds.dims)) or 'none'}")
    for d in ("option", "pathway"):
        if d not in ds.coords:
            raise damaged(path, f"coordinate {d!r} is missing")
        names = [str(v) for v in ds[d].values]
        if len(set(names)) != len(names) or not all(names):
            raise damaged(path, f"coordinate {d!r} holds empty or repeated names")
    if ds.sizes["option"] < 1 or ds.sizes["pathway"] < 1 or ds.sizes["replicate"] < 1:
        raise damaged(path, "no options, pathways or replicates")
    if not any({"option", "pathway", "replicate"} <= set(v.dims) for v in ds.data_vars.values()):
        raise damaged(path, "no variable by option, pathway and replicate")
    ref = ds.attrs.get("reference_option")
    if ref is not None and str(ref) not in [str(v) for v in ds["option"].values]:
        raise damaged(path, f"reference option {ref!r} is not one of the options")


def read_manifest(directory: str | os.PathLike[str]) -> dict:
    """``manifest.json`` of a results directory as a dict ({} if absent); a damaged one raises :func:`damaged`."""
    from twin._files import read_text

    path = Path(directory) / "manifest.json"
    if not path.exists() and not path.is_symlink():
        return {}
    try:
        manifest = json.loads(read_text(path, limit=MAX_MANIFEST_BYTES, what="manifest"))
    except TwinError as err:
        raise damaged(path, err.message) from None
    except (ValueError, RecursionError) as exc:
        raise damaged(path, f"not JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise damaged(path, f"a JSON {type(manifest).__name__}, not an object")
    shapes = {"scenario": dict, "outputs": list, "timings_seconds": dict, "options": list, "pathways": list,
              "input_checksums": dict}
    for key, kind in shapes.items():
        if key in manifest and not isinstance(manifest[key], kind):
            raise damaged(path, f"{key!r} is a {type(manifest[key]).__name__}, not a {kind.__name__}")
    scenario = manifest.get("scenario", {})
    if "path" in scenario and not isinstance(scenario["path"], (str, type(None))):
        raise damaged(path, "'scenario.path' is not a string")
    return manifest


@contextmanager
def reading_results(directory: str | os.PathLike[str]) -> Iterator[None]:
    """Turn any failure while analysing a results directory into :func:`damaged` (TwinErrors pass through)."""
    try:
        yield
    except TwinError:
        raise
    except OSError as exc:
        where = exc.filename or directory
        raise OutputError(f"cannot read or write in the results directory ({exc.strerror or type(exc).__name__})",
                          file=where) from None
    except (KeyError, ValueError, IndexError, TypeError, AttributeError, LookupError, ZeroDivisionError) as exc:
        what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise damaged(Path(directory) / "results.nc", what) from None
