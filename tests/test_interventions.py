"""Interventions: pure transforms of a Place, capped, targeted, and priced in proportion to what they change."""

from __future__ import annotations

import numpy as np
import pytest

from twin.errors import InterventionError
from twin.interventions import Cost, apply_option, get, names, spec_model, total_cost
from twin.interventions.targeting import select_zones, zone_indicator
from twin.testing import tiny_place


def _set_by_zone(place, **layers):
    """Place whose layers hold one value per zone (dict code -> value), 0 outside zones."""
    grid = place.grid.copy()
    idx = np.asarray(place.zone_index)
    for layer, per_zone in layers.items():
        values = np.zeros(idx.shape, dtype=np.float32)
        for k, code in enumerate(place.zone_codes):
            values[idx == k] = per_zone[code]
        grid[layer] = grid[layer].copy(data=values)
    return place.replace(grid=grid)


@pytest.fixture(scope="module")
def place():
    # 2 x 2 zones on a 20 x 20 grid of 100 m cells: Z01 NW, Z02 NE, Z03 SW, Z04 SE
    base = tiny_place(n_zones=4, residents=4000, seed=1)
    return _set_by_zone(
        base,
        impervious={"Z01": 0.9, "Z02": 0.5, "Z03": 0.2, "Z04": 0.7},
        canopy={"Z01": 0.05, "Z02": 0.2, "Z03": 0.3, "Z04": 0.1},
        building={"Z01": 0.6, "Z02": 0.3, "Z03": 0.1, "Z04": 0.3},
    )


def _spec(name, **params):
    return spec_model(name).model_validate({"type": name, **get(name).example, **params})


def _zone_values(place, layer):
    idx = np.asarray(place.zone_index)
    values = np.asarray(place.grid[layer].values)
    return {code: values[idx == k] for k, code in enumerate(place.zone_codes)}


@pytest.mark.parametrize("name", names())
def test_every_intervention_is_pure_and_priced(place, name):
    before = place.grid.copy(deep=True)
    spec = _spec(name)
    new, (cost,) = apply_option(place, [spec])
    assert new is not place  # a new place (an unchanged grid may be shared: places are never mutated)
    assert place.grid.identical(before)  # the original is untouched
    # and the option did something: to the grid, the services, or the zones' properties
    changed_props = [dict(z.properties) for z in new.zones] != [dict(z.properties) for z in place.zones]
    assert (not new.grid.identical(before)) or new.services != place.services or changed_props
    assert cost.intervention == name and cost.capital > 0 and cost.annual >= 0 and cost.lifetime_years > 0
    assert cost.source and 2000 < cost.price_base_year < 2100
    for var in new.grid.data_vars:
        assert new.grid[var].attrs.get("units") is not None, var


def test_canopy_never_exceeds_its_caps(place):
    new = get("tree_canopy").apply(place, _spec("tree_canopy", increase=0.5, max_canopy=0.6), place.zone_codes)
    old_c, new_c = place.grid["canopy"].values, new.grid["canopy"].values
    cap = np.minimum(0.6, 1 - place.grid["building"].values)
    assert np.all(new_c <= np.maximum(old_c, cap) + 1e-6)
    assert np.all(new_c >= old_c)  # never removes canopy
    z = _zone_values(new, "canopy")
    assert np.allclose(z["Z01"], 0.4)  # 1 - building 0.6
    assert np.allclose(z["Z03"], 0.6)  # max_canopy
    assert np.allclose(z["Z04"], 0.6)  # 0.1 + 0.5


def test_canopy_above_the_cap_is_kept(place):
    lush = _set_by_zone(place, canopy={"Z01": 0.8, "Z02": 0.8, "Z03": 0.8, "Z04": 0.8})
    new, (cost,) = apply_option(lush, [_spec("tree_canopy", increase=0.2)])
    assert np.array_equal(new.grid["canopy"].values, lush.grid["canopy"].values)
    assert cost.capital == 0 and cost.quantities["trees"] == 0


def test_only_targeted_zones_change(place):
    new, _ = apply_option(place, [_spec("tree_canopy", target={"zones": ["Z02"]})])
    before, after = _zone_values(place, "canopy"), _zone_values(new, "canopy")
    for code in ("Z01", "Z03", "Z04"):
        assert np.array_equal(before[code], after[code])
    assert np.allclose(after["Z02"], before["Z02"] + 0.1)
    outside = np.asarray(place.zone_index) < 0
    assert np.array_equal(place.grid["canopy"].values[outside], new.grid["canopy"].values[outside])


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ({"top": 2, "by": "heat_exposure"}, ("Z01", "Z04")),  # most sealed, least canopy
        ({"top": 1, "by": "deprivation"}, ("Z01",)),  # decile 1
        ({"top": 3, "by": "deprivation"}, ("Z01", "Z02", "Z03")),
        ({"class": "rural"}, ("Z04",)),
        ({"zones": ["Z03", "Z01"]}, ("Z03", "Z01")),
        ("all", ("Z01", "Z02", "Z03", "Z04")),
    ],
)
def test_targets_select_the_right_zones(place, target, expected):
    assert select_zones(place, target) == expected


