"""Run a scenario: every (option, pathway, replicate), with common random numbers.

Seeds
-----
One scenario seed makes every random stream with
``numpy.random.SeedSequence(seed, spawn_key=(replicate, purpose))``: one stream per
purpose (weather, population, model rules), keyed by replicate only. So within a
replicate every option *and every pathway* sees the same weather anomalies, the same
residents and the same rule draws. Options differ only by what they change (common
random numbers, DESIGN.md), and pathways differ only by the climate shift (UKCP18
deltas applied to the same weather), which pairs the pathway comparison too. DESIGN.md
first said "per (pathway, replicate)"; keying by replicate alone is the stronger
pairing and costs nothing. Streams are derived, not spawned in sequence, so a run's
numbers do not depend on which other runs happened before it: ``--jobs 1`` and
``--jobs 2`` and a resumed ensemble give identical results.

Files
-----
Each finished run is stored atomically under ``DIR/.runs/``; an interrupted ensemble
resumes from there. The outputs (``results.nc``, ``indicators.csv``, ``plots/``,
``manifest.json``) are built in ``DIR/.staging`` and moved into place when whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time as _time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from twin import __version__
from twin._names import AGE_BANDS
from twin.run.writer import claim, publish, staging
from twin.errors import OutputError, ScenarioError

__all__ = ["Ensemble", "RunKey", "check_scenario", "run_scenario", "stream"]

#: Purposes of the random streams of a replicate (fixed order: never renumber).
STREAMS = {"weather": 0, "population": 1, "model": 2}
RESULT_FILES = ("results.nc", "indicators.csv", "decomposition.csv", "manifest.json", "plots")


def stream(seed: int, replicate: int, purpose: str) -> np.random.Generator:
    """The random stream of ``purpose`` for ``replicate`` of a scenario seeded ``seed``."""
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(int(replicate), STREAMS[purpose])))


@dataclass(frozen=True, order=True)
class RunKey:
    """One run of an ensemble, by position in the scenario's options and pathways."""

    option: int
    pathway: int
    replicate: int

    @property
    def filename(self) -> str:
        return f"o{self.option:03d}_p{self.pathway:02d}_r{self.replicate:04d}.nc"


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def time_index(period: Any) -> pd.DatetimeIndex:
    """Daily dates of a scenario period (``start``..``end`` inclusive)."""
    return pd.date_range(pd.Timestamp(period.start), pd.Timestamp(period.end), freq="D")


