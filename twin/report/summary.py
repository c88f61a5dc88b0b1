"""The report's first page as data: a recommendation per pathway, who benefits, who is left out, caveats.

Pure functions of the comparison table (:func:`twin.analysis.appraisal.compare_table`) and the results,
so the dashboard and notebooks can state the same answer the report does.

Recommendation rule (per pathway): the option with the highest mean net present value is
*recommended* when the lower end of its interval is above zero; *best on average, not yet firm* when
only its mean is above zero (its interval includes zero: the replicates disagree on whether it pays
back); otherwise no option pays back and doing nothing is the recommendation. A ranking resting on
fewer than :data:`MIN_REPLICATES` replicates is always flagged provisional.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from twin.errors import TwinError

__all__ = ["MIN_REPLICATES", "caveats", "recommendations", "who_benefits"]

#: Replicates below which a ranking is called provisional.
MIN_REPLICATES = 10


def recommendations(table: Any, n_replicates: int) -> list[dict]:
    """One dict per pathway: ``pathway, option, status, verdict`` and the option's row values."""
    ref = table.attrs.get("reference_option")
    out = []
    for pathway, g in table.groupby("pathway", sort=False):
        cands = g[g["option"] != ref]
        if not len(cands):
            continue
        best = cands.loc[cands["npv"].idxmax()]
        row = dict(best)
        if best["npv"] > 0 and np.isfinite(best.get("npv_lower", np.nan)) and best["npv_lower"] > 0:
            status, verdict = "recommended", "its net benefit is above zero across the interval"
        elif best["npv"] > 0:
            status, verdict = ("best on average, not firm",
                               "its net benefit is positive on average but the interval includes zero")
        else:
            row = dict(g[g["option"] == ref].iloc[0]) if (g["option"] == ref).any() else row
            status, verdict = "do nothing", "no option's benefits exceed its costs"
        others = cands[(cands["option"] != best["option"]) & (cands["p_best"] > 0.2)]
        if len(others) and status != "do nothing":
            verdict += f"; close call with {', '.join(others['option'])}"
        if n_replicates < MIN_REPLICATES:
            verdict += f"; provisional: only {n_replicates} replicates (use {MIN_REPLICATES} or more)"
        row.update(pathway=str(pathway), status=status, verdict=verdict)
        out.append(row)
    return out


def _group_label(dim: str, value: Any) -> str:
    if dim == "deprivation_decile":
        return f"zones in deprivation decile {int(value)}" + (" (most deprived)" if int(value) == 1 else "")
    if dim == "age_band":
        return f"residents aged {value}"
    if dim == "channel":
        return f"residents who prefer {str(value).replace('_', ' ')} contact"
    if dim == "urban_rural":
        return f"{value} zones"
    return f"{dim} {value}"


def who_benefits(results: xr.Dataset, option: str, pathway: str, *, level: float = 0.95,
                 dims: Sequence[str] = ("age_band", "deprivation_decile", "urban_rural", "channel")) -> dict:
    """Groups gaining most and groups left out (no gain, or an interval reaching zero) under ``option``.

    Returns ``{"unit": ..., "gains": [(label, mean, lower, upper)], "left_out": [...]}`` with values per
    100,000 residents for deaths (per 1,000 otherwise); each list ordered, at most three entries.
    """
    from twin.analysis.equity import benefit_by
    from twin.report._format import INDICATOR_LABELS

    rows, unit = [], ""
    for dim in dims:
        try:
            ds = benefit_by(results, dim, level=level).sel(option=option, pathway=pathway)
        except (TwinError, KeyError, ValueError):
            continue
        var = str(ds.attrs.get("variable", ""))
        word, per = INDICATOR_LABELS.get(var.removesuffix("_by_age"), (var.replace("_", " "), 1000))
        k = per / 1000.0
        unit = f"{word} averted per {per:,} residents" if ds.attrs.get("harm", 1) else f"more {word} per {per:,}"
        for v in ds[dim].values:
            s = ds.sel({dim: v})
            rows.append((_group_label(dim, v), k * float(s["mean"]), k * float(s["lower"]), k * float(s["upper"])))
    rows = [r for r in rows if np.isfinite(r[1])]
    gains = sorted((r for r in rows if r[2] > 0), key=lambda r: -r[1])[:3]
    left = sorted((r for r in rows if not r[2] > 0), key=lambda r: r[1])[:3]
    return {"unit": unit, "gains": gains, "left_out": left}


def caveats(results: xr.Dataset, table: Any | None, setup: Any, *, level: float = 0.95) -> list[str]:
    """Plain-words caveats for the first page."""
    n = int(results.sizes.get("replicate", 1))
    out = [f"Each option was simulated {n} times per climate pathway (replicates with different weather). "
           f"Ranges are {level:.0%} intervals across those replicates; differences between options are paired "
           "(the same weather and the same residents in every option), which is why they are narrower than the "
           "ranges of the totals."]
    if n < 10:
        out.append(f"{n} replicates are few: the ranking is provisional; run the scenario with "
                   "--replicates 10 or more before acting on it.")
    place = str(results.attrs.get("place", ""))
    if place in ("urban_borough", "rural_district", "tiny"):
        out.append(f"The place ({place}) is synthetic: built to match published figures for a typical "
                   "English area, not your council's own data. Load your own place to decide for it.")
    if table is not None:
        if table.attrs.get("death_valuation", "qaly") == "qaly":
            death = (f"a death averted valued by the quality-adjusted life years lost at the age it happens, at "
                     f"£{float(table.attrs.get('qaly_value', 70_000)):,.0f} a QALY, the Treasury's basis for health; "
                     "the Department for Transport's £2.47m per death is shown beside it as a sensitivity")
        else:
            death = ("a death averted valued at the Department for Transport's £2.47m; the QALY basis is shown "
                     "beside it as a sensitivity")
        out.append(f"Money is in £ at {table.attrs.get('price_base_year')} prices, discounted over "
                   f"{table.attrs.get('years')} years the Green Book way. Benefits counted: "
                   f"{table.attrs.get('benefits', '').replace('_', ' ')} ({death}); comfort, productivity and "
                   "wider wellbeing are not counted.")
    if setup is not None:
        assumed = {c.intervention for cs in setup.costs.values() for c in cs
                   if "assumption" in (c.source or "").lower() or "(L)" in (c.source or "")}
        if assumed:
            out.append("Some costs are assumptions, not published prices (" + ", ".join(sorted(assumed)).replace("_", " ")
                       + "): replace them with local quotes.")
    out.append("Each pathway's climate is held for the whole appraisal period; the model's heat-health response "
               "is calibrated to London and England-and-Wales figures (see Sources).")
    return out
