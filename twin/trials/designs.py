"""Trial designs: which cluster is treated in which period.

A :class:`Design` is plain data: cluster names, the number of periods and a boolean
``treated`` matrix (clusters × periods), plus the strata and, for a stepped wedge, each
cluster's crossover period. Every allocation is drawn from an explicit
``numpy.random.Generator``; :func:`allocation_rng` derives it from a seed and an
allocation number, so the allocation is concealed in (and reproducible from) the seed.

Designs
-------
``individual``
    people randomised one by one (each "cluster" has one person; no clustering).
``parallel``
    whole clusters (zones, or groups of residents) randomised to treatment or control for
    every period.
``stratified``
    parallel, randomised within strata (urban/rural, deprivation tertile), so each stratum
    is balanced (within one cluster when its size is odd).
``stepped_wedge``
    every cluster starts in control and crosses over to treatment at a randomised period
    (clusters are randomised to ``sequences`` groups, one group crossing over per step;
    period 0 is all-control and, with the default ``periods - 1`` sequences, the last
    period all-treated). Stratified stepped wedges spread each stratum over the sequences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.errors import TwinError

__all__ = [
    "Design",
    "allocation_rng",
    "deprivation_tertile",
    "draw_allocations",
    "individual",
    "make_design",
    "parallel",
    "stepped_wedge",
    "stratified",
    "zone_strata",
]

def allocation_rng(seed: int, allocation: int = 0) -> np.random.Generator:
    """Generator of allocation number ``allocation`` of a trial seeded ``seed`` (concealed, reproducible)."""
    from twin.run.streams import generator

    return generator(seed, "trial_allocation", allocation)


@dataclass(frozen=True)
class Design:
    """One allocation: for each cluster and period, treated or not.

    Attributes
    ----------
    kind
        ``individual``, ``parallel``, ``stratified`` or ``stepped_wedge``.
    clusters
        Cluster names (zone codes, or ``C001``.. for synthetic clusters).
    treated
        Boolean (n_clusters, n_periods).
    strata
        Stratum label per cluster (``"all"`` when unstratified).
    crossover
        Stepped wedge: first treated period per cluster (``n_periods`` = never); else ``None``.
    """

    kind: str
    clusters: tuple[str, ...]
    treated: np.ndarray
    strata: tuple[str, ...] = ()
    crossover: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = np.asarray(self.treated, dtype=bool)
        if t.ndim != 2 or t.shape[0] != len(self.clusters):
            raise TwinError("treated must be clusters x periods", field="treated", value=t.shape)
        object.__setattr__(self, "treated", t)
        if not self.strata:
            object.__setattr__(self, "strata", ("all",) * len(self.clusters))

    @property
    def n_clusters(self) -> int:
        return len(self.clusters)

    @property
    def n_periods(self) -> int:
        return int(self.treated.shape[1])

    def treated_clusters(self, period: int) -> tuple[str, ...]:
        """Clusters treated in ``period`` (the intervention's ``{zones: [...]}`` target)."""
        return tuple(c for c, t in zip(self.clusters, self.treated[:, period], strict=True) if t)

    def to_frame(self) -> Any:
        """Tidy table: cluster, stratum, period, treated."""
        import pandas as pd

        k, p = self.treated.shape
        return pd.DataFrame({
            "cluster": np.repeat(self.clusters, p), "stratum": np.repeat(self.strata, p),
            "period": np.tile(np.arange(p), k), "treated": self.treated.ravel(),
        })


def _names(clusters: int | Sequence[str]) -> tuple[str, ...]:
    if isinstance(clusters, (int, np.integer)):
        if clusters < 2:
            raise TwinError("a trial needs at least 2 clusters", field="clusters", value=int(clusters))
        return tuple(f"C{i + 1:03d}" for i in range(int(clusters)))
    names = tuple(str(c) for c in clusters)
    if len(names) < 2:
        raise TwinError("a trial needs at least 2 clusters", field="clusters", value=names)
    return names


def _balanced(n: int, share: float, rng: np.random.Generator) -> np.ndarray:
    """Exactly round(n * share) of n treated (a random tie-break for the half when n * share is x.5)."""
    exact = n * share
    n_treat = int(np.floor(exact)) + int(rng.random() < exact - np.floor(exact))
    arm = np.zeros(n, bool)
    arm[rng.permutation(n)[:n_treat]] = True
    return arm


def individual(n: int, rng: np.random.Generator, *, share: float = 0.5, periods: int = 1) -> Design:
    """``n`` people randomised individually (``share`` treated, exactly balanced)."""
    names = tuple(f"P{i + 1:05d}" for i in range(int(n)))
    if len(names) < 2:
        raise TwinError("a trial needs at least 2 people", field="clusters", value=n)
    arm = _balanced(len(names), share, rng)
    return Design("individual", names, np.repeat(arm[:, None], periods, axis=1))


def parallel(clusters: int | Sequence[str], rng: np.random.Generator, *, share: float = 0.5,
             periods: int = 1) -> Design:
    """Cluster randomisation: ``share`` of the clusters treated in every period."""
    names = _names(clusters)
    arm = _balanced(len(names), share, rng)
    return Design("parallel", names, np.repeat(arm[:, None], periods, axis=1))


def stratified(clusters: int | Sequence[str], strata: Sequence[str], rng: np.random.Generator, *,
               share: float = 0.5, periods: int = 1) -> Design:
    """Parallel cluster randomisation within each stratum (balanced within each)."""
    names = _names(clusters)
    strata = tuple(str(s) for s in strata)
    if len(strata) != len(names):
        raise TwinError("one stratum per cluster", field="strata", value=len(strata))
    arm = np.zeros(len(names), bool)
    for s in dict.fromkeys(strata):  # stratum order of first appearance: reproducible
        idx = np.flatnonzero(np.array(strata) == s)
        arm[idx] = _balanced(idx.size, share, rng)
    return Design("stratified", names, np.repeat(arm[:, None], periods, axis=1), strata)


def stepped_wedge(clusters: int | Sequence[str], periods: int, rng: np.random.Generator, *,
                  sequences: int | None = None, strata: Sequence[str] | None = None) -> Design:
    """Stepped-wedge rollout: clusters randomised to ``sequences`` groups crossing over in turn.

    Group ``g`` (0-based) is first treated in period ``1 + g * (periods - 1) // sequences``
    (period 0 is all-control). Clusters are spread over the groups as evenly as possible;
    with ``strata`` each stratum is spread over the groups in turn (a stratified wedge).
    """
    names = _names(clusters)
    if periods < 2:
        raise TwinError("a stepped wedge needs at least 2 periods", field="periods", value=periods)
    s = periods - 1 if sequences is None else int(sequences)
    if not 1 <= s <= periods - 1:
        raise TwinError(f"sequences must be between 1 and periods - 1 = {periods - 1}", field="sequences", value=s)
    k = len(names)
    starts = 1 + (np.arange(s) * (periods - 1)) // s
    labels = tuple(str(x) for x in strata) if strata is not None else ("all",) * k
    if len(labels) != k:
        raise TwinError("one stratum per cluster", field="strata", value=len(labels))
    group = np.empty(k, int)
    offset = 0
    for lab in dict.fromkeys(labels):
        idx = np.flatnonzero(np.array(labels) == lab)
        # this stratum's clusters go round the groups, continuing where the last stratum stopped
        slots = (offset + np.arange(idx.size)) % s
        group[rng.permutation(idx)] = slots
        offset += idx.size
    crossover = starts[group]
    treated = np.arange(periods)[None, :] >= crossover[:, None]
    return Design("stepped_wedge", names, treated, labels if strata is not None else (), crossover,
                  {"sequences": s, "starts": starts.tolist()})


def deprivation_tertile(decile: int) -> str:
    """Deprivation tertile of an IMD decile: 1-3 most, 4-7 middle, 8-10 least deprived."""
    return "most_deprived" if decile <= 3 else ("middle" if decile <= 7 else "least_deprived")


def zone_strata(place: Any, by: str, zones: Sequence[str] | None = None) -> tuple[str, ...]:
    """Stratum of each zone (``by``: ``none``, ``urban_rural`` or ``deprivation``)."""
    lookup = {z.code: z for z in place.zones}
    codes = list(zones) if zones is not None else [z.code for z in place.zones]
    if by == "none":
        return ("all",) * len(codes)
    if by == "urban_rural":
        return tuple(lookup[c].urban_rural for c in codes)
    if by == "deprivation":
        return tuple(deprivation_tertile(int(lookup[c].deprivation_decile)) for c in codes)
    raise TwinError("unknown strata", field="strata", value=by, hint="valid: none, urban_rural, deprivation")


def make_design(kind: str, clusters: int | Sequence[str], rng: np.random.Generator, *, periods: int = 1,
                share: float = 0.5, strata: Sequence[str] | None = None, sequences: int | None = None) -> Design:
    """Any design by name (the ``trial.design`` of a scenario)."""
    if kind == "individual":
        n = clusters if isinstance(clusters, (int, np.integer)) else len(clusters)
        return individual(int(n), rng, share=share, periods=periods)
    if kind == "parallel":
        return parallel(clusters, rng, share=share, periods=periods)
    if kind == "stratified":
        if strata is None:
            raise TwinError("a stratified design needs strata", field="strata", value=None)
        return stratified(clusters, strata, rng, share=share, periods=periods)
    if kind == "stepped_wedge":
        return stepped_wedge(clusters, periods, rng, sequences=sequences, strata=strata)
    raise TwinError("unknown design", field="design", value=kind,
                    hint="valid: individual, parallel, stratified, stepped_wedge")


def draw_allocations(make: Callable[[np.random.Generator], Design], n: int, seed: int) -> list[Design]:
    """``n`` allocations of one design, allocation ``i`` from :func:`allocation_rng` (seed, i)."""
    return [make(allocation_rng(seed, i)) for i in range(int(n))]
