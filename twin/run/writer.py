"""Output directories: refuse to clobber, check writability, build in a staging folder, publish whole.

Every command that writes results (``twin run``, ``twin project``, ``twin trial``) goes
through these three steps, so an existing result is never overwritten without
``--overwrite``, an unwritable directory is a one-line :class:`~twin.errors.OutputError`,
and a failure part-way leaves no half-written output.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from twin.errors import OutputError

__all__ = ["claim", "publish", "staging"]


def claim(out: Path, *, holds: Iterable[str] | None, overwrite: bool, what: str = "results") -> None:
    """Check that ``out`` may receive outputs, creating it if needed.

    ``holds`` names the outputs that count as an existing result (``None``: anything in the
    directory does). Raises :class:`OutputError` for a file in the way, an existing result
    without ``overwrite``, or a directory that cannot be written.
    """
    try:
        if out.exists() and not out.is_dir():
            raise OutputError("output path exists and is not a directory", field="-o", value=str(out))
        if out.is_dir() and not overwrite:
            existing = any(out.iterdir()) if holds is None else any((out / n).exists() for n in holds)
            if existing:
                raise OutputError(
                    f"output directory already holds {what}", field="-o", value=str(out),
                    hint="pass --overwrite to replace them, or choose another directory with -o",
                )
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except PermissionError as err:
        raise OutputError("output directory is not writable", field="-o", value=str(out)) from err
    except OSError as err:
        if isinstance(err, OutputError):
            raise
        raise OutputError(f"cannot write the output directory ({err.strerror})", field="-o", value=str(out)) from err


def staging(out: Path) -> Path:
    """A fresh, empty ``out/.staging`` folder to build outputs in."""
    folder = out / ".staging"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def publish(folder: Path, out: Path, names: Iterable[str]) -> None:
    """Move the named outputs from the staging ``folder`` into ``out`` (replacing old ones), then drop it."""
    try:
        for name in names:
            src, target = folder / name, out / name
            if not src.exists():
                continue
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(src, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
