"""Parameters of the heat-health rules: one pydantic model per section, with sources.

Every probability or coefficient the rules in :mod:`twin.health` use is a field
here, with a default, a unit, a description and the FACTS.md source it comes
from (``source``). Values FACTS.md has no figure for are marked
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
    "SLOPE_CI",
    "ServiceParams",
    "TraitParams",
    "describe_params",
]

#: Gasparrini et al. 2012 (OEM) 95% CI of the all-cause heat slope, as log-RR per degC.
#: The validated range of ``slope_all_ages`` is wider so other published slopes
#: (Hajat 2002 London 3.34 %/degC) can be used; use these bounds for sensitivity runs.
SLOPE_CI = (0.016, 0.026)

#: Regions of the heat-health alert table (FACTS.md section 10), in that table's order.
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

# Daily-MEAN temperature (degC) above which heat mortality rises, by region (see the calibration
# note in twin/health/calibration.py).
# Other regions (D): the London 97th-centile threshold, 21.5 degC daily mean (Hajat et al., JECH 2002,
# S/H), shifted by the region's day-max heat-health alert threshold minus London's (Met Office heat-health
# watch to 2022, FACTS.md s10: London 32, South East 31, South West/East/Midlands/North West 30,
# Yorkshire and The Humber 29, North East 28). Check: the E&W 2021 population on an inland South West
# climate (Yeovilton) with 19.5 degC gives ~1.4 heat deaths per 100k a year, ~830 a year for E&W,
# against 791 (611-957) in Gasparrini et al. 2022.
# London (D): 19.0, where "deaths start rising" (Hajat 2002), lower than the 97th centile because London
# is more vulnerable than other regions (Bennett et al. 2014: >10 %/degC in London; Gasparrini 2022:
# 3.21/100k in London vs ~1.3/100k E&W). With it, the bundled London-like borough gives ~3-4 per 100k.
_ALERT_DAY_MAX = {
    "London": 32,
    "South East": 31,
    "South West": 30,
    "East": 30,
    "East Midlands": 30,
    "West Midlands": 30,
    "North West": 30,
    "Yorkshire and The Humber": 29,
    "North East": 28,
}
_CENTILE_97_LONDON = 21.5
_DEFAULT_THRESHOLDS = {r: _CENTILE_97_LONDON + (v - _ALERT_DAY_MAX["London"]) for r, v in _ALERT_DAY_MAX.items()}
_DEFAULT_THRESHOLDS["London"] = 19.0


class MortalityParams(BaseModel):
    """Baseline mortality: a Gompertz–Makeham law per sex fitted to life expectancy at birth.

    The hazard at age ``x`` is ``mu(x) = makeham + alpha * exp(slope * x)``; ``alpha`` is
    fitted so the period life expectancy equals ``life_expectancy_*`` (FACTS.md section 11:
    derive qx this way, mark it D). The slopes and Makeham terms are not in FACTS.md; the
    defaults were chosen so that the fitted life tables give a crude death rate near
    9.8 per 1,000 on the England and Wales 2021 age structure (tested).
    """

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    life_expectancy_f: float = pfield(83.0, "year", "ONS National life tables 2024 (2021-23), S/H",
                                      "Female period life expectancy at birth the law is fitted to.", ge=40, le=100)
    life_expectancy_m: float = pfield(79.0, "year", "ONS National life tables 2024 (2021-23), S/H",
                                      "Male period life expectancy at birth the law is fitted to.", ge=40, le=100)
    gompertz_slope_f: float = pfield(0.122, "year-1", "assumption, L: no figure in FACTS.md; set so the crude death rate check holds (D)",
                                     "Rate of exponential rise of adult female mortality with age.", gt=0.03, lt=0.2)
    gompertz_slope_m: float = pfield(0.112, "year-1", "assumption, L: no figure in FACTS.md; set so the crude death rate check holds (D)",
                                     "Rate of exponential rise of adult male mortality with age.", gt=0.03, lt=0.2)
    makeham_f: float = pfield(2.0e-4, "year-1", "assumption, L: no figure in FACTS.md",
                              "Age-independent (background) female hazard.", ge=0, le=0.01)
    makeham_m: float = pfield(4.0e-4, "year-1", "assumption, L: no figure in FACTS.md",
                              "Age-independent (background) male hazard.", ge=0, le=0.01)


class ExposureResponseParams(BaseModel):
    """Heat exposure–response: a log-linear rise in the death rate above a regional threshold.

    The exposure is the resident's local **daily mean** temperature, ``(tasmax + tasmin) / 2``
    at the home cell: the metric of Gasparrini et al. 2012 and Hajat et al. 2002, whose slopes
    and thresholds are used here. The slope for age ``a`` and sex ``s`` follows Ishigami et al.'s
    age/sex gradient, scaled so its average over England and Wales deaths equals
    ``slope_all_ages`` (Gasparrini 2012); see :func:`twin.health.exposure_response.heat_slopes`.
    """

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    slope_all_ages: float = pfield(0.021, "degC-1", "Gasparrini et al., OEM 2012: +2.1% (95% CI 1.6-2.6) per degC, S/H",
                                   "All-ages log relative risk of death per degC of daily mean above the threshold "
                                   "(ln(1.021) ~ 0.021). SLOPE_CI holds the CI for sensitivity runs.", ge=0, le=0.1)
    rr_75_84_f: float = pfield(1.07, "1", "Ishigami et al., Environ Health 2008 (London), S/H",
                               "RR per degC, women 75-84 (sets the age/sex gradient only).", ge=1, le=1.5)
    rr_75_84_m: float = pfield(1.03, "1", "Ishigami et al., Environ Health 2008 (London), S/H",
                               "RR per degC, men 75-84 (gradient only).", ge=1, le=1.5)
    rr_85plus_f: float = pfield(1.08, "1", "Ishigami et al., Environ Health 2008 (London), S/H",
                                "RR per degC, women 85+ (gradient only).", ge=1, le=1.5)
    rr_85plus_m: float = pfield(1.05, "1", "Ishigami et al., Environ Health 2008 (London), S/H",
                                "RR per degC, men 85+ (gradient only).", ge=1, le=1.5)
    rr_65_74: float = pfield(1.02, "1", "assumption, L: Ishigami's 65-74 figures not in FACTS.md; below the 75+ values",
                             "RR per degC at 65-74, both sexes (gradient only).", ge=1, le=1.5)
    rr_under_65: float = pfield(1.005, "1", "assumption, L: small, as the 2022 under-70 excess was negative (ONS/UKHSA 2022)",
                                "RR per degC under 65, both sexes (gradient only).", ge=1, le=1.5)
    thresholds: dict[str, float] = pfield(
        _DEFAULT_THRESHOLDS, "degC",
        "D: London 19.0 (Hajat et al., JECH 2002: deaths rise from ~19 degC; calibrated to Gasparrini et al. 2022 "
        "London 3.21/100k); other regions Hajat 2002's 97th centile 21.5 shifted by the regional day-max alert "
        "thresholds (Met Office to 2022, FACTS.md s10)",
        "Daily-mean temperature threshold of the exposure-response, by region (FACTS.md section 10 names).")
    threshold_shift: float = pfield(0.0, "degC", "scenario knob (0 = published thresholds)",
                                    "Added to every regional threshold (sensitivity, or acclimatisation); "
                                    "London at its 97th centile would be +2.5.", ge=-10, le=10)
    illness_per_attributable_death: float = pfield(
        5.0, "1", "assumption, L: no figure in FACTS.md",
        "Heat-related illness needing hospital-level care, per heat-attributable death (same risk factors).", ge=0, le=100)
    rr_overheating_home: float = pfield(
        2.0, "1", "assumption, L: consistent with external shutters avoiding 38-73% of London heat deaths (FACTS.md section 14)",
        "Multiplier of the heat excess risk for a home that overheats (top-floor flat in a dense cell).", ge=1, le=10)
    rr_long_term_condition: float = pfield(
        2.0, "1", "assumption, L: no figure in FACTS.md",
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


class HeatHealthParams(BaseModel):
    """All heat-health parameters, by section; every field has a default and a source."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    mortality: MortalityParams = Field(default_factory=MortalityParams, description="Baseline mortality (FACTS.md s11).")
    exposure_response: ExposureResponseParams = Field(default_factory=ExposureResponseParams,
                                                      description="Heat exposure-response (FACTS.md s1, s10).")
    traits: TraitParams = Field(default_factory=TraitParams, description="Resident traits (FACTS.md s6, s12, s13).")
    behaviour: BehaviourParams = Field(default_factory=BehaviourParams,
                                       description="Protective behaviour after contact (FACTS.md s1, s14).")
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
        (``"exposure_response.slope_all_ages"``).
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
