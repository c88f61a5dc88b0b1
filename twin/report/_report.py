"""Assemble ``report.html``: the first page (answer) and the detail sections. See :mod:`twin.report.html`."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from twin.analysis.stats import reference_option
from twin.errors import TwinError
from twin.report._format import Column, fmt, fmt_interval, pathway_label
from twin.report.html import (REPORT_COLUMNS, _CSS, _assumptions, _focal_pathway, _html_table, _plain_table, _png,
                              write_zones_geojson, zone_table)

__all__ = ["write_report"]


def _w(name: Any) -> str:
    return html.escape(str(name).replace("_", " "))


def _plane(table: Any, ref: str, level: float, app: Any) -> Any:
    """Cost-effectiveness plane in £m: a marker shape per option (legend, no labels to overlap)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 4.8), layout="constrained")
    ax = fig.add_subplot()
    markers = "osD^vP*Xhp<>"
    options = [o for o in dict.fromkeys(table["option"]) if o != ref]
    for j, p in enumerate(dict.fromkeys(table["pathway"])):
        for i, o in enumerate(options):
            r = table[(table["pathway"] == p) & (table["option"] == o)].iloc[0]
            lo, hi = r["pv_benefit"] - r["pv_benefit_lower"], r["pv_benefit_upper"] - r["pv_benefit"]
            ax.errorbar(r["pv_cost"] / 1e6, r["pv_benefit"] / 1e6, yerr=np.nan_to_num([[lo / 1e6], [hi / 1e6]]),
                        fmt=markers[i % len(markers)], color=f"C{j}", capsize=3, markersize=7,
                        label=f"{o.replace('_', ' ')}, {pathway_label(p)}")
    hi = float(np.nanmax(table["pv_cost"])) / 1e6 or 1.0
    ax.plot([0, hi], [0, hi], color="0.5", linestyle="--", linewidth=0.8, label="benefits = costs")
    ax.set_xlabel(f"cost over {app.attrs['years']} years (£m, present value, {app.attrs['price_base_year']} prices)")
    ax.set_ylabel("benefits (£m, present value)")
    ax.set_title(f"Cost and benefit of each option against {ref.replace('_', ' ')}\n(whiskers: {level:.0%} "
                 "interval; above the dashed line, benefits exceed costs)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="marker: option, colour: climate",
              title_fontsize=7)
    return fig


def _npv_forest(app: Any, ref: str, level: float) -> Any:
    from twin.analysis._compare import interval
    from twin.plot.core import option_comparison

    npv = interval(app["npv"] / 1e6, level)
    diff = xr.Dataset({"difference": npv["mean"], "lower": npv["lower"], "upper": npv["upper"]},
                      attrs={"reference_option": ref, "indicator": "net benefit", "level": level,
                             "method": "paired"})
    diff["difference"].attrs["units"] = "£m, present value"
    return option_comparison(diff.transpose("option", "pathway")).figure


def _changes(srows: list[dict], ref: str) -> str:
    """Without a monetised appraisal: each option's change in the first headline outcome, per pathway."""
    if not srows:
        return "<p class=note>No outcome to compare.</p>"
    first = srows[0]["indicator"]
    rows = [r for r in srows if r["indicator"] == first and r["option"] != ref]
    lines = "".join(
        f"<tr><td class=t>{html.escape(pathway_label(r['pathway']))}</td><td class=t>{_w(r['option'])}</td>"
        f"<td>{fmt(r['difference'])}<span class=i>{fmt_interval(r['difference_lower'], r['difference_upper'])}</span></td>"
        f"<td>{fmt(r['percent_change'], 'pct')}</td></tr>" for r in rows)
    return (f"<p>No option's outcome is valued in money in these results, so the answer is what each option changes: "
            f"<b>{html.escape(srows[0]['label'])}</b> ({html.escape(srows[0]['unit'])}), against {_w(ref)}.</p>"
            "<table><tr><th class=t>Climate</th><th class=t>Option</th><th>Change<span class=i>mean (interval)</span>"
            "</th><th>Change</th></tr>" + lines + "</table>")


