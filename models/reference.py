"""REFERENCE ONLY: the ``heat_health`` rules written the ordinary Mesa way, one agent per resident.

This is not a second product. It exists so a test can show that the vectorised model
(:mod:`twin.models.heat_health`) gives the same distribution of outcomes as a plain,
readable implementation, and so the benchmark can show the speed ratio. Use it on small
places only (a few thousand residents).

Each resident is a :class:`ResidentAgent` with scalar attributes and Python methods;
services are the same Mesa agents as in the vectorised model, but their queues are Python
lists served one resident at a time. The day follows the steps in the vectorised model's
docstring, in the same order, with scalar arithmetic. Differences that do not change the
distribution of outcomes: the reference draws its own uniforms (stream purpose 3:
``SeedSequence(seed, spawn_key=(replicate, 3, day))``, agent by agent, on every day,
never skipping), so its numbers are not the vectorised model's numbers, only their law.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np

from twin._names import CHANNELS
from twin.health import BEHAVIOURS, adoption_probabilities, cooling_centre_visit_probability
from twin.models._heat_records import HeatRecords
from twin.models.heat_health import HeatHealthModel
from twin.models.residents import Residents

__all__ = ["ReferenceHeatHealthModel", "ResidentAgent"]

_F2F, _PHONE, _DIGITAL = range(3)
_COOL = BEHAVIOURS.index("cool_places")


class ResidentAgent(mesa.Agent):
    """One resident, with scalar attributes and the day's rules as methods."""

    def __init__(self, model: Any, i: int) -> None:
        super().__init__(model)
        c, r = model.cols, model.residents
        self.i = i
        self.age, self.sex, self.cell = int(r.age[i]), int(r.sex[i]), int(r.cell[i])
        self.channel = int(c.channel[i])
        self.vulnerable = bool(c.vulnerable[i])
        self.signed_up = bool(c.signed_up[i])
        self.rural = bool(c.rural[i])
        self.p0, self.slope, self.vul = float(c.p0[i]), float(c.slope[i]), float(c.vulnerability[i])
        self.adopted = [False] * len(BEHAVIOURS)
        self.alive = True
        self.zb = int(model.zb[i])
        self.until = -1
        self.last_proactive = -(10**6)

    def draw(self, rng: np.random.Generator) -> None:
        self.u_seek, self.u_order, self.u_access, self.u_cool, self.u_ill, self.u_death = rng.random(6)
        self.u_beh = rng.random(len(BEHAVIOURS))
        self.contact = None  # best channel of today's contacts

    def contacted(self, channel: int) -> None:
        self.contact = channel if self.contact is None else min(self.contact, channel)

    def seeks_help(self, level: int) -> bool:
        return self.u_seek < self.model.p_seek[level][1 if self.age >= 65 else 0]

    def respond(self, t: int) -> bool:
        """Adopt protective behaviour after today's contact; True if anything was adopted."""
        if self.contact is None:
            return False
        p = adoption_probabilities(np.array([True]), np.array([self.contact]), np.array([self.age]),
                                   self.model.params)[0]
        new = [bool(u < q) for u, q in zip(self.u_beh, p, strict=True)]
        if not any(new):
            return False
        active = self.until >= t
        self.adopted = [(a and active) or n for a, n in zip(self.adopted, new, strict=True)]
        self.until = t + self.model.delivery.behaviour_days - 1
        return True

    def harm(self, t: int, dose: float, visited: bool) -> tuple[bool, bool, float, bool]:
        """Heat death, illness, the heat-attributable death probability and other-cause death today."""
        m = self.model
        active = self.until >= t
        log_rr = 0.0
        for b, name in enumerate(BEHAVIOURS):
            if active and self.adopted[b] and (b != _COOL or visited):
                log_rr += math.log(getattr(m.params.behaviour, f"or_{name}"))
        protection = 1.0 if log_rr == 0.0 else min(max(math.exp(log_rr), m.params.behaviour.min_combined_rr), 1.0)
        p0 = self.p0 * float(m.p0_factor[self.zb])
        excess = 0.0
        if dose > 0:
            excess = min(max(p0 * math.expm1(self.slope * dose) * self.vul * protection, 0.0), 1.0 - p0)
        ill_p = min(excess * m.params.exposure_response.illness_per_attributable_death, 1.0)
        died = self.u_death < excess
        return died, self.u_ill < ill_p, excess, (not died) and self.u_death < excess + p0


