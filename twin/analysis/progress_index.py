"""A community progress index per zone, built the Social Progress Index way (FACTS.md s8).

Structure (outcome indicators only, no spending):

=========================  ===========================  ===============================================
dimension                  component                    indicators (worst "dystopia" -> best "utopia")
=========================  ===========================  ===============================================
basic_human_needs          personal_safety              heat deaths per 100,000 a season (20 -> 0);
                                                        heat illness per 100,000 a season (100 -> 0);
                                                        flood harm per 1,000 a season (50 -> 0), if present
foundations_of_wellbeing   health_and_wellness          hot-day exposure, person-days per resident a season (30 -> 0)
foundations_of_wellbeing   access_to_information        residents signed up to heat alerts (0 -> 1);
                                                        help sought and given: contacts / (contacts + unmet demand) (0 -> 1)
opportunity                access_to_services           residents' mean distance to the nearest face-to-face service
                                                        (5,000 m -> 400 m); face-to-face capacity per 1,000 residents
                                                        a day (0 -> 20)
=========================  ===========================  ===============================================

Each indicator is scaled ``100 * (x - worst) / (best - worst)`` and clipped to 0..100. The worst and
best values are stated assumptions (L), chosen so the bundled places spread across the scale; the SPI
sets its own per indicator the same way. Components are the plain mean of their indicators (the SPI
uses factor-analysis weights; with two or three indicators equal weights are the honest choice),
dimensions the mean of their components, the index the mean of the dimensions (equal weights, as the
SPI). An indicator absent from the results (or without a place to measure) is left out and its
component averages the rest; a component with no indicator is left out of its dimension.

Indicators come per run (option × pathway × replicate); the index is computed per replicate and
then averaged, so it can carry intervals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["INDICATORS", "PLACE_INDICATOR_PREFIX", "IndicatorSpec", "place_indicators", "progress_index", "progress_map", "scale"]

RUN_DIMS = ("option", "pathway", "replicate")


@dataclass(frozen=True)
class IndicatorSpec:
    """One SPI indicator: its component, dimension, worst and best values and units."""

    name: str
    component: str
    dimension: str
    worst: float
    best: float
    units: str
    description: str


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("heat_deaths_per_100k", "personal_safety", "basic_human_needs", 20.0, 0.0, "per 100000 a season",
                  "heat-attributable deaths"),
    IndicatorSpec("heat_illness_per_100k", "personal_safety", "basic_human_needs", 100.0, 0.0, "per 100000 a season",
                  "heat illness episodes"),
    IndicatorSpec("flood_harm_per_1000", "personal_safety", "basic_human_needs", 50.0, 0.0, "per 1000 a season",
                  "residents harmed by flooding"),
    IndicatorSpec("hot_days_per_resident", "health_and_wellness", "foundations_of_wellbeing", 30.0, 0.0,
                  "person-days per resident", "hot-day exposure"),
    IndicatorSpec("alert_signup", "access_to_information", "foundations_of_wellbeing", 0.0, 1.0, "1",
                  "share signed up to heat alerts"),
    IndicatorSpec("help_met_share", "access_to_information", "foundations_of_wellbeing", 0.0, 1.0, "1",
                  "contacts / (contacts + unmet demand)"),
    IndicatorSpec("distance_to_service_m", "access_to_services", "opportunity", 5000.0, 400.0, "m",
                  "mean distance to the nearest face-to-face service"),
    IndicatorSpec("f2f_capacity_per_1000", "access_to_services", "opportunity", 0.0, 20.0, "per 1000 a day",
                  "face-to-face service capacity"),
)
#: Variables read for each results-based indicator, first present wins.
_SOURCES = {
    "heat_deaths_per_100k": (("expected_attributable_deaths", "attributable_deaths"), 1e5),
    "heat_illness_per_100k": (("expected_heat_illness", "heat_illness"), 1e5),
    "flood_harm_per_1000": (("flood_affected", "flooded_residents"), 1e3),
    "hot_days_per_resident": (("hot_day_exposure", "hot_day_exposure_by_age"), 1.0),
}
_NOT_LOCAL = {"school", "care_home", "home_visit_team", "alert_channel", "contact_centre"}


def scale(x: Any, worst: float, best: float) -> Any:
    """SPI scaling: 0 at ``worst``, 100 at ``best``, clipped."""
    return np.clip(100.0 * (x - worst) / (best - worst), 0.0, 100.0)


def _n_seasons(results: xr.Dataset) -> int:
    from twin.analysis.appraisal import _n_seasons as n

    return n(results)


def _results_indicators(results: xr.Dataset) -> dict[str, xr.DataArray]:
    out = {}
    pop = results["residents"].astype(float)
    pop = pop.where(pop > 0)
    seasons = _n_seasons(results)
    for name, (variables, per) in _SOURCES.items():
        var = next((v for v in variables if v in results.data_vars), None)
        if var is None:
            continue
        da = results[var].astype(float)
        da = da.sum([d for d in da.dims if d not in RUN_DIMS + ("zone",)])
        out[name] = per * da / pop / seasons
    if "contacts" in results and "unmet_demand" in results:
        c = results["contacts"].astype(float)
        u = results["unmet_demand"].astype(float)
        c = c.sum([d for d in c.dims if d not in RUN_DIMS + ("zone",)])
        u = u.sum([d for d in u.dims if d not in RUN_DIMS + ("zone",)])
        out["help_met_share"] = (c / (c + u).where((c + u) > 0)).fillna(1.0)
    return out


#: prefix of the results variables holding indicators measured on each option's place
PLACE_INDICATOR_PREFIX = "option_place_"


def place_indicators(places: Any, codes: list[str], default_signup: float | None = None) -> dict[str, tuple]:
    """Indicators measured on each option's place, as results variables (dims option, zone)."""
    per_opt = [_place_indicators(p, codes, default_signup) for p in places]
    common = set.intersection(*(set(v) for v in per_opt)) if per_opt else set()
    units = {"distance_to_service_m": "m", "f2f_capacity_per_1000": "1", "alert_signup": "1"}
    return {f"{PLACE_INDICATOR_PREFIX}{n}": (("option", "zone"), np.stack([v[n] for v in per_opt]).astype(float),
                                             {"units": units.get(n, "1"),
                                              "long_name": f"{n.replace('_', ' ')} on the option's place"})
            for n in sorted(common)}


