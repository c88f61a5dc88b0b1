"""``twin trial SCENARIO``: a scenario's ``trial:`` section from twin runs to power.

Steps: validate (scenario and trial section, intervention spec, zones) before anything runs;
stage 1 in the twin (:meth:`TwinTrial.stage1`) estimates the outcome model and the effect the
model predicts; stage 2 simulates ``n_sim`` trials per design point from it
(:func:`twin.trials.power.power`) and finds the clusters needed for ``power_target``
(:func:`twin.trials.power.required_clusters`); a sample of simulated trials (and any
``twin_trials`` run whole in the twin) is analysed with statsmodels; outputs are written
atomically (:mod:`twin.trials.outputs`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from twin.errors import ScenarioError, TwinError

__all__ = ["load_trial_scenario", "run_trial", "run_trial_scenario"]

#: Simulated (parametric) trials analysed one by one with statsmodels for the estimates table.
N_ANALYSED = 40


def load_trial_scenario(path: str | Path) -> tuple[Any, Any]:
    """Read a scenario with a ``trial:`` section: ``(scenario, TrialSpec)``; errors name file, line and key."""
    from twin.scenario._yaml import load_with_lines
    from twin.scenario import load

    path = Path(path)
    sc = load(path)  # the whole file, trial: section included, against the one schema
    spec = sc.trial
    if spec is None:
        raise ScenarioError("the scenario has no trial: section", file=path, field="trial",
                            hint="add trial: {design, outcome, intervention, ...}; see twin.trials.spec")
    _, lines = load_with_lines(sc.text, str(path))
    _check_intervention(spec, lines, path, sc.model)
    if spec.pathway is not None and spec.pathway not in sc.pathways:
        raise ScenarioError("pathway is not one of the scenario's pathways", file=path, field="trial.pathway",
                            line=lines.line_of(("trial", "pathway")), value=spec.pathway,
                            hint="valid: " + ", ".join(sc.pathways))
    sc._trial_lines = lines  # noqa: SLF001 - for later errors naming a line
    return sc, spec


def _check_intervention(spec: Any, lines: Any, path: Path, model: str | None = None) -> None:
    from twin.interventions import REGISTRY, _as_spec

    try:
        _as_spec({**spec.intervention, "target": "all"})
    except TwinError as err:
        key = "trial.intervention" + (f".{err.field}" if err.field and err.field != "type" else
                                      (".type" if err.field == "type" else ""))
        raise ScenarioError(err.message, file=path, field=key, line=lines.line_of(("trial", "intervention")),
                            value=err.value, hint=err.hint) from None
    if spec.randomise != "residents":
        return
    kind = spec.intervention["type"]
    if not REGISTRY[kind].resident_targeting:
        able = ", ".join(sorted(k for k, v in REGISTRY.items() if v.resident_targeting))
        raise ScenarioError("changes the place, not a service, so it cannot be given to some residents and not their "
                            "neighbours", file=path, field="trial.intervention.type", value=kind,
                            line=lines.line_of(("trial", "intervention")), hint=f"randomise: residents needs one of {able}")
    if model is not None:
        from twin.models import get_model, model_names

        if model in model_names() and not get_model(model).resident_trials:
            able = ", ".join(m for m in model_names() if get_model(m).resident_trials)
            raise ScenarioError("the model records no outcomes by trial arm", file=path, field="trial.randomise",
                                value="residents", line=lines.line_of(("trial", "randomise")),
                                hint=f"models that can: {able}; or randomise: zones")


def run_trial(sc: Any, spec: Any, *, progress: Any = None) -> dict[str, Any]:
    """Run a trial spec (stage 1 in the twin, stage 2 parametric) and return the result tables."""
    import pandas as pd

    from twin.place import Place, resolve_place
    from twin.run.engine import time_index
    from twin.trials.analysis import analyse
    from twin.trials.designs import allocation_rng, make_design, zone_strata
    from twin.trials.parametric import Draws, allocations, simulate_parametric, trial_frame
    from twin.trials.fgls import window_mask
    from twin.trials.planning import clusters_needed, plan_model, power_at
    from twin.trials.power import power
    from twin.trials.simulate import TwinTrial, estimate_outcome_model

    say = progress or (lambda msg: None)
    t0 = time.perf_counter()
    place = Place.load(resolve_place(sc.place, sc.base_dir))
    seed = int(sc.seed if spec.seed is None else spec.seed)
    zones = list(place.zone_codes) if spec.clusters == "zones" or isinstance(spec.clusters, int) else list(spec.clusters)
    bad = [z for z in zones if z not in place.zone_codes]
    if bad:
        lines = getattr(sc, "_trial_lines", None)
        raise ScenarioError("unknown zone", file=sc.path, field="trial.clusters", value=bad[0],
                            line=lines.line_of(("trial", "clusters")) if lines else None,
                            hint=f"zones of {place.name}: " + ", ".join(place.zone_codes))
    pathway = spec.pathway or sc.pathways[0]
    tt = TwinTrial(place, sc.model, sc.parameters, dict(spec.intervention), spec.outcome.variable,
                   time_index(sc.period), periods=spec.periods, per=spec.outcome.per, pathway=pathway, seed=seed,
                   climate_source=getattr(sc, "climate_path", None), clusters=zones, carry_over=spec.carry_over)
    if spec.randomise == "residents":
        from twin.trials.individual_run import run_individual_trial

        try:
            return run_individual_trial(tt, spec, seed, say)
        except TwinError as err:
            if isinstance(err, ScenarioError) or not str(err.field or "").startswith("trial"):
                raise
            lines = getattr(sc, "_trial_lines", None)
            raise ScenarioError(err.message, file=sc.path, field=err.field, value=err.value, hint=err.hint,
                                line=lines.line_of(tuple(str(err.field).split("."))) if lines else None) from None
    say(f"stage 1: {spec.twin_replicates} twin replicate(s) x {spec.periods} period(s) x 3 allocations")
    stage1 = tt.stage1(spec.twin_replicates)
    idx = [place.zone_codes.index(z) for z in zones]
    twin_model = estimate_outcome_model(stage1, tt.residents_by_zone[idx], per=spec.outcome.per,
                                        cluster_size=spec.cluster_size)
    try:
        model, plan = plan_model(twin_model, spec)
    except TwinError as err:
        raise ScenarioError(err.message, file=sc.path, field=err.field, value=err.value, hint=err.hint) from None
    window = None if spec.window is None else spec.window.model_dump()
    t_stage1 = time.perf_counter() - t0
    k = spec.clusters if isinstance(spec.clusters, int) else len(zones)
    strata = list(zone_strata(place, spec.strata, zones)) if spec.strata != "none" else None
    share = spec.treated_share
    effects = list(spec.effect_sizes) if spec.effect_sizes else [r * model.effect for r in spec.relative_effects]
    counts = list(spec.cluster_counts) if spec.cluster_counts else [k]
    say(f"stage 2: {spec.n_sim} simulated trials x {len(effects) * len(counts)} design points")
    table = power(spec.design, effects=effects, clusters=counts, cluster_size=model.cluster_size,
                  periods=spec.periods, model=model, n_sim=spec.n_sim, alpha=spec.alpha, seed=seed, share=share,
                  strata=strata, sequences=spec.sequences, window=window)
    say("clusters needed, power at the available clusters and with a wedge twice as long")
    needed = clusters_needed(model, plan, spec, seed=seed, strata=strata)
    available = power_at(model, plan, spec, k, seed=seed, strata=strata)
    longer = power_at(model, plan, spec, k, periods=2 * spec.periods - 1, seed=seed, strata=strata) \
        if spec.design == "stepped_wedge" else None
    # estimates: a sample of simulated trials at the predicted effect, analysed as a trialist would
    n_an = min(N_ANALYSED, spec.n_sim)
    x = allocations(spec.design, k, spec.periods, n_an, seed, share=share, strata=strata, sequences=spec.sequences)
    sim = simulate_parametric(model, x, Draws(seed, n_an, k, spec.periods))
    names = zones if not isinstance(spec.clusters, int) else None
    measured = None if window is None else window_mask(x, **window)
    rows = [analyse(_measured(trial_frame(sim, i, model.cluster_size, names, strata), measured, i),
                    design=spec.design, alpha=spec.alpha).assign(source="parametric", trial=i) for i in range(n_an)]
    if spec.twin_trials:
        say(f"whole trials in the twin: {spec.twin_trials}")
    for i in range(spec.twin_trials):
        design = make_design(spec.design, zones, allocation_rng(seed, i), periods=spec.periods, share=share,
                             strata=strata, sequences=spec.sequences)
        rows.append(analyse(tt.run(design, replicate=i), design=spec.design, alpha=spec.alpha)
                    .assign(source="twin", trial=i))
    estimates = pd.concat(rows, ignore_index=True)
    tot = None
    if spec.carry_over and spec.design == "stepped_wedge":
        from twin.trials.carryover import time_on_treatment

        say("time on treatment: one allocation with and without carry-over, beside the untreated place")
        tot = time_on_treatment(tt, make_design(spec.design, zones, allocation_rng(seed, 0), periods=spec.periods,
                                                share=share, strata=strata, sequences=spec.sequences), 0)
    example = make_design(spec.design, zones if not isinstance(spec.clusters, int) else k, allocation_rng(seed, 0),
                          periods=spec.periods, share=share,
                          strata=None if strata is None else [strata[i % len(strata)] for i in range(k)],
                          sequences=spec.sequences)
    time_ = time_index(sc.period)
    labels = [f"{time_[s.start]:%d %b}-{time_[s.stop - 1]:%d %b}" for s in tt.spans]
    units = f"{spec.outcome.variable} per {spec.outcome.per:g} residents"
    at_k = table[(table["n_clusters"] == k)]
    at_k = at_k.iloc[(at_k["effect"] - model.effect).abs().argsort()[:1]] if len(at_k) else at_k
    answer = trial_answer(spec, model, k, at_k, needed, units)
    if tot is not None:
        from twin.trials.carryover import carryover_answer

        answer += "\n" + carryover_answer(tot)
    summary = {
        "answer": answer, "carry_over": spec.carry_over,
        "time_on_treatment": None if tot is None else tot.to_dict(orient="records"),
        "predicted_effect": model.effect, "baseline_mean": model.mean, "icc": model.icc,
        "cluster_size": model.cluster_size, "clusters_in_design": k,
        "clusters_needed_closed_form": needed["closed_form"], "clusters_needed_simulated": needed["simulated"],
        "clusters_needed_interval_mc": needed["simulated_interval"],
        "clusters_needed_over_icc_interval": needed["closed_form_over_icc_interval"],
        "power_at_available_clusters": available, "power_with_longer_wedge": longer,
        "plan": plan, "power_target": spec.power_target,
        "outcome_model": {"tau": model.tau, "sigma_w": model.sigma_w, "eta": model.eta, "gamma": model.gamma,
                          "period_effects": model.period_effects, "twin_tau": twin_model.tau,
                          "twin_sigma_w": twin_model.sigma_w, **model.extra},
        "seconds": {"stage1": round(t_stage1, 3), "total": round(time.perf_counter() - t0, 3)},
    }
    return {"power": table, "estimates": estimates, "stage1": stage1, "design": example, "model": model,
            "time_on_treatment": tot,
            "required": needed, "true_effect": model.effect, "units": units, "period_labels": labels,
            "summary": summary}


def trial_answer(spec: Any, model: Any, k: int, at_k: Any, needed: dict, units: str) -> str:
    """The trial's answer in words: power at the clusters available, and clusters needed, with intervals."""
    target = spec.power_target
    lines = [f"Predicted effect of the intervention: {model.effect:+.3g} {units} "
             f"(baseline mean {model.mean:.3g}; intra-cluster correlation {model.icc:.2g})."]
    if len(at_k):
        r = at_k.iloc[0]
        lines.append(f"Power with the {k} clusters available ({spec.design.replace('_', ' ')}): {r['power']:.0%} "
                     f"(95% interval {r['power_lo']:.0%} to {r['power_hi']:.0%}, {int(r['n_sim'])} simulated trials; "
                     f"target {target:.0%}).")
    if model.effect == 0:
        lines.append("The twin predicts no effect, so no number of clusters reaches the target power.")
    else:
        sim, cf_ = needed.get("simulated"), needed.get("closed_form")
        lo, hi = (list(needed.get("simulated_interval") or []) + [None, None])[:2]
        if sim is None:
            lines.append(f"Clusters needed for {target:.0%} power: more than the largest number tried"
                         + (f" (closed form: {cf_})." if cf_ else " (closed form: none within 400)."))
        else:
            ivl = f", Monte Carlo range {lo} to {hi if hi is not None else 'more than tried'}" if lo is not None else ""
            lines.append(f"Clusters needed for {target:.0%} power: {sim} by simulation{ivl}; {cf_} by the closed form.")
        if sim is not None:
            verdict = "enough" if k >= sim else f"not enough: {sim - k} more clusters needed"
            lines.append(f"With {k} clusters available, that is {verdict}.")
    return "\n".join(lines)


