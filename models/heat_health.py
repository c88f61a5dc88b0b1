"""The ``heat_health`` model: who is harmed in a hot summer, and who the council's services reach.

Residents are NumPy columns (:mod:`twin.models._heat_residents`); services are Mesa agents
(:mod:`twin.models._services`); Mesa's ``step`` drives one day at a time and its
``DataCollector`` keeps place-level daily totals. The rules are the pure functions of
:mod:`twin.health`, applied to whole columns. A day:

1. local daily maximum and minimum per home cell (weather, heat island, canopy); the alert
   level (0 green .. 3 red) from the region's thresholds on the place-level series
   (:func:`twin.climate.hazards.alert_levels`, in the 1 June - 30 September season);
2. an alert is issued when the level reaches ``delivery.alert_min_level`` or rises; it goes
   through the SMS/app alert channel to residents signed up (zone ``alert_signup``) who
   prefer digital; the others hear only through a service;
3. proactive services (``home_visit_team`` with ``proactive``) contact vulnerable-list
   residents not contacted in the last ``proactive_recontact_days`` during amber/red;
4. residents seek help (probability by alert level and age) through their preferred
   channel; the request passes along ``delivery.routes[channel]`` (nearest service of each
   type offering the channel); each service serves its queue vulnerable-list first, up to
   capacity; a face-to-face request reaches a fixed site with probability
   ``exp(-d / decay)``; home-visit teams travel (visits far away use more capacity);
   requests no service reached are unmet demand, by channel;
5. contacted residents adopt protective behaviour (Bouchama 2007 ORs,
   :func:`twin.health.protective_behaviour`), lasting ``delivery.behaviour_days``;
6. hot residents who adopted "cool places" visit the nearest open cooling centre
   (distance decay, capacity, vulnerable first); the cool-places OR applies on a day of a visit;
7. harm (:func:`twin.health.daily_harm`) on the day's heat dose at home (lag-weighted log RR
   of the local daily mean, :mod:`twin.models._heat_dose`) with the seasonal, displacement-
   lowered baseline, the normalised vulnerability and the protection of behaviours in effect;
   residents who die (heat or other causes, drawn for the exposed) leave the run (``alive``).

Randomness and common random numbers
------------------------------------
Each day has its own stream, ``SeedSequence(seed, spawn_key=(replicate, 2, day))``, with
``day`` the index in the scenario period; its first number seeds counter-based uniforms
(:mod:`twin.health.kernel`, SplitMix64): resident ``i``'s uniform for a purpose (seeking
help, queue order, site access, cooling visit, illness, death, each behaviour) is a pure
function of (seed, replicate, day, i, purpose). It is computed only where a rule needs it, and every
option gives resident ``i`` the same number (common random numbers) whatever else happens
that day. A day with no alert and no inhabited cell above the threshold is skipped (its
stream is not used): nothing can happen on it (no one seeks help, no one is exposed), so
its outcome is zero whatever the uniforms. Behaviour and recontact state carry over
deterministically. Residents who die leave the run: deaths are drawn for residents with a
heat dose on a drawn day (heat and baseline compete there); elsewhere the baseline is
counted in expectation (``expected_baseline_deaths``).

Speed: the two rules that touch every resident on a hot day, seeking help and the harm
draw, run as fused compiled passes (:func:`twin.health.kernel.seekers`,
:func:`twin.health.kernel.harm_tally`) when Numba is installed and there are at least
``FUSED_MIN_RESIDENTS`` residents; the NumPy path (``fused=False``, small places, and
without Numba) applies the pure functions of :mod:`twin.health` to whole columns and gives
bit for bit the same results (``tests/test_health_kernel.py``).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import xarray as xr

from twin._names import AGE_BANDS, CHANNELS, SERVICE_TYPES
from twin.health import BEHAVIOURS, protective_behaviour
from twin.health import help_seeking_probability, kernel
from twin.health.kernel import U_ACCESS, U_BEH, U_ORDER, U_SEEK
from twin.models._heat_dose import HeatDose
from twin.models._heat_harm import HarmSteps
from twin.models._heat_records import HeatRecords
from twin.models._heat_residents import derive_columns, make_residents
from twin.models.base import ResidentModel
from twin.models._services import NearestTable, build_services, serve_queues
from twin.models.residents import Residents

__all__ = ["HeatHealthModel", "alert_series"]

_NONE = np.int8(len(CHANNELS))  # "not contacted today"
_F2F, _PHONE, _DIGITAL = (CHANNELS.index(c) for c in CHANNELS)


def alert_series(drivers: Any, region: str) -> np.ndarray:
    """Alert level per day (0..3) from the place-level weather and the region's thresholds."""
    from twin.climate.hazards import alert_levels, in_alert_season, thresholds_for

    w = drivers.weather
    if "y" in w.dims:
        w = w.mean(("y", "x"))
    day, night = thresholds_for(region)
    time = drivers.time
    return alert_levels(w["tasmax"].values, w["tasmin"].values, day, night,
                        season=in_alert_season(time.month, time.day))


