"""The options of a run as ``results.nc`` stores them: costs, budgets, descriptions, zones.

The run engine stores each intervention's costs (capital, annual, lifetime, price year,
source), each option's budget, description and intervention specs, and the zones'
boundaries and properties in ``results.nc`` (:mod:`twin.run.assemble`), so appraisal, the
report and the dashboard read them back here instead of re-applying interventions to a
reloaded place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["OptionSetup", "stored_options", "zones_from_results"]


@dataclass
class OptionSetup:
    """Per option name: list of Cost, budget, description, intervention specs; the zones."""

    zones: list[Any]
    costs: dict[str, list[Any]]
    budgets: dict[str, float | None]
    descriptions: dict[str, str] = field(default_factory=dict)
    interventions: dict[str, list[dict]] = field(default_factory=dict)
    description: str = ""
    place_summary: str = ""


def zones_from_results(results: xr.Dataset) -> list[Any] | None:
    """The place's zones (boundaries and properties) as stored in ``results``; None if absent."""
    if "zone_boundary" not in results:
        return None
    from shapely import wkt

    from twin.place import Zone

    props = results["zone_properties"].values if "zone_properties" in results else [None] * results.sizes["zone"]
    out = []
    for i, code in enumerate(results["zone"].values):
        out.append(Zone(
            code=str(code),
            name=str(results["zone_name"].values[i]) if "zone_name" in results.coords else str(code),
            urban_rural=str(results["urban_rural"].values[i]) if "urban_rural" in results.coords else "urban",
            deprivation_decile=int(results["deprivation_decile"].values[i]) if "deprivation_decile" in results.coords else 0,
            geometry=wkt.loads(str(results["zone_boundary"].values[i])),
            properties=json.loads(str(props[i])) if props[i] is not None else {},
        ))
    return out


def stored_options(results: xr.Dataset) -> OptionSetup | None:
    """The options stored in ``results``; None for results written without option tables."""
    if "cost_option" not in results or "option_budget" not in results:
        return None
    from twin.interventions import Cost

    options = [str(o) for o in results["option"].values]
    costs: dict[str, list[Any]] = {o: [] for o in options}
    item = results["cost_option"].values
    for k in range(item.size):
        costs[options[int(item[k])]].append(Cost(
            capital=float(results["cost_capital"].values[k]),
            annual=float(results["cost_annual"].values[k]),
            lifetime_years=float(results["cost_lifetime"].values[k]),
            price_base_year=int(results["cost_price_year"].values[k]),
            source=str(results["cost_source"].values[k]),
            intervention=str(results["cost_intervention"].values[k]),
            notes=str(results["cost_notes"].values[k]),
        ))
    budgets = {o: (None if np.isnan(b) else float(b)) for o, b in zip(options, results["option_budget"].values)}
    return OptionSetup(
        zones=zones_from_results(results) or [],
        costs=costs,
        budgets=budgets,
        descriptions={o: str(d) for o, d in zip(options, results["option_description"].values)},
        interventions={o: json.loads(str(s)) for o, s in zip(options, results["option_interventions"].values)},
        description=str(results.attrs.get("scenario_description", "")),
        place_summary=str(results.attrs.get("place_summary", results.attrs.get("place", ""))),
    )
