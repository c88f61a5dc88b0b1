"""Digital inclusion: training that moves some older residents' preferred channel to digital.

Sets the zone property ``digital_training_share`` (share of residents aged 65+ whose preferred
channel moves to digital after training) to ``share`` in the targeted zones (zones above it keep
theirs). The heat-health model applies it with uniforms drawn for everyone, so options stay paired.
More than 200,000 Londoners aged 75+ do not use the internet (Age UK London 2021, docs/sources.md s6/s13):
the share that training can move is an assumption (L).

Cost: per person trained (residents aged 65+ × added share), capital; a small annual support cost
per person trained. docs/sources.md has no figure for either (L), 2023 prices.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from pydantic import Field

from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions._pricing import PRICE_BASE_YEAR, residents_aged

__all__ = ["DigitalInclusion", "DigitalInclusionParams"]

PROPERTY = "digital_training_share"
MIN_AGE = 65
SOURCE = "cost per person trained, annual support and lifetime: assumptions (L), no figure in docs/sources.md"


class DigitalInclusionParams(InterventionParams):
    """Parameters of ``digital_inclusion``. Values marked (L) are assumptions."""

    share: float = Field(0.2, gt=0, le=1, description="Share of residents aged 65+ moved to the digital channel.")
    cost_per_person: float = Field(150.0, ge=0, description="GBP per person trained: a short course with 1:1 help (L).")
    annual_cost_per_person: float = Field(10.0, ge=0, description="GBP per trained person a year: help desk, refreshers (L).")
    lifetime_years: float = Field(5.0, gt=0, le=50, description="Years the training lasts before it must be repeated (L).")


def _added(place: Any, params: DigitalInclusionParams, zones: tuple[str, ...]) -> float:
    """People aged 65+ newly trained."""
    total = 0.0
    for z in place.zones:
        if z.code in zones:
            old = float(z.properties.get(PROPERTY, 0.0))
            total += residents_aged(place, (z.code,), MIN_AGE) * max(0.0, params.share - old)
    return total


@register
class DigitalInclusion(Intervention):
    """Train older residents of the targeted zones to use digital channels."""

    name: ClassVar[str] = "digital_inclusion"
    Params: ClassVar[type[InterventionParams]] = DigitalInclusionParams
    description: ClassVar[str] = "Set the zone property digital_training_share (65+ moved to digital) in the targeted zones."
    example: ClassVar[dict[str, Any]] = {"share": 0.2}

    def apply(self, place: Any, params: DigitalInclusionParams, zones: tuple[str, ...]) -> Any:
        """Return a copy of ``place`` whose targeted zones carry ``digital_training_share``."""
        new = []
        for z in place.zones:
            if z.code in zones:
                share = max(float(z.properties.get(PROPERTY, 0.0)), params.share)
                z = dataclasses.replace(z, properties={**dict(z.properties), PROPERTY: share})
            new.append(z)
        return place.replace(zones=tuple(new))

    def cost(self, place: Any, params: DigitalInclusionParams, zones: tuple[str, ...]) -> Cost:
        """Per person trained (capital) and per person supported (annual)."""
        people = _added(place, params, zones)
        return Cost(
            capital=people * params.cost_per_person,
            annual=people * params.annual_cost_per_person,
            lifetime_years=params.lifetime_years,
            price_base_year=PRICE_BASE_YEAR,
            source=SOURCE,
            intervention=self.name,
            notes=f"{people:,.0f} residents aged {MIN_AGE}+ trained in {len(zones)} zones",
            quantities={"people_trained": people, "zones": float(len(zones))},
        )
