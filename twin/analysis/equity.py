"""Who benefits: paired benefits by deprivation decile, urban/rural, age band and channel.

Benefits are paired differences from the reference option (common random numbers), per replicate,
so every group's benefit has an interval across replicates. Per-1,000 rates divide by the group's
residents (``residents(zone)`` summed over the group's zones, or ``residents_by_age``). Channel
groups have no resident count in the results, so benefits by channel are per 1,000 residents of
the whole place: bars add up to the place total and show which channel's users gain.

Concentration index (Wagstaff; Erreygers correction optional)
-------------------------------------------------------------
Zones are ranked from most deprived (decile 1) to least deprived (decile 10); ``R_i`` is the
resident-weighted fractional rank (zones in the same decile share their average rank). With zone
benefit per resident ``h_i`` and weights ``w_i`` (residents)::

    C = 2 * cov_w(h, R) / mean_w(h)                 ("standard", Wagstaff/Kakwani)
    G = 2 * cov_w(h, R)       = mean_w(h) * C        ("generalized": defined when the mean is 0 or negative)
    E = 8 * cov_w(h, R) / (b - a) = 4 mean C / (b-a) ("erreygers", for a bounded h in [a, b])

``C < 0``: benefits concentrated among the more deprived (pro-poor); ``C > 0``: among the less
deprived; 0: proportional to population across the deprivation ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import xarray as xr

from twin.errors import TwinError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["benefit_by", "concentration_index", "deprivation_concentration", "equity_variable", "left_out_figure",
           "paired_benefit"]

RUN_DIMS = ("option", "pathway", "replicate")
GROUPS = ("deprivation_decile", "urban_rural", "age_band", "channel", "zone", "council")


def equity_variable(results: xr.Dataset, dim: str | None = None) -> tuple[str, bool]:
    """The variable to split benefits by (and whether it is a harm): the first registered benefit's
    variable holding ``dim``, else any count variable holding ``dim`` (``protected``, ``contacts``:
    more is better)."""
    from twin.analysis.appraisal import BENEFITS

    for b in BENEFITS.values():
        for v in b.variables + tuple(f"{x}_by_age" for x in b.variables):
            if v in results.data_vars and (dim is None or dim in results[v].dims or dim in ("deprivation_decile", "urban_rural", "zone", "council")):
                return v, b.harm
    for v in ("protected", "contacts"):
        if v in results.data_vars and (dim is None or dim in results[v].dims):
            return v, False
    raise TwinError("no variable to split benefits by", field=dim or "variable",
                    hint="results need a registered benefit's variable or protected/contacts")


def paired_benefit(results: xr.Dataset, variable: str, harm: bool = True, reference: str | None = None) -> xr.DataArray:
    """Reference minus option (harm) or option minus reference, per run, summed over ``time``."""
    if variable not in results.data_vars:
        raise TwinError("no such variable in results", field=variable)
    ref = reference or results.attrs.get("reference_option") or str(results["option"].values[0])
    da = results[variable].astype("float64")
    if "time" in da.dims:
        da = da.sum("time")
    out = da.sel(option=ref) - da if harm else da - da.sel(option=ref)
    return out.assign_attrs(units=results[variable].attrs.get("units", "1"), reference_option=ref, variable=variable)


def _interval(da: xr.DataArray, level: float) -> xr.Dataset:
    from twin.analysis._compare import interval

    return interval(da, level)


def benefit_by(
    results: xr.Dataset,
    by: str,
    variable: str | None = None,
    harm: bool | None = None,
    *,
    reference: str | None = None,
    level: float = 0.95,
) -> xr.Dataset:
    """Paired benefit per 1,000 residents by group, mean and interval across replicates.

    Parameters
    ----------
    by
        ``deprivation_decile``, ``urban_rural``, ``zone``, ``age_band``, ``channel`` or ``council``
        (places of several councils, ``twin places combine``: a ``council`` coordinate on ``zone``).
    variable, harm
        Default :func:`equity_variable` for ``by``.

    Returns
    -------
    xarray.Dataset
        ``mean``, ``lower``, ``upper`` over option × pathway × ``by``; attrs units, variable.
    """
    if by not in GROUPS:
        raise TwinError("unknown group", field="by", value=by, hint=f"valid: {', '.join(GROUPS)}")
    if by == "council" and "council" not in results.coords:
        raise TwinError("results have no council coordinate (only a place of several councils has one)",
                        field="by", value=by, hint="make the place with `twin places combine` or `twin places make`")
    if variable is None:
        variable, auto_harm = equity_variable(results, by)
        harm = auto_harm if harm is None else harm
    harm = True if harm is None else harm
    ben = paired_benefit(results, variable, harm, reference)
    if by in ("age_band", "channel") and by not in ben.dims:
        raise TwinError(f"has no {by} dimension", field=variable, value=ben.dims)
    extra = [d for d in ben.dims if d not in RUN_DIMS + ("zone", by)]
    ben = ben.sum(extra)
    if by in ("age_band",):
        num = ben.sum("zone")
        den = results["residents_by_age"].astype(float).sum("zone")
    elif by == "channel":
        num = ben.sum("zone")
        den = results["residents"].astype(float).sum()
    elif by == "zone":
        num, den = ben, results["residents"].astype(float)
    else:
        key = results[by]
        num = ben.groupby(key).sum("zone")
        den = results["residents"].astype(float).groupby(key).sum("zone")
    rate = 1000.0 * num / den.where(den > 0)
    out = _interval(rate, level)
    units = f"{results[variable].attrs.get('units', '1')} per 1000 residents"
    out.attrs = {"units": units, "variable": variable, "harm": int(harm), "by": by, "level": level,
                 "reference_option": ben.attrs["reference_option"]}
    return out


def concentration_index(
    values: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray,
    rank_by: Sequence[float] | np.ndarray,
    kind: Literal["standard", "generalized", "erreygers"] = "standard",
    bounds: tuple[float, float] | None = None,
) -> float:
    """Concentration index of ``values`` (per person) over units ranked by ``rank_by`` ascending.

    Rank by deprivation decile (1 = most deprived first) so that a negative index means benefits
    concentrated among the more deprived. ``weights`` are population counts. See the module notes.
    """
    h = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    key = np.asarray(rank_by, dtype=float)
    if not (h.shape == w.shape == key.shape) or h.ndim != 1:
        raise TwinError("values, weights and rank_by must be 1-D of equal length", field="values", value=h.shape)
    W = w.sum()
    if W <= 0:
        return float("nan")
    rank = np.empty_like(h)
    for k in np.unique(key):
        below = w[key < k].sum()
        rank[key == k] = (below + 0.5 * w[key == k].sum()) / W
    mu = float((w * h).sum() / W)
    cov = float((w * (h - mu) * (rank - 0.5)).sum() / W)
    if kind == "generalized":
        return 2.0 * cov
    if kind == "erreygers":
        if bounds is None or bounds[1] <= bounds[0]:
            raise TwinError("erreygers needs bounds (a, b) with b > a", field="bounds", value=bounds)
        return 8.0 * cov / (bounds[1] - bounds[0])
    if kind != "standard":
        raise TwinError("unknown kind", field="kind", value=kind, hint="valid: standard, generalized, erreygers")
    return 2.0 * cov / mu if mu != 0 else float("nan")


def deprivation_concentration(
    results: xr.Dataset,
    variable: str | None = None,
    harm: bool | None = None,
    *,
    kind: Literal["standard", "generalized", "erreygers"] = "generalized",
    bounds: tuple[float, float] | None = None,
    level: float = 0.95,
) -> xr.Dataset:
    """Concentration index of the paired benefit per resident across zones ranked by deprivation,
    per replicate, then mean and interval across replicates (option × pathway).

    Default ``generalized`` (well defined when an option's mean benefit is zero, as for the
    reference itself); use ``standard`` for the relative (Wagstaff) index.
    """
    if variable is None:
        variable, auto = equity_variable(results, "zone")
        harm = auto if harm is None else harm
    ben = paired_benefit(results, variable, True if harm is None else harm)
    ben = ben.sum([d for d in ben.dims if d not in RUN_DIMS + ("zone",)])
    pop = results["residents"].astype(float).values
    per = ben / results["residents"].astype(float).where(results["residents"] > 0)
    deciles = results["deprivation_decile"].values

    def _ci(v: np.ndarray) -> float:
        ok = np.isfinite(v)
        return concentration_index(v[ok], pop[ok], deciles[ok], kind=kind, bounds=bounds)

    ci = xr.apply_ufunc(_ci, per.fillna(np.nan), input_core_dims=[["zone"]], vectorize=True)
    out = _interval(ci, level)
    out.attrs = {"kind": kind, "variable": variable, "units": "1" if kind != "generalized" else f"{results[variable].attrs.get('units', '1')} per resident",
                 "note": "negative: benefits concentrated in more deprived zones"}
    return out


def _bars(ax: Any, ds: xr.Dataset, option: str, pathway: str, dim: str, title: str) -> None:
    sel = ds.sel(option=option, pathway=pathway)
    labels = [str(v) for v in sel[dim].values]
    m = sel["mean"].values
    err = np.nan_to_num(np.abs(np.array([m - sel["lower"].values, sel["upper"].values - m])))
    x = np.arange(len(labels))
    ax.bar(x, m, color=["C3" if v <= 0 else "C0" for v in np.nan_to_num(m)], yerr=err, capsize=2,
           error_kw={"linewidth": 0.7})
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x, labels, rotation=45 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center",
                  fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(ds.attrs["units"].replace(" per ", "\nper "), fontsize=7)


def left_out_figure(results: xr.Dataset, option: str, pathway: str, *, level: float = 0.95) -> Figure:
    """Who the option leaves out: benefit per 1,000 by deprivation decile, urban/rural, age band and
    channel (bars: mean across replicates; whiskers: paired interval; red: no gain or a loss)."""
    from matplotlib.figure import Figure

    panels = [("deprivation_decile", "by deprivation decile (1 = most deprived)"), ("urban_rural", "urban vs rural"),
              ("age_band", "by age band"), ("channel", "by preferred channel")]
    fig = Figure(figsize=(10.0, 6.4), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, (dim, title) in zip(axes, panels, strict=True):
        try:
            ds = benefit_by(results, dim, level=level)
        except TwinError as err:
            ax.text(0.5, 0.5, f"not in these results:\n{err.field}", ha="center", va="center", fontsize=8,
                    transform=ax.transAxes)
            ax.set_axis_off()
            continue
        _bars(ax, ds, option, pathway, dim, f"{title}\n({ds.attrs['variable']})")
    fig.suptitle(f"{option} vs {results.attrs.get('reference_option', 'reference')}, {pathway}: who gains, who is left out "
                 f"({level:.0%} paired intervals)", fontsize=10)
    return fig
