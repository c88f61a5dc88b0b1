"""Parameters of the heat-health rules: one pydantic model per section, with sources.

Every probability or coefficient the rules in :mod:`twin.health` use is a field
here, with a default, a unit, a description and the source it comes
from (``source``). Values with no published figure are marked
``"assumption, L: ..."`` so a scenario can override them and a report can say
which numbers are guesses. :func:`describe_params` lists them all as rows for
an assumptions table.

This module imports pydantic only (no scipy, no Mesa), so scenario validation
stays fast. The people-side sections (traits, behaviour, services) are in
:mod:`twin.health._params_people`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from twin.health._params_people import BehaviourParams, ServiceParams, TraitParams, pfield

__all__ = [
    "BehaviourParams",
    "ExposureResponseParams",
    "HeatHealthParams",
    "MortalityParams",
    "REGIONS",
    "CENTILE_97_LONDON",
    "SLOPE_CI",
    "ServiceParams",
    "TraitParams",
    "describe_params",
]

#: Regions of the heat-health alert table (twin.climate.hazards.HEAT_THRESHOLDS), in its order.
REGIONS = (
    "London",
    "South East",
    "South West",
    "East",
    "East Midlands",
    "West Midlands",
    "North West",
    "Yorkshire and The Humber",
    "North East",
)

#: Hajat et al., JECH 2002: London heat slope +3.34 % (2.47-4.23) per degC above the 97th centile,
#: as log relative risk per degC (use for sensitivity runs of ``slope_high_london``).
SLOPE_CI = (0.0244, 0.0415)
#: London's 97th centile of daily mean temperature (Hajat et al., JECH 2002), degC.
CENTILE_97_LONDON = 21.5


class MortalityParams(BaseModel):
    """The one baseline mortality (:mod:`twin.health.mortality`), shared with the demography engine.

    Per sex a Makeham-Gompertz law with an accident hump, an infant rate and a steepening
    above 75, fitted to life expectancy at birth and at 65 (ONS 2021-23) with the steepening
    fitted to the crude death rate on the England and Wales 2021 structure; or, if
    ``life_table`` is set, a user's ONS-style life table. See docs/sources.md (mortality).
    """

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    life_table: str | None = pfield(None, "1", "user data",
                                    "ONS-style life table CSV (sex, age, mx or qx); replaces the fitted law.")
    life_expectancy_f: float = pfield(83.0, "year", "ONS National life tables 2021-23 (2024), S/H",
                                      "Female period life expectancy at birth the law is fitted to.", ge=40, le=100)
    life_expectancy_m: float = pfield(79.0, "year", "ONS National life tables 2021-23 (2024), S/H",
                                      "Male period life expectancy at birth the law is fitted to.", ge=40, le=100)
    life_expectancy_65_f: float = pfield(21.1, "year", "ONS National life tables 2021-23 (2024), S/M (secondary)",
                                         "Female period life expectancy at 65 the law is fitted to.", ge=5, le=40)
    life_expectancy_65_m: float = pfield(18.6, "year", "ONS National life tables 2021-23 (2024), S/M (secondary)",
                                         "Male period life expectancy at 65 the law is fitted to.", ge=5, le=40)
    crude_death_rate_target: float = pfield(
        9.7, "1", "D: 577,160 registered deaths 2022 / 59.6 m = 9.68; 598,000 / 60.9 m (yr to mid-2023) = 9.8 (ONS)",
        "Deaths per 1,000 a year on the England and Wales 2021 structure; fits the steepening above 75.",
        ge=5, le=20)
    infant_rate_f: float = pfield(0.0035, "year-1", "assumption, L: ONS infant mortality about 3.5-4 per 1,000",
                                  "Female death rate in the first year of life.", ge=0, le=0.05)
    infant_rate_m: float = pfield(0.0042, "year-1", "assumption, L: ONS infant mortality about 3.5-4 per 1,000",
                                  "Male death rate in the first year of life.", ge=0, le=0.05)
    makeham_f: float = pfield(1.0e-4, "year-1", "assumption, L", "Age-independent female hazard.", ge=0, le=0.01)
    makeham_m: float = pfield(1.5e-4, "year-1", "assumption, L", "Age-independent male hazard.", ge=0, le=0.01)
    hump_f: float = pfield(1.0e-4, "year-1", "assumption, L", "Young-adult (accident) hump, female, peak at 22.",
                           ge=0, le=0.01)
    hump_m: float = pfield(4.0e-4, "year-1", "assumption, L", "Young-adult (accident) hump, male, peak at 22.",
                           ge=0, le=0.01)
    seasonal_amplitude: float = pfield(
        0.12, "1", "assumption, L: ONS excess winter mortality index typically 15-30 % (not retrieved); "
        "0.12 gives about 17 %",
        "Relative amplitude of the yearly cycle of baseline death rates (winter high, summer low).", ge=0, le=0.5)
    seasonal_peak_day: float = pfield(15.0, "day", "assumption, L: deaths peak in January (ONS monthly deaths)",
                                      "Day of year of the peak of baseline death rates.", ge=1, le=366)


class ExposureResponseParams(BaseModel):
    """Heat exposure-response: a hockey stick that steepens at the hot end, a short lag, displacement.

    All-ages log relative risk at daily mean temperature ``T`` (degC), region ``r``:
    ``slope_low * clip(T - start_r, 0, knee_r - start_r) + slope_high_r * max(T - knee_r, 0)``
    where ``knee_r`` is the region's 97th-centile point (London 21.5 degC, Hajat et al. 2002;
    other regions shifted by their day-max alert threshold minus London's, the one table in
    :data:`twin.climate.hazards.HEAT_THRESHOLDS`) and ``start_r = knee_r - rise_below_knee``
    (London ~19 degC, where deaths start rising, Hajat 2002; other regions rise only above the
    knee, ``rise_below_knee_other``). The dose of a day is the
    lag-weighted sum of the last days' log relative risks (``lag_weights``, lag 0 first). The
    age/sex shape is Ishigami et al.'s (see :func:`twin.health.exposure_response.age_sex_gradient`).
    A share ``displacement_share`` of heat deaths would have happened within
    ``displacement_days`` anyway: they lower the following days' baseline (harvesting).
    """

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    slope_high_london: float = pfield(0.0329, "degC-1", "Hajat et al., JECH 2002: +3.34 % (2.47-4.23) per degC above "
                                      "21.5 degC in London, S/H", "log RR per degC above the knee, London.", ge=0, le=0.2)
    slope_high_other: float = pfield(0.0296, "degC-1", "Hajat et al., OEM 2007: RR 1.03 (1.02-1.03) per degC above "
                                     "the regional 95th centile, S/H", "log RR per degC above the knee, other regions.",
                                     ge=0, le=0.2)
    slope_low: float = pfield(0.0085, "degC-1", "calibrated (D): London-like population, crude heat deaths ~2.0 per 100,000 "
                              "a year (Gasparrini et al., Lancet Planet Health 2022: ~170 a year in London, 8.0-8.9 m)",
                              "log RR per degC between the start of the rise and the knee.", ge=0, le=0.2)
    rise_below_knee: float = pfield(2.5, "degC", "Hajat et al., JECH 2002: London deaths start rising at ~19 degC, "
                                    "2.5 below the 97th centile (21.5)", "Width of the gentle rise below the knee, London.",
                                    ge=0, le=10)
    rise_below_knee_other: float = pfield(0.0, "degC", "Hajat et al., OEM 2007: effects above the regional 95th centile "
                                          "(no published rise below it); London is more vulnerable (Bennett et al. 2014)",
                                          "Width of the gentle rise below the knee, other regions.", ge=0, le=10)
    thresholds: dict[str, float] = pfield(
        {}, "degC", "default D: 21.5 (Hajat 2002) + (regional day-max alert threshold - 32), from "
        "twin.climate.hazards.HEAT_THRESHOLDS", "Overrides of the knee (97th-centile point) by region.")
    threshold_shift: float = pfield(0.0, "degC", "scenario knob (0 = published thresholds)",
                                    "Added to every regional start and knee (sensitivity, or acclimatisation).",
                                    ge=-10, le=10)
    lag_weights: tuple[float, ...] = pfield(
        (0.5, 0.3, 0.15, 0.05), "1", "assumption, L: heat effects mostly at lags 0-1 and gone by lag 3 (Hajat et al. "
        "2002; lag 0-3 as in Gasparrini et al. 2022)", "Weights of today's and the 1-3 previous days' log RR; sum 1.")
    displacement_share: float = pfield(
        0.3, "1", "assumption, L: part of London's heat deaths is short-term displacement (Hajat et al. 2002, 2005)",
        "Share of heat deaths brought forward by at most displacement_days.", ge=0, le=1)
    displacement_days: int = pfield(14, "day", "assumption, L: displacement within about two weeks",
                                    "Days over which displaced deaths lower the baseline.", ge=1, le=60)
    rr_75_84_f: float = pfield(1.07, "1", "Ishigami et al., Environ Health 2008 (London), S/H",
                               "RR per degC, women 75-84 (sets the age/sex gradient only).", ge=1, le=1.5)
    rr_75_84_m: float = pfield(1.03, "1", "Ishigami et al., Environ Health 2008 (London), S/H",
                               "RR per degC, men 75-84 (gradient only).", ge=1, le=1.5)
    rr_85plus_f: float = pfield(1.08, "1", "Ishigami et al., Environ Health 2008 (London), S/H",
                                "RR per degC, women 85+ (gradient only).", ge=1, le=1.5)
    rr_85plus_m: float = pfield(1.05, "1", "Ishigami et al., Environ Health 2008 (London), S/H",
                                "RR per degC, men 85+ (gradient only).", ge=1, le=1.5)
    rr_65_74: float = pfield(1.02, "1", "assumption, L: Ishigami 65-74 figures not retrieved; below the 75+ values",
                             "RR per degC at 65-74, both sexes (gradient only).", ge=1, le=1.5)
    rr_under_65: float = pfield(1.005, "1", "assumption, L: small, as the 2022 under-70 excess was negative (ONS/UKHSA 2022)",
                                "RR per degC under 65, both sexes (gradient only).", ge=1, le=1.5)
    illness_per_attributable_death: float = pfield(
        5.0, "1", "assumption, L: no published figure found",
        "Heat-related illness needing hospital-level care, per heat-attributable death (same risk factors).", ge=0, le=100)
    rr_overheating_home: float = pfield(
        2.0, "1", "assumption, L: consistent with external shutters avoiding 38-73% of London heat deaths (docs/sources.md)",
        "Multiplier of the heat excess risk for a home that overheats (top-floor flat in a dense cell).", ge=1, le=10)
    rr_long_term_condition: float = pfield(
        2.0, "1", "assumption, L: no published figure found",
        "Multiplier of the heat excess risk for a long-term condition (cardiovascular, respiratory, dementia...).", ge=1, le=10)
    rr_living_alone: float = pfield(
        1.5, "1", "assumption, L: inverse of 'more social contact' OR 0.40 (Bouchama 2007) would be 2.5; living alone is weaker",
        "Multiplier of the heat excess risk for living alone.", ge=1, le=10)

    @field_validator("thresholds")
    @classmethod
    def _known_regions(cls, v: dict[str, float]) -> dict[str, float]:
        for region, value in v.items():
            if not 5.0 <= value <= 40.0:
                raise ValueError(f"threshold for {region!r} must be between 5 and 40 degC, got {value!r}")
        return v

    @field_validator("lag_weights")
    @classmethod
    def _weights(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not 1 <= len(v) <= 8 or any(w < 0 for w in v) or abs(sum(v) - 1.0) > 1e-6:
            raise ValueError(f"lag_weights must be 1-8 non-negative weights summing to 1, got {v!r}")
        return tuple(float(w) for w in v)


class HeatHealthParams(BaseModel):
    """All heat-health parameters, by section; every field has a default and a source."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    mortality: MortalityParams = Field(default_factory=MortalityParams, description="Baseline mortality (docs/sources.md).")
    exposure_response: ExposureResponseParams = Field(default_factory=ExposureResponseParams,
                                                      description="Heat exposure-response (docs/sources.md).")
    traits: TraitParams = Field(default_factory=TraitParams, description="Resident traits (docs/sources.md).")
    behaviour: BehaviourParams = Field(default_factory=BehaviourParams,
                                       description="Protective behaviour after contact (docs/sources.md).")
    services: ServiceParams = Field(default_factory=ServiceParams,
                                    description="Help seeking and cooling centres (assumptions, L).")


def describe_params(params: BaseModel | None = None, prefix: str = "") -> list[tuple[str, Any, str, str]]:
    """Rows ``(dotted name, value, unit, source)`` for every parameter, for an assumptions table.

    Parameters
    ----------
    params
        A :class:`HeatHealthParams` (or any section of it); defaults to the defaults.
    prefix
        Prefix of the dotted names (used when recursing).

    Returns
    -------
    list of tuple
        One row per leaf field, nested sections flattened with dots
        (``"exposure_response.slope_high_london"``).
    """
    params = HeatHealthParams() if params is None else params
    rows: list[tuple[str, Any, str, str]] = []
    for name, info in type(params).model_fields.items():
        value = getattr(params, name)
        dotted = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            rows.extend(describe_params(value, prefix=dotted + "."))
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        rows.append((dotted, value, str(extra.get("unit", "")), str(extra.get("source", ""))))
    return rows
