"""The ``heat_exposure`` model: residents' person-days above heat-health thresholds.

The base resident model of the twin. It synthesises residents from the place's
``population.csv`` into NumPy columns (age, sex, zone, home cell), steps one day at a
time with Mesa's model API, and records per zone × day (and per zone × age band over
the period) the person-days on which a resident's *local* temperature (the place's
weather plus the heat island and canopy of the home cell) reaches the regional
heat-health thresholds (FACTS.md §10: Met Office heat-health watch thresholds, e.g.
London 32 °C day / 18 °C night; South West 30 / 15 °C).

Richer models (heat–health) subclass :class:`twin.models.base.ResidentModel` and add rules.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import xarray as xr

from twin._names import AGE_BANDS
from twin.models.params import ExposureParams
from twin.models.base import ResidentModel
from twin.models.residents import Residents

__all__ = ["HeatExposureModel"]


class HeatExposureModel(ResidentModel):
    """Person-days of heat exposure above the regional hot-day and hot-night thresholds."""

    def __init__(
        self,
        place: Any,
        drivers: Any,
        residents: Residents,
        params: ExposureParams,
        *,
        streams: Any,
        outputs: Any = None,
    ) -> None:
        super().__init__(place, drivers, residents, params, streams=streams, outputs=outputs)
        from twin.climate.hazards import thresholds_for

        region_day, region_night = thresholds_for(place.meta.get("region", "London"))
        self.day_threshold = params.day_threshold if params.day_threshold is not None else region_day
        self.night_threshold = params.night_threshold if params.night_threshold is not None else region_night
        nz, nb = self.n_zones, len(AGE_BANDS)
        self.hot_day = np.zeros((self.n_days, nz), np.float32)
        self.hot_night = np.zeros((self.n_days, nz), np.float32)
        self.tasmax_mean = np.zeros((self.n_days, nz), np.float32)
        self.hot_day_by_age = np.zeros((nz, nb), np.float64)
        self.hot_night_by_age = np.zeros((nz, nb), np.float64)
        self._zone_residents = np.maximum(self.residents_by_zone_band.sum(axis=1), 1)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "hot_day_person_days": lambda m: float(m.hot_day[m.day].sum()),
                "hot_night_person_days": lambda m: float(m.hot_night[m.day].sum()),
            }
        )

    def step_day(self, t: int) -> None:
        tmax_cell, tmin_cell = self.drivers.cell_temperatures(t)
        cell = self.residents.cell
        tmax = tmax_cell[cell]
        hot_d = tmax >= self.day_threshold
        hot_n = tmin_cell[cell] >= self.night_threshold
        by_age_d = self.tally_zone_band(hot_d)
        by_age_n = self.tally_zone_band(hot_n)
        self.hot_day_by_age += by_age_d
        self.hot_night_by_age += by_age_n
        self.hot_day[t] = by_age_d.sum(axis=1)
        self.hot_night[t] = by_age_n.sum(axis=1)
        self.tasmax_mean[t] = self.tally_zone(np.ones_like(hot_d), tmax) / self._zone_residents
        self.datacollector.collect(self)

    def to_dataset(self) -> xr.Dataset:
        """The run's records as a Dataset with dims (time, zone) and (zone, age_band)."""
        time = self.drivers.time
        zone = [z.code for z in self.place.zones]
        daily = ("time", "zone")
        by_age = ("zone", "age_band")
        thr = f"day threshold {self.day_threshold} degC, night threshold {self.night_threshold} degC"
        ds = xr.Dataset(
            {
                "hot_day_exposure": (daily, self.hot_day, {
                    "units": "person day",
                    "long_name": "residents whose local daily maximum temperature reached the hot-day threshold",
                    "threshold": float(self.day_threshold),
                }),
                "hot_night_exposure": (daily, self.hot_night, {
                    "units": "person day",
                    "long_name": "residents whose local daily minimum temperature reached the hot-night threshold",
                    "threshold": float(self.night_threshold),
                }),
                "tasmax_mean": (daily, self.tasmax_mean, {
                    "units": "degC",
                    "long_name": "resident-weighted mean local daily maximum temperature",
                }),
                "hot_day_exposure_by_age": (by_age, self.hot_day_by_age.astype(np.float32), {
                    "units": "person day",
                    "long_name": "hot-day person-days over the period by age band",
                }),
                "hot_night_exposure_by_age": (by_age, self.hot_night_by_age.astype(np.float32), {
                    "units": "person day",
                    "long_name": "hot-night person-days over the period by age band",
                }),
            },
            coords={"time": time, "zone": zone, "age_band": list(AGE_BANDS)},
            attrs={"thresholds": thr, "threshold_source": "FACTS.md §10: Met Office heat-health watch thresholds (to 2022)"},
        )
        return ds
