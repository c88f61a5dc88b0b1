"""Valuing a heat death averted: QALYs lost at the age of death, with mortality displacement.

The Green Book / DHSC way for health options: a death averted is worth the quality-adjusted
life-years the person would have lived, at £70,000 a QALY (HMT/DHSC 2022). A heat death at
age ``a`` loses, on average,

.. math::

    Q(a) = (1 - \\phi)\\,\\sum_{k \\ge 0} \\frac{L_{a+k}}{l_a}\\, u(a+k)\\, d_k
           + \\phi\\, \\frac{D}{2 \\cdot 365}\\, u(a)

where :math:`L, l` are the twin's one baseline life table
(:func:`twin.health.mortality.baseline_rates`, sexes weighted by England and Wales deaths at
that age), :math:`u` the quality-of-life weight by age (UK population norms, assumption L),
:math:`d_k` the Green Book health discount factor of year ``k``, and :math:`\\phi` the share
of heat deaths that are *displaced* — brought forward by at most :math:`D` days (on average
:math:`D/2`) in people who would have died within weeks anyway (the heat-health model's
``exposure_response.displacement_share`` and ``displacement_days``).

The value of a prevented fatality (VPF, £2.47 m, DfT TAG) values every death alike, whatever
the age and frailty: a Treasury appraisal of a health intervention uses QALYs (the Green
Book's wellbeing and health guidance; the VPF is for transport and safety), so it is the
sensitivity here.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from twin._names import AGE_BANDS, MAX_AGE

__all__ = ["QUALITY_WEIGHTS", "band_ages", "death_qalys_averted", "qalys_lost_per_death"]

#: Quality-of-life weight by age (lower bound of the band, weight): UK EQ-5D population norms
#: fall from ~0.9 in young adults to ~0.7 at 85+ (assumption L: norms not retrieved).
QUALITY_WEIGHTS: tuple[tuple[int, float], ...] = ((0, 0.92), (45, 0.86), (65, 0.80), (75, 0.75), (85, 0.70))


def band_ages() -> np.ndarray:
    """Representative single age of each of :data:`twin._names.AGE_BANDS` (mid-band; 88 for 85+)."""
    return np.array([min(5 * i + 2, 88) for i in range(len(AGE_BANDS))])


def _weights(ages: np.ndarray, table=QUALITY_WEIGHTS) -> np.ndarray:
    lows = np.array([a for a, _ in table])
    vals = np.array([w for _, w in table])
    return vals[np.searchsorted(lows, ages, side="right") - 1]


@lru_cache(maxsize=32)
def _qale_by_age(health_rates: tuple[tuple[int, float], ...]) -> np.ndarray:
    """Discounted quality-adjusted life expectancy at each single age 0..90 (sexes by E&W deaths)."""
    from twin.health.mortality import baseline_rates
    from twin.health.population import ew_2021_population

    m = baseline_rates()
    q = -np.expm1(-m)
    deaths = q * ew_2021_population()
    # extend the open group 90+ year by year at its constant rate, to age 130
    ages = np.arange(131)
    mm = np.concatenate([m, np.repeat(m[:, -1:], ages.size - m.shape[1], axis=1)], axis=1)
    qq = -np.expm1(-mm)
    lx = np.concatenate([np.ones((2, 1)), np.cumprod(1.0 - qq[:, :-1], axis=1)], axis=1)
    big_l = lx * qq / mm
    u = _weights(ages)
    rates = np.zeros(ages.size)
    for start, r in health_rates:
        rates[start:] = r
    rates[0] = 0.0
    disc = np.cumprod(1.0 / (1.0 + rates))
    out = np.empty((2, MAX_AGE + 1))
    for a in range(MAX_AGE + 1):
        k = ages.size - a
        out[:, a] = (big_l[:, a:] * u[a:] * disc[:k]).sum(axis=1) / lx[:, a]
    w = deaths / deaths.sum(axis=0, keepdims=True)
    return (w * out).sum(axis=0)


def qalys_lost_per_death(displacement_share: float = 0.3, displacement_days: int = 14,
                         health_rates: tuple[tuple[int, float], ...] | None = None) -> np.ndarray:
    """Discounted QALYs lost per heat death in each age band of :data:`AGE_BANDS` (see module docstring)."""
    from twin.analysis.appraisal import HEALTH_RATES

    rates = HEALTH_RATES if health_rates is None else health_rates
    ages = band_ages()
    full = _qale_by_age(tuple(rates))[ages]
    days = displacement_days / 2.0 / 365.0 * _weights(ages)
    return (1.0 - displacement_share) * full + displacement_share * days


def death_qalys_averted(results, benefit, ref: str, settings):
    """QALYs lost a year by the deaths averted (option x pathway x replicate), from their age bands.

    Uses ``<variable>_by_age`` when the results have it; else deaths averted x ``settings.qalys_per_death``.
    """
    from twin.analysis.appraisal import RUN_DIMS, _n_seasons, averted

    var = benefit.variable_in(results)
    by_age = f"{var}_by_age"
    if by_age not in results or "age_band" not in results[by_age].dims:
        return averted(results, benefit, ref) * settings.qalys_per_death
    da = results[by_age].astype("float64")
    per = qalys_lost_per_death(settings.displacement_share, settings.displacement_days)
    per = per[[AGE_BANDS.index(str(b)) for b in da["age_band"].values]]
    import xarray as xr

    w = xr.DataArray(per, dims="age_band", coords={"age_band": da["age_band"].values})
    total = (da * w).sum([d for d in da.dims if d not in RUN_DIMS])
    diff = total.sel(option=ref) - total
    return (diff / _n_seasons(results)).reset_coords(drop=True).assign_attrs(units="QALY year-1")
