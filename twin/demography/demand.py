"""Service demand from a projection: age-specific use rates per service type vs capacity.

Demand of rule r in zone z and year y is
:math:`D_{rzy} = \\sum_{a} u_r(a)\\, P_{zay}` uses per year, where :math:`u_r(a)` is uses per
person per year (or users per 1,000 / 1,000 x uses per user). Capacity of a service is
``capacity`` per day x ``days_per_year`` (default: number of opening days a week x 52.18).
Demand is compared per zone (with the capacity of services inside the zone) and per catchment
(each zone is served by the nearest service of that type, by zone centroid).

All default use rates are assumptions (L): docs/sources.md has no service-use figures. Override them
with ``demography.service_use`` in the scenario.
"""

from __future__ import annotations

import re

import numpy as np
import xarray as xr

from .spec import DemographySpec, ServiceUse

__all__ = ["DEFAULT_SERVICE_USE", "demand_tables", "service_demand", "use_rates"]

#: Default use rules (all assumptions L; orders of magnitude from NHS/DfE practice, not from docs/sources.md).
DEFAULT_SERVICE_USE: dict[str, ServiceUse] = {
    "gp_appointments": ServiceUse(
        service_type="gp_practice", unit="appointments year-1",
        rates={"0-4": 5.0, "5-14": 2.5, "15-24": 3.0, "25-44": 3.5, "45-64": 4.5, "65-74": 6.5, "75-84": 8.5,
               "85+": 10.0},
        source="assumption (L): GP appointments per person per year by age"),
    "school_places": ServiceUse(
        service_type="school", unit="pupil-days year-1", rates={"4-15": 190.0}, days_per_year=190.0,
        source="assumption (L): every child aged 4-15 takes a place for a 190-day school year"),
    "adult_social_care": ServiceUse(
        service_type="home_visit_team", per="1000", unit="visits year-1",
        uses_per_user=12.0,
        rates={"18-64": 8.0, "65-74": 25.0, "75-84": 70.0, "85+": 200.0},
        source="assumption (L): adult social care users per 1,000 by age, a team visit a month each"),
    "care_home_places": ServiceUse(
        service_type="care_home", per="1000", uses_per_user=365.0, days_per_year=365.0, unit="bed-days year-1",
        rates={"65-74": 5.0, "75-84": 30.0, "85+": 130.0},
        source="assumption (L): care-home residents per 1,000 by age"),
}

_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)|(\+))?\s*$")


def use_rates(rule: ServiceUse, ages: np.ndarray) -> np.ndarray:
    """Uses per person per year at each single age (ranges "a-b" inclusive, "a+" open, "a" one year)."""
    ages = np.asarray(ages)
    out = np.zeros(len(ages))
    for key, rate in rule.rates.items():
        m = _RANGE.match(key)
        if not m:
            raise ValueError(f"age range {key!r} must look like '0-4', '85+' or '16'")
        lo = int(m.group(1))
        hi = ages.max() if m.group(3) else int(m.group(2) or lo)
        out[(ages >= lo) & (ages <= hi)] += rate
    per = 1000.0 if rule.per == "1000" else 1.0
    return out / per * rule.uses_per_user


def _rules(spec: DemographySpec | None) -> dict[str, ServiceUse]:
    rules = dict(DEFAULT_SERVICE_USE)
    if spec is not None:
        rules.update(spec.service_use)
    return rules


def service_demand(projection: xr.Dataset, spec: DemographySpec | None = None) -> xr.DataArray:
    """Annual demand per rule, dims (rule, variant, year, zone), in each rule's unit."""
    rules = _rules(spec)
    ages = projection.age.values
    u = xr.DataArray(np.stack([use_rates(r, ages) for r in rules.values()]), dims=("rule", "age"),
                     coords={"rule": list(rules), "age": ages})
    pop = projection.population.sum("sex")
    d = xr.dot(u, pop, dim="age")
    d.attrs = {"long_name": "annual service demand", "units": "year-1",
               "rule_units": ";".join(f"{k}={r.unit}" for k, r in rules.items())}
    return d.transpose("rule", "variant", "year", "zone")


