"""The ``demography:`` section of a scenario: what to project, under which variants.

Import-light (pydantic only) so that ``twin validate`` can check a scenario's
demography section without numpy, xarray or matplotlib.

Every calibrated default names its source (docs/sources.md, "Projections"); values marked *L* are
assumptions (low confidence) and are exposed here as parameters.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "BUILTIN_VARIANTS",
    "DemographySpec",
    "HousingLed",
    "MigrationComponent",
    "RateTables",
    "ServiceUse",
    "Variant",
    "spec_hash",
]

#: Age profiles a migration or housing-led component can use (see ``twin.demography.rates``).
MigrationProfile = Literal["young_adult", "family", "working_age", "retirement", "flat"]


class _Strict(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, extra="forbid", frozen=True)


class Variant(_Strict):
    """One named set of projection assumptions (ONS-style variant).

    Targets left as ``None`` take the principal (place) value; deltas are added
    after that, so ``high_fertility`` is "the place's TFR + 0.2" whether the place
    is London (1.35) or the West Midlands (1.58).
    """

    description: str = ""
    tfr: float | None = Field(None, gt=0, le=8, description="target total fertility rate (births/woman)")
    tfr_delta: float = Field(0.0, ge=-5, le=5, description="added to the TFR target")
    e0_m: float | None = Field(None, gt=20, lt=110, description="target life expectancy at birth, males (years)")
    e0_f: float | None = Field(None, gt=20, lt=110, description="target life expectancy at birth, females (years)")
    e0_delta: float = Field(0.0, ge=-30, le=20, description="added to both life-expectancy targets (years)")
    migration_scale: float = Field(1.0, ge=0, le=10, description="multiplies net migration (all components; "
                                   "ONS-style variants use international_scale or internal_scale instead)")
    international_scale: float = Field(1.0, ge=0, le=10, description="multiplies net international migration "
                                       "(ONS's high and low migration variants vary only this)")
    internal_scale: float = Field(1.0, ge=0, le=10, description="multiplies net internal (within-UK) migration, "
                                  "including other_migration components of kind internal")
    mortality_improvement: float | None = Field(None, ge=-0.05, le=0.1, description="annual mortality "
                                                "improvement at every age for this variant (None: the spec's)")
    migration_level: float = Field(
        0.0, ge=-0.2, le=0.2,
        description="extra net migration as a fraction of zone population per year, young-adult profile",
    )
    zero_migration: bool = Field(False, description="no net migration at all (overrides scale and level)")


# ONS 2021-based national projections use TFR +/-0.2 and migration roughly +/-50% around the
# principal, and life-expectancy variants a few years apart by the horizon. The sizes below
# follow that pattern but are assumptions (L): override them with `variant_definitions`.
# As in ONS's subnational projections, the high and low migration variants vary international
# migration only; internal migration has its own variants (docs/sources.md, "Projections").
BUILTIN_VARIANTS: dict[str, Variant] = {
    "principal": Variant(description="principal projection: place rates held at their base values"),
    "high_fertility": Variant(description="TFR +0.2 (assumption L, ONS-style)", tfr_delta=0.2),
    "low_fertility": Variant(description="TFR -0.2 (assumption L, ONS-style)", tfr_delta=-0.2),
    "high_life_expectancy": Variant(description="e0 +2 years (assumption L)", e0_delta=2.0),
    "low_life_expectancy": Variant(description="e0 -2 years (assumption L)", e0_delta=-2.0),
    "high_migration": Variant(description="net international migration x1.5 (assumption L, ONS-style)",
                              international_scale=1.5),
    "low_migration": Variant(description="net international migration x0.5 (assumption L, ONS-style)",
                             international_scale=0.5),
    "high_internal_migration": Variant(description="net internal migration x1.5 (assumption L; ONS's "
                                       "alternative internal migration variant)", internal_scale=1.5),
    "low_internal_migration": Variant(description="net internal migration x0.5 (assumption L)", internal_scale=0.5),
    "zero_migration": Variant(description="zero net migration", zero_migration=True),
    "young_age_structure": Variant(
        description="high fertility, low life expectancy, high migration (assumption L)",
        tfr_delta=0.2, e0_delta=-2.0, international_scale=1.5,
    ),
    "old_age_structure": Variant(
        description="low fertility, high life expectancy, low migration (assumption L)",
        tfr_delta=-0.2, e0_delta=2.0, international_scale=0.5,
    ),
}


class MigrationComponent(_Strict):
    """Net migration of one kind (internal or international) for every zone.

    ``rate`` is net migrants per resident per year (may be negative: net outflow),
    spread over ages by ``profile``; ``rate_by_zone`` overrides it per zone code and
    ``rate_by_class`` per ``urban_rural`` class.
    """

    rate: float = Field(0.0, ge=-0.2, le=0.2)
    profile: MigrationProfile = "young_adult"
    kind: Literal["internal", "international"] = Field(
        "internal", description="which migration variants scale it (other_migration components; the "
        "international: and internal: sections are of their own kind)")
    rate_by_class: dict[Literal["urban", "rural"], float] = Field(default_factory=dict)
    rate_by_zone: dict[str, float] = Field(default_factory=dict)


class RateTables(_Strict):
    """Optional CSV rate tables (ONS-style columns), relative to the scenario file.

    - mortality: ``sex,age,rate`` (central death rate per person-year, age 0..90 with 90 = 90+)
    - fertility: ``age,rate`` (births per woman per year, ages 15..49; missing ages outside are 0)
    - migration: ``zone_code,sex,age,net`` (net migrants, persons per year)
    - base_population: ``zone_code,sex,age,count`` (as the place's population.csv)
    """

    mortality: Path | None = None
    fertility: Path | None = None
    migration: Path | None = None
    base_population: Path | None = None


class HousingLed(_Strict):
    """New dwellings bring residents: ``dwellings[zone][year] * persons_per_dwelling`` people a year."""

    dwellings: dict[str, dict[int, float]] = Field(
        default_factory=dict, description="new dwellings completed per zone code and year"
    )
    dwellings_csv: Path | None = Field(None, description="CSV with zone_code,year,dwellings (added to `dwellings`)")
    # 2.36 persons per household, E&W Census 2021 -- not in docs/sources.md: assumption (L).
    persons_per_dwelling: float = Field(2.36, gt=0, le=10)
    profile: MigrationProfile = "family"


class ServiceUse(_Strict):
    """Annual use of one service type by age (overrides or adds to the defaults in demand.py).

    ``rates`` maps age ranges ("0-4", "65-74", "85+", "4-15") to uses per person per year
    (``per: person``) or users per 1,000 (``per: "1000"``), times ``uses_per_user`` a year.
    Capacity is ``capacity`` per day x ``days_per_year`` (default: opening days x 52.18).
    """

    service_type: str
    rates: dict[str, float]
    per: Literal["person", "1000"] = "person"
    uses_per_user: float = Field(1.0, gt=0)
    days_per_year: float | None = Field(None, gt=0, le=366)
    unit: str = "contacts year-1"
    source: str = "assumption (L)"

    @field_validator("rates")
    @classmethod
    def _rates_non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        for k, r in v.items():
            if r < 0:
                raise ValueError(f"rate for ages {k!r} must be >= 0, got {r!r}")
        return v


class DemographySpec(_Strict):
    """Settings of a cohort-component projection (the scenario's ``demography:`` section)."""

    base_year: int = Field(2023, ge=1900, le=2200)
    horizon: int = Field(2050, ge=1900, le=2300, description="last projected year (inclusive)")
    variants: list[str] = Field(default_factory=lambda: ["principal"], min_length=1)
    variant_definitions: dict[str, Variant] = Field(
        default_factory=dict, description="user-defined variants (or overrides of built-in ones)"
    )
    # ONS Births in England and Wales 2023 (2024): TFR 1.44 E&W, London 1.35; mean maternal age 30.9.
    tfr: float | None = Field(None, gt=0, le=8, description="place TFR; None = E&W 1.44 (ONS Births 2023)")
    mean_maternal_age: float = Field(30.9, gt=15, lt=50)
    # ONS National life tables 2021-23 (2024): e0 M 79.0, F 83.0.
    e0_m: float | None = Field(None, gt=20, lt=110, description="None = 79.0 (ONS National life tables 2024)")
    e0_f: float | None = Field(None, gt=20, lt=110, description="None = 83.0 (ONS National life tables 2024)")
    sex_ratio_at_birth: float = Field(1.05, gt=0.5, lt=2.0, description="male births per female birth")
    # docs/sources.md: typical LA net international migration +0.5..1.0 %/yr (D/L) -> 0.7 %, internal 0 (L).
    international: MigrationComponent = Field(
        default_factory=lambda: MigrationComponent(rate=0.007, profile="young_adult")
    )
    internal: MigrationComponent = Field(default_factory=lambda: MigrationComponent(rate=0.0, profile="family"))
    other_migration: list[MigrationComponent] = Field(
        default_factory=list,
        description="further net migration components, e.g. young adults leaving a rural district "
                    "(rate < 0, profile young_adult) or retirees leaving a city",
    )
    # ONS 2021-based interim national population projections: long-term annual improvement in
    # mortality rates of 1.1 % at most ages (docs/sources.md, "Projections").
    mortality_improvement: float | dict[str, float] = Field(
        0.011, description="annual fall in death rates, one rate or by age range ('0-89': 0.011, '90+': 0.005); "
        "default 1.1 % (ONS 2021-based NPP long-term assumption)")
    migrant_exposure: float = Field(0.5, ge=0, le=1, description="share of the arrival year migrants are exposed "
                                    "to death and birth rates (ONS: 0.5, arrival at mid-year on average)")
    zone_code_vintage: str | None = Field(None, pattern=r"^[A-Z]{2,6}\d{2}CD$", description="ONS code vintage of the "
                                          "place's zone codes, e.g. WD23CD (wards, December 2023)")
    zone_lookup: Path | None = Field(None, description="CSV re-aggregating zones to another vintage: columns "
                                     "<zone_code_vintage>,<new vintage>,share (share of the old zone's residents)")
    rates: RateTables = Field(default_factory=RateTables)
    housing: HousingLed | None = None
    service_use: dict[str, ServiceUse] = Field(default_factory=dict)
    # For resident models running on a projected population (issue 5 item 7).
    year: int | None = Field(None, description="run the resident model on the projected population of this year")
    years: list[int] | None = Field(None, description="several years: a multi-year run ages residents each year")
    variant: str = Field("principal", description="variant whose population the resident model uses")

    @model_validator(mode="after")
    def _check(self) -> "DemographySpec":
        if self.horizon < self.base_year:
            raise ValueError(f"horizon {self.horizon} is before base_year {self.base_year}")
        known = set(BUILTIN_VARIANTS) | set(self.variant_definitions)
        for name in [*self.variants, self.variant]:
            if name not in known:
                raise ValueError(f"unknown variant {name!r}; known: {', '.join(sorted(known))}")
        if isinstance(self.mortality_improvement, dict):
            for k, r in self.mortality_improvement.items():
                if not -0.05 <= r <= 0.1:
                    raise ValueError(f"mortality_improvement for ages {k!r} must be between -0.05 and 0.1, got {r!r}")
        elif not -0.05 <= self.mortality_improvement <= 0.1:
            raise ValueError(f"mortality_improvement must be between -0.05 and 0.1, got {self.mortality_improvement!r}")
        if self.zone_lookup is not None and self.zone_code_vintage is None:
            raise ValueError("zone_lookup needs zone_code_vintage (the vintage of the place's zone codes)")
        if len(set(self.variants)) != len(self.variants):
            raise ValueError(f"variants listed twice: {self.variants!r}")
        if self.year is not None and self.years is not None:
            raise ValueError("give `year` or `years`, not both")
        for y in ([self.year] if self.year is not None else []) + list(self.years or []):
            if not self.base_year <= y <= self.horizon:
                raise ValueError(f"year {y} is outside base_year..horizon ({self.base_year}..{self.horizon})")
        return self

    def variant_def(self, name: str) -> Variant:
        """The definition of variant ``name`` (user definitions win over built-in ones)."""
        if name in self.variant_definitions:
            return self.variant_definitions[name]
        return BUILTIN_VARIANTS[name]

    @property
    def years_projected(self) -> list[int]:
        """base_year .. horizon inclusive."""
        return list(range(self.base_year, self.horizon + 1))

    def with_paths_relative_to(self, base_dir: Path) -> "DemographySpec":
        """Copy with relative CSV paths made absolute against ``base_dir`` (the scenario's folder)."""
        def fix(p: Path | None) -> Path | None:
            return None if p is None or p.is_absolute() else Path(base_dir) / p
        rates = self.rates.model_copy(update={k: fix(getattr(self.rates, k)) for k in RateTables.model_fields})
        update: dict = {"rates": rates, "zone_lookup": fix(self.zone_lookup)}
        if self.housing is not None and self.housing.dwellings_csv is not None:
            update["housing"] = self.housing.model_copy(update={"dwellings_csv": fix(self.housing.dwellings_csv)})
        return self.model_copy(update=update)


def spec_hash(spec: DemographySpec) -> str:
    """sha256 of the spec's canonical JSON (recorded in outputs as provenance)."""
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