class HeatHealthModel(HarmSteps, ResidentModel):
    """Residents (columns) and services (Mesa agents) through a summer; see the module docstring.

    Parameters
    ----------
    place, drivers, residents, params, streams, outputs
        As :class:`twin.models.base.TwinModel`; ``params`` is
        :class:`twin.models.params.HeatHealthModelParams`. Days draw from ``streams.day(t)``
        (the reference model draws from its own purpose, ``streams.for_reference()``).
    daily_by_age
        Also record daily (time, zone, age_band, channel) tables (default: the scenario's
        ``outputs.daily_by_age``).
    fused
        Seeking help and harm in fused compiled passes (default: if Numba is installed and
        there are at least :attr:`FUSED_MIN_RESIDENTS` residents); ``False``: the NumPy path,
        the same results (the reference the passes are tested against).
    """

    #: Below this many residents the NumPy path is as quick as the passes' first compilation on a
    #: fresh install (about 2 s, then cached on disk); the results are the same either way.
    FUSED_MIN_RESIDENTS = 20_000

    def __init__(self, place: Any, drivers: Any, residents: Residents, params: Any, *,
                 streams: Any, outputs: Any = None, daily_by_age: bool | None = None,
                 fused: bool | None = None) -> None:
        super().__init__(place, drivers, residents, params, streams=streams, outputs=outputs)
        if fused is None:
            fused = len(residents) >= self.FUSED_MIN_RESIDENTS
        self.fused = bool(fused) and kernel.HAVE_NUMBA
        if daily_by_age is None:
            daily_by_age = bool(getattr(outputs, "daily_by_age", False))
        self.delivery = params.delivery
        region = place.meta.get("region", "London")
        self.levels = alert_series(drivers, region)
        self.weekdays = np.asarray(drivers.time.day_of_week)
        # an alert is issued (messages go out) when the level reaches the minimum or rises
        prev = np.concatenate([[0], self.levels[:-1]])
        self.issued = (self.levels >= self.delivery.alert_min_level) & (self.levels > prev)
        self.cols = derive_columns(place, residents, params)
        c = self.cols
        n = len(residents)
        self.n = n
        self.band = residents.age_band
        nb, nch = len(AGE_BANDS), len(CHANNELS)
        self.group = ((residents.zone.astype(np.int32) * nb + self.band) * nch).astype(np.int32)
        # an individually randomised trial: residents' trial_arm (1 treated, 0 control, -1 not in the trial)
        arm = residents.extra.get("trial_arm")
        self.in_arm = None if arm is None else np.asarray(arm) == 1
        self.records = HeatRecords(self.n_days, self.n_zones, self.group, daily_by_age,
                                   arm=None if arm is None else np.asarray(arm, np.int8))
        if arm is not None:  # per-resident totals for the trial's analysis: the NumPy path tallies them
            self.fused = False
        # heat dose, seasonal baseline, displacement and who is alive (models/_heat_dose.py)
        self.zb = (self.group // nch).astype(np.int32)
        self.heat = HeatDose(params, region, np.asarray(drivers.time.day_of_year), self.zb, c.p0, self.n_zones * nb)
        self.theta = self.heat.curve.start
        self.alive = np.ones(n, bool)
        # state
        self.adopted = np.zeros((n, len(BEHAVIOURS)), bool)
        self.until = np.full(n, -1, np.int32)
        self.last_proactive = np.full(n, -(10**6), np.int32)
        # static groups
        self.alertable = np.flatnonzero(c.signed_up & (c.channel == _DIGITAL))
        self.listed = np.flatnonzero(c.vulnerable)
        self.p_seek = np.stack([help_seeking_probability(lv, np.array([0, 65]), params) for lv in range(4)])
        self.seeds = kernel.purpose_seeds(np.uint64(0))  # today's seeds of the per-resident uniforms
        if self.fused:
            self._fused_columns(n)
        # services and nearest tables (by cell)
        self.services = build_services(self, place.services, self.delivery.capacity_multiplier)
        from twin.place.grid import cell_centres

        X, Y = cell_centres(place.grid)
        self.cx, self.cy = X.ravel(), Y.ravel()
        cell_zone = np.asarray(place.zone_index).ravel()
        self.inhabited = np.bincount(residents.cell, minlength=self.cx.size) > 0
        home = np.flatnonzero(self.inhabited)  # services are looked up only for the cells residents live in
        self.near: dict[tuple[str, int], NearestTable] = {}
        built: dict[tuple[int, ...], NearestTable] = {}  # a service offering several channels: one table
        for t in SERVICE_TYPES:
            for ch in range(nch):
                agents = [a for a in self.services if a.type == t and ch in a.channels]
                key = tuple(a.unique_id for a in agents)
                if key not in built:
                    built[key] = NearestTable(agents, self.cx, self.cy, cell_zone, place.zone_codes, home)
                self.near[(t, ch)] = built[key]
        self.cooling = NearestTable([a for a in self.services if a.type == "cooling_centre"], self.cx, self.cy,
                                    cells=home)
        self.alerting = NearestTable([a for a in self.services if a.type == "alert_channel"], self.cx, self.cy,
                                     cells=home)
        self.proactive = NearestTable([a for a in self.services if a.type == "home_visit_team" and a.proactive],
                                      self.cx, self.cy, cell_zone, place.zone_codes, home)
        self.datacollector = mesa.DataCollector(model_reporters={
            v: (lambda m, v=v: m.records.today[v])
            for v in ("exposed", "contacts", "unmet_demand", "expected_attributable_deaths")
        })

    @classmethod
    def make_residents(cls, place: Any, params: Any, rng: np.random.Generator) -> Residents:
        """Residents with their heat-health traits (:func:`twin.models._heat_residents.make_residents`)."""
        return make_residents(place, params, rng)

    # ------------------------------------------------------------------ a day
    def day_rng(self, t: int) -> np.random.Generator:
        return self.streams.day(t)

    def _u(self, purpose: int, who: np.ndarray) -> np.ndarray:
        """Today's uniforms of ``purpose`` for residents ``who`` (:mod:`twin.health.kernel`)."""
        return kernel.uniforms(self.seeds, who, purpose)

    def step_day(self, t: int) -> None:
        self.records.new_day()
        weekday = int(self.weekdays[t])
        for a in self.services:  # the model's agents (a plain loop: Mesa's AgentSet.do costs more a day)
            a.start_day(weekday)
        tx, tn = self.drivers.cell_temperatures(t)
        dose = self.heat.dose(0.5 * (tx + tn))  # lag-weighted heat log RR per cell
        self.p0_factor = self.heat.factor(t)  # season x displacement, per (zone, age band)
        hot_cell = (dose > 0) & self.inhabited
        level = int(self.levels[t])
        if level > 0 or hot_cell.any():
            self._active_day(t, level, dose, hot_cell)
        self.records.baseline(t, self.heat.baseline, self.heat.displaced)
        self.records.services(t, self.services)
        self.datacollector.collect(self)

    def _active_day(self, t: int, level: int, dose: np.ndarray, hot_cell: np.ndarray) -> None:
        self.seeds = kernel.purpose_seeds(kernel.day_seed(self.day_rng(t)))
        c, res, rec, dl = self.cols, self.residents, self.records, self.delivery
        pref = c.channel
        got_idx, got_ch = [], []
        # 2. alerts through the SMS/app channel
        if self.issued[t] and self.alerting and self.alertable.size:
            who = self.alertable[self.alive[self.alertable]]
            chan = self.alerting.lookup(res.cell[who], self._arm(who))[0]
            who, chan = who[chan >= 0], chan[chan >= 0]
            ok = serve_queues(self.alerting.agents, who, chan, c.vulnerable[who], self._u(U_ORDER, who))
            sent = who[ok]
            rec.add("alerts_received", t, sent, channel=np.full(sent.size, _DIGITAL, np.int8))
            got_idx.append(sent)
            got_ch.append(np.full(sent.size, _DIGITAL, np.int8))
        n_alerts = len(got_idx)  # the lists' entries after this are services' contacts (_contacted)
        # 3. proactive outreach to the vulnerable list
        if level >= dl.proactive_min_level and self.proactive and self.listed.size:
            who = self.listed[(self.last_proactive[self.listed] <= t - dl.proactive_recontact_days)
                              & self.alive[self.listed]]
            team = self.proactive.lookup(res.cell[who], self._arm(who))[0]
            who, team = who[team >= 0], team[team >= 0]
            if who.size:
                cost = np.empty(who.size)
                ch = np.empty(who.size, np.int8)
                for k in np.unique(team):
                    a, m = self.proactive.agents[k], team == k
                    cell = res.cell[who[m]]
                    cost[m] = a.travel_cost(self.cx[cell] - a.x, self.cy[cell] - a.y, c.rural[who[m]], dl)
                    ch[m] = a.channels[0]
                ok = serve_queues(self.proactive.agents, who, team, np.ones(who.size, bool), self._u(U_ORDER, who),
                                  cost)
                self.last_proactive[who[ok]] = t
                self._contacted(t, who[ok], ch[ok], got_idx, got_ch)
        # 4. requests for help along each channel's route
        if level > 0:
            if self.fused:
                seekers = kernel.seekers(self.seeds, self.p_seek[level], c.age65, self.alive)
            else:
                u_seek = self._u(U_SEEK, np.arange(self.n))
                seekers = np.flatnonzero((u_seek < self.p_seek[level][c.age65.view(np.int8)]) & self.alive)
            self._requests(t, seekers, got_idx, got_ch)
        if len(got_idx) > n_alerts:  # the day's contacts, tallied once (counts: the same sums in any order)
            who, ch = np.concatenate(got_idx[n_alerts:]), np.concatenate(got_ch[n_alerts:])
            rec.add("contacts", t, who, channel=ch)
            vul = c.vulnerable[who]
            rec.add("vulnerable_contacts", t, who[vul], channel=ch[vul])
        # 5. protective behaviour after contact
        if got_idx:
            idx = np.concatenate(got_idx)
            ch = np.concatenate(got_ch)
            order = np.lexsort((ch, idx))  # best (lowest-index) channel first per resident
            idx, ch = idx[order], ch[order]
            first = np.ones(idx.size, bool)
            first[1:] = idx[1:] != idx[:-1]
            idx, ch = idx[first], ch[first]
            u_beh = np.stack([self._u(U_BEH + b, idx) for b in range(len(BEHAVIOURS))], axis=1)
            new = protective_behaviour(np.ones(idx.size, bool), ch, res.age[idx], u_beh, self.params)
            took = new.any(axis=1)
            i2 = idx[took]
            keep = (self.until[i2] >= t)[:, None]
            self.adopted[i2] = (self.adopted[i2] & keep) | new[took]
            self.until[i2] = t + dl.behaviour_days - 1
            rec.add("protected", t, i2, preferred=pref)
        # 6-7. exposure, cooling centres, harm
        if self.fused:
            self._harm_fused(t, dose, hot_cell)
        else:
            self._harm_numpy(t, dose, hot_cell)

    def _arm(self, who: np.ndarray) -> np.ndarray | None:
        """Whether residents ``who`` are in a trial's treated arm (``None``: no individually randomised trial)."""
        return None if self.in_arm is None else self.in_arm[who]

    # ------------------------------------------------------------------ state across spans
    def export_state(self) -> dict[str, Any]:
        """Behaviour, contact history, who is alive, and the heat-dose and displacement carry-over.

        Days are in the scenario period (``streams.day_offset + t``), so the next span's model
        (:meth:`import_state`) keeps a behaviour adopted on day 17 until day 17 + behaviour_days - 1.
        In an individually randomised trial ``resident_totals`` also holds each resident's totals
        of the recorded counts over the span (not carried: the trial's analysis groups them by arm).
        """
        off = int(self.streams.day_offset)
        return {"resident_totals": {v: a.copy() for v, a in self.records.per_resident.items()},
                "adopted": self.adopted.copy(), "until": self.until.astype(np.int64) + off,
                "last_proactive": self.last_proactive.astype(np.int64) + off, "alive": self.alive.copy(),
                "dose_history": None if self.heat.hist is None else self.heat.hist.copy(),
                "displacement_debt": self.heat.debt[self.n_days:].copy()}

    def import_state(self, state: dict[str, Any] | None) -> None:
        """Start from the state a previous span ended with (same residents; see :meth:`export_state`)."""
        if state is None:
            return
        if state["alive"].shape != self.alive.shape:
            raise ValueError("state of other residents: the state must come from the same replicate's residents")
        off = int(self.streams.day_offset)
        self.adopted[:] = state["adopted"]
        self.until[:] = np.maximum(state["until"] - off, -(10**6))
        self.last_proactive[:] = np.maximum(state["last_proactive"] - off, -(10**6))
        self.alive[:] = state["alive"]
        self.heat.remove(np.flatnonzero(~self.alive), self.cols.p0)
        if state["dose_history"] is not None:
            self.heat.hist = state["dose_history"].copy()
        debt = state["displacement_debt"][: self.heat.debt.shape[0]]
        self.heat.debt[: debt.shape[0]] += debt

    def _contacted(self, t: int, who: np.ndarray, ch: np.ndarray, got_idx: list, got_ch: list) -> None:
        """Residents ``who`` contacted through channels ``ch`` (tallied after the day's requests)."""
        got_idx.append(who)
        got_ch.append(ch)

    def _requests(self, t: int, seekers: np.ndarray, got_idx: list, got_ch: list) -> None:
        res, c, dl = self.residents, self.cols, self.delivery
        pending = seekers
        pch = c.channel[seekers]
        routes = [dl.routes[ch] for ch in CHANNELS]
        for stage in range(max(len(r) for r in routes)):
            if pending.size == 0:
                break
            done = np.zeros(pending.size, bool)
            for ch in range(len(CHANNELS)):
                if stage >= len(routes[ch]):
                    continue
                stype = routes[ch][stage]
                table = self.near[(stype, ch)]
                m = np.flatnonzero((pch == ch) & ~done)
                if m.size == 0 or not table:
                    continue
                who = pending[m]
                cell = res.cell[who]
                svc, dist = table.lookup(cell, self._arm(who))
                covered = svc >= 0  # a service may cover only its council's zones: elsewhere, none of this type
                m, who, cell, svc, dist = m[covered], who[covered], cell[covered], svc[covered], dist[covered]
                cost = None
                if ch == _F2F and stype != "home_visit_team":
                    decay = np.where(c.rural[who], dl.site_access_decay_rural_m, dl.site_access_decay_urban_m)
                    reach = self._u(U_ACCESS, who) < np.exp(-dist / decay)
                    m, who, cell, svc = m[reach], who[reach], cell[reach], svc[reach]
                elif stype == "home_visit_team":
                    cost = np.empty(who.size)
                    for k in np.unique(svc):
                        a, mk = table.agents[k], svc == k
                        cost[mk] = a.travel_cost(self.cx[cell[mk]] - a.x, self.cy[cell[mk]] - a.y, c.rural[who[mk]], dl)
                ok = serve_queues(table.agents, who, svc, c.vulnerable[who], self._u(U_ORDER, who), cost)
                done[m[ok]] = True
                self._contacted(t, who[ok], np.full(int(ok.sum()), ch, np.int8), got_idx, got_ch)
            pending, pch = pending[~done], pch[~done]
        self.records.add("unmet_demand", t, pending, channel=pch)

    # ------------------------------------------------------------------ output
    def to_dataset(self) -> xr.Dataset:
        attrs = {
            "heat_threshold_daily_mean": float(self.theta),
            "heat_knee_daily_mean": float(self.heat.curve.knee),
            "heat_threshold_source": "twin.health.regional_curve: rise from the start to the knee (London 19 / 21.5 "
                                     "degC, Hajat 2002), 3.34 %/degC above it in London (Hajat 2002), lag 0-3, "
                                     "age gradient Ishigami 2008; docs/sources.md",
            "alert_days": int((self.levels > 0).sum()),
            "randomness": "one seed per day from SeedSequence(seed, spawn_key=(replicate, 2, day)); per resident "
                          "and purpose a SplitMix64 uniform on it (twin.health.kernel); days with no alert and no "
                          "inhabited cell above the threshold are skipped",
        }
        return self.records.to_dataset(self.drivers.time, list(self.place.zone_codes), attrs)
