"""Executors: where the runs of an ensemble are computed.

An executor takes an :class:`~twin.run.engine.EnsembleSpec` and the keys still to run, and
calls ``on_result(key, dataset, seconds)`` in the calling process as each run finishes, in
any order. The caller (``run_scenario``) stores each result, so only one process ever writes
the output directory, and results are the same whatever computed them: every run's random
numbers are derived from (seed, replicate, purpose), never from the order runs are done in.

- :class:`LocalExecutor`: this process (``jobs=1``) or a local process pool (``jobs>1``).
- :class:`DaskExecutor`: a Dask distributed cluster: a ``LocalCluster`` on this machine, or an
  existing scheduler by address (e.g. one started by dask-jobqueue on a SLURM system). Dask
  retries the runs of a worker that dies; needs the ``dask`` extra.

Workers build the ensemble once per process (:meth:`EnsembleSpec.build`) and ignore SIGINT,
so Ctrl-C reaches only the main process, which stops cleanly (finished runs are kept).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import xarray as xr

from twin._absent import init_worker
from twin.errors import TwinError
from twin.run.engine import Ensemble, EnsembleSpec, RunKey

__all__ = ["DaskExecutor", "Executor", "LocalExecutor", "make_executor", "run_task"]

OnResult = Callable[[RunKey, xr.Dataset, float], None]


class Executor(Protocol):
    """Runs keys of an ensemble and hands each result back to the caller."""

    name: str
    workers: int

    def map(self, spec: EnsembleSpec, keys: Sequence[RunKey], on_result: OnResult, *,
            ensemble: Ensemble | None = None) -> None: ...


def run_task(spec: EnsembleSpec, key: RunKey) -> tuple[RunKey, xr.Dataset, float]:
    """One run, in whichever process the executor chose (the ensemble is built once there)."""
    t0 = time.perf_counter()
    ds = spec.build().run_key(key)
    return key, ds, time.perf_counter() - t0




class LocalExecutor:
    """This process (``jobs=1``) or a pool of ``jobs`` spawned worker processes."""

    name = "local"

    def __init__(self, jobs: int = 1) -> None:
        if int(jobs) < 1:
            raise TwinError("must be at least 1", field="--jobs", value=jobs)
        self.workers = int(jobs)

    def map(self, spec: EnsembleSpec, keys: Sequence[RunKey], on_result: OnResult, *,
            ensemble: Ensemble | None = None) -> None:
        if self.workers == 1 or len(keys) <= 1:
            ens = ensemble or spec.build()
            for key in keys:
                t0 = time.perf_counter()
                ds = ens.run_key(key)
                on_result(key, ds, time.perf_counter() - t0)
            return
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from multiprocessing import get_context

        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"),
                                   initializer=init_worker)
        try:
            # keep at most 2 runs per worker in flight: results are stored as they come
            pending: set[Any] = set()
            todo = list(keys)
            while todo or pending:
                while todo and len(pending) < 2 * self.workers:
                    pending.add(pool.submit(run_task, spec, todo.pop(0)))
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    on_result(*fut.result())
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown(wait=True)


def _stop(pool: Any) -> None:
    """Stop a process pool at once (Ctrl-C, an error): its workers' current runs are abandoned.

    ``shutdown(wait=False)`` alone leaves each worker computing its current run after the main
    process has gone, holding the terminal's output open. ``ProcessPoolExecutor`` gains
    ``terminate_workers()`` in Python 3.14; until then its worker table is the way in.
    """
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.join(timeout=5)


class DaskExecutor:
    """A Dask distributed cluster: ``scheduler`` address, or a ``LocalCluster`` of ``workers``."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int = 2, *, client: Any = None) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError as err:
            raise TwinError("needs Dask: pip install 'placetwin[dask]'", field="--executor", value="dask") from err
        self.scheduler = scheduler
        self.workers = int(workers)
        self.client = client
        self._owns_client = False
        if client is None and scheduler:
            # connect now, so an unreachable scheduler is a one-line error before any output is touched
            self.client = self._connect(scheduler)
            self._owns_client = True

    @staticmethod
    def _connect(scheduler: str) -> Any:
        """A client of the scheduler at ``scheduler``, waiting as long as Dask's own connect timeout.

        That is ``distributed.comm.timeouts.connect`` in Dask's configuration (30 s by default; set
        ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=2m`` for a scheduler slow to answer).
        """
        import dask
        from distributed import Client

        try:
            return Client(scheduler, timeout=dask.config.get("distributed.comm.timeouts.connect"))
        except (OSError, TimeoutError) as err:
            raise TwinError(f"cannot reach the Dask scheduler ({err})", field="--scheduler", value=scheduler) from err

    def _client(self) -> tuple[Any, Any]:
        from distributed import Client, LocalCluster

        if self.client is None and self.scheduler:  # used again after a run closed its connection
            self.client, self._owns_client = self._connect(self.scheduler), True
        if self.client is not None:
            return self.client, None
        cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1")
        return Client(cluster), cluster

    def map(self, spec: EnsembleSpec, keys: Sequence[RunKey], on_result: OnResult, *,
            ensemble: Ensemble | None = None) -> None:
        from distributed import as_completed

        client, cluster = self._client()
        try:
            futures = [client.submit(run_task, spec, key, key=f"twin-{spec.digest}-{key.name}", pure=False,
                                     retries=3) for key in keys]
            for fut in as_completed(futures):
                on_result(*fut.result())
                fut.release()
        finally:
            if cluster is not None:
                client.close()
                cluster.close()
            elif self._owns_client:
                client.close()
                self.client = None


def make_executor(name: str = "local", *, jobs: int = 1, scheduler: str | None = None) -> Executor:
    """The executor called ``name`` (``local`` or ``dask``)."""
    if name == "local":
        if scheduler:
            raise TwinError("--scheduler goes with --executor dask", field="--scheduler", value=scheduler)
        return LocalExecutor(jobs)
    if name == "dask":
        return DaskExecutor(scheduler, workers=max(int(jobs), 2) if jobs else 2)
    raise TwinError("unknown executor", field="--executor", value=name, hint="valid: local, dask")
