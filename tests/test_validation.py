"""Key validation figures stay inside their stated bands (small versions of ``python -m validation``).

Held-out figures (not used in any fit): who dies (65+, women), the England-and-Wales burden between
the two published methods, the emergent hot-end slope (Hajat 2002) and the warming response on the
hottest days (Huang 2023). Calibrated ones kept from drifting: alert frequencies (UKHSA) and the
one baseline mortality. Fewer generated years than the doc, so bands are a little wider.
"""

from __future__ import annotations

import pytest

from validation import heat_burden, mortality, weather


@pytest.fixture(scope="module")
def analytic():
    return heat_burden.analytic(12)


def test_who_dies_matches_the_2022_split(analytic):
    assert 0.85 <= analytic["share_65"] <= 1.0  # UKHSA 2022: 94 % at 65+
    assert 0.56 <= analytic["share_f"] <= 0.76  # ONS 2022: 66 % women


def test_burden_slope_and_warming_are_in_their_published_ranges(analytic):
    assert 600 <= analytic["ew_deaths"] <= 1800  # Gasparrini 2022 791 (611-957) .. Hajat 2014 ~1,780
    assert 2.47 <= analytic["slope_above_21_5"] <= 4.23  # Hajat 2002
    assert 1.2 <= analytic["hottest10_gwl2"] <= 1.8  # Huang 2023: +42 % at 2 degC
    assert analytic["ratio_gwl1.5"] > 1.2


def test_alert_frequencies_and_mortality_stay_calibrated():
    a = weather.alert_frequencies(years=80, seed=5)
    assert 2.0 <= a["amber_days"] <= 6.5 and 0.4 <= a["amber_episodes"] <= 1.6
    assert a["red_episodes"] <= 0.15
    rows = {r.figure: r for r in mortality.figures()}
    assert all(r.within for r in rows.values() if r.use == "calibrated")
