"""Reference populations by sex and single year of age: England and Wales 2021 (approximate, D).

Used to check the baseline mortality (crude death rate), to weight the heat slopes by
deaths, and as the England-and-Wales-like population of the validation suite.
"""

from __future__ import annotations

import numpy as np

from twin._names import MAX_AGE

__all__ = ["EW_2021_POPULATION_TOTAL", "ew_2021_population", "ew_2021_population_from"]

#: Usual residents of England and Wales, Census 2021 (ONS), used to scale the approximate structure.
EW_2021_POPULATION_TOTAL = 59_600_000
#: Census 2021 (ONS): under 15 17.4 %, 15-64 64.1 %, 65+ 18.6 %, 90+ 527,900 (docs/sources.md).
_SHARES = (0.174, 0.641, 0.186)
_N90 = 527_900


def ew_2021_population(params=None, total: float = EW_2021_POPULATION_TOTAL) -> np.ndarray:
    """Approximate England and Wales 2021 population, shape (2, 91), rows F, M (D).

    Under 65 each band of the Census 2021 shares is spread evenly over its single years and
    split evenly by sex; 65+ follows the stationary person-years :math:`L_x` of the baseline
    life tables (:func:`twin.health.mortality.baseline_rates`), tilted towards younger ages so
    that 90+ matches the Census's 527,900.
    """
    from twin.health.mortality import baseline_rates

    return ew_2021_population_from(baseline_rates(None if params is None else getattr(params, "mortality", params)),
                                   total)


def ew_2021_population_from(m: np.ndarray, total: float = EW_2021_POPULATION_TOTAL) -> np.ndarray:
    """:func:`ew_2021_population` built on central death rates ``m`` (2, 91)."""
    from scipy.optimize import brentq

    m = np.asarray(m, dtype=float)
    q = -np.expm1(-m)
    lx = np.concatenate([np.ones((2, 1)), np.cumprod(1.0 - q[:, :-1], axis=1)], axis=1)
    big_l = np.concatenate([lx[:, :-1] * q[:, :-1] / m[:, :-1], (lx[:, -1] / m[:, -1])[:, None]], axis=1)[:, 65:]
    target = _N90 / (_SHARES[2] * EW_2021_POPULATION_TOTAL)
    tilt = lambda r: big_l * np.exp(-r * np.arange(big_l.shape[1]))  # noqa: E731
    share90 = lambda r: tilt(r)[:, -1].sum() / tilt(r).sum() - target  # noqa: E731
    r = brentq(share90, -0.2, 0.5) if share90(-0.2) * share90(0.5) < 0 else 0.0
    old = tilt(r)
    pop = np.zeros((2, MAX_AGE + 1))
    pop[:, :15] = _SHARES[0] / 15 / 2
    pop[:, 15:65] = _SHARES[1] / 50 / 2
    pop[:, 65:] = _SHARES[2] * old / old.sum()
    return pop * (total / pop.sum())
