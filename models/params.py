"""Parameter classes of the registered models (pydantic only: no Mesa import here)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from twin.models import register_model

__all__ = ["ExposureParams"]


class ExposureParams(BaseModel):
    """Parameters of the ``heat_exposure`` model.

    Thresholds default to the place's region in the heat-health alert table
    (FACTS.md §10, Met Office heat-health watch thresholds to 2022: London 32/18 °C,
    South West 30/15 °C); set them here to override.
    """

    model_config = ConfigDict(extra="forbid")

    day_threshold: float | None = Field(
        None, ge=15, le=45, description="Local daily maximum (degC) at or above which a resident-day counts as a hot day; default: the place's regional threshold."
    )
    night_threshold: float | None = Field(
        None, ge=5, le=35, description="Local daily minimum (degC) at or above which a resident-day counts as a hot night; default: the place's regional threshold."
    )


register_model(
    "heat_exposure",
    ExposureParams,
    "twin.models.exposure",
    "Residents' person-days of heat exposure above the regional heat-health thresholds, by zone and age band.",
)
