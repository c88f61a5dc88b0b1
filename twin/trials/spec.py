"""The ``trial:`` section of a scenario: a field trial to try out in the twin before running it.

Import-light (pydantic only) so ``twin validate`` can check a scenario's trial section
without numpy, statsmodels or matplotlib. The intervention spec is checked against the
intervention registry when the trial is run (:mod:`twin.trials.run`).

Format (every key but ``design``, ``outcome`` and ``intervention`` has a default)::

    trial:
      design: stepped_wedge        # individual | parallel | stratified | stepped_wedge
      randomise: zones             # zones | residents (individual randomisation run in the twin:
                                   # design individual, one period, whole twin_trials; see twin.trials.individual)
      eligible: all                # residents: who may enter (all, aged_65_plus, aged_75_plus, or a
                                   # boolean column of the model's residents, e.g. vulnerable_list)
      carry_over: false            # carry the model's state (behaviour, contacts) from period to period
      clusters: zones              # zones (all the place's zones), a list of zone codes,
                                   # or an integer: that many synthetic clusters (parametric stage only)
      periods: 5                   # the scenario period is cut into this many equal spans
      sequences: null              # stepped wedge: groups crossing over (default periods - 1)
      strata: urban_rural          # none | urban_rural | deprivation (tertiles of the decile)
      treated_share: 0.5           # parallel / stratified / individual: share allocated to treatment
      cluster_size: null           # people measured per cluster-period (or give measurement:)
      outcome: {variable: contacts, per: 1000, type: count}   # any results variable with a zone dimension;
                                   # type: binary (share of people) | count (events per person) | continuous
      measurement: {method: survey, sample: 1000, response_rate: 0.5}   # or {method: routine}: records of
                                   # every resident (deaths, contacts); default routine
      heterogeneity: {between_cv: 0.2, effect_cv: twin}   # true baselines differ 20 % between clusters
                                   # (0.1-0.3 reported as the ICC interval); or icc: 0.001; or source: twin
      window: null                 # stepped wedge: {before: 1, after: 2, transition: false} measured periods
      intervention: {type: heat_health_outreach, staff: 4}   # any registered intervention, no target
      effect_sizes: null           # absolute effects to scan (outcome units); default relative_effects
      relative_effects: [0, 0.25, 0.5, 0.75, 1, 1.5]   # multiples of the twin-predicted effect
      cluster_counts: null         # numbers of clusters to scan (default: the design's)
      n_sim: 500                   # simulated trials per design point
      alpha: 0.05
      power_target: 0.8
      pathway: null                # default: the scenario's first pathway
      twin_replicates: 2           # stage 1: twin replicates to estimate the outcome model
      twin_trials: 0               # whole trials also run with the twin (costly; analysed like the rest)
      seed: null                   # default: the scenario seed
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

__all__ = ["DESIGNS", "HeterogeneitySpec", "MeasurementSpec", "OutcomeSpec", "TrialSpec", "WindowSpec"]

#: Default between-cluster coefficient of variation of the outcome (Hayes & Bennett 1999's k;
#: 0.1-0.3 typical of community trials, see docs/sources.md "Trial design").
DEFAULT_BETWEEN_CV = 0.2

#: Trial designs offered by :mod:`twin.trials.designs`.
DESIGNS = ("individual", "parallel", "stratified", "stepped_wedge")


class _Strict(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", frozen=True)


class OutcomeSpec(_Strict):
    """The trial's primary outcome: a results variable summed per cluster and period, per ``per`` residents."""

    variable: str = Field(min_length=1, description="Results variable with a zone dimension (e.g. contacts, "
                          "protected, heat_illness, hot_day_exposure); summed over the period's days and "
                          "every other dimension.")
    per: float = Field(1000.0, gt=0, description="Rate per this many residents (1000: per 1,000 residents).")
    type: Literal["binary", "count", "continuous"] = Field(
        "count", description="binary: share of people with the outcome (person variance p(1 - p)); count: events "
        "per person (Poisson, variance = mean); continuous: person variance from the twin's residuals.")


class MeasurementSpec(_Strict):
    """How the outcome is measured in each cluster and period: a survey sample or routine records."""

    method: Literal["survey", "routine"] = Field(
        description="survey: a sample of residents is asked each period; routine: every resident's outcome is "
        "recorded (deaths, service contacts) and the cluster-period value is the zone's whole count.")
    sample: int | None = Field(None, ge=1, le=1_000_000, description="Survey: residents approached per cluster "
                               "and period.")
    response_rate: float = Field(1.0, gt=0, le=1, description="Survey: share of those approached who answer.")

    @model_validator(mode="after")
    def _survey(self) -> MeasurementSpec:
        if self.method == "survey" and self.sample is None:
            raise PydanticCustomError("trial", "a survey needs a sample (residents approached per cluster-period)",
                                      {"value": None})
        if self.method == "routine" and (self.sample is not None or self.response_rate != 1.0):
            raise PydanticCustomError("trial", "routine data has no sample or response rate; use method: survey",
                                      {"value": self.sample})
        return self

    @property
    def respondents(self) -> float | None:
        """People measured per cluster-period (survey), ``None`` for routine data (the zone's residents)."""
        return None if self.method == "routine" else float(self.sample) * self.response_rate


