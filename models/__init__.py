"""Mesa models of the place's residents and services (installed as ``twin.models``).

Each model registers itself by name so a scenario can say ``model: heat_exposure``.
A registry entry carries the model's parameter class (a pydantic model that imports
without Mesa, so ``twin validate`` stays fast) and the dotted path of its module,
imported only when a run starts. The module defines
``make_residents(place, params, rng) -> Residents`` (drawn once per replicate and
shared by every option: common random numbers) and
``run(place, drivers, residents, params, *, rng) -> xarray.Dataset`` (one run's records).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

__all__ = ["ModelEntry", "get_model", "model_names", "register_model"]


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: its name, parameter class and the path of its run function."""

    name: str
    Params: type[BaseModel]
    module: str  # "twin.models.exposure": defines make_residents(place, params, rng) and run(...)
    description: str = ""
    #: Daily variables by zone, ``(time, zone)``, the run records (what a trial's outcome may be);
    #: declared here so ``twin validate`` can check a trial without importing the model.
    zone_variables: tuple[str, ...] = ()

    def load(self) -> Any:
        """Import the model's module (this is where Mesa gets imported)."""
        return importlib.import_module(self.module)


_REGISTRY: dict[str, ModelEntry] = {}


def register_model(name: str, Params: type[BaseModel], module: str, description: str = "", *,
                   zone_variables: tuple[str, ...] = ()) -> ModelEntry:
    entry = ModelEntry(name, Params, module, description, tuple(zone_variables))
    _REGISTRY[name] = entry
    return entry


def _ensure_loaded() -> None:
    # parameter modules are light (pydantic only); importing them registers the models
    from twin.models import params  # noqa: F401


def model_names() -> tuple[str, ...]:
    _ensure_loaded()
    return tuple(sorted(_REGISTRY))


def get_model(name: str) -> ModelEntry:
    """Return the registry entry for ``name``; KeyError if unknown (callers turn it into a ScenarioError)."""
    _ensure_loaded()
    return _REGISTRY[name]
