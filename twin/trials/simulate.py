"""Running a trial in the twin, and stage 1 of the two-stage approach.

A trial in the twin (:class:`TwinTrial`)
----------------------------------------
The scenario's period is cut into ``periods`` equal spans. In each span the intervention
(any registered one) is applied to the clusters the design treats in that span, as a
``{zones: [...]}`` target, and the model (any registered one) runs over the span's days on
that place. The outcome is a results variable with a zone dimension, summed over the span's
days and every other dimension, per ``per`` residents of the zone: a cluster × period table.

Common random numbers: trial replicate ``r`` uses the runner's streams of replicate ``r``
(:mod:`twin.run.streams`; runs go through :meth:`twin.run.Ensemble.run_place`): the same weather for the whole season, the same residents
(drawn once, on the place before any intervention), the same model stream per span and, for
models with per-day streams, ``seed_key = (seed, r, first day of the span)``. So two
allocations of replicate ``r`` differ only by what the intervention changes.

Carry-over (``carry_over=True``): each span starts from the state the previous span's model
ended with (:meth:`twin.run.engine.Ensemble.run_span`; for ``heat_health``: behaviour adopted and
until when, the last proactive contact, who is alive, the heat-dose lags and displacement), so
residents of a zone treated in period 1 keep what they gained into period 2. Without it (the
default, as before) each span starts fresh. Either way the same seed gives the same numbers:
the state is a deterministic function of the earlier spans. :mod:`twin.trials.carryover`
measures the effect by time on treatment with and without it.

Individual randomisation (``randomise="residents"``, :mod:`twin.trials.individual`): residents,
not zones, are allocated; the intervention is applied to every trial zone and the services it
adds serve only the treated arm (:meth:`TwinTrial.place_for_residents`).

The two-stage approach (what trialists do when every trial is costly)
---------------------------------------------------------------------
Running whole trials in the twin costs ``periods`` model runs per simulated trial, and a
power curve needs thousands of trials. So, as a trialist planning from pilot data would:

1. *Stage 1* (:meth:`TwinTrial.stage1`, a few twin replicates): per replicate and span, run
   the place untreated, then with a random half of the clusters treated, then with the
   other half (the same draws each time). This gives each cluster-period's control outcome
   and, paired, its treated outcome (with the neighbours half treated, as in a trial), and
   :func:`estimate_outcome_model` turns them into the cluster-level outcome distribution:
   baseline mean, period effects, between-cluster variance (so the ICC) and the model-
   predicted effect.
2. *Stage 2* (:mod:`twin.trials.parametric`, :func:`twin.trials.power.power`): simulate
   many trials from that outcome model, analyse each, count rejections.

Whole trials can also be run in the twin (:meth:`TwinTrial.run`; ``trial.twin_trials``) to
check stage 2 on the place itself: contamination between zones and any non-normality are
then included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import TwinError
from twin.trials.designs import Design, allocation_rng, parallel
from twin.run.streams import TRIAL_SPAN_OFFSET
from twin.trials.parametric import OutcomeModel

__all__ = ["TwinTrial", "estimate_outcome_model"]



@dataclass
class TwinTrial:
    """The twin set up to run trials of one intervention on one place.

    Parameters
    ----------
    place
        :class:`twin.place.Place` (before any intervention).
    model
        Registered model name (``heat_exposure``, ``heat_health``, ...).
    params
        Model parameters (dict, validated by the model's ``Params``, or a ``Params``).
    intervention
        Intervention spec without a target, e.g. ``{"type": "tree_canopy", "increase": 0.1}``.
    variable, per
        Outcome: results variable (with a zone dimension) and the rate base (per 1,000).
    time
        Days of the season (``pandas.DatetimeIndex``).
    periods
        Spans the season is cut into.
    pathway, seed, climate_source
        As in a scenario.
    clusters
        Zone codes in the trial (default: every zone).
    carry_over
        Carry the model's state from one span to the next (see the module notes).
    """

    place: Any
    model: str
    params: Any
    intervention: dict[str, Any]
    variable: str
    time: Any
    periods: int = 1
    per: float = 1000.0
    pathway: str = "baseline"
    seed: int = 0
    climate_source: Path | None = None
    clusters: Sequence[str] | None = None
    carry_over: bool = False
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        from twin.run.engine import Ensemble

        try:
            # the run engine does every run (one option: the place; trial spans run with run_place)
            self.ensemble = Ensemble.for_place(self.place, self.model, self.params, time=self.time,
                                               pathways=[self.pathway], seed=self.seed,
                                               climate_source=self.climate_source)
        except TwinError as err:
            raise TwinError(err.message, field=err.field, value=err.value, hint=err.hint) from None
        self.params = self.ensemble.params
        codes = self.place.zone_codes
        self.clusters = tuple(codes if self.clusters is None else self.clusters)
        bad = [c for c in self.clusters if c not in codes]
        if bad:
            raise TwinError("unknown zone", field="trial.clusters", value=bad[0], hint=f"zones of {self.place.name}: "
                            + ", ".join(codes))
        if self.periods > len(self.time):
            raise TwinError("more periods than days in the scenario period", field="trial.periods", value=self.periods)
        self.spans = [slice(int(a[0]), int(a[-1]) + 1) for a in np.array_split(np.arange(len(self.time)), self.periods)]
        pop = self.place.population.sum(("sex", "age"))
        self.residents_by_zone = np.array([float(pop.sel(zone=c)) for c in codes])
        self.place_for(tuple(self.clusters))  # a bad intervention spec fails here, before any run

    # -- building blocks -------------------------------------------------------------------
    def place_for(self, treated: Sequence[str]) -> Any:
        """The place with the intervention applied to the ``treated`` zones (cached)."""
        key = ("place", frozenset(treated))
        if key not in self._cache:
            from twin.interventions import apply_option

            if not treated:
                self._cache[key] = self.place
            else:
                spec = {**self.intervention, "target": {"zones": sorted(treated)}}
                self._cache[key] = apply_option(self.place, [spec])[0]
        return self._cache[key]

    def place_for_residents(self) -> Any:
        """The place with the intervention in every trial zone, its new services serving only the
        treated arm of an individually randomised trial (``properties.residents: trial_arm``)."""
        key = ("residents",)
        if key not in self._cache:
            import dataclasses

            from twin.models._services import ARM_ONLY

            treated = self.place_for(tuple(self.clusters))
            old = {svc.id for svc in self.place.services}
            added = [svc for svc in treated.services if svc.id not in old]
            if not added:
                raise TwinError("the intervention adds no service, so it cannot be given to some residents and not "
                                "their neighbours", field="trial.intervention.type", value=self.intervention.get("type"),
                                hint="individual randomisation needs one that adds a service (heat_health_outreach, "
                                     "cooling_centres, community_hubs); randomise zones otherwise")
            services = tuple(dataclasses.replace(svc, properties={**dict(svc.properties or {}), "residents": ARM_ONLY})
                             if svc.id not in old else svc for svc in treated.services)
            self._cache[key] = treated.replace(services=services)
        return self._cache[key]

    def residents(self, replicate: int) -> Any:
        """The residents of ``replicate`` (drawn on the untreated place; shared by every allocation)."""
        return self.ensemble.residents(replicate)

    def run_span(self, replicate: int, span: int, treated: Sequence[str]) -> np.ndarray:
        """Outcome per zone (every zone of the place, rate per ``per`` residents) in one span, from a fresh start."""
        ds = self.ensemble.run_place(self.place_for(treated), self.pathway, replicate, days=self.spans[span],
                                     span=TRIAL_SPAN_OFFSET + span)
        return self.zone_outcome(ds)

    def run_chain(self, replicate: int, treated: Sequence[Sequence[str]], carry_over: bool | None = None) -> np.ndarray:
        """Outcome per (period, zone) of spans run in turn, ``treated[p]`` treated in period ``p``.

        With carry-over (``carry_over``, default the trial's) each span starts from the state
        the previous one ended with; without it this is :meth:`run_span` per period.
        """
        carry = self.carry_over if carry_over is None else carry_over
        out, state = [], None
        for p, zones in enumerate(treated):
            ds, end = self.ensemble.run_span(self.place_for(tuple(zones)), self.pathway, replicate, days=self.spans[p],
                                             span=TRIAL_SPAN_OFFSET + p, state=state)
            state = end if carry else None
            out.append(self.zone_outcome(ds))
        return np.array(out)

    def zone_outcome(self, ds: Any) -> np.ndarray:
        """The outcome variable of a span's records per zone, per ``per`` residents."""
        if self.variable not in ds:
            have = sorted(v for v in ds.data_vars if "zone" in ds[v].dims)
            raise TwinError("outcome variable not in the model's results", field="trial.outcome.variable",
                            value=self.variable, hint="valid: " + ", ".join(have))
        da = ds[self.variable]
        if "zone" not in da.dims:
            raise TwinError("outcome variable has no zone dimension", field="trial.outcome.variable", value=self.variable)
        total = da.sum([d for d in da.dims if d != "zone"]).transpose("zone").values.astype(float)
        return total / np.maximum(self.residents_by_zone, 1.0) * self.per

    # -- whole trials ----------------------------------------------------------------------
    def run(self, design: Design, replicate: int = 0, carry_over: bool | None = None) -> Any:
        """Run one allocation (clusters = zones) and return its cluster × period table.

        ``carry_over`` (default: the trial's) carries the model's state from period to period.

        Columns: replicate, cluster, stratum, period, treated, y (rate per ``per``), n (zone residents).
        """
        import pandas as pd

        bad = [c for c in design.clusters if c not in self.clusters]
        if bad or design.n_periods != self.periods:
            raise TwinError("design does not match the trial's zones and periods", field="trial.clusters",
                            value=bad[0] if bad else design.n_periods)
        idx = [self.place.zone_codes.index(c) for c in design.clusters]
        rows = []
        ys = self.run_chain(replicate, [design.treated_clusters(p) for p in range(self.periods)], carry_over)
        for p in range(self.periods):
            y = ys[p]
            for j, c in enumerate(design.clusters):
                rows.append((replicate, c, design.strata[j], p, int(design.treated[j, p]), y[idx[j]],
                             self.residents_by_zone[idx[j]]))
        return pd.DataFrame(rows, columns=["replicate", "cluster", "stratum", "period", "treated", "y", "n"])

    def stage1(self, replicates: int = 2) -> Any:
        """Control and paired treated outcomes per replicate, span and cluster (see the module notes).

        Returns a DataFrame: replicate, period, cluster, y0 (untreated place), y1 (the cluster
        treated, half the clusters treated), spill (the cluster untreated while the other half is).
        With carry-over each of the three allocations runs its periods in turn, its state carried,
        so ``y1`` in period ``p`` is the effect after ``p + 1`` periods of treatment.
        """
        import pandas as pd

        codes = list(self.place.zone_codes)
        idx = np.array([codes.index(c) for c in self.clusters])
        rows = []
        for r in range(replicates):
            half = parallel(list(self.clusters), allocation_rng(self.seed, 10_000 + r))
            a = half.treated_clusters(0)
            b = tuple(c for c in self.clusters if c not in a)
            in_a = np.isin(np.array(self.clusters), a)
            chains = [self.run_chain(r, [z] * self.periods)[:, idx] for z in ((), a, b)]
            for p in range(self.periods):
                y0, ya, yb = (c[p] for c in chains)
                y1 = np.where(in_a, ya, yb)
                spill = np.where(in_a, yb, ya)
                for j, c in enumerate(self.clusters):
                    rows.append((r, p, c, y0[j], y1[j], spill[j]))
        return pd.DataFrame(rows, columns=["replicate", "period", "cluster", "y0", "y1", "spill"])


def estimate_outcome_model(stage1: Any, residents: Sequence[float] | np.ndarray, *, per: float = 1000.0,
                           cluster_size: float | None = None) -> OutcomeModel:
    """The cluster-level outcome model from stage-1 twin outcomes (:meth:`TwinTrial.stage1`).

    Per replicate, the control outcomes ``y0[c, p]`` are split into a replicate-period level
    (the season's weather, common to all clusters), a cluster level (the zone) and a residual:

    - ``mean``: grand mean; ``period_effects``: mean period level minus the grand mean;
    - ``tau^2``: variance of the cluster levels minus the residual's share (ANOVA);
    - residual variance ``s2`` of a cluster-period rate; the person-level within-cluster
      variance is ``s2`` × mean residents (the rate of N residents has variance
      ``sigma_w^2 / N``), and at least ``per × mean`` (a count outcome varies at least as a
      Poisson count: a deterministic twin outcome such as exposure person-days would
      otherwise have no within-cluster noise);
    - ``effect``: mean of ``y1 - y0`` (paired on the same draws: the twin's prediction).
    """
    df = stage1.sort_values(["replicate", "cluster", "period"])
    reps = df["replicate"].nunique()
    clusters = df["cluster"].unique()
    k, p = len(clusters), df["period"].nunique()
    y0 = df["y0"].to_numpy(float).reshape(reps, k, p)
    y1 = df["y1"].to_numpy(float).reshape(reps, k, p)
    level = y0.mean(axis=1, keepdims=True)  # replicate x period
    dev = y0 - level
    cl = dev.mean(axis=(0, 2))  # cluster levels
    resid = dev - cl[None, :, None]
    dof = max(reps * k * p - reps * p - k + 1, 1)
    s2 = float((resid**2).sum() / dof)
    tau2 = max(0.0, float(cl.var(ddof=1)) - s2 / (reps * p)) if k > 1 else 0.0
    mean = float(y0.mean())
    n_bar = float(np.mean(residents))
    sigma_w2 = max(s2 * n_bar, per * max(mean, 0.0))
    diff = y1 - y0
    spill = float((df["spill"].to_numpy(float).reshape(reps, k, p) - y0).mean()) if "spill" in df else float("nan")
    return OutcomeModel(
        mean=mean, sigma_w=float(np.sqrt(sigma_w2)), tau=float(np.sqrt(tau2)),
        period_effects=tuple(float(v) for v in level.mean(axis=(0, 1)) - mean),
        effect=float(diff.mean()), cluster_size=float(n_bar if cluster_size is None else cluster_size),
        source=f"twin stage 1: {reps} replicate(s) x {p} period(s) x {k} clusters",
        extra={"effect_sd_between_clusters": float(diff.mean(axis=(0, 2)).std(ddof=1)) if k > 1 else 0.0,
               "spillover_to_controls": spill, "residual_rate_variance": s2, "mean_residents": n_bar,
               "clusters": k, "cluster_level_noise": s2 / (reps * p)},
    )
