"""Closed-form power of cluster trials: the checks a simulation must reproduce.

Outcome model (continuous outcome, per person): ``y = mu + beta_period + theta * treated +
a_cluster + e``, ``a ~ N(0, tau2)``, ``e ~ N(0, sigma_w2)``; total variance
``sigma2 = tau2 + sigma_w2``, intra-cluster correlation ``icc = tau2 / sigma2``; ``m`` people
measured per cluster and period.

Parallel cluster trial
    Var(theta_hat) = sigma2 * DE / m * (1/k1 + 1/k0), with the design effect
    ``DE = 1 + (m - 1) * icc`` (Donner & Klar 2000; Hayes & Moulton 2017); over ``P``
    periods of fresh people ``m`` becomes ``m * P`` people per cluster (no cluster-period
    interaction).
Stepped wedge (Hussey & Hughes 2007, eq. for cluster-period means)
    Var(theta_hat) = I s2 (s2 + T tau2) / ((I U - W) s2 + (U^2 + I T U - T W - I V) tau2),
    ``s2 = sigma_w2 / m``, ``I`` clusters, ``T`` periods, ``U`` = sum of X, ``W`` = sum over
    periods of (column sums)^2, ``V`` = sum over clusters of (row sums)^2.
    :func:`gls_variance` gives the same for any design matrix (a check of the formula).

Power by the normal approximation: ``Phi(|d| / se - z) + Phi(-|d| / se - z)``,
``z = z_{1 - alpha/2}``; with ``df`` a non-central t instead (small numbers of clusters).
"""

from __future__ import annotations

import numpy as np

from twin.errors import TwinError

__all__ = [
    "design_effect",
    "gls_variance",
    "hussey_hughes_variance",
    "power_from_se",
    "power_parallel",
    "power_stepped_wedge",
    "required_clusters_closed",
    "se_parallel",
    "stepped_wedge_matrix",
]


def design_effect(m: float, icc: float) -> float:
    """``1 + (m - 1) * icc``: variance inflation of a cluster mean of ``m`` people."""
    return 1.0 + (float(m) - 1.0) * float(icc)


def power_from_se(effect: float | np.ndarray, se: float | np.ndarray, alpha: float = 0.05,
                  df: float | None = None) -> np.ndarray:
    """Two-sided power of a Wald test of ``effect`` with standard error ``se``."""
    from scipy import stats

    ncp = np.abs(np.asarray(effect, float)) / np.asarray(se, float)
    if df is None:
        z = stats.norm.ppf(1 - alpha / 2)
        return stats.norm.cdf(ncp - z) + stats.norm.cdf(-ncp - z)
    t = stats.t.ppf(1 - alpha / 2, df)
    return stats.nct.sf(t, df, ncp) + stats.nct.cdf(-t, df, ncp)


def se_parallel(clusters: int, m: float, icc: float, sigma: float = 1.0, *, share: float = 0.5,
                periods: int = 1) -> float:
    """Standard error of the difference in arm means of a parallel cluster trial."""
    k1 = round(clusters * share)
    k0 = clusters - k1
    if k1 < 1 or k0 < 1:
        raise TwinError("each arm needs at least one cluster", field="clusters", value=clusters)
    n = float(m) * periods
    var_mean = sigma**2 * design_effect(n, icc) / n  # variance of a cluster's mean over its n people
    return float(np.sqrt(var_mean * (1 / k1 + 1 / k0)))


def power_parallel(effect: float | np.ndarray, clusters: int, m: float, icc: float, sigma: float = 1.0, *,
                   alpha: float = 0.05, share: float = 0.5, periods: int = 1, df: float | None = None) -> np.ndarray:
    """Power of a two-arm parallel cluster trial (normal approximation with the design effect).

    ``df`` (e.g. ``clusters - 2``) uses a t reference for the cluster-level analysis instead.
    """
    return power_from_se(effect, se_parallel(clusters, m, icc, sigma, share=share, periods=periods), alpha, df)


def stepped_wedge_matrix(clusters: int, periods: int, sequences: int | None = None) -> np.ndarray:
    """The standard stepped-wedge design matrix (clusters spread evenly over the sequences)."""
    s = periods - 1 if sequences is None else sequences
    starts = 1 + (np.arange(s) * (periods - 1)) // s
    group = np.arange(clusters) % s
    return (np.arange(periods)[None, :] >= starts[np.sort(group)][:, None]).astype(float)


def hussey_hughes_variance(X: np.ndarray, tau2: float, sigma_e2: float) -> float:
    """Hussey & Hughes (2007) variance of the treatment effect for design matrix ``X``.

    ``X`` is clusters × periods (0/1), ``tau2`` the between-cluster variance and
    ``sigma_e2`` the variance of a cluster-period mean about its cluster's level
    (``sigma_w2 / m``). Period effects are fixed, clusters random.
    """
    X = np.asarray(X, float)
    i, t = X.shape
    u = X.sum()
    w = (X.sum(axis=0) ** 2).sum()
    v = (X.sum(axis=1) ** 2).sum()
    num = i * sigma_e2 * (sigma_e2 + t * tau2)
    den = (i * u - w) * sigma_e2 + (u**2 + i * t * u - t * w - i * v) * tau2
    if den <= 0:
        raise TwinError("the design does not identify the treatment effect", field="design", value=X.tolist())
    return float(num / den)


def gls_variance(X: np.ndarray, tau2: float, sigma_e2: float) -> float:
    """Var(theta_hat) by generalised least squares for any cluster × period design (check of H&H)."""
    X = np.asarray(X, float)
    i, t = X.shape
    vinv = (np.eye(t) - tau2 / (sigma_e2 + t * tau2) * np.ones((t, t))) / sigma_e2
    info = np.zeros((t + 1, t + 1))
    for row in X:
        z = np.column_stack([np.eye(t), row])
        info += z.T @ vinv @ z
    return float(np.linalg.inv(info)[-1, -1])


def power_stepped_wedge(effect: float | np.ndarray, clusters: int, periods: int, m: float, icc: float,
                        sigma: float = 1.0, *, alpha: float = 0.05, sequences: int | None = None,
                        X: np.ndarray | None = None) -> np.ndarray:
    """Power of a stepped-wedge trial by Hussey & Hughes (2007) (normal approximation)."""
    X = stepped_wedge_matrix(clusters, periods, sequences) if X is None else X
    tau2 = sigma**2 * icc
    sigma_e2 = sigma**2 * (1 - icc) / m
    return power_from_se(effect, np.sqrt(hussey_hughes_variance(X, tau2, sigma_e2)), alpha)


def required_clusters_closed(design: str, effect: float, m: float, icc: float, sigma: float = 1.0, *,
                             target: float = 0.8, alpha: float = 0.05, periods: int = 1,
                             sequences: int | None = None, share: float = 0.5, max_clusters: int = 10_000) -> int | None:
    """Smallest number of clusters whose closed-form power reaches ``target`` (``None`` if none does).

    Stepped wedges step in multiples of the number of sequences (equal groups).
    """
    if design == "stepped_wedge":
        s = periods - 1 if sequences is None else sequences
        for k in range(s, max_clusters + 1, s):
            if power_stepped_wedge(effect, k, periods, m, icc, sigma, alpha=alpha, sequences=s) >= target:
                return k
        return None
    for k in range(2, max_clusters + 1):
        try:
            p = power_parallel(effect, k, m, icc, sigma, alpha=alpha, share=share, periods=periods)
        except TwinError:
            continue
        if p >= target:
            return k
    return None
