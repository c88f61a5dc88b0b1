"""Rebuild a run's options (places after interventions, per-intervention costs, budgets) from results.

``results.nc`` stores the scenario text (``attrs["scenario"]``) but only each option's total
capital and annual cost. Appraisal needs per-intervention lifetimes and price years, the report
needs each option's place (new services, zone properties) for maps and the progress index; both
come from re-applying the options to the place, which is deterministic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr

from twin.errors import TwinError

__all__ = ["OptionSetup", "rebuild_options"]


@dataclass
class OptionSetup:
    """The base place and, per option name: place, list of Cost, budget, description, interventions."""

    place: Any
    places: dict[str, Any]
    costs: dict[str, list[Any]]
    budgets: dict[str, float | None]
    descriptions: dict[str, str] = field(default_factory=dict)
    interventions: dict[str, list[dict]] = field(default_factory=dict)
    scenario: Any = None


def _scenario_base_dir(results_dir: Path | None) -> Path | None:
    if results_dir is None:
        return None
    manifest = Path(results_dir) / "manifest.json"
    try:
        path = json.loads(manifest.read_text())["scenario"]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Path(path).parent if path else None


def rebuild_options(results: xr.Dataset, results_dir: str | Path | None = None) -> OptionSetup | None:
    """Re-apply the scenario's options to its place; ``None`` when the results carry no usable scenario.

    The scenario is re-validated from ``results.attrs["scenario"]`` (relative paths resolved against
    the scenario's directory recorded in ``manifest.json``); a scenario that no longer validates
    (e.g. its model is not installed) gives ``None`` and callers fall back to the stored totals.
    """
    text = results.attrs.get("scenario")
    if not text:
        return None
    from twin.interventions import apply_option
    from twin.place import Place, resolve_place
    from twin.scenario import loads

    base = _scenario_base_dir(Path(results_dir) if results_dir is not None else None)
    try:
        sc = loads(str(text), file="results.nc:scenario", base_dir=base)
        place = Place.load(resolve_place(sc.place, sc.base_dir))
    except (TwinError, OSError):
        return None
    setup = OptionSetup(place=place, places={}, costs={}, budgets={}, scenario=sc)
    for opt in sc.options:
        p, costs = apply_option(place, opt.interventions)
        setup.places[opt.name] = p
        setup.costs[opt.name] = list(costs)
        setup.budgets[opt.name] = opt.budget
        setup.descriptions[opt.name] = opt.description
        setup.interventions[opt.name] = [
            s.model_dump(mode="json", by_alias=True) if hasattr(s, "model_dump") else dict(s) for s in opt.interventions
        ]
    return setup
