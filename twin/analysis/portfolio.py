"""Portfolios under a budget: which set of candidate interventions buys the most benefit.

A candidate is one targeted intervention (in a run: an option holding it alone), with a cost and a
benefit estimated from the runs as its paired difference from do-nothing. A portfolio's benefit is
approximated as the **sum of its members' single-intervention benefits** (additivity). That ignores
interactions: two measures reaching the same people (alerts and outreach to the same vulnerable
residents) overlap, so the sum overstates; measures that need each other (training that makes alerts
reachable) understate. Verify the chosen portfolio by running it as one option
(:func:`portfolio_option` writes the option's scenario entry) and compare.

Overlap: options declare what they contain, their intervention specs (:func:`intervention_key`). Two
candidates that share a spec overlap (a package option already contains the single measure), and no
portfolio holds both: their benefits would be counted twice.

Search: every subset is enumerated when there are at most ``exact_limit`` candidates (exact);
beyond, a greedy pass by benefit per pound (with the best single affordable candidate as a guard,
the classic half-optimal knapsack heuristic). Candidates may share a ``group`` (e.g. the same
intervention at two targets): at most one per group is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from twin.errors import TwinError

__all__ = ["Candidate", "Portfolio", "candidates_from_appraisal", "choose_portfolio", "intervention_key",
           "pareto_front", "pareto_plot", "portfolio_option"]

EXACT_LIMIT = 16


@dataclass(frozen=True)
class Candidate:
    """A targeted intervention with its cost (GBP) and benefit (GBP or units) from the runs."""

    name: str
    cost: float
    benefit: float
    group: str | None = None
    interventions: tuple[dict, ...] = ()
    contains: frozenset[str] = frozenset()

    def overlaps(self, other: "Candidate") -> bool:
        """True when the two candidates share an intervention spec."""
        return bool(self.contains & other.contains)


def intervention_key(spec: dict) -> str:
    """A canonical text of one intervention spec: two options containing equal specs overlap."""
    import json

    return json.dumps(spec, sort_keys=True, default=str)


@dataclass(frozen=True)
class Portfolio:
    """The chosen candidates, their summed cost and (additive) benefit, and how they were found."""

    members: tuple[str, ...]
    cost: float
    benefit: float
    method: str
    budget: float
    interventions: tuple[dict, ...] = field(default=())


def candidates_from_appraisal(
    appraisal: xr.Dataset,
    pathway: str,
    *,
    benefit: str = "pv_benefit",
    cost: str = "first_year_cost",
    interventions: dict[str, list[dict]] | None = None,
) -> list[Candidate]:
    """One candidate per non-reference option: mean ``benefit`` across replicates under ``pathway``.

    Options should hold one intervention each for the additivity assumption to mean something;
    ``interventions`` (option -> specs) sets each candidate's group to its intervention type.
    """
    ref = appraisal.attrs.get("reference_option")
    out = []
    for o in appraisal["option"].values:
        o = str(o)
        if o == ref:
            continue
        b = appraisal[benefit].sel(option=o)
        if "pathway" in b.dims:
            b = b.sel(pathway=pathway)
        specs = tuple((interventions or {}).get(o, ()))
        group = specs[0]["type"] if len(specs) == 1 else None
        out.append(Candidate(o, float(appraisal[cost].sel(option=o)), float(b.mean()), group, specs,
                             frozenset(intervention_key(x) for x in specs)))
    return out


def _subsets(cands: Sequence[Candidate]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(cands)
    masks = np.arange(2**n, dtype=np.int64)
    bits = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(cands):
        if c.group is not None:
            groups.setdefault(c.group, []).append(i)
    ok = np.ones(len(masks), dtype=bool)
    for members in groups.values():
        if len(members) > 1:
            ok &= bits[:, members].sum(axis=1) <= 1
    for i, a in enumerate(cands):  # options that contain the same intervention never go together
        for j in range(i + 1, n):
            if a.overlaps(cands[j]):
                ok &= ~(bits[:, i] & bits[:, j])
    bits = bits[ok]
    cost = bits @ np.array([c.cost for c in cands], dtype=float)
    ben = bits @ np.array([c.benefit for c in cands], dtype=float)
    return bits, cost, ben


def choose_portfolio(candidates: Sequence[Candidate], budget: float, *, exact_limit: int = EXACT_LIMIT) -> Portfolio:
    """The affordable subset with the largest summed benefit (ties: the cheaper)."""
    cands = list(candidates)
    if budget < 0:
        raise TwinError("must be 0 or more", field="budget", value=budget)
    if len(cands) <= exact_limit:
        bits, cost, ben = _subsets(cands)
        ok = cost <= budget + 1e-9
        order = np.lexsort((cost[ok], -ben[ok]))
        pick = bits[ok][order[0]]
        chosen = [c for c, b in zip(cands, pick, strict=True) if b]
        method = f"exact: all {len(bits):,} subsets"
    else:
        chosen = _greedy(cands, budget)
        method = "greedy by benefit per pound (+ best single candidate)"
    return Portfolio(tuple(c.name for c in chosen), float(sum(c.cost for c in chosen)),
                     float(sum(c.benefit for c in chosen)), method, float(budget),
                     tuple(s for c in chosen for s in c.interventions))


def _greedy(cands: list[Candidate], budget: float) -> list[Candidate]:
    useful = [c for c in cands if c.benefit > 0]
    ratio = sorted(useful, key=lambda c: -(c.benefit / c.cost) if c.cost > 0 else -np.inf)
    chosen, spent, groups = [], 0.0, set()
    for c in ratio:
        if (spent + c.cost <= budget and (c.group is None or c.group not in groups)
                and not any(c.overlaps(x) for x in chosen)):
            chosen.append(c)
            spent += c.cost
            if c.group:
                groups.add(c.group)
    single = max((c for c in useful if c.cost <= budget), key=lambda c: c.benefit, default=None)
    if single is not None and single.benefit > sum(c.benefit for c in chosen):
        return [single]
    return chosen


def pareto_front(candidates: Sequence[Candidate], *, exact_limit: int = EXACT_LIMIT) -> Any:
    """Every subset's cost and benefit, flagged when on the cost-benefit Pareto front.

    Returns a DataFrame ``members, cost, benefit, on_front`` (front: no other subset costs no more
    and gives more benefit). Beyond ``exact_limit`` candidates the greedy sequence (adding by benefit
    per pound) is returned instead.
    """
    import pandas as pd

    cands = list(candidates)
    if len(cands) <= exact_limit:
        bits, cost, ben = _subsets(cands)
        names = [" + ".join(c.name for c, b in zip(cands, row, strict=True) if b) or "(none)" for row in bits]
    else:
        order = sorted(cands, key=lambda c: -(c.benefit / c.cost) if c.cost > 0 else -np.inf)
        cost = np.cumsum([0.0] + [c.cost for c in order])
        ben = np.cumsum([0.0] + [c.benefit for c in order])
        names = ["(none)"] + [" + ".join(c.name for c in order[: k + 1]) for k in range(len(order))]
    o = np.lexsort((-ben, cost))
    front = np.zeros(len(cost), dtype=bool)
    best = -np.inf
    for i in o:
        if ben[i] > best:
            front[i] = True
            best = ben[i]
    return pd.DataFrame({"members": names, "cost": cost, "benefit": ben, "on_front": front})


def pareto_plot(front: Any, *, chosen: Portfolio | None = None, budget: float | None = None, ax: Any = None,
                benefit_units: str = "£m, present value", cost_units: str = "£m", scale: float = 1e6) -> Any:
    """Scatter of every portfolio's cost and benefit, the Pareto front as a line, the budget and the choice.

    Money is divided by ``scale`` (default: £ millions, matching the default unit labels)."""
    from matplotlib.figure import Figure

    ax = ax if ax is not None else Figure(figsize=(7.5, 4.4), layout="constrained").add_subplot()
    c, b = front["cost"] / scale, front["benefit"] / scale
    ax.scatter(c, b, s=8, color="0.6", label="portfolios")
    on = front["on_front"].to_numpy()
    order = np.argsort(c[on].to_numpy())
    ax.step(c[on].to_numpy()[order], b[on].to_numpy()[order], where="post", color="C0",
            label="Pareto front (most benefit for the cost)")
    ax.scatter(c[on], b[on], s=16, color="C0")
    if budget is not None:
        ax.axvline(budget / scale, color="C3", linestyle="--", linewidth=1, label="budget")
    if chosen is not None:
        ax.scatter([chosen.cost / scale], [chosen.benefit / scale], s=80, facecolor="none", edgecolor="C3",
                   linewidth=1.5, label="chosen: " + (" + ".join(chosen.members) or "(none)"))
    ax.set_xlabel(f"cost ({cost_units})")
    ax.set_ylabel(f"benefit ({benefit_units})")
    ax.set_title("Portfolios of options that share no intervention: cost vs summed benefit", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def portfolio_option(portfolio: Portfolio, name: str = "portfolio") -> dict:
    """The scenario ``options`` entry that runs the portfolio as one option, to verify additivity."""
    return {"name": name, "description": "chosen portfolio: " + " + ".join(portfolio.members),
            "budget": portfolio.budget, "interventions": [dict(s) for s in portfolio.interventions]}
