"""``twin trial`` for ``randomise: residents``: whole individually randomised trials in the twin.

Trial ``i`` allocates the eligible residents of the trial zones with allocation stream ``i``
(within zones) and runs on replicate ``i mod twin_replicates`` (its season's weather and
residents), with the untreated place beside it on the same draws
(run once per replicate: :func:`twin.trials.individual.run_individual`). Each is analysed as a trialist would
(:func:`twin.trials.individual.analyse_individual`). The power table is the parametric power
of the same design over ``relative_effects`` (normal outcome with the twin's within-arm SD:
simulated when small enough, else the closed form), and the answer sets the power of the
whole twin trials beside it.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

__all__ = ["MAX_SIMULATED_PEOPLE", "individual_answer", "run_individual_trial"]

#: Parametric trials are simulated person by person while n_sim x residents stays below this.
MAX_SIMULATED_PEOPLE = 2_000_000


def run_individual_trial(tt: Any, spec: Any, seed: int, say: Any) -> dict[str, Any]:
    """Run ``spec.twin_trials`` individually randomised trials in the twin (see the module notes)."""
    import pandas as pd

    from twin.trials.designs import Design
    from twin.trials.individual import (
        analyse_individual,
        individual_power,
        run_individual,
    )
    from twin.trials.parametric import OutcomeModel
    from twin.trials.power import power

    t0 = time.perf_counter()
    reps = spec.twin_replicates
    say(f"whole individually randomised trials in the twin: {spec.twin_trials}, and the untreated place once per "
        f"replicate ({min(reps, spec.twin_trials)}) on the same draws")
    trials = [run_individual(tt, i, i % reps, eligible=spec.eligible, share=spec.treated_share)
              for i in range(spec.twin_trials)]
    res = individual_power(trials, alpha=spec.alpha, target=spec.power_target, share=spec.treated_share)
    estimates = pd.concat([analyse_individual(t["trial"], spec.alpha).iloc[:1].assign(source="twin", trial=i)
                           for i, t in enumerate(trials)], ignore_index=True)
    arms = pd.concat([t[k].assign(trial=i, replicate=i % reps, run=k) for i, t in enumerate(trials)
                      for k in ("trial", "untreated")], ignore_index=True)
    n = int(res["n_treated"] + res["n_control"])
    control = arms[(arms["run"] == "trial") & (arms["treated"] == 0)]
    model = OutcomeModel(mean=float((control["y"] * control["n"]).sum() / control["n"].sum()),
                         sigma_w=res["sigma_within"], tau=0.0, effect=res["effect_on_treated"], cluster_size=1.0,
                         source=f"twin: {len(trials)} whole individually randomised trials")
    effects = list(spec.effect_sizes) if spec.effect_sizes else [r * model.effect for r in spec.relative_effects]
    n_sim = spec.n_sim if n * spec.n_sim <= MAX_SIMULATED_PEOPLE else 0
    if n_sim:
        table = power("individual", effects=effects, clusters=n, model=model, n_sim=n_sim, alpha=spec.alpha,
                      seed=seed, share=spec.treated_share)
    else:  # too many residents to simulate one by one: the normal two-sample formula (exact at this size)
        from twin.trials.closed_form import power_parallel

        table = pd.DataFrame([{"design": "individual", "effect": e, "n_clusters": n, "cluster_size": 1.0, "periods": 1,
                               "icc": 0.0, "n_sim": 0,
                               "power": float(power_parallel(e, n, 1.0, 0.0, model.sigma_w, alpha=spec.alpha,
                                                             share=spec.treated_share)),
                               "power_lo": np.nan, "power_hi": np.nan, "closed_form_t": np.nan, "mean_estimate": e,
                               "sd_estimate": res["se_parametric"], "mean_se": res["se_parametric"],
                               "coverage": np.nan, "mean_icc_hat": np.nan} for e in effects])
        table["closed_form"] = table["power"]
    zones = list(tt.clusters)
    design = Design("individual", tuple(f"{z} {a}" for z in zones for a in ("control", "treated")),
                    np.array([[a] for _ in zones for a in (0, 1)], bool), tuple(z for z in zones for _ in (0, 1)),
                    meta={"randomised": "residents within zones"})
    units = f"{spec.outcome.variable} per {spec.outcome.per:g} residents"
    public = {k: v for k, v in res.items() if k != "estimates"}
    summary = {"answer": individual_answer(spec, res, n, len(zones), units), "randomise": "residents",
               "eligible": spec.eligible, "predicted_effect": model.effect, "baseline_mean": model.mean,
               "residents_in_trial": n, "clusters_in_design": len(zones), **public,
               "seconds": {"total": round(time.perf_counter() - t0, 3)}}
    return {"power": table, "estimates": estimates, "stage1": None, "arms": arms, "design": design, "model": model,
            "required": {"residents": res["residents_needed"]}, "true_effect": model.effect, "units": units,
            "period_labels": None, "summary": summary}


def individual_answer(spec: Any, res: dict[str, Any], n: int, zones: int, units: str) -> str:
    """The individually randomised trial's answer in words (effect, contamination, power twin vs parametric)."""
    lo, hi = res["power_twin_interval"]
    who = "residents" if spec.eligible == "all" else f"residents ({spec.eligible})"
    lines = [
        (f"Individually randomised trial in the twin: {n:,} {who} of {zones} zones, {spec.treated_share:.0%} "
         f"treated within each zone; outcome {units}."),
        (f"Effect on the treated arm: {res['effect_on_treated']:+.3g} (SD {res['effect_sd_between_trials']:.2g} "
         f"between trials); contamination of the control arm (controls in the trial minus the same residents "
         f"with nobody treated): {res['contamination_of_controls']:+.3g}."),
        (f"Power from {res['trials']} whole trials in the twin: {res['power_twin']:.0%} (95% interval {lo:.0%} "
         f"to {hi:.0%}); parametric (normal two-sample, each trial's effect and SD): {res['power_parametric']:.0%}."),
    ]
    need = res["residents_needed"]
    if need is not None:
        lines.append(f"Residents needed for {spec.power_target:.0%} power at the mean effect: {need:,} "
                     f"({'enough' if n >= need else 'not enough'} with {n:,}).")
    return "\n".join(lines)
