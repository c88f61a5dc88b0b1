"""Flood package: the solver's physics and books, design storms, damage/EAD, people; against landlab."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twin.errors import PlaceDataError, ScenarioError
from twin.flood.damage import DepthDamage, aep, building_damage, check_curve, expected_annual_damage
from twin.flood.people import access_after_flood, days_from_depth
from twin.flood.solver import Inflow, simulate_flood
from twin.flood.storms import DDF, check_return_periods, design_storms, profile, rainfall_uplift, read_ddf_csv


def _one_line(err: Exception) -> bool:
    return "\n" not in str(err) and len(str(err)) < 400


# --------------------------------------------------------------------------- solver physics
def test_lake_at_rest_stays_at_rest():
    rng = np.random.default_rng(3)
    z = rng.uniform(0.0, 1.5, (15, 15))
    h0 = np.maximum(1.0 - z, 0.0)                     # flat surface at 1 m, dry islands above it
    r = simulate_flood(z, 10.0, np.zeros(1), 600.0, duration=1800.0, initial_depth=h0, boundary="closed")
    assert np.max(np.abs(r.depth - h0)) < 1e-12
    assert r.mass.outflow == 0.0 and r.steps > 10


def test_mass_is_conserved_to_rounding():
    rng = np.random.default_rng(4)
    y, x = np.mgrid[0:25, 0:30]
    z = 0.02 * x + 0.5 * np.sin(y / 3.0) + rng.normal(0, 0.2, x.shape)
    imp = rng.uniform(0, 1, z.shape)
    hyd = np.array([0.0, 2.0, 5.0, 2.0, 0.5])
    r = simulate_flood(z, 20.0, np.array([10.0, 60.0, 30.0]), 600.0, impervious=imp, infiltration_mm_h=5.0,
                       drainage_mm_h=12.0, inflows=(Inflow(12, 29, hyd, 600.0),), duration=4 * 3600.0)
    m = r.mass
    rain = (10 + 60 + 30) / 1000 / 6 * z.size * 400.0
    assert m.rain == pytest.approx(rain, rel=1e-12)
    assert m.inflow == pytest.approx(hyd.sum() * 600.0, rel=1e-12)
    assert m.outflow > 0 and m.infiltration > 0 and m.drainage > 0 and m.final > 0
    assert abs(m.error) < 1e-9 * (m.rain + m.inflow)
    assert np.all(r.depth >= 0)


def test_water_runs_downhill_into_the_depression():
    y, x = np.mgrid[0:21, 0:21]
    z = 0.01 * ((x - 10.0) ** 2 + (y - 10.0) ** 2)  # a bowl, lowest in the middle
    r = simulate_flood(z, 10.0, np.array([50.0]), 1800.0, duration=3 * 3600.0, boundary="closed")
    rain_m = 0.025
    assert r.depth[10, 10] > 5 * rain_m           # the pit collects the hillsides' rain
    assert r.depth[0, 0] < 0.1 * rain_m            # the rim drained
    eta = z + r.depth
    wet = r.depth > 0.01
    assert np.ptp(eta[wet]) < 0.01                 # and the pond's surface is level


def test_depth_grows_with_return_period():
    y, x = np.mgrid[0:16, 0:16]
    z = 0.02 * np.hypot(x - 8, y - 8) + 0.001 * x
    storms = design_storms(DDF(), [10, 30, 100, 1000], duration_min=60, step_min=10)
    depths = [simulate_flood(z, 20.0, s.intensity_mm_h, s.step_s, infiltration_mm_h=5.0).max_depth for s in storms]
    peaks = [d.max() for d in depths]
    assert all(b > a for a, b in zip(peaks, peaks[1:]))
    assert all(np.all(b >= a - 1e-6) for a, b in zip(depths, depths[1:]))


_LL_REFERENCE = Path(__file__).parent / "data" / "flood_landlab_bowl.npz"
_LL_SETUP = {"n": 14, "dx": 10.0, "rain_mm_h": 60.0, "rain_s": 1200.0, "duration_s": 5400.0, "manning": 0.03}


def _bowl() -> np.ndarray:
    n = _LL_SETUP["n"]
    y, x = np.mgrid[0:n, 0:n]
    return 0.004 * ((x - 5.0) ** 2 + (y - 7.0) ** 2) + 0.02 * x


def landlab_depths() -> np.ndarray:
    """Final depths of landlab's OverlandFlow (de Almeida 2012) on the bowl (closed edges; core cells)."""
    from landlab import RasterModelGrid
    from landlab.components import OverlandFlow
    from threadpoolctl import threadpool_limits   # landlab's OpenMP loops thrash a shared machine

    s, z = _LL_SETUP, _bowl()
    g = RasterModelGrid(z.shape, xy_spacing=s["dx"])
    g.add_field("topographic__elevation", z.ravel().copy(), at="node")
    g.add_zeros("surface_water__depth", at="node")
    g.set_closed_boundaries_at_grid_edges(True, True, True, True)
    of = OverlandFlow(g, mannings_n=s["manning"], steep_slopes=True, alpha=0.7, theta=0.8)
    t = 0.0
    with threadpool_limits(limits=1, user_api="openmp"):
        while t < s["duration_s"]:
            of.rainfall_intensity = s["rain_mm_h"] / 3.6e6 if t < s["rain_s"] else 0.0
            t += of.overland_flow(dt=(s["rain_s"] - t) if t < s["rain_s"] else s["duration_s"] - t)
    return g.at_node["surface_water__depth"].reshape(z.shape)[1:-1, 1:-1].copy()


