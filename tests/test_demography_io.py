"""Rate tables from CSV (and their errors), service demand, files written, scenarios."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr
import yaml

from twin.demography import DemographySpec, population_for_year, run_projection
from twin.demography.demand import demand_tables, use_rates
from twin.demography.inputs import build_rates, read_fertility, read_migration, read_mortality
from twin.demography.spec import ServiceUse
from twin.errors import OutputError, PlaceDataError

REPO = Path(__file__).resolve().parents[1]


def _place(n_zones: int = 3, older: bool = False):
    """A Place-like stand-in: zones as unit squares in a row, one GP practice in Z01, one school in Z02."""
    from shapely.geometry import box

    rng = np.random.default_rng(1)
    ages = np.arange(91)
    shape = np.exp(-0.5 * ((ages - (57 if older else 32)) / 15.0) ** 2) + 0.15 * (ages < 85)
    pop = np.rint(rng.uniform(0.8, 1.2, (n_zones, 2, 91)) * 60 * shape)
    zones = tuple(SimpleNamespace(code=f"Z{i + 1:02d}", urban_rural="rural" if older else "urban",
                                  geometry=box(i * 1000, 0, (i + 1) * 1000, 1000)) for i in range(n_zones))
    services = (
        SimpleNamespace(id="gp1", type="gp_practice", capacity=60.0, opening_days=(0, 1, 2, 3, 4), x=500, y=500,
                        zone="Z01"),
        SimpleNamespace(id="sch1", type="school", capacity=100000.0, opening_days=(0, 1, 2, 3, 4), x=1500, y=500,
                        zone="Z02"),
    )
    population = xr.DataArray(pop.astype(np.int64), dims=("zone", "sex", "age"),
                              coords={"zone": [z.code for z in zones], "sex": ["F", "M"], "age": ages})
    return SimpleNamespace(name="standin", zones=zones, services=services, population=population)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _mortality_csv(tmp_path: Path, tweak=None) -> Path:
    rows = ["sex,age,rate"]
    for s in "FM":
        for a in range(91):
            rate = 0.001 * np.exp(0.08 * a) if a < 90 else 0.2
            rows.append(f"{s},{'90+' if a == 90 else a},{min(rate, 0.9):.6f}")
    if tweak:
        rows = tweak(rows)
    return _write(tmp_path / "mortality.csv", "\n".join(rows) + "\n")


def test_good_mortality_table_is_used_and_scaled(tmp_path):
    path = _mortality_csv(tmp_path)
    m = read_mortality(path)
    assert m.shape == (2, 91) and m[0, 90] == pytest.approx(0.2)
    from twin.demography.rates import life_expectancy

    spec = DemographySpec(rates={"mortality": path}, variants=["principal", "high_life_expectancy"])
    r = build_rates(spec, ["Z01"])
    np.testing.assert_allclose(r.mortality[0], m)  # principal = the table as given
    e0 = life_expectancy(r.mortality)
    np.testing.assert_allclose(e0[1], e0[0] + 2.0, atol=0.01)


@pytest.mark.parametrize(
    "tweak,field,value",
    [
        (lambda rows: rows[:1] + ["F,0,-0.01"] + rows[2:], "rate", "-0.01"),
        (lambda rows: rows[:1] + ["F,0,1.5"] + rows[2:], "rate", "1.5"),
        (lambda rows: [r for r in rows if r != rows[40]], "age", "39"),
        (lambda rows: rows[:1] + ["X,0,0.01"] + rows[2:], "sex", "'X'"),
        (lambda rows: rows[:1] + ["F,abc,0.01"] + rows[2:], "age", "'abc'"),
        (lambda rows: rows + ["F,5,0.001"], "sex,age", "F"),
    ],
    ids=["negative", "above-one", "missing-age", "unknown-sex", "bad-age", "duplicate"],
)
def test_bad_mortality_tables_get_one_line_errors(tmp_path, tweak, field, value):
    path = _mortality_csv(tmp_path, tweak)
    with pytest.raises(PlaceDataError) as err:
        read_mortality(path)
    msg = str(err.value)
    assert "\n" not in msg and "mortality.csv" in msg and field in msg and value in msg


def test_bad_fertility_and_migration_tables(tmp_path):
    rows = ["age,rate"] + [f"{a},0.05" for a in range(15, 50)]
    assert read_fertility(_write(tmp_path / "f.csv", "\n".join(rows))).sum() == pytest.approx(35 * 0.05)
    with pytest.raises(PlaceDataError, match=r"f2.csv.*rate.*-0.2"):
        read_fertility(_write(tmp_path / "f2.csv", "\n".join(rows[:3] + ["18,-0.2"] + rows[4:])))
    with pytest.raises(PlaceDataError, match=r"f3.csv.*missing age 30"):
        read_fertility(_write(tmp_path / "f3.csv", "\n".join(r for r in rows if not r.startswith("30,"))))
    mig = ["zone_code,sex,age,net"] + [f"Z01,F,{a},1.5" for a in range(91)]
    assert read_migration(_write(tmp_path / "m.csv", "\n".join(mig)), ["Z01", "Z02"]).sum() == pytest.approx(136.5)
    with pytest.raises(PlaceDataError, match=r"m2.csv:2: zone_code: zone not in the place \(got 'Z99'\)"):
        read_migration(_write(tmp_path / "m2.csv", "\n".join([mig[0], "Z99,F,0,1"] + mig[2:])), ["Z01"])
    with pytest.raises(PlaceDataError, match=r"missing column.*net"):
        read_migration(_write(tmp_path / "m3.csv", "zone_code,sex,age\nZ01,F,0\n"), ["Z01"])


def test_place_migration_table_drives_net_migration(tmp_path):
    mig = ["zone_code,sex,age,net"] + [f"Z01,{s},{a},{-3.0 if a == 20 else 0.0}" for s in "FM" for a in range(91)]
    spec = DemographySpec(rates={"migration": _write(tmp_path / "m.csv", "\n".join(mig))}, horizon=2025,
                          variants=["principal", "high_migration"])
    from twin.demography import project

    ds = project(_place().population, spec)
    net = ds.net_migration.sum(("age", "sex")).sel(year=2024)
    assert float(net.sel(variant="principal", zone="Z01")) == pytest.approx(-6.0)
    assert float(net.sel(variant="high_migration", zone="Z01")) == pytest.approx(-9.0)
    assert float(abs(net.sel(zone="Z02")).max()) == 0.0


def test_use_rates_parse_age_ranges():
    rule = ServiceUse(service_type="school", rates={"4-15": 1.0, "85+": 2.0, "3": 0.5})
    u = use_rates(rule, np.arange(91))
    assert u[4] == u[15] == 1.0 and u[16] == 0 and u[3] == 0.5 and u[90] == 2.0
    care = ServiceUse(service_type="care_home", per="1000", uses_per_user=365, rates={"85+": 100.0})
    assert use_rates(care, np.arange(91))[88] == pytest.approx(36.5)


def test_first_year_demand_exceeds_capacity():
    place = _place(older=True)
    spec = DemographySpec(horizon=2040, variants=["principal", "zero_migration"])
    from twin.demography.outputs import run_place

    ds = run_place(place, spec)
    demand, first = demand_tables(ds, place, spec)
    gp = demand[(demand.rule == "gp_appointments") & (demand.level == "catchment") & (demand.variant == "principal")]
    assert np.allclose(gp.capacity, 60.0 * 5 * 52.18)
    expected = gp.year[gp.demand > gp.capacity]
    row = first[(first.rule == "gp_appointments") & (first.level == "catchment") & (first.variant == "principal")]
    got = row.first_year_over_capacity.iloc[0]
    assert (got is pd_NA() and expected.empty) or got == expected.min()
    school = first[(first.rule == "school_places")]
    assert school.first_year_over_capacity.isna().all()  # 100,000 places: never exceeded


def pd_NA():
    import pandas as pd

    return pd.NA


def test_run_projection_writes_files_and_identity_holds_from_the_file(tmp_path):
    place = _place()
    spec = DemographySpec(horizon=2030, variants=["principal", "high_migration", "low_migration"])
    out = tmp_path / "run"
    paths = run_projection(place, spec, out, provenance={"scenario_sha256": "abc", "seed": 1})
    for name in ("projection.nc", "projection.csv", "components.csv", "demand.csv", "demand_first_exceeded.csv",
                 "plots/pyramid.png", "plots/dependency_ratio.png", "plots/growth_85plus.png", "plots/demand.png",
                 "plots/pyramids_by_zone.png"):
        assert paths[name].is_file(), name
    with xr.open_dataset(paths["projection.nc"], engine="h5netcdf") as ds:
        assert ds.population.dims == ("variant", "year", "zone", "age", "sex")
        assert ds.attrs["scenario_sha256"] == "abc" and len(ds.attrs["spec_sha256"]) == 64
        assert ds.population.attrs["units"] == "1" and ds.births.attrs["long_name"]
        tot = ds.population.sum(("age", "sex"))
        rhs = tot.shift(year=1) + ds.births.sum("sex") - ds.deaths.sum(("age", "sex")) \
            + ds.net_migration.sum(("age", "sex"))
        rel = abs(tot - rhs).isel(year=slice(1, None)) / tot.isel(year=slice(1, None))
        assert float(rel.max()) < 1e-9
    import pandas as pd

    csv = pd.read_csv(paths["projection.csv"])
    assert list(csv.columns) == ["variant", "year", "zone_code", "sex", "age_band", "population", "deaths",
                                 "net_migration"]
    assert set(csv.age_band) >= {"0-4", "85+"}
    with pytest.raises(OutputError, match="not empty"):
        run_projection(place, spec, out)
    run_projection(place, spec, out, overwrite=True, plots=False)


def test_population_for_year_gives_integer_counts_matching_the_projection():
    place = _place()
    spec = DemographySpec(variants=["principal", "high_life_expectancy"], variant="high_life_expectancy", year=2040)
    pop = population_for_year(place, spec, 2040)
    assert pop.dims == ("zone", "sex", "age") and pop.dtype == np.int64 and (pop >= 0).all()
    from twin.demography.outputs import run_place

    exact = run_place(place, spec).population.sel(variant="high_life_expectancy", year=2040).sum(("sex", "age"))
    np.testing.assert_array_equal(pop.sum(("sex", "age")).values, np.rint(exact.values))
    base = population_for_year(place, spec, 2023)
    np.testing.assert_array_equal(base.values, place.population.values)


def test_housing_led_component_adds_residents(tmp_path):
    from twin.demography import project

    place = _place()
    spec = DemographySpec(horizon=2026, variants=["principal", "zero_migration"],
                          housing={"dwellings": {"Z02": {2025: 100}}, "persons_per_dwelling": 2.5})
    ds = project(place.population, spec)
    net = ds.net_migration.sum(("age", "sex")).sel(variant="principal")
    base = project(place.population, spec.model_copy(update={"housing": None})).net_migration.sum(
        ("age", "sex")).sel(variant="principal")
    assert float(net.sel(zone="Z02", year=2025) - base.sel(zone="Z02", year=2025)) == pytest.approx(250.0)
    assert float(net.sel(zone="Z02", year=2024) - base.sel(zone="Z02", year=2024)) == pytest.approx(0.0)
    assert float(abs(ds.net_migration.sel(variant="zero_migration").isel(year=slice(1, None))).max()) == 0.0


@pytest.mark.parametrize("name", ["projection_urban.yaml", "projection_rural.yaml"])
def test_bundled_projection_scenarios_have_a_valid_demography_section(name):
    doc = yaml.safe_load((REPO / "scenarios" / name).read_text())
    assert {"name", "description", "place", "seed", "demography"} <= set(doc)
    spec = DemographySpec.model_validate(doc["demography"])
    assert spec.base_year == 2023 and spec.horizon == 2050 and len(spec.variants) >= 6


def test_spec_rejects_unknown_keys_and_variants():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="extra"):
        DemographySpec(horizon=2040, colour="red")
    with pytest.raises(ValidationError, match="unknown variant 'huge_migration'"):
        DemographySpec(variants=["huge_migration"])
    spec = DemographySpec(variants=["mine"], variant_definitions={"mine": {"tfr": 1.7, "migration_scale": 2}})
    r = build_rates(spec, ["Z01"])
    assert r.fertility.sum() == pytest.approx(1.7)


def test_bundled_rural_district_ages_faster_than_urban_borough():
    """Issue 5 'done when': the rural district ages faster, as its inputs say it should."""
    from twin.demography.outputs import run_place
    from twin.place import Place, resolve_place

    change = {}
    for name in ("projection_urban.yaml", "projection_rural.yaml"):
        doc = yaml.safe_load((REPO / "scenarios" / name).read_text())
        place = Place.load(resolve_place(doc["place"]))
        spec = DemographySpec.model_validate({**doc["demography"], "variants": ["principal"], "horizon": 2040})
        p = run_place(place, spec).population.sum(("zone", "sex")).sel(variant="principal")
        old = p.where(p.age >= 65).sum("age")
        work = p.where((p.age >= 16) & (p.age <= 64)).sum("age")
        change[name] = float((old / work).sel(year=2040) - (old / work).sel(year=2023))
    assert change["projection_rural.yaml"] > change["projection_urban.yaml"] > 0
