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
    _check_intervention(spec, lines, path)
    if spec.pathway is not None and spec.pathway not in sc.pathways:
        raise ScenarioError("pathway is not one of the scenario's pathways", file=path, field="trial.pathway",
                            line=lines.line_of(("trial", "pathway")), value=spec.pathway,
                            hint="valid: " + ", ".join(sc.pathways))
    sc._trial_lines = lines  # noqa: SLF001 - for later errors naming a line
    return sc, spec


def _check_intervention(spec: Any, lines: Any, path: Path) -> None:
    from twin.interventions import _as_spec

    try:
        _as_spec({**spec.intervention, "target": "all"})
    except TwinError as err:
        key = "trial.intervention" + (f".{err.field}" if err.field and err.field != "type" else
                                      (".type" if err.field == "type" else ""))
        raise ScenarioError(err.message, file=path, field=key, line=lines.line_of(("trial", "intervention")),
                            value=err.value, hint=err.hint) from None


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
                   climate_source=getattr(sc, "climate_path", None), clusters=zones)
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
    example = make_design(spec.design, zones if not isinstance(spec.clusters, int) else k, allocation_rng(seed, 0),
                          periods=spec.periods, share=share,
                          strata=None if strata is None else [strata[i % len(strata)] for i in range(k)],
                          sequences=spec.sequences)
    time_ = time_index(sc.period)
    labels = [f"{time_[s.start]:%d %b}-{time_[s.stop - 1]:%d %b}" for s in tt.spans]
    units = f"{spec.outcome.variable} per {spec.outcome.per:g} residents"
    summary = {
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
            "required": needed, "true_effect": model.effect, "units": units, "period_labels": labels,
            "summary": summary, "analysis": estimates}


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
                  "two_stage": "stage 1: twin runs estimate the outcome model; stage 2: parametric trials from it"}
    return write_trial_outputs(result, outdir, provenance, plots=plots)
