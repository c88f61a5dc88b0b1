"""Stage 3, the run: every (option, pathway, replicate) of a scenario, with common random numbers.

In:  a validated :class:`~twin.scenario.Scenario`.
Out: a result (``results.nc``: option × pathway × replicate × time × zone [× group], with
     CF attributes and provenance; ``indicators.csv``; ``plots/``; ``manifest.json``),
     written once, whole, by the writer.

Modules: ``engine`` (the :class:`Ensemble` built once per process, and ``run_scenario``),
``writer`` (claim, stage, write, publish).
"""

from twin.run.engine import Ensemble, RunKey, check_scenario, run_scenario, stream

__all__ = ["Ensemble", "RunKey", "check_scenario", "run_scenario", "stream"]
