"""Power by simulation, with Monte Carlo intervals and the closed-form line beside it.

:func:`power` simulates ``n_sim`` trials at every design point (effect size × number of
clusters × cluster size × periods) from an :class:`~twin.trials.parametric.OutcomeModel`,
analyses each with the fast estimator of its design (cluster-level t test for parallel and
stratified trials; feasible-GLS Hussey & Hughes model, Wald z, for a stepped wedge), and
reports the share of trials rejecting "no effect" at ``alpha`` with a Wilson interval. All
design points share the same draws (common random numbers), so the curves are smooth and,
over effect sizes, monotone for a fixed seed.

The ``closed_form`` column is the normal-approximation power (design effect
``1 + (m - 1) ICC`` for parallel trials, Hussey & Hughes 2007 for a stepped wedge), and
``closed_form_t`` the parallel power with a t reference on ``clusters - 2`` df (the
simulation's own test: agreement within Monte Carlo error is what the tests check).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from twin.errors import TwinError
from twin.trials import closed_form as cf
from twin.trials.analysis import fast_parallel, fast_stepped_wedge
from twin.trials.fgls import window_mask
from twin.trials.parametric import Draws, OutcomeModel, allocations, simulate_parametric
from twin.trials.variance import gls_se

__all__ = ["closed_needed", "power", "required_clusters", "wilson_interval"]


def wilson_interval(successes: np.ndarray | int, n: int, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a binomial proportion (see :func:`twin.analysis.stats.wilson_interval`)."""
    from twin.analysis.stats import wilson_interval as _wilson

    return _wilson(successes, n, level)


def _list(v: Any) -> list:
    if v is None:
        return [None]
    if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
        return [v]
    return list(v)


