"""The ``flood`` model: design floods on the place's terrain, their damage, and the people affected.

Drivers (:meth:`FloodModel.make_drivers`) are the pathway's design storms: one per return
period, rainfall uplifted for the pathway's summer warming (:mod:`twin.flood.storms`), with a
river inflow hydrograph when the scenario gives river peaks and the place has a channel. The
replicate's draws of the uncertain inputs (design depth, uplift per degC, values per property;
:mod:`twin.flood.uncertainty`) are made there too, the same for every option and pathway.

Day 0 runs every event through the local-inertial solver (:mod:`twin.flood.solver`) on the
place after the option's interventions (defence banks, SuDS losses) and records

* the peak depth per return period on the place grid;
* damage per return period and zone (JRC depth-damage curves, dwellings and business
  properties per cell, property flood resilience where installed), and EAD by zone
  (trapezoid over AEP, truncated at ``damage.threshold_rp``);
* per return period and zone: residents displaced (home depth above the first depth of the
  displacement table), residents whose nearest face-to-face service is closed or cut off by
  water, those with no open, reachable alternative within ``people.alternative_m``; and the
  services closed.

Then every day of the run steps the aftermath of the ``people.response_return_period`` event:
residents out of their homes, services still closed, and welfare contacts for vulnerable
residents of flooded homes, made by the place's service agents (:mod:`twin.models._services`)
face to face at the nearest open, reachable site, or else by phone, within a share of each
service's capacity, in a random order drawn from the day's stream. Requests not met on a day
are counted as unmet demand by channel and tried again the next day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from twin.flood.damage import DepthDamage, building_damage, expected_annual_damage
from twin.flood.event import EventSettings, defence_crest, run_event, terrain_of
from twin.flood.people import access_after_flood, days_from_depth
from twin.flood.storms import DDF, DEFAULT_DDF, DesignStorm, design_storms, rainfall_uplift, read_ddf_csv
from twin.flood.uncertainty import sample_inputs
from twin.models.base import ResidentModel

__all__ = ["FloodDrivers", "FloodModel", "WELFARE_CHANNELS", "make_ddf", "run"]

WELFARE_CHANNELS = ("face_to_face", "phone")


@dataclass(frozen=True)
class FloodDrivers:
    """The design storms of one pathway and the days of the run."""

    time: Any
    pathway: str
    storms: tuple[DesignStorm, ...]
    uplift: float
    ddf: DDF
    river: Any

    storm_kwargs: dict
    inputs: Any = None   # this replicate's uncertain inputs (twin.flood.uncertainty.SampledInputs)

    def storm_today(self, return_period: float) -> DesignStorm:
        """The event of ``return_period`` on the central DDF without climate uplift (what a defence is designed on)."""
        return design_storms(self.ddf, [return_period], **{**self.storm_kwargs, "uplift": 1.0})[0]


def make_ddf(place: Any, rain: Any) -> DDF:
    """The DDF of a run: the scenario's CSV table, else the parametric curve for the place's station."""
    if rain.design_table:
        from pathlib import Path

        p = Path(rain.design_table)
        if not p.is_absolute() and getattr(place, "path", None) is not None and not p.exists():
            p = Path(place.path) / p
        return read_ddf_csv(p)
    base = DEFAULT_DDF.get(str(place.meta.get("climate_station", "heathrow")), DEFAULT_DDF["heathrow"])
    return DDF(m5_60_mm=rain.m5_60_mm or base["m5_60_mm"],
               duration_exponent=rain.duration_exponent or base["duration_exponent"],
               growth=rain.growth or base["growth"],
               source=f"parametric DDF for {place.meta.get('climate_station', 'heathrow')} (L; docs/sources.md)")


class FloodModel(ResidentModel):
    """One run of design floods and their aftermath (see module notes)."""

    def __init__(self, place: Any, drivers: FloodDrivers, residents: Any, params: Any, *,
                 streams: Any, outputs: Any = None) -> None:
        super().__init__(place, drivers, residents, params, streams=streams, outputs=outputs)
        from twin.models._services import build_services

        self.agents_list = build_services(self, place.services, params.people.welfare_capacity_share)
        self.rps = np.array([s.return_period for s in drivers.storms])
        self.ny, self.nx = place.grid["elevation"].shape
        self.cell_zone = np.asarray(place.zone_index).ravel()
        self.daily: dict[str, list] = {k: [] for k in ("displaced", "closed", "need", "served_f2f", "served_phone",
                                                       "unmet_f2f", "unmet_phone")}
        self.mass_error = 0.0

    # -- engine hooks ------------------------------------------------------------------------
    @classmethod
    def make_drivers(cls, place: Any, pathway: str, time: Any, streams: Any, *, source: Any = None,
                     params: Any = None) -> FloodDrivers:
        """Design storms of ``pathway`` (rain uplifted by the pathway's summer warming).

        The replicate's uncertain inputs are drawn here from its ``flood_inputs`` stream (the same
        draws for every option and pathway): a factor on the design depths, the uplift per degC,
        the values per property (:mod:`twin.flood.uncertainty`).
        """
        from dataclasses import replace

        from twin.climate.pathways import get_pathway
        from twin.flood.params import FloodModelParams
        from twin.flood.uncertainty import sample_inputs

        params = params or FloodModelParams()
        rain = params.rainfall
        inputs = sample_inputs(params, streams.get("flood_inputs") if streams is not None else None)
        warming = get_pathway(pathway).tas_summer
        uplift = rainfall_uplift(warming, inputs.uplift_per_degC)
        ddf = make_ddf(place, rain)
        river = params.river if params.river.peaks_m3_s else None
        kwargs = dict(duration_min=rain.duration_min, step_min=rain.step_min, peakedness=rain.peakedness,
                      river_peaks_m3_s=dict(river.peaks_m3_s) if river else None,
                      river_base_m3_s=river.base_m3_s if river else 0.0,
                      river_time_to_peak_h=river.time_to_peak_h if river else 4.0,
                      river_elasticity=river.elasticity if river else 1.0)
        storms = design_storms(replace(ddf, scale=inputs.design_depth_factor), rain.return_periods, uplift=uplift,
                               **kwargs)
        return FloodDrivers(time=time, pathway=str(pathway), storms=tuple(storms), uplift=uplift, ddf=ddf,
                            river=river, storm_kwargs=kwargs, inputs=inputs)

    # -- the event (day 0) -------------------------------------------------------------------
    def _events(self) -> None:
        p = self.params
        settings = EventSettings(infiltration_mm_h=p.infiltration_mm_h, drainage_mm_h=p.drainage_mm_h,
                                 freeboard_m=p.freeboard_m)
        terrain = terrain_of(self.place, settings)
        crest = defence_crest(terrain, self.drivers.storm_today, settings)
        depths = []
        for s in self.drivers.storms:
            max_depth, error = _event(terrain, s, settings, crest)
            depths.append(max_depth)
            self.mass_error = max(self.mass_error, error)
        self.max_depth = np.stack(depths)                     # (n_rp, ny, nx)
        self.river_cells = terrain.river
        self._damage()
        self._access()

    def _damage(self) -> None:
        d = self.params.damage
        g = self.place.grid
        area = float(self.place.cell_size) ** 2
        built = np.clip(np.asarray(g["building"].values, float), 0, 1) * area
        residents = np.asarray(g["residents"].values, float)
        dwellings = residents / d.household_size
        business = np.maximum(built - dwellings * d.dwelling_footprint_m2, 0.0) / d.business_footprint_m2
        pfr = np.asarray(g["pfr"].values, float) if "pfr" in g else np.zeros(dwellings.shape)
        res_curve = DepthDamage(tuple(d.depths_m), tuple(d.residential))
        com_curve = DepthDamage(tuple(d.depths_m), tuple(d.commercial))
        red = np.nan_to_num(pfr) * d.pfr_effectiveness
        inputs = self.drivers.inputs or sample_inputs(self.params, None)
        dmg = []
        for h in self.max_depth:
            h = np.where(self.river_cells, 0.0, h)            # water in the channel damages nothing
            cell = (building_damage(h, dwellings, inputs.value_per_dwelling_gbp, res_curve, floor_height_m=d.floor_height_m,
                                    reduction_below_m=d.pfr_max_depth_m, reduction=red)
                    + building_damage(h, business, inputs.value_per_business_gbp, com_curve, floor_height_m=d.floor_height_m,
                                      reduction_below_m=d.pfr_max_depth_m, reduction=red))
            dmg.append(self._by_zone(cell))
        self.damage = np.array(dmg)                           # (n_rp, n_zones)
        self.ead = expected_annual_damage(self.rps, self.damage, threshold_rp=d.threshold_rp)
        self.properties = (self._by_zone(dwellings), self._by_zone(business))

    def _by_zone(self, cell_values: np.ndarray) -> np.ndarray:
        v = np.asarray(cell_values, float).ravel()
        ok = self.cell_zone >= 0
        return np.bincount(self.cell_zone[ok], weights=v[ok], minlength=self.n_zones)

    def _access(self) -> None:
        pp = self.params.people
        from twin.place.grid import cell_centres

        X, Y = cell_centres(self.place.grid)
        self.cx, self.cy = X.ravel(), Y.ravel()
        self.f2f = [a for a in self.agents_list if 0 in a.channels and a.type != "home_visit_team"]
        self.phone = [a for a in self.agents_list if 1 in a.channels]
        xy = np.array([[a.x, a.y] for a in self.f2f]).reshape(-1, 2)
        cells = self.residents.cell
        n_rp = len(self.rps)
        self.displaced = np.zeros((n_rp, self.n_zones))
        self.lost = np.zeros((n_rp, self.n_zones))
        self.no_alt = np.zeros((n_rp, self.n_zones))
        self.closed_count = np.zeros(n_rp)
        self.closed_by_service = np.zeros((n_rp, len(self.agents_list)))
        first_disp = float(np.asarray(pp.displacement_days)[0, 0])
        for k, h in enumerate(self.max_depth):
            hr = h.ravel()
            s_depth = np.array([hr[self._cell_of(a)] for a in self.agents_list])
            closed_all = days_from_depth(s_depth, pp.closure_days) > 0
            self.closed_count[k] = closed_all.sum()
            self.closed_by_service[k] = closed_all
            f2f_closed = np.array([closed_all[self.agents_list.index(a)] for a in self.f2f], bool)
            lost, no_alt, _ = access_after_flood(h, self.cx, self.cy, xy, f2f_closed, passable_m=pp.passable_m,
                                                 alternative_m=pp.alternative_m)
            self.displaced[k] = self.tally_zone(hr[cells] >= first_disp)
            home = hr[cells] < pp.passable_m                 # still at home (their own street passable)
            self.lost[k] = self.tally_zone(lost[cells] & home)
            self.no_alt[k] = self.tally_zone((lost & no_alt)[cells] & home)
            if float(self.rps[k]) == float(pp.response_return_period):
                self._response_setup(hr, s_depth, lost, xy)

    def _cell_of(self, agent: Any) -> int:
        col = int(np.clip(np.argmin(np.abs(self.cx[: self.nx] - agent.x)), 0, self.nx - 1))
        row = int(np.clip(np.argmin(np.abs(self.cy[:: self.nx] - agent.y)), 0, self.ny - 1))
        return row * self.nx + col

    def _response_setup(self, hr: np.ndarray, s_depth: np.ndarray, lost: np.ndarray, xy: np.ndarray) -> None:
        pp = self.params.people
        cells = self.residents.cell
        self.home_days = days_from_depth(hr[cells], pp.displacement_days)
        self.service_days = days_from_depth(s_depth, pp.closure_days)
        self.need = (hr[cells] >= pp.welfare_depth_m) & (self.residents.age >= pp.vulnerable_min_age)
        self.can_f2f = ~lost[cells]
        from scipy.spatial import cKDTree

        self.f2f_site = (cKDTree(xy).query(np.column_stack([self.cx, self.cy]))[1][cells]
                         if len(self.f2f) else np.zeros(cells.size, int))
        ph = np.array([[a.x, a.y] for a in self.phone]).reshape(-1, 2)
        self.phone_site = (cKDTree(ph).query(np.column_stack([self.cx, self.cy]))[1][cells]
                           if len(self.phone) else np.zeros(cells.size, int))
        self.served = np.zeros(cells.size, bool)

    # -- days --------------------------------------------------------------------------------
    def step_day(self, t: int) -> None:
        if t == 0:
            self._events()
        from twin.models._services import serve_queues

        weekday = int(np.asarray(self.drivers.time)[t].astype("datetime64[D]").view("int64") + 3) % 7
        z = self.residents.zone
        self.daily["displaced"].append(self.tally_zone(self.home_days > t))
        closed = self.service_days > t
        self.daily["closed"].append(float(closed.sum()))
        for a, c in zip(self.agents_list, closed):
            a.start_day(weekday)
            if c:
                a.is_open, a.remaining = False, 0.0
        waiting = np.flatnonzero(self.need & ~self.served)
        u = self.streams.get("flood", self.streams.day_offset + t).random(self.need.size)[waiting]  # same draws, every option
        self.daily["need"].append(np.bincount(z[waiting], minlength=self.n_zones).astype(float))
        f2f = waiting[self.can_f2f[waiting]] if self.f2f else waiting[:0]
        ok = serve_queues(self.f2f, f2f, self.f2f_site[f2f], np.ones(f2f.size, bool), u[np.isin(waiting, f2f)]) \
            if f2f.size else np.zeros(0, bool)
        self.served[f2f[ok]] = True
        self.daily["served_f2f"].append(np.bincount(z[f2f[ok]], minlength=self.n_zones).astype(float))
        self.daily["unmet_f2f"].append(np.bincount(z[f2f[~ok]], minlength=self.n_zones).astype(float))
        rest = waiting[~self.served[waiting]]
        okp = serve_queues(self.phone, rest, self.phone_site[rest], np.ones(rest.size, bool), u[np.isin(waiting, rest)]) \
            if rest.size and self.phone else np.zeros(rest.size, bool)
        self.served[rest[okp]] = True
        self.daily["served_phone"].append(np.bincount(z[rest[okp]], minlength=self.n_zones).astype(float))
        self.daily["unmet_phone"].append(np.bincount(z[rest[~okp]], minlength=self.n_zones).astype(float))

    # -- records -----------------------------------------------------------------------------
    def to_dataset(self) -> xr.Dataset:
        from twin.flood.output import flood_dataset

        return flood_dataset(self)


def _event(terrain: Any, storm: DesignStorm, settings: EventSettings, crest: Any) -> tuple[np.ndarray, float]:
    """Peak depths and mass-balance error of one event, memoised per (terrain, storm, settings, crest).

    Options that leave the hydraulics alone (property flood resilience, every heat option of a
    combined run) reuse the depths of the run before them in the same replicate and pathway (the
    engine runs a replicate's options and pathways together), so only options that change the
    terrain (banks, SuDS) route their storms again. The key hashes every array the solver reads.
    """
    import hashlib

    h = hashlib.sha256()
    for a in (terrain.elevation, terrain.impervious, terrain.manning, terrain.extra_loss_mm_h, terrain.river,
              storm.intensity_mm_h, storm.river_m3_s, crest):
        h.update(b"-" if a is None else np.ascontiguousarray(a).tobytes() + repr(np.shape(a)).encode())
    key = (h.hexdigest(), terrain.inflow_cell, terrain.dx, storm.step_s, settings)
    hit = _EVENTS.get(key)
    if hit is None:
        res = run_event(terrain, storm, settings, crest)
        hit = (res.max_depth, abs(float(res.mass.error)))
        _EVENTS[key] = hit
        while len(_EVENTS) > _EVENTS_KEPT:
            _EVENTS.pop(next(iter(_EVENTS)))
    return hit[0].copy(), hit[1]


#: memoised events (oldest first): a few terrains x return periods x pathways of one replicate
_EVENTS: dict = {}
_EVENTS_KEPT = 48


def run(place: Any, drivers: Any, residents: Any, params: Any, *, rng: Any = None, outputs: Any = None,
        streams: Any = None) -> xr.Dataset:
    """Run the ``flood`` model over every day of ``drivers`` and return its records."""
    if streams is None:
        from twin.run.streams import RunStreams

        streams = RunStreams(int(np.random.default_rng(rng).integers(2**31)), 0)
    model = FloodModel(place, drivers, residents, params, streams=streams, outputs=outputs)
    return model.simulate()
