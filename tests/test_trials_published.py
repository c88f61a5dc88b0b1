"""Trial power against the established tools' published examples, and small-sample type I error.

Published values (see docs/sources.md, "Trial design"):

- swCRTdesign README (Hughes et al., CRAN swCRTdesign 4.x): ``swPwr(swDsn(c(6,6,6,6)),
  distn="binomial", n=120, mu0=0.05, mu1=0.035, tau=0.01, eta=0, rho=0, gamma=0,
  alpha=0.05)`` = 0.7861896 (24 clusters, 5 periods).
- clusterPower ``cpa.normal`` help example: ``cpa.normal(power=NA, nclusters=16,
  nsubjects=10, d=1, sigma_b_sq=.5, vart=5)`` = 0.801766 (16 clusters per arm, ICC 0.1,
  t on 2 (16 - 1) = 30 df).
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.trials import closed_form as cf
from twin.trials.fgls import window_mask
from twin.trials.parametric import OutcomeModel
from twin.trials.power import power
from twin.trials.variance import gls_se, sw_power

MU0, MU1 = 0.05, 0.035
MU = (MU0 + MU1) / 2
SWCRT = OutcomeModel(mean=MU0, sigma_w=np.sqrt(MU * (1 - MU)), tau=0.01, cluster_size=120)


def _within_mc(sim: float, expected: float, n: int, k: float = 3.0) -> bool:
    return abs(sim - expected) <= k * np.sqrt(expected * (1 - expected) / n)


def test_swcrtdesign_readme_example_by_closed_form_and_simulation():
    X = cf.stepped_wedge_matrix(24, 5)
    assert sw_power(X, outcome="binary", n=120, mu0=MU0, mu1=MU1, tau=0.01) == pytest.approx(0.7861896, abs=1e-6)
    # random-intercept GLS is Hussey & Hughes' closed form
    assert gls_se(X, 120, MU * (1 - MU), tau=0.01) ** 2 == pytest.approx(
        cf.hussey_hughes_variance(X, 0.01**2, MU * (1 - MU) / 120), rel=1e-10)
    n = 1000
    sim = power("stepped_wedge", effects=MU1 - MU0, clusters=24, periods=5, model=SWCRT, n_sim=n, seed=3,
                reference="normal").iloc[0]
    assert sim.closed_form == pytest.approx(0.7861896, abs=1e-6)
    assert _within_mc(sim.power, 0.7861896, n), sim.power


def test_clusterpower_cpa_normal_example_by_closed_form_and_simulation():
    closed = float(cf.power_parallel(1.0, 32, 10, 0.1, np.sqrt(5), df=30))
    assert closed == pytest.approx(0.801766, abs=2e-6)
    n = 2000
    sim = power("parallel", effects=1.0, clusters=32, cluster_size=10, icc=0.1, sigma=np.sqrt(5), n_sim=n,
                seed=3).iloc[0]
    assert sim.closed_form_t == pytest.approx(closed)
    assert _within_mc(sim.power, 0.801766, n), sim.power


@pytest.mark.parametrize("clusters,periods", [(6, 4), (10, 6), (20, 5)])
def test_stepped_wedge_type_one_error_is_nominal_with_few_clusters(clusters, periods):
    n = 2000
    model = OutcomeModel.from_icc(0.02, 1.0, cluster_size=50, period_effects=tuple(np.linspace(0, 0.2, periods)))
    t = power("stepped_wedge", effects=0.0, clusters=clusters, periods=periods, model=model, n_sim=n, seed=11).iloc[0]
    assert _within_mc(t.power, 0.05, n), t.power  # within 3 Monte Carlo SEs (0.0146) of 5 %
    assert t.power_normal >= t.power  # the Wald z the twin used before rejects at least as often


def test_incomplete_stepped_wedge_closed_form_simulation_and_type_one_error():
    window = {"before": 1, "after": 2}
    X = cf.stepped_wedge_matrix(24, 5)
    mask = window_mask(X, **window)
    # one period before, two from the crossover (one for the last sequence, crossing in the last period)
    assert mask.sum(axis=1).tolist() == [3] * 18 + [2] * 6
    full = cf.power_from_se(MU1 - MU0, gls_se(X, 120, MU * (1 - MU), tau=0.01))
    part = cf.power_from_se(MU1 - MU0, gls_se(X, 120, MU * (1 - MU), tau=0.01, mask=mask))
    assert part < full  # fewer cells measured, less power
    n = 1000
    rows = power("stepped_wedge", effects=[0.0, MU1 - MU0], clusters=24, periods=5, model=SWCRT, n_sim=n, seed=5,
                 window=window, reference="normal")
    assert rows.closed_form.iloc[1] == pytest.approx(part)
    assert _within_mc(rows.power.iloc[1], part, n), rows.power.iloc[1]
    t0 = power("stepped_wedge", effects=0.0, clusters=24, periods=5, model=SWCRT, n_sim=n, seed=5,
               window=window).iloc[0]
    assert _within_mc(t0.power, 0.05, n), t0.power


def test_random_intervention_effect_costs_power_as_swcrtdesign_models_it():
    X = cf.stepped_wedge_matrix(24, 5)
    base = sw_power(X, outcome="binary", n=120, mu0=MU0, mu1=MU1, tau=0.01)
    het = sw_power(X, outcome="binary", n=120, mu0=MU0, mu1=MU1, tau=0.01, eta=0.005)
    assert het < base
    n = 1000
    model = OutcomeModel(mean=MU0, sigma_w=SWCRT.sigma_w, tau=0.01, eta=0.005, cluster_size=120)
    sim = power("stepped_wedge", effects=MU1 - MU0, clusters=24, periods=5, model=model, n_sim=n, seed=9,
                reference="normal").iloc[0]
    assert sim.closed_form == pytest.approx(het)
    assert _within_mc(sim.power, het, n, k=3.5), sim.power
