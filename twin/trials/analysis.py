"""Analysing a trial as a trialist would: effect, standard error, ICC, in one tidy table.

Data
----
A trial's data is a tidy cluster × period table (:func:`summarise_individuals` makes one
from person-level rows): ``cluster``, ``period``, ``treated`` (0/1), ``y`` (mean outcome of
the people measured, e.g. per 1,000 residents), ``n`` (people measured) and optionally
``ss_within`` (their sum of squared deviations about ``y``; lets the ICC be estimated) and
``stratum``. With equal cluster sizes the analysis of cluster-period means gives the same
effect estimate as the person-level model.

Methods (:func:`analyse`)
-------------------------
``mixed``
    statsmodels ``MixedLM``: ``y ~ treated + C(period) [+ C(stratum)]`` with a random
    intercept per cluster (REML), the time-adjusted model of Hussey & Hughes (2007) for a
    stepped wedge; Wald z. With one period (a parallel trial) each cluster has one mean and
    the model reduces to the cluster-level regression (``cluster_level``).
``cluster_robust``
    OLS with the same fixed effects and cluster-robust (sandwich) standard errors,
    ``cov_type="cluster"``, t reference on clusters - 1 df.
``cluster_level``
    OLS on cluster means (stratum-adjusted), t on clusters - 1 - strata df (Hayes & Moulton
    2017: the robust choice with few clusters).

The fast vectorised estimators used for power (:func:`fast_parallel`,
:func:`fast_stepped_wedge`) compute the cluster-level t-test and the feasible-GLS random-
effects (Hussey & Hughes) estimate for thousands of simulated trials at once; a test checks
them against statsmodels.

ICC (:func:`icc_anova`): ANOVA (method-of-moments) estimator. The between-cluster variance
comes from cluster-mean residuals after the fixed effects, the within variance from
``ss_within`` (pooled) or, without it, from the cluster-period residuals (x mean cluster size).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.errors import TwinError

__all__ = [
    "COLUMNS",
    "analyse",
    "fast_parallel",
    "fast_stepped_wedge",
    "icc_anova",
    "summarise_individuals",
]

#: Columns of the tidy analysis table.
COLUMNS = ["method", "design", "estimate", "se", "ci_low", "ci_high", "p_value", "icc", "icc_low", "icc_high",
           "icc_method",
           "n_clusters", "cluster_size", "periods", "alpha"]


def summarise_individuals(df: Any, outcome: str = "y") -> Any:
    """Cluster × period summary (y, n, ss_within) of person-level rows (cluster, period, treated, outcome)."""
    import pandas as pd

    keys = ["cluster", "period", "treated"] + (["stratum"] if "stratum" in df else [])
    g = df.groupby(keys, sort=True, observed=True)[outcome]
    out = pd.DataFrame({"y": g.mean(), "n": g.size(), "ss_within": g.var(ddof=0) * g.size()}).reset_index()
    return out


def _check(df: Any) -> None:
    missing = [c for c in ("cluster", "period", "treated", "y") if c not in df]
    if missing:
        raise TwinError("trial data lacks a column", field=missing[0], value=list(df.columns),
                        hint="needs cluster, period, treated, y (and n, ss_within, stratum if known)")
    if df["treated"].nunique() < 2:
        raise TwinError("trial data has no contrast: every cluster-period is in the same arm", field="treated",
                        value=int(df["treated"].iloc[0]))


def _formula(df: Any) -> str:
    rhs = ["treated"]
    if df["period"].nunique() > 1:
        rhs.append("C(period)")
    if "stratum" in df and df["stratum"].nunique() > 1:
        rhs.append("C(stratum)")
    return "y ~ " + " + ".join(rhs)


def icc_anova(df: Any) -> tuple[float, float, float]:
    """ANOVA estimate of ``(icc, tau2, sigma_w2)`` from a cluster × period table.

    ``tau2`` is the between-cluster variance and ``sigma_w2`` the person-level within-
    cluster variance (``nan`` when neither ``ss_within`` nor two periods are available).
    """
    import statsmodels.formula.api as smf

    d = df.assign(treated=df["treated"].astype(float))
    n = d["n"].to_numpy(float) if "n" in d else np.ones(len(d))
    m_bar = float(np.mean(n))
    k = d["cluster"].nunique()
    p_bar = len(d) / k
    fixed = smf.ols(_formula(d), d).fit()
    r = fixed.resid.groupby(d["cluster"]).mean()
    # dof: clusters minus the cluster-level fixed parameters (intercept, and treatment if it is between clusters)
    between_x = d.groupby("cluster")["treated"].nunique().max() == 1
    n_strata = d["stratum"].nunique() if "stratum" in d else 1
    dof_b = k - n_strata - (1 if between_x else 0)
    msb = p_bar * float((r**2).sum()) / max(dof_b, 1)
    if "ss_within" in d and np.all(n > 1):
        sigma_w2 = float(d["ss_within"].sum() / (n - 1).sum())
        sigma_e2 = sigma_w2 / m_bar
        df_w = float((n - 1).sum())
        how = "anova (within from ss_within)"
    elif d["period"].nunique() > 1:
        fe = smf.ols(_formula(d.drop(columns=["stratum"], errors="ignore")) + " + C(cluster)", d).fit()
        sigma_e2 = float(fe.scale)
        sigma_w2 = sigma_e2 * m_bar
        df_w = float(fe.df_resid)
        how = "anova (within from cluster-period residuals)"
    else:
        return float("nan"), max(0.0, msb), float("nan")
    tau2 = max(0.0, (msb - sigma_e2) / p_bar)
    icc = tau2 / (tau2 + sigma_w2) if tau2 + sigma_w2 > 0 else 0.0
    icc_anova.last_method = how  # type: ignore[attr-defined]
    icc_anova.last_interval = _icc_interval(msb, sigma_e2, dof_b, df_w, m_bar * p_bar)  # type: ignore[attr-defined]
    return float(icc), tau2, sigma_w2


def _icc_interval(msb: float, sigma_e2: float, df_b: float, df_w: float, n0: float,
                  level: float = 0.95) -> tuple[float, float]:
    """F-based interval of the ICC (Searle 1971, one-way random effects; ``n0`` people per cluster).

    ``msb / sigma_e2`` is ``(1 + R) F(df_b, df_w)`` with ``R = n0 icc / (1 - icc)``.
    """
    from scipy import stats

    if not (sigma_e2 > 0 and df_b >= 1 and df_w >= 1):
        return (float("nan"), float("nan"))
    f = msb / sigma_e2
    a = (1 - level) / 2
    r_lo = max(0.0, f / stats.f.ppf(1 - a, df_b, df_w) - 1)
    r_hi = max(0.0, f / stats.f.ppf(a, df_b, df_w) - 1)
    return (r_lo / (n0 + r_lo), r_hi / (n0 + r_hi))


def analyse(df: Any, *, design: str = "", method: str = "auto", alpha: float = 0.05) -> Any:
    """Effect of treatment in one trial's data: a one-row tidy table (see :data:`COLUMNS`).

    ``method``: ``auto`` (mixed for a stepped wedge; cluster-level for one period; else
    cluster-robust), ``mixed``, ``cluster_robust``, ``cluster_level`` or ``all`` (one row each).
    """
    import pandas as pd

    _check(df)
    if method == "all":
        if _varies_within(df):
            methods = ["mixed", "cluster_robust"]
        else:
            methods = ["cluster_level", "cluster_robust"] + (["mixed"] if df["period"].nunique() > 1 else [])
        return pd.concat([analyse(df, design=design, method=mm, alpha=alpha) for mm in methods], ignore_index=True)
    periods = df["period"].nunique()
    if method == "auto":
        method = "mixed" if design == "stepped_wedge" or periods > 1 and _varies_within(df) else (
            "cluster_level" if design != "individual" else "cluster_robust")
    try:
        icc_anova.last_interval = (float("nan"), float("nan"))  # type: ignore[attr-defined]
        icc, _tau2, _sw = icc_anova(df)
        icc_how = getattr(icc_anova, "last_method", "anova")
        icc_lo, icc_hi = icc_anova.last_interval  # type: ignore[attr-defined]
    except (ValueError, np.linalg.LinAlgError):
        icc, icc_how, icc_lo, icc_hi = float("nan"), "anova (failed)", float("nan"), float("nan")
    if method == "mixed" and (periods == 1 or not _varies_within(df)):
        method_used = "cluster_level"
    else:
        method_used = method
    if method_used == "mixed":
        est, se, lo, hi, p, icc_mm = _mixed(df, alpha)
        if np.isnan(icc) and not np.isnan(icc_mm):
            icc, icc_how = icc_mm, "mixed model"
        label = "mixed model (period fixed effects, cluster random intercept; Hussey & Hughes)"
    elif method_used == "cluster_robust":
        est, se, lo, hi, p = _robust(df, alpha, design)
        label = "OLS, cluster-robust SE" if design != "individual" else "OLS, HC1 robust SE"
    elif method_used == "cluster_level":
        est, se, lo, hi, p = _cluster_level(df, alpha)
        label = "cluster-level OLS on cluster means, t test"
    else:
        raise TwinError("unknown analysis method", field="method", value=method,
                        hint="valid: auto, mixed, cluster_robust, cluster_level, all")
    n = df["n"].to_numpy(float) if "n" in df else np.ones(len(df))
    row = {"method": label, "design": design, "estimate": est, "se": se, "ci_low": lo, "ci_high": hi,
           "p_value": p, "icc": icc, "icc_low": icc_lo, "icc_high": icc_hi, "icc_method": icc_how, "n_clusters": df["cluster"].nunique(),
           "cluster_size": float(np.mean(n)), "periods": periods, "alpha": alpha}
    return pd.DataFrame([row], columns=COLUMNS)


def _varies_within(df: Any) -> bool:
    return bool((df.groupby("cluster")["treated"].nunique() > 1).any())


def _mixed(df: Any, alpha: float) -> tuple[float, ...]:
    import warnings

    import statsmodels.formula.api as smf
    from scipy import stats

    d = df.assign(treated=df["treated"].astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary (tau2 = 0) and convergence notes: the estimate stands
        res = smf.mixedlm(_formula(d), d, groups=d["cluster"]).fit(reml=True)
        est, se = float(res.fe_params["treated"]), float(res.bse_fe["treated"])
    z = stats.norm.ppf(1 - alpha / 2)
    p = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else float("nan")
    tau2 = float(np.asarray(res.cov_re)[0, 0])
    m = float(d["n"].mean()) if "n" in d else 1.0
    sigma_w2 = float(res.scale) * m
    icc = tau2 / (tau2 + sigma_w2) if tau2 + sigma_w2 > 0 else float("nan")
    return est, se, est - z * se, est + z * se, p, icc


def _robust(df: Any, alpha: float, design: str) -> tuple[float, ...]:
    import statsmodels.formula.api as smf

    d = df.assign(treated=df["treated"].astype(float))
    model = smf.ols(_formula(d), d)
    if design == "individual":
        res = model.fit(cov_type="HC1", use_t=True)
    else:
        groups = d["cluster"].astype("category").cat.codes.to_numpy()
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    lo, hi = res.conf_int(alpha).loc["treated"]
    return float(res.params["treated"]), float(res.bse["treated"]), float(lo), float(hi), float(res.pvalues["treated"])


def _cluster_level(df: Any, alpha: float) -> tuple[float, ...]:
    import statsmodels.formula.api as smf

    keys = ["cluster"] + (["stratum"] if "stratum" in df and df["stratum"].nunique() > 1 else [])
    means = df.assign(treated=df["treated"].astype(float)).groupby(keys, observed=True).agg(
        y=("y", "mean"), treated=("treated", "mean")).reset_index()
    formula = "y ~ treated" + (" + C(stratum)" if "stratum" in means else "")
    res = smf.ols(formula, means).fit()
    lo, hi = res.conf_int(alpha).loc["treated"]
    return float(res.params["treated"]), float(res.bse["treated"]), float(lo), float(hi), float(res.pvalues["treated"])


# --- fast vectorised estimators for many simulated trials ----------------------------------
def fast_parallel(y: np.ndarray, x: np.ndarray, strata: np.ndarray | None = None,
                  ss_within: np.ndarray | None = None, n: float = 1.0) -> tuple[np.ndarray, ...]:
    """Cluster-level (stratum-adjusted) OLS for many trials at once.

    ``y``: (n_sim, k, P) cluster-period means; ``x``: (n_sim, k) 0/1 arm (constant over
    periods); ``strata``: (k,) integer codes. Returns ``(estimate, se, df, icc)`` arrays;
    ``icc`` needs ``ss_within`` (n_sim, k, P) and the people per cluster-period ``n``.
    """
    yc = y.mean(axis=2)
    x = x.astype(float)
    k = yc.shape[1]
    codes = np.zeros(k, int) if strata is None else np.unique(np.asarray(strata), return_inverse=True)[1]
    n_strata = int(codes.max()) + 1
    ytil, xtil = yc.copy(), x.copy()
    for s in range(n_strata):
        m = codes == s
        ytil[:, m] -= yc[:, m].mean(axis=1, keepdims=True)
        xtil[:, m] -= x[:, m].mean(axis=1, keepdims=True)
    sxx = (xtil**2).sum(axis=1)
    est = (xtil * ytil).sum(axis=1) / sxx
    resid = ytil - est[:, None] * xtil
    dof = k - n_strata - 1
    s2 = (resid**2).sum(axis=1) / dof
    se = np.sqrt(s2 / sxx)
    icc = np.full(est.shape, np.nan)
    if ss_within is not None and n > 1:
        periods = y.shape[2]
        sigma_w2 = ss_within.sum(axis=(1, 2)) / (k * periods * (n - 1))
        tau2 = np.maximum(0.0, s2 - sigma_w2 / (n * periods))
        icc = tau2 / (tau2 + sigma_w2)
    return est, se, np.full(est.shape, float(dof)), icc


def fast_stepped_wedge(y: np.ndarray, x: np.ndarray, ss_within: np.ndarray | None = None,
                       n: float = 1.0, mask: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Feasible-GLS random-effects estimate (Hussey & Hughes model) for many trials at once.

    ``y``, ``x``, ``mask``: (n_sim, k, P). See :func:`twin.trials.fgls.fgls`: variance components
    by moments, GLS by quasi-demeaning, a Kackar-Harville variance and Satterthwaite degrees of
    freedom. Returns ``(estimate, se, df, icc)``: refer ``estimate / se`` to t on ``df``.
    """
    from twin.trials.fgls import fgls

    n_sim, k, p = np.shape(y)
    chunk = max(1, 4_000_000 // max(k * p * (p + 1), 1))  # bound the (trials, cells, P + 1) arrays
    parts = []
    for a in range(0, n_sim, chunk):
        sl = slice(a, a + chunk)
        mk = None if mask is None else np.broadcast_to(mask, np.shape(y))[sl]
        r = fgls(y[sl], np.broadcast_to(x, np.shape(y))[sl], mk, None if ss_within is None else ss_within[sl], n)
        parts.append((r["estimate"], r["se"], r["df"], r["icc"]))
    return tuple(np.concatenate(c) for c in zip(*parts))
