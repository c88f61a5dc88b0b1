"""Services of the ``heat_health`` model as Mesa agents, and who each resident is nearest to.

Services are few (tens), so each is an ordinary :class:`mesa.Agent`: it knows its type,
channels, daily capacity, opening days and location, opens or stays shut each day
(``start_day``) and serves a queue of residents handed to it in priority order
(``serve``) until its capacity for the day is spent. Residents stay columns: the model
builds each service's queue with array operations and the agent takes the prefix that
fits.

Face-to-face work travels. A home-visit team's ``capacity`` is visits a day with no
travel; each visit also costs the round trip from the team's base, so a visit
``d`` metres away uses ``1 + 2 d / (v T)`` units of capacity (``v`` the team's speed, ``T``
the minutes a visit takes on the doorstep; DeliveryParams, assumptions L). Far-flung
rural visits therefore cut a team's daily contacts.

Nearest services are found once per run on the grid's cell centres with a k-d tree
(scipy ``cKDTree``), per (service type, channel), and looked up through each
resident's home cell.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from twin._jit import njit  # plain Python without Numba (queues are short)
from twin._names import CHANNELS, SERVICE_TYPES

__all__ = [
    "ARM_ONLY",
    "AlertChannel",
    "CoolingCentre",
    "HomeVisitTeam",
    "NearestTable",
    "ServiceAgent",
    "build_services",
    "serve_queues",
]

_EPS = 1e-9

#: ``Service.properties["residents"]`` of a service that serves only the trial's treated arm.
ARM_ONLY = "trial_arm"


class ServiceAgent(mesa.Agent):
    """A service point that makes contacts up to its daily capacity on its opening days.

    Attributes
    ----------
    service : twin.place.Service
        The place's record of the service.
    capacity : float
        Contacts (or visitors, or messages) a day, after ``delivery.capacity_multiplier``.
    channels : tuple of int
        Indices into ``CHANNELS`` of the channels it offers.
    remaining : float
        Capacity left today; ``delivered`` contacts made today.
    """

    def __init__(self, model: Any, service: Any, capacity_multiplier: float = 1.0) -> None:
        super().__init__(model)
        self.service = service
        self.type = service.type
        self.type_index = SERVICE_TYPES.index(service.type)
        self.capacity = float(service.capacity) * float(capacity_multiplier)
        self.channels = tuple(CHANNELS.index(c) for c in service.channels)
        self.opening_days = frozenset(int(d) for d in service.opening_days)
        self.x, self.y = float(service.x), float(service.y)
        self.is_open = False
        self.remaining = 0.0
        self.delivered = 0.0
        # ``properties.zones``: codes of the zones it serves (a council's own services in a combined place,
        # twin.place.combine); all zones when absent
        zones = dict(service.properties or {}).get("zones")
        self.zones = None if zones in (None, "all") else frozenset(str(z) for z in zones)
        # ``properties.residents == "trial_arm"``: an individually randomised trial's service, serving only
        # residents in the trial's treated arm (the residents' ``trial_arm`` column is 1)
        self.arm_only = dict(service.properties or {}).get("residents") == ARM_ONLY

    def start_day(self, weekday: int) -> None:
        """Open (full capacity) or stay shut for the day."""
        self.is_open = weekday in self.opening_days
        self.remaining = self.capacity if self.is_open else 0.0
        self.delivered = 0.0

    def serve(self, cost: np.ndarray) -> int:
        """Serve the longest prefix of a priority-ordered queue that fits today's capacity.

        Parameters
        ----------
        cost
            Capacity each queued resident would use (1 for a call or a visit at the site).

        Returns
        -------
        int
            How many residents at the head of the queue were served.
        """
        if self.remaining <= 0.0 or cost.size == 0:
            return 0
        cum = np.cumsum(cost, dtype=np.float64)
        k = int(np.searchsorted(cum, self.remaining + _EPS, side="right"))
        if k:
            self.remaining -= float(cum[k - 1])
            self.delivered += k
        return k


class HomeVisitTeam(ServiceAgent):
    """A team that visits residents at home (face to face) or calls them; may be proactive.

    ``properties`` of the service (heat_health_outreach hook, CONTRACTS.md): ``proactive``
    (contacts vulnerable-list residents during amber/red alerts without being asked) and, as
    for every service, ``zones`` (codes of the zones it covers; all zones when absent).
    """

    def __init__(self, model: Any, service: Any, capacity_multiplier: float = 1.0) -> None:
        super().__init__(model, service, capacity_multiplier)
        props = dict(service.properties or {})
        self.proactive = bool(props.get("proactive", False))
        self.travels = CHANNELS.index("face_to_face") in self.channels

    def travel_cost(self, dx: np.ndarray, dy: np.ndarray, rural: np.ndarray, delivery: Any) -> np.ndarray:
        """Capacity used by a visit to each home: ``1 + 2 d / (v T)`` (1 for a team that only calls)."""
        if not self.travels:
            return np.ones(dx.shape, np.float64)
        d = np.hypot(dx, dy)
        speed = np.where(rural, delivery.travel_speed_rural_kmh, delivery.travel_speed_urban_kmh) * (1000.0 / 60.0)
        return 1.0 + 2.0 * d / (speed * delivery.visit_minutes)


class CoolingCentre(ServiceAgent):
    """A cool space open on its opening days; ``capacity`` is visitors a day."""


class AlertChannel(ServiceAgent):
    """The SMS/app heat-health alert channel (digital); ``capacity`` is messages a day."""


_CLASSES = {"home_visit_team": HomeVisitTeam, "cooling_centre": CoolingCentre, "alert_channel": AlertChannel}


def build_services(model: Any, services: Any, capacity_multiplier: float = 1.0) -> list[ServiceAgent]:
    """One agent per service of the place (schools and care homes too: they may host cool spaces)."""
    return [_CLASSES.get(s.type, ServiceAgent)(model, s, capacity_multiplier) for s in services]


class NearestTable:
    """Nearest service of a kind to every grid cell centre, and its distance.

    Parameters
    ----------
    agents
        Candidate services.
    cx, cy
        Flat cell-centre coordinates (m).
    cell_zone
        Flat zone index of each cell (-1 outside), used with ``zone_codes`` when a
        candidate covers only some zones.
    cells
        The cells to look up (e.g. the inhabited ones; default all): others keep no service
        (index -1, distance infinite).

    Services of an individually randomised trial (``arm_only``) are nearest only for residents of
    the treated arm: ``index``/``distance`` are over the other services (everyone), and
    ``arm_index``/``arm_distance`` over all of them (the treated arm); :meth:`lookup` picks per
    resident. Without such services ``arm_index`` is ``None`` and nothing changes.
    """

    def __init__(self, agents: list[ServiceAgent], cx: np.ndarray, cy: np.ndarray,
                 cell_zone: np.ndarray | None = None, zone_codes: tuple[str, ...] = (),
                 cells: np.ndarray | None = None) -> None:
        self.agents = list(agents)
        n_cells = cx.size
        self.index = np.full(n_cells, -1, np.int32)
        self.distance = np.full(n_cells, np.inf)
        self.arm_index: np.ndarray | None = None
        self.arm_distance: np.ndarray | None = None
        if not self.agents:
            return
        arm_only = np.array([bool(getattr(a, "arm_only", False)) for a in self.agents])
        if arm_only.any():
            full = NearestTable([_Open(a) for a in self.agents], cx, cy, cell_zone, zone_codes, cells)
            open_pos = np.flatnonzero(~arm_only)
            rest = NearestTable([self.agents[i] for i in open_pos], cx, cy, cell_zone, zone_codes, cells)
            self.arm_index, self.arm_distance = full.index, full.distance
            self.index = np.where(rest.index >= 0, open_pos[np.maximum(rest.index, 0)] if open_pos.size else -1,
                                  -1).astype(np.int32)
            self.distance = rest.distance
            return
        wanted = np.arange(n_cells) if cells is None else np.asarray(cells)
        covers = [getattr(a, "zones", None) for a in self.agents]
        if all(c is None for c in covers) or cell_zone is None:
            from scipy.spatial import cKDTree

            tree = cKDTree(np.column_stack([[a.x for a in self.agents], [a.y for a in self.agents]]))
            dist, idx = tree.query(np.column_stack([cx[wanted], cy[wanted]]))
            self.index[wanted] = idx
            self.distance[wanted] = dist
            return
        # some candidates cover only listed zones: nearest among those covering each cell, one k-d tree
        # per set of covered zones (a council's services share one)
        from scipy.spatial import cKDTree

        cell_zone = np.asarray(cell_zone).ravel()
        position = {code: k for k, code in enumerate(zone_codes)}
        groups: dict[frozenset | None, list[int]] = {}
        for i, c in enumerate(covers):
            groups.setdefault(c, []).append(i)
        for cover, members in groups.items():
            if cover is None:
                sub = wanted
            else:
                zone_ok = np.zeros(len(zone_codes) + 1, bool)  # last entry: cells outside every zone (-1)
                zone_ok[[position[z] for z in cover if z in position]] = True
                sub = wanted[zone_ok[cell_zone[wanted]]]
            if sub.size == 0:
                continue
            tree = cKDTree(np.column_stack([[self.agents[i].x for i in members], [self.agents[i].y for i in members]]))
            dist, idx = tree.query(np.column_stack([cx[sub], cy[sub]]))
            better = dist < self.distance[sub]
            self.index[sub[better]] = np.asarray(members)[idx[better]]
            self.distance[sub[better]] = dist[better]

    def __bool__(self) -> bool:
        return bool(self.agents)

    def lookup(self, cell: np.ndarray, in_arm: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Nearest service (index into ``agents``, -1 none) and its distance for residents at ``cell``,
        in the trial's treated arm where ``in_arm`` (``None``: no trial)."""
        if self.arm_index is None or in_arm is None:
            return self.index[cell], self.distance[cell]
        return (np.where(in_arm, self.arm_index[cell], self.index[cell]),
                np.where(in_arm, self.arm_distance[cell], self.distance[cell]))


