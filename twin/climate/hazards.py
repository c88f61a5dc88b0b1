"""Heat hazards: THE regional heat-health threshold table and UKHSA-style alert levels.

Pure NumPy functions on 1-D ``(time,)`` or 2-D ``(time, cell)`` arrays; no xarray, no
Mesa. Time is always axis 0. Heatwave counts are xclim indices
(:func:`twin.climate.drivers.heat_indices`, :func:`twin.climate.weather.summer_statistics`).

:data:`HEAT_THRESHOLDS` is the one regional table (day max / night min of the Met Office
heat-health watch, docs/sources.md): the alert rule below uses it, and the heat-health
exposure-response derives its regional thresholds from it
(:func:`twin.health.exposure_response.regional_curve`).

Alert rule: the UKHSA Weather-Health Alert risk matrix (impact x likelihood, 2023+), applied
to what happened (the twin knows the weather; there is no forecast):

* impact of a day, from its Tmax and Tmin against the region's day/night thresholds
  ``D``/``N`` (offsets in :class:`AlertParams`): *minor* if Tmax >= D + ``minor_day``;
  *significant* if Tmax >= D + ``significant_day`` and Tmin >= N + ``significant_night``;
  *severe* if Tmax >= D + ``severe_day``;
* likelihood: *high* when the impact lasts >= 2 consecutive days (both days count), else *medium*;
* matrix: red = severe and high; amber = severe and medium, or significant and high;
  yellow = significant and medium, or minor and high; green otherwise and outside the
  1 June - 30 September season.

The offsets are fitted (D) so that over generated 1991-2020 summers at Heathrow amber and red
occur about as often as UKHSA has issued them for London (docs/sources.md, alerts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import ClimateDataError

__all__ = [
    "ALERT_LEVELS",
    "AlertParams",
    "HEAT_THRESHOLDS",
    "alert_levels",
    "in_alert_season",
    "thresholds_for",
]

#: Regional heat-health thresholds (day max, night min), degC: Met Office heat-health watch /
#: Heatwave Plan system to 2022 (docs/sources.md, S/M-H).
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
#: UKHSA Weather-Health Alert season, 1 June - 30 September (docs/sources.md).
ALERT_SEASON = ((6, 1), (9, 30))


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


@dataclass(frozen=True)
class AlertParams:
    """Offsets (degC) from the region's day/night thresholds that set each impact level (fitted, D)."""

    minor_day: float = -4.0
    significant_day: float = -3.0
    significant_night: float = -3.0
    severe_day: float = 2.5
    #: Amber and red stay in force this many days after the last qualifying day (UKHSA alerts run
    #: to 09:00 after the hot spell; heat deaths lag by 0-3 days).
    carry_days: int = 1


def _persistent(event: np.ndarray) -> np.ndarray:
    """Days of runs of >= 2 consecutive event days."""
    pair = event & _next(event)
    return _pair_days(pair)


def alert_levels(tasmax, tasmin, day_max: float, night_min: float, *, season=None,
                 params: AlertParams | None = None) -> np.ndarray:
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
    params
        Impact offsets (:class:`AlertParams`).

    Returns
    -------
    numpy.ndarray
        int8, same shape as ``tasmax``.
    """
    p = params or AlertParams()
    tx = np.asarray(tasmax, dtype=float)
    tn = np.asarray(tasmin, dtype=float)
    if tx.shape != tn.shape:
        raise ClimateDataError("tasmax and tasmin shapes differ", field="tasmin", value=tn.shape)
    minor = tx >= day_max + p.minor_day
    significant = (tx >= day_max + p.significant_day) & (tn >= night_min + p.significant_night)
    severe = tx >= day_max + p.severe_day
    level = np.zeros(tx.shape, np.int8)
    level[_persistent(minor) | significant] = 1
    level[_persistent(significant) | severe] = 2
    level[_persistent(severe)] = 3
    for _ in range(p.carry_days):
        after = np.zeros_like(level)
        after[1:] = np.where(level[:-1] >= 2, level[:-1], 0)
        level = np.maximum(level, after)
    if season is not None:
        s = np.asarray(season, dtype=bool)
        level[~s] = 0
    return level
