"""Projections as ONS makes them: migrants' half-year exposure, the infant convention, mortality
improvement, international-only migration variants, zone codes with a vintage."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from twin.demography import DemographySpec, project
from twin.demography.inputs import improvement_by_age
from twin.demography.projection import ProjectionRates, cohort_component


def test_migrants_exposed_half_a_year_and_the_infant_convention_by_hand():
    """One zone, ages 0, 1, 2+, one year: every flow computed with scalar arithmetic."""
    P = {"F": [100.0, 80.0, 50.0], "M": [90.0, 70.0, 40.0]}
    m = {"F": [0.01, 0.02, 0.3], "M": [0.02, 0.03, 0.4]}
    f = [0.0, 0.5, 0.2]
    M = {"F": [0.0, 10.0, 4.0], "M": [0.0, 6.0, -2.0]}  # net migrants by age at the year end
    srb, e = 1.05, 0.5
    rates = ProjectionRates(
        mortality=np.array([[m["F"], m["M"]]]), fertility=np.array([f]),
        migration_per_capita=np.zeros((1, 1, 2, 3)), migration_fixed=np.array([[[M["F"], M["M"]]]]),
        sex_ratio_at_birth=srb, migrant_exposure=e)
    out = cohort_component(np.array([[P["F"], P["M"]]]), rates, 1)
    births_res = f[1] * P["F"][1] + f[2] * P["F"][2]
    births_mig = e * (f[1] * M["F"][1] + f[2] * M["F"][2])  # migrant women: half a year of fertility
    for s, share in (("F", 1 / (1 + srb)), ("M", srb / (1 + srb))):
        b = (births_res + births_mig) * share
        d = [P[s][x] * (1 - math.exp(-m[s][x])) for x in range(3)]
        d_mig = [M[s][x] * (1 - math.exp(-e * m[s][x])) for x in range(3)]  # half a year of mortality
        d_inf = b * (1 - math.exp(-m[s][0]))  # infant convention: births carry a full year at m0
        expect = [b * math.exp(-m[s][0]) + M[s][0] * math.exp(-e * m[s][0]),
                  P[s][0] - d[0] + M[s][1] * math.exp(-e * m[s][1]),
                  P[s][1] - d[1] + P[s][2] - d[2] + M[s][2] * math.exp(-e * m[s][2])]
        i = "FM".index(s)
        assert out["population"][0, 1, 0, i] == pytest.approx(expect, rel=1e-12)
        assert out["births"][0, 1, 0, i] == pytest.approx(b, rel=1e-12)
        assert out["deaths"][0, 1, 0, i, 0] == pytest.approx(d[0] + d_inf + d_mig[0], rel=1e-12)
        assert out["deaths"][0, 1, 0, i, 1:] == pytest.approx([d[1] + d_mig[1], d[2] + d_mig[2]], rel=1e-12)
    assert births_mig > 0  # migrant women have babies in their first year now
    tot0, tot1 = out["population"][0, 0].sum(), out["population"][0, 1].sum()
    flows = out["births"][0, 1].sum() - out["deaths"][0, 1].sum() + out["net_migration"][0, 1].sum()
    assert tot1 == pytest.approx(tot0 + flows, rel=1e-14)  # balancing identity


def test_mortality_improves_at_the_annual_rate():
    m0 = np.full((1, 2, 3), 0.05)
    rates = ProjectionRates(mortality=m0, fertility=np.zeros((1, 3)), migration_per_capita=np.zeros((1, 1, 2, 3)),
                            improvement=np.full((1, 2, 3), 0.011))
    pop = np.full((1, 2, 3), 1000.0)
    out = cohort_component(pop, rates, 3)
    for t in range(3):  # step t uses m (1 - r)^t
        p = out["population"][0, t, 0, 0]
        d = out["deaths"][0, t + 1, 0, 0]
        assert d[1] == pytest.approx(p[1] * (1 - math.exp(-0.05 * 0.989**t)), rel=1e-12)
    assert improvement_by_age({"0-89": 0.011, "90+": 0.005})[[0, 89, 90]].tolist() == [0.011, 0.011, 0.005]


def _pop(n_ages: int = 91) -> xr.DataArray:
    age = np.arange(n_ages)
    w = np.exp(-age / 45.0) * 1000
    arr = np.stack([w, w])[None]
    return xr.DataArray(arr, dims=("zone", "sex", "age"), coords={"zone": ["E05000001"], "sex": ["F", "M"], "age": age})


def test_high_migration_varies_international_migration_only_and_adds_over_85s():
    spec = DemographySpec(
        horizon=2050, variants=["principal", "high_migration", "low_migration", "high_internal_migration"],
        international={"rate": 0.01, "profile": "working_age"},
        internal={"rate": -0.006, "profile": "family"},
        other_migration=[{"rate": -0.003, "profile": "retirement"}])
    ds = project(_pop(), spec)
    net = ds.net_migration.sel(year=2024).sum(("age", "sex", "zone"))
    old = ds.population.sel(year=2050, age=ds.age >= 85).sum(("age", "sex", "zone"))
    assert float(old.sel(variant="high_migration")) > float(old.sel(variant="principal")) \
        > float(old.sel(variant="low_migration"))
    # only international flows change: 85-year-olds of 2040 (no international migrants among them yet)
    # lose the same retirement out-migrants, a rate on the population at risk, in both variants
    pr = ds.net_migration.sel(variant="principal", year=2040, age=85).sum()
    hi = ds.net_migration.sel(variant="high_migration", year=2040, age=85).sum()
    assert float(pr) < 0 and float(hi) == pytest.approx(float(pr), rel=1e-12)
    assert float(net.sel(variant="high_internal_migration")) < float(net.sel(variant="principal"))


def test_zones_keyed_by_ons_code_reaggregate_through_a_lookup(tmp_path):
    from twin.demography.zones import reaggregate
    from twin.errors import PlaceDataError

    pop = xr.concat([_pop(), _pop() * 2], dim="zone").assign_coords(zone=["E05000001", "E05000002"])
    spec = DemographySpec(horizon=2026, zone_code_vintage="WD23CD")
    ds = project(pop, spec)
    assert ds.zone.attrs["ons_code_vintage"] == "WD23CD"
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("WD23CD,WD24CD,share\nE05000001,E05020001,1\nE05000002,E05020001,0.25\n"
                      "E05000002,E05020002,0.75\n")
    new = reaggregate(ds.population, "WD23CD", lookup)
    assert list(new["WD24CD"].values) == ["E05020001", "E05020002"]
    assert float(new.sum()) == pytest.approx(float(ds.population.sum()), rel=1e-12)
    old = ds.population.sum(("age", "sex", "variant")).sel(year=2026)
    assert float(new.sum(("age", "sex", "variant")).sel(year=2026, WD24CD="E05020002")) == pytest.approx(
        0.75 * float(old.sel(zone="E05000002")), rel=1e-12)
    lookup.write_text("WD23CD,WD24CD,share\nE05000001,E05020001,1\nE05000002,E05020001,0.5\n")
    with pytest.raises(PlaceDataError, match="shares must sum to 1"):
        reaggregate(ds.population, "WD23CD", lookup)
