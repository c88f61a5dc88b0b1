"""placetwin: a digital twin of a place for testing climate-adaptation options and demographic futures.

The stages, in the order data flows through them::

    twin.scenario  ->  twin.place  ->  twin.climate  ->  twin.run  ->  twin.analysis  ->  twin.plot / twin.report
    (what to run)     (where)         (the weather)     (the models)   (the answers)       (for people)

with the Mesa models in ``twin.models`` and the feature packages ``twin.health``,
``twin.demography``, ``twin.trials`` and ``twin.interventions``. From a notebook, one import
is enough: ``twin.load_scenario``, ``twin.load_place``, ``twin.run``, ``twin.load_results``,
``twin.project``, ``twin.trial``, ``twin.compare`` (see :mod:`twin._api`).
"""

from __future__ import annotations

from pathlib import Path as _Path
from typing import Any

# The user's layout keeps models/, cli.py and data/ beside twin/. The wheel maps them into
# this package (twin.models, twin.cli, twin/data/places: see pyproject.toml). In a source
# checkout (and an editable install, which points at the checkout's twin/) they are found the
# same way, by adding the checkout's root to this package's search path, so `twin.models` and
# `twin.cli` import identically everywhere and no bare `models` or `cli` module is importable.
_here = _Path(__file__).resolve().parent
if not (_here / "models").is_dir() and (_here.parent / "models" / "__init__.py").is_file():
    __path__.append(str(_here.parent))  # noqa: F821 - package __path__

__all__ = ["__version__", "compare", "load_place", "load_results", "load_scenario", "project", "run", "trial"]

_API = {"compare", "load_place", "load_results", "load_scenario", "project", "trial"}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("placetwin")
    except PackageNotFoundError:  # running from a source checkout without an install
        return "0.1.0+source"


def __getattr__(name: str) -> Any:  # lazy: `import twin` stays light (PEP 562)
    if name == "__version__":  # importlib.metadata costs ~50 ms; twin validate never needs it
        globals()["__version__"] = v = _version()
        return v
    if name in _API:
        from twin import _api

        return getattr(_api, name)
    if name == "run":  # the stage package, callable as twin.run(scenario, out, ...)
        import importlib

        return importlib.import_module("twin.run")
    raise AttributeError(f"module 'twin' has no attribute {name!r}")