def _first_page(question: str, recs: list[dict], robust: str | None, who: dict | None, who_option: str,
                pathway: str, caveats: list[str], srows: list[dict] | None = None, ref: str = "") -> str:
    rows = []
    for r in recs:
        cls = {"recommended": "firm", "do nothing": "none"}.get(r["status"], "soft")
        deaths = fmt(r.get("deaths_averted_per_year"))
        ivl = fmt_interval(r.get("deaths_averted_per_year_lower"), r.get("deaths_averted_per_year_upper"))
        npv = fmt(r.get("npv"), "gbp_m") + " " + fmt_interval(r.get("npv_lower"), r.get("npv_upper"), "gbp_m")
        cost = f"{fmt(r.get('first_year_cost'), 'gbp_m')} first year; {fmt(r.get('pv_cost'), 'gbp_m')} over the period"
        rows.append(f"<tr><td class=t>{html.escape(pathway_label(r['pathway']))}</td>"
                    f"<td class=t><span class='rec {cls}'>{_w(r['option'])}</span><span class=v>{html.escape(r['status'])}: "
                    f"{html.escape(r['verdict'])}</span></td><td>{deaths}<span class=i>{ivl}</span></td>"
                    f"<td>{html.escape(npv)}</td><td class=t>{html.escape(cost)}</td></tr>")
    table = ("<table><tr><th class=t>Climate</th><th class=t>What to do</th><th>Heat deaths averted a year"
             "<span class=i>mean (interval)</span></th><th>Net benefit<span class=i>£m, present value</span></th>"
             "<th class=t>What it costs</th></tr>" + "".join(rows) + "</table>") if rows else _changes(srows or [], ref)
    parts = [f"<h2>The question</h2><p>{html.escape(question)}</p>", "<h2>The answer</h2>", table]
    if robust:
        parts.append(f"<p>The choice that holds up best across all the climates tested (least maximum regret): "
                     f"<b>{_w(robust)}</b>.</p>")
    if who and (who["gains"] or who["left_out"]):
        def items(rows: list) -> str:
            return "".join(f"<li>{html.escape(g)}: {fmt(m)} <span class=note>{fmt_interval(lo, hi)}</span></li>"
                           for g, m, lo, hi in rows)
        parts.append(f"<h2>Who benefits and who is left out</h2><p class=note>{_w(who_option)}, "
                     f"{html.escape(pathway_label(pathway))}; {html.escape(who['unit'])}.</p>"
                     f"<p><b>Gain most</b></p><ul>{items(who['gains']) or '<li>no group gains clearly</li>'}</ul>"
                     f"<p><b>Left out</b> (no clear gain)</p><ul>{items(who['left_out']) or '<li>nobody: every group gains</li>'}</ul>")
    parts.append("<h2>Caveats</h2><ul>" + "".join(f"<li>{html.escape(c)}</li>" for c in caveats) + "</ul>")
    return "<div class=page1>" + "".join(parts) + "</div>"


def _maps(results: xr.Dataset, setup: Any, pathway: str, ref: str) -> tuple[list[str], list[str]]:
    """Difference maps of what each option changes; names of options that change nothing mapped."""
    from twin.plot.core import MIN_MAPPED_CHANGE, _zone_indicators, changed_indicator, difference_map

    imgs, unchanged = [], []
    if setup is None or not setup.zones:
        return imgs, unchanged
    ind = _zone_indicators(results)
    for o in [str(o) for o in results["option"].values if str(o) != ref]:
        name, rel = changed_indicator(results, o, pathway, ind=ind)
        if name is None or rel < MIN_MAPPED_CHANGE:
            unchanged.append(o)
            continue
        imgs.append(_png(difference_map(results, setup.zones, o, pathway, indicator=name, ind=ind),
                         alt=f"change by zone under {o}"))
    return imgs, unchanged