def _place_indicators(place: Any, codes: list[str], default_signup: float | None) -> dict[str, np.ndarray]:
    """Per zone (in ``codes`` order) indicators measured on an option's place."""
    from twin.place.grid import distance_to_nearest

    idx = {c: i for i, c in enumerate(place.zone_codes)}
    n = len(place.zones)
    zi = np.asarray(place.zone_index)
    w = np.asarray(place.grid["residents"].values, dtype=float)
    f2f = [s for s in place.services if "face_to_face" in s.channels and s.type not in _NOT_LOCAL]
    out: dict[str, np.ndarray] = {}
    if f2f:
        dist = distance_to_nearest(place.grid, [s.x for s in f2f], [s.y for s in f2f])
        inside = zi >= 0
        num = np.bincount(zi[inside], weights=(w * dist)[inside], minlength=n)
        den = np.bincount(zi[inside], weights=w[inside], minlength=n)
        d = np.divide(num, den, out=np.full(n, np.nan), where=den > 0)
        out["distance_to_service_m"] = np.array([d[idx[c]] for c in codes])
    residents = place.population.sum(("sex", "age"))
    cap = dict.fromkeys(codes, 0.0)
    for s in place.services:
        if "face_to_face" not in s.channels or s.type in ("school", "care_home"):
            continue
        served = list(s.properties.get("zones", [])) if s.properties.get("proactive") else [s.zone]
        served = [z for z in served if z in cap]
        total = float(sum(float(residents.sel(zone=z)) for z in served)) or 1.0
        days = len(s.opening_days) / 7.0
        for z in served:  # shared by residents of the zones served
            cap[z] += s.capacity * days * float(residents.sel(zone=z)) / total
    pop = np.array([float(residents.sel(zone=z)) for z in codes])
    out["f2f_capacity_per_1000"] = np.divide(1000.0 * np.array([cap[c] for c in codes]), pop,
                                             out=np.zeros(len(codes)), where=pop > 0)
    signup = [z.properties.get("alert_signup", default_signup) for z in place.zones]
    if any(s is not None for s in signup):
        out["alert_signup"] = np.array([float(signup[idx[c]]) if signup[idx[c]] is not None else np.nan for c in codes])
    return out


