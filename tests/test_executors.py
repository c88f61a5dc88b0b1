"""Executors and interruptions: the same results on any executor, after a killed worker, and after SIGKILL/SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from tests.conftest import scenario_text
from twin.run import DaskExecutor, load_results, run_scenario
from twin.run.store import decode
from twin.scenario import load

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"period": "period: {start: 2030-07-01, end: 2030-07-10}", "replicates": "replicates: 5"}


@pytest.fixture(scope="module")
def small(tmp_path_factory, tiny_place_dir):
    """A 20-run scenario (2 options x 2 pathways x 5 replicates of 10 days) and its uninterrupted local result."""
    d = tmp_path_factory.mktemp("small")
    path = d / "s.yaml"
    path.write_text(scenario_text(tiny_place_dir, **SMALL))
    result = run_scenario(load(path), d / "local", progress=False)
    with xr.open_dataset(result.path / "results.nc", engine="h5netcdf") as ds:
        return path, ds.load()


def _same(a: xr.Dataset, path: Path) -> None:
    with xr.open_dataset(path / "results.nc", engine="h5netcdf") as b:
        assert set(a.data_vars) == set(b.data_vars)
        for name in a.data_vars:
            np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as c, distributed.Client(c) as client:
        yield client


def test_dask_cluster_gives_the_local_results_bit_for_bit(small, cluster, tmp_path):
    path, local = small
    res = run_scenario(load(path), tmp_path / "dask", executor=DaskExecutor(client=cluster), progress=False)
    assert res.manifest["timings_seconds"]["executor"] == "dask"
    _same(local, res.path)


def test_a_killed_dask_worker_has_its_runs_retried_and_the_result_is_unchanged(small, cluster, tmp_path):
    path, local = small
    pids = list(cluster.run(os.getpid).values())
    killed = []

    def kill_one_worker(key, seconds):
        if not killed:  # after the first run arrives, kill a worker process mid-ensemble
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    res = run_scenario(load(path), tmp_path / "killed", executor=DaskExecutor(client=cluster), on_run=kill_one_worker,
                       progress=False)
    assert killed
    _same(local, res.path)


def _twin(*args: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-m", "twin", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_runs(runs: Path, n: int, proc: subprocess.Popen, timeout: float = 1200) -> None:
    t0 = time.monotonic()
    while len(list(runs.glob("o*.npz"))) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < timeout, "runs did not appear"
        time.sleep(0.05)


def _interrupt(path: Path, out: Path, sig: int, stored: int, jobs: int = 1) -> tuple[int, str]:
    """Start ``twin run``, wait until ``stored`` runs are stored, send ``sig``; its exit code and stderr.

    Its stderr is read to the end: a worker process left running after the main one has gone would
    hold it open, and the test would time out. Exit code 0: the run finished before the signal
    arrived (the last runs and the assembly take about two seconds, and a loaded machine can keep
    this process from looking for that long); the caller tries again.
    """
    proc = _twin("run", str(path), "-o", str(out), "-q", "--no-plots", "--jobs", str(jobs), cwd=out.parent)
    _wait_for_runs(out / ".runs", stored, proc)  # then signal at once: the run is still going
    proc.send_signal(sig)
    err = proc.communicate(timeout=300)[1]
    if proc.returncode == 0:
        return 0, err
    assert not (out / "results.nc").exists()  # nothing half-written
    for f in (out / ".runs").glob("o*.npz"):  # every stored run is whole
        decode(f)
    return proc.returncode, err


def test_an_interrupted_then_killed_run_resumes_to_the_same_result(small, tmp_path):
    """Ctrl-C of a two-worker run (one line, exit 130, no worker left behind), then SIGKILL of the
    resumed run, then a third run finishes the job."""
    path, local = small
    for attempt in range(3):  # a run that finished before its signal arrived tests nothing: again
        out = tmp_path / f"out{attempt}"
        code, err = _interrupt(path, out, signal.SIGINT, 1, jobs=2)
        if code == 0:
            continue
        lines = err.strip().splitlines()
        assert code == 130
        assert len(lines) == 1 and lines[0].startswith("interrupted") and "Traceback" not in err, lines
        first = len(list((out / ".runs").glob("o*.npz")))
        code, _ = _interrupt(path, out, signal.SIGKILL, first + 1)  # the resumed run stores one more, then dies
        if code == 0:
            continue
        assert code == -signal.SIGKILL
        break
    else:
        pytest.fail("in 3 attempts, every run finished before its signal arrived")
    proc = _twin("run", str(path), "-o", str(out), "-q", "--no-plots", cwd=tmp_path)
    _, err = proc.communicate(timeout=1200)
    assert proc.returncode == 0, err
    res = load_results(out)
    assert res.manifest["timings_seconds"]["runs_resumed"] >= first + 1
    res.close()
    _same(local, out)


@pytest.mark.parametrize("args, field", [
    (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler"),             # a scheduler without --executor dask
    (["--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"], "--scheduler"),  # no scheduler listening there
])
def test_bad_executor_options_are_one_line_errors_and_write_nothing(small, tmp_path, capsys, args, field):
    from twin.cli import main

    import dask

    path, _ = small
    out = tmp_path / "out"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):  # nothing listens there: do not wait long
        code = main(["run", str(path), "-o", str(out), "-q", *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and field in err[0] and "Traceback" not in err[0]
    assert not out.exists()


def _dask_loaded() -> bool:
    import sys

    import xarray as xr

    xr.DataArray(np.zeros(3))  # xarray's first array looks for every installed array library
    return sys.modules.get("dask") is not None


def test_local_workers_and_twin_commands_do_not_import_dask_but_run_executor_dask_does():
    """Importing dask.array costs about a second in every process; only `--executor dask` needs it."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from twin.cli import _wants_dask
    from twin._absent import init_worker

    with ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=init_worker) as pool:
        assert pool.submit(_dask_loaded).result() is False
    code = ("import sys, numpy, xarray\nfrom twin.cli import console\nrc = console(['places'])\n"
            "xarray.DataArray(numpy.zeros(3))\nprint(rc, sys.modules.get('dask') is not None)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.stdout.split()[-2:] == ["0", "False"], proc.stdout + proc.stderr
    assert _wants_dask(["run", "s.yaml", "--executor", "dask"]) and _wants_dask(["run", "--executor=dask"])
    assert not _wants_dask(["run", "s.yaml", "--executor", "local"]) and not _wants_dask(["run", "dask.yaml"])
