"""The contract every placetwin model keeps: a Mesa model base class.

A model is a :class:`TwinModel` subclass, registered by name in ``models/params.py`` with its
parameter class (pydantic, imported without Mesa so ``twin validate`` stays fast) and the
dotted path of the class (``"twin.models.heat_health:HeatHealthModel"``), imported only
when a run starts. The run engine (:mod:`twin.run.engine`) is the only caller; it does, for
every (option, pathway, replicate)::

    residents = Model.make_residents(base_place, params, streams.get("population"))  # once per replicate
    drivers = Model.make_drivers(option_place, pathway, time, streams, source=..., params=params)
    model = Model(option_place, drivers, residents, params, streams=streams, outputs=outputs)
    dataset = model.simulate()          # steps every day with Mesa's API, then to_dataset()

What a subclass provides
------------------------
``step_day(t)``
    One day of the rules (vectorised over the resident columns).
``to_dataset()``
    The run's records: an ``xarray.Dataset`` with dims ``time``/``zone`` (and the model's
    own group dims), every variable with CF ``units`` and ``long_name``.
``make_residents`` (classmethod, optional)
    Residents drawn once per replicate on the place *before* any option (common random
    numbers); the default synthesises age, sex, zone and home cell from the population.
``make_drivers`` (classmethod, optional)
    The hazard drivers of a run; the default is the daily weather of
    :func:`twin.climate.make_drivers` (a flood model returns design storms instead).
``export_state()`` / ``import_state(state)`` (optional)
    State handed from one span of days to the next (a stepped-wedge trial's periods, run by
    :meth:`twin.run.engine.Ensemble.run_span`): what residents carry over (behaviour adopted,
    when a service last contacted them, who is alive), with days counted in the scenario
    period (``streams.day_offset + t``). The engine calls ``import_state`` after construction
    and before the first step, ``export_state`` after the last. The defaults carry nothing
    (``None``): a stateless model's spans are independent, as before.

Individually randomised trials
------------------------------
A model registered with ``resident_trials=True`` accepts residents with a ``trial_arm``
column (int8: 1 treated, 0 control, -1 not in the trial): services whose
``properties["residents"] == "trial_arm"`` serve only the treated arm, and its results add
``<variable>_by_arm`` and ``<variable>_sumsq_by_arm`` (zone, arm) for the trial's analysis
(:mod:`twin.trials.individual`).

Randomness
----------
``streams`` (:class:`twin.run.streams.RunStreams`) is the only source of random numbers:
``streams.model`` is given to Mesa as the model's ``rng``; models that draw per day use
``streams.day(t)`` so that skipping a quiet day shifts no other day's numbers.
"""

from __future__ import annotations

from typing import Any, ClassVar

import mesa
import numpy as np
import xarray as xr

from twin._names import AGE_BANDS
from twin.run.streams import RunStreams

__all__ = ["ResidentModel", "TwinModel"]


class TwinModel(mesa.Model):
    """Base of every placetwin model: one run of one (option, pathway, replicate).

    Parameters
    ----------
    place
        The :class:`twin.place.Place` after the option's interventions.
    drivers
        What :meth:`make_drivers` returned for this run (daily weather by default).
    residents
        What :meth:`make_residents` returned for this replicate (shared by every option).
    params
        An instance of the model's registered parameter class.
    streams
        The run's random streams.
    outputs
        The scenario's ``outputs:`` section (what to record), or None for the defaults.
    """

    #: the name the model is registered under (set by the registry)
    model_name: ClassVar[str] = ""

    def __init__(self, place: Any, drivers: Any, residents: Any, params: Any, *,
                 streams: RunStreams, outputs: Any = None) -> None:
        super().__init__(rng=streams.model)
        self.place = place
        self.drivers = drivers
        self.residents = residents
        self.params = params
        self.streams = streams
        self.outputs = outputs
        self.n_zones = len(place.zones)
        self.n_days = len(drivers.time)
        self.day = -1  # index of the day being simulated

    # -- construction helpers the engine calls ---------------------------------------------
    @classmethod
    def make_residents(cls, place: Any, params: Any, rng: np.random.Generator) -> Any:
        """Residents of ``place`` as columns (the replicate's population stream)."""
        from twin.models.residents import synthesize_residents

        return synthesize_residents(place.population, place.zone_index, place.grid["residents"].values, rng)

    @classmethod
    def make_drivers(cls, place: Any, pathway: str, time: Any, streams: RunStreams, *,
                     source: Any = None, params: Any = None) -> Any:
        """The hazard drivers of one run: by default the place's daily weather on ``pathway``."""
        from twin.climate import make_drivers

        return make_drivers(place, pathway, time, streams.get("weather"), source=source)

    # -- stepping ------------------------------------------------------------------------
    def step(self) -> None:
        self.day += 1
        if self.day >= self.n_days - 1:
            self.running = False
        self.step_day(self.day)

    def step_day(self, t: int) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_dataset(self) -> xr.Dataset:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- state across spans (optional) ---------------------------------------------------
    def export_state(self) -> Any:
        """The state the next span starts from (``None``: the model carries nothing across spans)."""
        return None

    def import_state(self, state: Any) -> None:
        """Start from ``state`` (what :meth:`export_state` returned at the end of the previous span)."""
        if state is not None:
            raise NotImplementedError(f"{type(self).__name__} carries no state across spans")

    def simulate(self) -> xr.Dataset:
        """Step through every day of the drivers and return the records."""
        self.run_for(self.n_days)
        return self.to_dataset()


class ResidentModel(TwinModel):
    """A model whose residents are columns of arrays (age, sex, zone, home cell, ...)."""

    def __init__(self, place: Any, drivers: Any, residents: Any, params: Any, *,
                 streams: RunStreams, outputs: Any = None) -> None:
        super().__init__(place, drivers, residents, params, streams=streams, outputs=outputs)
        self.group = residents.group_index(self.n_zones)
        self.residents_by_zone_band = residents.counts_by_zone_band(self.n_zones)

    def tally_zone(self, mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum over residents of ``mask`` (or ``weights`` where mask) per zone."""
        w = mask if weights is None else np.where(mask, weights, 0.0)
        return np.bincount(self.residents.zone, weights=w, minlength=self.n_zones)

    def tally_zone_band(self, mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum over residents per (zone, age band), shape ``(n_zones, n_bands)``."""
        nb = len(AGE_BANDS)
        w = mask if weights is None else np.where(mask, weights, 0.0)
        return np.bincount(self.group, weights=w, minlength=self.n_zones * nb).reshape(self.n_zones, nb)
