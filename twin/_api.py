"""The public API a notebook needs, from one import: ``import twin``.

Everything here is a thin, documented door into a stage package; the heavy libraries load
only when a function is called, so ``import twin`` and ``twin --help`` stay fast.

>>> import twin                                                       # doctest: +SKIP
>>> sc = twin.load_scenario("scenarios/quickstart.yaml")
>>> result = twin.run(sc, "results/quickstart", replicates=2)
>>> result.summary()                                                  # whole-place indicators
>>> twin.compare(result)                                              # NPV, BCR, P(best), regret
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["compare", "load_place", "load_results", "load_scenario", "project", "run", "trial"]

PathLike = str | os.PathLike[str]


def load_scenario(path: PathLike, *, kind: str | None = None) -> Any:
    """Read and validate a scenario file (a run, a projection or a trial scenario).

    Errors are :class:`twin.errors.ScenarioError` naming the file, line, key and bad value.
    """
    from twin.scenario import load, scenario_kind

    return load(path, kind=kind or scenario_kind(path))


def load_place(place: PathLike) -> Any:
    """Load a place directory, or a bundled place by name (``"urban_borough"``, ``"rural_district"``)."""
    from twin.place import Place, resolve_place

    return Place.load(resolve_place(str(place), None))


def run(scenario: Any, out: PathLike | None = None, *, replicates: int | None = None, seed: int | None = None,
        jobs: int = 1, executor: Any = None, overwrite: bool = False, progress: bool | None = False,
        plots: bool | None = None) -> Any:
    """Run every option × pathway × replicate of a scenario; returns a :class:`twin.run.RunResult`.

    ``scenario`` is a path or a loaded scenario; ``out`` defaults to ``results/<scenario name>``.
    """
    from twin.run.runner import run_scenario

    sc = load_scenario(scenario) if isinstance(scenario, (str, os.PathLike)) else scenario
    out = Path(out) if out is not None else Path("results") / sc.name
    return run_scenario(sc, out, jobs=jobs, executor=executor, seed=seed, replicates=replicates,
                        overwrite=overwrite, progress=progress, plots=plots)


def load_results(directory: PathLike) -> Any:
    """Open a results directory written by ``twin run`` (lazily): a :class:`twin.run.RunResult`."""
    from twin.run.runner import load_results as _load

    return _load(directory)


def project(scenario: PathLike, out: PathLike | None = None, *, overwrite: bool = False) -> Any:
    """Run a projection scenario (``twin project``); returns the projection Dataset (opened lazily)."""
    import xarray as xr

    from twin.demography.run import run_projection_scenario

    path = run_projection_scenario(scenario, out, overwrite=overwrite)
    return xr.open_dataset(Path(path) / "projection.nc", engine="h5netcdf")


def trial(scenario: PathLike, out: PathLike | None = None, *, overwrite: bool = False, plots: bool = True) -> Any:
    """Run a scenario's ``trial:`` section (``twin trial``); returns the trial Dataset (opened lazily)."""
    import xarray as xr

    from twin.trials import run_trial_scenario

    path = run_trial_scenario(scenario, out, overwrite=overwrite, plots=plots)
    return xr.open_dataset(Path(path) / "trial.nc", engine="h5netcdf")


def compare(results: Any, **kw: Any) -> Any:
    """The option appraisal table (NPV, BCR, cost per death averted, P(best), regret) of a run.

    ``results`` is a :class:`twin.run.RunResult`, a results directory or a results Dataset.
    """
    from twin.analysis._compare import compare_table

    if isinstance(results, (str, os.PathLike)):
        results = load_results(results)
    ds = getattr(results, "dataset", results)
    return compare_table(ds, **kw)
