"""Numbers as a reader reads them: column specs, £m, per 100,000, intervals, and 80-column text tables.

A table is a list of :class:`Column` (key in the data, human label, unit, format). A cell with
``<key>_lower``/``<key>_upper`` beside it prints its interval. The same specs drive the HTML report
and ``twin show``/``twin compare``, so a new column (a QALY-based valuation, an age-standardised rate)
is one more ``Column`` in a list.

Formats: ``gbp_m`` (£ millions), ``gbp`` (whole pounds), ``num`` (two significant figures, at most
one decimal above 10), ``int``, ``ratio`` (two decimals), ``pct`` (signed percentage), ``prob``
(share as a percentage), ``text``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

__all__ = ["Column", "INDICATOR_LABELS", "PATHWAY_LABELS", "fmt", "fmt_interval", "indicator_label", "pathway_label",
           "text_table"]


class Column(NamedTuple):
    key: str
    label: str
    unit: str = ""
    format: str = "num"


#: Pathways in words.
PATHWAY_LABELS = {
    "baseline": "today's climate (1991-2020)",
    "gwl1.5": "1.5 °C of global warming",
    "gwl2": "2 °C of global warming",
    "gwl3": "3 °C of global warming",
    "gwl4": "4 °C of global warming",
}

#: Indicator bases in words, and the scale they are shown at (per 100,000 for deaths).
INDICATOR_LABELS = {
    "expected_attributable_deaths": ("heat deaths", 100_000),
    "attributable_deaths": ("heat deaths (drawn)", 100_000),
    "heat_illness": ("heat illness episodes", 1_000),
    "expected_heat_illness": ("heat illness episodes", 1_000),
    "unmet_demand": ("requests for help not met", 1_000),
    "contacts": ("contacts delivered", 1_000),
    "protected": ("residents protected", 1_000),
    "hot_day_exposure": ("hot-day exposure", 1_000),
    "hot_night_exposure": ("hot-night exposure", 1_000),
}


def pathway_label(pathway: str) -> str:
    """``gwl2`` -> ``2 °C of global warming``; unknown names unchanged."""
    return PATHWAY_LABELS.get(str(pathway), str(pathway))


def indicator_label(name: str, units: str = "") -> tuple[str, str, float]:
    """(label, unit, factor) of an indicator name such as ``expected_attributable_deaths_per_1000_75plus``.

    ``factor`` multiplies the stored per-1,000 value into the shown unit (100 for deaths: per 100,000).
    """
    m = re.match(r"^(?P<base>.+?)_per_1000(?P<old>_75plus)?(?:_by_\w+\[\w+=(?P<split>[^\]]+)\])?$", name)
    if not m:
        return name.replace("_", " "), units, 1.0
    base = m.group("base")
    label, per = INDICATOR_LABELS.get(base, (base.replace("_", " "), 1_000))
    if m.group("old"):
        label += ", aged 75+"
    if m.group("split"):
        label += f", {m.group('split').replace('_', ' ')}"
    what = units.split(" per ")[0] if units else ""
    what = {"person day": "person-days", "contact": "contacts"}.get(what, what)
    who = "residents aged 75+" if m.group("old") else "residents"
    unit = f"{'' if what in ('', '1', 'deaths') else what + ' '}per {per:,} {who}".strip()
    return label, unit, per / 1000.0


def _sig(v: float, digits: int = 2) -> float:
    if v == 0 or not math.isfinite(v):
        return v
    return round(v, digits - 1 - int(math.floor(math.log10(abs(v)))))


def fmt(v: Any, kind: str = "num") -> str:
    """One value in format ``kind`` (see the module docstring); ``–`` for missing values."""
    if kind == "text" or isinstance(v, str):
        return str(v)
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    v = float(v)
    sign = "-" if v < 0 else ""
    if kind == "gbp_m":
        m = abs(v) / 1e6
        if m >= 10:
            return f"{sign}£{m:,.0f}m"
        if m >= 0.995:
            return f"{sign}£{m:,.1f}m"
        return "£0m" if m == 0 else f"{sign}£{_sig(m, 2):g}m"
    if kind == "gbp":
        return f"{sign}£{abs(v):,.0f}"
    if kind == "int":
        return f"{v:,.0f}"
    if kind == "ratio":
        return f"{v:,.2f}"
    if kind == "pct":
        return f"{v:+.0f} %" if abs(v) >= 10 else f"{v:+.1f} %"
    if kind == "prob":
        return f"{100 * v:.0f} %"
    if v == 0:
        return "0"
    s = _sig(v, 2)
    if abs(s) >= 10:
        return f"{s:,.0f}"
    if abs(s) < 0.001:
        return f"{s:.12f}".rstrip("0")
    return f"{s:#.2g}".rstrip(".")


def fmt_interval(lo: Any, hi: Any, kind: str = "num") -> str:
    """``(lo to hi)``; empty when either bound is missing."""
    a, b = fmt(lo, kind), fmt(hi, kind)
    return "" if "–" in (a, b) or a == b else f"({a} to {b})"


def cell(row: Mapping[str, Any], col: Column, *, interval: bool = True) -> tuple[str, str]:
    """(value, interval) texts of ``col`` in ``row``."""
    v = row.get(col.key)
    lo, hi = row.get(f"{col.key}_lower"), row.get(f"{col.key}_upper")
    text = fmt(v, col.format)
    ivl = fmt_interval(lo, hi, col.format) if interval and lo is not None and hi is not None else ""
    return text, ivl


def text_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], *, width: int = 80,
               group: str | None = None, group_label: Any = None) -> str:
    """Plain-text table that fits ``width`` columns: intervals go on a second line under their value.

    Long text cells are cut with ``…``, never numbers. ``group`` names a key whose value starts a new
    block (printed as a heading line through ``group_label``) instead of a column.
    """
    heads = [c.label + (f" ({c.unit})" if c.unit else "") for c in columns]
    cells = [[cell(r, c) for c in columns] for r in rows]
    widths = []
    for j, c in enumerate(columns):
        content = max([len(a) for a, _ in (x[j] for x in cells)] + [len(b) for _, b in (x[j] for x in cells)] + [1])
        head = max(len(w) for w in _wrap_words(heads[j], max(content, 6)))
        widths.append(max(content, head))
    gap = 2 if sum(widths) + 2 * (len(widths) - 1) <= width else 1
    total = sum(widths) + gap * (len(widths) - 1)
    text_cols = [j for j, c in enumerate(columns) if c.format == "text"]
    while total > width and text_cols:  # shrink the widest text column, cutting its cells
        j = max(text_cols, key=lambda k: widths[k])
        if widths[j] <= 10:
            break
        widths[j] -= 1
        total -= 1
    head_lines = [_wrap_words(h, widths[j]) for j, h in enumerate(heads)]
    n_head = max(len(h) for h in head_lines)
    out = []
    for k in range(n_head):
        parts = [(h[k] if k < len(h) else "") for h in head_lines]
        out.append(_line(parts, widths, columns, gap, header=True))
    out.append("-" * min(width, total))
    previous = object()
    for r, row_cells in zip(rows, cells, strict=True):
        if group is not None and r.get(group) != previous:
            previous = r.get(group)
            label = group_label(previous) if callable(group_label) else str(previous)
            out.append(label[:width])
        out.append(_line([a for a, _ in row_cells], widths, columns, gap))
        if any(b for _, b in row_cells):
            out.append(_line([b for _, b in row_cells], widths, columns, gap))
    return "\n".join(line.rstrip() for line in out)


def _wrap_words(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return lines + ([cur] if cur else [])


def _line(parts: Iterable[str], widths: Sequence[int], columns: Sequence[Column], gap: int, header: bool = False) -> str:
    out = []
    for p, w, c in zip(parts, widths, columns, strict=True):
        if len(p) > w:
            p = p[: w - 1] + "…"
        out.append(p.ljust(w) if c.format == "text" else p.rjust(w))
    return (" " * gap).join(out)
