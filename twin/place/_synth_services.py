"""Service points for the synthetic places (private; see twin.place.synthetic).

Counts and capacities (all L: invented to look like an English council's provision):

* GP practices: one per ~7,500 residents (typical English list size), about 25
  appointments per 1,000 registered patients per working day (order of magnitude of
  NHS Digital "Appointments in General Practice"; not in docs/sources.md).
* Cooling centres: libraries opened as cool spaces (set-up grant proxy in docs/sources.md
  section 7, Save the Children 2022); visitors per day.
* Council contact centre: phone and digital (Socitm / PwC channel costs, docs/sources.md section 13).
* Alert channel: digital SMS/app alerts able to reach every resident in a day.
* Home visit teams: face-to-face heat-health outreach (Ebi et al. 2004, docs/sources.md section 14).
"""

from __future__ import annotations

import numpy as np

from twin.place.grid import cell_centres
from twin.place import Service

__all__ = ["make_services"]

WEEKDAYS = (0, 1, 2, 3, 4)
MON_SAT = (0, 1, 2, 3, 4, 5)
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
F2F, PHONE, DIGITAL = "face_to_face", "phone", "digital"

# type: (id prefix, name labels, channels, opening days)
_KIND = {
    "gp_practice": ("GP", ("Surgery", "Medical Centre", "Health Centre"), (F2F, PHONE, DIGITAL), WEEKDAYS),
    "community_hub": ("HUB", ("Community Hub",), (F2F, PHONE), MON_SAT),
    "library": ("LIB", ("Library",), (F2F, DIGITAL), MON_SAT),
    "cooling_centre": ("COOL", ("Library Cool Space",), (F2F,), ALL_DAYS),
    "contact_centre": ("CC", ("Council Contact Centre",), (PHONE, DIGITAL), WEEKDAYS),
    "alert_channel": ("ALERT", ("Heat-Health Alerts (SMS and app)",), (DIGITAL,), ALL_DAYS),
    "home_visit_team": ("HVT", ("Home Visit Team",), (F2F,), MON_SAT),
    "school": ("SCH", ("Primary School", "Academy"), (F2F,), WEEKDAYS),
    "care_home": ("CARE", ("Care Home", "House"), (F2F,), ALL_DAYS),
}

# Per place kind: type -> (number, capacity per day, min spacing m, weight power)
_PLAN = {
    "urban": {
        "gp_practice": (20, None, 700, 1.0),
        "community_hub": (4, 80, 2000, 1.0),
        "library": (5, 250, 1800, 1.0),
        "home_visit_team": (2, 40, 3000, 1.0),
        "school": (24, 420, 500, 1.0),
        "school_secondary": (8, 1200, 1500, 1.0),
        "care_home": (5, 60, 1000, 0.5),
    },
    "rural": {
        "gp_practice": (8, None, 2500, 1.5),
        "community_hub": (3, 60, 5000, 1.5),
        "library": (3, 150, 5000, 2.0),
        "home_visit_team": (2, 25, 8000, 2.0),
        "school": (18, 180, 1500, 0.7),
        "school_secondary": (3, 1000, 6000, 2.0),
        "care_home": (7, 40, 2000, 0.7),
    },
}
_GP_APPTS_PER_1000_PER_DAY = 25.0   # L (see module docstring)
_COOLING_VISITORS = {"urban": 150, "rural": 80}
_CONTACT_CENTRE = {"urban": 1200, "rural": 500}  # contacts/day, L


def make_services(rng: np.random.Generator, kind: str, land, zones, zidx: np.ndarray,
                  counts: np.ndarray) -> tuple[Service, ...]:
    """Place services on residential cells (centres lie inside their zone), deterministically."""
    X, Y = cell_centres(land.grid)
    xs, ys, zflat, res = X.ravel(), Y.ravel(), zidx.ravel(), counts.ravel().astype(float)
    ok = (zflat >= 0) & (res > 0)
    total = int(counts.sum())
    out: list[Service] = []
    names_used: dict[str, int] = {}

    def pick(n: int, spacing: float, power: float, taken: list[int]) -> list[int]:
        w = np.where(ok, res ** power, 0.0)
        chosen: list[int] = []
        for _ in range(n):
            for _attempt in range(500):
                k = int(rng.choice(w.size, p=w / w.sum()))
                if all(np.hypot(xs[k] - xs[j], ys[k] - ys[j]) >= spacing for j in chosen + taken):
                    break
            chosen.append(k)
            spacing *= 0.98  # relax slowly if the place is crowded
        return chosen

    def nearest(px: float, py: float) -> int:
        d = np.where(ok, np.hypot(xs - px, ys - py), np.inf)
        return int(d.argmin())

    def add(stype: str, k: int, capacity: float, label_i: int = 0, label: str | None = None) -> None:
        prefix, labels, channels, days = _KIND[stype]
        idx = sum(1 for s in out if s.type == stype) + 1
        base = f"{zones[zflat[k]].name} {label or labels[label_i % len(labels)]}"
        names_used[base] = names_used.get(base, 0) + 1
        name = base if names_used[base] == 1 else f"{base} {names_used[base]}"
        out.append(Service(id=f"{prefix}{idx:02d}", type=stype, name=name, capacity=float(capacity),
                           channels=channels, opening_days=days, x=float(xs[k]), y=float(ys[k]),
                           zone=zones[zflat[k]].code))

    plan = _PLAN[kind]
    hall = nearest(*land.centre)  # town hall at the (main) centre
    add("contact_centre", hall, _CONTACT_CENTRE[kind])
    add("alert_channel", hall, total)
    n_gp, _, sp, pw = plan["gp_practice"]
    for i, k in enumerate(pick(n_gp, sp, pw, [])):
        size = total / n_gp * rng.uniform(0.75, 1.25)
        add("gp_practice", k, round(size * _GP_APPTS_PER_1000_PER_DAY / 1000), label_i=i)
    anchors = [hall] + [nearest(s[1], s[2]) for s in land.settlements[1:2]] if kind == "rural" else [hall]
    n_lib, cap_lib, sp, pw = plan["library"]
    libs = anchors[: n_lib] + pick(n_lib - len(anchors[:n_lib]), sp, pw, anchors[:n_lib])
    for k in libs:
        add("library", k, cap_lib)
    n_cool = 3 if kind == "urban" else 2
    for k in libs[:n_cool]:
        add("cooling_centre", k, _COOLING_VISITORS[kind])
    for stype in ("community_hub", "home_visit_team", "care_home"):
        n, cap, sp, pw = plan[stype]
        taken = anchors if stype == "home_visit_team" and kind == "rural" else []
        ks = taken + pick(n - len(taken), sp, pw, taken)
        for i, k in enumerate(ks):
            add(stype, k, cap, label_i=i)
    n, cap, sp, pw = plan["school"]
    for k in pick(n, sp, pw, []):
        add("school", k, cap, label="Primary School")
    n, cap, sp, pw = plan["school_secondary"]
    for k in pick(n, sp, pw, []):
        add("school", k, cap, label="Academy")
    return tuple(out)
