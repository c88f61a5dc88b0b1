"""Power of any cluster × period design by generalised least squares, as swCRTdesign computes it.

The model of cluster-period means (Hussey & Hughes 2007, extended as in Hughes et al.'s
``swCRTdesign::swPwr`` and Hooper et al. 2016)::

    ybar[i, j] = mu + beta_j + theta X[i, j] + a_i + c_ij + r_i X[i, j] + e_ij
    a_i ~ N(0, tau^2)         random cluster effect ("tau", an SD, as in swPwr)
    r_i ~ N(0, eta^2)         random intervention effect ("eta"), corr(a_i, r_i) = rho
    c_ij ~ N(0, gamma^2)      random cluster-period effect ("gamma")
    e_ij ~ N(0, sigma^2 / n)  sampling error of the mean of the n people measured

``sigma^2`` is the person-level variance: given for a continuous outcome, ``mu (1 - mu)``
for a binary outcome and ``mu`` for a count per person (Poisson), with ``mu`` the mean of
the control and treated means ``(mu0 + mu1) / 2`` (swPwr's choice for binomial outcomes: it
reproduces the package's example, 0.7861896, to 1e-7; see tests/test_trials_published.py).

Cells of the design not measured (an incomplete or staggered stepped wedge) are left out:
``mask[i, j] = False``. The variance of ``theta_hat`` is ``[sum_i Z_i' V_i^-1 Z_i]^-1`` at
the treatment entry (Z_i: period dummies and the treatment column of cluster i's measured
cells). Power is two-sided, by the normal approximation as swPwr and SteppedPower's
``glsPower`` report it, or with a t reference on ``df`` degrees of freedom.
"""

from __future__ import annotations

import numpy as np

from twin.errors import TwinError

__all__ = ["OUTCOME_TYPES", "gls_se", "person_variance", "sw_power"]

#: Outcome types: continuous (normal), binary (proportion of people), count (events per person, Poisson).
OUTCOME_TYPES = ("continuous", "binary", "count")


def person_variance(outcome: str, mu0: float, mu1: float, sigma: float | None = None) -> float:
    """Person-level variance ``sigma^2`` of an outcome type (see the module notes)."""
    mu = 0.5 * (float(mu0) + float(mu1))
    if outcome == "continuous":
        if sigma is None:
            raise TwinError("a continuous outcome needs sigma (person-level SD)", field="sigma", value=None)
        return float(sigma) ** 2
    if outcome == "binary":
        if not 0 < mu < 1:
            raise TwinError("a binary outcome needs proportions between 0 and 1", field="mu0", value=(mu0, mu1))
        return mu * (1 - mu)
    if outcome == "count":
        if mu <= 0:
            raise TwinError("a count outcome needs a positive mean", field="mu0", value=(mu0, mu1))
        return mu
    raise TwinError("unknown outcome type", field="outcome", value=outcome, hint="valid: " + ", ".join(OUTCOME_TYPES))


def gls_se(X: np.ndarray, n: float | np.ndarray, sigma2: float, *, tau: float = 0.0, eta: float = 0.0,
           rho: float = 0.0, gamma: float = 0.0, mask: np.ndarray | None = None) -> float:
    """Standard error of ``theta_hat`` for design ``X`` (clusters × periods, 0/1 or fractional).

    ``n``: people measured per cluster-period (scalar or clusters × periods); ``sigma2``:
    person-level variance; ``tau, eta, rho, gamma``: random-effect SDs and correlation as in
    swCRTdesign; ``mask``: measured cells (default all).
    """
    X = np.asarray(X, float)
    k, p = X.shape
    nn = np.broadcast_to(np.asarray(n, float), X.shape)
    mask = np.ones(X.shape, bool) if mask is None else np.asarray(mask, bool)
    if np.any(nn[mask] <= 0):
        raise TwinError("people measured per cluster-period must be positive", field="n", value=float(nn[mask].min()))
    used = mask.any(axis=0)  # periods measured in some cluster
    info = np.zeros((int(used.sum()) + 1, int(used.sum()) + 1))
    # clusters with the same treatment, measured cells and sizes contribute the same information
    rows, first, counts = np.unique(np.concatenate([X, mask, nn], axis=1), axis=0, return_index=True,
                                    return_counts=True)
    for i, count in zip(first, counts, strict=True):
        m = mask[i]
        if not m.any():
            continue
        x = X[i, m]
        one = np.ones(m.sum())
        V = (np.diag(sigma2 / nn[i, m]) + gamma**2 * np.eye(m.sum()) + tau**2 * np.outer(one, one)
             + eta**2 * np.outer(x, x) + rho * tau * eta * (np.outer(one, x) + np.outer(x, one)))
        Z = np.column_stack([np.eye(p)[m][:, used], x])
        info += count * (Z.T @ np.linalg.solve(V, Z))
    try:
        var = np.linalg.inv(info)[-1, -1]
    except np.linalg.LinAlgError:
        raise TwinError("the design does not identify the treatment effect", field="design", value=X.tolist()) from None
    if not np.isfinite(var) or var <= 0:
        raise TwinError("the design does not identify the treatment effect", field="design", value=X.tolist())
    return float(np.sqrt(var))


def sw_power(X: np.ndarray, *, outcome: str = "continuous", n: float | np.ndarray, mu0: float, mu1: float,
             sigma: float | None = None, tau: float = 0.0, eta: float = 0.0, rho: float = 0.0, gamma: float = 0.0,
             alpha: float = 0.05, mask: np.ndarray | None = None, df: float | None = None) -> float:
    """Two-sided power of the design ``X`` to detect ``mu1 - mu0`` (swCRTdesign ``swPwr`` arguments).

    Example (swCRTdesign README): 24 clusters in 4 sequences of 6 over 5 periods, binary,
    ``n=120, mu0=0.05, mu1=0.035, tau=0.01`` gives 0.7861896.
    """
    from twin.trials.closed_form import power_from_se

    s2 = person_variance(outcome, mu0, mu1, sigma)
    se = gls_se(X, n, s2, tau=tau, eta=eta, rho=rho, gamma=gamma, mask=mask)
    return float(power_from_se(mu1 - mu0, se, alpha, df))
