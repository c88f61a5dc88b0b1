"""The appraisal report: one self-contained ``report.html`` and a ``zones.geojson`` per results directory.

``report.html`` needs no network: figures are PNGs embedded as base64 ``data:`` URIs, the styling is
inline, there are no scripts. Sections: the question, the place, the options, the comparison table,
the cost-effectiveness plane, forest plots of paired differences, maps per option, equity (who is
left out), the community progress index, portfolios under the budget, assumptions with sources,
provenance (from ``manifest.json``).

``zones.geojson`` holds every zone with its indicators (one property per indicator × option ×
pathway, replicate means) in WGS84 longitude/latitude, reprojected with pyproj: RFC 7946 GeoJSON
has no ``crs`` member and QGIS (and every web map) reads WGS84 GeoJSON without asking.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from twin.errors import OutputError, TwinError
from twin.analysis.stats import reference_option

__all__ = ["write_report", "write_zones_geojson", "zone_table"]

_CSS = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.4}"
        "table{border-collapse:collapse;font-size:12px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;"
        "text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}"
        "img{max-width:100%;border:1px solid #eee}h2{border-bottom:2px solid #2a6;padding-bottom:3px}"
        ".note{color:#555;font-size:13px}code{background:#f4f4f4}")


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    return '<img alt="figure" src="data:image/png;base64,' + base64.b64encode(buf.getvalue()).decode("ascii") + '">'


def _table(df: Any, floatfmt: str = "{:,.3g}") -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, (float, np.floating)):
            return "–" if not np.isfinite(v) else (f"{v:,.0f}" if abs(v) >= 1000 else floatfmt.format(v))
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>" for row in df.itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"


def _focal_pathway(results: xr.Dataset) -> str:
    pathways = [str(p) for p in results["pathway"].values]
    return "gwl2" if "gwl2" in pathways else pathways[-1]


def zone_table(results: xr.Dataset, index: xr.Dataset | None = None) -> Any:
    """Per-zone indicators (replicate means) as a DataFrame: one column per indicator × option × pathway."""
    import pandas as pd

    from twin.analysis.metrics import PLACE, indicators

    cols: dict[str, Any] = {}
    ind = results.twin.indicators()
    for name, da in ind.data_vars.items():
        if set(da.dims) != {"option", "pathway", "replicate", "zone"}:
            continue
        m = da.mean("replicate").drop_sel(zone=PLACE)
        for o in m["option"].values:
            for p in m["pathway"].values:
                cols[f"{name}__{o}__{p}"] = m.sel(option=o, pathway=p).values
    if index is not None and "index" in index:
        m = index["index"]
        m = m.mean("replicate") if "replicate" in m.dims else m
        for o in m["option"].values:
            for p in (m["pathway"].values if "pathway" in m.dims else [""]):
                v = m.sel(option=o, **({"pathway": p} if p != "" else {}))
                cols[f"progress_index__{o}__{p}"] = v.values
    df = pd.DataFrame(cols, index=[str(z) for z in results["zone"].values])
    df.insert(0, "residents", results["residents"].values)
    return df


def write_zones_geojson(zones: Any, table: Any, path: str | os.PathLike[str]) -> Path:
    """Write zones with ``table``'s columns as properties, reprojected from EPSG:27700 to WGS84."""
    import shapely
    from pyproj import Transformer

    to_wgs = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    feats = []
    for z in zones:
        geom = shapely.transform(z.geometry, lambda xy: np.column_stack(to_wgs.transform(xy[:, 0], xy[:, 1])))
        props = {"code": z.code, "name": z.name, "urban_rural": z.urban_rural, "deprivation_decile": int(z.deprivation_decile)}
        if z.code in table.index:
            for k, v in table.loc[z.code].items():
                v = float(v)
                props[str(k)] = round(v, 6) if np.isfinite(v) else None
        feats.append({"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(geom))})
    from twin.run.writer import atomic_write

    text = json.dumps({"type": "FeatureCollection", "features": feats})
    return atomic_write(path, lambda tmp: tmp.write_text(text))


def _figures(results, app, table, setup, index, pathway, level) -> dict[str, list[str]]:
    from matplotlib.figure import Figure

    from twin.analysis.equity import left_out_figure
    from twin.analysis.metrics import PLACE, indicators, paired_difference
    from twin.plot.core import option_comparison, zone_map
    from twin.analysis.progress_index import progress_map

    ref = reference_option(results)
    options = [str(o) for o in results["option"].values if str(o) != ref]
    figs: dict[str, list[str]] = {k: [] for k in ("plane", "forest", "maps", "equity", "index")}
    if app is not None and table is not None:
        fig = Figure(figsize=(7.5, 4.8), layout="constrained")
        ax = fig.add_subplot()
        for j, p in enumerate(table["pathway"].unique()):
            t = table[(table["pathway"] == p) & (table["option"] != ref)]
            err = np.abs(np.array([t["pv_benefit"] - t["pv_benefit_lower"], t["pv_benefit_upper"] - t["pv_benefit"]]))
            ax.errorbar(t["pv_cost"], t["pv_benefit"], yerr=np.nan_to_num(err), fmt="o", color=f"C{j}", capsize=3, label=p)
            for _, r in t.iterrows():
                ax.annotate(r["option"], (r["pv_cost"], r["pv_benefit"]), fontsize=7, xytext=(3, 3), textcoords="offset points")
        hi = float(np.nanmax(table["pv_cost"])) or 1.0
        ax.plot([0, hi], [0, hi], color="0.5", linestyle="--", linewidth=0.8, label="BCR = 1")
        ax.set_xlabel(f"present value of costs (GBP, {app.attrs['price_base_year']} prices)")
        ax.set_ylabel("present value of benefits (GBP)")
        ax.set_title(f"Cost-effectiveness plane ({app.attrs['years']} years, {level:.0%} paired intervals)", fontsize=10)
        ax.legend(fontsize=8, title="pathway")
        figs["plane"].append(_png(fig))
        from twin.analysis._compare import interval

        npv = interval(app["npv"], level)
        diff = xr.Dataset({"difference": npv["mean"], "lower": npv["lower"], "upper": npv["upper"]},
                          attrs={"reference_option": ref, "indicator": "net present value", "level": level,
                                 "method": "paired (common random numbers)"})
        diff["difference"].attrs["units"] = "GBP"
        figs["forest"].append(_png(option_comparison(diff.transpose("option", "pathway")).figure))
    ind = results.twin.indicators()
    names = [n for n, da in ind.data_vars.items() if set(da.dims) == {"option", "pathway", "replicate", "zone"}]
    for n in names[:3]:
        figs["forest"].append(_png(option_comparison(paired_difference(ind[n].sel(zone=PLACE))).figure))
    zones = setup.zones if setup is not None else None
    if zones is not None and names:
        n = names[0]
        d = paired_difference(ind[n].drop_sel(zone=PLACE)).sel(pathway=pathway)
        span = float(np.nanmax(np.abs(d["difference"].values))) or 1.0
        for o in options:
            x = d.sel(option=o)
            clear = [str(z) for z in x["zone"].values if x["lower"].sel(zone=z) > 0 or x["upper"].sel(zone=z) < 0]
            ax = zone_map(zones, x["difference"].reset_coords(drop=True), center=0.0, vmin=-span, vmax=span, cmap="RdBu_r",
                          units=ind[n].attrs.get("units", ""), highlight=clear,
                          title=f"{o} − {ref}, {pathway}: {n}\n(outlined: paired interval excludes 0)")
            figs["maps"].append(_png(ax.figure))
    for o in options:
        try:
            figs["equity"].append(_png(left_out_figure(results, o, pathway, level=level)))
        except TwinError:
            break
    if index is not None and "index" in index and zones is not None:
        for o in [ref] + options:
            figs["index"].append(_png(progress_map(index, zones, o, pathway).figure))
    return figs


def _flood_html(results: xr.Dataset, setup: Any) -> str:
    from twin.flood.report import flood_section

    return flood_section(results, setup.zones if setup is not None else None, _png, _table)


def _assumptions(settings: Any, results: xr.Dataset, setup: Any) -> Any:
    import pandas as pd

    rows = [dict(zip(("parameter", "value", "unit", "source"), r, strict=True)) for r in settings.describe()]
    from twin.analysis.progress_index import INDICATORS

    rows += [{"parameter": f"progress_index.{s.name}", "value": f"{s.worst:g} -> {s.best:g}", "unit": s.units,
              "source": "assumption, L (worst/best of the SPI scaling)"} for s in INDICATORS]
    if setup is not None:
        from twin.interventions import get

        seen = set()
        for specs in setup.interventions.values():
            for spec in specs:
                t = spec["type"]
                if t in seen:
                    continue
                seen.add(t)
                entry = get(t)
                for fname, info in entry.Params.model_fields.items():
                    rows.append({"parameter": f"{t}.{fname}", "value": spec.get(fname, info.default), "unit": "",
                                 "source": info.description or ""})
        for o, costs in setup.costs.items():
            for c in costs:
                rows.append({"parameter": f"cost source: {o} / {c.intervention}", "value": c.notes,
                             "unit": f"GBP {c.price_base_year}", "source": c.source})
    if results.attrs.get("model") == "heat_health":
        try:
            from twin.health.params import describe_params

            rows += [dict(zip(("parameter", "value", "unit", "source"), r, strict=True)) for r in describe_params()]
        except ImportError:  # pragma: no cover
            pass
    return pd.DataFrame(rows)


def write_report(results_dir: str | os.PathLike[str], *, settings: Any = None, out: str | os.PathLike[str] | None = None,
                 budget: float | None = None) -> Path:
    """Write ``report.html`` and ``zones.geojson`` into ``results_dir`` (or ``out``); return the report path.

    Parameters
    ----------
    results_dir
        A ``twin run`` output directory (``results.nc``, ``manifest.json``).
    settings
        :class:`twin.analysis.appraisal.AppraisalSettings` (defaults when omitted).
    out
        Directory to write to (default ``results_dir``).
    budget
        Budget (GBP) for the portfolio section; default the largest option budget in the scenario.
    """
    from twin.analysis._compare import compare_table
    from twin.analysis._options import stored_options
    from twin.analysis.appraisal import AppraisalSettings, appraise
    from twin.analysis.portfolio import candidates_from_appraisal, choose_portfolio, pareto_front, pareto_plot
    from twin.analysis.progress_index import progress_index

    rdir = Path(results_dir)
    path = rdir / "results.nc"
    if not path.exists():
        raise OutputError("no results.nc in the results directory", field="DIR", value=str(rdir),
                          hint="run `twin run SCENARIO -o DIR` first")
    results = xr.load_dataset(path, engine="h5netcdf")
    try:
        manifest = json.loads((rdir / "manifest.json").read_text())
    except (OSError, ValueError):
        manifest = {}
    settings = settings or AppraisalSettings()
    level = settings.level
    setup = stored_options(results)
    pathway = _focal_pathway(results)
    app = table = None
    note = ""
    try:
        app = appraise(results, settings, costs=setup.costs if setup else None)
        table = compare_table(results, settings, costs=setup.costs if setup else None,
                              budgets=setup.budgets if setup else {}, appraisal=app)
    except TwinError as err:
        note = f"No monetised appraisal: {html.escape(str(err))}"
    index = progress_index(results)
    ztab = zone_table(results, index)
    outdir = Path(out) if out is not None else rdir
    outdir.mkdir(parents=True, exist_ok=True)
    if setup is not None:
        write_zones_geojson(setup.zones, ztab, outdir / "zones.geojson")
    figs = _figures(results, app, table, setup, index, pathway, level)
    portfolio_html = "<p class=note>No budget given and no option carries one.</p>"
    budgets = [b for b in (setup.budgets.values() if setup else []) if b is not None]
    budget = budget if budget is not None else (max(budgets) if budgets else None)
    if app is not None and budget is not None:
        cands = candidates_from_appraisal(app, pathway, interventions=setup.interventions if setup else None)
        chosen = choose_portfolio(cands, budget)
        front = pareto_front(cands)
        portfolio_html = (f"<p>Budget £{budget:,.0f} (capital plus first year's running cost), pathway {pathway}: "
                          f"choose <b>{html.escape(' + '.join(chosen.members) or 'nothing')}</b> — cost £{chosen.cost:,.0f}, "
                          f"benefit £{chosen.benefit:,.0f} (present value, assumed additive; {chosen.method}). "
                          "Run the portfolio as one option to check the additivity.</p>"
                          + _png(pareto_plot(front, chosen=chosen, budget=budget).figure))
    sc = manifest.get("scenario", {})
    desc = html.escape(str(setup.description if setup else ""))
    place_line = html.escape(setup.place_summary) if setup else html.escape(str(results.attrs.get("place", "")))
    opts = ""
    if setup is not None:
        import pandas as pd

        opts = _table(pd.DataFrame([{"option": o, "description": setup.descriptions.get(o, ""),
                                     "interventions": "; ".join(c.notes for c in setup.costs[o]) or "none",
                                     "budget": setup.budgets.get(o) or float("nan")} for o in setup.costs]))
    comp = ""
    if table is not None:
        keep = [c for c in ("pathway", "option", "pv_cost", "pv_benefit", "pv_benefit_lower", "pv_benefit_upper", "npv",
                            "npv_lower", "npv_upper", "bcr", "bcr_lower", "bcr_upper", "npv_qaly", "bcr_qaly",
                            "npv_vpf", "bcr_vpf", "deaths_averted_per_year",
                            "cost_per_death_averted", "cost_per_qaly", "rank", "p_best", "max_regret", "over_budget")
                if c in table.columns]
        comp = (_table(table[keep]) + f"<p class=note>Least maximum regret across pathways: "
                f"<b>{html.escape(table.attrs['minimax_regret_option'])}</b>. GBP at {settings.price_base_year} prices, "
                f"{settings.years}-year appraisal, Green Book discounting; {level:.0%} intervals across replicates of the "
                "paired (common random numbers) differences; p_best = share of replicates with the highest NPV. "
                f"Deaths averted are valued on the {html.escape(table.attrs.get('death_valuation', 'qaly').upper())} "
                "basis in npv/bcr; npv_qaly/bcr_qaly value them by the QALYs lost at the age of death, with "
                "mortality displacement, at £70,000 a QALY (the basis a Treasury appraisal of a health option "
                "uses), npv_vpf/bcr_vpf at the value of a prevented fatality (£2.47 m, a sensitivity).</p>")
    prov = {k: manifest.get(k) for k in ("placetwin_version", "seed", "replicates", "model", "place", "options",
                                        "pathways", "input_checksums", "environment")}
    prov["scenario"] = {"name": sc.get("name"), "sha256": sc.get("sha256"), "path": sc.get("path")}
    sections = [
        ("The question", f"<p>{desc or 'Which option protects the most vulnerable people per pound, robustly across futures, and who is left out?'}</p>"),
        ("The place", f"<p>{place_line}</p>"),
        ("The options", opts or "<p class=note>Options could not be rebuilt from the stored scenario.</p>"),
        ("Comparison", comp or f"<p class=note>{note}</p>"),
        ("Cost-effectiveness plane", "".join(figs["plane"]) or f"<p class=note>{note}</p>"),
        ("Forest plot of paired differences", "".join(figs["forest"])),
        ("Maps per option", "".join(figs["maps"]) or "<p class=note>No zone maps (place not available).</p>"),
        ("Equity: who is left out", "".join(figs["equity"])),
        ("Flooding", _flood_html(results, setup)),
        ("Community progress index", f"<p class=note>{html.escape(index.attrs.get('method', ''))}: "
         f"{html.escape(index.attrs.get('indicators', ''))}</p>" + "".join(figs["index"])),
        ("Portfolios under the budget", portfolio_html),
        ("Assumptions and sources", _table(_assumptions(settings, results, setup))),
        ("Provenance", f"<pre>{html.escape(json.dumps(prov, indent=2, default=str))}</pre>"),
    ]
    title = html.escape(f"placetwin appraisal: {results.attrs.get('scenario_name', rdir.name)}")
    sections = [(h, c) for h, c in sections if c != "" or h != "Flooding"]  # the flood section only for flood runs
    body = "".join(f'<h2 id="s{i}">{html.escape(h)}</h2>{c}' for i, (h, c) in enumerate(sections))
    doc = (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{title}</title><style>{_CSS}</style></head>"
           f"<body><h1>{title}</h1>{body}</body></html>")
    from twin.run.writer import atomic_write

    return atomic_write(outdir / "report.html", lambda tmp: tmp.write_text(doc, encoding="utf-8"))