def power(design: str = "parallel", *, effects: float | Sequence[float], clusters: int | Sequence[int],
          cluster_size: float | Sequence[float] | None = None, periods: int | Sequence[int] = 1,
          icc: float | None = None, sigma: float = 1.0, model: OutcomeModel | None = None, n_sim: int = 500,
          alpha: float = 0.05, seed: int = 0, share: float = 0.5, strata: Sequence[str] | None = None,
          sequences: int | None = None, level: float = 0.95, reference: str = "auto",
          window: dict[str, Any] | None = None) -> Any:
    """Simulated power of a trial design over a grid of design points.

    Parameters
    ----------
    design
        ``individual``, ``parallel``, ``stratified`` or ``stepped_wedge``.
    effects, clusters, cluster_size, periods
        Scalars or lists; every combination is a design point. ``cluster_size`` defaults to
        the model's (1 for ``individual``: each cluster is a person).
    icc, sigma
        Outcome model when ``model`` is not given: ICC and total person-level SD.
    model
        :class:`OutcomeModel` (e.g. estimated from the twin); its ``effect`` is ignored here.
    n_sim
        Simulated trials per design point.
    strata
        Stratum label per cluster (cycled to the number of clusters).
    sequences
        Stepped wedge: groups crossing over (default ``periods - 1``).
    reference
        Distribution of the test statistic: ``auto`` or ``t`` (t on clusters - 1 - strata df for
        parallel trials; for a stepped wedge, t on each trial's Satterthwaite df with a
        Kackar-Harville variance, :mod:`twin.trials.fgls`) or ``normal`` (Wald z).
    window
        Stepped wedge: measured cells, ``{"before": int, "after": int, "transition": bool}``
        (:func:`twin.trials.fgls.window_mask`): an incomplete or staggered design.

    Returns
    -------
    pandas.DataFrame, one row per design point: design, effect, n_clusters, cluster_size,
    periods, icc, n_sim, power, power_lo, power_hi (Wilson, ``level``), power_normal (the same
    trials judged by a Wald z), closed_form, closed_form_t, mean_estimate, sd_estimate, mean_se,
    coverage, median_df, mean_icc_hat, seconds.
    """
    import time

    import pandas as pd
    from scipy import stats

    if design not in ("individual", "parallel", "stratified", "stepped_wedge"):
        raise TwinError("unknown design", field="design", value=design,
                        hint="valid: individual, parallel, stratified, stepped_wedge")
    if model is None:
        model = OutcomeModel.from_icc(0.0 if icc is None else icc, sigma, cluster_size=1.0, source="icc, sigma")
    effects_l = [float(e) for e in _list(effects)]
    ks = [int(k) for k in _list(clusters)]
    ms = [float(model.cluster_size if m is None else m) for m in _list(cluster_size)]
    if design == "individual":
        ms = [1.0]
    ps = [int(p) for p in _list(periods)]
    if design == "stepped_wedge" and min(ps) < 2:
        raise TwinError("a stepped wedge needs at least 2 periods", field="periods", value=min(ps))
    if min(ks) < 2:
        raise TwinError("a trial needs at least 2 clusters", field="clusters", value=min(ks))
    draws = Draws(seed, n_sim, max(ks), max(ps))
    rows = []
    for k in ks:
        for p in ps:
            x = allocations(design, k, p, n_sim, seed, share=share, strata=strata, sequences=sequences)
            if design != "stepped_wedge" and (x.all(axis=1).any() or (~x).all(axis=1).any()):
                raise TwinError("an allocation left an arm empty: more clusters needed", field="clusters", value=k)
            for m in ms:
                base = simulate_parametric(model, x, draws, effect=0.0, cluster_size=m)
                t0 = time.perf_counter()
                if design == "stepped_wedge":
                    mask = None if not window else window_mask(x, **window)
                    est0, se, dof, icc_hat = fast_stepped_wedge(base["y"], x, base.get("ss_within"), m, mask)
                else:
                    st = None if strata is None or design != "stratified" else [strata[i % len(strata)] for i in range(k)]
                    est0, se, dof, icc_hat = fast_parallel(base["y"], x[:, :, 0], st, base.get("ss_within"), m)
                crit = (np.full(dof.shape, stats.norm.ppf(1 - alpha / 2)) if reference == "normal"
                        else stats.t.ppf(1 - alpha / 2, dof))
                secs = time.perf_counter() - t0
                for eff in effects_l:
                    est = est0 + eff  # linear in the effect: same draws, same SEs (CRN)
                    reject = np.abs(est) > crit * se
                    reject_z = np.abs(est) > stats.norm.ppf(1 - alpha / 2) * se
                    lo, hi = wilson_interval(int(reject.sum()), n_sim, level)
                    cover = np.mean(np.abs(est - eff) <= crit * se)
                    closed, closed_t = _closed(design, eff, k, m, p, model, alpha, share, sequences, window)
                    rows.append({
                        "design": design, "effect": eff, "n_clusters": k, "cluster_size": m, "periods": p,
                        "icc": model.icc, "n_sim": n_sim, "power": float(reject.mean()), "power_lo": float(lo),
                        "power_hi": float(hi), "power_normal": float(reject_z.mean()), "closed_form": closed, "closed_form_t": closed_t,
                        "mean_estimate": float(est.mean()), "sd_estimate": float(est.std(ddof=1)),
                        "mean_se": float(se.mean()), "coverage": float(cover), "median_df": float(np.median(dof)),
                        "mean_icc_hat": float(np.nanmean(icc_hat)) if np.isfinite(icc_hat).any() else float("nan"),
                        "seconds": secs / len(effects_l),
                    })
    return pd.DataFrame(rows)


def _closed(design: str, eff: float, k: int, m: float, p: int, model: OutcomeModel, alpha: float, share: float,
            sequences: int | None, window: dict[str, Any] | None = None) -> tuple[float, float]:
    sigma, icc = model.sigma, model.icc
    try:
        if design == "stepped_wedge" and (window or model.eta or model.gamma):
            X = cf.stepped_wedge_matrix(k, p, sequences)
            se = gls_se(X, m, model.sigma_w**2, tau=model.tau, eta=model.eta, gamma=model.gamma,
                        mask=None if not window else window_mask(X, **window))
            return float(cf.power_from_se(eff, se, alpha)), float("nan")
        if design == "stepped_wedge":
            v = float(cf.power_stepped_wedge(eff, k, p, m, icc, sigma, alpha=alpha, sequences=sequences))
            return v, float("nan")
        norm = float(cf.power_parallel(eff, k, m, icc, sigma, alpha=alpha, share=share, periods=p))
        t = float(cf.power_parallel(eff, k, m, icc, sigma, alpha=alpha, share=share, periods=p, df=k - 2))
        return norm, t
    except TwinError:
        return float("nan"), float("nan")


