"""The vectorised heat_health model and the per-resident Mesa reference give the same distribution of outcomes.

Design: a tiny urban place (400 residents, 4 zones) with service capacities cut so that
queues bind (vulnerable-first priority matters), a proactive phone team, a generous
vulnerable-persons list and a hot 20-day spell with yellow and amber alerts. Each
implementation runs ``N`` replicates with its own seeds (the reference draws its own
uniforms, agent by agent, on stream 3, so no replicate is shared). Per-replicate totals of
contacts, contacts with the vulnerable list, protected residents, cooling-centre visits,
unmet demand, illness and expected deaths are compared with Welch's t-test and the
two-sample Kolmogorov-Smirnov test; each must give p > ALPHA = 0.001 (a family of 14 tests
at a Bonferroni-adjusted ~1 % level; seeds are fixed, so the outcome is reproducible).

That the test can fail is shown in the same file: the reference with its vulnerable-first
rule switched off, and the reference with the heat slope doubled, are each detected with
p < 1e-6 on the statistic the broken rule moves.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy.stats import ks_2samp, ttest_ind

from twin.climate import ClimateDrivers, local_offsets
from twin.models import get_model
from twin.place import Service
from twin.testing import tiny_place

from twin.models.heat_health import HeatHealthModel
from twin.models.reference import ReferenceHeatHealthModel
from twin.run.engine import simulate
from twin.run.streams import RunStreams

pytestmark = pytest.mark.slow  # 200 model runs: a distribution check

N = 40
ALPHA = 1e-3
OUTCOMES = ("contacts", "vulnerable_contacts", "protected", "cooling_visits", "unmet_demand", "heat_illness",
            "expected_attributable_deaths")


def _params(**er):
    return get_model("heat_health").Params.model_validate({
        "services": {"help_seeking_by_alert": [0, 0.02, 0.05, 0.1]},
        "exposure_response": {"illness_per_attributable_death": 50, **er},
        "traits": {"vulnerable_list_75_at_risk": 1.0, "vulnerable_list_other": 0.1},
        "delivery": {"proactive_min_level": 1},
    })


@pytest.fixture(scope="module")
def setup():
    place = tiny_place(4, 400, urban=True, seed=3)
    svcs = tuple(s if s.type == "alert_channel" else dataclasses.replace(s, capacity=max(1.0, s.capacity / 40))
                 for s in place.services)
    s0 = svcs[0]
    team = Service(id="OUT1", type="home_visit_team", name="Outreach", capacity=3.0, channels=("phone",),
                   opening_days=tuple(range(7)), x=s0.x, y=s0.y, zone=s0.zone, properties={"proactive": True})
    place = place.replace(services=svcs + (team,))
    rng = np.random.default_rng(0)
    time = pd.date_range("2030-07-01", periods=20)
    w = xr.Dataset({"tasmax": ("time", 30 + 5 * rng.random(20)), "tasmin": ("time", 17 + 4 * rng.random(20)),
                    "pr": ("time", np.zeros(20))}, coords={"time": time})
    drv = ClimateDrivers(w, local_offsets(place.grid))
    res = HeatHealthModel.make_residents(place, _params(), np.random.default_rng(1))
    return place, drv, res


def _totals(model, setup, params, seeds, **kw):
    place, drv, res = setup
    rows = []
    for r in seeds:
        ds = simulate(model, place, drv, res, params, streams=RunStreams(7, r), **kw)
        rows.append([float(ds[v].sum()) for v in OUTCOMES])
    return np.array(rows)


@pytest.fixture(scope="module")
def vec(setup):
    return _totals(HeatHealthModel, setup, _params(), range(N))


@pytest.fixture(scope="module")
def reference(setup):
    return _totals(ReferenceHeatHealthModel, setup, _params(), range(1000, 1000 + N))


def test_outcomes_are_not_trivial(vec):
    means = dict(zip(OUTCOMES, vec.mean(axis=0), strict=True))
    assert means["contacts"] > 50 and means["unmet_demand"] > 20 and means["vulnerable_contacts"] > 20
    assert means["heat_illness"] > 0.3 and means["cooling_visits"] > 5


@pytest.mark.parametrize("j", range(len(OUTCOMES)), ids=OUTCOMES)
def test_vectorised_and_reference_agree(vec, reference, j):
    a, b = vec[:, j], reference[:, j]
    p_t = ttest_ind(a, b, equal_var=False).pvalue if (a.std() + b.std()) > 0 else 1.0
    p_ks = ks_2samp(a, b).pvalue
    assert p_t > ALPHA and p_ks > ALPHA, (OUTCOMES[j], a.mean(), b.mean(), p_t, p_ks)


def test_dropping_vulnerable_first_is_detected(setup, vec):
    broken = _totals(ReferenceHeatHealthModel, setup, _params(), range(2000, 2000 + N), vulnerable_first=False)
    j = OUTCOMES.index("vulnerable_contacts")
    assert ttest_ind(vec[:, j], broken[:, j], equal_var=False).pvalue < 1e-6


def test_doubling_the_slope_is_detected(setup, vec):
    broken = _totals(ReferenceHeatHealthModel, setup, _params(slope_high_london=0.066, slope_high_other=0.06),
                     range(3000, 3000 + N))
    j = OUTCOMES.index("expected_attributable_deaths")
    assert ttest_ind(vec[:, j], broken[:, j], equal_var=False).pvalue < 1e-6
