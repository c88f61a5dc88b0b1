"""The run engine: an :class:`Ensemble` built once per process, and the one loop that runs a model.

An ensemble is every (option, pathway, replicate) of a scenario. :class:`Ensemble` is built
once per process from a validated scenario: it loads the place, validates the model
parameters, applies every option's interventions (so a bad option fails before any run),
reads a climate file once, and caches the residents of the replicate being run. Then

- :meth:`Ensemble.run_one` runs one (option, pathway, replicate) and returns its records;
- :meth:`Ensemble.run_place` runs any place (a trial's partly treated place) on a pathway,
  a replicate and a span of days: the one place where a model is stepped (with :meth:`Ensemble.run_span`);
- :meth:`Ensemble.run_span` runs a span of days from the state the previous span ended with
  and returns the state at the end (a stepped wedge with carry-over; an individually
  randomised trial's residents with their ``trial_arm``);
- :meth:`Ensemble.build_model` returns the constructed, unstepped Mesa model (the
  dashboard's live view steps it day by day).

Every random number comes from :class:`twin.run.streams.RunStreams` (see that module for
the common-random-numbers design). Workers rebuild the ensemble from an
:class:`~twin.run.spec.EnsembleSpec` (the scenario's text, seed and replicates: small and
picklable; :mod:`twin.run.spec` also holds :class:`~twin.run.spec.RunKey`, a run's identity)
once per process, never per run.
"""

from __future__ import annotations

import hashlib
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from twin._names import AGE_BANDS
from twin.errors import ScenarioError
from twin.run.spec import EnsembleSpec, RunKey, stream, time_index
from twin.run.streams import PURPOSES, RunStreams, generator

__all__ = ["Ensemble", "EnsembleSpec", "RunKey", "check_scenario", "simulate", "stream", "time_index"]


