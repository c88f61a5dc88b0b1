"""Stage 0, the scenario: one validated description of what to run.

In:  a scenario YAML file (read safely, with line numbers kept for errors).
Out: :class:`Scenario` (place, model and parameters, options of interventions, pathways,
     period, seed, replicates, outputs; optional ``demography:`` and ``trial:`` sections) or
     :class:`ProjectionScenario`; every problem as a :class:`~twin.errors.ScenarioError`
     naming the file, line, key and bad value.

Modules: ``schema`` (the pydantic models, built from the model and intervention
registries; JSON Schema export), ``_yaml`` (the YAML reader), ``_errors`` (turning
pydantic errors into one-line messages).
"""

from twin.scenario.schema import (
    _FALLBACK_PATHWAYS,
    MAX_PERIOD_YEARS,
    MAX_REPLICATES,
    MAX_SEED,
    Climate,
    Option,
    Outputs,
    Period,
    ProjectionScenario,
    Scenario,
    json_schema,
    load,
    loads,
    pathway_names,
    scenario_kind,
    scenario_model,
)

__all__ = [
    "MAX_PERIOD_YEARS",
    "MAX_REPLICATES",
    "MAX_SEED",
    "Climate",
    "Option",
    "Outputs",
    "Period",
    "ProjectionScenario",
    "Scenario",
    "json_schema",
    "load",
    "loads",
    "pathway_names",
    "scenario_kind",
    "scenario_model",
]
