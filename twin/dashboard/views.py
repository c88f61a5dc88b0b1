"""Pure views over a results Dataset: figures (matplotlib ``Figure``) and tables (pandas).

Each view reads a results Dataset (``results.nc``) that a run wrote and, where it needs them,
the options re-applied to the place (:class:`twin.analysis._options.OptionSetup`); none runs a
model. They reuse :mod:`twin.plot.core` and :mod:`twin.analysis`, so the dashboard, the report
and a notebook draw the same figures. Map views live in :mod:`twin.dashboard.maps`, projection
views in :mod:`twin.dashboard.futures`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from twin.errors import TwinError

__all__ = [
    "appraise_results", "comparison_table", "forest_figure", "headline_indicators", "left_out_figure",
    "left_out_table", "options", "pathways", "portfolio_view", "reference", "regret_table",
]

#: Columns of the option comparison, with the labels a reader sees.
COMPARISON_COLUMNS = {
    "pathway": "pathway", "option": "option", "pv_cost": "cost (£m, PV)", "pv_benefit": "benefit (£m, PV)",
    "npv": "NPV (£m)", "npv_lower": "NPV low", "npv_upper": "NPV high", "bcr": "BCR", "bcr_lower": "BCR low",
    "bcr_upper": "BCR high", "deaths_averted_per_year": "deaths averted / yr",
    "cost_per_death_averted": "£m per death averted", "p_best": "P(best)", "max_regret": "max regret (£m)",
    "over_budget": "over budget",
}
_MONEY = ("pv_cost", "pv_benefit", "npv", "npv_lower", "npv_upper", "cost_per_death_averted", "max_regret")


def options(ds: xr.Dataset) -> list[str]:
    return [str(o) for o in ds["option"].values]


def pathways(ds: xr.Dataset) -> list[str]:
    return [str(p) for p in ds["pathway"].values]


def reference(ds: xr.Dataset) -> str:
    return str(ds.attrs.get("reference_option") or options(ds)[0])


def headline_indicators(ds: xr.Dataset) -> list[str]:
    """Indicator names (``*_per_1000`` over the whole place), headline outcomes first."""
    import twin.analysis.metrics  # noqa: F401 - registers ds.twin (indicators stored with the results)
    from twin.plot.core import HEADLINE_INDICATORS

    names = [n for n, da in ds.twin.indicators().data_vars.items() if set(da.dims) == {"option", "pathway", "replicate", "zone"}]
    first = [n for n in HEADLINE_INDICATORS if n in names]
    return first + [n for n in names if n not in first]


def appraise_results(ds: xr.Dataset, setup: Any = None) -> xr.Dataset | None:
    """Green Book appraisal of every run (:func:`twin.analysis.appraisal.appraise`); None when not monetisable."""
    from twin.analysis.appraisal import AppraisalSettings, appraise

    try:
        return appraise(ds, AppraisalSettings(), costs=setup.costs if setup is not None else None)
    except TwinError:
        return None


def comparison_table(ds: xr.Dataset, setup: Any = None, app: xr.Dataset | None = None) -> pd.DataFrame:
    """The option comparison: NPV and BCR with paired intervals, £m per death averted, P(best), regret.

    Money in £m (present values at the appraisal's price base year). ``df.attrs`` carries the
    least-maximum-regret option and the interval level. Without a monetised appraisal the
    table holds the headline indicators' paired differences instead.
    """
    from twin.analysis._compare import compare_table

    if app is None:
        app = appraise_results(ds, setup)
    if app is None:
        return indicator_table(ds)
    table = compare_table(ds, costs=setup.costs if setup is not None else None,
                          budgets=setup.budgets if setup is not None else {}, appraisal=app)
    keep = [c for c in COMPARISON_COLUMNS if c in table.columns]
    out = table[keep].copy()
    for c in _MONEY:
        if c in out:
            out[c] = out[c] / 1e6
    out = out.round(3).rename(columns=COMPARISON_COLUMNS)
    out.attrs = dict(table.attrs)
    return out


def indicator_table(ds: xr.Dataset, names: list[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Paired differences from the reference option of the headline indicators, per pathway and option."""
    from twin.analysis.metrics import PLACE, paired_difference

    ind = ds.twin.indicators()  # stored by twin run, attached by load_results
    rows = []
    for name in (names or headline_indicators(ds))[:4]:
        d = paired_difference(ind[name].sel(zone=PLACE), level=level)
        for p in pathways(ds):
            for o in options(ds):
                s = d.sel(option=o, pathway=p)
                rows.append({"indicator": name.replace("_", " "), "pathway": p, "option": o,
                             "difference": round(float(s["difference"]), 3), "low": round(float(s["lower"]), 3),
                             "high": round(float(s["upper"]), 3)})
    out = pd.DataFrame(rows)
    out.attrs = {"level": level, "reference_option": reference(ds)}
    return out


def regret_table(ds: xr.Dataset, app: xr.Dataset) -> pd.DataFrame:
    """Regret (£m) of each option per pathway, its maximum, and P(best) per pathway."""
    from twin.analysis._compare import minimax_regret, probability_best

    regret, worst, _ = minimax_regret(app["npv"].mean("replicate"))
    p_best = probability_best(app["npv"])
    out = (regret / 1e6).round(3).transpose("option", "pathway").to_pandas().add_prefix("regret £m ")
    out["max regret £m"] = (worst / 1e6).round(3).to_pandas()
    for p in pathways(ds):
        out[f"P(best) {p}"] = p_best.sel(pathway=p).round(2).to_pandas()
    out.columns.name = None
    return out.reset_index()


def forest_figure(ds: xr.Dataset, indicator: str, level: float = 0.95) -> Any:
    """Forest plot of one indicator's paired differences from the reference, per option and pathway."""
    from twin.analysis.metrics import PLACE, paired_difference
    from twin.plot.core import option_comparison

    ind = ds.twin.indicators()  # stored by twin run, attached by load_results
    if indicator not in ind:
        raise TwinError("no such indicator in these results", field="indicator", value=indicator)
    return option_comparison(paired_difference(ind[indicator].sel(zone=PLACE), level=level)).figure


def budget_span(app: xr.Dataset) -> float:
    """Cost of choosing every candidate (the budget slider's top), GBP first-year cost."""
    ref = app.attrs.get("reference_option")
    costs = app["first_year_cost"].drop_sel(option=ref) if ref in app["option"].values else app["first_year_cost"]
    return float(costs.sum())


def portfolio_view(app: xr.Dataset, pathway: str, budget: float, interventions: dict | None = None
                   ) -> tuple[Any, Any, pd.DataFrame]:
    """The best portfolio under ``budget`` (additive benefits), its Pareto-front figure and a table of members."""
    from twin.analysis.portfolio import candidates_from_appraisal, choose_portfolio, pareto_front, pareto_plot

    cands = candidates_from_appraisal(app, pathway, interventions=interventions)
    chosen = choose_portfolio(cands, budget)
    fig = pareto_plot(pareto_front(cands), chosen=chosen, budget=budget).figure
    rows = [{"candidate": c.name, "cost (£m, first year)": round(c.cost / 1e6, 4),
             "benefit (£m, PV)": round(c.benefit / 1e6, 4), "chosen": c.name in chosen.members} for c in cands]
    return chosen, fig, pd.DataFrame(rows)


def left_out_figure(ds: xr.Dataset, option: str, pathway: str, level: float = 0.95) -> Any:
    """Who the option leaves out (:func:`twin.analysis.equity.left_out_figure`)."""
    from twin.analysis.equity import left_out_figure as _figure

    return _figure(ds, option, pathway, level=level)


def left_out_table(ds: xr.Dataset, option: str, pathway: str, level: float = 0.95) -> pd.DataFrame:
    """Benefit per 1,000 by age band, deprivation, urban/rural and channel, with paired intervals."""
    from twin.analysis.equity import benefit_by

    rows = []
    for dim in ("age_band", "deprivation_decile", "urban_rural", "channel"):
        try:
            b = benefit_by(ds, dim, level=level).sel(option=option, pathway=pathway)
        except (TwinError, KeyError):
            continue
        for g in b[dim].values:
            s = b.sel({dim: g})
            rows.append({"split": dim.replace("_", " "), "group": str(g), "benefit per 1,000": _r(s["mean"]),
                         "low": _r(s["lower"]), "high": _r(s["upper"]),
                         "left out": bool(np.isfinite(float(s["upper"])) and float(s["upper"]) <= 0)})
    return pd.DataFrame(rows)


def _r(v: Any) -> float:
    return round(float(v), 3)