def test_same_depths_as_landlab_overland_flow():
    """Our solver against landlab's OverlandFlow on the same bowl and storm (reference stored by the slow test)."""
    s = _LL_SETUP
    ll = np.load(_LL_REFERENCE)["depth"]
    ours = simulate_flood(_bowl()[1:-1, 1:-1], s["dx"], np.array([s["rain_mm_h"]]), s["rain_s"],
                          duration=s["duration_s"], manning=s["manning"], boundary="closed").depth
    wet_ll, wet_ours = ll > 0.01, ours > 0.01
    assert (wet_ll & wet_ours).sum() >= 0.9 * (wet_ll | wet_ours).sum()       # same flooded cells
    assert ours[wet_ours].sum() == pytest.approx(ll[wet_ll].sum(), rel=0.05)  # same pond volume
    assert np.abs(ours - ll)[wet_ll].mean() < 0.1 * ll[wet_ll].mean()         # same depths, cell by cell


@pytest.mark.slow
def test_landlab_reference_is_landlabs_answer():
    """The stored reference is what landlab computes today (importing landlab takes ~10-20 s)."""
    pytest.importorskip("landlab")
    assert np.allclose(landlab_depths(), np.load(_LL_REFERENCE)["depth"], atol=1e-9)


# --------------------------------------------------------------------------- storms
def test_design_storms_profile_uplift_and_table(tmp_path):
    p = profile(36, 3.9)
    assert p.sum() == pytest.approx(1.0) and p.argmax() in (17, 18) and 3.0 < p.max() / p.mean() < 3.9  # 5-min mean of a 3.9 peak
    d = DDF()
    assert d.depth_mm(180, 100) == pytest.approx(20 * 3 ** 0.27 * (1 + 0.32 * (4.600 - 1.500)), rel=1e-3)
    assert rainfall_uplift(2.0, 0.1) == pytest.approx(1.21)
    f = tmp_path / "ddf.csv"
    f.write_text("return_period_years,duration_min,depth_mm\n10,60,20\n10,180,30\n100,60,40\n100,180,60\n")
    t = read_ddf_csv(f)
    assert t.depth_mm(180, 100) == pytest.approx(60) and 30 < t.depth_mm(180, 30) < 60
    s = design_storms(t, [10, 100], duration_min=180, step_min=5, uplift=1.2)
    assert [x.depth_mm for x in s] == pytest.approx([36.0, 72.0])
    assert s[1].intensity_mm_h.sum() * 5 / 60 == pytest.approx(72.0)


@pytest.mark.parametrize(("text", "match"), [
    ("return_period_years,duration_min\n10,60\n", "missing column 'depth_mm'"),
    ("return_period_years,duration_min,depth_mm\n10,60,-3\n", "bad.csv:2: depth_mm"),
    ("return_period_years,duration_min,depth_mm\n10,60,x\n", "not a number"),
    ("return_period_years,duration_min,depth_mm\n10,60,30\n100,60,20\n", "depth falls"),
])
def test_bad_design_table_is_one_line(tmp_path, text, match):
    f = tmp_path / "bad.csv"
    f.write_text(text)
    with pytest.raises(ScenarioError, match=match) as e:
        read_ddf_csv(f)
    assert _one_line(e.value) and "bad.csv" in str(e.value)


def test_bad_inputs_give_one_line_errors():
    z = np.zeros((5, 5))
    z[2, 2] = np.nan
    with pytest.raises(PlaceDataError, match="elevation has 1 missing") as e:
        simulate_flood(z, 10.0, np.ones(2), 60.0)
    assert _one_line(e.value)
    with pytest.raises(ScenarioError, match="rainfall") as e:
        simulate_flood(np.zeros((5, 5)), 10.0, np.array([1.0, -2.0]), 60.0)
    assert _one_line(e.value)
    for bad in ([100, 30], [10, 10], [1, 10], []):
        with pytest.raises(ScenarioError, match="return period") as e:
            check_return_periods(bad)
        assert _one_line(e.value)
    with pytest.raises(ScenarioError, match="not monotone") as e:
        check_curve([0, 0.5, 1.0], [0, 0.4, 0.3])
    assert _one_line(e.value)


