"""The fused heat-health kernels give what the pure rules of twin.health give, on the same uniforms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kstest

from twin.health import behaviour_rr, daily_harm, heat_slopes, help_seeking_probability, seeks_help
from twin.health import kernel as K

N = 20_000
SEED = K.day_seed(np.random.default_rng(np.random.SeedSequence(5, spawn_key=(0, 2, 11))))


@pytest.fixture(scope="module")
def people():
    rng = np.random.default_rng(4)
    n_cells = 50
    age = rng.integers(0, 91, N).astype(np.int16)
    sex = rng.integers(0, 2, N).astype(np.int8)
    cell = rng.integers(0, n_cells, N).astype(np.int32)
    tmean = 18.0 + 8.0 * rng.random(n_cells)
    hot_cell = tmean > 21.5
    hot_cell[3] = False  # a hot but uninhabited-like cell is skipped
    p0 = rng.uniform(1e-6, 0.05, N)  # large enough that deaths are drawn
    vul = rng.uniform(0.5, 2.0, N).astype(np.float32)
    adopted = rng.random((N, 4)) < 0.1
    return dict(age=age, sex=sex, cell=cell, tmean=tmean, hot_cell=hot_cell, p0=p0, vul=vul,
                prot=behaviour_rr(adopted), group=rng.integers(0, 30, N).astype(np.int32))


def test_harm_kernel_equals_daily_harm_on_the_same_uniforms(people):
    d = people
    slope = heat_slopes()[d["sex"], d["age"]]
    classes, slope_class = np.unique(slope, return_inverse=True)
    tables = [np.zeros(30) for _ in range(4)]
    died_who = np.empty(N, np.int64)
    rr1 = K.excess_rr_table(d["tmean"], 21.5, classes, d["hot_cell"])
    n_died = K.harm_tally(SEED, d["cell"], d["hot_cell"], rr1, slope_class.astype(np.int8), d["p0"], d["vul"],
                          d["prot"], 40.0, d["group"], *tables, died_who)
    # the pure rules on the hot residents, with the kernel's uniforms for them
    hot = np.flatnonzero(d["hot_cell"][d["cell"]])
    from twin.health import HeatHealthParams

    params = HeatHealthParams.model_validate({"exposure_response": {"illness_per_attributable_death": 40.0}})
    harm = daily_harm(d["tmean"][d["cell"][hot]], 21.5, d["age"][hot], d["sex"][hot], d["p0"][hot],
                      K.uniforms(SEED, hot, K.U_DEATH), K.uniforms(SEED, hot, K.U_ILL), params,
                      vulnerability=d["vul"][hot], protection=d["prot"][hot], slope=slope[hot])
    g = d["group"][hot]
    np.testing.assert_array_equal(tables[0], np.bincount(g, minlength=30))
    np.testing.assert_allclose(tables[1], np.bincount(g, weights=harm.excess_probability, minlength=30), rtol=1e-12)
    np.testing.assert_array_equal(tables[2], np.bincount(g, weights=harm.ill, minlength=30))
    np.testing.assert_array_equal(tables[3], np.bincount(g, weights=harm.died, minlength=30))
    np.testing.assert_array_equal(died_who[:n_died], hot[harm.died])
    assert 0 < n_died and harm.ill.sum() > n_died  # the draws are exercised


def test_seekers_equal_seeks_help_on_the_same_uniforms(people):
    age = people["age"]
    for level in (0, 1, 3):
        p = help_seeking_probability(level, np.array([0, 65]))
        got = K.seekers(SEED, p, age >= 65)
        want = np.flatnonzero(seeks_help(level, age, K.uniforms(SEED, np.arange(N), K.U_SEEK)))
        np.testing.assert_array_equal(got, want)
        assert (got.size > 0) == (level > 0)


def test_uniforms_are_uniform_independent_of_who_is_asked_and_of_purpose():
    who = np.arange(50_000)
    u = K.uniforms(SEED, who, K.U_DEATH)
    assert kstest(u, "uniform").pvalue > 1e-3
    # common random numbers: a resident's number does not depend on who else draws that day
    sub = np.array([7, 49_999, 123, 7])
    np.testing.assert_array_equal(K.uniforms(SEED, sub, K.U_DEATH), u[sub])
    # purposes and days are different numbers, uncorrelated
    for other in (K.uniforms(SEED, who, K.U_ILL),
                  K.uniforms(K.day_seed(np.random.default_rng(np.random.SeedSequence(5, spawn_key=(0, 2, 12)))), who,
                             K.U_DEATH)):
        assert abs(np.corrcoef(u, other)[0, 1]) < 0.02
        assert not np.array_equal(u, other)