def progress_index(
    results: xr.Dataset,
    places: Mapping[str, Any] | None = None,
    *,
    default_signup: float | None = None,
    indicators: tuple[IndicatorSpec, ...] = INDICATORS,
) -> xr.Dataset:
    """The progress index per option × pathway × replicate × zone, with its parts.

    Parameters
    ----------
    results
        Results Dataset.
    places
        Option name -> the option's Place (after interventions), for the place-measured indicators
        (distance, capacity, alert sign-up); omitted: those indicators are left out.
    default_signup
        Alert sign-up share of zones without an ``alert_signup`` property (the heat-health model's
        default); ``None`` leaves the indicator out where no zone has the property.

    Returns
    -------
    xarray.Dataset
        ``<indicator>`` (raw), ``score_<indicator>``, ``component_<name>``, ``dimension_<name>``
        and ``index`` (0..100), attrs listing the indicators used and their worst/best values.
    """
    raw = _results_indicators(results)
    options = [str(o) for o in results["option"].values]
    codes = [str(z) for z in results["zone"].values]
    for name in [str(v) for v in results.data_vars if str(v).startswith(PLACE_INDICATOR_PREFIX)]:
        if not places:  # measured on each option's place by the run engine and stored in results
            raw[name.removeprefix(PLACE_INDICATOR_PREFIX)] = results[name].load()
    if places:
        per_opt = {o: _place_indicators(places[o], codes, default_signup) for o in options if o in places}
        if len(per_opt) == len(options):
            for name in set.intersection(*(set(v) for v in per_opt.values())):
                arr = np.stack([per_opt[o][name] for o in options])
                raw[name] = xr.DataArray(arr, dims=("option", "zone"), coords={"option": results["option"].values,
                                                                              "zone": results["zone"].values})
    specs = [s for s in indicators if s.name in raw]
    out: dict[str, xr.DataArray] = {}
    comps: dict[str, list[xr.DataArray]] = {}
    for s in specs:
        out[s.name] = raw[s.name].assign_attrs(units=s.units, long_name=s.description)
        sc = scale(raw[s.name], s.worst, s.best)
        out[f"score_{s.name}"] = sc.assign_attrs(units="1", long_name=f"score (0-100): {s.description}")
        comps.setdefault(s.component, []).append(sc)
    dims: dict[str, list[xr.DataArray]] = {}
    for comp, scores in comps.items():
        c = sum(scores[1:], scores[0]) / len(scores)
        out[f"component_{comp}"] = c.assign_attrs(units="1", long_name=comp.replace("_", " "))
        dim = next(s.dimension for s in specs if s.component == comp)
        dims.setdefault(dim, []).append(c)
    dvals = []
    for dim, cs in dims.items():
        d = sum(cs[1:], cs[0]) / len(cs)
        out[f"dimension_{dim}"] = d.assign_attrs(units="1", long_name=dim.replace("_", " "))
        dvals.append(d)
    if dvals:
        idx = sum(dvals[1:], dvals[0]) / len(dvals)
        out["index"] = idx.assign_attrs(units="1", long_name="community progress index (0-100)")
    ds = xr.Dataset(out)
    for c in ("urban_rural", "deprivation_decile", "zone_name"):
        if c in results.coords:
            ds = ds.assign_coords({c: results[c]})
    ds.attrs = {"indicators": "; ".join(f"{s.name} ({s.worst:g} -> {s.best:g} {s.units})" for s in specs),
                "method": "Social Progress Index style: scaled 0-100 between worst and best, equal weights (FACTS.md s8)"}
    return ds


def progress_map(index: xr.Dataset, zones: Any, option: str, pathway: str, ax: Any = None, var: str = "index") -> Any:
    """Map of the (replicate-mean) index, or one of its parts, for one option and pathway."""
    from twin.plot.core import zone_map

    da = index[var]
    sel = {k: v for k, v in (("option", option), ("pathway", pathway)) if k in da.dims}
    da = da.sel(sel)
    if "replicate" in da.dims:
        da = da.mean("replicate")
    return zone_map(zones, da.reset_coords(drop=True), ax=ax, vmin=0.0, vmax=100.0, cmap="RdYlGn", units="0-100",
                    title=f"{da.attrs.get('long_name', var)}\n{option}, {pathway}")
