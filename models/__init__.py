"""Mesa models of the place's residents and services (installed as ``twin.models``).

Each model registers itself by name so a scenario can say ``model: heat_exposure``.
A registry entry carries the model's parameter class (a pydantic model that imports
without Mesa, so ``twin validate`` stays fast) and the dotted path of its ``run``
function, imported only when a run starts.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

__all__ = ["ModelEntry", "get_model", "model_names", "register_model"]


@dataclass(frozen=True)
class ModelEntry:
    """A registered model: its name, parameter class and the path of its run function."""

    name: str
    Params: type[BaseModel]
    run_path: str  # "twin.models.exposure:run"
    description: str = ""

    @property
    def run(self) -> Callable[..., Any]:
        module, _, attr = self.run_path.partition(":")
        return getattr(importlib.import_module(module), attr)


_REGISTRY: dict[str, ModelEntry] = {}


def register_model(name: str, Params: type[BaseModel], run_path: str, description: str = "") -> ModelEntry:
    entry = ModelEntry(name, Params, run_path, description)
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