class ReferenceHeatHealthModel(HeatHealthModel):
    """The per-resident reference; ``vulnerable_first=False`` breaks a rule on purpose (for tests)."""

    def __init__(self, place: Any, drivers: Any, residents: Residents, params: Any, *, streams: Any,
                 outputs: Any = None, daily_by_age: bool | None = None, vulnerable_first: bool = True) -> None:
        super().__init__(place, drivers, residents, params, streams=streams.for_reference(), outputs=outputs,
                         daily_by_age=daily_by_age)
        self.vulnerable_first = vulnerable_first
        self.people = [ResidentAgent(self, i) for i in range(self.n)]
        self.records = HeatRecords(self.n_days, self.n_zones, self.group, bool(self.records.by_age))

    def _queue(self, service: Any, queue: list[tuple[ResidentAgent, float]]) -> list[ResidentAgent]:
        """Serve a queue one resident at a time, vulnerable-list first, while capacity lasts."""
        key = (lambda e: (not e[0].vulnerable, e[0].u_order)) if self.vulnerable_first else (lambda e: e[0].u_order)
        served = []
        for person, cost in sorted(queue, key=key):
            if service.remaining + 1e-9 < cost:
                break
            service.remaining -= cost
            service.delivered += 1
            served.append(person)
        return served

    def _serve(self, queues: dict[Any, list], channel_of: Any, tally: dict[str, list]) -> set[int]:
        done = set()
        for service, queue in queues.items():
            for p in self._queue(service, queue):
                ch = channel_of(service)
                p.contacted(ch)
                tally["contacts"].append((p.i, ch))
                if p.vulnerable:
                    tally["vulnerable_contacts"].append((p.i, ch))
                done.add(p.i)
        return done

    def _cost(self, team: Any, p: ResidentAgent) -> float:
        return float(team.travel_cost(np.array([self.cx[p.cell] - team.x]), np.array([self.cy[p.cell] - team.y]),
                                      np.array([p.rural]), self.delivery)[0])

    def step_day(self, t: int) -> None:
        self.records.new_day()
        for s in self.services:
            s.start_day(int(self.weekdays[t]))
        tx, tn = self.drivers.cell_temperatures(t)
        dose = self.heat.dose(0.5 * (tx + tn))
        self.p0_factor = self.heat.factor(t)
        level, dl = int(self.levels[t]), self.delivery
        rng = self.day_rng(t)
        for p in self.people:
            p.draw(rng)
        tally: dict[str, list] = {k: [] for k in ("contacts", "vulnerable_contacts", "alerts", "protected", "unmet",
                                                  "exposed", "visits", "ill", "died", "expected")}
        if self.issued[t] and self.alerting:
            queues: dict[Any, list] = {}
            for p in self.people:
                if p.alive and p.signed_up and p.channel == _DIGITAL:
                    queues.setdefault(self.alerting.agents[self.alerting.index[p.cell]], []).append((p, 1.0))
            for s, q in queues.items():
                for p in self._queue(s, q):
                    p.contacted(_DIGITAL)
                    tally["alerts"].append((p.i, _DIGITAL))
        if level >= dl.proactive_min_level and self.proactive:
            queues = {}
            for p in self.people:
                k = self.proactive.index[p.cell]
                if p.alive and p.vulnerable and k >= 0 and p.last_proactive <= t - dl.proactive_recontact_days:
                    team = self.proactive.agents[k]
                    queues.setdefault(team, []).append((p, self._cost(team, p)))
            for s, q in queues.items():
                for p in self._queue(s, q):
                    p.last_proactive = t
                    p.contacted(s.channels[0])
                    tally["contacts"].append((p.i, s.channels[0]))
                    tally["vulnerable_contacts"].append((p.i, s.channels[0]))
        if level > 0:
            pending = [p for p in self.people if p.alive and p.seeks_help(level)]
            routes = [dl.routes[ch] for ch in CHANNELS]
            for stage in range(max(len(r) for r in routes)):
                served: set[int] = set()
                for ch in range(len(CHANNELS)):
                    if stage >= len(routes[ch]):
                        continue
                    stype = routes[ch][stage]
                    table = self.near[(stype, ch)]
                    if not table:
                        continue
                    queues = {}
                    for p in pending:
                        if p.channel != ch or p.i in served:
                            continue
                        k, d = table.index[p.cell], table.distance[p.cell]
                        cost = 1.0
                        if ch == _F2F and stype != "home_visit_team":
                            decay = dl.site_access_decay_rural_m if p.rural else dl.site_access_decay_urban_m
                            if not p.u_access < math.exp(-d / decay):
                                continue
                        elif stype == "home_visit_team":
                            cost = self._cost(table.agents[k], p)
                        queues.setdefault(table.agents[k], []).append((p, cost))
                    served |= self._serve(queues, lambda s, ch=ch: ch, tally)
                pending = [p for p in pending if p.i not in served]
            tally["unmet"] = [(p.i, p.channel) for p in pending]
        for p in self.people:
            if p.respond(t):
                tally["protected"].append((p.i, p.channel))
        visited: set[int] = set()
        hot = [p for p in self.people if p.alive and dose[p.cell] > 0 and self.inhabited[p.cell]]
        if self.cooling:
            queues = {}
            for p in hot:
                if p.until >= t and p.adopted[_COOL]:
                    centre = self.cooling.agents[self.cooling.index[p.cell]]
                    prob = cooling_centre_visit_probability(self.cooling.distance[p.cell], centre.is_open, p.rural,
                                                            self.params)
                    if p.u_cool < float(prob):
                        queues.setdefault(centre, []).append((p, 1.0))
            for s, q in queues.items():
                for p in self._queue(s, q):
                    visited.add(p.i)
                    tally["visits"].append((p.i, p.channel))
        tally["other"] = []
        for p in hot:
            died, ill, excess, other = p.harm(t, float(dose[p.cell]), p.i in visited)
            tally["exposed"].append((p.i, p.channel))
            tally["expected"].append((p.i, p.channel, excess))
            if ill:
                tally["ill"].append((p.i, p.channel))
            if died:
                tally["died"].append((p.i, p.channel))
            if other:
                tally["other"].append((p.i, p.channel))
        for key in ("died", "other"):
            if tally[key]:
                who = np.array([e[0] for e in tally[key]], np.int64)
                for i in who:
                    self.people[i].alive = False
                self.heat.remove(who, self.cols.p0)
        if tally["expected"]:
            self.heat.brought_forward(t, np.array([e[0] for e in tally["expected"]], np.int64),
                                      np.array([e[2] for e in tally["expected"]]))
        self._tally(t, tally)
        self.records.baseline(t, self.heat.baseline, self.heat.displaced)
        self.records.services(t, self.services)
        self.datacollector.collect(self)

    def _tally(self, t: int, tally: dict[str, list]) -> None:
        names = {"contacts": "contacts", "vulnerable_contacts": "vulnerable_contacts", "alerts": "alerts_received",
                 "protected": "protected", "unmet": "unmet_demand", "exposed": "exposed", "visits": "cooling_visits",
                 "ill": "heat_illness", "died": "attributable_deaths", "other": "baseline_deaths"}
        for key, var in names.items():
            if tally[key]:
                a = np.array(tally[key], dtype=np.int64)
                self.records.add(var, t, a[:, 0], channel=a[:, 1])
        if tally["expected"]:
            who = np.array([e[0] for e in tally["expected"]], np.int64)
            ch = np.array([e[1] for e in tally["expected"]], np.int64)
            self.records.add("expected_attributable_deaths", t, who, channel=ch,
                             weights=np.array([e[2] for e in tally["expected"]]))
