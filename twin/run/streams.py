"""Every random stream of placetwin, in one table.

A scenario has one seed. Every stream is derived from it with
``numpy.random.SeedSequence(seed, spawn_key=key)``, where ``key`` starts with the replicate
(streams of a run) or with a purpose number of 100 or more (streams of a trial design).
Streams are *derived*, never spawned in sequence, so no run's numbers depend on which runs
happened before it: ``--jobs 1``, ``--jobs 2``, a Dask cluster and a resumed ensemble give
identical results.

Common random numbers: a run's streams are keyed by replicate and purpose only, never by
option or pathway, so every option and pathway of a replicate sees the same weather
anomalies, the same residents and the same rule draws; options differ only by what they
change, pathways only by the climate shift.

The numbers below are part of the results' identity: never renumber one. Add a purpose
with a new number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PURPOSES", "RunStreams", "generator", "seed_sequence"]

#: purpose -> number. Run streams are keyed ``(replicate, number, *extra)``; design streams
#: (numbers >= 100) are keyed ``(number, *extra)``.
PURPOSES: dict[str, int] = {
    "weather": 0,          # the station weather generator, per replicate (shared by every pathway)
    "population": 1,       # residents drawn from the population (extra key: projected year)
    "model": 2,            # the model's own stream (Mesa's rng); extra keys: the day (models with per-day streams),
                           # a projected year's span, or 1000 + a trial span
    "reference_days": 3,   # the per-resident reference model's per-day streams
    "flood": 4,            # flood events: storm timing, displacement durations, welfare contacts
    "flood_inputs": 5,     # uncertain flood inputs drawn once per replicate (design depth, uplift, property values)
    "trial_allocation": 101,
    "trial_outcome": 102,
    "trial_within": 103,
}

#: spawn-key offset of a trial span's model stream: (replicate, 2, 1000 + span)
TRIAL_SPAN_OFFSET = 1000


def seed_sequence(seed: int, purpose: str, *extra: int, replicate: int | None = None) -> np.random.SeedSequence:
    """The seed sequence of ``purpose`` (with ``replicate`` for run streams, none for design streams)."""
    number = PURPOSES[purpose]
    if replicate is None:
        if number < 100:
            raise ValueError(f"stream {purpose!r} belongs to a run: give its replicate")
        key: tuple[int, ...] = (number, *map(int, extra))
    else:
        key = (int(replicate), number, *map(int, extra))
    return np.random.SeedSequence(int(seed), spawn_key=key)


def generator(seed: int, purpose: str, *extra: int, replicate: int | None = None) -> np.random.Generator:
    """A fresh generator of the stream (see :func:`seed_sequence`)."""
    return np.random.default_rng(seed_sequence(seed, purpose, *extra, replicate=replicate))


@dataclass(frozen=True)
class RunStreams:
    """The streams of one run: a scenario ``seed``, a ``replicate``, and the index of the run's
    first day in the scenario period (``day_offset``, for runs over a span of the period).

    ``model`` is what a Mesa model receives as ``rng``; ``day(t)`` is the stream of day ``t``
    of the run for models that draw per day (so a quiet day skipped shifts no other day);
    ``span`` replaces the model stream for a span of a multi-year or trial run.
    """

    seed: int
    replicate: int
    day_offset: int = 0
    span: int | None = None  # extra key of the model stream (a projected year, or 1000 + trial span)
    day_purpose: str = "model"

    def get(self, purpose: str, *extra: int) -> np.random.Generator:
        return generator(self.seed, purpose, *extra, replicate=self.replicate)

    @property
    def model(self) -> np.random.Generator:
        if self.span is None:
            return self.get("model")
        return self.get("model", self.span)

    def day(self, t: int) -> np.random.Generator:
        """Stream of day ``t`` of this run (``day_offset + t`` in the scenario period)."""
        return self.get(self.day_purpose, self.day_offset + int(t))

    def with_days(self, day_offset: int, span: int | None = None) -> "RunStreams":
        return RunStreams(self.seed, self.replicate, int(day_offset), span, self.day_purpose)

    def for_reference(self) -> "RunStreams":
        return RunStreams(self.seed, self.replicate, self.day_offset, self.span, "reference_days")
