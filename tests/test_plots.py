"""Standard plots: every registered plot writes a PNG; zone maps draw holes and multipolygons."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box

from tests.test_metrics import make_results
from twin.errors import TwinError
from twin.analysis.metrics import indicators, paired_difference
from twin.plot.core import PLOTS, option_comparison, plot_all, zone_map

PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class FakeZone:
    code: str
    geometry: Polygon | MultiPolygon


def make_zones(n: int = 6, size: float = 1000.0) -> list[FakeZone]:
    """A 3 x 2 block of square zones in metres; Z01 has a hole (a lake), Z06 is split in two."""
    zones = []
    for i in range(n):
        x0, y0 = 400_000 + (i % 3) * size, 100_000 + (i // 3) * size
        geom = box(x0, y0, x0 + size, y0 + size)
        if i == 0:
            geom = Polygon(geom.exterior.coords, [box(x0 + 300, y0 + 300, x0 + 700, y0 + 700).exterior.coords])
        if i == n - 1:
            geom = MultiPolygon([box(x0, y0, x0 + size, y0 + 400), box(x0, y0 + 600, x0 + size, y0 + size)])
        zones.append(FakeZone(f"Z{i + 1:02d}", geom))
    return zones


@pytest.fixture(scope="module")
def results():
    return make_results(replicates=4, days=20)


def _pixel(ax, x: float, y: float) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    img = np.asarray(canvas.buffer_rgba())
    px, py = ax.transData.transform((x, y))
    return img[img.shape[0] - int(round(py)), int(round(px)), :3]


def test_plot_all_writes_every_registered_plot(results, tmp_path):
    names = set()
    for name in PLOTS:
        paths = plot_all(results, make_zones(), tmp_path / name, names=[name])
        if name == "channels_by_age" or name.startswith("flood_"):  # heat-health and flood plots: nothing to draw here
            assert paths == []
            continue
        assert paths, name
        for p in paths:
            assert p.suffix == ".png" and p.read_bytes()[:8] == PNG and p.stat().st_size > 5000
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == sorted(p.name for p in paths)  # no temporaries
        names |= {p.name for p in paths}
    assert {"map_hot_day_per_1000_baseline.png", "map_hot_day_per_1000_gwl2.png",
            "map_hot_day_per_1000_difference_canopy_hottest_gwl2.png", "option_comparison.png",
            "daily_hot_day_exposure.png", "daily_hot_night_exposure.png",
            "by_age_hot_day_exposure.png"} <= names
    assert "map_hot_day_per_1000_difference_do_nothing_baseline.png" not in names  # reference vs itself


def test_plot_all_is_deterministic_and_skips_maps_without_zones(results, tmp_path):
    a = plot_all(results, make_zones(), tmp_path / "a", names=["option_comparison"])
    b = plot_all(results, make_zones(), tmp_path / "b", names=["option_comparison"])
    assert a[0].read_bytes() == b[0].read_bytes()
    assert plot_all(results, None, tmp_path / "c", names=["zone_maps"]) == []
    with pytest.raises(TwinError, match="unknown plot"):
        plot_all(results, None, tmp_path, names=["pie_chart"])


def test_zone_map_leaves_holes_empty_and_fills_every_part():
    zones = make_zones()
    ax = zone_map(zones, {z.code: 1.0 for z in zones}, labels=False, cmap="viridis", units="person day")
    white = np.array([255, 255, 255])
    lake = zones[0].geometry.interiors[0].centroid
    assert (_pixel(ax, lake.x, lake.y) == white).all()  # the hole is not painted
    land = Point(zones[0].geometry.bounds[0] + 150, zones[0].geometry.bounds[1] + 150)
    assert not (_pixel(ax, land.x, land.y) == white).all()
    for part in zones[-1].geometry.geoms:  # both parts of the MultiPolygon are painted
        c = part.centroid
        assert not (_pixel(ax, c.x, c.y) == white).all()
    gap = zones[-1].geometry.bounds
    assert (_pixel(ax, (gap[0] + gap[2]) / 2, gap[1] + 500) == white).all()  # between the parts
    assert ax.figure.axes[-1].get_ylabel() == "person day"  # colour bar carries the units


def test_zone_map_accepts_dataarray_and_missing_zones():
    zones = make_zones()
    res = make_results(replicates=2, days=5)
    values = indicators(res).hot_day_exposure_per_1000.isel(option=0, pathway=0, replicate=0)
    values = values.sel(zone=values.zone[1:]).reset_coords(drop=True)  # drop the whole-place entry
    ax = zone_map(zones[:-1] + [FakeZone("Z99", box(0, 0, 1, 1))], values, title="t")
    assert any("no data" in t.get_text() for t in ax.texts)
    with pytest.raises(TwinError, match="Polygon"):
        zone_map([FakeZone("Z01", Point(0, 0))], {"Z01": 1.0})


def test_option_comparison_with_one_replicate():
    res = make_results(replicates=1, days=5)
    diff = paired_difference(indicators(res).hot_day_exposure_per_1000)
    ax = option_comparison(diff)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["canopy_hottest", "no_effect"]
    assert "do_nothing" in ax.get_xlabel()
