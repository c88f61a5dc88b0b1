"""The run store: finished runs kept on disk so an interrupted ensemble resumes where it stopped.

``DIR/.runs/`` holds one NetCDF file per finished run (written to a temporary name and
renamed when whole, so a killed process never leaves a half-written run under a run's
name) and ``pins.json``: what the stored runs were computed from: the scenario's hash, seed,
replicates, package version and the checksum of every input file. A rerun whose inputs
differ refuses to resume (one line saying what changed) rather than mixing stale runs with
new ones; a run file that cannot be read is deleted and run again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

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
        ds.to_netcdf(tmp, engine="h5netcdf")
        os.replace(tmp, target)

    def load(self, key: RunKey) -> xr.Dataset:
        return xr.load_dataset(self.path(key), engine="h5netcdf")

    def remove(self) -> None:
        """Delete the store (after its runs were assembled and published)."""
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


def _readable(path: Path) -> bool:
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return len(ds.data_vars) > 0
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
