"""Records of a ``heat_health`` run: tallies by zone, age band and channel, per day and per service type.

Every count is tallied once, with ``np.bincount`` on the residents it concerns, into a
(zone, age band, channel) table for the day; the day's table is added to the period
totals, summed to the daily (time, zone) series and, if asked (``outputs.daily_by_age``),
kept whole per day. Services' work is tallied by service type.

An individually randomised trial (residents with a ``trial_arm`` column: 1 treated, 0 control,
-1 not in the trial) also needs outcomes per arm, and their spread between residents: each
count is then also tallied per resident over the run, and written per (zone, arm) as
``<name>_by_arm`` (the sum over the arm's residents) and ``<name>_sumsq_by_arm`` (the sum of
each resident's squared total: with the count of residents, the within-arm variance).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from twin._names import AGE_BANDS, CHANNELS, SERVICE_TYPES

__all__ = ["BASELINE_SERIES", "VARIABLES", "HeatRecords"]

#: name -> (units, long name, meaning of the channel dimension)
VARIABLES: dict[str, tuple[str, str, str]] = {
    "exposed": ("person day", "residents whose local daily mean temperature was above the heat threshold",
                "preferred channel"),
    "alerts_received": ("alert", "heat-health alerts received through the SMS/app alert channel", "channel"),
    "contacts": ("contact", "contacts made by services (proactive outreach and answered requests)",
                 "channel of the contact"),
    "vulnerable_contacts": ("contact", "contacts made with residents on the vulnerable-persons list",
                            "channel of the contact"),
    "protected": ("person", "residents adopting protective behaviour after a contact or alert", "preferred channel"),
    "cooling_visits": ("visit", "cooling-centre visits", "preferred channel"),
    "unmet_demand": ("request", "requests for help not reached by any service", "channel of the request"),
    "heat_illness": ("person", "heat-related illness needing hospital-level care (drawn)", "preferred channel"),
    "attributable_deaths": ("death", "heat-attributable deaths (drawn)", "preferred channel"),
    "baseline_deaths": ("death", "deaths from other causes among residents with a heat dose (drawn)",
                        "preferred channel"),
    "expected_attributable_deaths": ("death", "expected heat-attributable deaths (sum of probabilities)",
                                     "preferred channel"),
}
#: Group-level daily series (time, zone) and period (zone, age_band): name -> (units, long name).
BASELINE_SERIES: dict[str, tuple[str, str]] = {
    "expected_baseline_deaths": ("death", "expected deaths from other causes (seasonal baseline, after displacement)"),
    "displaced_deaths": ("death", "expected baseline deaths that did not happen because heat brought them forward"),
}
#: Variables also written per (time, zone, age_band, channel) when ``outputs.daily_by_age`` is set.
DAILY_BY_AGE = ("exposed", "contacts", "unmet_demand", "heat_illness", "expected_attributable_deaths")


class HeatRecords:
    """Accumulates one run's tallies.

    Parameters
    ----------
    n_days, n_zones
        Sizes of the run.
    group
        Per resident ``(zone * n_bands + band) * n_channels``: add a channel index to get its cell
        of the (zone, age band, channel) table.
    daily_by_age
        Keep the whole table per day.
    """

    def __init__(self, n_days: int, n_zones: int, group: np.ndarray, daily_by_age: bool = False,
                 arm: np.ndarray | None = None) -> None:
        self.n_days, self.n_zones = n_days, n_zones
        self.shape = (n_zones, len(AGE_BANDS), len(CHANNELS))
        self.size = int(np.prod(self.shape))
        self.group = group
        self.daily = {v: np.zeros((n_days, n_zones), np.float32) for v in VARIABLES}
        self.period = {v: np.zeros(self.shape, np.float64) for v in VARIABLES}
        self.by_age = ({v: np.zeros((n_days, *self.shape), np.float32) for v in DAILY_BY_AGE}
                       if daily_by_age else {})
        n_types = len(SERVICE_TYPES)
        self.service_contacts = np.zeros((n_days, n_types), np.float32)
        self.service_capacity = np.zeros((n_days, n_types), np.float32)
        self.today = {v: 0.0 for v in VARIABLES}
        self.base_daily = {v: np.zeros((n_days, n_zones), np.float32) for v in BASELINE_SERIES}
        self.base_period = {v: np.zeros((n_zones, len(AGE_BANDS)), np.float64) for v in BASELINE_SERIES}
        self.arm = arm
        self.per_resident = {} if arm is None else {v: np.zeros(group.size, np.float64) for v in VARIABLES}

    def baseline(self, t: int, expected: np.ndarray, displaced: np.ndarray) -> None:
        """Record day ``t``'s expected baseline and displaced deaths, per (zone, age band) group."""
        for name, v in (("expected_baseline_deaths", expected), ("displaced_deaths", displaced)):
            table = np.asarray(v).reshape(self.n_zones, len(AGE_BANDS))
            self.base_period[name] += table
            self.base_daily[name][t] = table.sum(axis=1)

    def new_day(self) -> None:
        self.today = {v: 0.0 for v in VARIABLES}

    def add(self, name: str, t: int, who: np.ndarray, channel: np.ndarray | None = None,
            weights: np.ndarray | None = None, preferred: np.ndarray | None = None) -> None:
        """Tally residents ``who`` (indices) under ``name`` on day ``t``.

        ``channel`` (per resident in ``who``) overrides ``preferred[who]`` (each resident's
        preferred channel) as the channel dimension.
        """
        if who.size == 0:
            return
        ch = channel if channel is not None else preferred[who]
        idx = self.group[who] + ch
        table = np.bincount(idx, weights=weights, minlength=self.size).reshape(self.shape)
        if self.arm is not None:
            np.add.at(self.per_resident[name], who, 1.0 if weights is None else weights)
        self.period[name] += table
        self.daily[name][t] += table.sum(axis=(1, 2))
        if name in self.by_age:
            self.by_age[name][t] += table
        self.today[name] += float(table.sum())

    def add_table(self, name: str, t: int, table: np.ndarray) -> None:
        """Add a day's flat (zone, age band, channel) table of ``name`` (tallied by a fused kernel)."""
        table = table.reshape(self.shape)
        self.period[name] += table
        self.daily[name][t] += table.sum(axis=(1, 2))
        if name in self.by_age:
            self.by_age[name][t] += table
        self.today[name] += float(table.sum())

    def _by_arm(self, n_zones: int) -> dict[str, Any]:
        """Per (zone, arm) sums and sums of squares of the residents' run totals (trial residents only)."""
        nb, nch = len(AGE_BANDS), len(CHANNELS)
        zone = self.group // (nb * nch)
        inside = self.arm >= 0
        key = zone[inside] * 2 + self.arm[inside]
        out: dict[str, Any] = {}
        n = np.bincount(key, minlength=2 * n_zones).reshape(n_zones, 2)
        out["residents_by_arm"] = (("zone", "arm"), n.astype(np.float32),
                                   {"units": "person", "long_name": "residents in each arm of the trial"})
        for v, (units, long_name, _) in VARIABLES.items():
            x = self.per_resident[v][inside]
            total = np.bincount(key, weights=x, minlength=2 * n_zones).reshape(n_zones, 2)
            sq = np.bincount(key, weights=x * x, minlength=2 * n_zones).reshape(n_zones, 2)
            out[f"{v}_by_arm"] = (("zone", "arm"), total, {"units": units, "long_name": f"{long_name}, over the "
                                  "period, by trial arm"})
            out[f"{v}_sumsq_by_arm"] = (("zone", "arm"), sq, {"units": "1", "long_name": f"{long_name}: sum "
                                        "over the arm's residents of each resident's squared period total"})
        return out

    def services(self, t: int, agents: Any) -> None:
        """Tally the services' work and open capacity on day ``t``, by service type."""
        for a in agents:
            self.service_contacts[t, a.type_index] += a.delivered
            if a.is_open:
                self.service_capacity[t, a.type_index] += a.capacity

    def to_dataset(self, time: Any, zone_codes: list[str], attrs: dict[str, Any]) -> xr.Dataset:
        """The run's records (CF units and long names on every variable; counts float32)."""
        data: dict[str, Any] = {}
        for v, (units, long_name, chan) in VARIABLES.items():
            data[v] = (("time", "zone"), self.daily[v], {"units": units, "long_name": long_name})
            data[f"{v}_by_age"] = (("zone", "age_band", "channel"), self.period[v].astype(np.float32),
                                   {"units": units, "long_name": f"{long_name}, over the period",
                                    "channel_meaning": chan})
        for v, arr in self.by_age.items():
            units, long_name, chan = VARIABLES[v]
            data[f"{v}_daily_by_age"] = (("time", "zone", "age_band", "channel"), arr,
                                         {"units": units, "long_name": f"{long_name}, daily", "channel_meaning": chan})
        for v, (units, long_name) in BASELINE_SERIES.items():
            data[v] = (("time", "zone"), self.base_daily[v], {"units": units, "long_name": long_name})
            data[f"{v}_by_age"] = (("zone", "age_band"), self.base_period[v].astype(np.float32),
                                   {"units": units, "long_name": f"{long_name}, over the period"})
        if self.arm is not None:
            data.update(self._by_arm(len(zone_codes)))
        cap = self.service_capacity
        with np.errstate(invalid="ignore", divide="ignore"):
            util = np.where(cap > 0, self.service_contacts / np.where(cap > 0, cap, 1.0), np.nan).astype(np.float32)
        data["service_contacts"] = (("time", "service_type"), self.service_contacts,
                                    {"units": "contact", "long_name": "contacts, visits or messages delivered, "
                                     "by service type"})
        data["service_capacity"] = (("time", "service_type"), cap,
                                    {"units": "contact", "long_name": "open daily capacity by service type"})
        data["service_utilisation"] = (("time", "service_type"), util,
                                       {"units": "1", "long_name": "service utilisation: delivered / open capacity "
                                        "(NaN when none open)"})
        coords = {"time": time, "zone": zone_codes, "age_band": list(AGE_BANDS), "channel": list(CHANNELS),
                  "service_type": list(SERVICE_TYPES)}
        if self.arm is not None:
            coords["arm"] = ["control", "treated"]
        return xr.Dataset(data, coords=coords, attrs=attrs)