class _Open:
    """A service seen without its trial-arm restriction (location and zones only)."""

    arm_only = False

    def __init__(self, agent: ServiceAgent) -> None:
        self.x, self.y, self.zones = agent.x, agent.y, getattr(agent, "zones", None)


def serve_queues(agents: list[ServiceAgent], who: np.ndarray, service: np.ndarray, vulnerable: np.ndarray,
                 u_order: np.ndarray, cost: np.ndarray | None = None,
                 vulnerable_first: bool = True) -> np.ndarray:
    """Hand each service its queue, vulnerable-list residents first, and return who was served.

    Parameters
    ----------
    agents
        The services, indexed by ``service``.
    who
        Resident indices queuing (any order).
    service
        Index into ``agents`` of the service each queues at (same length as ``who``).
    vulnerable
        Whether each queuing resident is on the vulnerable-persons list.
    u_order
        A uniform per queuing resident: order within a priority class (random, drawn for everyone).
    cost
        Capacity each would use (default 1).

    Returns
    -------
    numpy.ndarray of bool
        Served, aligned with ``who``.
    """
    served = np.zeros(who.shape, bool)
    if who.size == 0:
        return served
    keys = (u_order, ~vulnerable, service) if vulnerable_first else (u_order, service)
    order = np.lexsort(keys)
    s_sorted = np.ascontiguousarray(service[order], dtype=np.int64)
    c_sorted = np.ones(order.size) if cost is None else np.asarray(cost, dtype=np.float64)[order]
    # every queue at once (ServiceAgent.serve's arithmetic, one pass); agents' state read and written back
    remaining = np.array([a.remaining for a in agents], np.float64)
    took, used = _serve_sorted(s_sorted, c_sorted, remaining)
    served[order[took]] = True
    for k in np.flatnonzero(used):
        a = agents[k]
        a.remaining = float(remaining[k])
        a.delivered += int(used[k])
    return served


@njit(cache=True)
def _serve_sorted(s_sorted, c_sorted, remaining):
    """Serve queues sorted by service then priority: the longest prefix of each that fits (as ``serve``).

    Returns the positions served and the number served per service; ``remaining`` is updated.
    """
    took = np.zeros(s_sorted.size, np.bool_)
    used = np.zeros(remaining.size, np.int64)
    a = 0
    n = s_sorted.size
    while a < n:
        k = s_sorted[a]
        b = a
        while b < n and s_sorted[b] == k:
            b += 1
        rem = remaining[k]
        if rem > 0.0:
            cum = 0.0
            last = 0.0
            j = a
            while j < b:
                cum += c_sorted[j]
                if cum > rem + _EPS:
                    break
                last = cum
                took[j] = True
                j += 1
            if j > a:
                remaining[k] = rem - last
                used[k] = j - a
        a = b
    return took, used