def write_report(results_dir: Any, *, settings: Any = None, out: str | os.PathLike[str] | None = None,
                 budget: float | None = None) -> Path:
    """Write ``report.html`` and ``zones.geojson`` into ``results_dir`` (or ``out``); return the report path.

    Parameters
    ----------
    results_dir
        A ``twin run`` output directory (``results.nc``, ``indicators.nc``, ``manifest.json``), or the
        :class:`twin.run.RunResult` already opened from one (``twin report`` passes that).
    settings
        :class:`twin.analysis.appraisal.AppraisalSettings` (defaults when omitted).
    out
        Directory to write to (default ``results_dir``).
    budget
        Budget (GBP) for the portfolio section; default the largest option budget in the scenario.
    """
    from twin._sources import sources_rows
    from twin.analysis._compare import compare_table
    from twin.analysis._options import stored_options
    from twin.analysis.appraisal import AppraisalSettings, appraise
    from twin.analysis.equity import left_out_figure
    from twin.analysis.metrics import summary_table
    from twin.analysis.progress_index import progress_index, progress_map
    from twin.plot.core import comparison_figure
    from twin.report._text import summary_rows
    from twin.report.summary import caveats, recommendations, who_benefits

    from twin.run import RunResult, load_results

    # checked (a damaged directory is one line), opened once, with the indicators twin run stored attached
    res = results_dir if isinstance(results_dir, RunResult) else load_results(results_dir)
    rdir = res.path
    results = res.dataset.load()  # in memory: the appraisal, maps and tables read it many times
    res.indicators.load()
    manifest = res.manifest
    settings = settings or AppraisalSettings()
    level = settings.level
    setup = stored_options(results)
    pathway = _focal_pathway(results)
    ref = reference_option(results)
    n_rep = int(results.sizes.get("replicate", 1))
    app = table = None
    note = ""
    try:
        app = appraise(results, settings, costs=setup.costs if setup else None)
        table = compare_table(results, settings, costs=setup.costs if setup else None,
                              budgets=setup.budgets if setup else {}, appraisal=app)
    except TwinError as err:
        note = f"No monetised appraisal: {html.escape(str(err))}"
    index = progress_index(results)
    outdir = Path(out) if out is not None else rdir
    ztab = zone_table(results, index) if setup is not None else None

    from twin.report._text import HEADLINE

    ind = results.twin.indicators()  # stored by twin run (indicators.nc), attached by load_results
    head = [n for n in HEADLINE if n in ind][:4] or [n for n in ind.data_vars if "_by_" not in str(n)][:4]
    st = summary_table(results, level, ind=ind[head])
    srows = summary_rows(st)
    for r in srows:
        r["option_label"] = f"{r['label']} ({r['unit']})"
        if r["option"] == ref:
            r["difference"] = r["difference_lower"] = r["difference_upper"] = r["percent_change"] = None
    # ---- first page
    recs = recommendations(table, n_rep) if table is not None else []
    focal = next((r for r in recs if r["pathway"] == pathway), recs[0] if recs else None)
    who_option = str(focal["option"]) if focal and focal["option"] != ref else \
        next((str(o) for o in results["option"].values if str(o) != ref), ref)
    who = None
    if who_option != ref:
        who = who_benefits(results, who_option, pathway, level=level)
    desc = str(setup.description if setup else "")
    question = desc or "Which option protects the most vulnerable residents per pound, now and in a warmer climate, " \
                       "and who is left out?"
    page1 = _first_page(question, recs, table.attrs.get("minimax_regret_option") if table is not None else None,
                        who, who_option, pathway, caveats(results, table, setup, level=level), srows, ref)

    # ---- detail
    sections: list[tuple[str, str]] = []
    place_line = html.escape(setup.place_summary) if setup else html.escape(str(results.attrs.get("place", "")))
    sections.append(("The place", f"<p>{place_line}</p>"))
    if setup is not None:
        rows = [{"option": o, "what": setup.descriptions.get(o, "") or "; ".join(c.notes for c in setup.costs[o]) or "nothing",
                 "contains": ", ".join(s["type"].replace("_", " ") for s in setup.interventions.get(o, [])) or "—",
                 "capital": sum(c.capital for c in setup.costs[o]), "annual": sum(c.annual for c in setup.costs[o]),
                 "budget": setup.budgets.get(o)} for o in setup.costs]
        cols = [Column("option", "Option", "", "text"), Column("what", "What it does", "", "text"),
                Column("contains", "Interventions", "", "text"), Column("capital", "Capital cost", "£m", "gbp_m"),
                Column("annual", "Running cost", "£m a year", "gbp_m"), Column("budget", "Budget", "£m", "gbp_m")]
        sections.append(("The options", _html_table(rows, cols)))
    if table is not None:
        sections.append(("Costs and benefits", _html_table(table.to_dict("records"), REPORT_COLUMNS, group="pathway",
                                                          group_label=pathway_label)
                         + f"<p class=note>£ at {settings.price_base_year} prices over {settings.years} years, Green "
                         f"Book discounting; mean across {n_rep} replicates with the {level:.0%} interval below it "
                         "(paired with do nothing). Chance of being the best: share of replicates in which the option "
                         "has the highest net benefit. Regret: how much worse than the best option in a climate.</p>"))
    hcols = [Column("option", "Option", "", "text"), Column("mean", "Mean", "", "num"),
             Column("difference", f"Change from {ref.replace('_', ' ')}", "", "num"),
             Column("percent_change", "Change", "", "pct")]
    health = "".join(f"<h3>{html.escape(lab)} — {html.escape(pathway_label(p))}</h3>"
                     + _html_table([r for r in srows if r["option_label"] == lab and r["pathway"] == p], hcols)
                     for lab in dict.fromkeys(r["option_label"] for r in srows)
                     for p in dict.fromkeys(r["pathway"] for r in srows))
    sections.append(("Health and exposure", f"<details open><summary>{len(srows)} rows</summary>{health}</details>"
                     f"<p class=note>Intervals: {html.escape(st.attrs.get('interval_method', ''))}.</p>"))
    if app is not None and table is not None:
        sections.append(("Cost-effectiveness plane", _png(_plane(table, ref, level, app), "cost-effectiveness plane")))
        sections.append(("Differences from doing nothing", _png(_npv_forest(app, ref, level), "net benefit")
                         + _png(comparison_figure(results), "health differences")))
    else:
        sections.append(("Differences from doing nothing", f"<p class=note>{note}</p>"
                         + _png(comparison_figure(results), "health differences")))
    maps, unchanged = _maps(results, setup, pathway, ref)
    msg = (f"<p class=note>Each map shows the outcome the option changes most, by zone, "
           f"{html.escape(pathway_label(pathway))}.")
    if unchanged:
        msg += f" Not mapped (they change no zone's outcomes by more than 0.1 %): {_w(', '.join(unchanged))}."
    sections.append(("What each option changes, where", msg + "</p>" + "".join(maps)))
    if who_option != ref:
        try:
            sections.append(("Equity: who gains, who is left out", _png(left_out_figure(results, who_option, pathway,
                                                                                          level=level), "equity")))
        except TwinError as err:
            sections.append(("Equity: who gains, who is left out", f"<p class=note>{html.escape(str(err))}</p>"))
    if index is not None and "index" in index and setup is not None and setup.zones:
        imgs = [_png(progress_map(index, setup.zones, o, pathway).figure, "progress index")
                for o in dict.fromkeys([ref, who_option])]
        sections.append(("Community progress index", f"<p class=note>{html.escape(index.attrs.get('method', ''))}: "
                         f"{html.escape(index.attrs.get('indicators', ''))}. Shown for {_w(ref)} and "
                         f"{_w(who_option)}.</p>" + "".join(imgs)))
    from twin.flood.report import flood_section

    flood = flood_section(results, setup.zones if setup is not None else None, _png, _plain_table)
    if flood:  # flood runs only: EAD, damage and people by option and pathway, depth maps
        sections.append(("Flooding", flood))
    sections.append(("Portfolio under the budget", _portfolio(app, setup, pathway, budget)))
    src = [dict(r) for r in sources_rows()]
    scols = [Column("topic", "Topic", "", "text"), Column("figure", "Figure", "", "text"),
             Column("citation", "Source", "", "text"), Column("use", "Use", "", "text")]
    sections.append(("Sources", "<p class=note>Published figures the model uses (the project's docs/sources.md), "
                     "then every parameter and cost of this run with its source; L marks an assumption.</p>"
                     + _html_table(src, scols)
                     + f"<details><summary>Parameters and costs of this run</summary>"
                     f"{_plain_table(_assumptions(settings, results, setup))}</details>"))
    sc = manifest.get("scenario", {})
    prov = {k: manifest.get(k) for k in ("placetwin_version", "seed", "replicates", "model", "place", "options",
                                        "pathways", "input_checksums", "environment")}
    prov["scenario"] = {"name": sc.get("name"), "sha256": sc.get("sha256"), "path": sc.get("path")}
    sections.append(("Provenance", f"<pre>{html.escape(json.dumps(prov, indent=2, default=str))}</pre>"))

    place_name = str(results.attrs.get("place", "")).replace("_", " ")
    heat = any(v in results for v in ("expected_attributable_deaths", "attributable_deaths"))
    hazard = ("Heat and flood" if heat else "Flood") if flood else "Heat"
    title = html.escape(f"{hazard} adaptation options for {place_name}")
    sub = html.escape(f"Scenario {results.attrs.get('scenario_name', rdir.name)}: "
                      f"{results.sizes['option']} options, {n_rep} replicates, "
                      + ", ".join(pathway_label(p) for p in results["pathway"].values))
    body = "".join(f'<h2 id="s{i}">{html.escape(h)}</h2>{c}' for i, (h, c) in enumerate(sections))
    doc = (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width'>"
           f"<title>{title}</title><style>{_CSS}</style></head><body><h1>{title}</h1><p class=sub>{sub}</p>"
           f"{page1}{body}</body></html>")
    from twin.run.writer import OutputDir

    # the one writer: both files appear together, replacing an old report only when whole
    with OutputDir(outdir, holds=("report.html", "zones.geojson"), overwrite=True, what="a report") as od:
        if ztab is not None:
            write_zones_geojson(setup.zones, ztab, od.path("zones.geojson"))
        od.write_text("report.html", doc)
        od.publish()
    return outdir / "report.html"