@dataclass
class Ensemble:
    """Everything needed to run any (option, pathway, replicate) of a scenario.

    Built once per process: it loads the place, validates the model parameters and
    applies every option's interventions up front, so a bad option fails before any
    run starts.
    """

    scenario: Any
    seed: int
    replicates: int
    population_year: int | None = None  # force one projected year (the decomposition's base-year twin run)
    place: Any = field(init=False)
    option_places: list[Any] = field(init=False)
    option_costs: list[list[Any]] = field(init=False)

    def __post_init__(self) -> None:
        from twin.interventions import apply_option
        from twin.models import get_model
        from twin.place import Place, resolve_place

        sc = self.scenario
        self.place = Place.load(resolve_place(sc.place, sc.base_dir))
        self.entry = get_model(sc.model)
        self.params = self.entry.Params.model_validate(sc.parameters)
        self.time = time_index(sc.period)
        self.pathways = list(sc.pathways)
        self.options = [o.name for o in sc.options]
        self.option_places, self.option_costs = [], []
        for opt in sc.options:
            p, costs = apply_option(self.place, opt.interventions)
            self.option_places.append(p)
            self.option_costs.append(list(costs))
        self.climate_source = self._climate_source()
        if self.climate_source is not None:
            from twin.climate import read_cf

            # bad climate files fail here, before any run or output (precipitation is optional)
            read_cf(self.climate_source, variables=("tasmax", "tasmin", "pr"), optional=("pr",))
        self._residents: dict[tuple[int, int | None], Any] = {}
        self._populations: dict[int, xr.DataArray] = {}
        self.demography = getattr(sc, "demography", None)
        for year, _ in self.segments():
            self.population(year)  # projection errors surface before any run

    def _climate_source(self) -> Path | None:
        src = getattr(getattr(self.scenario, "climate", None), "source", "generator")
        if src in (None, "generator"):
            return None
        path = Path(src)
        if not path.is_absolute() and self.scenario.base_dir is not None:
            path = Path(self.scenario.base_dir) / path
        return path

    def keys(self) -> list[RunKey]:
        return [
            RunKey(o, p, r)
            for r in range(self.replicates)
            for p in range(len(self.pathways))
            for o in range(len(self.options))
        ]

    def input_checksums(self) -> dict[str, str]:
        sums = {f"place/{k}": v for k, v in sorted(dict(self.place.checksums).items())}
        if self.climate_source is not None:
            sums[f"climate/{self.climate_source.name}"] = _sha256_file(self.climate_source)
        return sums

    # -- population: today's, or projected (the scenario's `demography:` section) -----------
    def segments(self) -> list[tuple[int | None, slice]]:
        """Spans of the period that share one population: ``(year or None, slice of days)``.

        Without a ``demography:`` section the place's own population is used throughout.
        With ``demography.year`` the projected population of that year is used for the
        whole period. Otherwise the population follows each calendar year of the period:
        a multi-year run ages the residents each year (re-drawn from the projection).
        """
        demo = self.demography
        if demo is None:
            return [(None, slice(0, len(self.time)))]
        if self.population_year is not None:
            return [(self.population_year, slice(0, len(self.time)))]
        if demo.year is not None:
            return [(demo.year, slice(0, len(self.time)))]
        years = self.time.year.values
        out = []
        for y in np.unique(years):
            idx = np.flatnonzero(years == y)
            out.append((int(y), slice(int(idx[0]), int(idx[-1]) + 1)))
        return out

    def population(self, year: int | None) -> xr.DataArray:
        """Residents by zone × sex × age for ``year`` (None: the place's own population)."""
        if year is None:
            return self.place.population
        if year not in self._populations:
            from twin.demography import population_for_year

            self._populations[year] = population_for_year(self.place, self.demography, year, base_dir=self.scenario.base_dir)
        return self._populations[year]

    def residents(self, replicate: int, year: int | None = None) -> Any:
        key = (replicate, year)
        if key not in self._residents:
            module = self.entry.load()
            if year is None:
                rng, place = stream(self.seed, replicate, "population"), self.place
            else:
                seq = np.random.SeedSequence(self.seed, spawn_key=(replicate, STREAMS["population"], year))
                rng, place = np.random.default_rng(seq), self.place.replace(population=self.population(year))
            # keep the current replicate's residents only (options and pathways of a replicate run together)
            self._residents = {k: v for k, v in self._residents.items() if k[0] == replicate}
            self._residents[key] = module.make_residents(place, self.params, rng)
        return self._residents[key]

    def run(self, key: RunKey) -> xr.Dataset:
        """Run one (option, pathway, replicate) and return its records."""
        from twin.climate import ClimateDrivers, make_drivers

        module = self.entry.load()
        place = self.option_places[key.option]
        pathway = self.pathways[key.pathway]
        drivers = make_drivers(
            place, pathway, self.time, stream(self.seed, key.replicate, "weather"), source=self.climate_source
        )
        parts = []
        for year, days in self.segments():
            seg_drivers = drivers if days == slice(0, len(self.time)) else ClimateDrivers(
                drivers.weather.isel(time=days), drivers.offsets
            )
            seg_place = place if year is None else place.replace(population=self.population(year))
            if year is None:
                rng = stream(self.seed, key.replicate, "model")
            else:  # each year's span of days gets its own model stream
                rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(key.replicate, STREAMS["model"], year)))
            parts.append(module.run(
                seg_place, seg_drivers, self.residents(key.replicate, year), self.params,
                rng=rng, outputs=self.scenario.outputs, seed_key=(self.seed, key.replicate, days.start),
            ))
        ds = parts[0] if len(parts) == 1 else _join_segments(parts)
        w = drivers.weather
        if "y" in w.dims:  # gridded input: keep the place-mean series
            w = w.mean(("y", "x"))
        ds["station_tasmax"] = w["tasmax"].astype(np.float32)
        ds["station_tasmin"] = w["tasmin"].astype(np.float32)
        return ds

    def residents_by_age(self) -> np.ndarray:
        """Residents per (zone, age band) simulated, averaged over the period's days."""
        total = np.zeros((len(self.place.zones), len(AGE_BANDS)))
        n = len(self.time)
        for year, days in self.segments():
            pop = self.population(year).transpose("zone", "sex", "age")
            by_age = np.zeros_like(total)
            ages = pop["age"].values
            np.add.at(by_age.T, np.minimum(ages // 5, len(AGE_BANDS) - 1), pop.sum("sex").values.T)
            total += by_age * (days.stop - days.start) / n
        return total


def _join_segments(parts: list[xr.Dataset]) -> xr.Dataset:
    """Join runs over consecutive spans of days: daily variables concatenate, period totals add."""
    daily = [v for v in parts[0].data_vars if "time" in parts[0][v].dims]
    totals = [v for v in parts[0].data_vars if "time" not in parts[0][v].dims]
    out = xr.concat([p[daily] for p in parts], dim="time", data_vars="all", coords="minimal", join="override")
    for v in totals:
        acc = parts[0][v].copy()
        for p in parts[1:]:
            acc = acc + p[v]
        acc.attrs = parts[0][v].attrs
        out[v] = acc
    out.attrs = parts[0].attrs
    return out


def check_scenario(scenario: Any) -> Ensemble:
    """Check everything a run needs (place, model parameters, options, climate file) without running."""
    return Ensemble(scenario, int(scenario.seed), int(scenario.replicates))


# --- process-pool plumbing --------------------------------------------------------------
_WORKER: dict[str, Ensemble] = {}


def _init_worker(text: str, file: str, base_dir: str, seed: int, replicates: int, population_year: int | None) -> None:
    # the scenario travels as its text (its schema class is built from the registries,
    # so it is re-validated here rather than pickled)
    from twin.scenario import loads

    _WORKER["ensemble"] = Ensemble(loads(text, file=file, base_dir=base_dir), seed, replicates, population_year)


def _run_to_file(key: RunKey, runs_dir: str) -> tuple[RunKey, float]:
    ens = _WORKER["ensemble"]
    t0 = _time.perf_counter()
    ds = ens.run(key)
    _write_netcdf(ds, Path(runs_dir) / key.filename)
    return key, _time.perf_counter() - t0


def _write_netcdf(ds: xr.Dataset, path: Path, *, compress: bool = False) -> None:
    tmp = path.with_name(path.name + ".tmp")
    encoding = {}
    if compress:
        encoding = {v: {"compression": "gzip", "compression_opts": 4} for v in ds.data_vars if ds[v].ndim > 0}
    ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
    os.replace(tmp, path)


# --- the public entry point --------------------------------------------------------------
def _ensemble_key(scenario: Any, seed: int, replicates: int) -> dict[str, Any]:
    return {"scenario_sha256": scenario.sha256, "seed": int(seed), "replicates": int(replicates), "version": __version__}


def _prepare_output(out: Path, key: dict[str, Any], overwrite: bool) -> Path:
    """Make ``out`` ready; return its runs directory. Refuses to clobber without ``overwrite``."""
    runs = out / ".runs"
    claim(out, holds=RESULT_FILES, overwrite=overwrite)
    if overwrite:
        for n in RESULT_FILES:
            target = out / n
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    key_file = runs / "ensemble.json"
    if key_file.exists():
        try:
            stored = json.loads(key_file.read_text())
        except ValueError:
            stored = None
        if stored != key:
            if not overwrite:
                raise OutputError(
                    "output directory holds an unfinished run of a different scenario, seed or replicate count",
                    field="-o", value=str(out), hint="pass --overwrite to discard it, or choose another directory",
                )
            shutil.rmtree(runs)
    runs.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(json.dumps(key, sort_keys=True))
    return runs


def run_scenario(
    scenario: Any,
    out: str | os.PathLike[str],
    *,
    jobs: int = 1,
    seed: int | None = None,
    replicates: int | None = None,
    overwrite: bool = False,
    progress: bool | None = None,
    plots: bool | None = None,
    on_run: Callable[[RunKey, float], None] | None = None,
    population_year: int | None = None,
) -> Path:
    """Run every (option, pathway, replicate) of ``scenario`` and write its outputs to ``out``.

    Parameters
    ----------
    scenario
        A validated :class:`twin.scenario.Scenario` (``twin.scenario.load(path)``).
    out
        Output directory; created if needed. Holds ``results.nc``, ``indicators.csv``,
        ``manifest.json`` and ``plots/`` when whole.
    jobs
        Worker processes (1 runs in this process).
    seed, replicates
        Override the scenario's values.
    overwrite
        Replace existing outputs in ``out``; without it an existing result is an error.
    progress
        Show a progress bar (default: when stderr is a terminal).
    plots
        Write the standard plots (default: the scenario's ``outputs.plots``).

    Returns
    -------
    The output directory.
    """
    seed = int(scenario.seed if seed is None else seed)
    replicates = int(scenario.replicates if replicates is None else replicates)
    if replicates < 1:
        raise ScenarioError("must be at least 1", field="--replicates", value=replicates)
    if jobs < 1:
        raise ScenarioError("must be at least 1", field="--jobs", value=jobs)
    t_start = _time.perf_counter()
    # validates place, params, options, climate file and projection before touching `out`
    ens = Ensemble(scenario, seed, replicates, population_year)
    out = Path(out)
    demo = ens.demography
    twin_run = population_year is None and demo is not None and demo.year is not None and demo.year != demo.base_year
    if twin_run:
        # the same ensemble on the base-year population, for the climate/demographic split
        run_scenario(scenario, out / "base_population", jobs=jobs, seed=seed, replicates=replicates,
                     overwrite=overwrite, progress=progress, plots=False, on_run=on_run,
                     population_year=demo.base_year)
    key = _ensemble_key(scenario, seed, replicates)
    key["population_year"] = population_year
    runs = _prepare_output(out, key, overwrite)
    keys = ens.keys()
    todo = [k for k in keys if not (runs / k.filename).exists()]
    resumed = len(keys) - len(todo)
    timings: dict[str, float] = {}
    show = sys.stderr.isatty() if progress is None else progress
    _execute(ens, todo, runs, jobs, show, timings, on_run, resumed, len(keys))
    t_runs = _time.perf_counter() - t_start
    results = assemble(ens, runs)
    decomposition = None
    if twin_run and "baseline" in ens.pathways:
        from twin.analysis.decomposition import decompose

        with xr.open_dataset(out / "base_population" / "results.nc", engine="h5netcdf") as base:
            decomposition = decompose(results, base.load())
    _write_outputs(ens, results, out, plots, timings, resumed, t_runs, t_start, jobs, decomposition)
    shutil.rmtree(runs, ignore_errors=True)
    return out


def _execute(ens, todo, runs, jobs, show, timings, on_run, resumed, total) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, disable=not show, transient=False) as bar:
        task = bar.add_task(f"runs ({ens.scenario.name})", total=total, completed=resumed)

        def done(key: RunKey, seconds: float) -> None:
            timings[key.filename[:-3]] = round(seconds, 4)
            bar.advance(task)
            if on_run is not None:
                on_run(key, seconds)

        if jobs == 1 or len(todo) <= 1:
            _WORKER["ensemble"] = ens
            try:
                for key in todo:
                    done(*_run_to_file(key, str(runs)))
            finally:
                _WORKER.pop("ensemble", None)
            return
        ctx = get_context("spawn")
        sc = ens.scenario
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=_init_worker,
            initargs=(sc.text, str(sc.path or "<string>"), str(sc.base_dir), ens.seed, ens.replicates, ens.population_year),
        ) as pool:
            futures = [pool.submit(_run_to_file, key, str(runs)) for key in todo]
            for fut in futures:
                done(*fut.result())


