"""``twin run``: every (option, pathway, replicate) of a scenario, stored, assembled, written once.

The steps, each done once:

1. build the :class:`~twin.run.engine.Ensemble` (validates place, parameters, options,
   climate file and projection before anything is written);
2. claim and lock the output directory (:class:`~twin.run.writer.OutputDir`);
3. open the run store (``DIR/.runs``), pinned to the inputs' checksums: runs already stored
   are resumed, stale ones refused;
4. run the missing runs on the executor (this process, a local pool or a Dask cluster),
   storing each as it arrives, with one progress display and a log file;
5. assemble ``results.nc`` run by run (memory of one run), compute the indicators once,
   write ``indicators.nc``/``indicators.csv``, the plots and the manifest into the staging
   folder, and publish them whole.

:func:`run_scenario` returns a :class:`RunResult` (the lazily opened results, the
indicators, the manifest) that the CLI prints from without re-reading anything.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xarray as xr

from twin.run.engine import Ensemble, RunKey
from twin.run.executors import Executor, LocalExecutor
from twin.run.store import RunStore
from twin.run.writer import OutputDir, manifest

__all__ = ["RESULT_FILES", "RunResult", "load_results", "run_scenario"]

RESULT_FILES = ("results.nc", "indicators.nc", "indicators.csv", "decomposition.csv", "manifest.json", "run.log",
                "plots", "base_population")


@dataclass
class RunResult:
    """What ``twin run`` produced: the results (opened lazily), indicators, manifest and directory."""

    path: Path
    dataset: xr.Dataset
    indicators: xr.Dataset
    manifest: dict[str, Any]

    def summary(self, level: float = 0.95) -> Any:
        """The whole-place summary table (pandas) from the stored indicators."""
        from twin.analysis.metrics import summary_table

        return summary_table(self.dataset, level, ind=self.indicators)

    def close(self) -> None:
        self.dataset.close()
        self.indicators.close()


def load_results(directory: str | os.PathLike[str]) -> RunResult:
    """Open a results directory written by ``twin run`` (lazily)."""
    import json

    from twin.analysis.results_dir import open_checked

    out, ds = open_checked(directory)  # a damaged or foreign directory: one line naming the file; opened once
    ind_path = out / "indicators.nc"
    if ind_path.is_file():
        ind = xr.open_dataset(ind_path, engine="h5netcdf")
    else:
        from twin.analysis.metrics import indicators

        ind = indicators(ds)
    try:
        man = json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        man = {}
    _attach(ds, ind)
    return RunResult(out, ds, ind, man)


def _attach(ds: xr.Dataset, ind: xr.Dataset) -> None:
    from twin.analysis.metrics import TwinAccessor  # noqa: F401 - registers ds.twin

    ds.twin.attach_indicators(ind)


class _Progress:
    """One progress display (runs done, rate, ETA) and a log file, for every executor."""

    def __init__(self, show: bool, total: int, done: int, title: str, log: logging.Logger) -> None:
        self.log = log
        self.total, self.done0 = total, done
        self.t0 = time.perf_counter()
        self.bar = None
        if show:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
                                TimeRemainingColumn(), transient=False, console=_stderr_console())
            self.bar.start()
            self.task = self.bar.add_task(title, total=total, completed=done, rate="")

    def stage(self, text: str) -> None:
        self.log.info(text)
        if self.bar is not None:
            self.bar.update(self.task, description=text)

    def advance(self, key: RunKey, seconds: float, n_done: int) -> None:
        rate = (n_done - self.done0) / max(time.perf_counter() - self.t0, 1e-9)
        self.log.info("run %s done in %.2f s (%d/%d)", key.name, seconds, n_done, self.total)
        if self.bar is not None:
            self.bar.update(self.task, completed=n_done, rate=f"{rate * 60:.1f} runs/min")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)


def _logger(path: Path) -> logging.Logger:
    log = logging.getLogger(f"twin.run.{os.getpid()}.{id(path)}")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log.addHandler(handler)
    return log


def _close_logger(log: logging.Logger) -> None:
    for h in list(log.handlers):
        h.close()
        log.removeHandler(h)


def run_scenario(
    scenario: Any,
    out: str | os.PathLike[str],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    seed: int | None = None,
    replicates: int | None = None,
    overwrite: bool = False,
    progress: bool | None = None,
    plots: bool | None = None,
    on_run: Callable[[RunKey, float], None] | None = None,
    population_year: int | None = None,
    ensemble: Ensemble | None = None,
    checked: bool = False,
) -> RunResult:
    """Run every (option, pathway, replicate) of ``scenario`` and write its outputs to ``out``.

    Parameters
    ----------
    scenario
        A validated :class:`twin.scenario.Scenario` (``twin.load_scenario(path)``).
    out
        Output directory; created if needed. Holds ``results.nc``, ``indicators.nc``,
        ``indicators.csv``, ``manifest.json``, ``run.log`` and ``plots/`` when whole.
    jobs
        Local worker processes (1 runs in this process); ignored when ``executor`` is given.
    executor
        Where runs are computed (:func:`twin.run.executors.make_executor`).
    seed, replicates
        Override the scenario's values.
    overwrite
        Replace existing outputs in ``out`` (only once the new ones are whole).
    progress
        Show a progress display (default: when stderr is a terminal).
    plots
        Write the standard plots (default: the scenario's ``outputs.plots``).
    on_run
        Called with (run key, seconds) after each run is stored.
    checked
        The scenario already passed :func:`twin.scenario.checks.preflight` (``twin run`` checks
        it first); otherwise it is checked here, with the messages ``twin validate`` gives.
    """
    t_start = time.perf_counter()
    if not checked and ensemble is None and population_year is None:
        from twin.scenario.checks import preflight, raise_first

        raise_first(preflight(scenario))
    ens = ensemble or Ensemble(scenario, seed=seed, replicates=replicates, population_year=population_year)
    executor = executor or LocalExecutor(jobs)
    out = Path(out)
    demo = ens.demography
    twin_run = population_year is None and demo is not None and demo.year is not None and demo.year != demo.base_year
    with OutputDir(out, holds=RESULT_FILES, overwrite=overwrite) as outdir:
        base = None
        if twin_run:
            # the same ensemble on the base-year population: a second ensemble, for the climate/demographic split
            base_ens = Ensemble(scenario, seed=ens.seed, replicates=ens.replicates, population_year=demo.base_year)
            base = _run_ensemble(base_ens, out / ".runs-base", outdir, executor, overwrite, progress, on_run,
                                 "base population")
        return _run_and_write(ens, out, outdir, executor, overwrite, progress, plots, on_run, t_start, base)


def _pins(ens: Ensemble) -> dict[str, Any]:
    from twin import __version__

    return {"scenario_sha256": ens.scenario.sha256, "seed": ens.seed, "replicates": ens.replicates,
            "population_year": ens.population_year, "version": __version__, "input_checksums": ens.input_checksums()}


def _run_ensemble(ens: Ensemble, runs_dir: Path, outdir: OutputDir, executor: Executor, overwrite: bool,
                  progress: bool | None, on_run: Callable[[RunKey, float], None] | None, title: str) -> dict[str, Any]:
    store = RunStore(runs_dir, _pins(ens), discard=overwrite)
    log = _logger(runs_dir / "run.log")
    keys = ens.keys()
    done = store.done(keys)
    todo = [k for k in keys if k not in done]
    show = sys.stderr.isatty() if progress is None else progress
    bar = _Progress(show, len(keys), len(done), f"{title}: runs", log)
    log.info("%s: %d runs (%d stored, %d to run) on %s with %d worker(s)", ens.scenario.name, len(keys), len(done),
             len(todo), executor.name, executor.workers)
    timings: dict[str, float] = {}
    n = [len(done)]
    t0 = time.perf_counter()

    def stored(key: RunKey, ds: xr.Dataset, seconds: float) -> None:
        store.write(key, ds)
        timings[key.name] = round(seconds, 4)
        n[0] += 1
        bar.advance(key, seconds, n[0])
        if on_run is not None:
            on_run(key, seconds)

    try:
        executor.map(ens.spec, todo, stored, ensemble=ens)
    except KeyboardInterrupt:
        log.info("interrupted after %d of %d runs", n[0], len(keys))
        raise
    finally:
        bar.close()
        _close_logger(log)
    return {"store": store, "ensemble": ens, "timings": timings, "resumed": len(done),
            "runs_seconds": time.perf_counter() - t0, "executor": executor}


def _results_attrs(ens: Ensemble) -> dict[str, Any]:
    import json

    from twin import __version__

    attrs: dict[str, Any] = {
        "Conventions": "CF-1.10",
        "title": f"placetwin results: {ens.scenario.name}",
        "history": f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} twin run (placetwin {__version__})",
        "place": ens.place.name,
        "place_summary": ens.place.summary(),
        "model": ens.scenario.model,
        "scenario_name": ens.scenario.name,
        "scenario_description": ens.scenario.description or "",
        "scenario_sha256": ens.scenario.sha256,
        "scenario": ens.scenario.text,
        "seed": ens.seed,
        "replicates": ens.replicates,
        "reference_option": ens.options[0],
        "placetwin_version": __version__,
        "input_checksums": json.dumps(ens.input_checksums(), sort_keys=True),
    }
    if ens.demography is not None:
        attrs["population"] = f"projected (variant {ens.demography.variant}), years {sorted({y for y, _ in ens.segments()})}"
    return attrs


def _run_and_write(ens: Ensemble, out: Path, outdir: OutputDir, executor: Executor, overwrite: bool,
                   progress: bool | None, plots: bool | None, on_run: Any, t_start: float,
                   base: dict[str, Any] | None) -> RunResult:
    from twin.analysis.metrics import indicators, write_indicators_csv
    from twin.run.assemble import assemble

    main = _run_ensemble(ens, out / ".runs", outdir, executor, overwrite, progress, on_run, "runs")
    store: RunStore = main["store"]
    t_runs = time.perf_counter() - t_start
    path = assemble(ens, store.load, outdir.path("results.nc"), attrs=_results_attrs(ens))
    results = xr.open_dataset(path, engine="h5netcdf")
    ind = indicators(results)
    from twin._cf import finalize_cf

    outdir.write_netcdf(finalize_cf(ind, "indicators"), "indicators.nc")
    write_indicators_csv(results, outdir.path("indicators.csv"), ind=ind)
    _attach(results, ind)
    decomposition = None
    if base is not None and "baseline" in ens.pathways:
        from twin.analysis.decomposition import decompose

        bpath = assemble(base["ensemble"], base["store"].load, outdir.path("base_results.nc"),
                         attrs=_results_attrs(base["ensemble"]))
        with xr.open_dataset(bpath, engine="h5netcdf") as bres:
            decomposition = decompose(results, bres.load())
        outdir.path("base_population").mkdir()
        os.replace(bpath, outdir.path("base_population") / "results.nc")
        decomposition.to_csv(outdir.path("decomposition.csv"), index=False, float_format="%.6g")
    want_plots = ens.scenario.outputs.plots if plots is None else plots
    t_plots = time.perf_counter()
    plot_files: list[str] = []
    if want_plots:
        from twin.analysis._options import zones_from_results
        from twin.plot.core import plot_all

        outdir.path("plots").mkdir()
        plot_files = [p.name for p in plot_all(results, zones_from_results(results), outdir.path("plots"))]
    t_end = time.perf_counter()
    results.close()
    timings = {
        "runs_total": round(t_runs, 3),
        "plots": round(t_end - t_plots, 3),
        "total": round(t_end - t_start, 3),
        "executor": executor.name,
        "workers": executor.workers,
        "runs_resumed": main["resumed"],
        "per_run": main["timings"],
    }
    outputs = ["results.nc", "indicators.nc", "indicators.csv"]
    if decomposition is not None:
        outputs += ["decomposition.csv", "base_population/results.nc"]
    outputs += ["run.log"] + [f"plots/{p}" for p in plot_files]
    man = manifest(
        kind="run", scenario=ens.scenario, seed=ens.seed, outputs=outputs,
        input_checksums=ens.input_checksums(), timings=timings,
        replicates=ens.replicates, options=ens.options, pathways=ens.pathways, model=ens.scenario.model,
        place=ens.place.name,
        population=("place" if ens.demography is None
                    else {"variant": ens.demography.variant, "years": sorted({y for y, _ in ens.segments()})}),
    )
    outdir.write_json("manifest.json", man)
    _copy_log(out / ".runs" / "run.log", outdir.path("run.log"), base)
    outdir.publish()
    store.remove()
    if base is not None:
        base["store"].remove()
    return load_results(out)


def _copy_log(src: Path, dst: Path, base: dict[str, Any] | None) -> None:
    parts = []
    if base is not None and (base["store"].folder / "run.log").exists():
        parts.append((base["store"].folder / "run.log").read_text(encoding="utf-8"))
    if src.exists():
        parts.append(src.read_text(encoding="utf-8"))
    dst.write_text("".join(parts), encoding="utf-8")