# --------------------------------------------------------------------------- damage and EAD
def test_ead_by_hand():
    T, D = [10.0, 100.0], [100.0, 1000.0]
    p2, p10, p100 = 1 - np.exp(-1 / 2), 1 - np.exp(-1 / 10), 1 - np.exp(-1 / 100)
    hand = 0.5 * 100 * (p2 - p10) + 0.5 * 1100 * (p10 - p100) + 1000 * p100
    assert expected_annual_damage(T, D) == pytest.approx(hand, rel=1e-12)
    assert expected_annual_damage(T, D, tail=False) == pytest.approx(hand - 1000 * p100)
    assert aep(100.0) == pytest.approx(0.00995, rel=1e-3)


def test_ead_on_a_tiny_grid_by_hand():
    curve = DepthDamage()                                  # JRC residential
    buildings = np.array([[1.0, 2.0], [0.0, 1.0]])
    depth10 = np.array([[0.5, 0.0], [1.0, 0.0]])
    depth100 = np.array([[1.0, 0.5], [2.0, 0.25]])
    d10 = building_damage(depth10, buildings, 100_000, curve).sum()
    d100 = building_damage(depth100, buildings, 100_000, curve).sum()
    assert d10 == pytest.approx(25_000)                    # one home at 0.5 m: 25 %
    assert d100 == pytest.approx(40_000 + 2 * 25_000 + 12_500)
    p2, p10, p100 = aep([2.0, 10.0, 100.0])
    hand = 0.5 * d10 * (p2 - p10) + 0.5 * (d10 + d100) * (p10 - p100) + d100 * p100
    assert expected_annual_damage([10, 100], np.array([d10, d100])) == pytest.approx(hand)
    # property flood resilience below 0.6 m cuts shallow damage only
    cut = building_damage(depth100, buildings, 100_000, curve, reduction_below_m=0.6, reduction=0.5).sum()
    assert cut == pytest.approx(40_000 + 0.5 * (50_000 + 12_500))


# --------------------------------------------------------------------------- people
def test_displacement_and_access():
    assert list(days_from_depth([0.1, 0.3, 0.45, 5.0])) == [0.0, 30.0, 60.0, 365.0]
    depth = np.zeros((3, 5))
    depth[:, 2] = 1.0                                      # a flooded street splits west from east
    X, Y = np.meshgrid(np.arange(5) * 100.0, np.arange(3) * -100.0)
    services = np.array([[0.0, 0.0], [400.0, 0.0]])       # one west, one east
    lost, no_alt, nearest = access_after_flood(depth, X.ravel(), Y.ravel(), services, np.array([False, True]),
                                               alternative_m=1000.0)
    lost, no_alt = lost.reshape(3, 5), no_alt.reshape(3, 5)
    assert not lost[:, :2].any() and lost[:, 3:].all()   # east side: its service is closed
    assert no_alt[:, 3:].all() and not no_alt[:, :2].any()
    with pytest.raises(ScenarioError):
        days_from_depth(0.5, [[0.5, 10], [0.3, 20]])


def test_avoided_ead_is_an_appraisal_benefit():
    import xarray as xr

    from twin.analysis.appraisal import appraise
    from twin.interventions import Cost

    ead = xr.DataArray(np.array([[[[3e5, 1e5]]], [[[1e5, 5e4]]]]), dims=("option", "pathway", "replicate", "zone"),
                       coords={"option": ["do_nothing", "pfr"], "pathway": ["baseline"], "replicate": [0],
                               "zone": ["Z01", "Z02"]}, attrs={"units": "year-1", "currency": "GBP"})
    time = np.array(["2030-07-01", "2030-07-02"], dtype="datetime64[ns]")
    res = xr.Dataset({"expected_annual_damage": ead}, coords={"time": time})
    costs = {"do_nothing": [], "pfr": [Cost(1e6, 0.0, 20.0, 2017, "test", "property_flood_resilience")]}
    app = appraise(res, costs=costs, benefits=["flood_ead_avoided"])
    per_year = app["flood_ead_avoided_per_year"].sel(option="pfr", pathway="baseline", replicate=0)
    assert float(per_year) == pytest.approx(2.5e5)
    assert float(app["npv"].sel(option="pfr", pathway="baseline", replicate=0)) > 0