def assemble(ens: Ensemble, runs: Path) -> xr.Dataset:
    """Gather the stored runs into one Dataset: option × pathway × replicate × time × zone."""
    keys = ens.keys()
    first = xr.load_dataset(runs / keys[0].filename, engine="h5netcdf")
    shape = (len(ens.options), len(ens.pathways), ens.replicates)
    arrays: dict[str, np.ndarray] = {}
    dims: dict[str, tuple[str, ...]] = {}
    weather = ("station_tasmax", "station_tasmin")
    for name, var in first.data_vars.items():
        lead = shape[1:] if name in weather else shape
        arrays[name] = np.zeros(lead + var.shape, dtype=var.dtype)
        dims[name] = (("pathway", "replicate") if name in weather else ("option", "pathway", "replicate")) + var.dims
    for key in keys:
        ds = first if key == keys[0] else xr.load_dataset(runs / key.filename, engine="h5netcdf")
        for name in arrays:
            if name in weather:
                if key.option == 0:
                    arrays[name][key.pathway, key.replicate] = ds[name].values
            else:
                arrays[name][key.option, key.pathway, key.replicate] = ds[name].values
    place = ens.place
    by_age = ens.residents_by_age()
    if np.all(by_age == np.round(by_age)):
        by_age = by_age.astype(np.int64)
    costs = [_total_cost(c) for c in ens.option_costs]
    data = {
        name: (dims[name], arrays[name], dict(first[name].attrs)) for name in arrays
    }
    data["residents"] = (("zone",), by_age.sum(axis=1), {"units": "1", "long_name": "residents"})
    data["residents_by_age"] = (("zone", "age_band"), by_age, {"units": "1", "long_name": "residents by age band"})
    data["capital_cost"] = (("option",), np.array([c[0] for c in costs]), {"units": "GBP", "long_name": "capital cost of the option's interventions", "price_base_year": costs[0][2] if costs else 0})
    data["annual_cost"] = (("option",), np.array([c[1] for c in costs]), {"units": "GBP year-1", "long_name": "annual running cost of the option's interventions", "price_base_year": costs[0][2] if costs else 0})
    zones = place.zones
    coords = {
        "option": ens.options,
        "pathway": ens.pathways,
        "replicate": np.arange(ens.replicates),
        "time": first["time"].values,
        "zone": [z.code for z in zones],
        "age_band": list(AGE_BANDS),
        "zone_name": ("zone", [z.name for z in zones]),
        "urban_rural": ("zone", [z.urban_rural for z in zones]),
        "deprivation_decile": ("zone", np.array([z.deprivation_decile for z in zones], np.int16)),
    }
    if getattr(ens.scenario.outputs, "heat_indices", False):
        data.update(_heat_indices(ds_weather(arrays, first), ens.place.meta.get("region")))
    for name, coord in first.coords.items():  # the model's own dimensions (channel, service_type, ...)
        if name not in coords and set(coord.dims) <= {d for d in first.dims if d not in ("time", "zone", "age_band")}:
            coords[name] = (coord.dims, coord.values, dict(coord.attrs))
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(first.attrs)
    if ens.demography is not None:
        ds.attrs["population"] = (
            f"projected (variant {ens.demography.variant}), years {sorted({y for y, _ in ens.segments()})}"
        )
    ds.attrs.update(
        {
            "Conventions": "CF-1.10",
            "title": f"placetwin results: {ens.scenario.name}",
            "place": place.name,
            "model": ens.scenario.model,
            "scenario_name": ens.scenario.name,
            "scenario_sha256": ens.scenario.sha256,
            "scenario": ens.scenario.text,
            "seed": ens.seed,
            "replicates": ens.replicates,
            "reference_option": ens.options[0],
            "placetwin_version": __version__,
            "input_checksums": json.dumps(ens.input_checksums(), sort_keys=True),
        }
    )
    return ds


