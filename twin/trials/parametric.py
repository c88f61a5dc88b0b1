"""Stage 2 of the two-stage approach: many trials simulated from an outcome model.

The outcome model is the trialist's (and Hussey & Hughes' 2007) model of cluster-period
means::

    ybar[c, p] = mean + period_effect[p] + (effect + r[c]) * treated[c, p] + a[c] + g[c, p] + e[c, p]
    a[c] ~ N(0, tau^2)      e[c, p] ~ N(0, sigma_w^2 / m)
    r[c] ~ N(0, eta^2)      g[c, p] ~ N(0, gamma^2)

(``tau``, ``eta``, ``gamma`` as in swCRTdesign: SDs of the random cluster, intervention and
cluster-period effects; ``eta = gamma = 0`` is Hussey & Hughes' random-intercept model)

with ``m`` people measured per cluster and period, ICC ``tau^2 / (tau^2 + sigma_w^2)``.
Its parameters come from a few twin runs (:func:`twin.trials.simulate.estimate_outcome_model`)
or are given directly. The people's within-cluster sums of squares are drawn too
(``sigma_w^2 * chi2(m - 1)``: the exact sufficient statistic of normal people), so the ICC
can be estimated from each simulated trial as from person-level data.

Common random numbers: :class:`Draws` holds standard normal draws for the largest design
(clusters × periods × trials); every design point uses the leading block of the same
draws, and the allocations of a design come from the seed (:func:`allocations`). So the
power curve over effect sizes shifts every estimate by exactly the change in effect (the
standard errors do not change) and curves over clusters or cluster sizes are smooth.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from twin.run.streams import generator
from twin.trials.designs import allocation_rng, make_design

__all__ = ["Draws", "OutcomeModel", "allocations", "simulate_parametric", "trial_frame"]

#: Design streams: twin.run.streams purposes trial_allocation, trial_outcome, trial_within.
#: Extra key of the bulk stepped-wedge allocation stream (beside allocation numbers 0, 1, ...).
_BULK_KEY = 1_000_000_000


@dataclass(frozen=True)
class OutcomeModel:
    """Cluster-level outcome distribution of a trial (outcome units, e.g. per 1,000 residents).

    Attributes
    ----------
    mean
        Control (baseline) mean outcome.
    sigma_w
        Person-level standard deviation within a cluster.
    tau
        Standard deviation of cluster levels (between clusters).
    period_effects
        Added to the mean in each period (empty: none).
    effect
        Effect of the intervention (treated minus control); the twin's prediction when estimated.
    eta, gamma
        SDs of the random intervention effect (the effect varies between clusters) and of a
        cluster-period effect (swCRTdesign's ``eta`` and ``gamma``).
    cluster_size
        People measured per cluster and period (default size of a design point).
    source
        Where the values come from.
    """

    mean: float = 0.0
    sigma_w: float = 1.0
    tau: float = 0.0
    period_effects: tuple[float, ...] = ()
    effect: float = 0.0
    cluster_size: float = 1.0
    source: str = "given"
    eta: float = 0.0
    gamma: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def icc(self) -> float:
        total = self.tau**2 + self.sigma_w**2
        return float(self.tau**2 / total) if total > 0 else 0.0

    @property
    def sigma(self) -> float:
        """Total person-level standard deviation."""
        return float(np.sqrt(self.tau**2 + self.sigma_w**2))

    @classmethod
    def from_icc(cls, icc: float, sigma: float = 1.0, **kwargs: Any) -> OutcomeModel:
        """Model with total SD ``sigma`` split by ``icc``."""
        return cls(sigma_w=sigma * np.sqrt(1 - icc), tau=sigma * np.sqrt(icc), **kwargs)


@dataclass
class Draws:
    """Standard normal draws shared by every design point (common random numbers)."""

    seed: int
    n_sim: int
    clusters: int
    periods: int
    z_cluster: np.ndarray = field(init=False, repr=False)
    z_cell: np.ndarray = field(init=False, repr=False)
    z_effect: np.ndarray = field(init=False, repr=False)
    z_cluster_period: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rng = generator(self.seed, "trial_outcome")
        self.z_cluster = rng.standard_normal((self.n_sim, self.clusters))
        self.z_cell = rng.standard_normal((self.n_sim, self.clusters, self.periods))
        self.z_effect = rng.standard_normal((self.n_sim, self.clusters))
        self.z_cluster_period = rng.standard_normal((self.n_sim, self.clusters, self.periods))


def allocations(kind: str, k: int, periods: int, n_sim: int, seed: int, *, share: float = 0.5,
                strata: Sequence[str] | None = None, sequences: int | None = None) -> np.ndarray:
    """Treated matrices (n_sim, k, periods) of ``n_sim`` allocations (parallel designs: allocation i from
    ``allocation_rng(seed, i)``; stepped wedges: all at once from a bulk stream of the seed).

    Cached (read-only arrays): power curves and tests ask for the same allocations again.
    """
    return _allocations(kind, int(k), int(periods), int(n_sim), int(seed), float(share),
                        None if strata is None else tuple(strata), sequences)


@functools.lru_cache(maxsize=32)
def _allocations(kind: str, k: int, periods: int, n_sim: int, seed: int, share: float,
                 strata: tuple[str, ...] | None, sequences: int | None) -> np.ndarray:
    out = _draw_allocations(kind, k, periods, n_sim, seed, share=share, strata=strata, sequences=sequences)
    out.flags.writeable = False
    return out


def _draw_allocations(kind: str, k: int, periods: int, n_sim: int, seed: int, *, share: float = 0.5,
                      strata: Sequence[str] | None = None, sequences: int | None = None) -> np.ndarray:
    st = None if strata is None else _fit_strata(strata, k)
    if kind == "stepped_wedge":
        return _stepped_wedge_bulk(k, periods, n_sim, seed, st, sequences)
    if kind in ("parallel", "individual") or st is None:
        # one arm vector per allocation, as designs.parallel draws it
        kind2 = "parallel" if kind == "stratified" and st is None else kind
        return np.stack([make_design(kind2, k, allocation_rng(seed, i), periods=periods, share=share).treated
                         for i in range(n_sim)])
    return np.stack([make_design(kind, k, allocation_rng(seed, i), periods=periods, share=share, strata=st).treated
                     for i in range(n_sim)])


def _stepped_wedge_bulk(k: int, periods: int, n_sim: int, seed: int, strata: Sequence[str] | None,
                        sequences: int | None) -> np.ndarray:
    """``n_sim`` stepped-wedge allocations at once, as :func:`twin.trials.designs.stepped_wedge` draws one.

    Each stratum's clusters go round the sequences in a random order, continuing where the
    last stratum stopped; one generator (a bulk stream of the seed) permutes every trial.
    """
    s = periods - 1 if sequences is None else int(sequences)
    starts = 1 + (np.arange(s) * (periods - 1)) // s
    labels = np.array(strata if strata is not None else ("all",) * k)
    rng = generator(seed, "trial_allocation", _BULK_KEY)
    group = np.empty((n_sim, k), int)
    offset = 0
    for lab in dict.fromkeys(labels.tolist()):
        idx = np.flatnonzero(labels == lab)
        slots = (offset + np.arange(idx.size)) % s
        perm = rng.permuted(np.tile(idx, (n_sim, 1)), axis=1)
        np.put_along_axis(group, perm, np.broadcast_to(slots, perm.shape), axis=1)
        offset += idx.size
    return np.arange(periods)[None, None, :] >= starts[group][..., None]


def _fit_strata(strata: Sequence[str], k: int) -> tuple[str, ...]:
    """The first ``k`` strata labels, cycling when more clusters than labels are wanted."""
    s = tuple(strata)
    return tuple(s[i % len(s)] for i in range(k))


def simulate_parametric(model: OutcomeModel, treated: np.ndarray, draws: Draws, *, effect: float | None = None,
                        cluster_size: float | None = None, within: bool = True) -> dict[str, np.ndarray]:
    """Cluster-period means of simulated trials under ``model``.

    Parameters
    ----------
    treated
        (n_sim, k, periods) allocations (:func:`allocations`).
    draws
        Shared draws, at least as large as ``treated``.
    effect, cluster_size
        Override the model's.

    Returns
    -------
    dict with ``y`` (n_sim, k, P), ``treated`` and, if ``within``, ``ss_within``.
    """
    n_sim, k, p = treated.shape
    m = float(model.cluster_size if cluster_size is None else cluster_size)
    theta = float(model.effect if effect is None else effect)
    pe = np.zeros(p) if len(model.period_effects) != p else np.asarray(model.period_effects, float)
    y = (model.mean + pe[None, None, :] + theta * treated
         + model.tau * draws.z_cluster[:n_sim, :k, None]
         + model.sigma_w / np.sqrt(m) * draws.z_cell[:n_sim, :k, :p])
    if model.eta:
        y = y + model.eta * draws.z_effect[:n_sim, :k, None] * treated
    if model.gamma:
        y = y + model.gamma * draws.z_cluster_period[:n_sim, :k, :p]
    out = {"y": y, "treated": treated}
    if within and m > 1:
        rng = generator(draws.seed, "trial_within", int(m), k, p)
        out["ss_within"] = model.sigma_w**2 * rng.chisquare(m - 1, size=(n_sim, k, p))
    return out


def trial_frame(sim: dict[str, np.ndarray], i: int, cluster_size: float, clusters: Sequence[str] | None = None,
                strata: Sequence[str] | None = None) -> Any:
    """Tidy cluster × period table of simulated trial ``i`` (for :func:`twin.trials.analysis.analyse`)."""
    import pandas as pd

    y = sim["y"][i]
    k, p = y.shape
    names = list(clusters) if clusters is not None else [f"C{j + 1:03d}" for j in range(k)]
    df = pd.DataFrame({
        "cluster": np.repeat(names[:k], p), "period": np.tile(np.arange(p), k),
        "treated": sim["treated"][i].ravel().astype(int), "y": y.ravel(), "n": float(cluster_size),
    })
    if "ss_within" in sim:
        df["ss_within"] = sim["ss_within"][i].ravel()
    if strata is not None:
        df["stratum"] = np.repeat(_fit_strata(strata, k), p)
    return df
