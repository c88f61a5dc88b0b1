"""The two bundled places: load cleanly, look like what they claim, regenerate byte for byte."""

from __future__ import annotations

import hashlib
from collections import Counter

import numpy as np
import pytest

from twin._names import SERVICE_TYPES
from twin.place._synth_people import EW_2021_BROAD, age_profile
from twin.place.grid import distance_to_nearest, zonal_stat
from twin.place import BUNDLED_PLACES_DIR, PLACE_FILES, Place, list_places


@pytest.fixture(scope="module")
def places():
    return {p.name: Place.load(p) for p in list_places()}


def test_both_places_are_bundled():
    assert [p.name for p in list_places()] == ["rural_district", "urban_borough"]
    assert BUNDLED_PLACES_DIR.name == "places"


@pytest.mark.parametrize("name, residents, n_zones, region, station, cell",
                         [("urban_borough", 150_000, 20, "London", "heathrow", 100.0),
                          ("rural_district", 60_000, 15, "South West", "yeovilton", 200.0)])
def test_headline_numbers(places, name, residents, n_zones, region, station, cell):
    p = places[name]
    assert p.residents == residents
    assert p.zone_codes == tuple(f"Z{i:02d}" for i in range(1, n_zones + 1))
    assert (p.meta["region"], p.meta["climate_station"], p.cell_size) == (region, station, cell)
    assert p.meta["sources"], "calibration sources are listed"
    assert p.summary().startswith(f"{name}: {residents:,} residents, {n_zones} zones")
    size = sum((p.path / f).stat().st_size for f in PLACE_FILES)
    assert size < 5e6


def test_grid_residents_match_population_by_zone(places):
    for p in places.values():
        per_zone = zonal_stat(p.grid["residents"].values, p.zone_index, len(p.zones), how="sum")
        np.testing.assert_array_equal(per_zone, p.population.sum(("sex", "age")).values)
        assert p.grid["residents"].values[p.zone_index < 0].sum() == 0
        assert (p.population.sum(("sex", "age")) > 0).all()


def test_ew_profile_matches_census_2021():
    p = age_profile("ew")
    assert p[:15].sum() == pytest.approx(EW_2021_BROAD["0-14"], abs=1e-9)
    assert p[65:].sum() == pytest.approx(EW_2021_BROAD["65+"], abs=1e-9)
    assert p[90] == pytest.approx(0.009, abs=1e-9)


def _shares(p):
    by_age = p.population.sum(("zone", "sex")).values
    return {"<15": by_age[:15].sum() / by_age.sum(), "25-44": by_age[25:45].sum() / by_age.sum(),
            "65+": by_age[65:].sum() / by_age.sum(), "85+": by_age[85:].sum() / by_age.sum()}


def test_urban_is_younger_and_rural_older(places):
    u, r = _shares(places["urban_borough"]), _shares(places["rural_district"])
    assert 0.10 < u["65+"] < 0.14 and u["25-44"] > 0.32
    assert 0.25 < r["65+"] < 0.29 and 0.035 < r["85+"] < 0.045
    assert u["65+"] < EW_2021_BROAD["65+"] < r["65+"]
    for p in places.values():  # more women than men at 85+
        old = p.population.sel(age=slice(85, 90)).sum(("zone", "age"))
        assert old.sel(sex="F") > 1.5 * old.sel(sex="M")


def test_urban_heat_island_and_river_valley(places):
    p = places["urban_borough"]
    imperv = zonal_stat(p.grid["impervious"].values, p.zone_index, len(p.zones), "mean")
    canopy = zonal_stat(p.grid["canopy"].values, p.zone_index, len(p.zones), "mean")
    cells = p.grid["impervious"].values[p.zone_index >= 0]
    assert np.percentile(cells, 95) > 0.7 and np.percentile(cells, 10) < 0.2
    assert imperv.max() > 0.5 and imperv.min() < 0.3
    assert np.corrcoef(imperv, canopy)[0, 1] < -0.5   # greener suburbs
    elev = p.grid["elevation"].values
    assert elev.min() <= 5 < 30 < np.median(elev)  # river valley floor well below the suburbs
    assert sum(z.urban_rural == "urban" for z in p.zones) >= 15
    deciles = [z.deprivation_decile for z in p.zones]
    assert min(deciles) <= 2 and max(deciles) >= 8


def test_rural_services_are_further_away(places):
    med = {}
    for name, p in places.items():
        gp = [s for s in p.services if s.type == "gp_practice"]
        d = distance_to_nearest(p.grid, [s.x for s in gp], [s.y for s in gp])
        w = p.grid["residents"].values
        med[name] = float((d * w).sum() / w.sum())
    assert med["rural_district"] > 2 * med["urban_borough"]
    r = places["rural_district"]
    assert [z.urban_rural for z in r.zones].count("rural") >= 10
    assert 1 <= [z.urban_rural for z in r.zones].count("urban") <= 4


def test_services(places):
    for p in places.values():
        types = Counter(s.type for s in p.services)
        assert set(types) <= set(SERVICE_TYPES)
        assert types["contact_centre"] == 1 and types["alert_channel"] == 1
        assert types["cooling_centre"] >= 2 and types["home_visit_team"] >= 1
        assert abs(types["gp_practice"] - p.residents / 7500) <= 1
        assert set(s.zone for s in p.services) <= set(p.zone_codes)
        assert len({s.id for s in p.services}) == len(p.services)


def test_regeneration_is_byte_identical(tmp_path):
    from twin.place.synthetic import write_bundled_places

    a = write_bundled_places(tmp_path / "a")
    b = write_bundled_places(tmp_path / "b")
    for da, db in zip(a, b):
        committed = BUNDLED_PLACES_DIR / da.name
        for name in PLACE_FILES:
            ha = hashlib.sha256((da / name).read_bytes()).hexdigest()
            assert ha == hashlib.sha256((db / name).read_bytes()).hexdigest(), name
            assert ha == hashlib.sha256((committed / name).read_bytes()).hexdigest(), \
                f"{committed / name} is stale: run python data/make_places.py"
