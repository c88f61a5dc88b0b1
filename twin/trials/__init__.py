"""Field trials in silico: designs, simulation with the twin, analysis and power.

Import-light: the heavy parts (statsmodels, matplotlib, the models) are imported by the
functions that need them. See :mod:`twin.trials.simulate` for the two-stage approach
(a few twin runs estimate the outcome model; many trials are then simulated from it).
"""

from __future__ import annotations

from typing import Any

from twin.trials.spec import DESIGNS, OutcomeSpec, TrialSpec

__all__ = ["DESIGNS", "OutcomeSpec", "TrialSpec", "power", "required_clusters", "run_trial_scenario"]


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
