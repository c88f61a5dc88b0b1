"""Libraries a process of twin's own marks absent: xarray would import them only to rule them out.

Imports nothing itself, so the ``twin`` command can call it before anything else.
"""

from __future__ import annotations

import signal
import sys

__all__ = ["NOT_USED", "init_worker", "mark_unused_absent"]

#: Libraries that xarray imports, if installed, the first time it makes an array, only to check that
#: the array is not one of theirs (dask, pint, cupy, sparse, cubed); and pyarrow, which pandas imports
#: to offer an optional engine. Importing dask.array, with scipy.fft through it, takes about 1.3 s.
#: A local worker and a ``twin`` command (except ``twin run --executor dask``) make none of these
#: arrays, so their processes mark the libraries absent before anything is imported.
NOT_USED = ("dask", "pint", "cupy", "sparse", "cubed", "pyarrow")


def mark_unused_absent() -> None:
    """Mark :data:`NOT_USED` absent in this process. Call it only in a process of twin's own,
    before any of them is imported: a library imported already is left as it is."""
    for name in NOT_USED:
        sys.modules.setdefault(name, None)  # type: ignore[assignment]


def init_worker() -> None:
    """A local pool's worker: Ctrl-C is the main process's to handle, and no array library is needed.

    It lives here, not beside the pool, because a spawned worker imports its initializer's module
    before calling it, and xarray, once imported, remembers whether dask is installed.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    mark_unused_absent()
