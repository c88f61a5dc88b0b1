"""The fused heat-health passes give bit for bit what the NumPy path and the pure rules give, on the same uniforms.

The NumPy path of ``heat_health`` (``fused=False``, and the path without Numba) applies the
pure functions of :mod:`twin.health` to whole columns; the fused passes
(:mod:`twin.health.kernel`) must give identical records. Each test can fail: a change to the
rules in one place and not the other changes a count or a sum.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import xarray as xr
from scipy.stats import kstest

import twin.models.heat_health as hh
from tests.test_heat_health import drivers, params
from twin.health import age_sex_gradient, behaviour_rr, daily_harm, help_seeking_probability, seeks_help
from twin.health import kernel as K
from twin.run.engine import simulate
from twin.run.streams import RunStreams
from twin.testing import tiny_place

pytestmark = pytest.mark.skipif(not K.HAVE_NUMBA, reason="the fused passes need Numba")

N = 20_000
SEED = K.purpose_seeds(K.day_seed(np.random.default_rng(np.random.SeedSequence(5, spawn_key=(0, 2, 11)))))


@pytest.fixture(scope="module")
def people():
    rng = np.random.default_rng(4)
    n_cells = 50
    age = rng.integers(0, 91, N).astype(np.int16)
    sex = rng.integers(0, 2, N).astype(np.int8)
    cell = rng.integers(0, n_cells, N).astype(np.int32)
    dose = np.maximum(rng.normal(0.1, 0.15, n_cells), 0.0)
    hot_cell = dose > 0
    hot_cell[np.flatnonzero(hot_cell)[0]] = False  # a hot but uninhabited cell is skipped
    sa = sex.astype(np.int32) * 91 + age
    p0_sa = rng.uniform(1e-6, 0.03, 182)  # large enough that heat and other deaths are drawn
    vcode = rng.integers(0, 8, N)
    vul_code = rng.uniform(0.5, 2.0, 8).astype(np.float32)
    prot = np.where(rng.random(N) < 0.2, behaviour_rr(rng.random((N, 4)) < 0.5), 1.0)
    zb = rng.integers(0, 10, N).astype(np.int16)
    return {"age": age, "sex": sex, "cell": cell, "dose": dose, "hot_cell": hot_cell, "p0": p0_sa[sa],
            "vul": vul_code[vcode], "key": sa * 8 + vcode, "prot": prot, "zb": zb,
            "gch": (zb * 3 + rng.integers(0, 3, N)).astype(np.int32), "alive": rng.random(N) > 0.05,
            "factor": rng.uniform(0.8, 1.0, 10)}


def test_harm_pass_equals_daily_harm_on_the_same_uniforms(people):
    d = people
    grad = age_sex_gradient()[d["sex"], d["age"]]
    kind, tab = K.resident_kinds({"p0": d["p0"], "grad": grad, "vul": d["vul"]}, d["key"])
    classes, kind_class = np.unique(tab["grad"], return_inverse=True)
    rr1 = K.excess_rr_table(d["dose"], classes, d["hot_cell"])
    tables, by_zb, dead = np.zeros((5, 30)), np.zeros(10), np.empty(N, np.int64)
    n_dead = K.harm_tally(SEED, d["cell"], d["alive"], d["hot_cell"], kind, tab["p0"], kind_class.astype(np.int16),
                          tab["vul"].astype(np.float64), rr1, d["factor"], d["zb"], d["prot"], 40.0, d["gch"],
                          *tables, by_zb, dead)
    # the pure rule on the living residents of hot cells, with the same uniforms
    hot = np.flatnonzero(d["hot_cell"][d["cell"]] & d["alive"])
    p = params(exposure_response={"illness_per_attributable_death": 40.0})
    harm = daily_harm(d["dose"][d["cell"][hot]], d["age"][hot], d["sex"][hot], d["p0"][hot] * d["factor"][d["zb"][hot]],
                      K.uniforms(SEED, hot, K.U_DEATH), K.uniforms(SEED, hot, K.U_ILL), p,
                      vulnerability=d["vul"][hot], protection=d["prot"][hot], gradient=grad[hot])
    g = d["gch"][hot]
    want = [np.bincount(g, minlength=30), np.bincount(g, weights=harm.excess_probability, minlength=30),
            np.bincount(g, weights=harm.ill, minlength=30), np.bincount(g, weights=harm.died, minlength=30),
            np.bincount(g, weights=harm.died_other, minlength=30)]
    for got, w in zip(tables, want, strict=True):
        np.testing.assert_array_equal(got, w)
    np.testing.assert_array_equal(by_zb, np.bincount(d["zb"][hot], weights=harm.excess_probability, minlength=10))
    np.testing.assert_array_equal(dead[:n_dead], hot[harm.died | harm.died_other])
    assert harm.died.sum() > 5 and harm.died_other.sum() > 5 and harm.ill.sum() > harm.died.sum()


def test_seekers_equal_seeks_help_on_the_same_uniforms(people):
    age, alive = people["age"], people["alive"]
    for level in (0, 1, 3):
        got = K.seekers(SEED, help_seeking_probability(level, np.array([0, 65])), age >= 65, alive)
        want = np.flatnonzero(seeks_help(level, age, K.uniforms(SEED, np.arange(N), K.U_SEEK)) & alive)
        np.testing.assert_array_equal(got, want)
        assert (got.size > 0) == (level > 0)


def test_uniforms_are_uniform_and_do_not_depend_on_who_else_draws():
    who = np.arange(50_000)
    u = K.uniforms(SEED, who, K.U_DEATH)
    assert kstest(u, "uniform").pvalue > 1e-3 and u.min() >= 0.0 and u.max() < 1.0
    sub = np.array([7, 49_999, 123, 7])  # common random numbers: a resident's number is its own
    np.testing.assert_array_equal(K.uniforms(SEED, sub, K.U_DEATH), u[sub])
    next_day = K.purpose_seeds(K.day_seed(np.random.default_rng(np.random.SeedSequence(5, spawn_key=(0, 2, 12)))))
    for other in (K.uniforms(SEED, who, K.U_ILL), K.uniforms(next_day, who, K.U_DEATH)):
        assert abs(np.corrcoef(u, other)[0, 1]) < 0.02


def test_kinds_refuse_a_column_that_varies_within_a_kind():
    key = np.array([3, 1, 3, 1])
    kind, tab = K.resident_kinds({"x": np.array([0.5, 2.0, 0.5, 2.0])}, key)
    np.testing.assert_array_equal(tab["x"][kind], [0.5, 2.0, 0.5, 2.0])
    assert K.resident_kinds({"x": np.array([0.5, 2.0, 0.7, 2.0])}, key) is None


@pytest.fixture(scope="module")
def steep_run():
    """A hot spell steep enough for deaths, with outreach, behaviours, cooling visits and displacement."""
    place = tiny_place(4, 1500, seed=5)
    p = params(delivery={"proactive_min_level": 1},
               exposure_response={"slope_high_london": 0.2, "slope_high_other": 0.2, "slope_low": 0.2,
                                  "displacement_share": 0.5})
    res = hh.HeatHealthModel.make_residents(place, p, np.random.default_rng(11))
    rng = np.random.default_rng(2)
    drv = drivers(place, 36 + 4 * rng.random(16), 22 + 3 * rng.random(16))
    return place, p, res, drv


def test_fused_run_is_the_numpy_path_bit_for_bit(steep_run):
    place, p, res, drv = steep_run
    runs = [simulate(hh.HeatHealthModel, place, drv, res, p, streams=RunStreams(3, 0), fused=f) for f in (True, False)]
    xr.testing.assert_identical(*runs)
    ds = runs[0]
    for v in ("attributable_deaths", "heat_illness", "cooling_visits", "protected", "displaced_deaths"):
        assert float(ds[v].sum()) > 0, v


def test_without_numba_with_few_residents_or_in_a_trial_the_model_takes_the_numpy_path(steep_run, monkeypatch):
    place, p, res, drv = steep_run
    assert not hh.HeatHealthModel(place, drv, res, p, streams=RunStreams(3, 0)).fused  # 1,500 residents
    monkeypatch.setattr(hh.HeatHealthModel, "FUSED_MIN_RESIDENTS", 1000)
    assert hh.HeatHealthModel(place, drv, res, p, streams=RunStreams(3, 0)).fused
    in_trial = copy.copy(res)  # an individually randomised trial tallies per resident: the NumPy path
    in_trial.extra = {**res.extra, "trial_arm": np.zeros(len(res), np.int8)}
    assert not hh.HeatHealthModel(place, drv, in_trial, p, streams=RunStreams(3, 0)).fused
    monkeypatch.setattr(K, "HAVE_NUMBA", False)
    assert not hh.HeatHealthModel(place, drv, res, p, streams=RunStreams(3, 0), fused=True).fused
