"""Cohort-component engine: a hand calculation, invariants, calibration and variants."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.demography import DemographySpec, project
from twin.demography import rates as R
from twin.demography.projection import ProjectionRates, age_population, cohort_component


def _pop(weights_f, weights_m, zones=("Z01",)) -> xr.DataArray:
    arr = np.stack([np.asarray(weights_f, float), np.asarray(weights_m, float)])
    arr = np.broadcast_to(arr, (len(zones),) + arr.shape).copy()
    return xr.DataArray(arr, dims=("zone", "sex", "age"),
                        coords={"zone": list(zones), "sex": ["F", "M"], "age": np.arange(arr.shape[-1])})


def test_hand_built_projection_matches_engine_to_1e9():
    """Three ages (0, 1, 2+), one zone, two years, computed with scalar arithmetic."""
    P = {"F": [100.0, 80.0, 50.0], "M": [90.0, 70.0, 40.0]}
    m = {"F": [0.01, 0.02, 0.3], "M": [0.02, 0.03, 0.4]}
    f = [0.0, 0.5, 0.2]
    fixed = {"F": [1.0, -2.0, 3.0], "M": [0.0, 0.0, -500.0]}  # the 2+ male outflow must be clipped
    srb = 1.05
    rates = ProjectionRates(
        mortality=np.array([[m["F"], m["M"]]]), fertility=np.array([f]),
        migration_per_capita=np.zeros((1, 1, 2, 3)), migration_fixed=np.array([[[fixed["F"], fixed["M"]]]]),
        sex_ratio_at_birth=srb)
    out = cohort_component(np.array([[P["F"], P["M"]]]), rates, 2)

    pop = {s: list(P[s]) for s in P}
    for year in (1, 2):
        births_total = f[1] * pop["F"][1] + f[2] * pop["F"][2]
        new, clipped_total = {}, 0.0
        for s, share in (("F", 1 / (1 + srb)), ("M", srb / (1 + srb))):
            b = births_total * share
            d = [pop[s][x] * (1 - math.exp(-m[s][x])) for x in range(3)]
            d_inf = b * (1 - math.exp(-m[s][0]))
            aged = [b - d_inf, pop[s][0] - d[0], (pop[s][1] - d[1]) + (pop[s][2] - d[2])]
            after = []
            for x in range(3):
                v = aged[x] + fixed[s][x]
                if v < 0:
                    clipped_total += -v
                    v = 0.0
                after.append(v)
            new[s] = after
            got_d = out["deaths"][0, year, 0, "FM".index(s)]
            assert got_d[0] == pytest.approx(d[0] + d_inf, rel=1e-9)
            assert got_d[1:] == pytest.approx(d[1:], rel=1e-9)
            assert out["births"][0, year, 0, "FM".index(s)] == pytest.approx(b, rel=1e-9)
        pop = new
        for s in "FM":
            assert out["population"][0, year, 0, "FM".index(s)] == pytest.approx(pop[s], rel=1e-9, abs=1e-12)
        assert out["migration_clipped"][0, year, 0] == pytest.approx(clipped_total, rel=1e-9)
    assert clipped_total > 0  # the clipping path was exercised


@st.composite
def _cases(draw):
    n_z = draw(st.integers(1, 3))
    n_a = draw(st.integers(3, 8))
    n_v = draw(st.integers(1, 3))
    floats = st.floats(0, 500, allow_nan=False)
    pop = np.array(draw(st.lists(floats, min_size=n_z * 2 * n_a, max_size=n_z * 2 * n_a))).reshape(n_z, 2, n_a)
    m = np.array(draw(st.lists(st.floats(0, 3), min_size=n_v * 2 * n_a, max_size=n_v * 2 * n_a))).reshape(n_v, 2, n_a)
    f = np.array(draw(st.lists(st.floats(0, 1), min_size=n_v * n_a, max_size=n_v * n_a))).reshape(n_v, n_a)
    size = n_v * n_z * 2 * n_a
    per_cap = np.array(draw(st.lists(st.floats(-0.05, 0.05), min_size=size, max_size=size))).reshape(n_v, n_z, 2, n_a)
    fixed = np.array(draw(st.lists(st.floats(-300, 300), min_size=size, max_size=size))).reshape(n_v, n_z, 2, n_a)
    srb = draw(st.floats(0.9, 1.2))
    return pop, ProjectionRates(m, f, per_cap, fixed, sex_ratio_at_birth=srb, variants=tuple("abc"[:n_v]))


@settings(max_examples=60, deadline=None)
@given(_cases(), st.integers(1, 6))
def test_counts_non_negative_and_balancing_identity_holds(case, n_years):
    pop0, rates = case
    out = cohort_component(pop0, rates, n_years)
    p = out["population"]
    assert np.all(p >= 0)
    tot = p.sum(axis=(3, 4))  # (V, T+1, Z)
    rhs = tot[:, :-1] + out["births"][:, 1:].sum(-1) - out["deaths"][:, 1:].sum((3, 4)) \
        + out["net_migration"][:, 1:].sum((3, 4))
    scale = np.maximum(np.abs(tot[:, 1:]), 1.0)
    assert np.all(np.abs(tot[:, 1:] - rhs) / scale < 1e-9)
    assert np.all(out["migration_clipped"] >= 0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=10, max_size=10), st.integers(1, 12))
def test_zero_rates_give_pure_ageing_with_open_age_accumulating(weights, n_years):
    n_a = 5
    pop0 = np.array(weights, float).reshape(1, 2, n_a)
    zero = ProjectionRates(np.zeros((1, 2, n_a)), np.zeros((1, n_a)), np.zeros((1, 1, 2, n_a)))
    out = cohort_component(pop0, zero, n_years)
    expected = pop0[0].copy()
    for _ in range(n_years):
        expected = np.concatenate([np.zeros((2, 1)), expected[:, :-2], expected[:, -2:].sum(1, keepdims=True)], 1)
    np.testing.assert_allclose(out["population"][0, -1, 0], expected, rtol=1e-12, atol=1e-9)
    assert out["deaths"].sum() == 0 and out["births"].sum() == 0 and out["net_migration"].sum() == 0


@pytest.mark.parametrize("sex,e0", [("M", 79.0), ("F", 83.0), ("F", 70.0), ("M", 88.5)])
def test_fitted_life_table_hits_target_life_expectancy(sex, e0):
    m = R.fit_mortality(e0, sex)
    assert abs(float(R.life_expectancy(m)) - e0) < 0.01
    assert np.all(np.diff(m[30:]) > 0)  # rises with age after the young-adult (accident) hump


def test_default_rates_give_a_plausible_crude_death_rate():
    """docs/sources.md check: about 9.8 deaths per 1,000 for an E&W-like age structure (ONS Census 2021 shares)."""
    ages = np.arange(91)
    w = np.where(ages < 15, 17.4 / 15, np.where(ages < 65, 64.1 / 50, 0.0))
    bands = {65: 3.2, 70: 3.1, 75: 2.3, 80: 1.6, 85: 1.0}  # rough E&W 2021 millions (65+ = 18.6%, 90+ 0.53 m)
    total = sum(bands.values()) + 0.53
    for a, v in bands.items():
        w[a:a + 5] = 18.6 * v / total / 5
    w[90] = 18.6 * 0.53 / total
    m = np.stack([R.fit_mortality(83.0, "F"), R.fit_mortality(79.0, "M")])
    assert 8.0 < R.crude_death_rate(np.stack([w, w]), m) < 11.5


@pytest.mark.parametrize("tfr,mean_age", [(1.44, 30.9), (1.35, 30.9), (1.9, 29.0)])
def test_asfr_has_target_tfr_and_mean_age(tfr, mean_age):
    f = R.asfr(tfr, mean_age)
    assert float(R.total_fertility(f)) == pytest.approx(tfr, abs=1e-12)
    assert float(np.sum((np.arange(91) + 0.5) * f) / f.sum()) == pytest.approx(mean_age, abs=1e-6)
    assert f[:14].sum() == 0 and f[50:].sum() == 0


def test_variant_rates_hit_their_targets():
    from twin.demography.inputs import build_rates

    spec = DemographySpec(tfr=1.35, variants=["principal", "high_fertility", "low_life_expectancy"])
    r = build_rates(spec, ["Z01"])
    np.testing.assert_allclose(r.fertility.sum(-1), [1.35, 1.55, 1.35], atol=1e-12)
    e0 = R.life_expectancy(r.mortality)
    np.testing.assert_allclose(e0, [[83, 79], [83, 79], [81, 77]], atol=0.01)


@pytest.fixture(scope="module")
def variant_run():
    rng = np.random.default_rng(5)
    pop = _pop(rng.uniform(400, 600, 91), rng.uniform(400, 600, 91), zones=("Z01", "Z02"))
    spec = DemographySpec(variants=["principal", "high_life_expectancy", "low_life_expectancy", "high_migration",
                                    "low_migration", "zero_migration", "high_fertility", "low_fertility"],
                          horizon=2040)
    return project(pop, spec)


def test_variants_are_ordered_sensibly(variant_run):
    ds = variant_run
    old = ds.population.where(ds.age >= 85).sum(("age", "sex", "zone")).sel(year=2040)
    assert old.sel(variant="high_life_expectancy") > old.sel(variant="principal") > old.sel(variant="low_life_expectancy")
    tot = ds.population.sum(("age", "sex", "zone")).sel(year=2040)
    assert tot.sel(variant="high_migration") > tot.sel(variant="principal") > tot.sel(variant="low_migration") \
        > tot.sel(variant="zero_migration")
    births = ds.births.sum(("sex", "zone")).sel(year=2030)
    assert births.sel(variant="high_fertility") > births.sel(variant="principal") > births.sel(variant="low_fertility")
    assert float(abs(ds.net_migration.sel(variant="zero_migration").isel(year=slice(1, None))).max()) == 0.0


def test_older_rural_like_population_ages_faster():
    ages = np.arange(91)
    urban = np.exp(-0.5 * ((ages - 30) / 12.0) ** 2) + 0.2 * (ages < 85)
    rural = np.exp(-0.5 * ((ages - 57) / 12.0) ** 2) + 0.2 * (ages < 85)
    shares = {}
    for name, w in (("urban", urban), ("rural", rural)):
        ds = project(_pop(1000 * w, 1000 * w), DemographySpec(horizon=2040, variants=["zero_migration"]))
        pop = ds.population.sum(("zone", "sex", "variant"))
        share = pop.where(pop.age >= 65).sum("age") / pop.sum("age")
        shares[name] = float(share.sel(year=2040) - share.sel(year=2023))
    assert shares["rural"] > shares["urban"] > 0


def test_age_population_steps_match_project():
    from twin.demography.inputs import build_rates

    pop = _pop(np.full(91, 100.0), np.full(91, 100.0))
    spec = DemographySpec(horizon=2026)
    steps = age_population(pop, 3, build_rates(spec, ["Z01"]))
    ds = project(pop, spec)
    np.testing.assert_allclose(steps.isel(step=3).values,
                               ds.population.sel(variant="principal", year=2026).transpose("zone", "sex", "age").values)