class HeterogeneitySpec(_Strict):
    """Between-cluster variation of the baseline outcome and of the intervention's effect."""

    source: Literal["published", "twin"] = Field(
        "published", description="published: between_cv (or icc) below; twin: the variance between the twin's "
        "zones (stage 1), which lacks unmodelled differences between real wards.")
    between_cv: float | None = Field(DEFAULT_BETWEEN_CV, ge=0, le=2, description="Coefficient of variation of "
                                     "the clusters' true baseline outcome (Hayes & Bennett 1999's k).")
    icc: float | None = Field(None, ge=0, lt=1, description="Or the ICC of the person-level outcome directly.")
    between_cv_range: tuple[float, float] = Field((0.1, 0.3), description="Plausible range of between_cv, "
                                                  "reported as an interval of the ICC and of the power.")
    effect_cv: float | Literal["twin"] = Field(
        "twin", description="SD of the cluster's intervention effect as a share of the mean effect (swCRTdesign "
        "eta / |theta|); twin: the spread of the zones' paired effects in stage 1.")
    cluster_period_cv: float = Field(0.0, ge=0, le=2, description="SD of a cluster-period effect as a share of "
                                     "the baseline mean (swCRTdesign gamma).")

    @model_validator(mode="after")
    def _one(self) -> HeterogeneitySpec:
        if self.icc is not None and "between_cv" in self.model_fields_set:
            raise PydanticCustomError("trial", "give between_cv or icc, not both", {"value": self.icc})
        lo, hi = self.between_cv_range
        if not 0 <= lo <= hi:
            raise PydanticCustomError("trial", "between_cv_range must be (low, high) with 0 <= low <= high",
                                      {"value": self.between_cv_range})
        if isinstance(self.effect_cv, float) and not 0 <= self.effect_cv <= 5:
            raise PydanticCustomError("trial", "effect_cv must be between 0 and 5", {"value": self.effect_cv})
        return self


class WindowSpec(_Strict):
    """Stepped wedge: which periods of each cluster are measured (incomplete or staggered designs)."""

    before: int | None = Field(None, ge=0, le=51, description="Periods measured before the crossover (None: all).")
    after: int | None = Field(None, ge=1, le=51, description="Periods measured from the crossover (None: all).")
    transition: bool = Field(False, description="The crossover period is an unmeasured implementation period.")


