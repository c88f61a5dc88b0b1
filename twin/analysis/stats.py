"""The statistics every stage shares: which option is the reference, t intervals, Wilson intervals.

One place for each, so the summary, the appraisal, the report, the plots and the trials agree:

- :func:`reference_option`: the option others are compared with (``attrs["reference_option"]``,
  else the first option), checked against the options present;
- :func:`t_halfwidth` / :func:`mean_interval`: the mean over replicates with a Student t interval
  (NaN with one replicate). Applied to per-replicate *differences* between options it is the
  paired interval (common random numbers make replicate ``r`` of every option share its draws);
- :func:`welch_halfwidth`: the unpaired (Welch) interval of a difference, to show what pairing buys;
- :func:`wilson_interval`: a binomial proportion's Wilson score interval (statsmodels'
  ``proportion_confint``), e.g. simulated power.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from twin.errors import TwinError

__all__ = ["mean_interval", "reference_option", "t_halfwidth", "t_quantile", "welch_halfwidth", "wilson_interval"]


def reference_option(obj: xr.Dataset | xr.DataArray, reference: str | None = None) -> str:
    """The reference option of results or indicators: ``reference``, the stored one, or the first option."""
    options = [str(o) for o in obj["option"].values]
    ref = reference or obj.attrs.get("reference_option") or options[0]
    if str(ref) not in options:
        raise TwinError("unknown reference option", field="reference", value=ref, hint=f"options: {options}")
    return str(ref)


def t_quantile(level: float, dof: Any) -> Any:
    """Two-sided Student t quantile for a ``level`` interval with ``dof`` degrees of freedom."""
    from scipy import stats

    return stats.t.ppf(0.5 + level / 2, dof)


def t_halfwidth(da: xr.DataArray, dim: str = "replicate", level: float = 0.95) -> xr.DataArray:
    """Half-width of the t interval of the mean over ``dim`` (NaN with fewer than 2 values)."""
    n = da.sizes[dim]
    if n < 2:
        return da.mean(dim, skipna=False) * np.nan
    return float(t_quantile(level, n - 1)) * da.std(dim, ddof=1, skipna=False) / np.sqrt(n)


def mean_interval(da: xr.DataArray, level: float = 0.95, dim: str = "replicate") -> xr.Dataset:
    """Mean over ``dim`` with its t interval: a Dataset of ``mean``, ``lower``, ``upper``."""
    mean = da.mean(dim, skipna=False)
    half = t_halfwidth(da, dim, level)
    return xr.Dataset({"mean": mean, "lower": mean - half, "upper": mean + half})


def welch_halfwidth(x: xr.DataArray, ref: xr.DataArray, dim: str = "replicate", level: float = 0.95
                    ) -> tuple[xr.DataArray, xr.DataArray]:
    """Standard error and half-width of the unpaired (Welch) interval of ``mean(x) - mean(ref)``."""
    n = x.sizes[dim]
    va = x.var(dim, ddof=1, skipna=False) / n
    vr = ref.var(dim, ddof=1, skipna=False) / n
    se = np.sqrt(va + vr)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (va + vr) ** 2 / (va**2 / (n - 1) + vr**2 / (n - 1))
    q = xr.apply_ufunc(t_quantile, level, df.fillna(n - 1))
    return se, xr.where(se > 0, q * se, 0.0)


def wilson_interval(successes: np.ndarray | int, n: int, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (statsmodels ``proportion_confint``)."""
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(np.asarray(successes), n, alpha=1 - level, method="wilson")
    return np.asarray(lo, float), np.asarray(hi, float)
