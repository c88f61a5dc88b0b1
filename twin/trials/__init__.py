"""Field trials in silico: designs, simulation with the twin, analysis and power.

Import-light: the heavy parts (statsmodels, matplotlib, the models) are imported by the
functions that need them. See :mod:`twin.trials.simulate` for the two-stage approach
(a few twin runs estimate the outcome model; many trials are then simulated from it).
"""

from __future__ import annotations

from typing import Any

from twin.trials.spec import DESIGNS, OutcomeSpec, TrialSpec

__all__ = ["DESIGNS", "OutcomeSpec", "TrialSpec", "clusters_needed", "plan_model", "power", "power_at",
           "required_clusters", "run_trial_scenario"]


def plan_model(*args: Any, **kwargs: Any) -> Any:
    """The trial's outcome model from the twin's (measurement, heterogeneity); see :func:`twin.trials.planning.plan_model`."""
    from twin.trials.planning import plan_model as _pm

    return _pm(*args, **kwargs)


def power_at(*args: Any, **kwargs: Any) -> Any:
    """Power at a number of clusters with intervals; see :func:`twin.trials.planning.power_at`."""
    from twin.trials.planning import power_at as _pa

    return _pa(*args, **kwargs)


def clusters_needed(*args: Any, **kwargs: Any) -> Any:
    """Clusters needed with intervals; see :func:`twin.trials.planning.clusters_needed`."""
    from twin.trials.planning import clusters_needed as _cn

    return _cn(*args, **kwargs)


def power(*args: Any, **kwargs: Any) -> Any:
    """Power by simulation; see :func:`twin.trials.power.power`."""
    from twin.trials.power import power as _power

    return _power(*args, **kwargs)


def required_clusters(*args: Any, **kwargs: Any) -> Any:
    """Smallest number of clusters reaching a power; see :func:`twin.trials.power.required_clusters`."""
    from twin.trials.power import required_clusters as _rc

    return _rc(*args, **kwargs)


def run_trial_scenario(*args: Any, **kwargs: Any) -> Any:
    """Run a scenario's ``trial:`` section; see :func:`twin.trials.run.run_trial_scenario`."""
    from twin.trials.run import run_trial_scenario as _run

    return _run(*args, **kwargs)
