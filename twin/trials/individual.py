"""Individually randomised trials run in the twin: residents, not zones, are allocated.

Allocation (:func:`allocate_residents`)
    The trial's residents (everyone, or an eligible group: ``aged_65_plus``, ``aged_75_plus``
    or a boolean column of the model's residents such as ``vulnerable_list``) are randomised
    within each zone (stratified by zone, exactly ``round(share × n)`` treated per zone) with
    the trial's allocation stream (:func:`twin.trials.designs.allocation_rng`), so allocation
    ``i`` of a trial seeded ``s`` is the same everywhere.
A trial in the twin (:func:`run_individual`)
    The intervention is applied to every trial zone and the services it adds serve only the
    treated arm (:meth:`~twin.trials.simulate.TwinTrial.place_for_residents`); the model
    (one registered with ``resident_trials``) exports each resident's totals of its counts
    (``resident_totals``), grouped per (zone, arm) with each arm's sum of squares. The same
    residents are also run on the untreated place (once per replicate; common random numbers:
    same weather, same draws) and grouped by the same arms, which gives each arm's outcome had
    nobody been treated. Their difference is the effect on the treated arm and,
    for the control arm, the **contamination**: what control residents gain or lose because
    their neighbours are treated (shared services freed or crowded, shared cooling centres).
Analysis (:func:`analyse_individual`)
    The difference in mean outcome (treated minus control, per ``per`` residents) adjusted for
    zone, the stratification factor (OLS with zone fixed effects from the zone-arm sufficient
    statistics, each zone-arm's own variance: heteroskedasticity-robust), with a normal
    reference (thousands of residents); beside it the unadjusted two-arm comparison (Welch)
    and Cochran's Q test of whether the effect differs between zones (if it does, the
    trial's answer is an average over these zones, and a mixed model over zones would be
    needed to generalise to others).
Power (:func:`individual_power`)
    The share of whole twin trials that reject "no effect", with its Wilson interval, beside
    the parametric power of the same design: the normal two-sample power at each trial's
    effect on the treated arm (the season's: replicates differ in weather, so in effect) with
    its within-arm person-level SD, averaged over the trials, and the trial residents needed
    for the target power at the mean effect.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from twin.errors import TwinError

__all__ = ["ELIGIBLE", "allocate_residents", "analyse_individual", "arm_table", "eligible_mask",
           "individual_power", "run_individual"]

#: Eligibility forms besides a boolean column of the model's residents.
ELIGIBLE = ("all", "aged_65_plus", "aged_75_plus")


def eligible_mask(residents: Any, eligible: str) -> np.ndarray:
    """Which residents may enter the trial (``all``, ``aged_65_plus``, ``aged_75_plus`` or a boolean column)."""
    if eligible == "all":
        return np.ones(len(residents), bool)
    if eligible in ("aged_65_plus", "aged_75_plus"):
        return residents.age >= int(eligible[5:7])
    col = residents.extra.get(eligible)
    if col is None or np.asarray(col).dtype != bool:
        cols = sorted(k for k, v in residents.extra.items() if np.asarray(v).dtype == bool)
        raise TwinError("unknown eligibility", field="trial.eligible", value=eligible,
                        hint="valid: " + ", ".join(list(ELIGIBLE) + cols))
    return np.asarray(col, bool)


def allocate_residents(zone: np.ndarray, eligible: np.ndarray, rng: np.random.Generator,
                       share: float = 0.5) -> np.ndarray:
    """Arm of each resident (int8: 1 treated, 0 control, -1 not in the trial), randomised within zones.

    Each zone's eligible residents are put in a random order (one uniform each, in resident
    order, from ``rng``) and the first ``round(share × n_zone)`` are treated.
    """
    zone = np.asarray(zone, np.int64)
    arm = np.full(zone.size, -1, np.int8)
    idx = np.flatnonzero(eligible)
    u = rng.random(idx.size)
    order = idx[np.lexsort((u, zone[idx]))]
    z = zone[order]
    n_zone = np.bincount(z, minlength=int(zone.max(initial=0)) + 1)
    first = np.searchsorted(z, z, side="left")
    rank = np.arange(z.size) - first
    arm[order] = (rank < np.round(share * n_zone[z])).astype(np.int8)
    return arm


def arm_table(totals: dict[str, np.ndarray], variable: str, arm: np.ndarray, zone: np.ndarray,
              zones: list[str], codes: list[str], per: float) -> Any:
    """Per (zone, arm) of the trial: residents ``n``, mean ``y`` per ``per`` and ``ss_within`` (per² units).

    ``totals``: each resident's totals over the run (the model's ``resident_totals``); ``arm``: the
    allocation; ``zones``: the trial's zone codes among the place's ``codes``.
    """
    import pandas as pd

    if variable not in totals:
        raise TwinError("outcome variable not recorded per resident", field="trial.outcome.variable", value=variable,
                        hint="valid: " + ", ".join(sorted(totals)))
    x = np.asarray(totals[variable], float) * per
    zi = np.array([codes.index(z) for z in zones])
    inside = arm >= 0
    key = np.asarray(zone, np.int64)[inside] * 2 + arm[inside]
    size = 2 * len(codes)
    n = np.bincount(key, minlength=size).reshape(-1, 2)[zi].astype(float)
    tot = np.bincount(key, weights=x[inside], minlength=size).reshape(-1, 2)[zi]
    sq = np.bincount(key, weights=x[inside] ** 2, minlength=size).reshape(-1, 2)[zi]
    mean = tot / np.maximum(n, 1)
    ss = np.maximum(sq - tot * mean, 0.0)
    rows = [(z, 0, a, mean[i, a], n[i, a], ss[i, a], z) for i, z in enumerate(zones) for a in (0, 1)]
    return pd.DataFrame(rows, columns=["cluster", "period", "treated", "y", "n", "ss_within", "stratum"])


def run_individual(tt: Any, allocation: int, replicate: int, *, eligible: str = "all",
                   share: float = 0.5) -> dict[str, Any]:
    """One individually randomised trial in the twin: arm tables of the trial and of the untreated place.

    The untreated place is run once per replicate (its residents' outcomes do not depend on the
    allocation: nobody is treated) and grouped by each allocation's arms.
    """
    from twin.run.streams import TRIAL_SPAN_OFFSET
    from twin.trials.designs import allocation_rng

    if not tt.ensemble.entry.resident_trials:
        raise TwinError("the model cannot randomise residents", field="trial.randomise", value="residents",
                        hint=f"{tt.model} records no outcomes by trial arm; randomise zones")
    res = tt.residents(replicate)
    codes = list(tt.place.zone_codes)
    in_trial = np.isin(res.zone, [codes.index(c) for c in tt.clusters])
    arm = allocate_residents(res.zone, eligible_mask(res, eligible) & in_trial, allocation_rng(tt.seed, allocation),
                             share)
    treated = tt.place_for_residents()
    days = slice(0, len(tt.time))
    key = ("individual", replicate)
    if key not in tt._cache:
        drivers = tt.ensemble.drivers(tt.place, tt.pathway, replicate)
        nobody = dataclasses.replace(res, extra={**res.extra, "trial_arm": np.zeros(len(res), np.int8)})
        _, end = tt.ensemble.run_span(tt.place, tt.pathway, replicate, days=days, span=TRIAL_SPAN_OFFSET,
                                      residents=nobody, drivers=drivers)
        tt._cache = {k: v for k, v in tt._cache.items() if k[0] != "individual"}
        tt._cache[key] = (drivers, end["resident_totals"])
    drivers, untreated = tt._cache[key]
    people = dataclasses.replace(res, extra={**res.extra, "trial_arm": arm})
    _, end = tt.ensemble.run_span(treated, tt.pathway, replicate, days=days, span=TRIAL_SPAN_OFFSET, residents=people,
                                  drivers=drivers if treated.grid is tt.place.grid else None)
    clusters = list(tt.clusters)
    out = {"trial": arm_table(end["resident_totals"], tt.variable, arm, res.zone, clusters, codes, tt.per),
           "untreated": arm_table(untreated, tt.variable, arm, res.zone, clusters, codes, tt.per)}
    if (out["trial"]["n"] < 2).any():
        raise TwinError("a zone has fewer than 2 residents in an arm", field="trial.eligible", value=eligible)
    return out


def _arm_means(t: Any) -> tuple[float, float, float, float, float, float]:
    """Pooled mean, variance and size of each arm (control, treated) from a zone-arm table."""
    out = []
    for a in (0, 1):
        g = t[t["treated"] == a]
        n = g["n"].to_numpy(float)
        m = float((g["y"] * n).sum() / n.sum())
        ss = float((g["ss_within"] + n * (g["y"] - m) ** 2).sum())
        out += [m, ss / (n.sum() - 1), float(n.sum())]
    return tuple(out)  # type: ignore[return-value]


def analyse_individual(table: Any, alpha: float = 0.05) -> Any:
    """Treated minus control in one individually randomised trial: zone-adjusted and unadjusted rows."""
    import pandas as pd
    from scipy import stats

    from twin.trials.analysis import COLUMNS

    t = table.sort_values(["cluster", "treated"])
    c, tr = t[t["treated"] == 0], t[t["treated"] == 1]
    n0, n1 = c["n"].to_numpy(float), tr["n"].to_numpy(float)
    v0 = c["ss_within"].to_numpy(float) / np.maximum(n0 - 1, 1)
    v1 = tr["ss_within"].to_numpy(float) / np.maximum(n1 - 1, 1)
    d = tr["y"].to_numpy(float) - c["y"].to_numpy(float)
    vd = v1 / n1 + v0 / n0
    w = n1 * n0 / (n1 + n0)
    est = float((w * d).sum() / w.sum())
    se = float(np.sqrt((w**2 * vd).sum()) / w.sum())
    ok = vd > 0
    k = int(ok.sum())
    if k > 1:
        wi = 1 / vd[ok]
        q = float((wi * (d[ok] - (wi * d[ok]).sum() / wi.sum()) ** 2).sum())
        q_p, i2 = float(stats.chi2.sf(q, k - 1)), max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    else:
        q_p, i2 = float("nan"), float("nan")
    m0, var0, nn0, m1, var1, nn1 = _arm_means(t)
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for label, e, s in (("difference in means, zone-stratified (zone fixed effects, robust variance)", est, se),
                        ("difference in means, unadjusted (Welch)", m1 - m0, float(np.sqrt(var1 / nn1 + var0 / nn0)))):
        p = float(2 * stats.norm.sf(abs(e / s))) if s > 0 else float("nan")
        rows.append({"method": label, "design": "individual", "estimate": e, "se": s, "ci_low": e - z * s,
                     "ci_high": e + z * s, "p_value": p, "icc": float("nan"), "icc_low": float("nan"),
                     "icc_high": float("nan"), "icc_method": "", "n_clusters": t["cluster"].nunique(),
                     "cluster_size": float((n0.sum() + n1.sum()) / len(n0)), "periods": 1, "alpha": alpha,
                     "effect_heterogeneity_p": q_p, "effect_heterogeneity_i2": i2, "n_treated": nn1,
                     "n_control": nn0})
    return pd.DataFrame(rows, columns=COLUMNS + ["effect_heterogeneity_p", "effect_heterogeneity_i2", "n_treated",
                                                 "n_control"])


def individual_power(trials: list[dict[str, Any]], *, alpha: float = 0.05, target: float = 0.8,
                     share: float = 0.5) -> dict[str, Any]:
    """Power from whole twin trials beside the parametric power of the same design (see module notes).

    ``trials``: what :func:`run_individual` returned, one per trial. Returns the twin's power
    (share rejecting at ``alpha``, Wilson interval), the effect on the treated arm and the
    contamination of the control arm (means over trials, with their SDs), the within-zone SD,
    the parametric power at the twin's effect and the trial residents needed for ``target``.
    """
    from scipy import stats

    from twin.trials.closed_form import power_from_se
    from twin.trials.power import wilson_interval

    est = [analyse_individual(t["trial"], alpha).iloc[0] for t in trials]
    reject = sum(bool(r.p_value < alpha) for r in est)
    lo, hi = wilson_interval(reject, len(trials), 0.95)
    effect, spill, sd, pw = [], [], [], []
    n1, n0 = float(est[0].n_treated), float(est[0].n_control)
    for t in trials:
        tr, un = t["trial"].set_index(["cluster", "treated"]), t["untreated"].set_index(["cluster", "treated"])
        diff = (tr["y"] - un["y"]) * tr["n"]
        effect.append(float(diff.xs(1, level="treated").sum() / tr["n"].xs(1, level="treated").sum()))
        spill.append(float(diff.xs(0, level="treated").sum() / tr["n"].xs(0, level="treated").sum()))
        sd.append(float(np.sqrt(tr["ss_within"].sum() / (tr["n"] - 1).sum())))
        se_i = sd[-1] * np.sqrt(1 / n1 + 1 / n0)
        pw.append(float(power_from_se(effect[-1], se_i, alpha)) if se_i > 0 else 0.0)  # nothing varied: no test
    delta, sigma = float(np.mean(effect)), float(np.sqrt(np.mean(np.square(sd))))
    se = sigma * np.sqrt(1 / n1 + 1 / n0)
    zz = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(target)
    needed = int(np.ceil(zz**2 * sigma**2 / (delta**2 * share * (1 - share)))) if delta else None
    return {
        "trials": len(trials), "power_twin": reject / len(trials), "power_twin_interval": [float(lo), float(hi)],
        "power_parametric": float(np.mean(pw)), "power_parametric_at_mean_effect": float(power_from_se(delta, se, alpha)),
        "effect_on_treated": delta,
        "effect_sd_between_trials": float(np.std(effect, ddof=1)) if len(effect) > 1 else 0.0,
        "contamination_of_controls": float(np.mean(spill)),
        "contamination_sd_between_trials": float(np.std(spill, ddof=1)) if len(spill) > 1 else 0.0,
        "sigma_within": sigma, "n_treated": n1, "n_control": n0, "se_parametric": float(se),
        "mean_estimate": float(np.mean([r.estimate for r in est])),
        "sd_estimate": float(np.std([r.estimate for r in est], ddof=1)) if len(est) > 1 else float("nan"),
        "mean_se": float(np.mean([r.se for r in est])), "residents_needed": needed, "estimates": est,
    }
