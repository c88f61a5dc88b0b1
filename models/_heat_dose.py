"""Per-day heat dose, seasonal baseline and mortality displacement of a ``heat_health`` run.

Everything here is per cell or per (zone, age band) group, computed once a day outside the
per-resident work, so the resident loop only gathers:

* **dose** per cell: the lag-weighted all-ages heat log relative risk
  (:func:`twin.health.lagged_dose` of :func:`twin.health.heat_log_rr` on the cell's daily
  mean, lags 0..3); the first day of a run uses its own value for the earlier lags;
* **baseline factor** per group: the seasonal factor of the day
  (:func:`twin.health.seasonal_factor`) times ``1 - displaced / expected baseline``;
* **displacement**: a share ``displacement_share`` of each day's expected heat deaths in a
  group would have died within ``displacement_days`` anyway; that many expected baseline
  deaths are removed, spread evenly over the following days (never more than the group's
  expected baseline of the day). Lowering the baseline also lowers later heat excess
  (``p0 * (RR - 1)``): the frail pool is depleted.

Deaths drawn by the model remove residents from the group's baseline (:meth:`remove`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.health import heat_log_rr, lagged_dose, regional_curve, seasonal_factor

__all__ = ["HeatDose"]


class HeatDose:
    """Dose, baseline factor and displacement state of one run.

    Parameters
    ----------
    params
        Model parameters (a :class:`twin.health.HeatHealthParams` or subclass).
    region
        Region of the exposure-response.
    dayofyear
        Day of year of each day of the run.
    zb, p0
        Per resident: (zone, age band) group index and annual-average daily baseline probability.
    n_groups
        Number of (zone, age band) groups.
    """

    def __init__(self, params: Any, region: str, dayofyear: np.ndarray, zb: np.ndarray,
                 p0: np.ndarray, n_groups: int) -> None:
        er = params.exposure_response
        self.curve = regional_curve(region, params)
        self.weights = np.asarray(er.lag_weights, dtype=float)
        self.hist: np.ndarray | None = None
        self.season = seasonal_factor(np.asarray(dayofyear), params.mortality)
        self.share, self.days = float(er.displacement_share), int(er.displacement_days)
        self.zb = zb
        self.p0_group = np.bincount(zb, weights=p0, minlength=n_groups)
        self.debt = np.zeros((len(self.season) + self.days + 1, n_groups))
        self.displaced = np.zeros(n_groups)
        self.baseline = np.zeros(n_groups)

    def dose(self, tmean: np.ndarray) -> np.ndarray:
        """Today's lagged dose per cell from today's daily mean per cell (call once a day, in order)."""
        h = heat_log_rr(tmean, self.curve)
        if self.hist is None:
            self.hist = np.repeat(h[None], self.weights.size, axis=0)
        else:  # shift the lags by one in place (np.roll's values, without a new array each day)
            self.hist[1:] = self.hist[:-1].copy()
            self.hist[0] = h
        return lagged_dose(self.hist, self.weights)

    def factor(self, t: int) -> np.ndarray:
        """Multiplier of each group's annual-average baseline on day ``t`` (season x displacement)."""
        expected = self.p0_group * self.season[t]
        self.displaced = np.minimum(self.debt[t], expected)
        self.baseline = expected - self.displaced
        with np.errstate(invalid="ignore", divide="ignore"):
            left = np.where(expected > 0, self.baseline / np.where(expected > 0, expected, 1.0), 1.0)
        return self.season[t] * left

    def brought_forward(self, t: int, who: np.ndarray, excess: np.ndarray) -> None:
        """Schedule the displacement of today's expected heat deaths ``excess`` of residents ``who``."""
        if self.share == 0.0 or who.size == 0:
            return
        self.brought_forward_groups(t, np.bincount(self.zb[who], weights=excess, minlength=self.p0_group.size))

    def brought_forward_groups(self, t: int, by_group: np.ndarray) -> None:
        """As :meth:`brought_forward`, from today's expected heat deaths summed per (zone, age band) group."""
        if self.share == 0.0:
            return
        self.debt[t + 1: t + 1 + self.days] += self.share * by_group / self.days

    def remove(self, who: np.ndarray, p0: np.ndarray) -> None:
        """Residents ``who`` died: take their baseline out of their groups."""
        if who.size:
            self.p0_group -= np.bincount(self.zb[who], weights=p0[who], minlength=self.p0_group.size)
            np.maximum(self.p0_group, 0.0, out=self.p0_group)
