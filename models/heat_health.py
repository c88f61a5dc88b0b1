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
7. harm (:func:`twin.health.daily_harm`) on the local daily mean temperature with the
   normalised vulnerability and the protection of behaviours in effect, applied to every
   hot resident in one fused pass (:func:`twin.health.kernel.harm_tally`, tested against
   the pure functions).

Randomness and common random numbers
------------------------------------
Each day has its own seed, the first number of its stream ``SeedSequence(seed,
spawn_key=(replicate, 2, day))`` (``day``: the index in the scenario period), and every
resident a counter-based stream on it (:mod:`twin.health.kernel`): resident ``i``'s
uniform for a purpose (seeking help, queue order, site access, cooling visit, illness,
death, each behaviour) is a pure function of (seed, replicate, day, i, purpose). It is
computed only where a rule uses it, and is the same in every option (common random
numbers). A day with no alert and no inhabited cell above the threshold is skipped:
nothing can happen on it (no one seeks help, no one is exposed), so its outcome is zero
whatever the uniforms, and skipping it shifts no other day's numbers. Options that cool
some days below the threshold skip them too, with the same (zero) outcome they would have
had by drawing. Behaviour and recontact state carry over deterministically.
Residents are not removed after a death (heat deaths are rare; the population is the
period's).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import xarray as xr

from twin._names import AGE_BANDS, CHANNELS, MAX_AGE, SERVICE_TYPES
from twin.health import BEHAVIOURS, behaviour_rr, cooling_centre_visit_probability, heat_slopes, protective_behaviour
from twin.health import help_seeking_probability, regional_threshold
from twin.models._heat_records import HeatRecords
from twin.models._heat_residents import derive_columns, make_residents
from twin.health import kernel
from twin.health.kernel import U_ACCESS, U_BEH, U_COOL, U_ORDER
from twin.models.base import ResidentModel
from twin.models._services import NearestTable, build_services, serve_queues
from twin.models.residents import Residents

__all__ = ["HeatHealthModel", "alert_series"]

_NONE = np.int8(len(CHANNELS))  # "not contacted today"
_COOL = BEHAVIOURS.index("cool_places")
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


class HeatHealthModel(ResidentModel):
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
    """

    def __init__(self, place: Any, drivers: Any, residents: Residents, params: Any, *,
                 streams: Any, outputs: Any = None, daily_by_age: bool | None = None) -> None:
        super().__init__(place, drivers, residents, params, streams=streams, outputs=outputs)
        if daily_by_age is None:
            daily_by_age = bool(getattr(outputs, "daily_by_age", False))
        self.delivery = params.delivery
        region = place.meta.get("region", "London")
        self.theta = regional_threshold(region, params)
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
        self.records = HeatRecords(self.n_days, self.n_zones, self.group, daily_by_age)
        # state
        self.adopted = np.zeros((n, len(BEHAVIOURS)), bool)
        self.until = np.full(n, -1, np.int32)
        self.last_proactive = np.full(n, -(10**6), np.int32)
        # static groups
        self.alertable = np.flatnonzero(c.signed_up & (c.channel == _DIGITAL))
        self.listed = np.flatnonzero(c.vulnerable)
        self.p_seek = np.stack([help_seeking_probability(lv, np.array([0, 65]), params) for lv in range(4)])
        # the fused harm kernel's inputs: slope classes (a handful of values), (zone, band, preferred channel)
        slopes = heat_slopes(params)
        self.class_slopes, table_class = np.unique(slopes, return_inverse=True)
        table_class = table_class.reshape(slopes.shape).astype(np.int8 if self.class_slopes.size < 128 else np.int32)
        self.slope_class = table_class[residents.sex, np.minimum(residents.age, MAX_AGE)]
        self.group_pref = (self.group + c.channel).astype(np.int32)
        self._rr1 = np.zeros((place.grid.sizes["y"] * place.grid.sizes["x"], self.class_slopes.size))
        self.protection = np.ones(n)  # combined behaviour RR today; 1 except for residents with behaviour in effect
        self._died_who = np.empty(n, np.int64)
        self.seed = np.uint64(0)  # today's per-resident stream seed (twin.health.kernel)
        # behaviour_rr of every combination of behaviours, by bit code (sum of 2**b over adopted b)
        nbeh = len(BEHAVIOURS)
        self._bits = (1 << np.arange(nbeh)).astype(np.uint8)
        combos = (np.arange(2**nbeh)[:, None] & self._bits[None, :]) > 0
        self.rr_by_code = behaviour_rr(combos, params)
        self.died_today = self._died_who[:0]  # indices of today's heat deaths
        # services and nearest tables (by cell)
        self.services = build_services(self, place.services, self.delivery.capacity_multiplier)
        from twin.place.grid import cell_centres

        X, Y = cell_centres(place.grid)
        self.cx, self.cy = X.ravel(), Y.ravel()
        cell_zone = np.asarray(place.zone_index).ravel()
        self.inhabited = np.bincount(residents.cell, minlength=self.cx.size) > 0
        self.near: dict[tuple[str, int], NearestTable] = {}
        built: dict[tuple[int, ...], NearestTable] = {}  # one table per distinct set of services
        for t in SERVICE_TYPES:
            for ch in range(nch):
                agents = [a for a in self.services if a.type == t and ch in a.channels]
                key = tuple(a.unique_id for a in agents)
                if key not in built:
                    built[key] = NearestTable(agents, self.cx, self.cy, cell_zone, place.zone_codes)
                self.near[(t, ch)] = built[key]
        self.cooling = NearestTable([a for a in self.services if a.type == "cooling_centre"], self.cx, self.cy,
                                    cell_zone, place.zone_codes)
        self.alerting = NearestTable([a for a in self.services if a.type == "alert_channel"], self.cx, self.cy,
                                     cell_zone, place.zone_codes)
        self.proactive = NearestTable([a for a in self.services if a.type == "home_visit_team" and a.proactive],
                                      self.cx, self.cy, cell_zone, place.zone_codes)
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

    def u(self, purpose: int, who: np.ndarray) -> np.ndarray:
        """Today's uniforms of ``purpose`` for residents ``who`` (:mod:`twin.health.kernel`)."""
        return kernel.uniforms(self.seed, who, purpose)

    def step_day(self, t: int) -> None:
        self.records.new_day()
        self.agents.do("start_day", int(self.weekdays[t]))
        tx, tn = self.drivers.cell_temperatures(t)
        tmean = 0.5 * (tx + tn)
        hot_cell = (tmean > self.theta) & self.inhabited
        level = int(self.levels[t])
        self.died_today = self._died_who[:0]
        if level > 0 or hot_cell.any():
            self._active_day(t, level, tmean, hot_cell)
        self.records.services(t, self.services)
        self.datacollector.collect(self)

    def _active_day(self, t: int, level: int, tmean: np.ndarray, hot_cell: np.ndarray) -> None:
        self.seed = kernel.day_seed(self.day_rng(t))
        c, res, rec, dl = self.cols, self.residents, self.records, self.delivery
        pref = c.channel
        got_idx, got_ch = [], []
        # 2. alerts through the SMS/app channel
        if self.issued[t] and self.alerting and self.alertable.size:
            channel = self.alerting.index[res.cell[self.alertable]]
            who, channel = self.alertable[channel >= 0], channel[channel >= 0]  # -1: no alert channel covers the zone
            ok = serve_queues(self.alerting.agents, who, channel, c.vulnerable[who], self.u(U_ORDER, who))
            sent = who[ok]
            rec.add("alerts_received", t, sent, channel=np.full(sent.size, _DIGITAL, np.int8))
            got_idx.append(sent)
            got_ch.append(np.full(sent.size, _DIGITAL, np.int8))
        # 3. proactive outreach to the vulnerable list
        if level >= dl.proactive_min_level and self.proactive and self.listed.size:
            who = self.listed[(self.last_proactive[self.listed] <= t - dl.proactive_recontact_days)]
            team = self.proactive.index[res.cell[who]]
            who, team = who[team >= 0], team[team >= 0]
            if who.size:
                cost = self._travel_costs(self.proactive, who, team)
                ch = np.array([a.channels[0] for a in self.proactive.agents], np.int8)[team]
                ok = serve_queues(self.proactive.agents, who, team, np.ones(who.size, bool), self.u(U_ORDER, who),
                                  cost)
                self.last_proactive[who[ok]] = t
                self._contacted(t, who[ok], ch[ok], got_idx, got_ch)
        # 4. requests for help along each channel's route
        if level > 0:
            seekers = kernel.seekers(self.seed, self.p_seek[level], c.age65)
            self._requests(t, seekers, got_idx, got_ch)
        # 5. protective behaviour after contact
        if got_idx:
            idx = np.concatenate(got_idx)
            ch = np.concatenate(got_ch)
            order = np.lexsort((ch, idx))  # best (lowest-index) channel first per resident
            idx, ch = idx[order], ch[order]
            first = np.ones(idx.size, bool)
            first[1:] = idx[1:] != idx[:-1]
            idx, ch = idx[first], ch[first]
            u_beh = np.stack([self.u(U_BEH + b, idx) for b in range(len(BEHAVIOURS))], axis=1)
            new = protective_behaviour(np.ones(idx.size, bool), ch, res.age[idx], u_beh, self.params)
            took = new.any(axis=1)
            i2 = idx[took]
            keep = (self.until[i2] >= t)[:, None]
            self.adopted[i2] = (self.adopted[i2] & keep) | new[took]
            self.until[i2] = t + dl.behaviour_days - 1
            rec.add("protected", t, i2, preferred=pref)
        # 6-7. exposure, cooling centres, harm (behaviour in effect: the few residents with until >= t)
        if not hot_cell.any():
            return
        act = np.flatnonzero(self.until >= t)
        act = act[hot_cell[res.cell[act]]]
        beh = self.adopted[act]
        visited = np.zeros(act.size, bool)
        if self.cooling:
            want = np.flatnonzero(beh[:, _COOL])
            if want.size:
                who = act[want]
                cell = res.cell[who]
                centre = self.cooling.index[cell]
                who, cell, want, centre = who[centre >= 0], cell[centre >= 0], want[centre >= 0], centre[centre >= 0]
                is_open = np.array([a.is_open for a in self.cooling.agents])[centre]
                p = cooling_centre_visit_probability(self.cooling.distance[cell], is_open, c.rural[who], self.params)
                go = self.u(U_COOL, who) < p
                ok = serve_queues(self.cooling.agents, who[go], centre[go], c.vulnerable[who[go]],
                                  self.u(U_ORDER, who[go]))
                visited[want[go][ok]] = True
                rec.add("cooling_visits", t, who[go][ok], preferred=pref)
        beh[:, _COOL] &= visited
        self.protection[act] = self.rr_by_code[beh.astype(np.uint8) @ self._bits]
        tables = [np.zeros(rec.size) for _ in range(4)]
        n_died = kernel.harm_tally(self.seed, res.cell, hot_cell, kernel.excess_rr_table(tmean, self.theta,
                                   self.class_slopes, hot_cell, self._rr1), self.slope_class, c.p0, c.vulnerability,
                                   self.protection, float(self.params.exposure_response.illness_per_attributable_death),
                                   self.group_pref, *tables, self._died_who)
        self.protection[act] = 1.0
        self.died_today = self._died_who[:n_died]
        for name, table in zip(("exposed", "expected_attributable_deaths", "heat_illness", "attributable_deaths"),
                               tables, strict=True):
            rec.add_table(name, t, table)

    def _travel_costs(self, table: NearestTable, who: np.ndarray, svc: np.ndarray) -> np.ndarray:
        """Capacity each visit uses (home-visit teams travel; ``HomeVisitTeam.travel_cost``), one pass per team."""
        c, dl = self.cols, self.delivery
        cell = self.residents.cell[who]
        cost = np.empty(who.size)
        order = np.argsort(svc, kind="stable")
        bounds = np.flatnonzero(np.diff(svc[order])) + 1
        for part in np.split(order, bounds):
            a = table.agents[int(svc[part[0]])]
            cost[part] = a.travel_cost(self.cx[cell[part]] - a.x, self.cy[cell[part]] - a.y, c.rural[who[part]], dl)
        return cost

    def _contacted(self, t: int, who: np.ndarray, ch: np.ndarray, got_idx: list, got_ch: list) -> None:
        self.records.add("contacts", t, who, channel=ch)
        vul = self.cols.vulnerable[who]
        self.records.add("vulnerable_contacts", t, who[vul], channel=ch[vul])
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
                m = m[table.index[res.cell[pending[m]]] >= 0]  # -1: no such service covers the zone
                who = pending[m]
                cell = res.cell[who]
                svc = table.index[cell]
                cost = None
                if ch == _F2F and stype != "home_visit_team":
                    decay = np.where(c.rural[who], dl.site_access_decay_rural_m, dl.site_access_decay_urban_m)
                    reach = self.u(U_ACCESS, who) < np.exp(-table.distance[cell] / decay)
                    m, who, cell, svc = m[reach], who[reach], cell[reach], svc[reach]
                elif stype == "home_visit_team":
                    cost = self._travel_costs(table, who, svc)
                ok = serve_queues(table.agents, who, svc, c.vulnerable[who], self.u(U_ORDER, who), cost)
                done[m[ok]] = True
                self._contacted(t, who[ok], np.full(int(ok.sum()), ch, np.int8), got_idx, got_ch)
            pending, pch = pending[~done], pch[~done]
        self.records.add("unmet_demand", t, pending, channel=pch)

    # ------------------------------------------------------------------ output
    def to_dataset(self) -> xr.Dataset:
        attrs = {
            "heat_threshold_daily_mean": float(self.theta),
            "heat_threshold_source": "twin.health regional thresholds (Hajat 2002; Met Office alert thresholds, "
                                     "docs/sources.md); slope Gasparrini 2012, age gradient Ishigami 2008",
            "alert_days": int((self.levels > 0).sum()),
            "randomness": "one seed per day from SeedSequence(seed, spawn_key=(replicate, 2, day)); per resident "
                          "and purpose a SplitMix64 uniform on it (twin.health.kernel); days with no alert and no "
                          "inhabited cell above the threshold are skipped (no draws)",
        }
        return self.records.to_dataset(self.drivers.time, list(self.place.zone_codes), attrs)
