"""Demographic projections: cohort-component by zone, variants, service demand.

The pure engine lives in :mod:`.projection` and :mod:`.rates` (numpy arrays, zone x sex x age);
:mod:`.outputs` wraps it into CF-annotated xarray Datasets and files, :mod:`.demand` turns a
projection into service demand, :mod:`.plots` draws it. :mod:`.spec` (the scenario's
``demography:`` section) imports only pydantic, and the rest is loaded lazily on first use so
that ``from twin.demography.spec import DemographySpec`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from .spec import BUILTIN_VARIANTS, DemographySpec, Variant, spec_hash

__all__ = [
    "BUILTIN_VARIANTS",
    "DemographySpec",
    "Variant",
    "age_population",
    "population_for_year",
    "project",
    "run_projection",
    "service_demand",
    "spec_hash",
]

_LAZY = {
    "project": "projection",
    "age_population": "projection",
    "population_for_year": "outputs",
    "run_projection": "outputs",
    "service_demand": "demand",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
