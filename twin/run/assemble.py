"""Assembling stored runs into ``results.nc`` without holding the ensemble in memory.

The file is laid out first (coordinates, denominators, option tables, provenance) with
xarray, then each per-run variable is created with one chunk per run and filled run by run
with h5netcdf, so the peak memory is one run's records however many runs there are. The
result reads back lazily (``xr.open_dataset``).

Besides the model's records, ``results.nc`` stores what later stages would otherwise have to
rebuild: residents by zone and age band (the denominators), each option's description,
budget and intervention specs, each intervention's costs (capital, annual, lifetime, price
year, source), zone properties and boundaries, so ``compare``, ``report`` and the dashboard
never re-apply interventions or reload the place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from twin._names import AGE_BANDS
from twin.run.engine import Ensemble, RunKey

__all__ = ["assemble", "option_tables", "skeleton"]

_RUN_DIMS = ("option", "pathway", "replicate")
_WEATHER = ("station_tasmax", "station_tasmin")


def _lead(name: str) -> tuple[str, ...]:
    return ("pathway", "replicate") if name in _WEATHER else _RUN_DIMS


def option_tables(ens: Ensemble) -> dict[str, tuple]:
    """Option costs and specs as variables (dims ``option`` and ``cost_item``)."""
    rows = [(o, c) for o, costs in enumerate(ens.option_costs) for c in costs]
    totals = [_total_cost(c) for c in ens.option_costs]
    base_year = totals[0][2] if totals else 0
    money = {"units": "1", "currency": "GBP", "price_base_year": base_year}
    data: dict[str, tuple] = {
        "capital_cost": (("option",), np.array([t[0] for t in totals], float),
                         {**money, "long_name": "capital cost of the option's interventions (GBP)"}),
        "annual_cost": (("option",), np.array([t[1] for t in totals], float),
                        {**money, "long_name": "annual running cost of the option's interventions (GBP per year)"}),
        "option_budget": (("option",), np.array([np.nan if o.budget is None else float(o.budget)
                                                 for o in ens.scenario.options]),
                          {**money, "long_name": "budget the scenario sets for the option (GBP; NaN: none)"}),
        "option_description": (("option",), np.array([o.description or "" for o in ens.scenario.options], object),
                               {"long_name": "option description"}),
        "option_interventions": (("option",), np.array([json.dumps(_specs(o), sort_keys=True)
                                                        for o in ens.scenario.options], object),
                                 {"long_name": "the option's interventions as given in the scenario (JSON)"}),
        "cost_option": (("cost_item",), np.array([o for o, _ in rows], np.int32),
                        {"long_name": "index of the option an intervention cost belongs to", "units": "1"}),
        "cost_capital": (("cost_item",), np.array([float(c.capital) for _, c in rows]),
                         {"units": "1", "currency": "GBP", "long_name": "capital cost (GBP, at its price year)"}),
        "cost_annual": (("cost_item",), np.array([float(c.annual) for _, c in rows]),
                        {"units": "1", "currency": "GBP", "long_name": "annual cost (GBP per year, at its price year)"}),
        "cost_lifetime": (("cost_item",), np.array([float(c.lifetime_years) for _, c in rows]),
                          {"units": "year", "long_name": "lifetime before renewal"}),
        "cost_price_year": (("cost_item",), np.array([int(c.price_base_year) for _, c in rows], np.int32),
                            {"units": "1", "long_name": "price base year of the cost"}),
        "cost_intervention": (("cost_item",), np.array([str(c.intervention) for _, c in rows], object),
                              {"long_name": "intervention priced"}),
        "cost_notes": (("cost_item",), np.array([str(c.notes) for _, c in rows], object),
                       {"long_name": "quantities priced"}),
        "cost_source": (("cost_item",), np.array([str(c.source) for _, c in rows], object),
                        {"long_name": "source of the unit costs"}),
    }
    return data


def _total_cost(costs: Sequence[Any]) -> tuple[float, float, int]:
    """Capital and annual cost of an option, each intervention converted to one price base year."""
    from twin.analysis.appraisal import AppraisalSettings, convert_price

    settings = AppraisalSettings()
    capital = annual = 0.0
    for c in costs:
        year = int(getattr(c, "price_base_year", settings.price_base_year))
        capital += convert_price(float(c.capital), year, settings)
        annual += convert_price(float(c.annual), year, settings)
    return capital, annual, int(settings.price_base_year)


def _specs(option: Any) -> list[dict]:
    return [s.model_dump(mode="json", by_alias=True) if hasattr(s, "model_dump") else dict(s)
            for s in option.interventions]


def _zone_data(ens: Ensemble) -> tuple[dict[str, Any], dict[str, tuple]]:
    zones = ens.place.zones
    coords: dict[str, Any] = {
        "zone": [z.code for z in zones],
        "zone_name": ("zone", [z.name for z in zones]),
        "urban_rural": ("zone", [z.urban_rural for z in zones]),
        "deprivation_decile": ("zone", np.array([z.deprivation_decile for z in zones], np.int16)),
    }
    councils = [z.properties.get("council") for z in zones]
    if any(c is not None for c in councils):
        coords["council"] = ("zone", [str(c or "") for c in councils])
    data = {
        "zone_boundary": (("zone",), np.array([z.geometry.wkt for z in zones], object),
                          {"long_name": "zone boundary (WKT, British National Grid metres)",
                           "crs": "EPSG:27700"}),
        "zone_properties": (("zone",), np.array([json.dumps(dict(z.properties), sort_keys=True, default=str)
                                                 for z in zones], object),
                            {"long_name": "zone properties of the base place (JSON)"}),
    }
    return coords, data


def skeleton(ens: Ensemble, first: xr.Dataset) -> tuple[xr.Dataset, dict[str, tuple[tuple[str, ...], Any, dict]]]:
    """The results dataset without its per-run variables, and those variables' layout (CF 1.10 attributes)."""
    from twin._cf import finalize_cf

    first = finalize_cf(first, "results")
    by_age = ens.residents_by_age()
    if np.all(by_age == np.round(by_age)):
        by_age = by_age.astype(np.int64)
    data: dict[str, tuple] = {
        "residents": (("zone",), by_age.sum(axis=1), {"units": "1", "long_name": "residents"}),
        "residents_by_age": (("zone", "age_band"), by_age, {"units": "1", "long_name": "residents by age band"}),
    }
    data.update(option_tables(ens))
    from twin.analysis.progress_index import place_indicators

    data.update(place_indicators(ens.option_places, [z.code for z in ens.place.zones]))
    zcoords, zdata = _zone_data(ens)
    data.update(zdata)
    coords: dict[str, Any] = {
        "option": ens.options,
        "pathway": ens.pathways,
        "replicate": np.arange(ens.replicates),
        "age_band": list(AGE_BANDS),
        **zcoords,
    }
    if "time" in first.coords:
        coords["time"] = first["time"].values
    for name, coord in first.coords.items():  # the model's own dimensions (channel, service_type, ...)
        if name not in coords and set(coord.dims) <= {d for d in first.dims if d not in ("time", "zone", "age_band")}:
            coords[name] = (coord.dims, coord.values, dict(coord.attrs))
    layout = {str(name): (_lead(str(name)) + tuple(var.dims), var.dtype, dict(var.attrs))
              for name, var in first.data_vars.items()}
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(first.attrs)
    return finalize_cf(ds, "results"), layout


