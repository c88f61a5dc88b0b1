"""Shared names and small constants (dimension names, age bands, channels)."""

from __future__ import annotations

import numpy as np

__all__ = [
    "AGE_BANDS",
    "CHANNELS",
    "MAX_AGE",
    "SEXES",
    "SERVICE_TYPES",
    "age_band_index",
]

#: Single years of age run 0..MAX_AGE, where MAX_AGE means "MAX_AGE and over" (ONS layout, 90+).
MAX_AGE = 90
SEXES = ("F", "M")
#: Five-year bands, last one open: "0-4", "5-9", ..., "80-84", "85+".
AGE_BANDS = tuple(f"{a}-{a + 4}" for a in range(0, 85, 5)) + ("85+",)
#: Contact channels through which a service reaches a resident.
CHANNELS = ("face_to_face", "phone", "digital")
#: Service types a place's services.geojson may hold.
SERVICE_TYPES = (
    "gp_practice",
    "community_hub",
    "library",
    "contact_centre",
    "alert_channel",
    "home_visit_team",
    "cooling_centre",
    "school",
    "care_home",
)


def age_band_index(age: np.ndarray) -> np.ndarray:
    """Index into :data:`AGE_BANDS` for single years of age (vectorised)."""
    age = np.asarray(age)
    return np.minimum(age // 5, len(AGE_BANDS) - 1).astype(np.int8)
