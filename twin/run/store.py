"""The run store: finished runs kept on disk so an interrupted ensemble resumes where it stopped.

``DIR/.runs/`` holds one file per finished run (written to a temporary name and renamed
when whole, so a killed process never leaves a half-written run under a run's name) and
``pins.json``: what the stored runs were computed from: the scenario's hash, seed,
replicates, package version and the checksum of every input file. A rerun whose inputs
differ refuses to resume (one line saying what changed) rather than mixing stale runs with
new ones; a run file that cannot be read is deleted and run again.

A run file is a NumPy ``.npz`` archive: each variable's values as stored arrays (no pickles:
read with ``allow_pickle=False``) and a JSON header with dims and attributes. It is a scratch
file, read once by the assembly into ``results.nc`` and then deleted; the NetCDF it replaced
cost 0.4 s to write and 0.5 s to read per run (a run's dataset has some thirty small
variables, and HDF5's per-variable bookkeeping dominated), against 5-10 ms now.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from twin.errors import OutputError
from twin.run.engine import RunKey
from twin.run.writer import write_new

__all__ = ["RunStore"]

_PINS = "pins.json"


class RunStore:
    """Finished runs of one ensemble in ``folder`` (``DIR/.runs``).

    Parameters
    ----------
    folder
        The store's directory (created).
    pins
        What the runs are computed from (JSON-serialisable). A store holding runs of other
        pins is refused unless ``discard`` (then emptied).
    """

    def __init__(self, folder: Path, pins: dict[str, Any], *, discard: bool = False) -> None:
        self.folder = Path(folder)
        self.pins = json.loads(json.dumps(pins, sort_keys=True))
        if self.folder.is_symlink():
            raise OutputError("run store is a symbolic link; remove it", field="-o", value=str(self.folder))
        self.folder.mkdir(parents=True, exist_ok=True)
        pin_file = self.folder / _PINS
        if pin_file.exists():
            try:
                stored = json.loads(pin_file.read_text())
            except (ValueError, OSError, UnicodeDecodeError):
                stored = {"damaged": True}
            if stored != self.pins:
                if not discard:
                    raise OutputError(
                        f"output directory holds unfinished runs made from other inputs ({_what_changed(stored, self.pins)})",
                        field="-o", value=str(self.folder.parent),
                        hint="pass --overwrite to discard them and start again, or choose another directory",
                    )
                self.clear()
        for tmp in self.folder.glob("*.tmp"):  # left by a killed process
            tmp.unlink(missing_ok=True)
        if not pin_file.exists():
            write_new(pin_file, json.dumps(self.pins, sort_keys=True, indent=1))

    def clear(self) -> None:
        for f in self.folder.iterdir():
            if f.is_file() or f.is_symlink():
                f.unlink()

    def path(self, key: RunKey) -> Path:
        return self.folder / key.filename

    def done(self, keys: list[RunKey]) -> set[RunKey]:
        """The runs stored whole; a damaged run file is deleted (and so runs again)."""
        out = set()
        for key in keys:
            p = self.path(key)
            if not p.exists():
                continue
            if _readable(p):
                out.add(key)
            else:
                p.unlink(missing_ok=True)
        return out

    def write(self, key: RunKey, ds: xr.Dataset) -> None:
        """Store one run atomically."""
        target = self.path(key)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            with open(tmp, "xb") as f:
                np.savez(f, **encode(ds))
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def load(self, key: RunKey) -> xr.Dataset:
        return decode(self.path(key))

    def remove(self) -> None:
        """Delete the store (after its runs were assembled and published)."""
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


_HEADER = "__header__"
_FORMAT = "placetwin-run-1"


def encode(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """The arrays of a run file: every variable's values, and the JSON header as bytes."""
    arrays: dict[str, np.ndarray] = {}
    header: dict[str, Any] = {"format": _FORMAT, "attrs": _jsonable(ds.attrs), "coords": [], "data_vars": []}
    for i, (name, var) in enumerate(ds.variables.items()):
        values = np.asarray(var.values)
        if values.dtype.kind == "O":  # strings held as objects: stored as fixed-width text, never pickled
            values = values.astype(str)
        member = f"v{i}"
        arrays[member] = values
        entry = {"name": str(name), "member": member, "dims": list(var.dims), "attrs": _jsonable(var.attrs)}
        header["coords" if name in ds.coords else "data_vars"].append(entry)
    arrays[_HEADER] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    return arrays


def decode(path: Path) -> xr.Dataset:
    """The run stored at ``path`` (see :func:`encode`); raises ``ValueError`` if it is not one."""
    with np.load(path, allow_pickle=False) as z:
        header = json.loads(z[_HEADER].tobytes())
        if header.get("format") != _FORMAT:
            raise ValueError(f"{path}: not a placetwin run file")

        def variables(kind: str) -> dict[str, tuple]:
            return {e["name"]: (tuple(e["dims"]), z[e["member"]], _from_json(e["attrs"])) for e in header[kind]}

        return xr.Dataset(variables("data_vars"), coords=variables("coords"), attrs=_from_json(header["attrs"]))


def _jsonable(attrs: dict) -> dict:
    out = {}
    for k, v in attrs.items():
        if isinstance(v, np.ndarray):
            out[str(k)] = {"__ndarray__": v.tolist(), "dtype": v.dtype.str}
        elif isinstance(v, np.generic):
            out[str(k)] = {"__ndarray__": v.item(), "dtype": v.dtype.str, "scalar": True}
        else:
            out[str(k)] = v
    return out


def _from_json(attrs: dict) -> dict:
    out = {}
    for k, v in attrs.items():
        if isinstance(v, dict) and "__ndarray__" in v:
            arr = np.asarray(v["__ndarray__"], dtype=np.dtype(v["dtype"]))
            out[k] = arr[()] if v.get("scalar") else arr
        else:
            out[k] = v
    return out


def _readable(path: Path) -> bool:
    """The file is a whole run archive: every member passes its CRC check and the header reads."""
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.testzip() is not None:
                return False
        with np.load(path, allow_pickle=False) as z:
            return json.loads(z[_HEADER].tobytes()).get("format") == _FORMAT
    except Exception:  # noqa: BLE001 - any failure to read means "damaged": run it again
        return False


def _what_changed(old: dict[str, Any], new: dict[str, Any]) -> str:
    if old.get("damaged"):
        return "its record of inputs is damaged"
    changed = []
    for k in sorted(set(old) | set(new)):
        if k == "input_checksums":
            a, b = old.get(k) or {}, new.get(k) or {}
            changed += [f"{name} changed" for name in sorted(set(a) | set(b)) if a.get(name) != b.get(name)]
        elif old.get(k) != new.get(k):
            changed.append(f"{k} {old.get(k)!r} -> {new.get(k)!r}" if k != "scenario_sha256" else "the scenario changed")
    return "; ".join(changed[:3]) + (f"; and {len(changed) - 3} more" if len(changed) > 3 else "") or "unknown"
