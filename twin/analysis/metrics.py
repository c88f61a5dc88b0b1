"""Indicators over a results Dataset: rates per 1,000 residents, option differences, summaries.

Every function here is a pure function of an :class:`xarray.Dataset` laid out as the runner
writes ``results.nc`` (dims ``option × pathway × replicate × time × zone`` for daily series and
``option × pathway × replicate × zone × age_band`` for period totals; ``residents(zone)`` and
``residents_by_age(zone, age_band)`` as denominators). Nothing reads or writes files except
:func:`write_indicators_csv`.

Option differences are *paired*: replicate ``r`` of every option shares its weather and its
random draws (common random numbers), so the per-replicate difference removes most of the
replicate-to-replicate noise. :func:`unpaired_difference` gives the Welch interval that ignores
the pairing, so a user can see what pairing buys.

Importing this module registers the ``.twin`` Dataset accessor (``results.twin.summary()``).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from twin.errors import TwinError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import rich.table

__all__ = [
    "OLDER_BANDS",
    "PLACE",
    "TwinAccessor",
    "count_variables",
    "mean_interval",
    "format_summary",
    "indicators",
    "paired_difference",
    "rate_per_1000",
    "summary_table",
    "tidy_indicators",
    "unpaired_difference",
    "write_indicators_csv",
]

#: Label of the whole place on the ``zone`` dimension of :func:`indicators` (and in the CSV).
PLACE = "ALL"
#: Age bands summed for the "aged 75+" indicators.
OLDER_BANDS = ("75-79", "80-84", "85+")

_RUN_DIMS = ("option", "pathway", "replicate")
_POP_DIMS = ("zone", "age_band")
# Units of quantities that are levels, not counts: they are averaged, never summed per 1,000.
_INTENSIVE_UNITS = {"degC", "K", "degF", "1", "%", "percent", "m", "mm", "mm day-1"}
_INTENSIVE_SUFFIXES = ("_mean", "_max", "_min", "_fraction", "_rate", "_share")


def _get(ds: xr.Dataset, var: str) -> xr.DataArray:
    if var not in ds.data_vars:
        raise TwinError(
            "no such variable in results", field=var,
            hint=f"available: {', '.join(sorted(map(str, ds.data_vars)))}",
        )
    return ds[var]


def _is_count(name: str, da: xr.DataArray) -> bool:
    """True when ``da`` holds counts (person-days, deaths, contacts) that add up over zones."""
    from twin._cf import is_count

    said = is_count(da.attrs)  # CF-finalised files: counts carry ``count_unit``, money ``currency``
    if said is not None:
        return said and not name.endswith(_INTENSIVE_SUFFIXES)
    if da.attrs.get("units", "") in _INTENSIVE_UNITS or name.endswith(_INTENSIVE_SUFFIXES):
        return False
    methods = str(da.attrs.get("cell_methods", ""))
    return not any(m in methods for m in ("mean", "maximum", "minimum"))


def count_variables(results: xr.Dataset) -> list[str]:
    """Names of per-run count variables: daily ``(…, time, zone)`` or period ``(…, zone, age_band)``.

    A variable counts when it has the run dims, a ``zone`` dim and a ``time`` or ``age_band`` dim,
    and is not a level (units such as ``degC`` or ``1``, names ending ``_mean``/``_max``/``_fraction``,
    or a ``cell_methods`` of mean/maximum/minimum).
    """
    out = []
    for name, da in results.data_vars.items():
        dims = set(da.dims)
        if set(_RUN_DIMS) <= dims and "zone" in dims and dims & {"time", "age_band"}:
            if _is_count(str(name), da):
                out.append(str(name))
    return out


def rate_per_1000(
    results: xr.Dataset,
    var: str = "hot_day_exposure_by_age",
    by: str | Sequence[str] = ("zone", "age_band"),
    *,
    age_bands: Sequence[str] | None = None,
) -> xr.DataArray:
    """Period total of a count variable per 1,000 residents.

    Parameters
    ----------
    results
        Results Dataset with ``residents(zone)`` and, for ``*_by_age`` variables,
        ``residents_by_age(zone, age_band)``.
    var
        A count variable: daily ``(…, time, zone)`` (summed over time) or a period total
        ``(…, zone, age_band)``.
    by
        Population dims to keep: any of ``"zone"`` and ``"age_band"``; ``()`` for the whole place.
        Numerator and denominator are summed over the population dims not kept.
    age_bands
        Restrict numerator and denominator to these age bands (e.g. :data:`OLDER_BANDS`).

    Returns
    -------
    xarray.DataArray
        ``1000 × total / residents`` with the run dims, the dims in ``by`` and any other dims of
        ``var`` (e.g. ``channel``). NaN where the denominator is zero.
    """
    da = _get(results, var)
    by = (by,) if isinstance(by, str) else tuple(by)
    unknown = [d for d in by if d not in _POP_DIMS]
    if unknown:
        raise TwinError("can only keep 'zone' and/or 'age_band'", field="by", value=by)
    if "age_band" in da.dims:
        pop_name = "residents_by_age"
    elif "age_band" in by or age_bands is not None:
        raise TwinError("has no age_band dimension; use a *_by_age variable", field=var, value=da.dims)
    else:
        pop_name = "residents"
    if "zone" in by and "zone" not in da.dims:
        raise TwinError("has no zone dimension", field=var, value=da.dims)
    pop = _get(results, pop_name).astype("float64")
    total = da.astype("float64")
    if "time" in total.dims:
        total = total.sum("time", skipna=False)
    if age_bands is not None:
        missing = [b for b in age_bands if b not in list(pop["age_band"].values)]
        if missing:
            raise TwinError("unknown age band", field="age_bands", value=missing)
        total = total.sel(age_band=list(age_bands))
        pop = pop.sel(age_band=list(age_bands))
    drop = [d for d in _POP_DIMS if d in total.dims and d not in by]
    num = total.sum(drop, skipna=False)
    den = pop.sum([d for d in drop if d in pop.dims])
    rate = 1000.0 * num / den.where(den > 0)
    who = "residents" if age_bands is None else f"residents aged {_band_label(age_bands)}"
    what = str(da.attrs.get("long_name", var))
    if "age_band" not in by:
        what = what.replace(" by age band", "")
    from twin._cf import display_units

    rate.attrs = {
        "units": f"{display_units(da.attrs) or '1'} per 1000 residents",
        "long_name": f"{what} per 1,000 {who}",
        "source_variable": var,
    }
    return rate.rename(f"{_base(var)}_per_1000")


def _base(var: str) -> str:
    return var.removesuffix("_by_age")


def _band_label(bands: Sequence[str]) -> str:
    if tuple(bands) == OLDER_BANDS:
        return "75+"
    return ", ".join(bands)


def _with_place(place: xr.DataArray, per_zone: xr.DataArray) -> xr.DataArray:
    """Concatenate the whole-place value (as zone ``PLACE``) before the per-zone values."""
    aux = {c: per_zone[c] for c in per_zone.coords if c != "zone" and per_zone[c].dims == ("zone",)}
    out = xr.concat(
        [place.expand_dims(zone=[PLACE]), per_zone.drop_vars(list(aux))], dim="zone",
        coords="minimal", compat="override", join="outer",
    ).transpose(*per_zone.dims)
    for c, v in aux.items():
        fill = "all" if v.dtype.kind in "OUS" else (0 if v.dtype.kind in "iu" else np.nan)
        out = out.assign_coords({c: ("zone", np.concatenate([[fill], v.values]).astype(v.dtype))})
    out.attrs = per_zone.attrs
    return out


def indicators(results: xr.Dataset, variables: Sequence[str] | None = None) -> xr.Dataset:
    """Exposure-style indicators per 1,000 residents for every run, and death rates per 100,000 a year.

    Deaths with an age breakdown also get ``X_per_100k_year_crude`` and
    ``X_per_100k_year_esp2013`` (:mod:`twin.analysis.rates`) when ``variables`` is not given.

    For each count variable ``X`` (or ``X_by_age``, preferred when both exist) the Dataset holds
    ``X_per_1000`` and, from ``X_by_age``, ``X_per_1000_75plus`` (per 1,000 residents aged 75+).
    When the variable has a further breakdown of the same residents (e.g. a ``channel`` dim),
    ``X_per_1000`` is the total over it and ``X_per_1000_by_channel`` keeps the split.

    Parameters
    ----------
    results
        Results Dataset (see module docstring).
    variables
        Count variables to use; default :func:`count_variables`.

    Returns
    -------
    xarray.Dataset
        Dims ``option × pathway × replicate × zone`` (plus any extra dims such as ``channel``).
        The first entry of ``zone`` is :data:`PLACE` (``"ALL"``), the whole place; zone
        coordinates such as ``deprivation_decile`` are carried, with ``"all"``/``0`` for it.
    """
    names = count_variables(results) if variables is None else list(variables)
    chosen: dict[str, str] = {}
    for name in sorted(names, key=lambda n: not n.endswith("_by_age")):
        chosen.setdefault(_base(name), name)
    ref = _reference(results)
    out = {}
    for base, var in chosen.items():
        bands = [None] + ([OLDER_BANDS] if "age_band" in results[var].dims else [])
        for age in bands:
            kw = {} if age is None else {"age_bands": age}
            per_zone = rate_per_1000(results, var, by=("zone",), **kw)
            place = rate_per_1000(results, var, by=(), **kw)
            da = _with_place(place, per_zone)
            da.attrs["reference_option"] = ref
            name = f"{base}_per_1000" + ("" if age is None else "_75plus")
            extra = [d for d in da.dims if d not in ("option", "pathway", "replicate", "zone")]
            if extra:
                # a breakdown (e.g. by preferred channel) of the same residents: the total is the sum,
                # and the split is kept beside it
                total = da.sum(extra, keep_attrs=True)
                out[name] = total
                out[f"{name}_by_{'_'.join(extra)}"] = da
            else:
                out[name] = da
    # deaths also as crude and ESP-2013 age-standardised rates per 100,000 a year (twin/analysis/rates.py)
    from twin.analysis.rates import death_rates

    if variables is None:
        for name, da in death_rates(results).data_vars.items():
            da.attrs["reference_option"] = ref
            out[name] = da
    attrs = {k: v for k, v in results.attrs.items() if k in {"place", "scenario_name", "scenario_sha256", "seed"}}
    attrs["reference_option"] = ref
    return xr.Dataset(out, attrs=attrs)


def _reference(obj: xr.Dataset | xr.DataArray, reference: str | None = None) -> str:
    from twin.analysis.stats import reference_option

    return reference_option(obj, reference)


def _difference(ind: xr.DataArray, reference: str | None, level: float, paired: bool) -> xr.Dataset:
    from twin.analysis.stats import t_halfwidth, welch_halfwidth

    for d in ("option", "replicate"):
        if d not in ind.dims:
            raise TwinError("indicator needs option and replicate dims", field=str(ind.name), value=ind.dims)
    if not 0 < level < 1:
        raise TwinError("must be between 0 and 1", field="level", value=level)
    ref = _reference(ind, reference)
    x = ind.astype("float64").reset_coords(drop=True)
    n = x.sizes["replicate"]
    refx = x.sel(option=ref, drop=True)
    diff = (x - refx).mean("replicate", skipna=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        if n < 2:
            se = xr.full_like(diff, np.nan)
            half = se
        elif paired:
            se = (x - refx).std("replicate", ddof=1, skipna=False) / np.sqrt(n)
            half = t_halfwidth(x - refx, "replicate", level)
        else:  # Welch: two independent samples of n replicates each
            se, half = welch_halfwidth(x, refx, "replicate", level)
        ref_mean = refx.mean("replicate", skipna=False)
        pct = 100.0 * diff / ref_mean.where(ref_mean != 0)
    units = ind.attrs.get("units", "1")
    long = ind.attrs.get("long_name", str(ind.name))
    out = xr.Dataset(
        {
            "difference": diff.assign_attrs(units=units, long_name=f"mean difference from {ref}: {long}"),
            "lower": (diff - half).assign_attrs(units=units, long_name=f"lower {level:.0%} bound of the difference"),
            "upper": (diff + half).assign_attrs(units=units, long_name=f"upper {level:.0%} bound of the difference"),
            "std_error": se.assign_attrs(units=units, long_name="standard error of the difference"),
            "option_mean": x.mean("replicate", skipna=False).assign_attrs(units=units, long_name=f"mean across replicates: {long}"),
            "reference_mean": ref_mean.assign_attrs(units=units, long_name=f"mean across replicates under {ref}"),
            "percent_change": pct.assign_attrs(units="%", long_name=f"difference as a percentage of {ref}"),
        },
        attrs={
            "indicator": str(ind.name),
            "reference_option": ref,
            "level": level,
            "n_replicates": n,
            "method": "paired t (common random numbers)" if paired else "Welch t (unpaired)",
        },
    )
    if n < 2:
        out.attrs["note"] = "interval undefined with 1 replicate; run more replicates for an interval"
    return out


def paired_difference(ind: xr.DataArray, reference: str | None = None, level: float = 0.95) -> xr.Dataset:
    """Difference of each option from the reference, with a paired t interval.

    Replicate ``r`` of every option shares its weather and random draws, so the per-replicate
    differences ``d_r = x[option, r] - x[reference, r]`` are analysed directly:
    ``mean(d) ± t_{n-1, (1+level)/2} · sd(d) / sqrt(n)``.

    Parameters
    ----------
    ind
        Indicator with ``option`` and ``replicate`` dims (any others, e.g. ``pathway`` and
        ``zone``, are kept).
    reference
        Reference option; default ``ind.attrs["reference_option"]`` or the first option.
    level
        Confidence level of the interval.

    Returns
    -------
    xarray.Dataset
        ``difference``, ``lower``, ``upper``, ``std_error``, ``option_mean``, ``reference_mean``
        and ``percent_change`` over ``option`` (the reference included, with zero difference)
        and the other dims of ``ind``. With one replicate the bounds are NaN and
        ``attrs["note"]`` says why.
    """
    return _difference(ind, reference, level, paired=True)


def unpaired_difference(ind: xr.DataArray, reference: str | None = None, level: float = 0.95) -> xr.Dataset:
    """As :func:`paired_difference`, but with a Welch interval that ignores the pairing.

    Shown for comparison: with common random numbers it is usually much wider than the paired
    interval, because it counts the weather shared by both options as noise.
    """
    return _difference(ind, reference, level, paired=False)


def _extra_labels(da: xr.DataArray | xr.Dataset, keep: Sequence[str]) -> Iterator[tuple[str, dict]]:
    """Yield (suffix, selection) for every combination of dims not in ``keep``."""
    extra = [d for d in da.dims if d not in keep]
    for combo in itertools.product(*(list(da[d].values) for d in extra)):
        sel = dict(zip(extra, combo, strict=True))
        yield "".join(f"[{d}={v}]" for d, v in sel.items()), sel


def summary_table(results: xr.Dataset, level: float = 0.95, *, ind: xr.Dataset | None = None) -> pd.DataFrame:
    """One row per indicator × pathway × option for the whole place.

    Columns: ``indicator, pathway, option, units, n_replicates, mean, lower, upper`` (mean across
    replicates and its t interval), ``difference, difference_lower, difference_upper`` (paired,
    from the reference option) and ``percent_change``. ``df.attrs`` holds the reference option
    and the level.
    """
    import pandas as pd

    ind = results.twin.indicators() if ind is None else ind
    rows = []
    for name, da in ind.data_vars.items():
        whole = da.sel(zone=PLACE, drop=True) if "zone" in da.dims else da
        diff = paired_difference(whole, level=level)
        n = whole.sizes["replicate"]
        mean = whole.mean("replicate", skipna=False)
        low, high = mean_interval(whole, level)
        for suffix, sel in _extra_labels(mean, ("option", "pathway")):
            m, lo_, hi_, dsel = mean.sel(sel), low.sel(sel), high.sel(sel), diff.sel(sel)
            for pathway, option in itertools.product(mean["pathway"].values, mean["option"].values):
                at = {"pathway": pathway, "option": option}
                rows.append({
                    "indicator": f"{name}{suffix}", "pathway": str(pathway), "option": str(option),
                    "units": da.attrs.get("units", ""), "n_replicates": n,
                    "mean": float(m.sel(at)), "lower": float(lo_.sel(at)), "upper": float(hi_.sel(at)),
                    "difference": float(dsel["difference"].sel(at)),
                    "difference_lower": float(dsel["lower"].sel(at)),
                    "difference_upper": float(dsel["upper"].sel(at)),
                    "percent_change": float(dsel["percent_change"].sel(at)),
                })
    cols = ["indicator", "pathway", "option", "units", "n_replicates", "mean", "lower", "upper", "difference",
            "difference_lower", "difference_upper", "percent_change"]
    df = pd.DataFrame(rows, columns=cols)  # a model without count variables has no rows, not an error
    ref = ind.attrs.get("reference_option") or (_reference(ind) if "option" in ind.coords else "")
    df.attrs = {"reference_option": ref, "level": level, "interval_method": INTERVAL_METHOD}
    return df


#: How :func:`summary_table` brackets a mean across replicates.
INTERVAL_METHOD = ("means: percentile bootstrap of the mean across replicates (2,000 resamples, fixed seed), "
                   "so the interval of a quantity that cannot be negative stays non-negative; "
                   "differences: paired t interval")


def mean_interval(da: xr.DataArray, level: float = 0.95, *, resamples: int = 2000, seed: int = 0
                  ) -> tuple[xr.DataArray, xr.DataArray]:
    """Percentile-bootstrap interval of the mean over ``replicate`` (NaN bounds with one replicate).

    The bootstrap means are means of the replicates themselves, so the bounds stay within their range:
    a count or rate that is never negative never gets a negative lower bound (a t interval on 5 skewed
    replicates does). Deterministic: the resampling uses a fixed seed.
    """
    n = da.sizes["replicate"]
    if n < 2:
        nan = da.mean("replicate", skipna=False) * np.nan
        return nan, nan
    idx = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    x = da.transpose(..., "replicate").values.astype("float64")
    boot = x[..., idx].mean(axis=-1)  # (..., resamples)
    tail = (1 - level) / 2
    lo, hi = np.quantile(boot, [tail, 1 - tail], axis=-1)
    template = da.isel(replicate=0, drop=True).astype("float64")
    return template.copy(data=lo), template.copy(data=hi)


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "–"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}" if abs(v) >= 1 else f"{v:.2f}"


def format_summary(df: pd.DataFrame, title: str | None = None) -> rich.table.Table:
    """A :class:`rich.table.Table` of :func:`summary_table` for ``twin show``."""
    from rich.markup import escape
    from rich.table import Table

    ref = df.attrs.get("reference_option", "reference")
    level = df.attrs.get("level", 0.95)
    table = Table(title=title or f"Indicators: mean and {level:.0%} interval across replicates; "
                  f"differences from {ref} paired by replicate", title_justify="left")
    one_unit = df["units"].nunique() == 1
    if one_unit:
        table.caption = f"units: {escape(str(df['units'].iloc[0]))}"
    table.add_column("indicator" if one_unit else "indicator (units)", overflow="fold")
    table.add_column("pathway", no_wrap=True)
    table.add_column("option", overflow="fold")
    table.add_column("mean\n\\[interval]", justify="right", no_wrap=True)
    table.add_column("difference\n\\[paired interval]", justify="right", no_wrap=True)
    table.add_column("change", justify="right", no_wrap=True)
    previous = None
    for r in df.itertuples(index=False):
        is_ref = r.option == ref
        units = "" if one_unit else f"\n[dim]({escape(r.units)})[/dim]"
        label = "" if r.indicator == previous else escape(r.indicator) + units
        previous = r.indicator
        table.add_row(
            label, escape(r.pathway), escape(r.option),
            f"{_fmt(r.mean)}\n[{_fmt(r.lower)}, {_fmt(r.upper)}]",
            "reference" if is_ref else f"{_fmt(r.difference)}\n[{_fmt(r.difference_lower)}, {_fmt(r.difference_upper)}]",
            "" if is_ref or not np.isfinite(r.percent_change) else f"{r.percent_change:+.1f} %",
            end_section=False,
        )
    return table


def tidy_indicators(ind: xr.Dataset) -> pd.DataFrame:
    """Long table: ``option, pathway, replicate, zone, indicator, value, units``."""
    import pandas as pd

    frames = []
    for name, da in ind.data_vars.items():
        da = da.reset_coords(drop=True)
        for suffix, sel in _extra_labels(da, (*_RUN_DIMS, "zone")):
            sub = da.sel(sel, drop=True)
            if "zone" not in sub.dims:
                sub = sub.expand_dims(zone=[PLACE])
            f = sub.transpose(*_RUN_DIMS, "zone").to_dataframe(name="value").reset_index()
            f["indicator"] = f"{name}{suffix}"
            f["units"] = da.attrs.get("units", "")
            frames.append(f)
    cols = ["option", "pathway", "replicate", "zone", "indicator", "value", "units"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def write_indicators_csv(results: xr.Dataset, path: str | os.PathLike[str], *, ind: xr.Dataset | None = None) -> Path:
    """Write :func:`tidy_indicators` as CSV, atomically (temporary file, then rename).

    Breakdowns of an indicator (``X_by_channel``) are written for the whole place only; per
    zone they stay in ``results.nc`` (``rate_per_1000``), which keeps the CSV a size a
    spreadsheet opens.
    """
    from twin.run.writer import atomic_write

    path = Path(path)
    ind = results.twin.indicators() if ind is None else ind

    def write(tmp: Path) -> None:
        # one indicator at a time: the long table of a 500-run ensemble held whole (a Python string
        # per cell) made this the peak of a run's memory; the rows and their order are the same
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            names = list(ind.data_vars) or [None]
            for i, name in enumerate(names):
                df = tidy_indicators(ind[[name]] if name is not None else ind)
                df = df[~(df["indicator"].str.contains("_by_", regex=False) & (df["zone"] != PLACE))]
                df.to_csv(f, index=False, header=i == 0, float_format="%.6g")

    return atomic_write(path, write)


@xr.register_dataset_accessor("twin")
class TwinAccessor:
    """``ds.twin``: indicators, summaries and option differences of a results Dataset."""

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds
        self._ind: xr.Dataset | None = None

    def indicators(self, variables: Sequence[str] | None = None) -> xr.Dataset:
        """See :func:`indicators`; all indicators are computed once per Dataset and kept
        (``twin run`` stores them in ``indicators.nc`` and attaches them when results are loaded)."""
        if variables is not None:
            return indicators(self._ds, variables)
        if self._ind is None:
            self._ind = indicators(self._ds)
        return self._ind

    def attach_indicators(self, ind: xr.Dataset) -> None:
        """Use ``ind`` (stored with the results) as this Dataset's indicators."""
        self._ind = ind

    def rate_per_1000(self, var: str = "hot_day_exposure_by_age", by: str | Sequence[str] = ("zone", "age_band"),
                      **kw) -> xr.DataArray:
        """See :func:`rate_per_1000`."""
        return rate_per_1000(self._ds, var, by, **kw)

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """See :func:`summary_table`."""
        return summary_table(self._ds, level, ind=self.indicators())

    def paired_difference(self, var: str, reference: str | None = None, level: float = 0.95) -> xr.Dataset:
        """Paired difference of ``var``: a variable of this Dataset without a ``time`` dim
        (e.g. on an indicators Dataset), or else an indicator computed from these results."""
        ds = self._ds
        if var in ds.data_vars and "time" not in ds[var].dims and "age_band" not in ds[var].dims:
            da = ds[var]
        else:
            ind = self.indicators()
            if var not in ind.data_vars:
                raise TwinError("not an indicator", field=var,
                                hint=f"indicators: {', '.join(map(str, ind.data_vars))}")
            da = ind[var]
        return paired_difference(da, reference, level)
