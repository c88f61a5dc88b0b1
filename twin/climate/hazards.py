"""Heat hazards: regional heat-health thresholds, alert levels and heatwave episodes.

Pure NumPy functions on 1-D ``(time,)`` or 2-D ``(time, cell)`` arrays; no xarray, no
Mesa. Time is always axis 0.

Alert rule (our forecast-free simplification of the UKHSA Weather-Health Alert risk
matrix, using the threshold logic of the old Heatwave Plan levels, docs/sources.md s10):

* green (0): no threshold met, or outside the alert season (1 June - 30 September);
* yellow (1): the day-maximum threshold is met on a single day (or the night-minimum
  threshold is met on its own);
* amber (2): day and night thresholds met on >= 2 consecutive days and the night between
  (old Level-2/3 trigger, applied to what happened rather than a forecast probability);
* red (3): extreme heat, Tmax >= day threshold + ``red_margin`` (default 4 degC, L) on >= 2
  consecutive days.

The night "between" day t and day t+1 is the minimum recorded on day t+1 (a 09-09 UTC
Met Office minimum is dated by the morning it ends).
"""

from __future__ import annotations

import numpy as np

from twin.errors import ClimateDataError

__all__ = [
    "ALERT_LEVELS",
    "HEAT_THRESHOLDS",
    "alert_levels",
    "episode_count",
    "episodes",
    "heatwave_mask",
    "in_alert_season",
    "thresholds_for",
]

#: Regional heat-health thresholds (day max, night min), degC: Met Office heat-health watch /
#: Heatwave Plan system to 2022 (docs/sources.md s10, S/M-H).
HEAT_THRESHOLDS: dict[str, tuple[float, float]] = {
    "London": (32.0, 18.0),
    "South East": (31.0, 16.0),
    "South West": (30.0, 15.0),
    "East": (30.0, 15.0),
    "East Midlands": (30.0, 15.0),
    "West Midlands": (30.0, 15.0),
    "North West": (30.0, 15.0),
    "Yorkshire and The Humber": (29.0, 15.0),
    "North East": (28.0, 15.0),
}
_ALIASES = {"east of england": "East", "yorkshire & humber": "Yorkshire and The Humber",
            "yorkshire and humber": "Yorkshire and The Humber",
            "yorkshire & the humber": "Yorkshire and The Humber"}

#: Alert level names by code.
ALERT_LEVELS = ("green", "yellow", "amber", "red")
#: UKHSA Weather-Health Alert season, 1 June - 30 September (docs/sources.md s10).
ALERT_SEASON = ((6, 1), (9, 30))
#: Margin above the day threshold that makes a 2-day spell "extreme" (red), degC (L: our choice).
RED_MARGIN = 4.0


def thresholds_for(region: str) -> tuple[float, float]:
    """(day max, night min) heat-health thresholds for a region, degC.

    Matching ignores case and surrounding blanks; ``ClimateDataError`` names valid regions.
    """
    key = " ".join(str(region).split()).lower()
    for name, value in HEAT_THRESHOLDS.items():
        if name.lower() == key:
            return value
    if key in _ALIASES:
        return HEAT_THRESHOLDS[_ALIASES[key]]
    raise ClimateDataError("unknown region for heat-health thresholds", field="region", value=region,
                           hint=f"valid: {', '.join(HEAT_THRESHOLDS)}")


def in_alert_season(months, days) -> np.ndarray:
    """True on days inside the 1 June - 30 September alert season."""
    md = np.asarray(months) * 100 + np.asarray(days)
    (m0, d0), (m1, d1) = ALERT_SEASON
    return (md >= m0 * 100 + d0) & (md <= m1 * 100 + d1)


def _next(a: np.ndarray, fill=False) -> np.ndarray:
    """a[t+1] along axis 0 (last step filled)."""
    out = np.empty_like(a)
    out[:-1] = a[1:]
    out[-1:] = fill
    return out


def _pair_days(pair: np.ndarray) -> np.ndarray:
    """Days covered by a pair event starting at t (days t and t+1)."""
    out = pair.copy()
    out[1:] |= pair[:-1]
    return out


def alert_levels(tasmax, tasmin, day_max: float, night_min: float, *, season=None,
                 red_margin: float = RED_MARGIN) -> np.ndarray:
    """Alert level per day (0 green, 1 yellow, 2 amber, 3 red); see the module docstring.

    Parameters
    ----------
    tasmax, tasmin
        Daily Tmax / Tmin, degC, shape ``(time,)`` or ``(time, cell)``.
    day_max, night_min
        Thresholds, e.g. from :func:`thresholds_for`.
    season
        Optional boolean ``(time,)`` mask of alert-season days (:func:`in_alert_season`);
        days outside it are green.
    red_margin
        Degrees above ``day_max`` that count as extreme (L).

    Returns
    -------
    numpy.ndarray
        int8, same shape as ``tasmax``.
    """
    tx = np.asarray(tasmax, dtype=float)
    tn = np.asarray(tasmin, dtype=float)
    if tx.shape != tn.shape:
        raise ClimateDataError("tasmax and tasmin shapes differ", field="tasmin", value=tn.shape)
    day = tx >= day_max
    night = tn >= night_min
    amber = _pair_days(day & _next(night) & _next(day))
    extreme = tx >= day_max + red_margin
    red = _pair_days(extreme & _next(extreme))
    level = np.where(day | night, 1, 0).astype(np.int8)
    level[amber] = 2
    level[red] = 3
    if season is not None:
        s = np.asarray(season, dtype=bool)
        level[~s] = 0
    return level


def episodes(hot, min_length: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of >= ``min_length`` consecutive True days along axis 0.

    Returns
    -------
    (cell, start, length)
        int arrays, one entry per episode, ordered by cell then start (cell is 0 for 1-D input).
    """
    b = np.asarray(hot, dtype=bool)
    b2 = b.reshape(b.shape[0], -1)
    padded = np.zeros((b2.shape[0] + 2, b2.shape[1]), dtype=np.int8)
    padded[1:-1] = b2
    d = np.diff(padded, axis=0).T  # (cell, time+1)
    cell_s, start = np.nonzero(d == 1)
    _, end = np.nonzero(d == -1)
    length = end - start
    keep = length >= min_length
    return cell_s[keep], start[keep], length[keep]


def heatwave_mask(hot, min_length: int = 3) -> np.ndarray:
    """Boolean mask of days that belong to a run of >= ``min_length`` True days."""
    b = np.asarray(hot, dtype=bool)
    b2 = b.reshape(b.shape[0], -1)
    cell, start, length = episodes(b2, min_length)
    delta = np.zeros((b2.shape[0] + 1, b2.shape[1]), dtype=np.int32)
    np.add.at(delta, (start, cell), 1)
    np.add.at(delta, (start + length, cell), -1)
    return (np.cumsum(delta, axis=0)[:-1] > 0).reshape(b.shape)


def episode_count(hot, min_length: int = 3):
    """Number of runs of >= ``min_length`` True days: int for 1-D input, array per cell for 2-D."""
    b = np.asarray(hot, dtype=bool)
    cell, _, _ = episodes(b, min_length)
    if b.ndim == 1:
        return int(cell.size)
    return np.bincount(cell, minlength=int(np.prod(b.shape[1:]))).reshape(b.shape[1:])
