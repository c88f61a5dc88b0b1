"""Default demographic rates calibrated to docs/sources.md: life tables, fertility, migration profiles.

Pure numpy (scipy's root finder inside functions). Ages are single years ``0..n_ages-1``,
the last one open ("90+" when ``n_ages = 91``); sexes follow :data:`twin._names.SEXES`
(``F`` first, then ``M``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._names import MAX_AGE, SEXES

__all__ = [
    "E0_DEFAULT",
    "GompertzMakeham",
    "MIGRATION_PROFILES",
    "TFR_DEFAULT",
    "asfr",
    "crude_death_rate",
    "fit_mortality",
    "life_expectancy",
    "migration_profile",
    "scale_to_e0",
    "total_fertility",
]

#: Life expectancy at birth, E&W 2021-23: M 79.0, F 83.0 (ONS National life tables 2024; docs/sources.md).
E0_DEFAULT = {"F": 83.0, "M": 79.0}
#: Total fertility rate E&W 2023: 1.44 (ONS Births in England and Wales 2023, 2024; docs/sources.md).
TFR_DEFAULT = 1.44
#: Mean age of mother at birth, E&W 2023: 30.9 (ONS Births 2023; docs/sources.md).
MEAN_MATERNAL_AGE = 30.9
#: Standard deviation of maternal age: assumption (L), typical of low-fertility European schedules.
SD_MATERNAL_AGE = 5.8
N_AGES = MAX_AGE + 1


@dataclass(frozen=True)
class GompertzMakeham:
    """Shape of a mortality schedule ``mu(x) = A + B exp(c x)`` for ``x >= 1``, plus an infant rate.

    The level is set later by a multiplier fitted to a target life expectancy
    (docs/sources.md: derive qx from a Gompertz-Makeham law fitted to e0 and check it against the
    crude death rate of about 9.8 per 1,000). The shape values are assumptions (L) chosen so
    that the fitted rates look like recent E&W life tables (m60 ~ 0.008, m80 ~ 0.055 for males).
    """

    A: float
    B: float
    c: float
    infant: float

    def hazard(self, x: np.ndarray) -> np.ndarray:
        return self.A + self.B * np.exp(self.c * x)


#: Example custom shapes (assumptions L) for ``fit_mortality(shape=...)``; the default is the
#: twin's one baseline, :func:`twin.health.mortality.baseline_rates`.
GM_SHAPE = {
    "F": GompertzMakeham(A=1.5e-4, B=1.2e-5, c=0.102, infant=3.3e-3),
    "M": GompertzMakeham(A=2.5e-4, B=2.5e-5, c=0.096, infant=4.0e-3),
}


def _schedule(shape: GompertzMakeham, n_ages: int) -> np.ndarray:
    """Central death rates ``m_x`` at multiplier 1, single years 0..n_ages-1 (last open)."""
    x = np.arange(n_ages, dtype=float)
    # exact average hazard over [x, x+1): A + B (e^{c(x+1)} - e^{cx}) / c
    m = shape.A + shape.B * (np.exp(shape.c * (x + 1)) - np.exp(shape.c * x)) / shape.c
    m[0] = shape.infant
    # open interval: m = l_w / T_w with the Gompertz-Makeham survival beyond age w (to 130 by 0.05 y)
    w = n_ages - 1
    t = np.arange(w, 130.0, 0.05)
    cum = shape.A * (t - w) + shape.B * (np.exp(shape.c * t) - np.exp(shape.c * w)) / shape.c
    surv = np.exp(-cum)
    m[-1] = 1.0 / (np.sum(0.5 * (surv[1:] + surv[:-1])) * 0.05)
    return m


def life_expectancy(m: np.ndarray) -> np.ndarray:
    """Life expectancy at birth from central death rates (vectorised over leading axes).

    The twin's one life-table function, :func:`twin.health.mortality.life_expectancy_at`
    (constant hazard within each year of age, open last age).
    """
    from twin.health.mortality import life_expectancy_at

    return life_expectancy_at(m, 0)


def fit_mortality(e0: float, sex: str = "F", *, n_ages: int = N_AGES, shape: GompertzMakeham | None = None) -> np.ndarray:
    """Central death rates ``m_x`` whose life expectancy at birth equals ``e0``.

    Parameters
    ----------
    e0 : float
        Target life expectancy at birth in years (defaults: :data:`E0_DEFAULT`).
    sex : {"F", "M"}
        Row of the baseline.
    n_ages : int
        Number of single ages, the last one open.
    shape : GompertzMakeham, optional
        A custom Gompertz-Makeham shape instead of the twin's one baseline.

    Notes
    -----
    The schedule is THE baseline mortality of the twin,
    :func:`twin.health.mortality.baseline_rates` (the same rates the heat-health model
    uses), scaled by a constant :math:`k` so that :math:`e_0(k\\,m) = e_0^*` (Brent's method;
    :math:`k = 1` at the default ONS targets). Accuracy: |e0 - target| < 1e-6 y.
    """
    if shape is not None:
        return scale_to_e0(_schedule(shape, n_ages), e0)
    from twin.health.mortality import baseline_rates

    base = baseline_rates(None, n_ages)[SEXES.index(sex)]
    if abs(float(life_expectancy(base)) - e0) < 1e-9:
        return np.array(base)
    return scale_to_e0(base, e0)


def scale_to_e0(m: np.ndarray, e0: float) -> np.ndarray:
    """Multiply a mortality schedule by the constant that gives life expectancy ``e0``.

    Notes
    -----
    Solves :math:`e_0(k\\,m) = e_0^*` for :math:`\\log k` by Brent's method; :math:`e_0` falls
    monotonically in :math:`k`, so the root is unique when it exists.
    """
    from scipy.optimize import brentq

    base = np.asarray(m, dtype=float)
    if not np.any(base > 0):
        raise ValueError("cannot scale an all-zero mortality schedule to a life expectancy")

    def gap(log_k: float) -> float:
        return float(life_expectancy(base * np.exp(log_k))) - e0

    lo, hi = -20.0, 12.0
    if gap(lo) < 0 or gap(hi) > 0:
        raise ValueError(f"life expectancy {e0!r} cannot be reached by scaling this mortality schedule")
    return base * np.exp(brentq(gap, lo, hi, xtol=1e-13, rtol=1e-15))


def crude_death_rate(population: np.ndarray, m: np.ndarray) -> float:
    """Deaths per 1,000 residents per year: ``1000 * sum(P * (1 - exp(-m))) / sum(P)``.

    ``population`` is (..., sex, age) and ``m`` (sex, age); the check of docs/sources.md
    (about 9.8 per 1,000 for E&W, ONS 2024) uses an E&W-like age structure.
    """
    p = np.asarray(population, dtype=float)
    return float(1000.0 * np.sum(p * -np.expm1(-np.asarray(m))) / np.sum(p))


def asfr(tfr: float = TFR_DEFAULT, mean_age: float = MEAN_MATERNAL_AGE, *, sd: float = SD_MATERNAL_AGE,
         n_ages: int = N_AGES, min_age: int = 15, max_age: int = 49) -> np.ndarray:
    """Age-specific fertility rates (births per woman per year) by single year of age.

    Notes
    -----
    A gamma-shaped curve (close to Hadwiger's) starting at age :math:`\\alpha`:
    :math:`f(x) \\propto (x + \\tfrac12 - \\alpha)^{k-1} e^{-(x + \\frac12 - \\alpha)/\\theta}` on ages
    ``min_age..max_age`` (zero elsewhere), :math:`\\alpha = ` ``min_age - 1``, :math:`k\\theta^2 = sd^2`, and
    the gamma mean :math:`\\alpha + k\\theta` solved (Brent) so that the truncated, discretised
    mean age at birth :math:`\\sum (x+\\tfrac12) f / \\sum f` equals ``mean_age`` (ONS 2023: 30.9), and
    the curve is scaled so that :math:`\\sum_x f(x) = TFR` exactly.
    """
    from scipy.optimize import brentq

    ages = np.arange(n_ages, dtype=float)
    mids = ages + 0.5
    inside = (ages >= min_age) & (ages <= max_age)

    alpha = min_age - 1.0  # curve starts at 14 (assumption L)

    def curve(mu: float) -> np.ndarray:
        span = mu - alpha
        theta = sd**2 / span
        k = span / theta
        z = np.clip(mids - alpha, 0.0, None)
        safe = np.where(z > 0, z, 1.0)
        f = np.where(z > 0, np.exp((k - 1) * np.log(safe) - z / theta), 0.0)
        f = np.where(inside, f, 0.0)
        return f / f.max()

    def gap(mu: float) -> float:
        f = curve(mu)
        return float(np.sum(mids * f) / np.sum(f)) - mean_age

    mu = brentq(gap, alpha + 2.0, max_age + 10.0, xtol=1e-12)
    f = curve(mu)
    return f * (tfr / f.sum())


def total_fertility(f: np.ndarray) -> np.ndarray:
    """TFR of age-specific fertility rates: :math:`\\sum_x f_x` over the last axis."""
    return np.asarray(f).sum(axis=-1)


def _rogers_castro(x: np.ndarray, *, a1: float, al1: float, a2: float, mu2: float, al2: float, lam2: float,
                   a3: float = 0.0, mu3: float = 65.0, al3: float = 0.5, lam3: float = 0.5, c: float = 0.0) -> np.ndarray:
    """Rogers-Castro model migration schedule (childhood, labour, retirement peaks and a constant)."""
    labour = a2 * np.exp(-al2 * (x - mu2) - np.exp(-lam2 * (x - mu2)))
    retire = a3 * np.exp(-al3 * (x - mu3) - np.exp(-lam3 * (x - mu3)))
    return a1 * np.exp(-al1 * x) + labour + retire + c


# Model schedules (Rogers & Castro 1981 "standard" parameters, adapted): all assumptions (L).
_PROFILE_PARAMS = {
    "young_adult": dict(a1=0.01, al1=0.1, a2=0.08, mu2=21.0, al2=0.12, lam2=0.45, c=0.001),
    "family": dict(a1=0.04, al1=0.12, a2=0.06, mu2=27.0, al2=0.09, lam2=0.35, c=0.002),
    "retirement": dict(a1=0.005, al1=0.1, a2=0.02, mu2=30.0, al2=0.08, lam2=0.3,
                       a3=0.05, mu3=58.0, al3=0.15, lam3=0.35, c=0.001),
}
MIGRATION_PROFILES = ("young_adult", "family", "working_age", "retirement", "flat")


def migration_profile(name: str, n_ages: int = N_AGES) -> np.ndarray:
    """Age-sex distribution of migrants, shape (sex, age), summing to 1 (sexes split equally).

    ``young_adult`` peaks near 21-25 (students, first jobs), ``family`` near 27-35 with children,
    ``retirement`` near 55-70, ``working_age`` is flat over 18-64 and ``flat`` over all ages.
    All are assumptions (L): Rogers-Castro model schedules.
    """
    x = np.arange(n_ages, dtype=float)
    if name in _PROFILE_PARAMS:
        shape = _rogers_castro(x, **_PROFILE_PARAMS[name])
    elif name == "working_age":
        shape = ((x >= 18) & (x <= 64)).astype(float)
    elif name == "flat":
        shape = np.ones(n_ages)
    else:
        raise ValueError(f"unknown migration profile {name!r}; known: {', '.join(MIGRATION_PROFILES)}")
    if not shape.any():
        shape = np.ones(n_ages)
    prof = np.stack([shape] * len(SEXES))
    return prof / prof.sum()
