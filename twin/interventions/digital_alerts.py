"""Digital heat alerts: a sign-up campaign for SMS/app heat-health alerts in the targeted zones.

Raises the zone property ``alert_signup`` (share of residents signed up) to ``signup_share`` in
each targeted zone; zones already above it keep their value. Where a zone has no ``alert_signup``
yet, the heat-health model uses its own default; the cost counts new sign-ups above
``baseline_signup`` for such zones.

Cost: capital = a campaign reaching every resident of the targeted zones (leaflets, posts: L)
plus one online transaction per new sign-up (web contact cost, Socitm 2009, docs/sources.md s13, S/M,
carried to 2023 prices); annual = messages per subscriber a season (L). Alone, passive alerts
are "likely ineffective" (docs/sources.md s14, Eur J Public Health review); the model decides what an
alert changes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from twin.interventions import Cost, Intervention, InterventionParams, register
from twin.interventions._pricing import CONTACT_SOURCE, COST_PER_CONTACT, PRICE_BASE_YEAR, residents_aged

__all__ = ["DigitalAlerts", "DigitalAlertsParams"]

PROPERTY = "alert_signup"
SOURCE = CONTACT_SOURCE + "; campaign cost per resident, messaging cost, baseline sign-up and lifetime: assumptions (L)"


class DigitalAlertsParams(InterventionParams):
    """Parameters of ``digital_alerts``. Values marked (L) are assumptions."""

    signup_share: float = Field(0.4, gt=0, le=1, description="Share of residents signed up after the campaign.")
    baseline_signup: float = Field(
        0.1, ge=0, le=1, description="Sign-up share assumed for costing where a zone has none recorded (L).")
    campaign_cost_per_resident: float = Field(0.5, ge=0, description="GBP per resident reached by the campaign (L).")
    cost_per_signup: float = Field(COST_PER_CONTACT["digital"], ge=0,
                                   description="GBP per new sign-up: one web transaction (docs/sources.md s13, 2023 prices).")
    annual_cost_per_subscriber: float = Field(0.2, ge=0, description="GBP per subscriber a season: ~5 alerts by SMS (L).")
    lifetime_years: float = Field(3.0, gt=0, le=30, description="Years before sign-ups decay and the campaign reruns (L).")


def _shares(place: Any, params: DigitalAlertsParams, zones: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """code -> (old share for costing, new share) for the targeted zones."""
    out = {}
    for z in place.zones:
        if z.code in zones:
            old = float(z.properties.get(PROPERTY, params.baseline_signup))
            out[z.code] = (old, max(old, params.signup_share))
    return out


@register
class DigitalAlerts(Intervention):
    """Sign residents of the targeted zones up to SMS/app heat alerts."""

    name: ClassVar[str] = "digital_alerts"
    Params: ClassVar[type[InterventionParams]] = DigitalAlertsParams
    description: ClassVar[str] = "Raise the zone property alert_signup (share signed up to heat alerts) in the targeted zones."
    example: ClassVar[dict[str, Any]] = {"signup_share": 0.4}

    def apply(self, place: Any, params: DigitalAlertsParams, zones: tuple[str, ...]) -> Any:
        """Return a copy of ``place`` whose targeted zones carry the raised ``alert_signup``."""
        import dataclasses

        new = []
        for z in place.zones:
            if z.code in zones:
                old = z.properties.get(PROPERTY)
                share = params.signup_share if old is None else max(float(old), params.signup_share)
                z = dataclasses.replace(z, properties={**dict(z.properties), PROPERTY: share})
            new.append(z)
        return place.replace(zones=tuple(new))

    def cost(self, place: Any, params: DigitalAlertsParams, zones: tuple[str, ...]) -> Cost:
        """Campaign per resident and web transaction per new sign-up (capital); messages (annual)."""
        shares = _shares(place, params, zones)
        signups = subscribers = reached = 0.0
        for code, (old, new) in shares.items():
            n = residents_aged(place, (code,))
            reached += n
            signups += n * (new - old)
            subscribers += n * new
        return Cost(
            capital=reached * params.campaign_cost_per_resident + signups * params.cost_per_signup,
            annual=subscribers * params.annual_cost_per_subscriber,
            lifetime_years=params.lifetime_years,
            price_base_year=PRICE_BASE_YEAR,
            source=SOURCE,
            intervention=self.name,
            notes=f"campaign reaching {reached:,.0f} residents, {signups:,.0f} new sign-ups in {len(zones)} zones",
            quantities={"residents_reached": reached, "new_signups": signups, "subscribers": subscribers,
                        "zones": float(len(zones))},
        )
