"""Honest comparison of appraised options: intervals, ranks, probability best, minimax regret.

Works on the per-replicate Dataset of :func:`twin.analysis.appraisal.appraise`. Every option's NPV in
replicate ``r`` is already paired with the reference (same weather and draws), so intervals are
t intervals across replicates of the paired values; the probability an option is best is the
share of replicates in which its NPV is the highest (the reference, NPV 0, competes too).
Robustness across pathways follows exploratory-modelling practice: the regret of an option in a
pathway is the best mean NPV in that pathway minus its own; the robust choice has the least
maximum regret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["compare_table", "interval", "minimax_regret", "probability_best", "rank_options"]


def interval(da: xr.DataArray, level: float = 0.95, dim: str = "replicate") -> xr.Dataset:
    """Mean over ``dim`` with a t interval (NaN bounds with one replicate); see :mod:`twin.analysis.stats`."""
    from twin.analysis.stats import mean_interval

    return mean_interval(da, level, dim)


def probability_best(npv: xr.DataArray) -> xr.DataArray:
    """Share of replicates in which each option has the highest NPV, per pathway (ties split)."""
    best = npv.max("option")
    is_best = (npv == best).astype(float)
    share = is_best / is_best.sum("option")
    return share.mean("replicate").rename("p_best").assign_attrs(units="1", long_name="probability of the highest NPV")


def rank_options(npv: xr.DataArray) -> xr.DataArray:
    """Rank (1 = highest mean NPV) of each option per pathway."""
    mean = npv.mean("replicate") if "replicate" in npv.dims else npv
    order = (-mean).rank("option")
    return order.astype(int).rename("rank")


def minimax_regret(npv_mean: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray, str]:
    """Regret per option × pathway, each option's maximum regret, and the option that minimises it.

    ``npv_mean`` has dims option × pathway (mean NPV across replicates).
    """
    regret = npv_mean.max("option") - npv_mean
    worst = regret.max("pathway")
    best = str(worst["option"].values[int(np.argmin(worst.values))])
    return regret.rename("regret"), worst.rename("max_regret"), best


def _budgets(results: xr.Dataset, setup: Any, budgets: Mapping[str, float | None] | None) -> dict[str, float | None]:
    if budgets is not None:
        return dict(budgets)
    if setup is not None:
        return dict(setup.budgets)
    return {}


def compare_table(
    results: xr.Dataset,
    settings: Any = None,
    *,
    costs: Mapping[str, Sequence[Any]] | None = None,
    budgets: Mapping[str, float | None] | None = None,
    results_dir: Any = None,
    appraisal: xr.Dataset | None = None,
) -> Any:
    """One row per pathway × option: costs, benefits, NPV and BCR with intervals, rank, P(best), regret.

    Parameters
    ----------
    results
        Results Dataset (``xr.open_dataset(DIR / "results.nc")``).
    settings
        :class:`twin.analysis.appraisal.AppraisalSettings` (default settings when omitted).
    costs, budgets
        Per-option lists of :class:`twin.interventions.Cost` and budgets (GBP). By default both are
        rebuilt from the scenario stored in the results (see :mod:`twin.analysis._options`), falling back to
        the results' ``capital_cost``/``annual_cost`` without lifetimes.
    results_dir
        The results directory, to resolve the scenario's relative paths via ``manifest.json``.
    appraisal
        A ready :func:`twin.analysis.appraisal.appraise` result (skips recomputing).

    Returns
    -------
    pandas.DataFrame
        Columns ``pathway, option, capital_cost, annual_cost, pv_cost, pv_benefit[_lower/_upper],
        npv[_lower/_upper], bcr[_lower/_upper], deaths_averted_per_year[_lower/_upper],
        cost_per_death_averted, cost_per_qaly, rank, p_best, max_regret, budget, over_budget`` and,
        when deaths are valued, ``npv_qaly, bcr_qaly, npv_vpf, bcr_vpf`` (with ``_lower/_upper``):
        deaths as QALYs lost at the age of death (the Treasury basis for health options) and at
        the VPF (sensitivity). ``df.attrs``: reference option, price base year, level, the
        minimax-regret option, ``death_valuation`` (the basis of ``npv``/``bcr``).
    """
    import pandas as pd

    from twin.analysis._options import stored_options
    from twin.analysis.appraisal import AppraisalSettings, appraise

    settings = settings or AppraisalSettings()
    setup = None
    if costs is None or budgets is None:
        setup = stored_options(results)
    if costs is None and setup is not None:
        costs = setup.costs
    app = appraisal if appraisal is not None else appraise(results, settings, costs=costs)
    level = settings.level
    budget = _budgets(results, setup, budgets)
    npv, pvb, bcr = interval(app["npv"], level), interval(app["pv_benefit"], level), interval(app["bcr"], level)
    deaths_var = next((v for v in app.data_vars if v.startswith("deaths_averted") and v.endswith("_per_year")), None)
    deaths = interval(app[deaths_var], level) if deaths_var else None
    p_best = probability_best(app["npv"])
    ranks = rank_options(app["npv"])
    _, max_regret, robust = minimax_regret(npv["mean"])
    # deaths valued both ways, side by side: QALYs at the age of death (Treasury basis) and the VPF
    both = tuple((k, interval(app[k], level)) for k in ("npv_qaly", "bcr_qaly", "npv_vpf", "bcr_vpf") if k in app)
    d_mean = app["discounted_deaths"].mean("replicate")
    q_mean = app["discounted_qalys"].mean("replicate")
    rows = []
    for pathway in app["pathway"].values:
        for option in app["option"].values:
            at = {"pathway": pathway, "option": option}
            pvc = float(app["pv_cost"].sel(option=option))
            first = float(app["first_year_cost"].sel(option=option))
            basis = first if settings.budget_basis == "first_year" else pvc
            b = budget.get(str(option))
            d, q = float(d_mean.sel(at)), float(q_mean.sel(at))
            row = {
                "pathway": str(pathway), "option": str(option),
                "capital_cost": _capital(costs, results, str(option), settings),
                "first_year_cost": first, "pv_cost": pvc,
            }
            for name, ds in (("pv_benefit", pvb), ("npv", npv), ("bcr", bcr)) + ((("deaths_averted_per_year", deaths),) if deaths else ()) + both:
                row[name] = float(ds["mean"].sel(at))
                row[f"{name}_lower"] = float(ds["lower"].sel(at))
                row[f"{name}_upper"] = float(ds["upper"].sel(at))
            row["cost_per_death_averted"] = pvc / d if d > 0 and pvc > 0 else np.nan
            row["cost_per_qaly"] = pvc / q if q > 0 and pvc > 0 else np.nan
            row["rank"] = int(ranks.sel(at))
            row["p_best"] = float(p_best.sel(at))
            row["max_regret"] = float(max_regret.sel(option=option))
            row["budget"] = np.nan if b is None else float(b)
            row["over_budget"] = bool(b is not None and basis > b)
            rows.append(row)
    df = pd.DataFrame(rows)
    df.attrs = {"reference_option": app.attrs["reference_option"], "price_base_year": settings.price_base_year,
                "level": level, "minimax_regret_option": robust, "years": settings.years,
                "budget_basis": settings.budget_basis, "benefits": app.attrs["benefits"],
                "death_valuation": app.attrs.get("death_valuation", "qaly"),
                "death_valuation_note": "QALYs lost at the age of death (with displacement) x £70,000 is the "
                                        "Treasury/DHSC basis for a health option; the VPF row is a sensitivity"}
    return df


def _capital(costs: Mapping[str, Sequence[Any]] | None, results: xr.Dataset, option: str, settings: Any) -> float:
    from twin.analysis.appraisal import convert_price

    if costs is not None and option in costs:
        return float(sum(convert_price(c.capital, c.price_base_year, settings) for c in costs[option]))
    if "capital_cost" in results:
        year = int(results["capital_cost"].attrs.get("price_base_year") or settings.price_base_year)
        return convert_price(float(results["capital_cost"].sel(option=option)), year, settings)
    return 0.0
