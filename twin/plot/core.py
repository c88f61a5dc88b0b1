"""Standard plots of a results Dataset: zone maps, option comparison, daily series, exposure by age.

matplotlib is imported inside the functions. Figures are made with
:class:`matplotlib.figure.Figure` directly (no pyplot, no global figure state, no GUI backend),
so the plots work headless and in worker processes. Drawing functions take an optional ``ax``
(or ``fig``) and return it, so a notebook can compose them.

The runner calls :func:`plot_all`, which walks the registry :data:`PLOTS` and writes one PNG
per figure with a stable file name, atomically (temporary file, then rename).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from twin.errors import TwinError
from twin.analysis.metrics import PLACE, count_variables, indicators, paired_difference, rate_per_1000
from twin.analysis.stats import reference_option

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PLOTS",
    "daily_series",
    "exposure_by_age",
    "option_comparison",
    "plot_all",
    "register_plot",
    "zone_map",
]

DPI = 110
_NO_DATA = "#d9d9d9"
_LINESTYLES = ("-", "--", ":", "-.")

#: name -> function ``(results, zones) -> iterable of (file stem, Figure)``.
PLOTS: dict[str, Callable[[xr.Dataset, Sequence[Any] | None], Iterable[tuple[str, Figure]]]] = {}


def register_plot(name: str):
    """Decorator adding a standard plot to :data:`PLOTS` under ``name``."""

    def deco(fn):
        PLOTS[name] = fn
        return fn

    return deco


def _figure(figsize: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _ring(coords) -> tuple[np.ndarray, list[int]]:
    from matplotlib.path import Path as MPath

    xy = np.asarray(coords, dtype=float)[:, :2]
    codes = [MPath.MOVETO] + [MPath.LINETO] * (len(xy) - 2) + [MPath.CLOSEPOLY]
    return xy, codes


def _geometry_path(geometry, code: str = "?"):
    """One compound matplotlib Path for a Polygon or MultiPolygon; holes wound the other way."""
    from matplotlib.path import Path as MPath
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.geometry.polygon import orient

    if isinstance(geometry, Polygon):
        parts = [geometry]
    elif isinstance(geometry, MultiPolygon):
        parts = list(geometry.geoms)
    else:
        raise TwinError("zone geometry must be a Polygon or MultiPolygon", field=f"zones[{code}].geometry",
                        value=getattr(geometry, "geom_type", type(geometry).__name__))
    verts, codes = [], []
    for poly in parts:
        poly = orient(poly, sign=1.0)  # exterior anticlockwise, holes clockwise: non-zero fill leaves holes empty
        for ring in (poly.exterior, *poly.interiors):
            xy, c = _ring(ring.coords)
            verts.append(xy)
            codes += c
    return MPath(np.concatenate(verts), codes)


def _by_zone(values: Mapping[str, float] | Any) -> dict[str, float]:
    if isinstance(values, xr.DataArray):
        if values.dims != ("zone",):
            raise TwinError("zone values must have the single dim 'zone'", field="values", value=values.dims)
        return {str(k): float(v) for k, v in zip(values["zone"].values, values.values, strict=True)}
    return {str(k): float(v) for k, v in dict(values).items()}


def zone_map(
    zones: Sequence[Any],
    values: Mapping[str, float] | Any,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    cmap: str = "viridis",
    units: str | None = None,
    labels: bool = True,
    center: float | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    highlight: Iterable[str] = (),
) -> Axes:
    """Fill each zone's polygon by its value, with a colour bar.

    Parameters
    ----------
    zones
        Objects with ``.code`` and ``.geometry`` (shapely Polygon or MultiPolygon, metres).
    values
        Value by zone code: dict, pandas Series or a DataArray over ``zone``. Zones without a
        finite value are drawn grey.
    ax
        Axes to draw on; a new figure when omitted (``ax.figure``).
    title, cmap, units
        Title, colormap name and colour-bar label.
    labels
        Write zone codes at a point inside each zone.
    center
        Make the colour scale symmetric about this value (use 0 with a diverging ``cmap`` for
        differences).
    vmin, vmax
        Colour limits (e.g. shared between panels); default from the data.
    highlight
        Zone codes outlined in black (e.g. where an interval excludes zero).
    """
    import matplotlib as mpl
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch

    ax = ax if ax is not None else _figure((6.4, 5.6)).add_subplot()
    vals = _by_zone(values)
    data = np.array([vals.get(str(z.code), np.nan) for z in zones], dtype=float)
    finite = data[np.isfinite(data)]
    lo = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
    hi = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    if center is not None:
        half = max(abs(lo - center), abs(hi - center)) or 1.0
        lo, hi = center - half, center + half
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    colormap = mpl.colormaps[cmap].with_extremes(bad=_NO_DATA)
    patches = [PathPatch(_geometry_path(z.geometry, str(z.code))) for z in zones]
    coll = PatchCollection(patches, cmap=colormap, norm=mpl.colors.Normalize(lo, hi),
                           edgecolor="white", linewidth=0.6)
    coll.set_array(np.ma.masked_invalid(data))
    ax.add_collection(coll)
    marked = set(highlight)
    if marked:
        ax.add_collection(PatchCollection(
            [PathPatch(_geometry_path(z.geometry, str(z.code))) for z in zones if str(z.code) in marked],
            facecolor="none", edgecolor="black", linewidth=1.6))
    if labels:
        for z in zones:
            p = z.geometry.representative_point()
            ax.annotate(str(z.code), (p.x, p.y), ha="center", va="center", fontsize=7, color="black")
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.figure.colorbar(coll, ax=ax, label=units or "", shrink=0.85)
    if not np.isfinite(data).all():
        ax.text(0.01, 0.01, "grey: no data", transform=ax.transAxes, fontsize=7, color="0.35")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def option_comparison(diff: xr.Dataset, ax: Axes | None = None, *, title: str | None = None) -> Axes:
    """Forest plot: each option's difference from the reference with its interval, per pathway.

    ``diff`` is a :func:`twin.analysis.metrics.paired_difference` result for the whole place (a ``zone``
    dim is reduced to :data:`twin.analysis.metrics.PLACE`). The reference option is left out.
    """
    if "zone" in diff.dims:
        if PLACE not in diff["zone"].values:
            raise TwinError("select one zone before plotting", field="diff", value=diff.dims)
        diff = diff.sel(zone=PLACE)
    extra = [d for d in diff.dims if d not in ("option", "pathway")]
    if extra:
        raise TwinError("select one value of the extra dims before plotting", field="diff", value=extra)
    if "pathway" not in diff.dims:
        diff = diff.expand_dims(pathway=[""])
    ref = diff.attrs.get("reference_option", str(diff["option"].values[0]))
    options = [str(o) for o in diff["option"].values if str(o) != ref]
    pathways = [str(p) for p in diff["pathway"].values]
    ax = ax if ax is not None else _figure((7.0, 1.4 + 0.45 * max(1, len(options)) * len(pathways))).add_subplot()
    step = 0.7 / max(1, len(pathways))
    for j, pathway in enumerate(pathways):
        d = diff.sel(pathway=pathway)
        ys, xs, lo, hi = [], [], [], []
        for i, option in enumerate(options):
            s = d.sel(option=option)
            ys.append(i + (j - (len(pathways) - 1) / 2) * step)
            xs.append(float(s["difference"]))
            lo.append(float(s["difference"] - s["lower"]))
            hi.append(float(s["upper"] - s["difference"]))
        err = np.nan_to_num(np.array([lo, hi]), nan=0.0)
        ax.errorbar(xs, ys, xerr=err, fmt="o", color=f"C{j}", capsize=3, markersize=4, label=pathway or None)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(options)), options)
    ax.set_ylim(len(options) - 0.5, -0.5)
    units = diff["difference"].attrs.get("units", "")
    ax.set_xlabel(f"difference from {ref}" + (f" ({units})" if units else ""))
    level = diff.attrs.get("level", 0.95)
    ax.set_title(title or f"{diff.attrs.get('indicator', '')}: {level:.0%} {diff.attrs.get('method', '')} interval",
                 fontsize=9)
    if not options:
        ax.text(0.5, 0.5, "only the reference option", transform=ax.transAxes, ha="center")
    if len(pathways) > 1 or pathways[0]:
        ax.legend(title="pathway", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def _place_series(results: xr.Dataset, var: str) -> xr.DataArray:
    da = results[var]
    if var in count_variables(results):
        return da.sum("zone")
    if "residents" in results:  # a level: population-weighted mean over zones
        w = results["residents"].astype("float64")
        return (da * w).sum("zone") / w.sum()
    return da.mean("zone")


def daily_series(
    results: xr.Dataset,
    var: str = "hot_day_exposure",
    *,
    band: tuple[float, float] = (0.1, 0.9),
    fig: Figure | None = None,
) -> Figure:
    """Place-wide daily series: median across replicates and a quantile band, per option.

    One panel per pathway (shared y axis). Counts are summed over zones; levels (e.g.
    ``tasmax_mean``) are averaged with residents as weights.
    """
    import matplotlib.dates as mdates

    if var not in results or "time" not in results[var].dims:
        raise TwinError("not a daily variable", field=var)
    series = _place_series(results, var)
    q = series.quantile([band[0], 0.5, band[1]], dim="replicate")
    pathways = [str(p) for p in results["pathway"].values]
    fig = fig if fig is not None else _figure((4.6 * len(pathways) + 0.6, 3.6))
    axes = np.atleast_1d(fig.subplots(1, len(pathways), sharey=True, squeeze=False)[0])
    t = results["time"].values
    for ax, pathway in zip(axes, pathways, strict=True):
        for i, option in enumerate(results["option"].values):
            s = q.sel(pathway=pathway, option=option)
            ax.fill_between(t, s.isel(quantile=0), s.isel(quantile=2), color=f"C{i}", alpha=0.2, linewidth=0)
            ax.plot(t, s.isel(quantile=1), color=f"C{i}", linewidth=1.2, label=str(option),
                    linestyle=_LINESTYLES[i % len(_LINESTYLES)])  # identical options stay visible
        ax.set_title(pathway, fontsize=10)
        loc = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    da = results[var]
    axes[0].set_ylabel(f"{da.attrs.get('units', '')}")
    axes[-1].legend(fontsize=8, title=f"median, {band[0]:.0%}–{band[1]:.0%} band", title_fontsize=8)
    fig.suptitle(da.attrs.get("long_name", var), fontsize=10)
    return fig


def exposure_by_age(
    results: xr.Dataset,
    var: str = "hot_day_exposure_by_age",
    *,
    fig: Figure | None = None,
) -> Figure:
    """Bars of ``var`` per 1,000 residents by age band, one bar per option, one panel per pathway.

    Bar height is the mean across replicates; the whisker spans the 10–90 % replicate range.
    """
    rate = rate_per_1000(results, var, by="age_band").reset_coords(drop=True)
    mean = rate.mean("replicate")
    q = rate.quantile([0.1, 0.9], dim="replicate")
    pathways = [str(p) for p in results["pathway"].values]
    options = [str(o) for o in results["option"].values]
    bands = [str(b) for b in rate["age_band"].values]
    fig = fig if fig is not None else _figure((9.0, 2.2 + 2.4 * len(pathways)))
    axes = fig.subplots(len(pathways), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
    x = np.arange(len(bands))
    width = 0.8 / len(options)
    for ax, pathway in zip(axes, pathways, strict=True):
        for i, option in enumerate(options):
            sel = {"pathway": pathway, "option": option}
            m = mean.sel(sel).values
            err = np.abs(np.array([m - q.sel(sel).isel(quantile=0).values, q.sel(sel).isel(quantile=1).values - m]))
            ax.bar(x + (i - (len(options) - 1) / 2) * width, m, width, color=f"C{i}", label=option,
                   yerr=np.nan_to_num(err), error_kw={"linewidth": 0.7})
        ax.set_title(pathway, fontsize=10)
        ax.set_ylabel(rate.attrs["units"].replace(" per ", "\nper "), fontsize=8)
    axes[-1].set_xticks(x, bands, rotation=45, ha="right")
    axes[-1].set_xlabel("age band")
    axes[0].legend(fontsize=8, ncols=min(len(options), 4))
    fig.suptitle(rate.attrs["long_name"], fontsize=10)
    return fig


def _stem(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(p for p in parts if p))


#: Variables mapped per zone, first present wins (heat-health harm first, then exposure).
MAP_VARIABLES = ("expected_attributable_deaths", "hot_day_exposure_by_age", "hot_day_exposure")
#: Indicators the option comparison shows when a model reports many (headline outcomes first).
HEADLINE_INDICATORS = (
    "expected_attributable_deaths_per_1000", "expected_attributable_deaths_per_1000_75plus",
    "heat_illness_per_1000", "unmet_demand_per_1000", "protected_per_1000", "contacts_per_1000",
    "hot_day_exposure_per_1000", "hot_day_exposure_per_1000_75plus",
    "hot_night_exposure_per_1000", "hot_night_exposure_per_1000_75plus",
)


def _exposure_var(results: xr.Dataset) -> str | None:
    for var in MAP_VARIABLES:
        if var in results:
            return var
    return None


def _map_stem(var: str) -> str:
    base = var.removesuffix("_by_age")
    return "hot_day_per_1000" if base == "hot_day_exposure" else f"{base}_per_1000"


@register_plot("zone_maps")
def _zone_maps(results, zones):
    var = _exposure_var(results)
    if not zones or var is None:
        return
    rate = rate_per_1000(results, var, by="zone").reset_coords(drop=True)
    ref = reference_option(results)
    mean = rate.sel(option=ref).mean("replicate")
    vmax = float(mean.max())
    for pathway in mean["pathway"].values:
        ax = zone_map(zones, mean.sel(pathway=pathway), vmin=0.0, vmax=vmax, cmap="YlOrRd", units=rate.attrs["units"],
                      title=f"{ref}, {pathway}\n{rate.attrs['long_name']}")
        yield _stem("map", _map_stem(var), str(pathway)), ax.figure
    diff = paired_difference(rate, reference=ref)
    span = float(np.nanmax(np.abs(diff["difference"].values))) if diff["difference"].size else 1.0
    for option in diff["option"].values:
        if str(option) == ref:
            continue
        for pathway in diff["pathway"].values:
            d = diff.sel(option=option, pathway=pathway)
            clear = [str(z) for z in d["zone"].values if d["lower"].sel(zone=z) > 0 or d["upper"].sel(zone=z) < 0]
            ax = zone_map(zones, d["difference"], center=0.0, vmin=-span, vmax=span, cmap="RdBu_r",
                          units=rate.attrs["units"], highlight=clear,
                          title=f"{option} − {ref}, {pathway}\n(outlined: {diff.attrs['level']:.0%} paired interval "
                                "excludes 0)")
            yield _stem("map", _map_stem(var) + "_difference", str(option), str(pathway)), ax.figure


@register_plot("option_comparison")
def _option_comparison(results, zones):
    ind = results.twin.indicators()
    names = [n for n, da in ind.data_vars.items() if set(da.dims) <= {"option", "pathway", "replicate", "zone"}]
    if len(names) > 6:
        headline = [n for n in HEADLINE_INDICATORS if n in names]
        names = headline or names[:6]
    if not names:
        return
    n_opt = results.sizes["option"]
    fig = _figure((7.0, sum(1.4 + 0.45 * max(1, n_opt - 1) * results.sizes["pathway"] for _ in names)))
    for ax, name in zip(fig.subplots(len(names), 1, squeeze=False)[:, 0], names, strict=True):
        option_comparison(paired_difference(ind[name].sel(zone=PLACE)), ax=ax)
    yield "option_comparison", fig


@register_plot("daily_series")
def _daily_series(results, zones):
    for var in count_variables(results):
        if "time" in results[var].dims and set(results[var].dims) <= {"option", "pathway", "replicate", "time", "zone"}:
            yield _stem("daily", var), daily_series(results, var)


@register_plot("exposure_by_age")
def _exposure_by_age(results, zones):
    for var in count_variables(results):
        if set(results[var].dims) == {"option", "pathway", "replicate", "zone", "age_band"}:
            yield _stem("by_age", var.removesuffix("_by_age")), exposure_by_age(results, var)


def _save(fig: Figure, path: Path, dpi: int) -> None:
    from twin.run.writer import atomic_write

    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None}))


def plot_all(
    results: xr.Dataset,
    zones: Sequence[Any] | None,
    out_dir: str | os.PathLike[str],
    *,
    names: Sequence[str] | None = None,
    dpi: int = DPI,
) -> list[Path]:
    """Write every registered plot (or those in ``names``) as PNGs in ``out_dir``.

    File names are stable (``map_hot_day_per_1000_<pathway>.png``,
    ``map_hot_day_per_1000_difference_<option>_<pathway>.png``, ``option_comparison.png``,
    ``daily_<var>.png``, ``by_age_<var>.png``); plots whose data are absent (e.g. zone maps
    without ``zones``) are skipped. Returns the paths written, in registry order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    unknown = [n for n in (names or ()) if n not in PLOTS]
    if unknown:
        raise TwinError("unknown plot", field="names", value=unknown, hint=f"plots: {', '.join(PLOTS)}")
    written: list[Path] = []
    for name in names or list(PLOTS):
        for stem, fig in _iter(PLOTS[name](results, zones)):
            path = out / f"{stem}.png"
            _save(fig, path, dpi)
            written.append(path)
    return written


def _iter(gen: Iterable[tuple[str, Figure]] | None) -> Iterator[tuple[str, Figure]]:
    yield from gen or ()


from twin.plot import heat as _plots_heat  # noqa: E402,F401  (registers the heat-health plots)
from twin.plot import flood as _plots_flood  # noqa: E402,F401  (registers the flood plots)
