"""Numba's ``njit`` if Numba is installed, else a decorator that leaves the function as plain Python.

Compiled functions are cached on disk (``cache=True``), so a process compiles each one only
the first time it is ever used on a machine. Code with a faster NumPy path for the case
without Numba checks :data:`HAVE_NUMBA` (the ``heat_health`` model does,
:mod:`twin.health.kernel`); functions that are only ever called on a few items (the
services' queues) simply run as Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["HAVE_NUMBA", "njit"]

try:
    from numba import njit as _numba_njit
except ImportError:  # pragma: no cover - exercised only where numba is missing
    _numba_njit = None

HAVE_NUMBA = _numba_njit is not None


def njit(*args: Any, **kw: Any) -> Callable:
    """``numba.njit`` (same arguments), or the identity decorator without Numba."""
    if _numba_njit is not None:
        return _numba_njit(*args, **kw)
    if len(args) == 1 and callable(args[0]) and not kw:
        return args[0]
    return lambda f: f
