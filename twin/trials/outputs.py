"""Trial outputs: trial.nc (CF attributes, provenance), tidy CSVs and plots, written atomically.

Everything is built in a staging directory beside ``out`` and renamed into place when
whole; an existing output directory is refused unless ``overwrite``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from twin.run.writer import OutputDir, manifest

__all__ = ["TRIAL_FILES", "trial_dataset", "write_trial_outputs"]

TRIAL_FILES = ("trial.nc", "trial.csv", "estimates.csv", "stage1.csv", "analysis.csv", "arms.csv",
               "time_on_treatment.csv", "manifest.json", "plots")


def trial_dataset(result: dict[str, Any], provenance: dict[str, Any]) -> Any:
    """The trial's results as one xarray Dataset (power by design point, estimates, allocation, stage 1)."""
    import xarray as xr

    power = result["power"]
    units = result.get("units", "1")
    ds = xr.Dataset(coords={"point": np.arange(len(power))})
    descr = {
        "effect": (units, "effect size simulated (treated minus control)"),
        "n_clusters": ("1", "number of clusters"),
        "cluster_size": ("1", "people measured per cluster and period"),
        "periods": ("1", "number of periods"),
        "power": ("1", "simulated power (share of trials rejecting no effect)"),
        "power_lo": ("1", "lower bound of the 95% Wilson interval of the simulated power"),
        "power_hi": ("1", "upper bound of the 95% Wilson interval of the simulated power"),
        "closed_form": ("1", "closed-form power (normal approximation: design effect or Hussey & Hughes 2007)"),
        "closed_form_t": ("1", "closed-form power with a t reference on clusters - 2 df (parallel trials)"),
        "mean_estimate": (units, "mean estimated effect over simulated trials"),
        "sd_estimate": (units, "standard deviation of the estimated effect over simulated trials"),
        "mean_se": (units, "mean standard error of the estimated effect"),
        "coverage": ("1", "share of confidence intervals covering the simulated effect"),
        "mean_icc_hat": ("1", "mean ICC estimated from the simulated trials"),
    }
    for col, (u, ln) in descr.items():
        ds[col] = ("point", power[col].to_numpy(), {"units": u, "long_name": ln})
    design = result["design"]
    ds = ds.assign_coords(cluster=list(design.clusters), period=np.arange(design.n_periods))
    ds["treated"] = (("cluster", "period"), design.treated.astype(np.int8),
                     {"units": "1", "long_name": f"example allocation ({design.kind}): 1 = treated"})
    ds["stratum"] = ("cluster", list(design.strata))
    est = result.get("estimates")
    if est is not None and len(est):
        ds = ds.assign_coords(trial=np.arange(len(est)))
        for col in ("estimate", "se", "ci_low", "ci_high"):
            ds[f"trial_{col}"] = ("trial", est[col].to_numpy(float), {"units": units, "long_name": f"{col} of the effect, per analysed trial"})
        ds["trial_p_value"] = ("trial", est["p_value"].to_numpy(float), {"units": "1", "long_name": "p value, per analysed trial"})
        ds["trial_source"] = ("trial", est["source"].astype(str).to_numpy())
    s1 = result.get("stage1")
    if s1 is not None and len(s1):
        s1 = s1.set_index(["replicate", "period", "cluster"])
        x = s1.to_xarray().rename({"cluster": "stage1_cluster", "period": "stage1_period", "replicate": "stage1_replicate"})
        for v, ln in (("y0", "twin outcome, untreated place"), ("y1", "twin outcome, cluster treated (half the clusters treated)"),
                      ("spill", "twin outcome, cluster untreated while the other half is treated")):
            ds[f"stage1_{v}"] = x[v].assign_attrs(units=units, long_name=ln)
    m = result.get("model")
    attrs = {"Conventions": "CF-1.10", "title": f"placetwin field trial: {provenance.get('scenario_name', '')}"}
    attrs.update({k: (json.dumps(v) if isinstance(v, (dict, list, tuple)) else v) for k, v in provenance.items()
                  if v is not None})
    if m is not None:
        attrs.update({"outcome_mean": m.mean, "outcome_sigma_within": m.sigma_w, "outcome_tau": m.tau,
                      "outcome_icc": m.icc, "predicted_effect": m.effect, "outcome_model_source": m.source})
    ds.attrs.update(attrs)
    return ds


def write_trial_outputs(result: dict[str, Any], out: str | Path | OutputDir, provenance: dict[str, Any], *,
                        overwrite: bool = False, plots: bool = True) -> Path:
    """Write trial.nc, trial.csv (power), estimates.csv, stage1.csv, analysis.csv, plots/ and manifest.json.

    ``out`` is a directory, or an :class:`~twin.run.writer.OutputDir` already claimed (``twin trial``
    claims it before the trial runs).
    """
    if not isinstance(out, OutputDir):
        with OutputDir(out, holds=TRIAL_FILES, overwrite=overwrite, what="a trial") as outdir:
            return write_trial_outputs(result, outdir, provenance, plots=plots)
    outdir = out
    staging = outdir.path("")
    (staging / "plots").mkdir()
    from twin._cf import finalize_cf

    ds = finalize_cf(trial_dataset(result, provenance), "trial")
    enc = {v: {"compression": "gzip", "compression_opts": 4} for v in ds.data_vars
           if ds[v].ndim > 0 and ds[v].dtype.kind in "fiu"}
    ds.to_netcdf(staging / "trial.nc", engine="h5netcdf", encoding=enc)
    result["power"].to_csv(staging / "trial.csv", index=False, float_format="%.6g")
    for name, key in (("estimates.csv", "estimates"), ("stage1.csv", "stage1"), ("analysis.csv", "analysis"),
                      ("arms.csv", "arms"), ("time_on_treatment.csv", "time_on_treatment")):
        if result.get(key) is not None:
            result[key].to_csv(staging / name, index=False, float_format="%.6g")
    written = []
    if plots:
        from twin.trials.plots import plot_design, plot_estimates, plot_power

        units = result.get("units", "")
        written.append(plot_power(result["power"], staging / "plots" / "power_curve.png",
                                  target=provenance.get("power_target"), units=units).name)
        est = result.get("estimates")
        if est is not None and len(est):
            written.append(plot_estimates(est, staging / "plots" / "estimates.png",
                                          true_effect=result.get("true_effect"), units=units).name)
        written.append(plot_design(result["design"], staging / "plots" / "design.png",
                                   period_labels=result.get("period_labels")).name)
    extra = {k: v for k, v in provenance.items() if k not in ("scenario", "placetwin_version", "seed")}
    outdir.write_json("manifest.json", manifest(
        kind="trial", seed=provenance.get("seed"),
        outputs=[f for f in TRIAL_FILES[:-1] if (staging / f).exists()] + [f"plots/{p}" for p in written],
        summary=result.get("summary", {}), **extra))
    outdir.publish()
    return outdir.out
