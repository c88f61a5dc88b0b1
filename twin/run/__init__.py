"""Stage 3, the run: every (option, pathway, replicate) of a scenario, with common random numbers.

In:  a validated :class:`~twin.scenario.Scenario`.
Out: a :class:`RunResult`: ``results.nc`` (option × pathway × replicate × time × zone [× group],
     CF attributes, provenance, the options' costs and specs), ``indicators.nc`` and
     ``indicators.csv`` (computed once), ``plots/``, ``manifest.json`` and ``run.log``, written
     once and whole by the writer.

Modules: ``streams`` (every random stream's key), ``spec`` (what identifies an ensemble and a
run: :class:`EnsembleSpec`, :class:`RunKey`), ``engine`` (the :class:`Ensemble`, built once
per process, and the one loop that runs a model), ``executors`` (this process, a local pool,
a Dask cluster), ``store`` (finished runs pinned to their inputs, for resume), ``assemble``
(results.nc run by run), ``writer`` (claim, lock, stage, publish; atomic writes; the
manifest), ``runner`` (``run_scenario``).
"""

from twin.run.engine import Ensemble, check_scenario
from twin.run.spec import EnsembleSpec, RunKey, stream, time_index
from twin.run.executors import DaskExecutor, LocalExecutor, make_executor
from twin.run.runner import RESULT_FILES, RunResult, load_results, run_scenario
from twin.run.streams import PURPOSES, RunStreams

__all__ = [
    "PURPOSES",
    "RESULT_FILES",
    "DaskExecutor",
    "Ensemble",
    "EnsembleSpec",
    "LocalExecutor",
    "RunKey",
    "RunResult",
    "RunStreams",
    "check_scenario",
    "load_results",
    "make_executor",
    "run_scenario",
    "stream",
    "time_index",
]


# ``twin.run`` is both this stage package and, for notebooks, the function that runs a scenario
# (``twin.run(scenario, out)``, see :func:`twin._api.run`): the module is made callable.
import sys as _sys
import types as _types


class _CallableModule(_types.ModuleType):
    def __call__(self, scenario, out=None, **kw):  # noqa: ANN001, ANN204
        from twin._api import run as _run

        return _run(scenario, out, **kw)


_sys.modules[__name__].__class__ = _CallableModule