class TrialSpec(_Strict):
    """A field trial of one intervention, run in the twin and powered by simulation."""

    design: Literal["individual", "parallel", "stratified", "stepped_wedge"] = Field(
        description="individual or parallel cluster randomisation, stratified cluster randomisation, "
        "or a stepped-wedge rollout across periods.")
    randomise: Literal["zones", "residents"] = Field(
        "zones", description="zones: clusters are allocated (the intervention targets treated zones); residents: "
        "an individually randomised trial run in the twin (design individual; the intervention's services serve "
        "only the treated arm; outcomes per arm).")
    eligible: str = Field("all", min_length=1, description="randomise: residents: who may enter the trial (all, "
                          "aged_65_plus, aged_75_plus, or a boolean column of the model's residents such as "
                          "vulnerable_list); randomised within zones.")
    carry_over: bool = Field(False, description="Carry the model's state (behaviour adopted, contact history, who "
                             "is alive) from one period to the next, so treated residents keep what they gained.")
    clusters: Literal["zones"] | list[str] | int = Field(
        "zones", description="'zones' (every zone of the place), a list of zone codes, or a number of "
        "synthetic clusters (parametric stage only).")
    periods: int = Field(1, ge=1, le=52, description="Equal spans the scenario period is cut into.")
    sequences: int | None = Field(None, ge=1, le=51, description="Stepped wedge: groups of clusters crossing "
                                  "over, one group per step (default periods - 1).")
    strata: Literal["none", "urban_rural", "deprivation"] = Field(
        "none", description="Randomise within strata: urban/rural class or deprivation tertile.")
    treated_share: float = Field(0.5, gt=0, lt=1, description="Share of clusters (or people) treated.")
    cluster_size: int | None = Field(None, ge=1, le=10_000_000, description="People measured per cluster and "
                                     "period (default: the zones' mean residents: outcomes from records).")
    outcome: OutcomeSpec
    measurement: MeasurementSpec = Field(default_factory=lambda: MeasurementSpec(method="routine"),
                                         description="survey (sample, response rate) or routine records.")
    heterogeneity: HeterogeneitySpec = Field(default_factory=HeterogeneitySpec,
                                             description="Between-cluster variation of baseline and effect.")
    window: WindowSpec | None = Field(None, description="Stepped wedge: measured periods around the crossover.")
    intervention: dict[str, Any] = Field(description="The intervention spec (any registered type) without a "
                                         "target: the trial targets the treated clusters.")
    effect_sizes: list[float] | None = Field(None, min_length=1, description="Effects to scan, in outcome units.")
    relative_effects: list[float] = Field([0.0, 0.25, 0.5, 0.75, 1.0, 1.5], min_length=1,
                                          description="Effects to scan as multiples of the twin-predicted effect.")
    cluster_counts: list[int] | None = Field(None, min_length=1, description="Numbers of clusters to scan.")
    n_sim: int = Field(500, ge=10, le=100_000, description="Simulated trials per design point.")
    alpha: float = Field(0.05, gt=0, lt=0.5, description="Two-sided significance level.")
    power_target: float = Field(0.8, gt=0, lt=1, description="Power wanted (required_clusters).")
    pathway: str | None = Field(None, description="Climate pathway of the trial (default: the first).")
    twin_replicates: int = Field(2, ge=1, le=100, description="Stage 1: twin replicates estimating the "
                                 "outcome distribution and the effect.")
    twin_trials: int = Field(0, ge=0, le=1000, description="Whole trials also simulated with the twin.")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="Seed of the trial's draws (default: the scenario seed).")

    @field_validator("intervention")
    @classmethod
    def _intervention(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(value.get("type"), str):
            raise PydanticCustomError("trial", "needs a 'type' (a registered intervention)",
                                      {"value": value})
        if "target" in value:
            raise PydanticCustomError("trial", "the trial sets the target (the treated clusters); remove it",
                                      {"value": value["target"]})
        return value

    @field_validator("clusters")
    @classmethod
    def _clusters(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value < 2:
            raise PydanticCustomError("trial", "needs at least 2 clusters", {"value": value})
        if isinstance(value, list):
            if len(value) < 2:
                raise PydanticCustomError("trial", "needs at least 2 zones", {"value": value})
            if len(set(value)) != len(value):
                raise PydanticCustomError("trial", "zone listed twice", {"value": value})
        return value

    @field_validator("cluster_counts")
    @classmethod
    def _counts(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(k < 2 for k in value):
            raise PydanticCustomError("trial", "every cluster count must be at least 2", {"value": value})
        return value

    @model_validator(mode="after")
    def _design(self) -> TrialSpec:
        if self.design == "stepped_wedge":
            if self.periods < 2:
                raise PydanticCustomError("trial", "a stepped wedge needs at least 2 periods",
                                          {"value": self.periods})
            if self.sequences is not None and self.sequences > self.periods - 1:
                raise PydanticCustomError("trial", f"at most periods - 1 = {self.periods - 1} sequences",
                                          {"value": self.sequences})
        if self.cluster_size is not None and self.measurement.method == "survey":
            raise PydanticCustomError("trial", "give measurement.sample (and response_rate) or cluster_size, not both",
                                      {"value": self.cluster_size})
        if self.window is not None and self.design != "stepped_wedge":
            raise PydanticCustomError("trial", "a measurement window is for stepped wedges", {"value": self.design})
        if self.design == "stratified" and self.strata == "none":
            raise PydanticCustomError("trial", "a stratified design needs strata: urban_rural or deprivation",
                                      {"value": self.strata})
        if self.randomise == "residents":
            self._residents_checks()
        else:
            if self.design == "individual" and not isinstance(self.clusters, int) and self.twin_trials:
                raise PydanticCustomError("trial", "whole twin trials of individual randomisation need randomise: "
                                          "residents (or twin_trials: 0 for the parametric stage only)",
                                          {"value": self.twin_trials})
            if self.eligible != "all":
                raise PydanticCustomError("trial", "eligible is for randomise: residents", {"value": self.eligible})
        if self.carry_over and self.periods < 2:
            raise PydanticCustomError("trial", "carry_over needs at least 2 periods", {"value": self.periods})
        return self

    def _residents_checks(self) -> None:
        checks = (
            (self.design != "individual", "randomise: residents needs design: individual"),
            (isinstance(self.clusters, int),
             "randomise: residents runs in the twin: clusters must be zones or a list of zone codes"),
            (self.periods != 1, "an individually randomised trial runs one period"),
            (self.measurement.method != "routine",
             "an individually randomised trial follows every participant: measurement: routine"),
            (self.twin_trials < 2,
             "randomise: residents estimates power from whole twin trials: twin_trials of at least 2 (e.g. 40)"),
        )
        for bad, msg in checks:
            if bad:
                raise PydanticCustomError("trial", msg, {"value": self.randomise})

    @property
    def n_sequences(self) -> int:
        """Stepped-wedge groups (``sequences`` or periods - 1)."""
        return self.sequences if self.sequences is not None else max(self.periods - 1, 1)
