"""Grid helpers: rasterising zones, zonal statistics, distances, cell lookup."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from twin.place.grid import cell_centres, cell_of, cell_size, distance_to_nearest, make_grid, rasterize_zones, zonal_stat


@pytest.fixture
def grid():
    return make_grid(1000.0, 2000.0, nx=4, ny=3, size=100.0)


def test_make_grid_has_cell_centres_north_first(grid):
    assert list(grid["x"].values) == [1050, 1150, 1250, 1350]
    assert list(grid["y"].values) == [1950, 1850, 1750]
    assert grid.attrs["crs"] == "EPSG:27700"
    assert grid["x"].attrs["standard_name"] == "projection_x_coordinate"
    assert grid["y"].attrs["units"] == "m"
    assert cell_size(grid) == 100.0


def test_rasterize_zones_by_cell_centre(grid):
    west = shapely.box(1000, 1700, 1200, 2000)        # two western columns
    east = shapely.box(1200, 1800, 1400, 2000)        # north-east 2x2 block
    idx = rasterize_zones([west, east], grid)
    assert idx.dtype == np.int32
    expected = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [0, 0, -1, -1]])
    np.testing.assert_array_equal(idx, expected)


def test_rasterize_first_zone_wins_on_overlap(grid):
    a = shapely.box(1000, 1700, 1400, 2000)
    b = shapely.box(1000, 1700, 1200, 2000)
    idx = rasterize_zones([a, b], grid)
    assert (idx == 0).all()


def test_zonal_stat_mean_sum_weights_max():
    idx = np.array([[0, 0, 1], [1, -1, 2]])
    vals = np.array([[1.0, 3.0, 10.0], [20.0, 99.0, np.nan]])
    w = np.array([[1.0, 3.0, 1.0], [1.0, 1.0, 1.0]])
    np.testing.assert_allclose(zonal_stat(vals, idx, 4, "mean"), [2.0, 15.0, np.nan, np.nan])
    np.testing.assert_allclose(zonal_stat(vals, idx, 4, "sum"), [4.0, 30.0, 0.0, 0.0])
    np.testing.assert_allclose(zonal_stat(vals, idx, 4, "mean", weights=w), [2.5, 15.0, np.nan, np.nan])
    np.testing.assert_allclose(zonal_stat(vals, idx, 4, "sum", weights=w), [10.0, 30.0, 0.0, 0.0])
    np.testing.assert_allclose(zonal_stat(vals, idx, 4, "max"), [3.0, 20.0, np.nan, np.nan])
    with pytest.raises(ValueError, match="how"):
        zonal_stat(vals, idx, 4, "median")


def test_distance_to_nearest_matches_brute_force(grid):
    xs, ys = [1050.0, 1390.0], [1950.0, 1700.0]
    d = distance_to_nearest(grid, xs, ys)
    X, Y = cell_centres(grid)
    brute = np.min([np.hypot(X - x, Y - y) for x, y in zip(xs, ys)], axis=0)
    np.testing.assert_allclose(d, brute)
    assert d[0, 0] == 0.0
    assert np.isinf(distance_to_nearest(grid, [], [])).all()


def test_cell_of_points_and_outside(grid):
    assert cell_of(grid, 1050, 1950) == 0
    assert cell_of(grid, 1399.9, 1700.1) == 11
    assert cell_of(grid, 1150, 1850) == 5
    np.testing.assert_array_equal(cell_of(grid, np.array([999.0, 1401.0, 1200.0]), np.array([1900.0, 1900.0, 2001.0])),
                                  [-1, -1, -1])
    X, Y = cell_centres(grid)
    np.testing.assert_array_equal(cell_of(grid, X.ravel(), Y.ravel()), np.arange(12))
