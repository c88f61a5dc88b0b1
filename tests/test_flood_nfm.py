"""runoff_attenuation (natural flood management): bunds on the flow paths above a village hold water back."""

from __future__ import annotations

import numpy as np
import pytest

from twin.testing import tiny_place

BOWL = (slice(14, 18), slice(7, 13))          # the village: a hollow where surface water ponds


@pytest.fixture(scope="module")
def village():
    """20 x 20 cells of 100 m: fields sloping south (0.3 m a cell) into a hollow of homes, then a rim."""
    p = tiny_place(n_zones=4, residents=3000, seed=2)
    rows = np.arange(20)[:, None] * np.ones((1, 20))
    z = 10.0 + 0.3 * (19 - rows)
    z[BOWL] -= 1.5
    homes = np.zeros((20, 20))
    homes[BOWL] = 40.0
    g = p.grid.copy()
    g["elevation"] = g["elevation"].copy(data=z.astype(np.float32))
    g["residents"] = g["residents"].copy(data=homes.astype(np.float32))
    g["building"] = g["building"].copy(data=np.where(homes > 0, 0.3, 0.0).astype(np.float32))
    g["impervious"] = g["impervious"].copy(data=np.where(homes > 0, 0.6, 0.02).astype(np.float32))
    return p.replace(grid=g)


def test_bunds_sit_on_fields_above_the_village_and_hold_water_back(village):
    from twin.flood.event import run_event, terrain_of
    from twin.flood.storms import DDF, design_storms
    from twin.interventions import apply_option

    spec = {"type": "runoff_attenuation", "min_catchment_ha": 5.0, "reach_m": 500.0}
    bunded, (cost,) = apply_option(village, [spec])
    bund = bunded.grid["bund_m"].values
    assert bund.max() == 1.0 and cost.capital == pytest.approx((bund > 0).sum() * 100.0 * 100.0)
    rows, cols = np.nonzero(bund)
    assert np.all(village.grid["residents"].values[rows, cols] == 0)           # never on homes
    assert np.all(bund[13, 7:13] > 0) and rows.min() == 13                    # across the paths into the hollow
    storm = design_storms(DDF(), [100.0], duration_min=60.0)[0]
    before = run_event(terrain_of(village), storm)
    after = run_event(terrain_of(bunded), storm)
    held = after.max_depth[10:13, 7:13].mean() - before.max_depth[10:13, 7:13].mean()
    assert held > 0.02                                                          # water ponds behind the bunds
    assert after.max_depth[BOWL].mean() < before.max_depth[BOWL].mean() - 0.02  # and less reaches the homes
    assert abs(after.mass.error) < 1e-6                                         # every cubic metre booked


def test_no_bund_whose_pond_would_stand_on_homes(village):
    from twin.interventions import apply_option

    g = village.grid.copy()
    farm = g["residents"].values.copy()
    farm[12, :] = 3.0                                  # a row of homes just above the sites
    g["residents"] = g["residents"].copy(data=farm)
    bunded, _ = apply_option(village.replace(grid=g), [{"type": "runoff_attenuation", "min_catchment_ha": 5.0,
                                                         "reach_m": 500.0}])
    bund = bunded.grid["bund_m"].values
    assert float(bund[13].sum()) == 0.0                # its pond would flood the row of homes: no bund there
    assert np.all(farm[bund > 0] == 0) and np.all(np.nonzero(bund)[0] <= 11)   # bunds above the homes instead
