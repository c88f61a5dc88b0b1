"""Weather generator tail and heat-health alert frequencies over generated summers at Heathrow.

Run: ``python -m validation.weather``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from validation._rows import Row

CHRISTIDIS = "Christidis et al., Nat Commun 2020; Kay et al., Weather 2025 (40 degC return period)"
UKHSA = ("UKHSA/Met Office heat-health alerts as issued 2023-2025 (press releases): London amber in about "
         "one episode a summer (3-5 days); red once since 2004 (Level 4, July 2022)")


def _weather(pathway: str, years: int, seed: int):
    from twin.climate.weather import generate_weather

    time = pd.date_range("2001-01-01", periods=365 * years, freq="D")
    return generate_weather("heathrow", pathway, time, np.random.default_rng(seed)), time


def _annual_max(ds, time) -> np.ndarray:
    return pd.Series(ds["tasmax"].values).groupby(time.year).max().to_numpy()


def alert_frequencies(years: int = 300, seed: int = 3) -> dict[str, float]:
    """Amber+/red days and episodes per generated baseline summer at Heathrow with London thresholds."""
    from twin.climate.hazards import alert_levels, in_alert_season, thresholds_for

    ds, time = _weather("baseline", years, seed)
    day, night = thresholds_for("London")
    lv = alert_levels(ds["tasmax"].values, ds["tasmin"].values, day, night,
                      season=in_alert_season(time.month, time.day))

    def episodes(b: np.ndarray) -> int:
        return int((np.diff(np.concatenate([[0], b.astype(int), [0]])) == 1).sum())

    return {"yellow_days": float((lv == 1).sum() / years), "amber_days": float((lv >= 2).sum() / years),
            "amber_episodes": episodes(lv >= 2) / years, "red_days": float((lv == 3).sum() / years),
            "red_episodes": episodes(lv == 3) / years}


def figures(quick: bool = False) -> list[Row]:
    from twin.climate.weather import summer_statistics

    years = 150 if quick else 3000
    base, t0 = _weather("baseline", years, 7)
    hot, t4 = _weather("gwl4", 150 if quick else 400, 8)
    s = summer_statistics(base)
    amax0, amax4 = _annual_max(base, t0), _annual_max(hot, t4)
    rp40_0 = 1 / max((amax0 >= 40).mean(), 1 / years)
    rp40_4 = 1 / max((amax4 >= 40).mean(), 1e-9)
    cool = base.copy()
    cool["tasmax"] = cool["tasmax"] - 1.0
    c = summer_statistics(cool)
    a = alert_frequencies(100 if quick else 300)
    g, h = "Weather (Heathrow, generated)", "Heat-health alerts (London thresholds, generated baseline summers)"
    return [
        Row(g, "Return period of 40 degC, 1991-2020 climate", 200, 100, 300, rp40_0, "years", CHRISTIDIS, "calibrated",
            f"{int((amax0 >= 40).sum())} years of {years} reach 40 degC"),
        Row(g, "Return period of 40 degC at gwl4 (about 2100, high emissions)", 3.5, 2.5, 6.0, rp40_4, "years",
            CHRISTIDIS, "calibrated", "UK-wide figure applied to one station"),
        Row(g, "Share of summers reaching 35 degC, 1991-2020 climate", 0.15, 0.08, 0.3, s["p_annual_max_ge_35"], "1",
            "Met Office station record, Heathrow (approximate, not retrieved: R)", "held out"),
        Row(g, "Days >= 28 degC a year", 10, 7, 14, s["days_ge_28"], "days", "Heathrow 1991-2020 record (R)",
            "calibrated"),
        Row(g, "Days >= 30 degC a year", 4, 2, 6, s["days_ge_30"], "days", "Heathrow 1991-2020 record (R)",
            "calibrated"),
        Row(g, "Heatwaves (>= 3 days >= 28 degC) a year, xclim hot_spell_frequency", 1.0, 0.5, 2.0,
            s["heatwaves_per_year"], "per year", "Heathrow 1991-2020 record (R)", "calibrated"),
        Row(g, "Mean heatwave length", 4.0, 3.0, 6.0, s["heatwave_mean_length"], "days",
            "Heathrow 1991-2020 record (R)", "held out"),
        Row(g, "Days >= 30 degC, ratio for +1 degC", 3.0, 2.0, 4.0, s["days_ge_30"] / c["days_ge_30"], "ratio",
            "Met Office State of the UK Climate 2023: trebled 2014-23 vs 1961-90 (about +1 degC)", "held out",
            "the observed trebling came with about +1.2 degC of summer warming and more variable summers; a 1 degC "
            "shift of the generator gives less"),
        Row(h, "Amber (or red) days a summer", 4.0, 2.0, 6.0, a["amber_days"], "days", UKHSA, "calibrated"),
        Row(h, "Amber (or red) episodes a summer", 1.0, 0.5, 1.5, a["amber_episodes"], "per summer", UKHSA,
            "calibrated"),
        Row(h, "Red episodes a summer", 0.05, 0.02, 0.1, a["red_episodes"], "per summer", UKHSA, "calibrated",
            "about one in twenty summers"),
    ]


if __name__ == "__main__":
    from validation.run_all import print_rows

    print_rows(figures())