def _portfolio(app: Any, setup: Any, pathway: str, budget: float | None) -> str:
    from twin.analysis.portfolio import candidates_from_appraisal, choose_portfolio, pareto_front, pareto_plot

    budgets = [b for b in (setup.budgets.values() if setup else []) if b is not None]
    budget = budget if budget is not None else (max(budgets) if budgets else None)
    if app is None or budget is None:
        return "<p class=note>No budget given and no option carries one.</p>"
    cands = candidates_from_appraisal(app, pathway, interventions=setup.interventions if setup else None)
    chosen = choose_portfolio(cands, budget)
    front = pareto_front(cands)
    overlaps = sorted({f"{a.name} and {b.name}" for i, a in enumerate(cands) for b in cands[i + 1:] if a.overlaps(b)})
    text = (f"<p>Budget {fmt(budget, 'gbp_m')} (capital plus the first year's running cost), "
            f"{html.escape(pathway_label(pathway))}: choose <b>{_w(' + '.join(chosen.members) or 'nothing')}</b> — "
            f"cost {fmt(chosen.cost, 'gbp_m')}, benefit {fmt(chosen.benefit, 'gbp_m')} (present value, the members' "
            f"benefits summed; {html.escape(chosen.method)}).</p>")
    if overlaps:
        text += ("<p class=note>Never combined, because one contains an intervention of the other: "
                 + _w("; ".join(overlaps)) + ".</p>")
    text += ("<p class=note>Options that share no intervention may still reach the same residents: run the chosen "
             "portfolio as one option to check its summed benefit.</p>")
    return text + _png(pareto_plot(front, chosen=chosen, budget=budget).figure, "portfolios")
