"""People-side heat-health parameters: resident traits, protective behaviour, services.

Private module; the public names are re-exported by :mod:`twin.health.params`.
Age tables are given as ``(lower bounds of age groups, value per group)``; a resident
of age ``a`` takes the value of the last group whose lower bound is ``<= a``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["BEHAVIOURS", "BehaviourParams", "ServiceParams", "TraitParams", "pfield"]

#: Protective behaviours, in the column order used by :mod:`twin.health.behaviour`.
BEHAVIOURS = ("cool_places", "social_contact", "fans", "home_ac")


def pfield(default: Any, unit: str, source: str, description: str, **constraints: Any) -> Any:
    """A pydantic ``Field`` carrying ``unit`` and ``source`` in its JSON-schema extras."""
    if isinstance(default, dict):
        return Field(default_factory=lambda: dict(default), description=description,
                     json_schema_extra={"unit": unit, "source": source}, **constraints)
    return Field(default, description=description, json_schema_extra={"unit": unit, "source": source}, **constraints)


def _check_table(ages: tuple[int, ...], *values: tuple[float, ...], name: str, prob: bool = True) -> None:
    if not ages or ages[0] != 0 or any(b <= a for a, b in zip(ages, ages[1:], strict=False)):
        raise ValueError(f"{name}: age lower bounds must start at 0 and increase, got {ages!r}")
    for vals in values:
        if len(vals) != len(ages):
            raise ValueError(f"{name}: {len(vals)} values for {len(ages)} age groups {ages!r}")
        if prob and any(not 0.0 <= v <= 1.0 for v in vals):
            raise ValueError(f"{name}: probabilities must be between 0 and 1, got {vals!r}")


class TraitParams(BaseModel):
    """Probabilities of resident traits, drawn once when residents are synthesised."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    internet_use_ages: tuple[int, ...] = pfield((0, 45, 55, 65, 75), "year", "age groups of ONS Internet users 2020",
                                                "Lower bounds of the age groups of internet_use.")
    internet_use: tuple[float, ...] = pfield(
        (0.99, 0.93, 0.86, 0.74, 0.54), "1",
        "ONS Internet users UK 2020 (16-44 99%, 75+ 54%, S/H); 55-64 86% daily use 2020 (S/H); 65-74 74% (ONS 2016 via "
        "Age UK, S/H); 45-54 interpolated (L); under-16 as 16-44 (L)",
        "Share of each age group that uses the internet (and can be reached digitally).")
    digital_uptake: float = pfield(
        0.8, "1", "assumption, L: between 47% of internet users reporting online in a 2013 citizens' panel "
        "(42% web / 89% online, D) and near-universal use by the young",
        "Share of internet users who prefer the digital channel for contact with the council.", ge=0, le=1)
    phone_share_non_digital: float = pfield(
        0.88, "1", "council citizens' panel 2013: phone 50% vs in person 7% (50/57, D)",
        "Of residents not preferring digital, the share preferring phone (rest: face to face).", ge=0, le=1)
    phone_share_non_digital_75plus: float = pfield(
        0.75, "1", "assumption, L: more face to face among the oldest",
        "As phone_share_non_digital, for residents aged 75+.", ge=0, le=1)
    rural_digital_multiplier: float = pfield(
        0.9, "1", "assumption, L: no figure in FACTS.md",
        "Multiplier of the probability of preferring digital for residents of rural zones.", ge=0, le=1)
    living_alone_ages: tuple[int, ...] = pfield((0, 16, 50, 65, 75, 85), "year", "ONS age groups",
                                                "Lower bounds of the age groups of living_alone_f/m.")
    living_alone_f: tuple[float, ...] = pfield(
        (0.0, 0.08, 0.17, 0.196, 0.525, 0.545), "1",
        "75-84 52.5%, 85+ 54.5% (ONS Census 2001, S/M); 50-64 17% (ONS 2011, S/H); 65-74 D so that 65+ is 36.3% on the approximate E&W 2021 structure "
        "(ONS 2021); 16-49 assumption L",
        "Probability a woman lives alone, by age group.")
    living_alone_m: tuple[float, ...] = pfield(
        (0.0, 0.10, 0.17, 0.179, 0.257, 0.369), "1",
        "75-84 25.7%, 85+ 36.9% (ONS Census 2001, S/M); 50-64 17% (ONS 2011, S/H); 65-74 D so that 65+ is 22.7% on that structure "
        "(ONS 2021); 16-49 assumption L",
        "Probability a man lives alone, by age group.")
    ltc_ages: tuple[int, ...] = pfield((0, 16, 45, 65, 75, 85), "year", "assumption, L", "Lower bounds of ltc_prevalence groups.")
    ltc_prevalence: tuple[float, ...] = pfield(
        (0.05, 0.12, 0.25, 0.45, 0.60, 0.70), "1", "assumption, L: no figure in FACTS.md; rises with age",
        "Prevalence of a long-term condition that raises heat risk (cardiovascular, respiratory, diabetes, dementia).")
    overheating_min: float = pfield(0.05, "1", "assumption, L: no figure in FACTS.md",
                                    "Probability a home overheats in a cell with no buildings.", ge=0, le=1)
    overheating_max: float = pfield(0.40, "1", "assumption, L: no figure in FACTS.md (top-floor and single-aspect flats)",
                                    "Probability a home overheats in the densest cells.", ge=0, le=1)
    overheating_saturation: float = pfield(0.5, "1", "assumption, L",
                                           "Building fraction at and above which overheating_max applies.", gt=0, le=1)
    cool_roof_efficacy: float = pfield(0.3, "1", "assumption, L: no figure in FACTS.md",
                                       "Relative reduction of the overheating probability per unit of cool_roof fraction.",
                                       ge=0, le=1)
    vulnerable_list_75_at_risk: float = pfield(0.30, "1", "assumption, L",
                                               "P(on the vulnerable-persons list) aged 75+ and living alone or with a condition.",
                                               ge=0, le=1)
    vulnerable_list_75_other: float = pfield(0.05, "1", "assumption, L", "P(on list) aged 75+ otherwise.", ge=0, le=1)
    vulnerable_list_alone_and_ltc: float = pfield(0.10, "1", "assumption, L",
                                                  "P(on list) under 75, living alone and with a condition.", ge=0, le=1)
    vulnerable_list_other: float = pfield(0.005, "1", "assumption, L", "P(on list) anyone else.", ge=0, le=1)

    @model_validator(mode="after")
    def _tables(self) -> TraitParams:
        _check_table(self.internet_use_ages, self.internet_use, name="internet_use")
        _check_table(self.living_alone_ages, self.living_alone_f, self.living_alone_m, name="living_alone")
        _check_table(self.ltc_ages, self.ltc_prevalence, name="ltc_prevalence")
        if self.overheating_min > self.overheating_max:
            raise ValueError("overheating_min must not exceed overheating_max")
        return self


