"""Calibration check of the heat_health model on the bundled urban borough (docs/sources.md).

Runs the whole model (traits, services, protective behaviour, vulnerability, harm) on the
London-like urban borough, do nothing, for ``REPLICATES`` generated summers (1 June - 30
September, the alert season, which holds nearly all heat-attributable deaths) under the baseline and gwl2 pathways, with the runner's weather streams
(each replicate's gwl2 summer is its baseline summer shifted by the UKCP18-scaled delta, so
the ratio is paired).

Target: Gasparrini et al. 2022's London burden as a *crude* rate, about 2.0 per 100,000 a year
(their 3.21 is age-standardised); the exposure-response's ``slope_low`` is calibrated on the
expected-deaths calculation for a London-like population (docs/validation.md), so this whole-model
run is a check: band 1.3-3.0 per 100,000 a year. Warming: gwl2 / baseline between 1.3 (above Huang et
al. 2023's +42 % on the hottest days at 2 degC GWL, which is less than the local summer warming) and
3.6 (Hajat et al. 2014's +257 % by the 2050s, which also includes ageing and growth).

Measured when written (10 replicates, ``python -m validation``): baseline 1.87 per 100,000 a year
crude (2.84 ESP-2013 standardised), gwl2 / baseline 2.14. The test can fail: a London slope above
the knee three times Hajat's (0.1) gives 4.5 per 100,000 in the expected-deaths calculation, out of
the band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.models import get_model
from twin.place import Place, resolve_place
from twin.run import Ensemble

REPLICATES = 10
SEED = 20261125
BAND = (1.3, 3.0)
WARMING_BAND = (1.3, 3.6)


def rates(params=None, replicates=REPLICATES):
    place = Place.load(resolve_place("urban_borough"))
    params = params or get_model("heat_health").Params()
    time = pd.date_range("2030-06-01", "2030-09-30")
    out = {"baseline": [], "gwl2": []}
    ens = Ensemble.for_place(place, "heat_health", params, time=time, pathways=list(out), seed=SEED,
                             replicates=replicates)
    for r in range(replicates):
        n = len(ens.residents(r))
        for pathway in out:
            ds = ens.run_one(0, pathway, r)
            out[pathway].append(1e5 * float(ds["expected_attributable_deaths"].sum()) / n)
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.slow
def test_urban_borough_heat_deaths_per_100k_and_warming():
    r = rates()
    base, warm = r["baseline"].mean(), r["gwl2"].mean()
    print(f"baseline {base:.2f} per 100k/yr (replicates {np.round(r['baseline'], 2)}), gwl2 {warm:.2f}, "
          f"ratio {warm / base:.2f}")
    assert BAND[0] <= base <= BAND[1]
    assert WARMING_BAND[0] <= warm / base <= WARMING_BAND[1]
    assert np.all(r["gwl2"] > r["baseline"])  # paired: every summer is worse when warmer
