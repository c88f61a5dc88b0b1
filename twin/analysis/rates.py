"""Crude and age-standardised death rates per 100,000 a year, to compare with publications like for like.

Published heat-death rates come both ways: Gasparrini et al. 2022 give *age-standardised*
rates (London 3.21 per 100,000), while counts over a population give *crude* ones (London
about 2.0). A young borough has a low crude rate for the same age-specific risks, so every
output carries both:

* crude: :math:`10^5 \\cdot D / (P \\cdot Y)`;
* directly age-standardised to the European Standard Population 2013 (ESP 2013, Eurostat;
  bands of :data:`twin._names.AGE_BANDS`, 85+ pooled):
  :math:`10^5 \\sum_b w_b (D_b / P_b) / (Y \\sum_b w_b)` over bands with residents.

``Y`` is the number of calendar years the run touches: a summer run counts as one year (heat
deaths outside the warm season are negligible), a run over two summers as two.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from twin._names import AGE_BANDS
from twin.errors import TwinError

__all__ = [
    "ESP_2013",
    "age_standardised_rate",
    "crude_rate",
    "death_rates",
    "run_years",
]

#: European Standard Population 2013 (Eurostat 2013), per 100,000, in AGE_BANDS order (85+ = 85-89 + 90+).
ESP_2013 = dict(zip(AGE_BANDS, (5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000,
                                5500, 5000, 4000, 2500, 2500), strict=True))


def run_years(results: xr.Dataset) -> int:
    """Number of calendar years the run's ``time`` touches (1 for a single summer)."""
    if "time" not in results.coords:
        return 1
    return max(1, len(np.unique(pd.DatetimeIndex(results["time"].values).year)))


def _by_age(results: xr.Dataset, var: str) -> xr.DataArray:
    name = var if var.endswith("_by_age") else f"{var}_by_age"
    if name not in results:
        raise TwinError("needs a period total by age band", field=name, hint="a *_by_age variable of the results")
    da = results[name].astype("float64")
    extra = [d for d in da.dims if d not in ("option", "pathway", "replicate", "zone", "age_band")]
    return da.sum(extra) if extra else da


def crude_rate(results: xr.Dataset, var: str, by_zone: bool = False) -> xr.DataArray:
    """Crude rate of ``var`` (deaths) per 100,000 residents a year, for the place or per zone."""
    num = _by_age(results, var).sum("age_band")
    den = results["residents_by_age"].astype("float64").sum("age_band")
    if not by_zone:
        num, den = num.sum("zone"), den.sum("zone")
    out = 1e5 * num / den.where(den > 0) / run_years(results)
    out.attrs = {"units": "year-1", "long_name": f"{_label(results, var)}, crude rate per 100,000 a year",
                 "scale": "per 100,000 residents"}
    return out


def age_standardised_rate(results: xr.Dataset, var: str, by_zone: bool = False,
                          standard: dict[str, float] | None = None) -> xr.DataArray:
    """Directly age-standardised rate per 100,000 a year (ESP 2013 unless ``standard`` is given)."""
    std = ESP_2013 if standard is None else standard
    num = _by_age(results, var)
    den = results["residents_by_age"].astype("float64")
    if not by_zone:
        num, den = num.sum("zone"), den.sum("zone")
    w = xr.DataArray([float(std[str(b)]) for b in den["age_band"].values], dims="age_band",
                     coords={"age_band": den["age_band"].values})
    have = den > 0
    rate_b = (num / den.where(have)).fillna(0.0)
    out = 1e5 * (w * rate_b).sum("age_band") / w.where(have).sum("age_band") / run_years(results)
    out.attrs = {"units": "year-1", "scale": "per 100,000 residents",
                 "long_name": f"{_label(results, var)}, age-standardised rate per 100,000 a year (ESP 2013)",
                 "standard_population": "European Standard Population 2013" if standard is None else "user"}
    return out


def _label(results: xr.Dataset, var: str) -> str:
    name = var if var in results else f"{var}_by_age"
    return str(results[name].attrs.get("long_name", var)).replace(", over the period", "")


def death_rates(results: xr.Dataset, variables: Sequence[str] | None = None) -> xr.Dataset:
    """Crude and ESP-2013-standardised rates of every death count with an age breakdown.

    Returns a Dataset with ``<var>_per_100k_year_crude`` and ``<var>_per_100k_year_esp2013``
    over the run dims and ``zone`` (first entry ``"ALL"``, the whole place).
    """
    from twin.analysis.metrics import PLACE, _with_place

    if "residents_by_age" not in results:
        return xr.Dataset()
    if variables is None:
        variables = [v.removesuffix("_by_age") for v in results.data_vars
                     if v.endswith("deaths_by_age") and "age_band" in results[v].dims]
    out = {}
    for var in variables:
        for kind, fn in (("crude", crude_rate), ("esp2013", age_standardised_rate)):
            place, per_zone = fn(results, var), fn(results, var, by_zone=True)
            da = _with_place(place, per_zone) if "zone" in per_zone.dims else place
            da.attrs = per_zone.attrs
            out[f"{var}_per_100k_year_{kind}"] = da
    ds = xr.Dataset(out)
    ds.attrs["place_label"] = PLACE
    return ds