def assemble(ens: Ensemble, load: Callable[[RunKey], xr.Dataset], path: Path, *,
             attrs: dict[str, Any], keys: Sequence[RunKey] | None = None) -> Path:
    """Write ``results.nc`` at ``path`` from the stored runs, one run in memory at a time."""
    import h5netcdf

    keys = list(keys or ens.keys())
    first = load(keys[0])
    base, layout = skeleton(ens, first)
    sizes = dict(base.sizes)
    sizes.update({d: n for d, n in first.sizes.items()})
    weather: dict[str, np.ndarray] = {}
    if all(w in layout for w in _WEATHER):
        weather = {w: np.zeros((len(ens.pathways), ens.replicates, first.sizes["time"]), np.float32) for w in _WEATHER}
    base.attrs.update(attrs)
    base.to_netcdf(path, engine="h5netcdf")
    with h5netcdf.File(path, "a") as f:
        for d in {d for dims, _, _ in layout.values() for d in dims}:
            if d not in f.dimensions:
                f.dimensions[d] = sizes[d]
        for name, (dims, dtype, vattrs) in layout.items():
            shape = tuple(sizes[d] for d in dims)
            n_lead = len(_lead(name))
            chunks = (1,) * n_lead + shape[n_lead:]
            var = f.create_variable(name, dims, dtype=dtype, chunks=chunks if all(chunks) else None,
                                    compression="gzip", compression_opts=4)
            for k, v in vattrs.items():
                var.attrs[k] = v
        for i, key in enumerate(keys):
            ds = first if i == 0 else load(key)
            for name in layout:
                values = ds[name].transpose(*layout[name][0][len(_lead(name)):]).values
                if name in _WEATHER:
                    if key.option == 0:
                        f.variables[name][key.pathway, key.replicate] = values
                        weather[name][key.pathway, key.replicate] = values
                else:
                    f.variables[name][key.option, key.pathway, key.replicate] = values
    if weather and getattr(ens.scenario.outputs, "heat_indices", False):
        _add_heat_indices(path, weather, base["time"].values if "time" in base.coords else None, ens)
    return path


def _add_heat_indices(path: Path, weather: dict[str, np.ndarray], time: Any, ens: Ensemble) -> None:
    """Heat indices (xclim's definitions) of each pathway and replicate, summed over the period's years."""
    import h5netcdf

    from twin.climate import heat_indices

    dims = ("pathway", "replicate", "time")
    w = xr.Dataset({v: (dims, weather[f"station_{v}"], {"units": "degC"}) for v in ("tasmax", "tasmin")},
                   coords={"time": time})
    ind = heat_indices(w, region=ens.place.meta.get("region"))
    labels = {"heat_wave_frequency": "heat waves (heat-health day and night thresholds on consecutive days)",
              "heat_wave_max_length": "longest heat wave", "tropical_nights": "nights with Tmin above 20 degC"}
    with h5netcdf.File(path, "a") as f:
        for name, da in ind.data_vars.items():
            total = da.max("time") if name.endswith("max_length") else da.sum("time")
            label = labels.get(name) or f"days with Tmax above {name.rsplit('_', 1)[-1]} degC"
            var = f.create_variable(name, ("pathway", "replicate"), data=total.values.astype(np.float32))
            var.attrs["units"] = "days" if not name.endswith("frequency") else "1"
            var.attrs["long_name"] = f"{label}, over the period"
            var.attrs["source"] = "xclim.indices definitions, on the place-level daily series"
