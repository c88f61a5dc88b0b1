"""Heat-health rules: pure, vectorised functions of resident columns (NumPy arrays).

The Mesa heat-health model (``twin.models``) holds residents as columns and calls
these rules each day; a per-resident reference model calls the same rules on
length-1 arrays. Nothing here imports Mesa, reads files or owns random state:
uniforms are drawn by the caller (common random numbers across options).

Modules
-------
params
    :class:`HeatHealthParams` and its sections, every value with a unit and a source.
mortality
    The one baseline mortality (shared with twin.demography), its seasonal profile, life tables.
exposure_response
    Heat relative risk above a regional threshold, attributable deaths, illness, daily draws.
population_traits
    Channel preference, living alone, long-term condition, overheating home, vulnerable list.
behaviour
    Protective behaviour after contact, help seeking, cooling-centre visits.
calibration
    Expected heat deaths per 100,000 a year for a population and a temperature series.
"""

from __future__ import annotations

from twin.health.behaviour import (
    BEHAVIOURS,
    adoption_probabilities,
    behaviour_rr,
    cooling_centre_visit_probability,
    help_seeking_probability,
    protective_behaviour,
    seeks_help,
)
from twin.health.calibration import (
    HeatDeathEstimate,
    expected_annual_heat_deaths,
    generated_summers,
    london_like_population,
)
from twin.health.exposure_response import (
    Harm,
    attributable_death_probability,
    daily_harm,
    daily_mean_temperature,
    Curve,
    age_sex_gradient,
    heat_log_rr,
    heat_rr,
    lagged_dose,
    population_mean,
    regional_curve,
    regional_threshold,
    vulnerability_multiplier,
)
from twin.health.mortality import (
    baseline_qx_table,
    baseline_rates,
    crude_death_rate,
    daily_death_probability,
    life_expectancy,
    life_expectancy_at,
    life_table_summary,
    remaining_life_expectancy,
    seasonal_factor,
)
from twin.health.population import ew_2021_population
from twin.health.params import (
    CENTILE_97_LONDON,
    REGIONS,
    SLOPE_CI,
    BehaviourParams,
    ExposureResponseParams,
    HeatHealthParams,
    MortalityParams,
    ServiceParams,
    TraitParams,
    describe_params,
)
from twin.health.population_traits import (
    DIGITAL,
    FACE_TO_FACE,
    PHONE,
    channel_preference,
    channel_probabilities,
    living_alone,
    long_term_condition,
    on_vulnerable_list,
    overheating_home,
    overheating_probability,
)

__all__ = sorted([
    "BEHAVIOURS", "BehaviourParams", "DIGITAL", "ExposureResponseParams", "FACE_TO_FACE", "Harm",
    "HeatDeathEstimate", "HeatHealthParams", "MortalityParams", "PHONE", "REGIONS", "SLOPE_CI",
    "ServiceParams", "TraitParams", "adoption_probabilities", "attributable_death_probability",
    "baseline_qx_table", "behaviour_rr", "channel_preference", "channel_probabilities",
    "cooling_centre_visit_probability", "crude_death_rate", "daily_death_probability", "daily_harm",
    "daily_mean_temperature", "describe_params", "ew_2021_population", "expected_annual_heat_deaths",
    "baseline_rates", "life_expectancy_at", "life_table_summary", "remaining_life_expectancy", "seasonal_factor", "heat_rr", "age_sex_gradient", "generated_summers", "heat_log_rr", "lagged_dose", "regional_curve", "Curve", "CENTILE_97_LONDON",
    "help_seeking_probability", "life_expectancy", "living_alone", "london_like_population",
    "long_term_condition", "on_vulnerable_list", "overheating_home", "overheating_probability", "population_mean",
    "protective_behaviour", "regional_threshold", "seeks_help", "vulnerability_multiplier",
])
