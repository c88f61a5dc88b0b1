"""The one writer: every command that writes results goes through :class:`OutputDir`.

claim → lock → stage → write (NetCDF, CSV, PNG, HTML, JSON) → manifest → publish.

- **claim**: the directory is created if needed; an existing result is refused without
  ``--overwrite``; a path that is a file, unwritable or special is a one-line
  :class:`~twin.errors.OutputError` before any work.
- **lock**: ``DIR/.lock`` (created with ``O_EXCL``) names the process holding it; a second
  writer is refused with one line naming the holder; a lock whose process is gone is taken over.
- **stage**: outputs are written into a fresh private folder ``DIR/.staging-<pid>``.
- **publish**: only when everything is written are the outputs moved into place; with
  ``--overwrite`` the previous outputs are moved aside first and deleted only once the new
  ones are in, so a failure at any point leaves the previous result exactly as it was and
  nothing new beside it.

Nothing here follows a symbolic link it did not create: new files are opened with
``O_EXCL | O_NOFOLLOW``, and links found where the writer works are refused.

:func:`atomic_write` is the same guarantee for one file written outside a results directory
(``write_indicators_csv(path)``, a plot saved from a notebook): a temporary name, renamed
when whole. :func:`manifest` is the one manifest format.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from twin.errors import OutputError

__all__ = ["OutputDir", "atomic_write", "manifest", "write_new"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def write_new(path: Path, data: bytes | str) -> None:
    """Create ``path`` (must not exist, not even as a link) and write ``data``."""
    if isinstance(data, str):
        data = data.encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def manifest(*, kind: str, scenario: Any = None, seed: int | None = None, outputs: Iterable[str] = (),
             input_checksums: dict[str, str] | None = None, timings: dict[str, Any] | None = None,
             **extra: Any) -> dict[str, Any]:
    """The manifest of an output directory: what made it, from what, and what it holds."""
    import numpy as np
    import xarray as xr

    from twin import __version__

    out: dict[str, Any] = {"kind": kind, "placetwin_version": __version__}
    if scenario is not None:
        out["scenario"] = {
            "name": scenario.name,
            "path": str(scenario.path) if getattr(scenario, "path", None) else None,
            "sha256": scenario.sha256,
            "text": scenario.text,
        }
    if seed is not None:
        out["seed"] = int(seed)
    out.update(extra)
    out["input_checksums"] = dict(input_checksums or {})
    out["outputs"] = list(outputs)
    out["environment"] = {"python": sys.version.split()[0], "numpy": np.__version__, "xarray": xr.__version__}
    if timings is not None:
        out["timings_seconds"] = timings
    return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OutputDir:
    """One command's outputs in one directory (see the module docstring).

    Parameters
    ----------
    out
        The output directory.
    holds
        The names of this command's outputs (what counts as an existing result).
    overwrite
        Replace an existing result (only once the new one is whole).
    what
        What the outputs are, for messages ("results", "a projection", "a trial").

    Use as a context manager; write into :attr:`stage`, then call :meth:`publish`.
    """

    def __init__(self, out: str | os.PathLike[str], *, holds: Iterable[str], overwrite: bool = False,
                 what: str = "results") -> None:
        self.out = Path(out)
        self.holds = tuple(holds)
        self.overwrite = overwrite
        self.what = what
        self.stage: Path | None = None
        self._lock: Path | None = None
        self.created = False

    # -- claim and lock ------------------------------------------------------------------
    def claim(self) -> None:
        out = self.out
        try:
            if out.is_symlink() and not out.is_dir():
                raise OutputError("output path is a link to something that is not a directory", field="-o",
                                  value=str(out))
            if out.exists() and not out.is_dir():
                raise OutputError("output path exists and is not a directory", field="-o", value=str(out))
            if out.is_dir() and not self.overwrite and self.existing():
                raise OutputError(
                    f"output directory already holds {self.what}", field="-o", value=str(out),
                    hint="pass --overwrite to replace them, or choose another directory with -o",
                )
            if not out.exists():
                out.mkdir(parents=True)
                self.created = True
            probe = out / f".write-test-{os.getpid()}-{time.monotonic_ns()}"
            write_new(probe, b"ok")
            probe.unlink()
        except OutputError:
            raise
        except PermissionError as err:
            raise OutputError("output directory is not writable", field="-o", value=str(out)) from err
        except OSError as err:
            raise OutputError(f"cannot write the output directory ({err.strerror})", field="-o",
                              value=str(out)) from err

    def existing(self) -> list[str]:
        return [n for n in self.holds if (self.out / n).exists() or (self.out / n).is_symlink()]

    def lock(self) -> None:
        path = self.out / ".lock"
        text = json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                           "command": " ".join(sys.argv[:3])})
        for _ in range(2):
            try:
                write_new(path, text)
                self._lock = path
                return
            except FileExistsError:
                try:
                    holder = json.loads(path.read_text())
                    pid = int(holder["pid"])
                except (OSError, ValueError, KeyError, TypeError):
                    holder, pid = {}, -1
                if pid > 0 and pid != os.getpid() and _pid_alive(pid):
                    raise OutputError(
                        f"output directory is in use by another twin process (pid {pid}, started "
                        f"{holder.get('started', '?')})", field="-o", value=str(self.out),
                        hint="wait for it to finish, or choose another directory") from None
                path.unlink(missing_ok=True)  # stale: its process is gone
        raise OutputError("cannot lock the output directory", field="-o", value=str(self.out))

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.unlink(missing_ok=True)
            self._lock = None

    # -- stage and publish -----------------------------------------------------------------
    def __enter__(self) -> OutputDir:
        self.claim()
        self.lock()
        try:
            for old in self.out.glob(".staging*"):  # left by a killed process (or planted)
                if old.is_symlink() or old.is_file():
                    old.unlink()
                elif not _owned_by_live_process(old):
                    shutil.rmtree(old, ignore_errors=True)
            self.stage = self.out / f".staging-{os.getpid()}"
            self.stage.mkdir()
        except BaseException:
            self.unlock()
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if self.stage is not None:
                shutil.rmtree(self.stage, ignore_errors=True)
                self.stage = None
            if exc[0] is not None and self.created:
                # a directory this command created and that holds nothing else goes too
                leftovers = [p for p in self.out.iterdir() if p.name != ".lock"] if self.out.is_dir() else []
                if not leftovers:
                    self.unlock()
                    shutil.rmtree(self.out, ignore_errors=True)
        finally:
            self.unlock()

    def path(self, name: str) -> Path:
        """Where to write output ``name`` in the staging folder."""
        if self.stage is None:
            raise RuntimeError("OutputDir used outside its with-block")
        return self.stage / name

    def write_netcdf(self, ds: Any, name: str, *, compress: bool = True) -> Path:
        path = self.path(name)
        encoding = {}
        if compress:
            encoding = {v: {"compression": "gzip", "compression_opts": 4} for v in ds.data_vars if ds[v].ndim > 0}
        ds.to_netcdf(path, engine="h5netcdf", encoding=encoding)
        return path

    def write_text(self, name: str, text: str) -> Path:
        path = self.path(name)
        write_new(path, text)
        return path

    def write_json(self, name: str, obj: Any) -> Path:
        return self.write_text(name, json.dumps(obj, indent=2, default=str) + "\n")

    def publish(self, names: Iterable[str] | None = None) -> list[str]:
        """Move the staged outputs into place, replacing old ones only now; returns what moved."""
        assert self.stage is not None
        staged = [n for n in (self.holds if names is None else names) if (self.stage / n).exists()]
        aside = self.out / f".previous-{os.getpid()}"
        if aside.exists() or aside.is_symlink():
            shutil.rmtree(aside) if aside.is_dir() and not aside.is_symlink() else aside.unlink()
        aside.mkdir()
        moved_aside: list[str] = []
        try:
            for n in self.holds:  # the previous result goes aside as a whole (also outputs not remade now)
                target = self.out / n
                if target.exists() or target.is_symlink():
                    os.replace(target, aside / n)
                    moved_aside.append(n)
            for n in staged:
                os.replace(self.stage / n, self.out / n)
        except BaseException:
            for n in staged:  # undo: take out what went in, put the previous result back
                if (self.out / n).exists() and not (aside / n).exists():
                    p = self.out / n
                    shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
            for n in moved_aside:
                p = self.out / n
                if p.exists() or p.is_symlink():
                    shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
                os.replace(aside / n, p)
            shutil.rmtree(aside, ignore_errors=True)
            raise
        shutil.rmtree(aside, ignore_errors=True)
        self.created = False
        return staged


def _owned_by_live_process(folder: Path) -> bool:
    try:
        pid = int(folder.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return False
    return pid != os.getpid() and _pid_alive(pid)
