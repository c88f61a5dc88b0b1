"""Mesa models of the place's residents and services (installed as ``twin.models``).

Each model registers itself by name so a scenario can say ``model: heat_exposure``.
A registry entry carries the model's parameter class (a pydantic model that imports
without Mesa, so ``twin validate`` stays fast) and the path of its class,
``"twin.models.heat_health:HeatHealthModel"``, imported only when a run starts. The class
keeps the contract of :mod:`twin.models.base` (a :class:`~twin.models.base.TwinModel`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

__all__ = ["ModelEntry", "get_model", "model_names", "register_composite", "register_model"]


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: its name, parameter class and the path of its class."""

    name: str
    Params: type[BaseModel]
    target: str  # "twin.models.exposure:HeatExposureModel": a TwinModel subclass
    description: str = ""
    #: Daily variables by zone, ``(time, zone)``, the run records (what a trial's outcome may be);
    #: declared here so ``twin validate`` can check a trial without importing the model.
    zone_variables: tuple[str, ...] = ()
    #: Runs individually randomised trials: residents' ``trial_arm`` column, services restricted to the
    #: treated arm, outcomes by arm (see :mod:`twin.models.base`).
    resident_trials: bool = False
    #: names of the registered models a composite runs together (empty: a single model)
    parts: tuple[str, ...] = ()
    #: Measured cost of one simulated resident-day, seconds on one core (``twin validate`` and
    #: ``twin run`` estimate an ensemble's time from it; ``benchmarks/run_cost.py`` measures it).
    seconds_per_resident_day: float = 0.0

    def load(self) -> Any:
        """Import the model's class (this is where Mesa gets imported)."""
        module, _, cls = self.target.partition(":")
        model = getattr(importlib.import_module(module), cls)
        model.model_name = self.name
        return model


_REGISTRY: dict[str, ModelEntry] = {}


def register_model(name: str, Params: type[BaseModel], target: str, description: str = "", *,
                   zone_variables: tuple[str, ...] = (), resident_trials: bool = False,
                   seconds_per_resident_day: float = 0.0) -> ModelEntry:
    """Register a model by name: its parameter class and ``"module:Class"`` of its TwinModel
    (``zone_variables``: its daily by-zone outputs, for checking a trial's outcome without importing it;
    ``seconds_per_resident_day``: its measured cost, for estimating an ensemble's time)."""
    if ":" not in target:
        raise ValueError(f"model target must be 'module:Class', got {target!r}")
    entry = ModelEntry(name, Params, target, description, tuple(zone_variables), bool(resident_trials),
                       seconds_per_resident_day=float(seconds_per_resident_day))
    _REGISTRY[name] = entry
    return entry


def register_composite(name: str, parts: tuple[str, ...], description: str = "", *,
                       seconds_per_resident_day: float | None = None) -> ModelEntry:
    """Register ``name`` as the registered models ``parts`` run together (:mod:`twin.models.composite`).

    Its parameters are one section per part (each checked by that part's ``Params``); its records
    are the parts' records merged, so the appraisal counts every part's benefits together.
    """
    from pydantic import ConfigDict, Field, create_model

    if len(parts) < 2 or len(set(parts)) != len(parts):
        raise ValueError(f"a composite needs two or more distinct models, got {parts!r}")
    entries = [_REGISTRY[p] for p in parts]  # KeyError: register the parts first
    fields = {p: (e.Params, Field(default_factory=e.Params, description=f"Parameters of the {p} model."))
              for p, e in zip(parts, entries)}
    Params = create_model(f"{name.title().replace('_', '')}Params", __config__=ConfigDict(extra="forbid"), **fields)
    Params.__doc__ = f"Parameters of the ``{name}`` composite: one section per model ({', '.join(parts)})."
    zone_vars = tuple(v for e in entries for v in e.zone_variables)
    cost = sum(e.seconds_per_resident_day for e in entries) if seconds_per_resident_day is None else seconds_per_resident_day
    entry = ModelEntry(name, Params, f"twin.models.composite:{name}", description, zone_vars, parts=tuple(parts),
                       seconds_per_resident_day=float(cost))
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