def ds_weather(arrays: dict[str, np.ndarray], first: xr.Dataset) -> xr.Dataset:
    """The place-level weather of every (pathway, replicate) as a Dataset (degC)."""
    dims = ("pathway", "replicate", "time")
    return xr.Dataset(
        {v: (dims, arrays[f"station_{v}"], {"units": "degC"}) for v in ("tasmax", "tasmin")},
        coords={"time": first["time"].values},
    )


def _heat_indices(weather: xr.Dataset, region: str | None) -> dict[str, tuple]:
    """Heat indices (xclim) of each pathway and replicate, summed over the period's years."""
    from twin.climate import heat_indices

    ind = heat_indices(weather, region=region)
    out = {}
    for name, da in ind.data_vars.items():
        total = da.max("time") if name.endswith("max_length") else da.sum("time")
        labels = {"heat_wave_frequency": "heat waves (heat-health day and night thresholds on consecutive days)",
                  "heat_wave_max_length": "longest heat wave", "tropical_nights": "nights with Tmin above 20 degC"}
        label = labels.get(name) or f"days with Tmax above {name.rsplit('_', 1)[-1]} degC"
        attrs = {"units": "days" if not name.endswith("frequency") else "1",
                 "long_name": f"{label}, over the period",
                 "source": "xclim.indices, on the place-level daily series"}
        out[name] = (("pathway", "replicate"), total.values.astype(np.float32), attrs)
    return out


