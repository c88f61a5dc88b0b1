"""Equity: concentration index by hand, benefits by group add up, SPI scaling."""

from __future__ import annotations

import numpy as np
import pytest

from tests.appraisal_fakes import fake_results
from twin.analysis.equity import benefit_by, concentration_index, deprivation_concentration
from twin.analysis.progress_index import progress_index, scale


@pytest.fixture(scope="module")
def results():
    return fake_results()


def test_concentration_index_on_a_hand_example():
    # four equal zones ranked decile 1..4; fractional ranks .125 .375 .625 .875; mean 0.75
    # cov = mean((h - .75)(R - .5)) = -0.21875 -> C = 2 cov / mean = -0.58333
    h, w, d = [2.0, 1.0, 0.0, 0.0], [1, 1, 1, 1], [1, 2, 3, 4]
    assert concentration_index(h, w, d) == pytest.approx(-0.5833333)
    assert concentration_index(h, w, d, kind="generalized") == pytest.approx(-0.4375)
    assert concentration_index(h, w, d, kind="erreygers", bounds=(0, 2)) == pytest.approx(8 * -0.21875 / 2)
    assert concentration_index([1, 1, 1], [5, 1, 2], [1, 2, 3]) == pytest.approx(0.0)      # equal shares
    assert concentration_index([0, 0, 3], [1, 1, 1], [1, 5, 10]) > 0                           # favours the least deprived
    # ties share their rank: two zones of decile 1 act as one
    assert concentration_index([2, 2, 0], [1, 1, 2], [1, 1, 2]) == pytest.approx(concentration_index([2, 0], [2, 2], [1, 2]))


def test_benefits_by_decile_favour_the_deprived_zones_of_the_fake(results):
    by = benefit_by(results, "deprivation_decile").sel(option="outreach", pathway="gwl2")
    m = by["mean"].values
    assert np.all(np.diff(m) < 0)  # decile 1 gains most per 1,000 in the fake
    ci = deprivation_concentration(results, kind="standard").sel(option="outreach", pathway="gwl2")
    assert float(ci["upper"]) < 0


def test_group_totals_add_up_to_the_place(results):
    ur = benefit_by(results, "urban_rural").sel(option="centres", pathway="gwl4")["mean"]
    pop = results["residents"].groupby(results["urban_rural"]).sum()
    place = benefit_by(results, "zone").sel(option="centres", pathway="gwl4")["mean"]
    total_ur = float((ur * pop).sum())
    total_z = float((place * results["residents"]).sum())
    assert total_ur == pytest.approx(total_z)
    chan = benefit_by(results, "channel").sel(option="outreach", pathway="gwl2")["mean"]
    assert float(chan.sel(channel="phone")) > float(chan.sel(channel="digital")) == 0.0


def test_no_effect_option_gains_nothing_in_any_group(results):
    for by in ("deprivation_decile", "age_band", "channel"):
        d = benefit_by(results, by).sel(option="no_effect")
        assert np.allclose(d["mean"], 0) and np.allclose(d["lower"], 0) and np.allclose(d["upper"], 0)


def test_spi_scaling_between_worst_and_best():
    assert scale(20.0, 20.0, 0.0) == 0 and scale(0.0, 20.0, 0.0) == 100 and scale(5.0, 20.0, 0.0) == 75
    assert scale(-3.0, 20.0, 0.0) == 100 and scale(40.0, 20.0, 0.0) == 0      # clipped
    assert scale(0.25, 0.0, 1.0) == 25


def test_progress_index_is_the_mean_of_dimensions_of_components(results):
    ix = progress_index(results)
    d = [v for v in ix.data_vars if v.startswith("dimension_")]
    assert set(d) == {"dimension_basic_human_needs"}  # no place given: only results-based indicators
    comp = (ix["score_heat_deaths_per_100k"] + ix["score_heat_illness_per_100k"]) / 2
    assert np.allclose(ix["index"], comp)
    assert float(ix["index"].min()) >= 0 and float(ix["index"].max()) <= 100
    better = ix["index"].sel(option="outreach") >= ix["index"].sel(option="do_nothing") - 1e-9
    assert bool(better.all())
