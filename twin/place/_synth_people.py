"""Age and sex structure for synthetic places (private; used by twin.place.synthetic and twin.testing).

Calibration
-----------
* England & Wales 2021 broad groups, docs/sources.md section 5 (ONS Census 2021): under 15 17.4 %,
  15-64 64.1 %, 65+ 18.6 %, 90+ about 0.9 % (527,900 of 59.6 m). The single-year shape
  inside those groups follows the Census 2021 five-year pyramid (values below, D/M); the
  groups are then rescaled to the published figures (docs/sources.md) exactly.
* Urban (London-like) tilt: younger, many aged 25-44; London TFR 1.35 (ONS Births 2023,
  docs/sources.md section 5) keeps under-15s near the national share. Target shares are L.
* Rural tilt: older, 65+ about 27 % and 85+ about 4 % (a rural South West district; the
  UK 85+ share is 2.5 % in 2020 rising to 4.3 % by 2045, ONS 2020-based projections,
  docs/sources.md section 5). Target shares are L.
* Male share by age (more women at old ages): ONS mid-year estimate pattern, D/L.
"""

from __future__ import annotations

import numpy as np

from twin._names import MAX_AGE

__all__ = ["BROAD_GROUPS", "EW_2021_BROAD", "TARGETS", "age_profile", "age_sex_probs", "male_share", "synth_counts"]

AGES = np.arange(MAX_AGE + 1)
# Census 2021 E&W five-year shares (%), 0-4 .. 85-89, and 90+ (shape only; rescaled below). D/M
_EW_BANDS = np.array([5.4, 5.9, 6.0, 5.6, 6.0, 6.6, 6.9, 6.6, 6.3, 6.2, 6.9, 6.7, 5.9,
                      5.0, 5.0, 3.7, 2.5, 1.6])
_EW_90PLUS = 0.9  # 527,900 / 59.6 m (ONS Census 2021, docs/sources.md section 5)
#: docs/sources.md section 5 (ONS Census 2021): shares of <15, 15-64, 65+ in England & Wales.
#: The published 17.4 / 64.1 / 18.6 % add to 100.1 by rounding; 15-64 takes the remainder.
EW_2021_BROAD = {"0-14": 0.174, "15-64": 1 - 0.174 - 0.186, "65+": 0.186}
#: Groups (first age, end age exclusive) whose shares each place's target fixes.
BROAD_GROUPS = ((0, 15), (15, 25), (25, 45), (45, 65), (65, 85), (85, MAX_AGE + 1))
#: Target shares per group (sum 1). "ew" reproduces docs/sources.md section 5; "urban"/"rural" are L.
TARGETS = {
    "ew": None,
    "urban": (0.180, 0.110, 0.350, 0.240, 0.103, 0.017),  # 65+ 12 %, 25-44 35 % (London-like, L)
    "rural": (0.145, 0.095, 0.190, 0.300, 0.230, 0.040),  # 65+ 27 %, 85+ 4 % (rural SW, L)
}


def _ew_single_year() -> np.ndarray:
    """E&W 2021 single-year age shares 0..90 (90 = 90+), matching docs/sources.md section 5 groups."""
    p = np.repeat(_EW_BANDS / 5.0, 5)            # ages 0..89, even within a band
    p = np.append(p, _EW_90PLUS)
    groups = [(0, 15, EW_2021_BROAD["0-14"]), (15, 65, EW_2021_BROAD["15-64"])]
    for a0, a1, share in groups:
        p[a0:a1] *= share / p[a0:a1].sum()
    old = EW_2021_BROAD["65+"]
    p[90] = 0.009                                 # 90+ ~0.9 %
    p[65:90] *= (old - p[90]) / p[65:90].sum()
    return p / p.sum()


def age_profile(kind: str = "ew") -> np.ndarray:
    """Single-year age shares 0..90 (sum 1) for ``"ew"``, ``"urban"`` or ``"rural"`` places."""
    base = _ew_single_year()
    target = TARGETS[kind]
    if target is None:
        return base
    p = base.copy()
    for (a0, a1), share in zip(BROAD_GROUPS, target):
        p[a0:a1] *= share / base[a0:a1].sum()
    return p / p.sum()


def male_share(ages: np.ndarray = AGES) -> np.ndarray:
    """Share of men at each single year of age (about 51 % at birth, 29 % at 90+). D/L."""
    knots_age = np.array([0, 15, 30, 60, 70, 80, 85, 90])
    knots_val = np.array([0.512, 0.510, 0.500, 0.490, 0.475, 0.445, 0.400, 0.300])
    return np.interp(ages, knots_age, knots_val)


def age_sex_probs(kind: str = "ew", tilt: float = 0.0) -> np.ndarray:
    """``(2, 91)`` probabilities over sex (F, M) x age, summing to 1.

    Parameters
    ----------
    kind
        ``"ew"``, ``"urban"`` or ``"rural"`` base profile.
    tilt
        Zone tilt: positive makes the zone older, negative younger
        (weights ``exp(tilt * g(age))`` with ``g`` rising linearly from -1 at 0 to +1.25 at 90).
    """
    p = age_profile(kind) * np.exp(tilt * np.clip((AGES - 40) / 40.0, -1.0, 1.25))
    p /= p.sum()
    m = male_share()
    return np.vstack([p * (1 - m), p * m])


def synth_counts(rng: np.random.Generator, totals: np.ndarray, tilts: np.ndarray, kind: str) -> np.ndarray:
    """Multinomial ``(zone, sex, age)`` int64 counts with the given zone totals."""
    out = np.zeros((len(totals), 2, MAX_AGE + 1), dtype=np.int64)
    for i, (n, t) in enumerate(zip(totals, tilts)):
        out[i] = rng.multinomial(int(n), age_sex_probs(kind, float(t)).ravel()).reshape(2, -1)
    return out