def test_top_share_75plus_and_density_follow_the_data(place):
    for by in ("share_75plus", "density"):
        score = zone_indicator(place, by)
        best = place.zone_codes[int(np.argmax(score))]
        assert select_zones(place, {"top": 1, "by": by}) == (best,)
    pop = place.population
    old = pop.where(pop["age"] >= 75, 0).sum(("sex", "age")) / pop.sum(("sex", "age"))
    assert np.allclose(zone_indicator(place, "share_75plus"), old.sel(zone=list(place.zone_codes)).values)


def test_unknown_zone_and_oversized_top_are_intervention_errors(place):
    with pytest.raises(InterventionError, match=r"target\.zones.*'Z99'.*valid: Z01, Z02, Z03, Z04"):
        select_zones(place, {"zones": ["Z01", "Z99"]})
    with pytest.raises(InterventionError, match=r"target\.top.*\(got 5\); valid: 1\.\.4"):
        select_zones(place, {"top": 5, "by": "density"})
    with pytest.raises(InterventionError, match="not a valid target"):
        select_zones(place, {"top": 2})


def test_unknown_intervention_lists_the_valid_ones(place):
    with pytest.raises(InterventionError, match=r"unknown intervention type.*'trees'.*valid: .*cool_roofs.*tree_canopy"):
        get("trees")
    with pytest.raises(InterventionError, match=r"valid: .*tree_canopy"):
        apply_option(place, [{"type": "trees"}])


def test_tree_cost_scales_with_added_canopy(place):
    canopy = get("tree_canopy")
    spec = _spec("tree_canopy", increase=0.1)
    one = canopy.cost(place, spec, ("Z02",))
    two = canopy.cost(place, spec, ("Z02", "Z04"))
    cells = int((np.asarray(place.zone_index) == 1).sum())
    area = cells * 0.1 * 100 * 100  # m2 of new canopy in Z02
    assert one.quantities["canopy_m2"] == pytest.approx(area, rel=1e-5)
    assert one.quantities["trees"] == np.ceil(area / 30 - 1e-6)
    assert one.capital == one.quantities["trees"] * 900
    assert two.capital == pytest.approx(2 * one.capital, abs=900)  # same-size zones, one tree of rounding
    assert f"{int(one.quantities['trees']):,} trees" in one.notes
    assert canopy.cost(place, _spec("tree_canopy", increase=0.2), ("Z02",)).capital > one.capital


def test_cool_roofs_treat_only_built_cells_of_targeted_zones(place):
    bare = _set_by_zone(place, building={"Z01": 0.6, "Z02": 0.0, "Z03": 0.1, "Z04": 0.3})
    assert "cool_roof" not in bare.grid
    new, (cost,) = apply_option(bare, [_spec("cool_roofs", coverage=0.5, target={"zones": ["Z01", "Z02"]})])
    z = _zone_values(new, "cool_roof")
    assert np.allclose(z["Z01"], 0.5) and np.allclose(z["Z02"], 0) and np.allclose(z["Z03"], 0)
    assert new.grid["cool_roof"].attrs["units"] == "1"
    cells = int((np.asarray(bare.zone_index) == 0).sum())
    roof = cells * 0.6 * 100 * 100 * 0.5
    assert cost.quantities["roof_m2"] == pytest.approx(roof, rel=1e-5)
    assert cost.capital == pytest.approx(roof * 30.0, rel=1e-5)
    # raising coverage again prices only the newly treated share
    again, (more,) = apply_option(new, [_spec("cool_roofs", coverage=0.75, target={"zones": ["Z01"]})])
    assert more.quantities["roof_m2"] == pytest.approx(roof / 2, rel=1e-5)
    assert np.allclose(_zone_values(again, "cool_roof")["Z01"], 0.75)


def test_option_targets_are_chosen_before_any_intervention(place):
    # canopy everywhere in Z01 would make it cooler than Z04; the second intervention still targets today's hottest
    specs = [
        _spec("tree_canopy", increase=0.35, target={"zones": ["Z01"]}),
        _spec("cool_roofs", target={"top": 1, "by": "heat_exposure"}),
    ]
    new, costs = apply_option(place, specs)
    assert [c.intervention for c in costs] == ["tree_canopy", "cool_roofs"]
    assert np.all(_zone_values(new, "cool_roof")["Z01"] == 0.5)
    total = total_cost(costs)
    assert total.capital == pytest.approx(sum(c.capital for c in costs))
    assert apply_option(place, []) == (place, [])


def test_cost_totals():
    a = Cost(100.0, 10.0, 40, 2019, "A", "tree_canopy", quantities={"trees": 1})
    b = Cost(50.0, 5.0, 15, 2019, "B", "cool_roofs", quantities={"trees": 2})
    total = sum([a, b])
    assert (total.capital, total.annual, total.lifetime_years) == (150.0, 15.0, 15)
    assert total.quantities["trees"] == 3 and total.source == "A; B"
    assert total_cost([]) is None
    with pytest.raises(InterventionError, match="price base"):
        a + Cost(1.0, 0.0, 10, 2024, "C")
