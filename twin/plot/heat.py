"""Heat-health plots: contacts and unmet demand by channel and age band.

Registers ``channels_by_age`` with :func:`twin.plot.core.register_plot`, so
:func:`twin.plot.core.plot_all` draws it whenever the results hold ``contacts_by_age`` and
``unmet_demand_by_age`` (dims ``zone × age_band × channel``, from the ``heat_health``
model). Importing this module is what registers it (``twin.plot.core`` imports it at its end).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from twin.plot.core import _figure, _stem, register_plot
from twin.analysis.stats import reference_option

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["CHANNEL_COLOURS", "channels_by_age"]

#: Colour of each channel in the stacked bars.
CHANNEL_COLOURS = {"face_to_face": "#1b9e77", "phone": "#d95f02", "digital": "#7570b3"}
_VARS = ("contacts_by_age", "unmet_demand_by_age")


def channels_by_age(results: xr.Dataset, option: str | None = None, *, variables: tuple[str, ...] = _VARS,
                    fig: Figure | None = None) -> Figure:
    """Stacked bars of contacts and unmet demand per age band, split by channel.

    One row per variable, one column per pathway; bars are the whole place's period total,
    the mean across replicates, stacked by channel (the channel of the contact for contacts,
    of the request for unmet demand).

    Parameters
    ----------
    results
        Results with ``variables`` of dims ``option × pathway × replicate × zone × age_band × channel``.
    option
        Option to draw (default: the reference option).
    """
    option = option or reference_option(results)
    pathways = [str(p) for p in results["pathway"].values]
    fig = fig if fig is not None else _figure((4.4 * len(pathways) + 0.8, 2.4 + 2.3 * len(variables)))
    axes = fig.subplots(len(variables), len(pathways), sharex=True, squeeze=False)
    bands = [str(b) for b in results["age_band"].values]
    x = np.arange(len(bands))
    for row, var in zip(axes, variables, strict=True):
        da = results[var].sel(option=option).sum("zone").mean("replicate")
        for ax, pathway in zip(row, pathways, strict=True):
            bottom = np.zeros(len(bands))
            for k, ch in enumerate(_channel_labels(da)):
                v = da.sel(pathway=pathway).isel(channel=k).values.astype(float)
                ax.bar(x, v, 0.8, bottom=bottom, color=CHANNEL_COLOURS.get(ch), label=ch.replace("_", " "))
                bottom += v
            ax.set_title(f"{pathway}: {var.removesuffix('_by_age').replace('_', ' ')}", fontsize=9)
            ax.set_ylabel(results[var].attrs.get("units", ""), fontsize=8)
    for ax in axes[-1]:
        ax.set_xticks(x, bands, rotation=45, ha="right", fontsize=7)
        ax.set_xlabel("age band")
    axes[0][-1].legend(fontsize=7, title="channel", title_fontsize=7)
    fig.suptitle(f"{option}: contacts and unmet demand by channel and age band (period total, mean of replicates)",
                 fontsize=10)
    return fig


def _channel_labels(da: xr.DataArray) -> list[str]:
    # results.nc written by a runner that does not carry the channel coordinate: CHANNELS order
    if "channel" in da.coords:
        return [str(c) for c in da["channel"].values]
    from twin._names import CHANNELS

    return list(CHANNELS)[: da.sizes["channel"]]


@register_plot("channels_by_age")
def _channels_by_age(results, zones):
    if not all(v in results and set(results[v].dims) >= {"zone", "age_band", "channel"} for v in _VARS):
        return
    for option in results["option"].values:
        yield _stem("channels_by_age", str(option)), channels_by_age(results, str(option))
