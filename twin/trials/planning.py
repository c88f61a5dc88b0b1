"""From the twin's prediction to a trial plan: measurement, heterogeneity, power and clusters needed.

The twin (stage 1, :func:`twin.trials.simulate.estimate_outcome_model`) predicts the baseline
outcome and the intervention's effect in each zone. What a trial can detect also depends on
things the twin does not know, which the ``trial:`` section states:

Measurement (:class:`~twin.trials.spec.MeasurementSpec`)
    ``survey``: ``sample × response_rate`` residents answer per cluster and period, so a
    cluster-period mean has variance ``sigma_w^2 / (sample × response_rate)``;
    ``routine``: every resident is recorded and the zone's residents are the cluster size.
Person-level variance (``outcome.type``)
    binary ``per^2 p (1 - p)`` with ``p = mean / per``; count ``per × mean`` (Poisson);
    continuous: the twin's residual variance.
Heterogeneity (:class:`~twin.trials.spec.HeterogeneitySpec`)
    between clusters: ``tau = between_cv × mean`` (Hayes & Bennett 1999's coefficient of
    variation; 0.2 by default, 0.1-0.3 reported as the interval), or from ``icc``, or the
    twin's zones (``source: twin``); of the effect: ``eta = effect_cv × |effect|`` (swCRTdesign's
    random intervention effect); a cluster-period effect ``gamma = cluster_period_cv × mean``.

:func:`plan_model` builds the :class:`~twin.trials.parametric.OutcomeModel`; :func:`power_at`
and :func:`clusters_needed` give the numbers a trialist asks for, each with an interval
(Monte Carlo and over the plausible heterogeneity), for printing by ``twin trial``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from twin.errors import TwinError
from twin.trials.parametric import OutcomeModel

__all__ = ["clusters_needed", "icc_from_cv", "plan_model", "power_at"]


def _sigma_w2(twin: OutcomeModel, outcome_type: str, per: float) -> float:
    mean = max(float(twin.mean), 0.0)
    if outcome_type == "binary":
        p = mean / per
        if not 0 < p < 1:
            raise TwinError("a binary outcome must be a share of residents between 0 and per",
                            field="trial.outcome.type", value=f"mean {mean:g} per {per:g}",
                            hint="use type: count for events that can exceed one per resident")
        return per**2 * p * (1 - p)
    if outcome_type == "count":
        return per * mean if mean > 0 else twin.sigma_w**2
    return twin.sigma_w**2


def icc_from_cv(cv: float, mean: float, sigma_w2: float) -> float:
    """ICC of a person-level outcome whose clusters' true means vary with coefficient of variation ``cv``."""
    tau2 = (cv * mean) ** 2
    return float(tau2 / (tau2 + sigma_w2)) if tau2 + sigma_w2 > 0 else 0.0


def plan_model(twin: OutcomeModel, spec: Any) -> tuple[OutcomeModel, dict[str, Any]]:
    """The outcome model a trial is planned with, and a description (ICC with its interval, sources).

    ``twin``: stage-1 estimate; ``spec``: the :class:`~twin.trials.spec.TrialSpec`.
    """
    per = spec.outcome.per
    het = spec.heterogeneity
    sigma_w2 = _sigma_w2(twin, spec.outcome.type, per)
    mean = float(twin.mean)
    if spec.cluster_size is not None:
        m, how = float(spec.cluster_size), f"{spec.cluster_size} people per cluster-period (cluster_size)"
    elif spec.measurement.method == "survey":
        m = spec.measurement.respondents
        how = (f"survey: {spec.measurement.sample} approached x {spec.measurement.response_rate:.0%} response = "
               f"{m:g} respondents per cluster-period")
    else:
        m = float(twin.extra.get("mean_residents", twin.cluster_size))
        how = f"routine records: every resident ({m:,.0f} per zone on average)"
    twin_tau2 = twin.tau**2
    if het.source == "twin":
        tau2, icc_src = twin_tau2, "the twin's zones (stage 1)"
        lo_hi = _twin_icc_interval(twin, sigma_w2)
    elif het.icc is not None:
        tau2 = het.icc / (1 - het.icc) * sigma_w2
        icc_src = f"given ICC {het.icc:g}"
        lo_hi = (het.icc, het.icc)
    else:
        cv = het.between_cv if het.between_cv is not None else 0.0
        tau2 = (cv * mean) ** 2
        icc_src = f"between-cluster CV {cv:g} (Hayes & Bennett 1999; docs/sources.md)"
        lo_hi = tuple(icc_from_cv(c, mean, sigma_w2) for c in het.between_cv_range)
    if het.effect_cv == "twin":
        sd = float(twin.extra.get("effect_sd_between_clusters", 0.0))
        effect_cv = sd / abs(twin.effect) if twin.effect else 0.0
        eff_src = "the spread of the zones' paired effects in the twin"
    else:
        effect_cv, eff_src = float(het.effect_cv), "given"
    model = replace(twin, sigma_w=float(np.sqrt(sigma_w2)), tau=float(np.sqrt(tau2)), cluster_size=float(m),
                    eta=float(effect_cv * abs(twin.effect)), gamma=float(het.cluster_period_cv * abs(mean)),
                    source=f"{twin.source}; measurement: {how}; between clusters: {icc_src}")
    info = {
        "outcome_type": spec.outcome.type, "measurement": spec.measurement.method, "respondents": m,
        "measured_how": how, "icc": model.icc, "icc_interval": [float(lo_hi[0]), float(lo_hi[1])],
        "icc_source": icc_src, "icc_twin": float(twin_tau2 / (twin_tau2 + sigma_w2)) if sigma_w2 > 0 else 0.0,
        "between_cv": float(np.sqrt(tau2) / mean) if mean else float("nan"),
        "effect_cv": float(effect_cv), "effect_cv_source": eff_src, "tau": model.tau, "eta": model.eta,
        "gamma": model.gamma, "sigma_within": model.sigma_w,
    }
    return model, info


