"""The tables ``twin show`` and ``twin compare`` print: the columns that matter, in 80 columns.

Both print plain text (no box drawing, nothing a pipe or a narrow terminal wraps mid-number): an
interval goes on the line under its value. ``--all`` adds the rest (``show``: every indicator with
its splits; ``compare``: every column, one block per option), ``--csv`` writes everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twin.report._format import Column, fmt, indicator_label, pathway_label, text_table

__all__ = ["COMPARE_COLUMNS", "COMPARE_COLUMNS_ALL", "HEADLINE", "compare_text", "summary_rows", "summary_text"]

#: Indicators ``twin show`` prints by default, first present first (at most four).
HEADLINE = (
    "expected_attributable_deaths_per_1000", "expected_attributable_deaths_per_1000_75plus",
    "attributable_deaths_per_1000", "heat_illness_per_1000", "unmet_demand_per_1000",
    "hot_day_exposure_per_1000", "hot_day_exposure_per_1000_75plus",
    "hot_night_exposure_per_1000", "hot_night_exposure_per_1000_75plus",
)

#: ``twin compare``: what fits 80 columns ...
COMPARE_COLUMNS = [
    Column("option", "option", "", "text"),
    Column("pv_cost", "cost", "", "gbp_m"),
    Column("npv", "net benefit", "", "gbp_m"),
    Column("bcr", "benefit per £1", "", "num"),
    Column("deaths_averted_per_year", "deaths averted a year", "", "num"),
    Column("p_best", "chance best", "", "prob"),
]
#: ... and everything (``--all``).
COMPARE_COLUMNS_ALL = [
    Column("capital_cost", "capital cost", "£m", "gbp_m"),
    Column("first_year_cost", "capital plus first year's running cost", "£m", "gbp_m"),
    Column("pv_cost", "cost, present value", "£m", "gbp_m"),
    Column("pv_benefit", "benefits, present value", "£m", "gbp_m"),
    Column("npv", "net present value", "£m", "gbp_m"),
    Column("bcr", "benefit-cost ratio", "", "ratio"),
    Column("deaths_averted_per_year", "deaths averted a year", "", "num"),
    Column("cost_per_death_averted", "cost per death averted", "£m", "gbp_m"),
    Column("cost_per_qaly", "cost per QALY gained", "£", "gbp"),
    Column("rank", "rank by net present value", "", "int"),
    Column("p_best", "chance of the highest net present value", "", "prob"),
    Column("max_regret", "largest regret across pathways", "£m", "gbp_m"),
    Column("budget", "budget", "£m", "gbp_m"),
    Column("over_budget", "over budget", "", "text"),
]


def summary_rows(df: Any, *, everything: bool = False) -> list[dict]:
    """Rows of :func:`twin.analysis.metrics.summary_table` in display units (deaths per 100,000).

    Without ``everything``: the first four :data:`HEADLINE` indicators present (all indicators
    without splits when none is).
    """
    names = list(dict.fromkeys(df["indicator"]))
    if not everything:
        head = [n for n in HEADLINE if n in names][:4]
        names = head or [n for n in names if "[" not in n][:4]
    rows = []
    for r in df.to_dict("records"):
        if r["indicator"] not in names:
            continue
        label, unit, factor = indicator_label(r["indicator"], str(r.get("units", "")))
        row = dict(r, label=label, unit=unit)
        for k in ("mean", "lower", "upper", "difference", "difference_lower", "difference_upper"):
            row[k] = r[k] * factor
        row["mean_lower"], row["mean_upper"] = row["lower"], row["upper"]
        rows.append(row)
    order = {n: i for i, n in enumerate(names)}
    rows.sort(key=lambda x: order[x["indicator"]])
    return rows


def summary_text(df: Any, *, width: int = 80, everything: bool = False) -> str:
    """``twin show``: one block per indicator, rows pathway × option, mean (interval), difference, change."""
    ref = df.attrs.get("reference_option", "the reference")
    level = df.attrs.get("level", 0.95)
    rows = summary_rows(df, everything=everything)
    cols = [Column("pathway", "pathway", "", "text"), Column("option", "option", "", "text"),
            Column("mean", "mean", "", "num"), Column("difference", f"change vs {ref}", "", "num"),
            Column("percent_change", "change", "", "pct")]
    out = [_wrap(f"Mean across replicates with {level:.0%} intervals; changes from {ref} are paired by replicate.",
                 width)]
    previous = None
    block: list[dict] = []

    def flush() -> None:
        if block:
            r0 = block[0]
            out.append("")
            out.append(f"{r0['label']} ({r0['unit']})"[:width])
            for b in block:
                if b["option"] == ref:
                    b["difference"] = b["difference_lower"] = b["difference_upper"] = b["percent_change"] = None
            out.append(text_table(block, cols, width=width))

    for r in rows:
        if r["indicator"] != previous:
            flush()
            block = []
            previous = r["indicator"]
        block.append(r)
    flush()
    out.append("")
    method = df.attrs.get("interval_method")
    if method:
        out.append(_wrap(f"Intervals — {method}.", width))
    if not everything:
        out.append("More indicators and the splits by channel: twin show DIR --all (or --csv FILE).")
    return "\n".join(out)


def _wrap(text: str, width: int) -> str:
    from twin.report._format import _wrap_words

    return "\n".join(_wrap_words(text, width))


def compare_text(df: Any, *, width: int = 80, everything: bool = False, columns: Sequence[Column] | None = None) -> str:
    """``twin compare``: a block per pathway with the :data:`COMPARE_COLUMNS`; ``everything``: one
    block per option × pathway listing every column of :data:`COMPARE_COLUMNS_ALL` (label: value)."""
    ref = df.attrs.get("reference_option", "the reference")
    year = df.attrs.get("price_base_year", "")
    level = df.attrs.get("level", 0.95)
    rows = df.to_dict("records")
    out = [_wrap(f"Options compared with {ref}: cost and net benefit in £ million at {year} prices, present "
                 f"values over {df.attrs.get('years', 30)} years (Green Book discounting); mean and {level:.0%} "
                 "interval across replicates; chance best = share of replicates in which the option has the "
                 "highest net benefit.", width)]
    if everything:
        cols = list(columns or COMPARE_COLUMNS_ALL)
        for r in rows:
            out.append("")
            out.append(f"{r['option']} — {pathway_label(r['pathway'])}"[:width])
            for c in cols:
                if c.key not in r:
                    continue
                v = fmt(r[c.key], c.format)
                lo, hi = r.get(f"{c.key}_lower"), r.get(f"{c.key}_upper")
                if lo is not None and hi is not None:
                    v += f" ({fmt(lo, c.format)} to {fmt(hi, c.format)})"
                out.append("  " + _wrap(f"{c.label}: {v}", width - 2).replace("\n", "\n    "))
    else:
        cols = [c for c in (columns or COMPARE_COLUMNS) if c.key in df.columns]
        out.append("")
        out.append(text_table(rows, cols, width=width, group="pathway",
                              group_label=lambda p: f"— {pathway_label(p)} —"))
    robust = df.attrs.get("minimax_regret_option")
    if robust:
        out.append("")
        out.append(_wrap(f"Robust choice across pathways (least maximum regret): {robust}.", width))
    if not everything:
        out.append(_wrap("Every column (capital, benefits, cost per death and per QALY, regret, budget): "
                         "twin compare DIR --all, or --csv FILE.", width))
    return "\n".join(out)
