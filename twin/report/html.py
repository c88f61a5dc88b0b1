"""The appraisal report: one self-contained ``report.html`` and a ``zones.geojson`` per results directory.

``report.html`` needs no network: figures are PNGs embedded as base64 ``data:`` URIs, the styling is
inline, there are no scripts. The first page answers the question for a cabinet member: the
recommended option per climate pathway with its interval and cost, who benefits and who is left out,
and the caveats in plain words (:mod:`twin.report.summary`). Then the detail: the options, the
comparison and health tables (human labels, £m, per 100,000; :mod:`twin.report._format` column
specs), the cost-effectiveness plane, forest plots, maps of what each option changes, equity, the
community progress index, a portfolio of options that share no intervention, the sources (the
project's ``docs/sources.md`` table and the assumptions of this run) and provenance.

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
from twin.report._format import Column, cell, fmt, fmt_interval, pathway_label

__all__ = ["REPORT_COLUMNS", "write_report", "write_zones_geojson", "zone_table"]

_CSS = ("body{font-family:system-ui,sans-serif;max-width:1000px;margin:1.5em auto;padding:0 1em;color:#222;"
        "line-height:1.45}h1{font-size:1.6em;margin-bottom:.2em}.sub{color:#555;margin-top:0}"
        "table{border-collapse:collapse;font-size:13px;margin:.8em 0;max-width:100%}"
        "td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}"
        "th{background:#f0f4f2;font-weight:600}td:first-child,th:first-child,td.t,th.t{text-align:left}"
        ".i{display:block;color:#666;font-size:11px;white-space:nowrap}.v{display:block;color:#555;font-size:12px;font-weight:400}"
        "img{max-width:100%;border:1px solid #eee;margin:.4em 0}h2{border-bottom:2px solid #2a6;padding-bottom:3px;"
        "margin-top:1.6em}.note{color:#555;font-size:13px}code{background:#f4f4f4}"
        ".page1{border:2px solid #2a6;border-radius:6px;padding:.6em 1.2em;margin:1em 0;page-break-after:always}"
        ".rec{font-weight:600}.firm{color:#176}.soft{color:#a60}.none{color:#a22}ul{padding-left:1.2em}"
        "details summary{cursor:pointer;color:#176}")

#: The comparison table of the report: (data key, human label, unit, format). Another valuation or
#: a rate (QALY-based, age-standardised) is one more Column here.
REPORT_COLUMNS = [
    Column("option", "Option", "", "text"),
    Column("first_year_cost", "Cost in the first year", "£m", "gbp_m"),
    Column("pv_cost", "Cost over the period", "£m, present value", "gbp_m"),
    Column("deaths_averted_per_year", "Heat deaths averted a year", "", "num"),
    Column("pv_benefit", "Benefits", "£m, present value", "gbp_m"),
    Column("npv", "Net benefit", "£m, present value", "gbp_m"),
    Column("bcr", "Benefit per £1 spent", "", "num"),
    Column("cost_per_death_averted", "Cost per death averted", "£m", "gbp_m"),
    Column("p_best", "Chance of being the best", "", "prob"),
    Column("max_regret", "Largest regret across futures", "£m", "gbp_m"),
]


def _png(fig: Any, alt: str = "figure") -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    return (f'<img alt="{html.escape(alt)}" src="data:image/png;base64,'
            + base64.b64encode(buf.getvalue()).decode("ascii") + '">')


def _html_table(rows: list[dict], columns: list[Column], *, group: str | None = None,
                group_label: Any = None) -> str:
    """A table of ``columns`` (label and unit in the head; intervals under values, small)."""
    head = "".join(f'<th class="{"t" if c.format == "text" else ""}">{html.escape(c.label)}'
                   + (f'<span class=i>{html.escape(c.unit)}</span>' if c.unit else "") + "</th>" for c in columns)
    body, previous = [], object()
    for r in rows:
        if group is not None and r.get(group) != previous:
            previous = r.get(group)
            label = group_label(previous) if callable(group_label) else str(previous)
            body.append(f'<tr><th class=t colspan={len(columns)}>{html.escape(label)}</th></tr>')
        tds = []
        for c in columns:
            v, ivl = cell(r, c)
            cls = ' class="t"' if c.format == "text" else ""
            tds.append(f"<td{cls}>{html.escape(v.replace('_', ' ') if c.format == 'text' else v)}"
                       + (f"<span class=i>{html.escape(ivl)}</span>" if ivl else "") + "</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _plain_table(df: Any) -> str:
    head = "".join(f"<th class=t>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td class=t>{html.escape(fmt(v) if isinstance(v, float) else str(v))}</td>"
                                    for v in row) + "</tr>" for row in df.itertuples(index=False))
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
    if results.attrs.get("model") == "heat_health" or "heat_health" in str(results.attrs.get("models", "")).split(", "):
        try:
            from twin.health.params import describe_params

            rows += [dict(zip(("parameter", "value", "unit", "source"), r, strict=True)) for r in describe_params()]
        except ImportError:  # pragma: no cover
            pass
    return pd.DataFrame(rows)


from twin.report._report import write_report  # noqa: E402
