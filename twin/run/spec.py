"""What identifies an ensemble and its runs: small, picklable values that travel to workers.

In:  a scenario's text, seed and replicates (or a period, for its days).
Out: :class:`EnsembleSpec` (rebuilds the :class:`~twin.run.engine.Ensemble` once per worker
     process), :class:`RunKey` (one run: option, pathway, replicate), :func:`stream` and
     :func:`time_index`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from twin.run.streams import generator

if TYPE_CHECKING:
    from twin.run.engine import Ensemble

__all__ = ["EnsembleSpec", "RunKey", "stream", "time_index"]


def stream(seed: int, replicate: int, purpose: str) -> np.random.Generator:
    """The random stream of ``purpose`` for ``replicate`` of a scenario seeded ``seed``."""
    return generator(seed, purpose, replicate=replicate)


@dataclass(frozen=True, order=True)
class RunKey:
    """One run of an ensemble, by position in the scenario's options and pathways."""

    option: int
    pathway: int
    replicate: int

    @property
    def name(self) -> str:
        return f"o{self.option:03d}_p{self.pathway:02d}_r{self.replicate:04d}"

    @property
    def filename(self) -> str:
        return self.name + ".npz"


def time_index(period: Any) -> pd.DatetimeIndex:
    """Daily dates of a scenario period (``start``..``end`` inclusive)."""
    return pd.date_range(pd.Timestamp(period.start), pd.Timestamp(period.end), freq="D")


@dataclass(frozen=True)
class EnsembleSpec:
    """What a worker needs to rebuild an :class:`Ensemble`: small, picklable, hashable.

    The scenario travels as its text (its schema class is built from the registries, so it is
    re-validated where it lands rather than pickled).
    """

    text: str
    file: str
    base_dir: str | None
    seed: int
    replicates: int
    population_year: int | None = None

    @property
    def digest(self) -> str:
        h = hashlib.sha256(repr((self.text, self.file, self.base_dir, self.seed, self.replicates,
                                 self.population_year)).encode())
        return h.hexdigest()[:16]

    def build(self) -> Ensemble:
        """The ensemble of this spec, built once per process and cached."""
        ens = _BUILT.get(self.digest)
        if ens is None:
            from twin.run.engine import Ensemble
            from twin.scenario import loads

            sc = loads(self.text, file=self.file, base_dir=self.base_dir)
            ens = Ensemble(sc, seed=self.seed, replicates=self.replicates, population_year=self.population_year)
            _BUILT.clear()  # one ensemble per worker process at a time
            _BUILT[self.digest] = ens
        return ens


_BUILT: dict[str, Ensemble] = {}
