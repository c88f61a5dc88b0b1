"""Flood damage: depth-damage curves, damage per event, expected annual damage (EAD).

Depth-damage curves are the JRC European curves (Huizinga, de Moel & Szewczyk, JRC
EUR 28552, 2017, as coded in CLIMADA): the damaged fraction of a building's value at
water depths 0, 0.5, 1, 1.5, 2, 3, 4, 5, 6 m. Buildings per cell come from the grid's
``building`` layer (built-up fraction of the cell) divided by a footprint per building;
their value is a reinstatement value per building (see :class:`DamageParams` in
``models/params.py`` for the defaults and their sources).

EAD integrates damage over annual exceedance probability (AEP) with the trapezoid rule,
as the Multi-Coloured Manual and CLIMADA do. The curve is truncated at the standard of
protection: events more frequent than ``threshold_rp`` (default 2 years: drains and
gullies take them; a defence's standard where one exists) are taken to do no damage,
and the tail beyond the rarest modelled event adds that event's damage times its AEP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import ScenarioError

__all__ = [
    "JRC_COMMERCIAL",
    "JRC_DEPTHS_M",
    "JRC_RESIDENTIAL",
    "DepthDamage",
    "aep",
    "building_damage",
    "check_curve",
    "expected_annual_damage",
]

#: JRC Europe depth-damage curves (Huizinga et al. 2017): depths (m) and damage fractions.
JRC_DEPTHS_M = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0)
JRC_RESIDENTIAL = (0.0, 0.25, 0.40, 0.50, 0.60, 0.75, 0.85, 0.95, 1.00)
JRC_COMMERCIAL = (0.0, 0.15, 0.30, 0.45, 0.55, 0.75, 0.90, 1.00, 1.00)


def check_curve(depths, fractions, *, field: str = "depth_damage") -> tuple[np.ndarray, np.ndarray]:
    """Validate a depth-damage curve: depths increasing from 0, fractions in [0, 1], never falling."""
    d = np.asarray(depths, dtype=float)
    f = np.asarray(fractions, dtype=float)
    if d.ndim != 1 or d.shape != f.shape or d.size < 2:
        raise ScenarioError("depths and fractions must be lists of the same length (at least 2)", field=field,
                            value={"depths": list(np.atleast_1d(d)), "fractions": list(np.atleast_1d(f))})
    if not (np.all(np.isfinite(d)) and np.all(np.isfinite(f))):
        raise ScenarioError("depths and fractions must be finite numbers", field=field, value=f.tolist())
    if np.any(np.diff(d) <= 0) or d[0] < 0:
        raise ScenarioError("depths must start at 0 or above and increase", field=f"{field}.depths", value=d.tolist())
    if np.any(f < 0) or np.any(f > 1):
        raise ScenarioError("damage fractions must lie between 0 and 1", field=f"{field}.fractions", value=f.tolist())
    if np.any(np.diff(f) < 0):
        raise ScenarioError("depth-damage curve must not fall as depth grows (not monotone)",
                            field=f"{field}.fractions", value=f.tolist())
    return d, f


@dataclass(frozen=True)
class DepthDamage:
    """A validated depth-damage curve (damaged fraction of value, linear between points)."""

    depths: tuple[float, ...] = JRC_DEPTHS_M
    fractions: tuple[float, ...] = JRC_RESIDENTIAL

    def __post_init__(self) -> None:
        check_curve(self.depths, self.fractions)

    def __call__(self, depth_m: np.ndarray) -> np.ndarray:
        """Damaged fraction at each depth (0 for dry or negative depth; flat beyond the last point)."""
        d = np.asarray(depth_m, dtype=float)
        return np.where(d > 0, np.interp(d, self.depths, self.fractions), 0.0)


def building_damage(max_depth: np.ndarray, buildings: np.ndarray, value_gbp: float, curve: DepthDamage, *,
                    floor_height_m: float = 0.0, reduction_below_m: float = 0.0, reduction: np.ndarray | float = 0.0
                    ) -> np.ndarray:
    """Damage (GBP) per cell: buildings x value x curve(depth).

    ``reduction`` (0..1, per cell or one value) cuts the damaged fraction where the depth is
    below ``reduction_below_m``: property flood resilience (doors, barriers, airbricks)
    keeps shallow water out. The curve is read at the depth above the ground floor,
    ``max_depth - floor_height_m`` (water below the door threshold does no damage).
    """
    d = np.asarray(max_depth, dtype=float) - float(floor_height_m)
    frac = curve(d)
    if np.any(np.asarray(reduction) > 0):
        frac = frac * np.where(d < reduction_below_m, 1.0 - np.asarray(reduction, dtype=float), 1.0)
    return np.asarray(buildings, dtype=float) * float(value_gbp) * frac


def aep(return_period: np.ndarray | float) -> np.ndarray:
    """Annual exceedance probability of a return period ``T`` (years): ``1 - exp(-1/T)``."""
    return 1.0 - np.exp(-1.0 / np.asarray(return_period, dtype=float))


def expected_annual_damage(return_periods, damages, *, threshold_rp: float = 2.0, tail: bool = True) -> np.ndarray:
    """EAD (GBP year-1) by the trapezoid rule over AEP.

    Parameters
    ----------
    return_periods
        Increasing return periods (years) of the modelled events.
    damages
        Damage of each event (GBP), shape ``(n_events, ...)``; trailing axes (zones,
        replicates) are integrated independently.
    threshold_rp
        Truncation: damage is taken as zero at the AEP of this return period (the standard
        of protection; events more frequent do no damage). Must be shorter than the first
        modelled return period.
    tail
        Add ``damage[-1] * AEP[-1]`` for events rarer than the last modelled one.
    """
    T = np.asarray(return_periods, dtype=float)
    D = np.asarray(damages, dtype=float)
    if T.ndim != 1 or D.shape[:1] != T.shape:
        raise ScenarioError("one damage per return period is needed", field="damages", value=D.shape)
    if np.any(np.diff(T) <= 0):
        raise ScenarioError("return periods must increase", field="return_periods", value=T.tolist())
    if not threshold_rp < T[0]:
        raise ScenarioError("the threshold (standard of protection) must be more frequent than the first event",
                            field="threshold_rp", value=threshold_rp)
    p = np.concatenate([[aep(threshold_rp)], aep(T)])
    Dz = np.concatenate([np.zeros((1,) + D.shape[1:]), D], axis=0)
    dp = (p[:-1] - p[1:]).reshape((-1,) + (1,) * (D.ndim - 1))
    ead = (0.5 * (Dz[:-1] + Dz[1:]) * dp).sum(axis=0)
    if tail:
        ead = ead + D[-1] * p[-1]
    return ead
