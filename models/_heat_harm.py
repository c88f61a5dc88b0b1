"""Exposure, cooling-centre visits and harm of a ``heat_health`` day (steps 6-7 of :mod:`twin.models.heat_health`).

Two implementations of the same rules, giving bit for bit the same records:

* :meth:`HarmSteps._harm_numpy` applies the pure functions of :mod:`twin.health`
  (:func:`twin.health.behaviour_rr`, :func:`twin.health.daily_harm`) to whole columns: the
  reference, and the path without Numba or for small places;
* :meth:`HarmSteps._harm_fused` does the per-resident work in one compiled pass
  (:func:`twin.health.kernel.harm_tally`) over residents grouped into kinds (sex, age and
  vulnerabilities share a baseline, an age/sex gradient and a vulnerability multiplier),
  computing the protection of behaviours in effect only for the residents who have any.
"""

from __future__ import annotations

import numpy as np

from twin._names import MAX_AGE
from twin.health import BEHAVIOURS, behaviour_rr, cooling_centre_visit_probability, daily_harm, kernel
from twin.health.kernel import U_COOL, U_ORDER
from twin.models._services import serve_queues

__all__ = ["HarmSteps"]

_COOL = BEHAVIOURS.index("cool_places")


class HarmSteps:
    """Mixin of :class:`twin.models.heat_health.HeatHealthModel`: steps 6-7 of a day, and the fused pass's columns."""

    def _fused_columns(self, n: int) -> None:
        """The fused harm pass's inputs: residents as kinds (sex, age, vulnerabilities) sharing baseline,
        gradient and vulnerability; the (zone, age band, preferred channel) cell of each."""
        c, res = self.cols, self.residents
        key = (res.sex.astype(np.int32) * (MAX_AGE + 1) + np.minimum(res.age, MAX_AGE)) * 8 + c.vcode
        kinds = kernel.resident_kinds({"p0": c.p0, "slope": c.slope, "vul": c.vulnerability}, key)
        if kinds is None:  # some column varies within a kind: the NumPy path
            self.fused = False
            return
        self.kind, tables = kinds
        self.kind_p0, self.kind_vul = tables["p0"], tables["vul"].astype(np.float64)
        self.grad_classes, kind_class = np.unique(tables["slope"], return_inverse=True)
        self.kind_class = kind_class.astype(np.int16)
        self.gch = (self.group + c.channel).astype(np.int32)
        self.zb16 = self.zb.astype(np.int16 if self.zb.max(initial=0) < 2**15 else np.int32)
        self.dead_who = np.empty(n, np.int64)  # today's dead
        self.protection = np.ones(n)  # today's protection of residents with behaviours in effect (else 1)
        self.rr1: np.ndarray | None = None

    def _cooling(self, t: int, who: np.ndarray, beh: np.ndarray) -> None:
        """Residents ``who`` (ascending) with behaviours ``beh`` in effect: cool places count only on a visit."""
        c, pref = self.cols, self.cols.channel
        visited = np.zeros(who.size, bool)
        want = np.flatnonzero(beh[:, _COOL]) if self.cooling else np.empty(0, np.int64)
        if want.size:
            sub = who[want]
            centre, dist = self.cooling.lookup(self.residents.cell[sub], self._arm(sub))
            ok = centre >= 0
            sub, want, centre, dist = sub[ok], want[ok], centre[ok], dist[ok]
            is_open = np.array([a.is_open for a in self.cooling.agents])[centre]
            p = cooling_centre_visit_probability(dist, is_open, c.rural[sub], self.params)
            go = self._u(U_COOL, sub) < p
            ok = serve_queues(self.cooling.agents, sub[go], centre[go], c.vulnerable[sub[go]],
                              self._u(U_ORDER, sub[go]))
            visited[want[go][ok]] = True
            self.records.add("cooling_visits", t, sub[go][ok], preferred=pref)
        beh[:, _COOL] &= visited

    def _harm_numpy(self, t: int, dose: np.ndarray, hot_cell: np.ndarray) -> None:
        """Exposure and harm with the pure rules on whole columns (the reference of :meth:`_harm_fused`)."""
        c, res, rec, pref = self.cols, self.residents, self.records, self.cols.channel
        hot = np.flatnonzero(hot_cell[res.cell] & self.alive)
        if hot.size == 0:
            return
        rec.add("exposed", t, hot, preferred=pref)
        active = self.until[hot] >= t
        beh = self.adopted[hot] & active[:, None]
        self._cooling(t, hot, beh)
        protection = behaviour_rr(beh, self.params)
        p0 = c.p0[hot] * self.p0_factor[self.zb[hot]]  # seasonal baseline, lowered by displacement
        harm = daily_harm(dose[res.cell[hot]], res.age[hot], res.sex[hot], p0,
                          self._u(kernel.U_DEATH, hot), self._u(kernel.U_ILL, hot), self.params,
                          vulnerability=c.vulnerability[hot], protection=protection, gradient=c.slope[hot])
        # deaths leave the run; a share of heat deaths lowers the following days' baseline
        dead = hot[harm.died | harm.died_other]
        self.alive[dead] = False
        self.heat.remove(dead, c.p0)
        self.heat.brought_forward(t, hot, harm.excess_probability)
        rec.add("baseline_deaths", t, hot[harm.died_other], preferred=pref)
        rec.add("heat_illness", t, hot[harm.ill], preferred=pref)
        rec.add("attributable_deaths", t, hot[harm.died], preferred=pref)
        rec.add("expected_attributable_deaths", t, hot, weights=harm.excess_probability, preferred=pref)

    def _harm_fused(self, t: int, dose: np.ndarray, hot_cell: np.ndarray) -> None:
        """:meth:`_harm_numpy` in one compiled pass over the residents (:func:`twin.health.kernel.harm_tally`)."""
        c, res, rec = self.cols, self.residents, self.records
        if not hot_cell.any():
            return
        # behaviours in effect: the few residents whose protection is not 1 today
        act = np.flatnonzero(self.until >= t)
        act = act[hot_cell[res.cell[act]] & self.alive[act]]
        if act.size:
            beh = self.adopted[act]
            self._cooling(t, act, beh)
            self.protection[act] = behaviour_rr(beh, self.params)
        self.rr1 = kernel.excess_rr_table(dose, self.grad_classes, hot_cell, self.rr1)
        tables = np.zeros((5, rec.size))
        by_group = np.zeros(self.heat.p0_group.size)
        n_dead = kernel.harm_tally(self.seeds, res.cell, self.alive, hot_cell, self.kind, self.kind_p0, self.kind_class,
                                   self.kind_vul, self.rr1, self.p0_factor, self.zb16, self.protection,
                                   float(self.params.exposure_response.illness_per_attributable_death), self.gch,
                                   *tables, by_group, self.dead_who)
        self.protection[act] = 1.0
        exposed, expected, ill, died, other = tables
        if exposed.sum() == 0:
            return
        rec.add_table("exposed", t, exposed)
        dead = self.dead_who[:n_dead]
        self.alive[dead] = False
        self.heat.remove(dead, c.p0)
        self.heat.brought_forward_groups(t, by_group)
        for name, table in (("baseline_deaths", other), ("heat_illness", ill), ("attributable_deaths", died),
                            ("expected_attributable_deaths", expected)):
            rec.add_table(name, t, table)