def _total_cost(costs: Iterable[Any]) -> tuple[float, float, int]:
    """Capital and annual cost of an option, each intervention converted to one price base year."""
    from twin.analysis.appraisal import AppraisalSettings, convert_price

    settings = AppraisalSettings()
    capital = annual = 0.0
    for c in costs:
        year = int(getattr(c, "price_base_year", settings.price_base_year))
        capital += convert_price(float(c.capital), year, settings)
        annual += convert_price(float(c.annual), year, settings)
    return capital, annual, int(settings.price_base_year)


def _write_outputs(ens, results, out, plots, timings, resumed, t_runs, t_start, jobs, decomposition=None) -> None:
    from twin.analysis.metrics import write_indicators_csv

    folder = staging(out)
    _write_netcdf(results, folder / "results.nc", compress=True)
    write_indicators_csv(results, folder / "indicators.csv")
    if decomposition is not None:
        decomposition.to_csv(folder / "decomposition.csv", index=False, float_format="%.6g")
    want_plots = ens.scenario.outputs.plots if plots is None else plots
    t_plots = _time.perf_counter()
    plot_files: list[str] = []
    if want_plots:
        from twin.plot.core import plot_all

        (folder / "plots").mkdir()
        plot_files = [p.name for p in plot_all(results, ens.place.zones, folder / "plots")]
    t_end = _time.perf_counter()
    manifest = {
        "placetwin_version": __version__,
        "scenario": {
            "name": ens.scenario.name,
            "path": str(ens.scenario.path) if ens.scenario.path else None,
            "sha256": ens.scenario.sha256,
            "text": ens.scenario.text,
        },
        "seed": ens.seed,
        "replicates": ens.replicates,
        "options": ens.options,
        "pathways": ens.pathways,
        "model": ens.scenario.model,
        "place": ens.place.name,
        "input_checksums": ens.input_checksums(),
        "outputs": ["results.nc", "indicators.csv"]
        + (["decomposition.csv", "base_population/"] if decomposition is not None else [])
        + [f"plots/{p}" for p in plot_files],
        "population": (
            "place" if ens.demography is None
            else {"variant": ens.demography.variant, "years": sorted({y for y, _ in ens.segments()})}
        ),
        "environment": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "xarray": xr.__version__,
        },
        "timings_seconds": {
            "runs_total": round(t_runs, 3),
            "plots": round(t_end - t_plots, 3),
            "total": round(t_end - t_start, 3),
            "jobs": jobs,
            "runs_resumed": resumed,
            "per_run": timings,
        },
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False))
    publish(folder, out, ("results.nc", "indicators.csv", "decomposition.csv", "plots", "manifest.json"))