def closed_needed(design: str, effect: float, m: float, periods: int, model: OutcomeModel, *, alpha: float = 0.05,
                  share: float = 0.5, sequences: int | None = None, window: dict[str, Any] | None = None,
                  target: float = 0.8, max_clusters: int = 5000) -> int | None:
    """Smallest number of clusters whose closed-form power reaches ``target`` (``None`` up to ``max_clusters``).

    Doubling then bisection on the grid of whole sequences (power rises with clusters).
    """
    step = (periods - 1 if sequences is None else sequences) if design == "stepped_wedge" else 1
    k = step if step > 1 else 2

    def cf_power(kk: int) -> float:
        v = _closed(design, effect, kk, m, periods, model, alpha, share, sequences, window)[0]
        return -1.0 if np.isnan(v) else v

    top = max_clusters // step * step
    hi = k
    while hi < top and cf_power(hi) < target:
        hi = min(hi * 2, top)
    if cf_power(hi) < target:
        return None
    lo = max(k, hi // 2 // step * step)
    if cf_power(lo) >= target:
        return lo
    while hi - lo > step:
        mid = (lo + hi) // 2 // step * step
        if cf_power(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi


def _candidates(step: int, lo: int, hi: int) -> list[int]:
    first = max(step, 2 if step == 1 else step, (lo // step) * step)
    return list(range(first, max(hi, first) + 1, step))


def required_clusters(design: str = "parallel", *, effect: float, cluster_size: float | None = None,
                      icc: float | None = None, sigma: float = 1.0, model: OutcomeModel | None = None,
                      periods: int = 1, target: float = 0.8, alpha: float = 0.05, n_sim: int = 1000,
                      seed: int = 0, share: float = 0.5, strata: Sequence[str] | None = None,
                      sequences: int | None = None, max_clusters: int = 5000,
                      window: dict[str, Any] | None = None, n_points: int = 4) -> dict[str, Any]:
    """Smallest number of clusters reaching ``target`` power, by closed form and by simulation.

    Candidates step by the number of sequences for a stepped wedge (equal groups) and by 1
    otherwise. The closed form (normal approximation; GLS with ``eta``, ``gamma`` or a
    ``window``) is scanned up to ``max_clusters``; the simulation (t reference) scans about
    ``n_points`` candidates from 0.6 to 1.5 times the closed-form answer with common random
    numbers. ``simulated_interval`` brackets the simulated answer by Monte Carlo error: the
    smallest count whose 95 % Wilson upper bound reaches the target, and the smallest whose
    lower bound does (``None`` where no scanned count qualifies).

    Returns
    -------
    dict: ``closed_form``, ``simulated`` (clusters or None), ``simulated_interval`` (lo, hi),
    ``table`` (the scanned power curve, a DataFrame).
    """
    if model is None:
        model = OutcomeModel.from_icc(0.0 if icc is None else icc, sigma, cluster_size=1.0)
    m = float(model.cluster_size if cluster_size is None else cluster_size)
    step = (periods - 1 if sequences is None else sequences) if design == "stepped_wedge" else 1
    closed = closed_needed(design, effect, m, periods, model, alpha=alpha, share=share, sequences=sequences,
                           window=window, target=target, max_clusters=max_clusters)
    k = step if step > 1 else 2
    if closed is None:
        cands = _candidates(step, k, min(max_clusters, 40 * step))
    else:
        # a fine grid (about 3 % of the answer) around the closed form, and a coarse one from 0.6 to 1.5 times it
        fine = max(step, int(round(0.03 * closed / step)) * step)
        near = [closed + j * fine for j in range(-2, 5)]
        far = [int(f * closed) // step * step for f in np.linspace(0.6, 1.5, max(n_points, 2))]
        cands = sorted({c for c in near + far if k <= c <= max_clusters})
    cands = cands[:60]
    table = power(design, effects=effect, clusters=cands, cluster_size=m, periods=periods, model=model,
                  n_sim=n_sim, alpha=alpha, seed=seed, share=share, strata=strata, sequences=sequences,
                  window=window)
    def first(col: str) -> int | None:
        ok = table[table[col] >= target]
        return int(ok["n_clusters"].min()) if len(ok) else None
    return {"closed_form": closed, "simulated": first("power"),
            "simulated_interval": (first("power_hi"), first("power_lo")), "table": table}