class BehaviourParams(BaseModel):
    """Protective behaviour adopted after a contact, and its effect on heat risk.

    Effects are Bouchama et al.'s (2007) odds ratios, used as relative risks of heat
    death: with daily death probabilities around 1e-4 the outcome is rare and OR ~ RR.
    """

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    or_cool_places: float = pfield(0.34, "1", "Bouchama et al. 2007 meta-analysis (FACTS.md s1), S/M",
                                   "Odds ratio of heat death for visiting cool places.", gt=0, le=1)
    or_social_contact: float = pfield(0.40, "1", "Bouchama et al. 2007 (FACTS.md s1), S/M",
                                      "Odds ratio of heat death for more social contact.", gt=0, le=1)
    or_fans: float = pfield(0.60, "1", "Bouchama et al. 2007 (FACTS.md s1), S/M", "Odds ratio for using fans.", gt=0, le=1)
    or_home_ac: float = pfield(0.23, "1", "Bouchama et al. 2007 (FACTS.md s1), S/M",
                               "Odds ratio for home air conditioning (adoption 0 by default).", gt=0, le=1)
    adopt_cool_places: float = pfield(0.25, "1", "assumption, L: no figure in FACTS.md",
                                      "P(adopts visiting cool places) after a face-to-face contact.", ge=0, le=1)
    adopt_social_contact: float = pfield(0.50, "1", "assumption, L: active outreach itself is contact (Ebi et al. 2004)",
                                         "P(adopts more social contact) after a face-to-face contact.", ge=0, le=1)
    adopt_fans: float = pfield(0.35, "1", "assumption, L", "P(adopts using fans) after a face-to-face contact.", ge=0, le=1)
    adopt_home_ac: float = pfield(0.0, "1", "assumption, L: not a default option", "P(adopts home AC) after a contact.",
                                  ge=0, le=1)
    channel_effect: dict[str, float] = pfield(
        {"face_to_face": 1.0, "phone": 0.6, "digital": 0.2}, "1",
        "assumption, L: passive advice alone likely ineffective (Eur J Public Health review); active outreach works "
        "(Ebi et al. 2004)",
        "Multiplier of the adoption probabilities by the channel of the contact.")
    cool_places_85plus: float = pfield(0.5, "1", "assumption, L: reduced mobility",
                                       "Multiplier of adopt_cool_places for residents aged 85+.", ge=0, le=1)
    min_combined_rr: float = pfield(0.2, "1", "assumption, L: behaviours overlap, so their ORs do not multiply freely",
                                    "Floor of the combined relative risk of several adopted behaviours.", gt=0, le=1)

    @model_validator(mode="after")
    def _channels(self) -> BehaviourParams:
        from twin._names import CHANNELS

        if set(self.channel_effect) != set(CHANNELS):
            raise ValueError(f"channel_effect needs exactly the channels {CHANNELS!r}, got {tuple(self.channel_effect)!r}")
        if any(not 0.0 <= v <= 1.0 for v in self.channel_effect.values()):
            raise ValueError(f"channel_effect values must be between 0 and 1, got {self.channel_effect!r}")
        return self


class ServiceParams(BaseModel):
    """Help seeking by alert level and cooling-centre visits (all assumptions, L)."""

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    help_seeking_by_alert: tuple[float, float, float, float] = pfield(
        (0.0, 0.0005, 0.002, 0.01), "day-1", "assumption, L: no figure in FACTS.md; levels green/yellow/amber/red (UKHSA 2023)",
        "Daily probability a resident seeks help from the council, by alert level.")
    help_seeking_65plus: float = pfield(2.0, "1", "assumption, L", "Multiplier of help seeking for residents 65+.", ge=0, le=20)
    cooling_centre_max_probability: float = pfield(
        0.3, "day-1", "assumption, L", "Daily probability a resident who seeks cool places visits an open centre at their door.",
        ge=0, le=1)
    cooling_centre_decay_urban_m: float = pfield(800.0, "m", "assumption, L: about a 10-minute walk",
                                                 "Distance over which visit probability falls by 1/e (urban).", gt=0)
    cooling_centre_decay_rural_m: float = pfield(3000.0, "m", "assumption, L: rural residents drive or are driven",
                                                 "Distance over which visit probability falls by 1/e (rural).", gt=0)

    @model_validator(mode="after")
    def _levels(self) -> ServiceParams:
        if any(not 0.0 <= v <= 1.0 for v in self.help_seeking_by_alert):
            raise ValueError(f"help_seeking_by_alert must be probabilities, got {self.help_seeking_by_alert!r}")
        return self