class Ensemble:
    """Everything needed to run any (option, pathway, replicate) of a scenario.

    Parameters
    ----------
    scenario
        A validated :class:`twin.scenario.Scenario`.
    seed, replicates
        Override the scenario's values.
    population_year
        Run every day on the population projected for this year (the base-year twin of the
        climate/demographic decomposition).
    """

    def __init__(self, scenario: Any, *, seed: int | None = None, replicates: int | None = None,
                 population_year: int | None = None) -> None:
        from twin.interventions import apply_option
        from twin.models import get_model
        from twin.place import Place, resolve_place

        sc = scenario
        entry = get_model(sc.model)
        self._setup(
            scenario=sc, place=Place.load(resolve_place(sc.place, sc.base_dir)), entry=entry,
            params=entry.Params.model_validate(sc.parameters), time=time_index(sc.period),
            pathways=[str(p) for p in sc.pathways], seed=int(sc.seed if seed is None else seed),
            replicates=int(sc.replicates if replicates is None else replicates),
            climate_source=_climate_source(sc), demography=getattr(sc, "demography", None),
            population_year=population_year,
        )
        self.options = [o.name for o in sc.options]
        self.option_places, self.option_costs = [], []
        for opt in sc.options:
            p, costs = apply_option(self.place, opt.interventions)
            self.option_places.append(p)
            self.option_costs.append(list(costs))

    def _setup(self, *, scenario: Any, place: Any, entry: Any, params: Any, time: pd.DatetimeIndex,
               pathways: list[str], seed: int, replicates: int, climate_source: Path | None,
               demography: Any, population_year: int | None) -> None:
        self.scenario = scenario
        self.seed, self.replicates = int(seed), int(replicates)
        if self.replicates < 1:
            raise ScenarioError("must be at least 1", field="replicates", value=self.replicates)
        self.population_year = population_year
        self.place, self.entry, self.params = place, entry, params
        self.time, self.pathways = time, list(pathways)
        self.options = ["as is"]
        self.option_places: list[Any] = [place]
        self.option_costs: list[list[Any]] = [[]]
        self.climate_source = climate_source
        self.climate = None
        if climate_source is not None:
            from twin.climate import read_cf

            # read once; bad climate files fail here, before any run or output
            self.climate = read_cf(climate_source, variables=("tasmax", "tasmin", "pr"), optional=("pr",))
            self.climate.attrs["source_file"] = str(climate_source)
        self.demography = demography
        self._residents: dict[tuple[int, int | None], Any] = {}
        self._populations: dict[int, xr.DataArray] = {}
        for year, _ in self.segments():
            self.population(year)  # projection errors surface before any run

    @classmethod
    def for_place(cls, place: Any, model: str, params: Any = None, *, time: Any, pathways: list[str] | None = None,
                  seed: int = 0, replicates: int = 1, climate_source: str | Path | None = None,
                  outputs: Any = None) -> Ensemble:
        """An ensemble of one option (the place as it is) without a scenario file: for notebooks and trials."""
        from types import SimpleNamespace

        from twin.models import get_model, model_names

        if model not in model_names():
            raise ScenarioError("unknown model", field="model", value=model, hint="valid: " + ", ".join(model_names()))
        entry = get_model(model)
        if not isinstance(params, entry.Params):
            params = entry.Params.model_validate(dict(params or {}))
        outputs = outputs or SimpleNamespace(daily_by_age=False, plots=False, heat_indices=False)
        scenario = SimpleNamespace(name=f"{model} on {place.name}", model=model, outputs=outputs, text="",
                                   sha256="", path=None, base_dir=None, description="", options=[])
        self = cls.__new__(cls)
        self._setup(scenario=scenario, place=place, entry=entry, params=params, time=pd.DatetimeIndex(time),
                    pathways=list(pathways or ["baseline"]), seed=seed, replicates=replicates,
                    climate_source=None if climate_source is None else Path(climate_source), demography=None,
                    population_year=None)
        return self

    # -- identity ----------------------------------------------------------------------------
    @property
    def spec(self) -> EnsembleSpec:
        sc = self.scenario
        return EnsembleSpec(sc.text, str(sc.path or "<string>"), None if sc.base_dir is None else str(sc.base_dir),
                            self.seed, self.replicates, self.population_year)

    @cached_property
    def model(self) -> type:
        """The model's class (imports Mesa)."""
        return self.entry.load()

    def keys(self) -> list[RunKey]:
        """Every run, replicate by replicate (so the residents cache serves a whole replicate)."""
        return [
            RunKey(o, p, r)
            for r in range(self.replicates)
            for p in range(len(self.pathways))
            for o in range(len(self.options))
        ]

    def input_checksums(self) -> dict[str, str]:
        """sha256 of every input file: the place's files and the climate file."""
        sums = {f"place/{k}": v for k, v in sorted(dict(self.place.checksums).items())}
        if self.climate_source is not None:
            sums[f"climate/{self.climate_source.name}"] = _sha256_file(self.climate_source)
        return sums

    # -- population: today's, or projected (the scenario's `demography:` section) -----------
    def segments(self) -> list[tuple[int | None, slice]]:
        """Spans of the period that share one population: ``(year or None, slice of days)``.

        Without a ``demography:`` section the place's own population is used throughout.
        With ``demography.year`` (or ``population_year``) that year's projected population is
        used for the whole period. Otherwise the population follows each calendar year of the
        period: a multi-year run ages the residents each year (re-drawn from the projection).
        """
        demo = self.demography
        whole = slice(0, len(self.time))
        if demo is None:
            return [(None, whole)]
        if self.population_year is not None:
            return [(self.population_year, whole)]
        if demo.year is not None:
            return [(demo.year, whole)]
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

            self._populations[year] = population_for_year(self.place, self.demography, year,
                                                          base_dir=self.scenario.base_dir)
        return self._populations[year]

    def residents(self, replicate: int, year: int | None = None, place: Any = None) -> Any:
        """The residents of ``replicate`` (drawn once on the base place; shared by every option)."""
        key = (int(replicate), year)
        if key not in self._residents:
            base = self.place if place is None else place
            if year is None:
                rng = generator(self.seed, "population", replicate=replicate)
            else:
                rng = generator(self.seed, "population", year, replicate=replicate)
                base = base.replace(population=self.population(year))
            # keep the current replicate's residents only (options and pathways of a replicate run together)
            self._residents = {k: v for k, v in self._residents.items() if k[0] == replicate}
            self._residents[key] = self.model.make_residents(base, self.params, rng)
        return self._residents[key]

    # -- running ----------------------------------------------------------------------------
    def _index(self, value: int | str, names: list[str], what: str) -> int:
        if isinstance(value, (int, np.integer)):
            return int(value)
        if value not in names:
            raise ScenarioError(f"unknown {what}", field=what, value=value, hint="valid: " + ", ".join(names))
        return names.index(value)

    def drivers(self, place: Any, pathway: str, replicate: int) -> Any:
        """The hazard drivers of one run (the model decides what they are)."""
        streams = RunStreams(self.seed, int(replicate))
        source = self.climate if self.climate is not None else None
        return self.model.make_drivers(place, pathway, self.time, streams, source=source, params=self.params)

    def build_model(self, option: int | str, pathway: int | str, replicate: int) -> Any:
        """The constructed, unstepped model of one run (whole period, first population segment)."""
        o = self._index(option, self.options, "option")
        p = self._index(pathway, self.pathways, "pathway")
        place = self.option_places[o]
        drivers = self.drivers(place, self.pathways[p], replicate)
        year, days = self.segments()[0]
        return self._construct(place, drivers, replicate, year, days, span=None)

    def _simulate(self, place: Any, drivers: Any, replicate: int, year: int | None, days: slice,
                  span: int | None) -> xr.Dataset:
        return simulate(self.model, *self._arguments(place, drivers, replicate, year, days, span)[:4],
                        streams=self._streams(replicate, year, days, span), outputs=self.scenario.outputs)

    def _streams(self, replicate: int, year: int | None, days: slice, span: int | None) -> RunStreams:
        extra = span if span is not None else year  # each year's (or trial span's) model stream
        return RunStreams(self.seed, int(replicate), days.start, extra)

    def _arguments(self, place: Any, drivers: Any, replicate: int, year: int | None, days: slice,
                   span: int | None) -> tuple[Any, Any, Any, Any]:
        from twin.climate import ClimateDrivers

        if days != slice(0, len(self.time)):
            drivers = drivers.isel_time(days) if hasattr(drivers, "isel_time") else ClimateDrivers(
                drivers.weather.isel(time=days), drivers.offsets)
        seg_place = place if year is None else place.replace(population=self.population(year))
        return seg_place, drivers, self.residents(replicate, year), self.params

    def _construct(self, place: Any, drivers: Any, replicate: int, year: int | None, days: slice,
                   span: int | None) -> Any:
        args = self._arguments(place, drivers, replicate, year, days, span)
        return self.model(*args, streams=self._streams(replicate, year, days, span), outputs=self.scenario.outputs)

    def run_place(self, place: Any, pathway: str, replicate: int, *, days: slice | None = None,
                  span: int | None = None) -> xr.Dataset:
        """Run ``place`` on ``pathway`` for ``replicate`` and return the model's records.

        ``days`` restricts the run to a span of the period, with the model stream keyed by
        ``span`` (a trial's period: ``1000 + span``); by default the whole period, split by
        population year when the scenario has a ``demography:`` section.
        """
        drivers = self.drivers(place, pathway, replicate)
        if days is not None:
            ds = self._simulate(place, drivers, replicate, None, days, span)
        else:
            parts = [self._simulate(place, drivers, replicate, year, seg, None) for year, seg in self.segments()]
            ds = parts[0] if len(parts) == 1 else _join_segments(parts)
        return _with_station_weather(ds, drivers, days)

    def run_span(self, place: Any, pathway: str, replicate: int, *, days: slice, span: int, state: Any = None,
                 residents: Any = None, drivers: Any = None) -> tuple[xr.Dataset, Any]:
        """Run ``place`` over a span of days from ``state``: ``(records, the model's state at the end)``.

        A trial's periods run one after another through here: ``state`` is what the previous
        span's model exported (:meth:`twin.models.base.TwinModel.export_state`; ``None`` starts
        fresh, exactly as ``run_place(days=, span=)``); ``residents`` replaces the replicate's
        residents (the same residents with an individually randomised trial's ``trial_arm``);
        ``drivers`` the run's drivers when the caller has them (a place whose grid is unchanged).
        """
        drivers = self.drivers(place, pathway, replicate) if drivers is None else drivers
        seg_place, drivers_span, own, params = self._arguments(place, drivers, replicate, None, days, span)
        model = self.model(seg_place, drivers_span, own if residents is None else residents, params,
                           streams=self._streams(replicate, None, days, span), outputs=self.scenario.outputs)
        model.import_state(state)
        ds = model.simulate()
        return _with_station_weather(ds, drivers, days), model.export_state()

    def run_one(self, option: int | str, pathway: int | str, replicate: int) -> xr.Dataset:
        """Run one (option, pathway, replicate) and return its records."""
        o = self._index(option, self.options, "option")
        p = self._index(pathway, self.pathways, "pathway")
        if not 0 <= int(replicate) < self.replicates:
            raise ScenarioError("replicate out of range", field="replicate", value=replicate,
                                hint=f"0..{self.replicates - 1}")
        return self.run_place(self.option_places[o], self.pathways[p], int(replicate))

    def run_key(self, key: RunKey) -> xr.Dataset:
        return self.run_one(key.option, key.pathway, key.replicate)

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


