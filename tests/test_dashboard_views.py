"""The dashboard's pure views (no browser): rates, maps and clicks, portfolio, equity, futures, live model, Run overrides."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from tests.appraisal_fakes import fake_results
from twin.errors import OutputError, ScenarioError
from twin.testing import tiny_place


@pytest.fixture(scope="module")
def results():
    return fake_results(n_zones=4, replicates=5, days=10, seed=9)


@pytest.fixture(scope="module")
def place():
    return tiny_place(n_zones=4, residents=2000, seed=2)


def test_zone_rates_per_100000_and_direct_age_standardisation(results):
    from twin.dashboard.maps import zone_rates

    crude = zone_rates(results, "protected")
    assert crude.dims == ("option", "pathway", "replicate", "zone")
    np.testing.assert_allclose(zone_rates(results, "protected", per=100_000).values, 100 * crude.values)
    std = zone_rates(results, "protected", standardised=True)
    # by hand: sum over age bands of the zone's band rate times the place's share of residents in the band
    pop = results["residents_by_age"].astype(float)
    band_rate = 1000 * results["protected"].sum("channel") / pop
    expect = (band_rate * pop.sum("zone") / pop.sum()).sum("age_band").transpose(*std.dims)
    np.testing.assert_allclose(std.values, expect.values, rtol=1e-6)
    assert "age-standardised" in std.attrs["long_name"] and std.attrs["units"].endswith("per 1,000 residents")
    # a place where every zone has the same age structure: standardised equals crude
    same = results.copy()
    same["residents_by_age"] = xr.ones_like(results["residents_by_age"]) * np.arange(1, 19)
    same["residents"] = same["residents_by_age"].sum("age_band")
    np.testing.assert_allclose(zone_rates(same, "protected", standardised=True).values,
                               zone_rates(same, "protected").values, rtol=1e-6)
    with pytest.raises(Exception, match="age band"):
        zone_rates(results, "heat_illness", standardised=True)  # a daily series without an age split


def test_map_changes_with_the_pathway_and_a_click_finds_the_zone(results, place):
    from twin.dashboard.maps import map_figure, zone_at, zone_detail_figure, zone_detail_table

    a = map_figure(results, place.zones, "expected_attributable_deaths", "outreach", "baseline", services=place.services)
    b = map_figure(results, place.zones, "expected_attributable_deaths", "outreach", "gwl4", services=place.services)
    assert a.png() != b.png()
    for z in place.zones:
        p = z.geometry.representative_point()
        px, py = a.inverse.inverted().transform((p.x, p.y))
        assert zone_at(a, px, a.height - py) == z.code
    assert zone_at(a, 2, 2) is None  # the corner of the image is no zone
    d = map_figure(results, place.zones, "expected_attributable_deaths", "outreach", "gwl4", difference=True)
    assert d.png() != b.png()
    assert zone_detail_figure(results, "Z02", "outreach", "gwl4") is not None
    tab = zone_detail_table(results, "Z02", "outreach", "gwl4")
    assert tab["measure"].iloc[0] == "zone name" and "residents" in set(tab["measure"])


def test_options_views_budget_changes_the_portfolio(results):
    from twin.dashboard import views

    app = views.appraise_results(results)
    table = views.comparison_table(results, None, app)
    assert {"NPV (£m)", "P(best)", "max regret (£m)", "£m per death averted"} <= set(table.columns)
    assert table.attrs["minimax_regret_option"] in set(table["option"])
    regret = views.regret_table(results, app)
    assert list(regret["option"]) == views.options(results) and "P(best) gwl4" in regret.columns
    none, _, tab0 = views.portfolio_view(app, "gwl4", 0.0)
    full, fig, tab = views.portfolio_view(app, "gwl4", views.budget_span(app))
    assert none.members == () and "outreach" in full.members and fig is not None
    assert tab["chosen"].sum() == len(full.members) and not tab0["chosen"].any()
    assert views.forest_figure(results, views.headline_indicators(results)[0]) is not None


def test_left_out_table_flags_groups_that_gain_nothing(results):
    from twin.dashboard import views

    nothing = views.left_out_table(results, "no_effect", "gwl4")  # identical to the reference
    assert set(nothing["split"]) == {"age band", "deprivation decile", "urban rural", "channel"}
    assert nothing["left out"].all()
    some = views.left_out_table(results, "outreach", "gwl4")
    assert not some[some["split"] == "deprivation decile"]["left out"].all()


def test_futures_views_growth_and_figures(place):
    from twin.dashboard import futures

    years, ages = [2023, 2030], np.arange(91)
    pop = np.ones((2, 2, 4, 2, 91))
    pop[:, 1, :, :, 85:] = 1.5  # 85+ grow by half by 2030, in both variants
    pop[1, 1, 0, :, 85:] = 2.0  # and double in zone Z01 under the second variant
    ds = xr.Dataset({"population": (("variant", "year", "zone", "sex", "age"), pop)},
                    coords={"variant": ["principal", "high"], "year": years, "zone": [z.code for z in place.zones],
                            "sex": ["F", "M"], "age": ages})
    np.testing.assert_allclose(futures.growth(ds, "principal").values, 50.0)
    assert float(futures.growth(ds, "high").sel(zone="Z01")) == pytest.approx(100.0)
    table = futures.summary_table(ds)
    assert list(table["change %"]) == [50.0, pytest.approx(62.5)]
    assert futures.pyramid_figure(ds, "high", "Z01") is not None
    assert futures.growth_figure(ds, place.zones, "high") is not None
    assert futures.demand_figure(None, ds, "high") is not None


@pytest.fixture(scope="module")
def health_scenario(tmp_path_factory):
    from tests.dashboard_fixtures import build_dashboard_dirs
    from twin.scenario import load

    dirs = build_dashboard_dirs(tmp_path_factory.mktemp("dash"))
    return dirs, load(dirs["scenario"])


def test_live_model_is_the_engines_run_stepped_day_by_day(health_scenario):
    from twin.dashboard.live import build_live_model, live_figure, live_summary
    from twin.run import Ensemble

    _, sc = health_scenario
    model = build_live_model(sc, option=1, pathway=0, replicate=0)
    assert model.n == 3000 and live_summary(model)["day"] == 0
    model.step()
    model.step()
    s = live_summary(model)
    assert s["day"] == 2 and s["date"] == "2030-07-11" and live_figure(model) is not None
    while model.running:
        model.step()
    ours = model.to_dataset()
    engine = Ensemble(sc, replicates=1).run_one(1, 0, 0)
    for v in ("expected_attributable_deaths", "contacts", "unmet_demand_by_age"):
        np.testing.assert_array_equal(ours[v].values, engine[v].values)
    with pytest.raises(ScenarioError, match="pathway"):
        build_live_model(sc, option=0, pathway=3)


def test_run_overrides_and_dashboard_arguments(health_scenario, tmp_path):
    from twin.cli import main
    from twin.dashboard.data import prepare_scenario
    from twin.dashboard.server import configure

    dirs, _ = health_scenario
    path = dirs["scenario"]
    sc = prepare_scenario(path.read_text(), str(path), path.parent, replicates=3, pathways=["baseline", "gwl2"])
    assert sc.replicates == 3 and list(sc.pathways) == ["baseline", "gwl2"] and "gwl2" in sc.text
    with pytest.raises(ScenarioError, match="pathway"):
        prepare_scenario(path.read_text(), str(path), path.parent, pathways=[])
    env: dict[str, str] = {}
    configure([dirs["urban"], dirs["projection"]], tmp_path, env=env)
    assert env["SOLARA_APP"] == "twin.dashboard.app" and env["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    assert len(env["PLACETWIN_DASHBOARD_RESULTS"].split(":")) == 2
    with pytest.raises(OutputError, match="neither results.nc nor projection.nc"):
        configure([path.parent], env={})
    assert main(["dashboard", str(tmp_path / "missing")]) == 2