def _measured(df: Any, measured: Any, i: int) -> Any:
    """Rows of a simulated trial's cells that are measured (an incomplete stepped wedge)."""
    return df if measured is None else df[measured[i].ravel()].reset_index(drop=True)


def run_trial_scenario(path: str | Path, out: str | Path | None = None, *, overwrite: bool = False,
                       plots: bool = True, progress: Any = None) -> Path:
    """Run the ``trial:`` section of the scenario at ``path`` and write its outputs to ``out``.

    ``out`` defaults to ``results/<scenario name>_trial`` under the current directory. Returns
    the output directory (trial.nc, trial.csv, estimates.csv, stage1.csv, plots/, manifest.json).
    """
    from twin import __version__
    from twin.run.writer import OutputDir
    from twin.trials.outputs import TRIAL_FILES, write_trial_outputs

    sc, spec = load_trial_scenario(path)
    out = Path(out) if out is not None else Path.cwd() / "results" / f"{sc.name}_trial"
    with OutputDir(out, holds=TRIAL_FILES, overwrite=overwrite, what="a trial") as outdir:  # before the (long) run
        return _run_and_write(sc, spec, outdir, plots, progress)


def _run_and_write(sc: Any, spec: Any, outdir: Any, plots: bool, progress: Any) -> Path:
    from twin import __version__
    from twin.trials.outputs import write_trial_outputs

    result = run_trial(sc, spec, progress=progress)
    provenance = {"scenario_name": sc.name, "scenario_path": str(sc.path), "scenario_sha256": sc.sha256,
                  "scenario": sc.text, "seed": int(sc.seed if spec.seed is None else spec.seed),
                  "placetwin_version": __version__, "model": sc.model, "place": sc.place,
                  "design": spec.design, "outcome": spec.outcome.variable, "intervention": spec.intervention["type"],
                  "power_target": spec.power_target, "alpha": spec.alpha, "n_sim": spec.n_sim,
                  "randomise": spec.randomise, "carry_over": int(spec.carry_over),
                  "two_stage": "stage 1: twin runs estimate the outcome model; stage 2: parametric trials from it"
                  if spec.randomise == "zones" else "whole individually randomised trials in the twin, beside the "
                  "parametric power of the same design"}
    return write_trial_outputs(result, outdir, provenance, plots=plots)
