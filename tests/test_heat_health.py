"""The heat_health model: traits, services, records, common random numbers, bad input, an end-to-end run."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from tests.conftest import scenario_text
from twin._names import CHANNELS, SERVICE_TYPES
from twin.climate import ClimateDrivers, local_offsets
from twin.models import get_model
from twin.place import Service
from twin.testing import tiny_place

import twin.models.heat_health as hh
from twin.run.engine import simulate
from twin.run.streams import RunStreams


def params(**overrides):
    return get_model("heat_health").Params.model_validate(overrides)


def drivers(place, tmax, tmin, start="2030-07-01"):
    time = pd.date_range(start, periods=len(tmax))
    w = xr.Dataset({"tasmax": ("time", np.asarray(tmax, float)), "tasmin": ("time", np.asarray(tmin, float)),
                    "pr": ("time", np.zeros(len(tmax)))}, coords={"time": time})
    return ClimateDrivers(w, local_offsets(place.grid))


def hot(place, days=14, seed=0):
    rng = np.random.default_rng(seed)
    return drivers(place, 31 + 4 * rng.random(days), 17 + 4 * rng.random(days))


@pytest.fixture(scope="module")
def place():
    return tiny_place(4, 1500, seed=5)


@pytest.fixture(scope="module")
def residents(place):
    return hh.HeatHealthModel.make_residents(place, params(), np.random.default_rng(11))


def run(place, res, drv, p=None, key=(3, 0, 0), **kw):
    seed, replicate, first = key
    return simulate(hh.HeatHealthModel, place, drv, res, p or params(), streams=RunStreams(seed, replicate, first),
                    **kw)


def test_traits_use_a_fixed_number_of_draws_and_rural_residents_are_less_digital(place):
    p = params()
    a = hh.HeatHealthModel.make_residents(place, p, np.random.default_rng(1))
    b = hh.HeatHealthModel.make_residents(place, p, np.random.default_rng(1))
    assert all(np.array_equal(a.extra[k], b.extra[k]) for k in a.extra)
    # a parameter change alters the traits it governs, never the draws behind the others (CRN)
    c = hh.HeatHealthModel.make_residents(place, params(traits={"ltc_prevalence": (0.5, 0.5, 0.5, 0.5, 0.5, 0.5)}),
                          np.random.default_rng(1))
    assert np.array_equal(a.extra["channel"], c.extra["channel"])
    assert not np.array_equal(a.extra["long_term_condition"], c.extra["long_term_condition"])
    urban = tiny_place(4, 4000, seed=2, urban=True)
    rural = tiny_place(4, 4000, seed=2, urban=False)
    share = [np.mean(hh.HeatHealthModel.make_residents(pl, p, np.random.default_rng(3)).extra["channel"] == CHANNELS.index("digital"))
             for pl in (urban, rural)]
    assert share[1] < share[0]


def test_records_have_units_float32_counts_and_fixed_service_types(place, residents):
    ds = run(place, residents, hot(place))
    for name, da in ds.data_vars.items():
        assert da.attrs.get("units") and da.attrs.get("long_name"), name
        if name != "service_utilisation":
            assert da.dtype == np.float32, name
    assert ds["contacts_by_age"].dims == ("zone", "age_band", "channel")
    assert list(ds["service_type"].values) == list(SERVICE_TYPES)
    assert float(ds["exposed"].sum()) > 0 and float(ds["expected_attributable_deaths"].sum()) > 0
    # period totals add up to the daily series
    for v in ("contacts", "unmet_demand", "expected_attributable_deaths"):
        assert float(ds[f"{v}_by_age"].sum()) == pytest.approx(float(ds[v].sum()), rel=1e-5)
    util = ds["service_utilisation"].values
    assert np.nanmax(util) <= 1.0 + 1e-6


def test_daily_by_age_tables_when_asked(place, residents):
    ds = run(place, residents, hot(place, 5), outputs=type("O", (), {"daily_by_age": True})())
    assert ds["contacts_daily_by_age"].dims == ("time", "zone", "age_band", "channel")
    assert float(ds["contacts_daily_by_age"].sum()) == pytest.approx(float(ds["contacts"].sum()))


def test_same_seed_same_records_and_an_option_with_no_effect_changes_nothing(place, residents):
    drv = hot(place)
    a, b = run(place, residents, drv), run(place, residents, drv)
    xr.testing.assert_identical(a, b)
    s0 = place.services[0]
    school = Service(id="SCH99", type="school", name="New school", capacity=300.0, channels=("face_to_face",),
                     opening_days=(0, 1, 2, 3, 4), x=s0.x, y=s0.y, zone=s0.zone)
    c = run(place.replace(services=place.services + (school,)), residents, drv)
    xr.testing.assert_equal(a.drop_vars(["service_capacity", "service_utilisation", "service_contacts"]),
                            c.drop_vars(["service_capacity", "service_utilisation", "service_contacts"]))


def test_quiet_days_draw_nothing_so_later_days_are_unchanged(place, residents):
    """A cold day is skipped without draws: the hot days after it see the same numbers either way.

    Lag 0 only, so the cold day does not enter the later days' dose (the lag is tested elsewhere).
    """
    rng = np.random.default_rng(4)
    tx, tn = 31 + 4 * rng.random(10), 17 + 4 * rng.random(10)
    p = params(exposure_response={"lag_weights": [1.0]})
    cold_first = drivers(place, np.r_[12.0, tx], np.r_[5.0, tn], start="2030-06-30")
    ds = run(place, residents, cold_first, p, key=(3, 0, 0))
    assert float(ds["exposed"].isel(time=0).sum()) == 0
    alone = run(place, residents, drivers(place, tx, tn), p, key=(3, 0, 1))  # same days, first_day shifted by one
    xr.testing.assert_equal(ds["expected_attributable_deaths"].isel(time=slice(1, None)),
                            alone["expected_attributable_deaths"])


def test_protection_never_raises_harm_and_outreach_reaches_the_vulnerable_list(place, residents):
    drv = hot(place, 21)
    p = params(delivery={"proactive_min_level": 1})
    base = run(place, residents, drv, p)
    s0 = place.services[0]
    team = Service(id="OUT1", type="home_visit_team", name="Outreach", capacity=20.0, channels=("phone",),
                   opening_days=tuple(range(7)), x=s0.x, y=s0.y, zone=s0.zone, properties={"proactive": True})
    out = run(place.replace(services=place.services + (team,)), residents, drv, p)
    assert float(out["vulnerable_contacts"].sum()) > float(base["vulnerable_contacts"].sum())
    d = out["expected_attributable_deaths"] - base["expected_attributable_deaths"]
    # per day and zone the option can add a little: people it saves stay exposed, and fewer heat deaths
    # displace less of the later baseline; over the period it only removes
    assert float(d.max()) <= 1e-5 and float(d.sum()) < -1e-3
    # no capacity anywhere: every request is unmet, nobody contacted
    none = run(place, residents, drv, params(delivery={"capacity_multiplier": 0.0}))
    assert float(none["contacts"].sum()) == 0 and float(none["unmet_demand"].sum()) > 0


def test_face_to_face_teams_make_fewer_visits_far_away(place):
    from twin.models._services import HomeVisitTeam

    team = HomeVisitTeam.__new__(HomeVisitTeam)
    team.travels = True
    d = params().delivery
    near = team.travel_cost(np.array([100.0]), np.array([0.0]), np.array([False]), d)
    far = team.travel_cost(np.array([10_000.0]), np.array([0.0]), np.array([True]), d)
    assert 1.0 < near[0] < far[0]


@pytest.mark.parametrize("parameters, needle", [
    ("{delivery: {alert_signup: 1.5}}", "alert_signup"),
    ("{delivery: {routes: {fax: [library], face_to_face: [], phone: [], digital: []}}}", "fax"),
    ("{delivery: {routes: {face_to_face: [pub], phone: [], digital: []}}}", "pub"),
    ("{services: {help_seeking_by_alert: [0, 0.1, 0.2, 1.5]}}", "help_seeking_by_alert"),
])
def test_bad_parameters_are_one_line_exit_2(parameters, needle, tiny_place_dir, tmp_path, capsys):
    from twin.cli import main

    path = tmp_path / "s.yaml"
    path.write_text(scenario_text(tiny_place_dir, model="model: heat_health", options="options:\n  - name: a\n    interventions: []")
                    + f"parameters: {parameters}\n")
    code = main(["validate", str(path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and needle in err, err


def test_twin_run_writes_records_and_channel_plot(tiny_place_dir, tmp_path):
    from twin.plot.core import PLOTS

    had = "channels_by_age" in PLOTS
    import twin.plot.heat  # noqa: F401  (registers channels_by_age, as twin.plot.core will once it imports it)

    try:
        _run_and_check(tiny_place_dir, tmp_path)
    finally:
        if not had:  # leave the registry as other tests expect it
            PLOTS.pop("channels_by_age", None)


def _run_and_check(tiny_place_dir, tmp_path):
    from twin.analysis._options import zones_from_results
    from twin.plot.core import plot_all
    from twin.run import run_scenario
    from twin.scenario import load

    path = tmp_path / "s.yaml"
    path.write_text(scenario_text(tiny_place_dir, model="model: heat_health", replicates="replicates: 2",
                                  period="period: {start: 2030-07-01, end: 2030-07-12}",
                                  outputs="outputs: {plots: false}"))
    res = run_scenario(load(path), tmp_path / "out", progress=False)
    ds = res.dataset
    for v in ("exposed", "contacts_by_age", "unmet_demand_by_age", "service_utilisation"):
        assert v in ds
    assert ds["contacts_by_age"].dims[:3] == ("option", "pathway", "replicate")
    # the channel plot, from the stored results (twin run draws every registered plot the same way;
    # tests/test_plots.py draws them all)
    written = plot_all(ds, zones_from_results(ds), tmp_path / "plots", names=["channels_by_age"])
    assert [p.name for p in written] == ["channels_by_age_do_nothing.png", "channels_by_age_canopy_all.png"]
    res.close()


def test_the_dead_leave_the_run_and_displacement_lowers_the_next_days_baseline(place, residents):
    """Deaths remove residents (fewer exposed later) and a share of heat deaths lowers later baseline."""
    tx, tn = np.full(40, 36.0), np.full(40, 22.0)
    steep = {"slope_high_london": 0.2, "slope_high_other": 0.2, "slope_low": 0.2}
    hot = params(mortality={"seasonal_amplitude": 0.0},
                 exposure_response={**steep, "displacement_share": 1.0, "displacement_days": 5})
    ds = run(place, residents, drivers(place, tx, tn), hot)
    exposed = ds["exposed"].sum("zone").values
    assert exposed[-1] < exposed[0]  # residents who died are not exposed again
    deaths = ds["attributable_deaths"].sum("zone") + ds["baseline_deaths"].sum("zone")
    assert float(deaths[:-1].sum()) == exposed[0] - exposed[-1]  # the day's dead are gone the next day
    assert float(ds["displaced_deaths"].isel(time=0).sum()) == 0 and float(ds["displaced_deaths"].sum()) > 0
    none = run(place, residents, drivers(place, tx, tn),
               params(mortality={"seasonal_amplitude": 0.0}, exposure_response={**steep, "displacement_share": 0.0}))
    assert float(none["displaced_deaths"].sum()) == 0
    later = slice(2, None)
    assert float(ds["expected_baseline_deaths"].isel(time=later).sum()) < \
        float(none["expected_baseline_deaths"].isel(time=later).sum())


def test_services_scale_with_capacity_multiplier(place, residents):
    p = params(delivery={"capacity_multiplier": 2.0})
    m = hh.HeatHealthModel(place, hot(place, 2), residents, p, streams=RunStreams(1, 0))
    caps = {a.service.id: a.capacity for a in m.services}
    assert caps["GP01"] == pytest.approx(2 * next(s.capacity for s in place.services if s.id == "GP01"))
    assert len(m.agents) == len(place.services)
    assert dataclasses.is_dataclass(place.services[0])
