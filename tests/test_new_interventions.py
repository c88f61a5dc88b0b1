"""The service-side interventions: pure, targeted, priced, and readable by the heat-health model."""

from __future__ import annotations


import pytest

from twin.interventions import apply_option, get, spec_model
from twin.testing import tiny_place

NEW = ("cooling_centres", "heat_health_outreach", "digital_alerts", "digital_inclusion", "community_hubs")


@pytest.fixture(scope="module")
def place():
    return tiny_place(n_zones=4, residents=4000, seed=1)


def _snapshot(place):
    return (tuple(place.services), [dict(z.properties) for z in place.zones], place.grid.copy(deep=True))


def _changed_zones(before, after):
    zones = {s.zone for s in after.services if s not in before.services}
    for s in after.services:
        zones |= set(s.properties.get("zones", []) if s not in before.services else [])
    for a, b in zip(before.zones, after.zones, strict=True):
        if dict(a.properties) != dict(b.properties):
            zones.add(a.code)
    return zones


@pytest.mark.parametrize("name", NEW)
def test_pure_targeted_and_priced(place, name):
    services, props, grid = _snapshot(place)
    target = {"zones": ["Z02", "Z04"]}
    new, (cost,) = apply_option(place, [{"type": name, "target": target, **get(name).example}])
    assert tuple(place.services) == services and [dict(z.properties) for z in place.zones] == props
    assert place.grid.identical(grid)
    assert new is not place
    changed = _changed_zones(place, new)
    assert changed and changed <= {"Z02", "Z04"}
    assert cost.capital > 0 and cost.annual > 0 and cost.lifetime_years > 0 and cost.price_base_year == 2023
    assert cost.source and cost.intervention == name


def test_cooling_centres_sites_and_hooks(place):
    new, _ = apply_option(place, [{"type": "cooling_centres", "per_zone": 2, "capacity": 80.0, "opening_days": [5, 6],
                                   "target": {"zones": ["Z01"]}}])
    added = [s for s in new.services if s.id.startswith("COOL-")]
    assert len(added) == 2 and {s.zone for s in added} == {"Z01"}
    assert all(s.type == "cooling_centre" and s.channels == ("face_to_face",) and s.opening_days == (5, 6) for s in added)
    assert len({s.id for s in new.services}) == len(new.services)
    z = place.zones[2]
    c = z.geometry.centroid
    given, _ = apply_option(place, [{"type": "cooling_centres", "locations": [[c.x, c.y]], "target": {"zones": [z.code]}}])
    assert [s.zone for s in given.services if s.id.startswith("COOL-")] == [z.code]
    from twin.errors import InterventionError

    with pytest.raises(InterventionError, match="not inside a targeted zone"):
        apply_option(place, [{"type": "cooling_centres", "locations": [[c.x, c.y]], "target": {"zones": ["Z01"]}}])


def test_outreach_is_proactive_and_costs_scale_with_staff(place):
    new, (c2,) = apply_option(place, [{"type": "heat_health_outreach", "staff": 2.0, "mode": "home_visit"}])
    team = new.services[-1]
    assert team.type == "home_visit_team" and team.properties["proactive"] is True
    assert team.properties["zones"] == list(place.zone_codes) and team.channels == ("face_to_face",)
    assert team.capacity == 10.0
    _, (c4,) = apply_option(place, [{"type": "heat_health_outreach", "staff": 4.0}])
    assert c4.annual == pytest.approx(2 * c2.annual)


def test_alerts_and_training_raise_but_never_lower_zone_properties(place):
    import dataclasses

    zones = list(place.zones)
    zones[0] = dataclasses.replace(zones[0], properties={"alert_signup": 0.7})
    p = place.replace(zones=tuple(zones))
    new, (cost,) = apply_option(p, [{"type": "digital_alerts", "signup_share": 0.5}])
    assert [z.properties["alert_signup"] for z in new.zones] == [0.7, 0.5, 0.5, 0.5]
    trained, (tc,) = apply_option(place, [{"type": "digital_inclusion", "share": 0.3, "target": {"class": "urban"}}])
    assert {z.code for z in trained.zones if "digital_training_share" in z.properties} == {
        z.code for z in place.zones if z.urban_rural == "urban"}
    assert tc.quantities["people_trained"] > 0


def test_mobile_van_rota(place):
    new, (cost,) = apply_option(place, [{"type": "community_hubs", "mobile": True}])
    stops = [s for s in new.services if s.properties.get("mobile")]
    assert len(stops) == 4 and len({s.properties["van"] for s in stops}) == 1
    assert [s.opening_days for s in stops] == [(0,), (1,), (2,), (3,)]
    fixed, (fc,) = apply_option(place, [{"type": "community_hubs"}])
    assert cost.capital == 60000.0 and fc.capital == 4 * 10000.0


def test_specs_reject_unknown_keys():
    from pydantic import ValidationError

    for name in NEW:
        with pytest.raises(ValidationError):
            spec_model(name).model_validate({"type": name, "colour": "green"})
