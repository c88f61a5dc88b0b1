"""Stochastic daily weather generator (Tmax, Tmin, precipitation) for one station.

Model (all anomalies are about the station's daily climatology, see
:meth:`twin.climate.pathways.StationClimate.daily_climatology`):

* Tmax anomaly = ``s_fast(m) * F_t + s_slow(m) * S_t - c_x * (W_t - p_t)``, where ``F`` is a
  unit-variance AR(1) with lag-1 correlation ``lag1`` (day-to-day weather), ``S`` a
  unit-variance AR(1) with ``slow_lag1`` (month/season-scale regimes), ``W`` the wet-day
  indicator and ``p_t`` its probability (wet days are cooler, the mean is unchanged).
  For each calendar month ``m`` the two scales solve
  ``s_fast^2 + s_slow^2 + v_wet = sd_daily^2`` and
  ``f(lag1) s_fast^2 + f(slow_lag1) s_slow^2 + f_wet v_wet = sd_monthly^2``,
  with ``f(rho)`` the variance factor of a monthly mean of an AR(1) series,
  so both the daily SD (a parameter) and the year-to-year SD of monthly mean Tmax
  (docs/sources.md) are met.
* Tmin anomaly = ``corr * sd_n / sd_x * (Tmax weather anomaly) + sqrt(1-corr^2) sd_n N_t``
  with ``N`` another AR(1); wet days slightly milder at night. Tmin <= Tmax - 0.5.
* Rain occurrence: two-state Markov chain (wet-after-wet ``wet_persistence``; wet-after-dry
  chosen so the stationary wet fraction follows the station's seasonal cycle), amounts
  gamma(``gamma_shape``) with the mean set so the expected annual total is the station's.

Random numbers: every call draws, in this order, ``standard_normal((n, 3))``,
``random(n)`` and ``standard_gamma(shape, n)`` from the given generator whatever the
pathway, so two calls with equal rng states and different pathways are paired: the
temperatures differ exactly by the pathway delta and rain by its factor.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import xarray as xr

from twin.errors import ClimateDataError
from twin.climate.pathways import Pathway, StationClimate, get_pathway, get_station, seasonal_weight

__all__ = ["CF_ATTRS", "WeatherParams", "generate_weather", "summer_statistics"]

#: CF attributes of the three daily variables.
CF_ATTRS = {
    "tasmax": {"units": "degC", "long_name": "Daily maximum near-surface air temperature",
               "standard_name": "air_temperature", "cell_methods": "time: maximum"},
    "tasmin": {"units": "degC", "long_name": "Daily minimum near-surface air temperature",
               "standard_name": "air_temperature", "cell_methods": "time: minimum"},
    "pr": {"units": "mm day-1", "long_name": "Daily precipitation amount",
           "standard_name": "lwe_precipitation_rate", "cell_methods": "time: mean"},
}

_MONTH_DAYS = 30.4


@dataclass(frozen=True)
class WeatherParams:
    """Parameters of the weather generator.

    Fitted values (see ``tasmax_sd_summer`` and ``lag1``) were chosen by a grid search
    with 300 simulated Heathrow baseline years so that the frequency of days >= 28 degC,
    >= 30 degC and 3-day runs >= 28 degC sits in the ranges documented in
    tests/test_climate.py (about 10, 4 and 1 per year), and so that a 1 degC cooler
    climate (the 1961-90 record) has roughly half as many >= 28 and a third as many
    >= 30 degC days (Met Office State of the UK Climate 2023, docs/sources.md).

    Attributes
    ----------
    tasmax_sd_summer
        SD of daily Tmax about the climatology in mid-July, degC (fitted).
    tasmax_sd_winter
        Same in mid-January, degC (L).
    lag1
        Lag-1 correlation of the day-to-day Tmax anomaly (fitted; the total lag-1
        autocorrelation of Tmax anomalies comes out ~0.7 with the slow part).
    slow_lag1
        Lag-1 correlation of the month/season-scale anomaly (L; e-folding ~20 days).
    tasmin_sd_summer, tasmin_sd_winter
        SD of daily Tmin anomalies, degC (L).
    tasmin_corr
        Correlation of the Tmin anomaly with the Tmax anomaly (L).
    tasmin_lag1
        Lag-1 correlation of Tmin's own noise (L).
    wet_day_cooling
        Tmax of a wet day is this much below a dry one, degC (L).
    wet_night_warming
        Tmin of a wet day is this much above a dry one (cloudy nights), degC (L).
    wet_persistence
        P(wet tomorrow | wet today) (L; typical of UK daily series).
    wet_day_seasonality
        Wet-day fraction is higher in winter by this fraction of its mean (L).
    gamma_shape
        Shape of the gamma distribution of wet-day amounts (L).
    min_diurnal_range
        Tmin is capped at Tmax minus this, degC.
    tail_pivot_sd, tail_stretch
        Upper tail of warm-season Tmax: the part of the weather anomaly above
        ``tail_pivot_sd`` daily SDs is stretched by ``tail_stretch`` (plus the pathway's
        :attr:`twin.climate.pathways.Pathway.tail_stretch`), and the expected stretch is
        subtracted so monthly means are unchanged. Fitted (D) so that the baseline annual
        maximum at Heathrow reaches 40 degC about once in 100-300 years (Christidis et al.
        2020, Kay et al. 2025) and 35 degC in roughly one summer in ten; docs/sources.md.
    """

    tasmax_sd_summer: float = 3.8
    tasmax_sd_winter: float = 3.0
    lag1: float = 0.65
    slow_lag1: float = 0.95
    tasmin_sd_summer: float = 2.0
    tasmin_sd_winter: float = 3.0
    tasmin_corr: float = 0.6
    tasmin_lag1: float = 0.5
    wet_day_cooling: float = 1.5
    wet_night_warming: float = 0.5
    wet_persistence: float = 0.6
    wet_day_seasonality: float = 0.15
    gamma_shape: float = 0.75
    min_diurnal_range: float = 0.5
    tail_pivot_sd: float = 1.0
    tail_stretch: float = 0.21

    def __post_init__(self) -> None:
        for name in ("lag1", "slow_lag1", "tasmin_lag1", "tasmin_corr", "wet_persistence"):
            v = getattr(self, name)
            if not 0.0 <= v < 1.0:
                raise ClimateDataError("must be in [0, 1)", field=f"weather.{name}", value=v)
        for name in ("tasmax_sd_summer", "tasmax_sd_winter", "tasmin_sd_summer",
                     "tasmin_sd_winter", "gamma_shape"):
            v = getattr(self, name)
            if not v > 0.0:
                raise ClimateDataError("must be positive", field=f"weather.{name}", value=v)


def _mean_var_factor(rho: float, n: float = _MONTH_DAYS) -> float:
    """Variance of the n-day mean of a unit-variance AR(1) with lag-1 correlation rho."""
    k = np.arange(1, int(round(n)))
    return float((n + 2.0 * np.sum((n - k) * rho**k)) / n**2)


def _ar1(noise: np.ndarray, rho: float) -> np.ndarray:
    """Unit-variance AR(1) driven by standard-normal noise, started in its stationary state.

    ``x[t] = s e[t] + rho x[t-1]`` with ``s = sqrt(1 - rho^2)``: the recursion
    ``scipy.signal.lfilter([s], [1, -rho], e)`` computes, in the same floating-point operations
    (``tests/test_weather.py`` checks bit-for-bit equality), as a plain loop over Python floats.
    Importing ``scipy.signal`` cost every run process about a second for a loop of a few hundred steps.
    """
    e = np.array(noise, dtype=np.float64)
    if rho == 0.0:
        return e
    scale = float(np.sqrt(1.0 - rho**2))
    e[0] /= scale  # x[0] = noise[0]: stationary start
    out = np.empty_like(e)
    y, r = 0.0, float(rho)
    for t, v in enumerate(e.tolist()):
        y = scale * v + r * y
        out[t] = y
    return out


def _stretch_upper_tail(x: np.ndarray, sd: np.ndarray, season_w: np.ndarray, stretch: float,
                        pivot_sd: float) -> np.ndarray:
    r"""Stretch a Gaussian anomaly above ``pivot_sd`` SDs by ``stretch`` (warm season), keeping its mean.

    :math:`x' = x + k w (x - c)^+ - k w\,E[(x - c)^+]` with :math:`c = ` ``pivot_sd`` :math:`\sigma`,
    :math:`w` the summer weight (1 mid-July, 0 mid-January) and
    :math:`E[(x - c)^+] = \sigma\varphi(c/\sigma) - c\,(1 - \Phi(c/\sigma))` for a normal anomaly.
    """
    if stretch == 0.0:
        return x
    from scipy.special import ndtr

    c = pivot_sd * sd
    expected = sd * np.exp(-0.5 * pivot_sd**2) / np.sqrt(2.0 * np.pi) - c * (1.0 - ndtr(pivot_sd))
    k = stretch * season_w
    return x + k * (np.maximum(x - c, 0.0) - expected)


def _markov_occurrence(u: np.ndarray, p_wet: np.ndarray, p11: float) -> np.ndarray:
    """Wet-day indicator from uniforms ``u`` with a two-state Markov chain."""
    p01 = np.clip(p_wet * (1.0 - p11) / (1.0 - p_wet), 0.0, 1.0)
    wet = np.empty(u.size, dtype=bool)
    state = bool(u[0] < p_wet[0])
    wet[0] = state
    uu, pp = u.tolist(), p01.tolist()
    for i in range(1, len(uu)):
        state = uu[i] < (p11 if state else pp[i])
        wet[i] = state
    return wet


def _daily_time(time) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(time)
    if len(idx) == 0:
        raise ClimateDataError("time is empty", field="time")
    if len(idx) > 1 and not (np.diff(idx.values.astype("datetime64[D]").astype(np.int64)) == 1).all():
        raise ClimateDataError("time must be consecutive days", field="time",
                               value=f"{idx[0]}..{idx[-1]} ({len(idx)} steps)")
    return idx.normalize()


def generate_weather(station: str | StationClimate, pathway: str | Pathway, time,
                     rng: np.random.Generator, params: WeatherParams | None = None) -> xr.Dataset:
    """Generate daily Tmax, Tmin (degC) and precipitation (mm day-1) at a station.

    Parameters
    ----------
    station
        Key of :data:`twin.climate.pathways.STATIONS` or a :class:`StationClimate`.
    pathway
        Key of :data:`twin.climate.pathways.PATHWAYS` or a :class:`Pathway`.
    time
        Consecutive days (``pd.DatetimeIndex``).
    rng
        The only source of randomness; the number and order of draws depend only on
        ``len(time)``, not on the pathway (paired pathways).
    params
        Generator parameters; defaults are the fitted :class:`WeatherParams`.

    Returns
    -------
    xarray.Dataset
        Dims ``("time",)``; ``tasmax``, ``tasmin``, ``pr`` with CF attributes; attrs
        ``station``, ``pathway``, ``gwl``, ``source``, ``weather_params`` (JSON).
    """
    st = get_station(station)
    pw = get_pathway(pathway)
    p = params or WeatherParams()
    idx = _daily_time(time)
    n = len(idx)
    doy = idx.day_of_year.to_numpy()
    month = idx.month.to_numpy() - 1

    # --- draws: fixed count and order, independent of the pathway -------------------------
    z = rng.standard_normal((n, 3))
    u = rng.random(n)
    g = rng.standard_gamma(p.gamma_shape, n)

    # --- rain occurrence and amounts -------------------------------------------------------
    w = seasonal_weight(doy)
    p_wet = st.wet_day_fraction * (1.0 + p.wet_day_seasonality * (1.0 - 2.0 * w))
    p_wet = np.clip(p_wet, 0.01, 0.95)
    wet = _markov_occurrence(u, p_wet, p.wet_persistence)
    year_days = np.arange(1, 366)
    wy = seasonal_weight(year_days)
    mean_wet_days = np.sum(np.clip(st.wet_day_fraction * (1 + p.wet_day_seasonality * (1 - 2 * wy)),
                                   0.01, 0.95)) * 365.25 / 365.0
    mean_amount = st.annual_pr / mean_wet_days
    dt, dpr = pw.delta(doy)
    pr = np.where(wet, g * (mean_amount / p.gamma_shape), 0.0) * np.maximum(0.0, 1.0 + dpr)

    # --- temperature anomalies -------------------------------------------------------------
    mid_month_doy = (np.arange(12) + 0.5) * 365.25 / 12.0
    wm = seasonal_weight(mid_month_doy)
    k = st.daily_sd_scale
    sd_x = k * (p.tasmax_sd_winter + (p.tasmax_sd_summer - p.tasmax_sd_winter) * wm)
    p_wet_m = np.clip(st.wet_day_fraction * (1 + p.wet_day_seasonality * (1 - 2 * wm)), 0.01, 0.95)
    v_wet = p.wet_day_cooling**2 * p_wet_m * (1 - p_wet_m)
    p01_m = p_wet_m * (1 - p.wet_persistence) / (1 - p_wet_m)
    f_wet = np.array([_mean_var_factor(r) for r in np.clip(p.wet_persistence - p01_m, 0, 0.99)])
    f_fast, f_slow = _mean_var_factor(p.lag1), _mean_var_factor(p.slow_lag1)
    v_weather = np.maximum(sd_x**2 - v_wet, 0.0)
    target = np.asarray(st.tasmax_monthly_sd) ** 2 - f_wet * v_wet
    v_slow = np.clip((target - f_fast * v_weather) / (f_slow - f_fast), 0.0, v_weather)
    s_slow, s_fast = np.sqrt(v_slow), np.sqrt(v_weather - v_slow)

    fast = _ar1(z[:, 0], p.lag1)
    slow = _ar1(z[:, 1], p.slow_lag1)
    weather_x = s_fast[month] * fast + s_slow[month] * slow
    weather_x = _stretch_upper_tail(weather_x, np.sqrt(v_weather)[month], w,
                                    p.tail_stretch + pw.tail_stretch, p.tail_pivot_sd)
    wet_anom = wet - p_wet
    sd_n = k * (p.tasmin_sd_winter + (p.tasmin_sd_summer - p.tasmin_sd_winter) * w)
    sd_wx = np.sqrt(v_weather)[month]
    own_n = _ar1(z[:, 2], p.tasmin_lag1)
    anom_n = (p.tasmin_corr * sd_n / sd_wx * weather_x
              + np.sqrt(1.0 - p.tasmin_corr**2) * sd_n * own_n)

    clim_x, clim_n = st.daily_climatology()
    tasmax = clim_x[doy - 1] + weather_x - p.wet_day_cooling * wet_anom + dt
    tasmin = clim_n[doy - 1] + anom_n + p.wet_night_warming * wet_anom + dt
    tasmin = np.minimum(tasmin, tasmax - p.min_diurnal_range)

    source = (f"twin.climate.weather stochastic generator; station climatology: {st.source}; "
              f"pathway: {pw.source}")
    ds = xr.Dataset(
        {
            "tasmax": ("time", tasmax, dict(CF_ATTRS["tasmax"])),
            "tasmin": ("time", tasmin, dict(CF_ATTRS["tasmin"])),
            "pr": ("time", pr, dict(CF_ATTRS["pr"])),
        },
        coords={"time": ("time", idx.values, {"long_name": "time"})},
        attrs={
            "station": st.name,
            "pathway": pw.name,
            "gwl": "none" if pw.gwl is None else pw.gwl,
            "pathway_delta_summer_degC": pw.tas_summer,
            "pathway_delta_winter_degC": pw.tas_winter,
            "tail_stretch": p.tail_stretch + pw.tail_stretch,
            "source": source,
            "weather_params": json.dumps(asdict(p)),
        },
    )
    return ds


def summer_statistics(ds: xr.Dataset, *, hot_day: float = 28.0, heatwave_min_days: int = 3) -> dict:
    """Summary statistics of a generated (or observed) daily series, for calibration checks.

    Returns JJA monthly means of Tmax/Tmin, the year-to-year SD of monthly mean Tmax, the
    mean annual rain, the lag-1 autocorrelation of JJA Tmax anomalies, days per year with
    Tmax >= 28 and >= 30 degC, heatwaves per year (runs of >= ``heatwave_min_days`` days with
    Tmax >= ``hot_day``) and their mean length in days (xclim ``hot_spell_frequency`` and
    ``hot_spell_total_length``), and the share of years whose maximum reaches 35 and 40 degC.
    """
    import warnings

    import xclim.indices as xi

    t = pd.DatetimeIndex(ds["time"].values)
    tx, tn, pr = (ds[v].values for v in ("tasmax", "tasmin", "pr"))
    years = t.year.to_numpy()
    n_years = len(np.unique(years))
    out: dict = {}
    monthly = pd.DataFrame({"tx": tx, "tn": tn, "y": years, "m": t.month}).groupby(["y", "m"]).mean()
    for m, name in [(6, "jun"), (7, "jul"), (8, "aug")]:
        if m not in monthly.index.get_level_values("m"):
            continue
        sel = monthly.xs(m, level="m")
        out[f"tasmax_{name}"] = float(sel["tx"].mean())
        out[f"tasmin_{name}"] = float(sel["tn"].mean())
        out[f"tasmax_sd_{name}"] = float(sel["tx"].std(ddof=1))
    out["annual_pr"] = float(pr.sum() / n_years)
    jja = np.isin(t.month, (6, 7, 8))
    anom = tx - pd.Series(tx).groupby(t.day_of_year.to_numpy()).transform("mean").to_numpy()
    a = anom[jja]
    consecutive = np.diff(np.flatnonzero(jja)) == 1
    out["lag1_jja"] = float(np.corrcoef(a[:-1][consecutive], a[1:][consecutive])[0, 1])
    out["days_ge_28"] = float((tx >= 28.0).sum() / n_years)
    out["days_ge_30"] = float((tx >= 30.0).sum() / n_years)
    txa = xr.DataArray(tx, coords={"time": t}, dims="time", attrs={"units": "degC"})
    spell = dict(thresh=f"{hot_day} degC", window=heatwave_min_days, freq="YS", op=">=")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The 'name' property is deprecated")
        n_spells = float(xi.hot_spell_frequency(txa, **spell).sum())
        spell_days = float(xi.hot_spell_total_length(txa, **spell).sum())
    out["heatwaves_per_year"] = n_spells / n_years
    out["heatwave_mean_length"] = spell_days / n_spells if n_spells else 0.0
    annual_max = pd.Series(tx).groupby(years).max().to_numpy()
    out["p_annual_max_ge_35"] = float((annual_max >= 35.0).mean())
    out["p_annual_max_ge_40"] = float((annual_max >= 40.0).mean())
    return out
