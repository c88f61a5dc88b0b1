"""Parameter classes of the registered models (pydantic only: no Mesa import here)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from twin.models import register_model

__all__ = ["DeliveryParams", "ExposureParams", "FloodModelParams", "HeatHealthModelParams"]


class ExposureParams(BaseModel):
    """Parameters of the ``heat_exposure`` model.

    Thresholds default to the place's region in the heat-health alert table
    (docs/sources.md s10, Met Office heat-health watch thresholds to 2022: London 32/18 °C,
    South West 30/15 °C); set them here to override.
    """

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    day_threshold: float | None = Field(
        None, ge=15, le=45, description="Local daily maximum (degC) at or above which a resident-day counts as a hot day; default: the place's regional threshold."
    )
    night_threshold: float | None = Field(
        None, ge=5, le=35, description="Local daily minimum (degC) at or above which a resident-day counts as a hot night; default: the place's regional threshold."
    )


register_model(
    "heat_exposure",
    ExposureParams,
    "twin.models.exposure:HeatExposureModel",
    "Residents' person-days of heat exposure above the regional heat-health thresholds, by zone and age band.",
    zone_variables=("hot_day_exposure", "hot_night_exposure", "tasmax_mean"),
    # benchmarks/run_cost.py, 2026-12-01, idle 2-core machine: quickstart 21 ns per resident-day
    seconds_per_resident_day=22e-9,
)


# --- heat_health -------------------------------------------------------------------------------
from twin.health.params import HeatHealthParams  # noqa: E402  (pydantic only: no Mesa, no scipy)

#: Default routes of a request for help, by the channel it comes through: service types tried in
#: order, the unmet remainder passing on to the next (assumption, L: council front doors first,
#: then libraries and GP practices; face to face ends with a home visit for those who cannot travel).
_DEFAULT_ROUTES = {
    "face_to_face": ["community_hub", "library", "gp_practice", "home_visit_team"],
    "phone": ["contact_centre", "community_hub", "gp_practice"],
    "digital": ["contact_centre", "library", "gp_practice"],
}


class DeliveryParams(BaseModel):
    """How alerts and services reach residents in the ``heat_health`` model (all assumptions, L).

    Interventions change the place, not these values: ``digital_alerts`` sets a zone's
    ``alert_signup`` property (this section's ``alert_signup`` is the default where a zone has
    none), ``heat_health_outreach`` adds proactive ``home_visit_team`` services.
    """

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    alert_signup: float = Field(0.1, ge=0, le=1, description="Share of residents signed up to SMS/app heat-health "
                                "alerts where a zone has no alert_signup property (assumption, L, as digital_alerts baseline_signup; unit 1).")
    alert_min_level: int = Field(1, ge=1, le=3, description="Lowest alert level (1 yellow, 2 amber, 3 red; UKHSA "
                                 "2023, docs/sources.md) at which alerts are sent (unit 1).")
    proactive_min_level: int = Field(2, ge=1, le=3, description="Lowest alert level at which proactive outreach "
                                     "contacts the vulnerable-persons list (amber, docs/sources.md; unit 1).")
    proactive_recontact_days: int = Field(7, ge=1, le=365, description="A list member contacted proactively is "
                                          "not contacted again for this many days (assumption, L; unit day).")
    behaviour_days: int = Field(14, ge=1, le=365, description="Days a protective behaviour lasts after the contact "
                                "that prompted it (assumption, L; unit day).")
    routes: dict[str, list[str]] = Field(default_factory=lambda: {k: list(v) for k, v in _DEFAULT_ROUTES.items()},
                                         description="Service types a request is passed to in order, by channel "
                                         "(assumption, L).")
    site_access_decay_urban_m: float = Field(1500.0, gt=0, description="Distance (m) over which the probability "
                                             "that a face-to-face request reaches a fixed site falls by 1/e, urban "
                                             "zones (assumption, L).")
    site_access_decay_rural_m: float = Field(5000.0, gt=0, description="As site_access_decay_urban_m, rural "
                                             "zones (people drive or are driven; assumption, L).")
    visit_minutes: float = Field(45.0, gt=0, le=480, description="Minutes a home visit takes on the doorstep; a "
                                 "team's capacity is visits a day with no travel (assumption, L; unit min).")
    travel_speed_urban_kmh: float = Field(20.0, gt=0, le=120, description="Team travel speed in urban zones "
                                          "(assumption, L; unit km h-1).")
    travel_speed_rural_kmh: float = Field(40.0, gt=0, le=120, description="Team travel speed in rural zones "
                                          "(assumption, L; unit km h-1).")
    capacity_multiplier: float = Field(1.0, ge=0, le=100, description="Multiplier of every service's daily "
                                       "capacity (sensitivity runs; unit 1).")

    @field_validator("routes")
    @classmethod
    def _routes(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        from twin._names import CHANNELS, SERVICE_TYPES

        unknown = [c for c in v if c not in CHANNELS]
        if unknown:
            raise ValueError(f"unknown channel {unknown[0]!r}; use {', '.join(CHANNELS)}")
        missing = [c for c in CHANNELS if c not in v]
        if missing:
            raise ValueError(f"routes needs every channel; missing {missing[0]!r}")
        for chan, types in v.items():
            bad = [t for t in types if t not in SERVICE_TYPES]
            if bad:
                raise ValueError(f"routes.{chan}: unknown service type {bad[0]!r}; use {', '.join(SERVICE_TYPES)}")
        return v


class HeatHealthModelParams(HeatHealthParams):
    """Parameters of the ``heat_health`` model: the heat-health rules plus service delivery.

    The sections of :class:`twin.health.HeatHealthParams` (mortality, exposure_response, traits,
    behaviour, services; every value with a unit and a docs/sources.md source) and ``delivery``.
    """

    model_config = ConfigDict(allow_inf_nan=False, extra="forbid")

    delivery: DeliveryParams = Field(default_factory=DeliveryParams,
                                     description="Alerts, routes of requests, travel and capacities (assumptions, L).")


register_model(
    "heat_health",
    HeatHealthModelParams,
    "twin.models.heat_health:HeatHealthModel",
    "Residents harmed by heat and the council services that reach them (face to face, phone, digital): "
    "alerts, contacts, protective behaviour, cooling centres, attributable deaths and illness.",
    # the keys of models._heat_records.VARIABLES (kept equal by tests/adversarial)
    zone_variables=("exposed", "alerts_received", "contacts", "vulnerable_contacts", "protected", "cooling_visits",
                    "unmet_demand", "heat_illness", "attributable_deaths", "baseline_deaths", "expected_attributable_deaths"),
    resident_trials=True,  # trial_arm column, arm-only services, outcomes by arm (models/_heat_records.py)
    # benchmarks/run_cost.py, 2026-12-01, idle: 15-35 ns per resident-day over the seven bundled heat_health
    # scenarios (the small rural place costs more per resident: fixed costs per zone and service)
    seconds_per_resident_day=22e-9,
)


# --- flood -------------------------------------------------------------------------------------
from twin.flood.params import FloodModelParams  # noqa: E402  (pydantic only)

register_model(
    "flood",
    FloodModelParams,
    "twin.models.flood:FloodModel",
    "Surface-water and river flooding on the place's terrain for design storms of several return periods: "
    "depths, damage and expected annual damage, residents displaced, services closed and who is cut off.",
    # benchmarks/run_cost.py, 2026-12-01, idle: flood_rural 389, flood_urban 1,048 ns per resident-day. A
    # flood run's cost is set by its design storms and river routing on the grid more than by its days or
    # residents, so this rate (their geometric mean) is good to a factor of about two on the bundled places.
    seconds_per_resident_day=600e-9,
)


# --- heat and flood together -------------------------------------------------------------------
from twin.models import register_composite  # noqa: E402

register_composite(
    "heat_and_flood",
    ("heat_health", "flood"),
    "The heat_health and flood models on the same place, residents and options in one run, so one appraisal "
    "ranks heat and flood options together (heat deaths and illness averted plus avoided flood EAD).",
    # the parts' rates added (622 ns); benchmarks/run_cost.py measured adapt_rural 294 and adapt_urban 712
)
