"""Map views: zones coloured by an indicator, services by type, and one zone's detail.

Rates are per 1,000 or per 100,000 residents, crude or directly age-standardised. The
standard population of the direct standardisation is the place's own residents by age band
(``residents_by_age`` summed over zones), so a standardised zone rate is the rate the zone
would have with the place's age structure: zones with more older residents stop standing out
only for their age. Pure functions of a results Dataset; nothing runs a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from twin.errors import TwinError

__all__ = ["SERVICE_MARKERS", "MapImage", "age_source", "map_figure", "map_variables", "zone_at", "zone_detail_figure",
           "zone_detail_table", "zone_rates"]

#: Marker and colour of each service type on the map.
SERVICE_MARKERS = {
    "gp_practice": ("P", "#1f78b4"), "community_hub": ("h", "#33a02c"), "library": ("s", "#6a3d9a"),
    "cooling_centre": ("*", "#00bcd4"), "home_visit_team": ("^", "#e31a1c"), "contact_centre": ("D", "#ff7f00"),
    "school": ("o", "#b15928"), "alert_channel": ("v", "#777777"), "care_home": ("X", "#a6cee3"),
}
_RUN = ("option", "pathway", "replicate")


def map_variables(ds: xr.Dataset) -> dict[str, str]:
    """Mappable count variables (base name -> human label), harm first."""
    from twin.analysis.metrics import count_variables

    out: dict[str, str] = {}
    for v in count_variables(ds):
        base = v.removesuffix("_by_age")
        if base not in out and "zone" in ds[v].dims:
            out[base] = str(ds[v].attrs.get("long_name", base)).removesuffix(", over the period")
    order = ("expected_attributable_deaths", "heat_illness", "unmet_demand", "hot_day_exposure")
    return {k: out[k] for k in sorted(out, key=lambda k: (order.index(k) if k in order else len(order), k))}


def age_source(ds: xr.Dataset, var: str) -> str | None:
    """The variable holding ``var`` by age band (``var_by_age``, or ``var`` itself), or None."""
    for name in (f"{var}_by_age", var):
        if name in ds and "age_band" in ds[name].dims:
            return name
    return None


def zone_rates(ds: xr.Dataset, var: str, *, per: int = 1000, standardised: bool = False) -> xr.DataArray:
    """Period total of ``var`` per ``per`` residents by zone, for every run (option × pathway × replicate × zone)."""
    from twin.analysis.metrics import rate_per_1000

    by_age = age_source(ds, var)
    if standardised:
        if by_age is None:
            raise TwinError("cannot be age-standardised: no breakdown by age band", field="variable", value=var)
        rate = rate_per_1000(ds, by_age, by=("zone", "age_band"))
        rate = rate.sum([d for d in rate.dims if d not in _RUN + ("zone", "age_band")], keep_attrs=True)
        pop = ds["residents_by_age"].astype(float).sum("zone")
        weight = pop / pop.sum()
        out = (rate.fillna(0.0) * weight).sum("age_band")
        what = "age-standardised (place age structure)"
    else:
        rate = rate_per_1000(ds, by_age or var, by=("zone",))
        out = rate.sum([d for d in rate.dims if d not in _RUN + ("zone",)], keep_attrs=True)
        what = "crude"
    out = (out * (per / 1000.0)).reset_coords(drop=True)
    src = ds[by_age or var]
    label = str(src.attrs.get("long_name", var)).removesuffix(", over the period")
    units = str(src.attrs.get("units", "1"))
    out.attrs = {"units": f"{units} per {per:,} residents", "long_name": f"{label}, per {per:,} residents ({what})"}
    return out.transpose(*_RUN, "zone")


@dataclass
class MapImage:
    """A drawn map and what is needed to turn a click (pixels from the image's top left) into a zone."""

    figure: Any
    width: int
    height: int
    inverse: Any  # display -> data transform of the map axes, frozen at draw time
    zones: Any

    def png(self, dpi: int = 100) -> bytes:
        import io

        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()


def map_figure(ds: xr.Dataset, zones: Any, var: str, option: str, pathway: str, *, per: int = 1000,
               standardised: bool = False, difference: bool = False, services: Any = (), selected: str | None = None,
               level: float = 0.95) -> MapImage:
    """Zones coloured by ``var`` for ``option`` under ``pathway`` (replicate mean), or its paired difference
    from the reference option (outlined where the interval excludes zero); services drawn by type."""
    from matplotlib.figure import Figure

    from twin.analysis.metrics import paired_difference
    from twin.plot.core import zone_map

    rate = zone_rates(ds, var, per=per, standardised=standardised)
    ref = str(ds.attrs.get("reference_option") or ds["option"].values[0])
    fig = Figure(figsize=(7.2, 5.6), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    units = rate.attrs["units"]
    if difference and option != ref:
        d = paired_difference(rate.assign_attrs(reference_option=ref), reference=ref, level=level)
        d = d.sel(option=option, pathway=pathway)
        clear = [str(z) for z in d["zone"].values if d["lower"].sel(zone=z) > 0 or d["upper"].sel(zone=z) < 0]
        zone_map(zones, d["difference"], ax=ax, center=0.0, cmap="RdBu_r", units=units, highlight=clear,
                 title=f"{option} − {ref}, {pathway}\n{rate.attrs['long_name']} (outlined: {level:.0%} interval excludes 0)")
    else:
        mean = rate.sel(option=option, pathway=pathway).mean("replicate")
        zone_map(zones, mean, ax=ax, cmap="YlOrRd", vmin=0.0, units=units,
                 title=f"{option}, {pathway}\n{rate.attrs['long_name']}")
    _draw_services(ax, services)
    if selected is not None:
        _outline(ax, zones, selected)
    fig.canvas.draw()  # fixes the layout, so the transform below maps pixels of the PNG
    w, h = fig.canvas.get_width_height()
    return MapImage(fig, w, h, ax.transData.inverted().frozen(), zones)


def _draw_services(ax: Any, services: Any) -> None:
    shown = {}
    for s in services:
        if s.type == "alert_channel" or s.type == "contact_centre":
            continue  # not a place people go
        marker, colour = SERVICE_MARKERS.get(s.type, ("o", "black"))
        h = ax.scatter([s.x], [s.y], marker=marker, s=42, color=colour, edgecolor="black", linewidth=0.5, zorder=5)
        shown.setdefault(s.type.replace("_", " "), h)
    if shown:
        ax.legend(shown.values(), shown.keys(), fontsize=7, loc="lower right", title="services", title_fontsize=7,
                  framealpha=0.85)


def _outline(ax: Any, zones: Any, code: str) -> None:
    from matplotlib.patches import PathPatch

    from twin.plot.core import _geometry_path

    for z in zones:
        if str(z.code) == code:
            ax.add_patch(PathPatch(_geometry_path(z.geometry, code), facecolor="none", edgecolor="#00e5ff",
                                   linewidth=2.5, zorder=6))


def zone_at(image: MapImage, x: float, y: float) -> str | None:
    """The code of the zone under pixel (``x``, ``y``) of the map's PNG (origin top left), or None."""
    import shapely

    px, py = image.inverse.transform((x, image.height - y))
    point = shapely.Point(px, py)
    for z in image.zones:
        if z.geometry.covers(point):
            return str(z.code)
    return None


def zone_detail_table(ds: xr.Dataset, zone: str, option: str, pathway: str) -> pd.DataFrame:
    """One zone, one run setting: residents, contacts and unmet demand by channel (period totals, replicate mean)."""
    rows = [{"measure": "residents", "value": int(ds["residents"].sel(zone=zone))}]
    for var in ("contacts_by_age", "unmet_demand_by_age", "exposed_by_age"):
        if var not in ds or "channel" not in ds[var].dims:
            continue
        v = ds[var].sel(zone=zone, option=option, pathway=pathway).mean("replicate").sum("age_band")
        for ch in v["channel"].values:
            rows.append({"measure": f"{var.removesuffix('_by_age').replace('_', ' ')}, {str(ch).replace('_', ' ')}",
                         "value": round(float(v.sel(channel=ch)), 1)})
    meta = {c: ds[c].sel(zone=zone).item() for c in ("zone_name", "urban_rural", "deprivation_decile") if c in ds.coords}
    rows[:0] = [{"measure": k.replace("_", " "), "value": v} for k, v in meta.items()]
    return pd.DataFrame(rows).astype({"value": str})


def zone_detail_figure(ds: xr.Dataset, zone: str, option: str, pathway: str) -> Any:
    """Age structure of the zone against the place's, and its contacts and unmet demand by channel."""
    from matplotlib.figure import Figure

    if zone not in [str(z) for z in ds["zone"].values]:
        raise TwinError("no such zone in these results", field="zone", value=zone)
    fig = Figure(figsize=(7.2, 3.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=(1.4, 1))
    pop = ds["residents_by_age"].astype(float)
    share = pop.sel(zone=zone) / pop.sel(zone=zone).sum() * 100
    place = pop.sum("zone") / pop.sum() * 100
    bands = [str(b) for b in ds["age_band"].values]
    y = np.arange(len(bands))
    ax1.barh(y, share.values, color="C0", label=zone)
    ax1.step(place.values, y, where="mid", color="black", linewidth=1, label="whole place")
    ax1.set_yticks(y, bands, fontsize=6)
    ax1.set_xlabel("% of residents")
    ax1.set_title(f"{zone}: age structure", fontsize=9)
    ax1.legend(fontsize=7)
    parts = [v for v in ("contacts_by_age", "unmet_demand_by_age") if v in ds and "channel" in ds[v].dims]
    if parts:
        chans = [str(c) for c in ds[parts[0]]["channel"].values]
        x = np.arange(len(chans))
        for i, var in enumerate(parts):
            v = ds[var].sel(zone=zone, option=option, pathway=pathway).mean("replicate").sum("age_band")
            per = 1000.0 * v.values / max(float(pop.sel(zone=zone).sum()), 1.0)
            ax2.bar(x + (i - 0.5) * 0.4, per, 0.4, label=var.removesuffix("_by_age").replace("_", " "), color=f"C{i + 1}")
        ax2.set_xticks(x, [c.replace("_", " ") for c in chans], fontsize=7)
        ax2.set_ylabel("per 1,000 residents", fontsize=7)
        ax2.legend(fontsize=7)
    ax2.set_title(f"{option}, {pathway}: by channel", fontsize=9)
    return fig
