"""Crude and ESP-2013 age-standardised death rates per 100,000 a year (twin.analysis.rates)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from tests.appraisal_fakes import fake_results
from twin.analysis.rates import ESP_2013, age_standardised_rate, crude_rate, death_rates


def _with_deaths_by_age(rate_by_band):
    r = fake_results(replicates=2)
    pop = r["residents_by_age"].astype(float)
    rate = xr.DataArray(rate_by_band, dims="age_band", coords={"age_band": pop["age_band"].values})
    deaths = (pop * rate).expand_dims(option=r["option"].values, pathway=r["pathway"].values,
                                      replicate=r["replicate"].values)
    r["expected_attributable_deaths_by_age"] = deaths.assign_attrs(units="death", long_name="heat deaths")
    return r, pop


def test_esp_2013_sums_to_100000_and_a_flat_rate_is_its_own_standard():
    assert sum(ESP_2013.values()) == 100_000
    r, _ = _with_deaths_by_age(np.full(18, 2e-5))
    crude = crude_rate(r, "expected_attributable_deaths")
    std = age_standardised_rate(r, "expected_attributable_deaths")
    np.testing.assert_allclose(crude, 2.0)
    np.testing.assert_allclose(std, 2.0)


def test_standardisation_reweights_to_the_standard_population():
    rates = np.zeros(18)
    rates[-1] = 1e-3  # deaths only at 85+
    r, pop = _with_deaths_by_age(rates)
    std = float(age_standardised_rate(r, "expected_attributable_deaths").isel(option=0, pathway=0, replicate=0))
    assert std == pytest.approx(1e5 * 1e-3 * 2500 / 100_000)
    crude = float(crude_rate(r, "expected_attributable_deaths").isel(option=0, pathway=0, replicate=0))
    assert crude == pytest.approx(1e5 * 1e-3 * float(pop.sel(age_band="85+").sum() / pop.sum()))
    ds = death_rates(r)
    assert {"expected_attributable_deaths_per_100k_year_crude",
            "expected_attributable_deaths_per_100k_year_esp2013"} <= set(ds.data_vars)
    assert str(ds["expected_attributable_deaths_per_100k_year_crude"]["zone"].values[0]) == "ALL"
    assert ds["expected_attributable_deaths_per_100k_year_esp2013"].attrs["units"] == "year-1"
