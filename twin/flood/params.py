"""Parameters of the ``flood`` model (pydantic only; every value with its source or marked L).

Sources are listed in docs/sources.md, "Flooding". S = seen in published material,
D = arithmetic on seen figures, L = assumption to be replaced with local evidence.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from twin.flood.damage import JRC_COMMERCIAL, JRC_DEPTHS_M, JRC_RESIDENTIAL, check_curve
from twin.flood.people import DEFAULT_CLOSURE_TABLE, DEFAULT_DISPLACEMENT_TABLE, days_from_depth
from twin.flood.storms import check_return_periods

__all__ = ["DamageParams", "FloodModelParams", "PeopleParams", "RainfallParams", "RiverParams", "UncertaintyParams"]


class RainfallParams(BaseModel):
    """Design rainfall: DDF, profile, climate uplift (module notes of :mod:`twin.flood.storms`)."""

    model_config = ConfigDict(extra="forbid")

    return_periods: list[float] = Field(default_factory=lambda: [10.0, 30.0, 100.0, 1000.0],
                                        description="Return periods (years) of the design events, increasing.")
    duration_min: float = Field(180.0, gt=0, le=2880, description="Storm duration (min); 3 hours is the usual "
                                "critical duration of urban surface-water flooding (L).")
    step_min: float = Field(5.0, gt=0, le=60, description="Time step of the hyetograph (min).")
    m5_60_mm: float | None = Field(None, gt=0, le=100, description="1-hour 5-year rainfall (mm); default by the "
                                   "place's climate station (London 20, South West 19; L, FSR-style).")
    duration_exponent: float | None = Field(None, gt=0, lt=1, description="DDF duration exponent (1); default by station (L).")
    growth: float | None = Field(None, gt=0, lt=2, description="Gumbel growth per unit reduced variate (1); "
                                 "default 0.32, M100/M5 about 2 (L).")
    design_table: str | None = Field(None, description="CSV of return_period_years,duration_min,depth_mm "
                                     "(a council's FEH table) used instead of the parametric DDF.")
    peakedness: float = Field(3.9, ge=1, le=20, description="Peak-to-mean intensity of the symmetric summer "
                              "profile (FSR/FEH form; value L).")
    uplift_per_degC: float = Field(0.10, ge=0, le=0.3, description="Growth of hourly extremes per degC of "
                                   "regional summer warming (Kendon et al. 2023: 0.05-0.15; S).")

    @field_validator("return_periods")
    @classmethod
    def _rps(cls, v: list[float]) -> list[float]:
        try:
            check_return_periods(v)
        except ValueError as err:
            raise ValueError(getattr(err, "message", str(err))) from None
        return v


class RiverParams(BaseModel):
    """River inflow hydrographs (the channel is derived from the DEM: twin.flood.event)."""

    model_config = ConfigDict(extra="forbid")

    peaks_m3_s: dict[float, float] = Field(default_factory=dict, description="Peak inflow (m3 s-1) by return "
                                           "period (years), interpolated in the Gumbel variate; empty: no river "
                                           "flooding (L; replace with FEH statistical estimates).")
    base_m3_s: float = Field(10.0, ge=0, description="Base flow (m3 s-1) (L).")
    time_to_peak_h: float = Field(2.5, gt=0, le=48, description="Hours from start to the peak (L).")
    elasticity: float = Field(1.0, ge=0, le=3, description="Peak-flow uplift per unit rainfall uplift (L).")


class DamageParams(BaseModel):
    """Buildings, values and depth-damage curves."""

    model_config = ConfigDict(extra="forbid")

    value_per_dwelling_gbp: float = Field(90_000.0, gt=0, description="Damageable value of a home, GBP 2017 "
                                          "(D: Green Book Annex A2 £37-42k per event above 1.2 m / JRC fraction "
                                          "0.44 at 1.2 m).")
    value_per_business_gbp: float = Field(300_000.0, gt=0, description="Damageable value of a business "
                                          "property, GBP (D/L: EA 2010 £75-112k per flooded business / JRC "
                                          "commercial fraction 0.30 at 1 m).")
    household_size: float = Field(2.36, gt=0, le=10, description="Residents per dwelling (ONS Census 2021, E&W; S).")
    dwelling_footprint_m2: float = Field(60.0, gt=0, description="Built footprint per dwelling (m2) (L).")
    business_footprint_m2: float = Field(400.0, gt=0, description="Built footprint per business property (m2) (L).")
    floor_height_m: float = Field(0.15, ge=0, le=1, description="Ground floor above the ground outside (m): "
                                  "damage is read at the depth above it (door thresholds, air bricks; L).")
    threshold_rp: float = Field(2.0, gt=1, description="EAD truncation: events more frequent than this return "
                                "period do no damage (standard of protection of drains; L).")
    depths_m: list[float] = Field(default_factory=lambda: list(JRC_DEPTHS_M), description="Depths of the curves (m).")
    residential: list[float] = Field(default_factory=lambda: list(JRC_RESIDENTIAL),
                                     description="JRC Europe residential damage fractions (Huizinga et al. 2017; S).")
    commercial: list[float] = Field(default_factory=lambda: list(JRC_COMMERCIAL),
                                    description="JRC Europe commercial damage fractions (Huizinga et al. 2017; S).")
    pfr_max_depth_m: float = Field(0.6, gt=0, le=2, description="Depth up to which property flood resilience "
                                   "keeps water out (PAS 1188 products are tested to 0.6 m; L).")
    pfr_effectiveness: float = Field(0.7, ge=0, le=1, description="Share of damage PFR avoids below that depth "
                                     "(installed and deployed in time; L).")

    @model_validator(mode="after")
    def _curves(self) -> DamageParams:
        for name in ("residential", "commercial"):
            try:
                check_curve(self.depths_m, getattr(self, name), field=name)
            except ValueError as err:
                raise ValueError(getattr(err, "message", str(err)) + f" ({name}: {getattr(self, name)})") from None
        return self


class PeopleParams(BaseModel):
    """Displacement, service closures, access and welfare contacts (assumptions L unless stated)."""

    model_config = ConfigDict(extra="forbid")

    displacement_days: list[tuple[float, float]] = Field(default_factory=lambda: [list(r) for r in DEFAULT_DISPLACEMENT_TABLE],
                                                         description="[depth m, days out of home] (L).")
    closure_days: list[tuple[float, float]] = Field(default_factory=lambda: [list(r) for r in DEFAULT_CLOSURE_TABLE],
                                                    description="[depth m, days a service is closed] (L).")
    passable_m: float = Field(0.3, gt=0, le=2, description="Depth above which a cell is impassable on foot or by "
                              "car (Defra/EA FD2320, 2006: about 0.25-0.3 m; S/M).")
    alternative_m: float = Field(3000.0, gt=0, description="Distance (m) within which an open, reachable "
                                 "face-to-face service counts as an alternative (L).")
    welfare_depth_m: float = Field(0.1, ge=0, le=2, description="Home depth at which a vulnerable resident needs "
                                   "a welfare contact (L).")
    vulnerable_min_age: int = Field(75, ge=0, le=110, description="Age from which a resident is vulnerable (L).")
    welfare_capacity_share: float = Field(0.5, gt=0, le=1, description="Share of a service's daily capacity "
                                          "given to flood welfare contacts (L).")
    response_return_period: float = Field(100.0, gt=1, description="Event whose aftermath is stepped day by day "
                                          "(years; one of the return periods).")

    @field_validator("displacement_days", "closure_days")
    @classmethod
    def _table(cls, v):
        try:
            days_from_depth(0.0, v)
        except ValueError as err:
            raise ValueError(getattr(err, "message", str(err))) from None
        return v


class UncertaintyParams(BaseModel):
    """Uncertain inputs drawn once per replicate, uniform in central x (1 ± spread) (twin.flood.uncertainty)."""

    model_config = ConfigDict(extra="forbid")

    sample: bool = Field(True, description="Draw the inputs below per replicate (false: every replicate uses the "
                         "central values and the hazard is deterministic).")
    design_depth_spread: float = Field(0.2, ge=0, lt=1, description="Relative half-range of every design rainfall "
                                       "depth (1; L: stands in for the FEH confidence interval of the point).")
    uplift_spread: float = Field(0.5, ge=0, lt=1, description="Relative half-range of rainfall.uplift_per_degC "
                                 "(1; 0.5 about 10 %/degC gives 5-15 %/degC, Kendon et al. 2023; S).")
    dwelling_value_spread: float = Field(0.063, ge=0, lt=1, description="Relative half-range of the value per "
                                         "dwelling (1; Green Book Annex A2 £37-42k about its midpoint; D).")
    business_value_spread: float = Field(0.2, ge=0, lt=1, description="Relative half-range of the value per "
                                         "business property (1; EA 2010 £75-112k about its midpoint; D).")


class FloodModelParams(BaseModel):
    """Parameters of the ``flood`` model."""

    model_config = ConfigDict(extra="forbid")

    rainfall: RainfallParams = Field(default_factory=RainfallParams, description="Design rainfall.")
    river: RiverParams = Field(default_factory=RiverParams, description="River inflow.")
    damage: DamageParams = Field(default_factory=DamageParams, description="Damage and EAD.")
    people: PeopleParams = Field(default_factory=PeopleParams, description="People and services.")
    uncertainty: UncertaintyParams = Field(default_factory=UncertaintyParams,
                                           description="Inputs drawn per replicate (intervals of EAD and damage).")
    infiltration_mm_h: float = Field(6.8, ge=0, le=200, description="Infiltration capacity of pervious ground "
                                     "(mm h-1; Rawls, Brakensiek & Saxton 1982: silt loam Ks 6.8; S).")
    drainage_mm_h: float = Field(12.0, ge=0, le=200, description="Sewer drainage of sealed ground (mm h-1; EA "
                                 "surface-water map method, 12 mm h-1 in urban areas; S/M).")
    freeboard_m: float = Field(0.3, ge=0, le=2, description="Freeboard of a defence crest above its design "
                               "water level (m; L).")

    @model_validator(mode="after")
    def _response(self) -> FloodModelParams:
        if float(self.people.response_return_period) not in [float(r) for r in self.rainfall.return_periods]:
            raise ValueError(f"people.response_return_period {self.people.response_return_period:g} must be one of "
                             f"rainfall.return_periods {self.rainfall.return_periods}")
        return self