def simulate(model: type | str, place: Any, drivers: Any, residents: Any, params: Any, *,
             streams: RunStreams, outputs: Any = None, **kw: Any) -> xr.Dataset:
    """Construct a model and step it through every day of ``drivers``: the one loop that runs a model.

    ``model`` is a :class:`~twin.models.base.TwinModel` subclass or a registered model's name;
    ``params`` an instance of its parameter class (or a dict, validated). :class:`Ensemble` runs
    every scenario run through here; tests and benchmarks call it to run a model on a place
    and drivers they built themselves.
    """
    if isinstance(model, str):
        from twin.models import get_model

        entry = get_model(model)
        model = entry.load()
        if not isinstance(params, entry.Params):
            params = entry.Params.model_validate(dict(params or {}))
    return model(place, drivers, residents, params, streams=streams, outputs=outputs, **kw).simulate()


def _with_station_weather(ds: xr.Dataset, drivers: Any, days: slice | None) -> xr.Dataset:
    """Keep the place-level daily weather of the run beside the model's records."""
    w = getattr(drivers, "weather", None)
    if w is None or "tasmax" not in w:
        return ds
    if days is not None:
        w = w.isel(time=days)
    if "y" in w.dims:  # gridded input: keep the place-mean series
        w = w.mean(("y", "x"))
    ds["station_tasmax"] = w["tasmax"].astype(np.float32)
    ds["station_tasmin"] = w["tasmin"].astype(np.float32)
    return ds


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


def _climate_source(scenario: Any) -> Path | None:
    src = getattr(getattr(scenario, "climate", None), "source", "generator")
    if src in (None, "generator"):
        return None
    path = Path(src)
    if not path.is_absolute() and scenario.base_dir is not None:
        path = Path(scenario.base_dir) / path
    return path


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_scenario(scenario: Any) -> Ensemble:
    """Check everything a run needs (place, model parameters, options, climate file) without running."""
    return Ensemble(scenario)


assert PURPOSES["model"] == 2  # the results' identity depends on it (see twin.run.streams)