def _capacity_per_year(service, rule: ServiceUse) -> float:
    days = rule.days_per_year or len(getattr(service, "opening_days", range(5))) * 52.18
    return float(service.capacity) * days


def _centroids(place) -> np.ndarray:
    pts = []
    for z in place.zones:
        geom = getattr(z, "geometry", None)
        pts.append((geom.centroid.x, geom.centroid.y) if geom is not None else (np.nan, np.nan))
    return np.array(pts, dtype=float).reshape(-1, 2)


def demand_tables(projection: xr.Dataset, place, spec: DemographySpec | None = None):
    """Tidy demand vs capacity, and the first year each zone or catchment is over capacity.

    Returns
    -------
    demand : pandas.DataFrame
        variant, year, rule, service_type, level ("zone" | "catchment"), unit (zone code or
        service id), demand, capacity, ratio (demand / capacity; inf where capacity is 0).
    first : pandas.DataFrame
        variant, rule, service_type, level, unit, first_year_over_capacity (empty if never within
        the projection; zones without a local service of that type are reported at catchment level only),
        ratio_base_year and ratio_horizon (demand / capacity; above 1 in the base year means the
        capacity is already short, or the default use rates do not fit the place).
    """
    import pandas as pd

    rules = _rules(spec)
    d = service_demand(projection, spec)
    zones = [str(z) for z in projection.zone.values]
    zpos = {z: i for i, z in enumerate(zones)}
    cent = _centroids(place)
    years = projection.year.values
    rows, first = [], []
    for name, rule in rules.items():
        svcs = [s for s in place.services if s.type == rule.service_type]
        if not svcs:
            continue
        dz = d.sel(rule=name).values  # (V, T, Z)
        cap = np.array([_capacity_per_year(s, rule) for s in svcs])
        # zone level: capacity of services inside the zone
        zcap = np.zeros(len(zones))
        for s, c in zip(svcs, cap):
            if getattr(s, "zone", None) in zpos:
                zcap[zpos[s.zone]] += c
        # catchments: nearest service to each zone centroid
        sx = np.array([[s.x, s.y] for s in svcs], dtype=float)
        dist = np.hypot(cent[:, None, 0] - sx[None, :, 0], cent[:, None, 1] - sx[None, :, 1])
        nearest = np.where(np.isfinite(dist).all(axis=1), np.argmin(np.nan_to_num(dist, nan=np.inf), axis=1), 0)
        onehot = np.zeros((len(zones), len(svcs)))
        onehot[np.arange(len(zones)), nearest] = 1.0
        dc = dz @ onehot  # (V, T, services)
        units = [("zone", zones[i], dz[..., i], zcap[i]) for i in range(len(zones)) if zcap[i] > 0]
        units += [("catchment", s.id, dc[..., j], cap[j]) for j, s in enumerate(svcs)]
        for level, unit, series, c in units:
            for vi, var in enumerate(projection.variant.values):
                over = np.nonzero(series[vi] > c)[0]
                first.append({"variant": var, "rule": name, "service_type": rule.service_type, "level": level,
                              "unit": unit, "first_year_over_capacity": int(years[over[0]]) if len(over) else None,
                              "ratio_base_year": float(series[vi, 0] / c), "ratio_horizon": float(series[vi, -1] / c)})
                with np.errstate(divide="ignore"):
                    ratio = series[vi] / c if c > 0 else np.full(len(years), np.inf)
                for ti, y in enumerate(years):
                    rows.append((var, int(y), name, rule.service_type, level, unit, series[vi, ti], c, ratio[ti]))
    demand = pd.DataFrame(rows, columns=["variant", "year", "rule", "service_type", "level", "unit", "demand",
                                         "capacity", "ratio"])
    first_df = pd.DataFrame(first, columns=["variant", "rule", "service_type", "level", "unit",
                                            "first_year_over_capacity", "ratio_base_year", "ratio_horizon"])
    first_df["first_year_over_capacity"] = first_df["first_year_over_capacity"].astype("Int64")
    return demand, first_df