def _twin_icc_interval(twin: OutcomeModel, sigma_w2: float) -> tuple[float, float]:
    """95 % interval of the twin's ICC: chi-square on the clusters' variance (k - 1 df), noise removed."""
    from scipy import stats

    k = int(twin.extra.get("clusters", 0) or 0)
    if k < 3 or sigma_w2 <= 0:
        return (float("nan"), float("nan"))
    noise = float(twin.extra.get("cluster_level_noise", 0.0))
    v = twin.tau**2 + noise
    lo = max(0.0, (k - 1) * v / stats.chi2.ppf(0.975, k - 1) - noise)
    hi = max(0.0, (k - 1) * v / stats.chi2.ppf(0.025, k - 1) - noise)
    return (lo / (lo + sigma_w2), hi / (hi + sigma_w2))


def _het_models(model: OutcomeModel, info: dict[str, Any]) -> list[OutcomeModel]:
    """The model at the low and high ends of the ICC interval (same total within variance)."""
    out = []
    for icc in info["icc_interval"]:
        if not np.isfinite(icc):
            return []
        out.append(replace(model, tau=float(np.sqrt(icc / (1 - icc) * model.sigma_w**2))))
    return out


def power_at(model: OutcomeModel, info: dict[str, Any], spec: Any, clusters: int, *, periods: int | None = None,
             n_sim: int | None = None, seed: int = 0, strata: Any = None) -> dict[str, Any]:
    """Power at ``clusters`` (e.g. the place's zones): simulated with its Monte Carlo interval, closed
    form, and the closed form at the ends of the ICC interval."""
    from twin.trials.power import _closed, power

    p = spec.periods if periods is None else periods
    window = None if spec.window is None else spec.window.model_dump()
    row = power(spec.design, effects=model.effect, clusters=clusters, cluster_size=model.cluster_size, periods=p,
                model=model, n_sim=n_sim or spec.n_sim, alpha=spec.alpha, seed=seed, share=spec.treated_share,
                strata=strata, sequences=spec.sequences, window=window).iloc[0]
    ends = [_closed(spec.design, model.effect, clusters, model.cluster_size, p, mm, spec.alpha, spec.treated_share,
                    spec.sequences, window)[0] for mm in _het_models(model, info)]
    return {"clusters": int(clusters), "periods": int(p), "power": float(row.power),
            "power_interval_mc": [float(row.power_lo), float(row.power_hi)], "closed_form": float(row.closed_form),
            "closed_form_over_icc_interval": [float(v) for v in (ends[::-1] if ends else [])]}


def clusters_needed(model: OutcomeModel, info: dict[str, Any], spec: Any, *, periods: int | None = None,
                    n_sim: int | None = None, seed: int = 0, strata: Any = None) -> dict[str, Any]:
    """Clusters needed for ``spec.power_target``: closed form, simulation (with its Monte Carlo
    interval) and the closed form at the ends of the ICC interval."""
    from twin.trials.power import closed_needed, required_clusters

    p = spec.periods if periods is None else periods
    window = None if spec.window is None else spec.window.model_dump()
    kw = dict(periods=p, target=spec.power_target, alpha=spec.alpha, share=spec.treated_share,
              sequences=spec.sequences, window=window)
    if model.effect == 0:
        return {"closed_form": None, "simulated": None, "simulated_interval": [None, None],
                "closed_form_over_icc_interval": [None, None], "periods": int(p)}
    rc = required_clusters(spec.design, effect=model.effect, model=model, n_sim=n_sim or spec.n_sim, seed=seed,
                           strata=strata, **kw)
    ends = []
    for mm in _het_models(model, info)[::-1]:  # high ICC first: more clusters
        ends.append(closed_needed(spec.design, model.effect, mm.cluster_size, p, mm, alpha=spec.alpha,
                                  share=spec.treated_share, sequences=spec.sequences, window=window,
                                  target=spec.power_target))
    return {"closed_form": rc["closed_form"], "simulated": rc["simulated"],
            "simulated_interval": list(rc["simulated_interval"]), "closed_form_over_icc_interval": ends[::-1],
            "periods": int(p), "table": rc["table"]}
