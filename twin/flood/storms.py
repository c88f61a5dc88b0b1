"""Design storms: depth-duration-frequency, a storm profile, climate uplift, river hydrographs.

Depth-duration-frequency (DDF)
------------------------------
FEH design depths are sold per point (FEH Web Service) and were not available, so the
default curve is a two-parameter form in the spirit of the Flood Studies Report (NERC 1975)
with its parameters exposed::

    depth(D, T) = M5_60 * (D / 60 min) ** n * (1 + c * (y_T - y_5)),   y_T = -ln(-ln(1 - 1/T))

``M5_60`` is the 1-hour rainfall of 5-year return period, ``n`` the duration exponent, ``c``
the Gumbel growth per unit reduced variate. Defaults (assumptions, L; docs/sources.md,
"Flooding"): London-like M5_60 = 20 mm, n = 0.27, c = 0.32 (1-in-100 3-hour ≈ 54 mm);
South West M5_60 = 19 mm, n = 0.30. A council replaces them with its own FEH table:
:func:`read_ddf_csv` reads ``return_period_years,duration_min,depth_mm`` rows.

Profile
-------
A symmetric peaked profile of the FSR/FEH form: the share of the depth falling in the
central fraction ``z`` of the duration is ``(1 - a**z) / (1 - a)``; ``a`` is set from the
peak-to-mean intensity ratio (``peakedness``, default 3.9 for a summer storm, L).

Climate uplift
--------------
Hourly extremes grow by 5-15 % per degC of regional warming (Kendon, Fischer & Short,
Nat Commun 2023); the default is 10 % per degC of the pathway's summer warming,
compounded. EA peak-rainfall allowances (2022) of +20 % to +50 % by the 2070s bracket the
result (gwl2: +14 %, gwl4: +46 %). River peak flows take the same uplift times ``flow_elasticity``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from twin.errors import ScenarioError

__all__ = [
    "DDF",
    "DEFAULT_DDF",
    "DesignStorm",
    "check_return_periods",
    "design_storms",
    "profile",
    "rainfall_uplift",
    "read_ddf_csv",
    "river_hydrograph",
]

#: Default DDF parameters by the place's climate station (assumptions L, see module notes).
DEFAULT_DDF = {
    "heathrow": {"m5_60_mm": 20.0, "duration_exponent": 0.27, "growth": 0.32},
    "yeovilton": {"m5_60_mm": 19.0, "duration_exponent": 0.30, "growth": 0.32},
    "camborne": {"m5_60_mm": 18.0, "duration_exponent": 0.33, "growth": 0.30},
}


def _reduced_variate(T: np.ndarray) -> np.ndarray:
    return -np.log(-np.log(1.0 - 1.0 / np.asarray(T, dtype=float)))


def check_return_periods(rps, *, file: str | None = None, field: str = "return_periods") -> tuple[float, ...]:
    """Return periods as floats; ScenarioError unless each is > 1 year and they increase."""
    vals = tuple(float(r) for r in rps)
    if not vals:
        raise ScenarioError("needs at least one return period", file=file, field=field, value=list(rps))
    if any(not np.isfinite(v) or v <= 1.0 for v in vals):
        raise ScenarioError("return periods must be finite and longer than 1 year", file=file, field=field, value=list(vals))
    if any(b <= a for a, b in zip(vals, vals[1:])):
        raise ScenarioError("return periods must increase (e.g. [10, 30, 100, 1000])", file=file, field=field, value=list(vals))
    return vals


@dataclass(frozen=True)
class DDF:
    """A depth-duration-frequency relation: parametric, or a table read from a CSV."""

    m5_60_mm: float = 20.0
    duration_exponent: float = 0.27
    growth: float = 0.32
    table: tuple[tuple[float, float, float], ...] = ()   # (T years, D min, depth mm)
    source: str = "parametric DDF (FSR-style form; parameters assumptions L)"
    scale: float = 1.0   # factor on every depth: one replicate's draw of the DDF's uncertainty (twin.flood.uncertainty)

    def depth_mm(self, duration_min: float, return_period: float) -> float:
        """Design depth (mm) of a storm of ``duration_min`` minutes and ``return_period`` years."""
        if self.table:
            return self.scale * _table_depth(self.table, duration_min, return_period)
        g = 1.0 + self.growth * (_reduced_variate(return_period) - _reduced_variate(5.0))
        return float(self.scale * self.m5_60_mm * (duration_min / 60.0) ** self.duration_exponent * g)


def _table_depth(table, duration_min: float, T: float) -> float:
    arr = np.asarray(table, dtype=float)
    Ts, Ds = np.unique(arr[:, 0]), np.unique(arr[:, 1])
    grid = np.full((Ts.size, Ds.size), np.nan)
    for t, d, v in arr:
        grid[np.searchsorted(Ts, t), np.searchsorted(Ds, d)] = v
    # interpolate in log(duration) at every tabulated T, then in Gumbel variate over T
    at_d = np.array([np.interp(np.log(duration_min), np.log(Ds[np.isfinite(row)]), row[np.isfinite(row)]) for row in grid])
    return float(np.interp(_reduced_variate(T), _reduced_variate(Ts), at_d))


def read_ddf_csv(path: str | Path) -> DDF:
    """Read a design-rainfall table (``return_period_years,duration_min,depth_mm``).

    Raises ScenarioError (one line: file, line, column, value) on a missing column, a
    non-number, a negative depth, return periods of 1 year or less, or depths that fall as
    the return period or the duration grows.
    """
    path = Path(path)
    need = ("return_period_years", "duration_min", "depth_mm")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise ScenarioError(f"cannot read design-rainfall table ({err.strerror})", file=path) from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in need if c not in (reader.fieldnames or [])]
    if missing:
        raise ScenarioError(f"missing column {missing[0]!r}", file=path, field="header",
                            value=reader.fieldnames, hint=f"columns: {', '.join(need)}")
    rows = []
    for i, row in enumerate(reader, start=2):
        vals = []
        for c in need:
            try:
                v = float(row[c])
            except (TypeError, ValueError):
                raise ScenarioError("not a number", file=path, line=i, field=c, value=row[c]) from None
            if not np.isfinite(v) or v < 0:
                raise ScenarioError("must be a finite number, not negative", file=path, line=i, field=c, value=row[c])
            vals.append(v)
        if vals[0] <= 1.0:
            raise ScenarioError("return period must be longer than 1 year", file=path, line=i,
                                field="return_period_years", value=row["return_period_years"])
        if vals[1] <= 0:
            raise ScenarioError("duration must be positive", file=path, line=i, field="duration_min", value=row["duration_min"])
        rows.append(tuple(vals))
    if not rows:
        raise ScenarioError("design-rainfall table has no rows", file=path)
    arr = np.array(rows)
    for d in np.unique(arr[:, 1]):
        sub = arr[arr[:, 1] == d]
        sub = sub[np.argsort(sub[:, 0])]
        if np.any(np.diff(sub[:, 2]) < 0):
            raise ScenarioError(f"depth falls as the return period grows at duration {d:g} min", file=path,
                                field="depth_mm", value=sub[:, 2].tolist())
    return DDF(table=tuple(rows), source=f"design-rainfall table {path.name}")


def profile(n_steps: int, peakedness: float = 3.9) -> np.ndarray:
    """Share of the storm depth falling in each of ``n_steps`` equal intervals (sums to 1).

    Symmetric FSR/FEH form: the central fraction ``z`` of the duration holds
    ``(1 - a**z)/(1 - a)`` of the depth, with ``a`` such that the peak intensity is
    ``peakedness`` times the mean (``-ln a / (1 - a) = peakedness``).
    """
    if n_steps < 1:
        raise ScenarioError("a storm needs at least one time step", field="n_steps", value=n_steps)
    if not peakedness >= 1.0:
        raise ScenarioError("peakedness must be at least 1 (a uniform storm)", field="peakedness", value=peakedness)
    if n_steps == 1 or peakedness == 1.0:
        return np.full(n_steps, 1.0 / n_steps)
    lo, hi = 1e-12, 1.0 - 1e-9            # bisection on a in (0, 1): -ln a/(1-a) falls from inf to 1
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if -np.log(mid) / (1.0 - mid) > peakedness:
            lo = mid
        else:
            hi = mid
    a = 0.5 * (lo + hi)
    edges = np.linspace(0.0, 1.0, n_steps + 1)          # time as a fraction of the duration
    z = np.abs(2.0 * edges - 1.0)                        # central fraction reaching each edge
    cum_central = (1.0 - a ** z) / (1.0 - a)
    cum = np.where(edges < 0.5, 0.5 * (1.0 - cum_central), 0.5 * (1.0 + cum_central))
    return np.diff(cum)


def rainfall_uplift(summer_warming_degC: float, per_degree: float = 0.10) -> float:
    """Factor on design rainfall: ``(1 + per_degree) ** warming`` (Kendon et al. 2023: 5-15 %/degC)."""
    if per_degree < 0:
        raise ScenarioError("uplift per degree must not be negative", field="uplift_per_degC", value=per_degree)
    return float((1.0 + per_degree) ** max(0.0, float(summer_warming_degC)))


@dataclass(frozen=True)
class DesignStorm:
    """One design event: hyetograph (mm h-1 per step) and optional river hydrograph (m3 s-1)."""

    return_period: float
    duration_min: float
    step_s: float
    intensity_mm_h: np.ndarray
    depth_mm: float
    uplift: float
    river_m3_s: np.ndarray | None = None

    @property
    def aep(self) -> float:
        """Annual exceedance probability, ``1 - exp(-1/T)`` (year-1)."""
        return float(1.0 - np.exp(-1.0 / self.return_period))


def river_hydrograph(peak_m3_s: float, base_m3_s: float, time_to_peak_h: float, step_s: float,
                     duration_h: float) -> np.ndarray:
    """A gamma-shaped flood hydrograph (FEH-like single peak): base flow plus a peak at ``time_to_peak_h``."""
    t = (np.arange(int(np.ceil(duration_h * 3600 / step_s))) + 0.5) * step_s / 3600.0
    shape = 4.0
    x = t / time_to_peak_h
    q = (x * np.exp(1.0 - x)) ** shape
    return base_m3_s + (peak_m3_s - base_m3_s) * q


def design_storms(ddf: DDF, return_periods, *, duration_min: float = 180.0, step_min: float = 5.0,
                  peakedness: float = 3.9, uplift: float = 1.0, river_peaks_m3_s: dict | None = None,
                  river_base_m3_s: float = 0.0, river_time_to_peak_h: float = 4.0, river_elasticity: float = 1.0
                  ) -> list[DesignStorm]:
    """The design storms of a pathway, one per return period (increasing)."""
    rps = check_return_periods(return_periods)
    n = max(1, int(round(duration_min / step_min)))
    shares = profile(n, peakedness)
    out = []
    for T in rps:
        depth = ddf.depth_mm(duration_min, T) * uplift
        if not np.isfinite(depth) or depth < 0:
            raise ScenarioError("design rainfall must not be negative", field="depth_mm", value=depth)
        river = None
        if river_peaks_m3_s:
            peak = _interp_peak(river_peaks_m3_s, T) * (1.0 + river_elasticity * (uplift - 1.0))
            river = river_hydrograph(peak, river_base_m3_s, river_time_to_peak_h, step_min * 60.0,
                                     2.5 * river_time_to_peak_h)
        out.append(DesignStorm(T, duration_min, step_min * 60.0, shares * depth / (step_min / 60.0), depth, uplift, river))
    return out


def _interp_peak(peaks: dict, T: float) -> float:
    """Peak flow at ``T`` from a {return period: peak} table, linear in the Gumbel variate."""
    ks = np.array(sorted(float(k) for k in peaks))
    vs = np.array([float(peaks[k]) for k in sorted(peaks, key=float)])
    y = _reduced_variate(ks)
    yt = float(_reduced_variate(T))
    if yt <= y[0] or ks.size == 1:
        return float(np.interp(yt, y, vs)) if ks.size > 1 else float(vs[0])
    slope = (vs[-1] - vs[-2]) / (y[-1] - y[-2]) if yt > y[-1] else None
    return float(vs[-1] + slope * (yt - y[-1])) if slope is not None else float(np.interp(yt, y, vs))
