"""Climate pathways (global warming levels) and station climatologies.

A :class:`Pathway` is a set of seasonal changes (summer and winter temperature
deltas in degC, summer and winter precipitation change as a fraction) that is
added to a 1991-2020 station baseline. The deltas are derived (status D, see
docs/sources.md) from the UKCP18 headline figures by pattern scaling:

    delta_season = ratio_season * (GWL - baseline_gwl)

where ``ratio_season`` is the central-England change per degree of global
warming (UKCP18 RCP8.5, 2060-79 vs 1981-2000, midpoint of the 10-90 % range,
divided by the global warming of that period) and ``baseline_gwl`` is the
global warming already contained in the 1991-2020 station record. Every factor
is a field of :class:`PathwayScaling` so a user can change it.

A :class:`StationClimate` holds monthly climatology of daily Tmax / Tmin,
annual rainfall and the year-to-year SD of monthly mean Tmax for the three
stations in docs/sources.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from twin.errors import ClimateDataError

__all__ = [
    "PATHWAYS",
    "STATIONS",
    "Pathway",
    "PathwayScaling",
    "StationClimate",
    "get_pathway",
    "get_station",
    "make_pathway",
    "seasonal_weight",
]

#: Day of year of the summer peak / winter trough of the seasonal cycle of deltas
#: (mid-July, mid-January; JJA and DJF centres).
SUMMER_PEAK_DOY = 196.0
DAYS_PER_YEAR = 365.25

_UKCP18 = "UKCP18 headline factsheet, Met Office 2018 (docs/sources.md)"

# --- UKCP18 figures (S) and the arithmetic on them (D) ------------------------------------
#: Central England summer / winter Tmean change, RCP8.5, 2060-79 vs 1981-2000, 10-90 %
#: range +1.1..+5.8 and +0.7..+4.2 degC (S, UKCP18 2018); midpoints (D).
UKCP18_SUMMER_DT_RCP85 = (1.1 + 5.8) / 2  # 3.45 degC, D
UKCP18_WINTER_DT_RCP85 = (0.7 + 4.2) / 2  # 2.45 degC, D
#: Summer / winter rainfall change, same period: -57..+3 % and -2..+33 % (S); midpoints (D).
UKCP18_SUMMER_PR_RCP85 = (-0.57 + 0.03) / 2  # -0.27, D
UKCP18_WINTER_PR_RCP85 = (-0.02 + 0.33) / 2  # +0.155, D
#: Global mean warming of 2060-79 vs 1981-2000 under RCP8.5 (D/L): UKCP18 summary gives
#: +4.3 degC for 2081-2100 vs pre-industrial (S/M); minus ~0.7 degC pre-industrial ->
#: 1981-2000 and minus ~0.9 degC for the 20 years earlier at RCP8.5's ~0.45 degC/decade.
GLOBAL_DT_2070_RCP85 = 4.3 - 0.7 - 0.9  # 2.7 degC, D/L
#: Global warming already in the 1991-2020 station baseline (L: ~0.9-1.0 degC above
#: pre-industrial; docs/sources.md has no figure, value from IPCC AR6 WG1 (2021) order of magnitude).
BASELINE_GWL = 0.9


@dataclass(frozen=True)
class PathwayScaling:
    """Pattern-scaling factors from global warming level to regional change (all D/L).

    Attributes
    ----------
    summer_dt_per_degree, winter_dt_per_degree
        Regional (central England) seasonal Tmean change per degC of global warming (D).
    summer_pr_per_degree, winter_pr_per_degree
        Fractional seasonal rainfall change per degC of global warming (D).
    baseline_gwl
        Global warming (degC above pre-industrial) contained in the 1991-2020 baseline (L).
    """

    summer_dt_per_degree: float = UKCP18_SUMMER_DT_RCP85 / GLOBAL_DT_2070_RCP85  # ~1.28, D
    winter_dt_per_degree: float = UKCP18_WINTER_DT_RCP85 / GLOBAL_DT_2070_RCP85  # ~0.91, D
    summer_pr_per_degree: float = UKCP18_SUMMER_PR_RCP85 / GLOBAL_DT_2070_RCP85  # ~-0.10, D
    winter_pr_per_degree: float = UKCP18_WINTER_PR_RCP85 / GLOBAL_DT_2070_RCP85  # ~+0.057, D
    baseline_gwl: float = BASELINE_GWL
    #: Growth of the summer Tmax upper-tail stretch per degC of regional summer warming (fitted, D):
    #: hot extremes warm faster than the mean, so that 40 degC at a London-like station comes about
    #: once in 3-6 years at gwl4 (Christidis et al., Nat Commun 2020: ~3.5 yr by 2100, high emissions,
    #: UK-wide) while the summer mean follows the UKCP18 delta. See docs/sources.md (weather tail).
    tail_stretch_per_degree: float = 0.11
    source: str = f"derived (D) by pattern scaling of {_UKCP18}; global warming 2060-79 ~2.7 degC (D/L)"


def seasonal_weight(dayofyear) -> np.ndarray:
    """Weight of the summer value for each day of year: 1 in mid-July, 0 in mid-January.

    A raised cosine, so seasonal values change smoothly:
    ``value(doy) = winter + (summer - winter) * seasonal_weight(doy)``.
    """
    doy = np.asarray(dayofyear, dtype=float)
    return 0.5 * (1.0 + np.cos(2.0 * np.pi * (doy - SUMMER_PEAK_DOY) / DAYS_PER_YEAR))


@dataclass(frozen=True)
class Pathway:
    """A warming pathway relative to the 1991-2020 station baseline.

    Attributes
    ----------
    name
        "baseline", "gwl1.5", ...
    tail_stretch
        Extra stretch of the summer Tmax anomaly above its pivot (added to the generator's
        baseline stretch, :class:`twin.climate.weather.WeatherParams`): the change of the
        upper tail beyond the shift of the mean (D).
    gwl
        Global warming level, degC above pre-industrial (``None`` for the baseline).
    tas_summer, tas_winter
        Change of daily temperature in JJA / DJF, degC (D; applied to Tmax and Tmin alike).
    pr_summer, pr_winter
        Fractional change of JJA / DJF precipitation (D; -0.1 = 10 % drier).
    source
        Where the numbers come from.
    """

    name: str
    gwl: float | None
    tas_summer: float
    tas_winter: float
    pr_summer: float
    pr_winter: float
    source: str = ""
    tail_stretch: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.tail_stretch <= 2.0:
            raise ClimateDataError("must be between 0 and 2", field="pathway.tail_stretch", value=self.tail_stretch)

    def delta(self, dayofyear) -> tuple[np.ndarray, np.ndarray]:
        """Temperature delta (degC) and precipitation change (fraction) for each day of year.

        Smooth raised-cosine interpolation between the winter (mid-January) and summer
        (mid-July) values, see :func:`seasonal_weight`.
        """
        w = seasonal_weight(dayofyear)
        dt = self.tas_winter + (self.tas_summer - self.tas_winter) * w
        dpr = self.pr_winter + (self.pr_summer - self.pr_winter) * w
        return dt, dpr


def make_pathway(name: str, gwl: float | None, scaling: PathwayScaling | None = None) -> Pathway:
    """Build a pathway for a global warming level by pattern scaling (values are D)."""
    s = scaling or PathwayScaling()
    if gwl is None:
        return Pathway(name, None, 0.0, 0.0, 0.0, 0.0, "1991-2020 station climatology (docs/sources.md)")
    dg = gwl - s.baseline_gwl
    return Pathway(
        name=name,
        gwl=float(gwl),
        tas_summer=s.summer_dt_per_degree * dg,
        tas_winter=s.winter_dt_per_degree * dg,
        pr_summer=max(-0.9, s.summer_pr_per_degree * dg),
        pr_winter=max(-0.9, s.winter_pr_per_degree * dg),
        source=s.source,
        tail_stretch=max(0.0, s.tail_stretch_per_degree * s.summer_dt_per_degree * dg),
    )


#: The pathways a scenario may name. gwl2 -> summer +1.41, winter +1.00 degC, summer rain
#: -11 %, winter +6 % vs 1991-2020 (D); gwl4 -> +3.97 / +2.81 degC, -31 % / +18 % (D).
PATHWAYS: dict[str, Pathway] = {
    name: make_pathway(name, gwl)
    for name, gwl in [("baseline", None), ("gwl1.5", 1.5), ("gwl2", 2.0), ("gwl3", 3.0), ("gwl4", 4.0)]
}


def get_pathway(pathway: str | Pathway) -> Pathway:
    """Return a :class:`Pathway` by name (or pass one through); ClimateDataError if unknown."""
    if isinstance(pathway, Pathway):
        return pathway
    try:
        return PATHWAYS[pathway]
    except (KeyError, TypeError):
        raise ClimateDataError("unknown pathway", field="pathway", value=pathway,
                               hint=f"valid: {', '.join(PATHWAYS)}") from None


# --- stations -------------------------------------------------------------------------------
_MONTH_PHASE = 2.0 * np.pi * (np.arange(12) + 0.5) / 12.0


def _monthly_cycle(jja: tuple[float, float, float], january: float) -> tuple[float, ...]:
    """Twelve monthly values: JJA as given (S/D), other months from a first-harmonic
    least-squares fit through Jun, Jul, Aug and a plausible January value (D/L)."""
    months = np.array([5, 6, 7, 0])
    y = np.array([*jja, january])
    basis = np.column_stack([np.ones(12), np.cos(_MONTH_PHASE), np.sin(_MONTH_PHASE)])
    coef, *_ = np.linalg.lstsq(basis[months], y, rcond=None)
    values = basis @ coef
    values[5:8] = jja
    return tuple(float(v) for v in values)


@dataclass(frozen=True)
class StationClimate:
    """1991-2020 climatology of one Met Office station (docs/sources.md).

    Attributes
    ----------
    name
        Station key ("heathrow", ...).
    tasmax, tasmin
        Twelve monthly means of daily Tmax / Tmin, degC. June-August are docs/sources.md
        (D/H); the other months come from a harmonic fit through the summer months and an
        assumed January value (D/L) -- the model mostly uses summers.
    annual_pr
        Annual rainfall, mm (docs/sources.md, D/H).
    tasmax_monthly_sd
        Year-to-year SD of the monthly mean Tmax, degC, twelve months. JJA from docs/sources.md
        (D/H); other months set to the JJA mean (L).
    wet_day_fraction
        Annual mean fraction of days with rain (L; typical UK values, not in docs/sources.md).
    urbanness
        Urban intensity of the station's surroundings on the 0..1 scale of
        :func:`twin.climate.local_offsets` (Heathrow ~1 degC vs ~3 degC London average
        peak nocturnal UHI -> 1/3, D from docs/sources.md; rural stations L).
    daily_sd_scale
        Multiplies the generator's daily temperature SDs (L: 1 inland; 0.75 at coastal
        Camborne, whose monthly-mean SD in docs/sources.md is ~30 % below the inland stations').
    """

    name: str
    tasmax: tuple[float, ...]
    tasmin: tuple[float, ...]
    annual_pr: float
    tasmax_monthly_sd: tuple[float, ...]
    wet_day_fraction: float
    urbanness: float
    daily_sd_scale: float = 1.0
    source: str = field(default="Met Office historic station data, 1991-2020 means (docs/sources.md)")

    def daily_climatology(self) -> tuple[np.ndarray, np.ndarray]:
        """Daily mean Tmax and Tmin (degC) for day of year 1..366, as arrays of length 366.

        A periodic cubic spline through mid-month knots, adjusted so that each calendar
        month's mean equals the monthly value exactly (mean-preserving interpolation).
        """
        return _daily_cycle(self.tasmax), _daily_cycle(self.tasmin)


@lru_cache(maxsize=64)
def _daily_cycle(monthly: tuple[float, ...]) -> np.ndarray:
    from scipy.interpolate import CubicSpline

    target = np.asarray(monthly, dtype=float)
    month_len = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    month_of_day = np.repeat(np.arange(12), month_len)  # 365-day year
    mid = np.cumsum(month_len) - month_len / 2.0  # mid-month in days from 1 Jan 00:00
    knots_x = np.concatenate([mid - 365.0, mid, mid + 365.0])
    days = np.arange(366) + 0.5  # centre of day-of-year 1..366
    knots = target.copy()
    for _ in range(8):
        spline = CubicSpline(knots_x, np.tile(knots, 3))
        curve = spline(days)
        achieved = np.bincount(month_of_day, weights=curve[:365]) / month_len
        knots += target - achieved
    return CubicSpline(knots_x, np.tile(knots, 3))(days)


def _station(name, tx_jja, tn_jja, tx_jan, tn_jan, annual_pr, sd_jja, wet, urbanness, sd_scale=1.0):
    sd = [float(np.mean(sd_jja))] * 12
    sd[5:8] = sd_jja
    return StationClimate(name, _monthly_cycle(tx_jja, tx_jan), _monthly_cycle(tn_jja, tn_jan),
                          float(annual_pr), tuple(sd), wet, urbanness, sd_scale)


#: Stations of docs/sources.md. January Tmax/Tmin (the winter anchor of the harmonic fit) are L:
#: typical 1991-2020 UK values, not in docs/sources.md. Wet-day fractions are L.
STATIONS: dict[str, StationClimate] = {
    "heathrow": _station("heathrow", (21.6, 23.9, 23.4), (12.0, 14.2, 14.1), 8.4, 2.5,
                         616.0, (1.48, 1.98, 1.53), wet=0.30, urbanness=1.0 / 3.0),
    "yeovilton": _station("yeovilton", (19.9, 21.9, 21.6), (10.3, 12.2, 12.2), 8.6, 1.9,
                          728.0, (1.35, 1.81, 1.54), wet=0.33, urbanness=0.05),
    "camborne": _station("camborne", (16.9, 18.7, 19.0), (11.3, 13.2, 13.4), 9.6, 4.6,
                         1076.0, (1.10, 1.26, 1.03), wet=0.45, urbanness=0.05, sd_scale=0.75),
}


def get_station(station: str | StationClimate) -> StationClimate:
    """Return a :class:`StationClimate` by name (or pass one through)."""
    if isinstance(station, StationClimate):
        return station
    try:
        return STATIONS[str(station).lower()]
    except KeyError:
        raise ClimateDataError("unknown climate station", field="climate_station", value=station,
                               hint=f"valid: {', '.join(STATIONS)}") from None
