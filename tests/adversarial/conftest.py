"""Helpers of the adversarial suite: hostile inputs through every entry point of the `twin` command.

Every case asserts the contract of a bad input: exit code 2, exactly one line on stderr that
starts with ``error:``, no traceback, and nothing written (no output directory left behind).
Cases run in-process through :func:`twin.cli.main` (fast); the few that need a memory cap, a FIFO
or ``/dev/zero`` run as subprocesses under ``resource.setrlimit(RLIMIT_AS, 1 GB)``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import scenario_text
from twin.cli import main

TRIAL = """trial:
  design: stepped_wedge
  periods: 3
  outcome: {variable: hot_day_exposure, per: 1000}
  intervention: {type: tree_canopy, increase: 0.1}
  n_sim: 50
  twin_replicates: 1
"""

PROJECTION = """name: tiny_projection
place: {place}
demography:
  base_year: 2023
  horizon: 2030
  variants: [principal]
"""


def run_scenario_text(place: Path | str, **overrides: str) -> str:
    """A small valid run scenario on ``place`` (the tests' standard one)."""
    return scenario_text(place, **overrides)


def trial_text(place: Path | str) -> str:
    return scenario_text(place, replicates="replicates: 1") + TRIAL


def projection_text(place: Path | str) -> str:
    return PROJECTION.format(place=place)


@pytest.fixture
def cli(capsys):
    """``cli(*argv) -> (code, stdout, stderr)`` through twin.cli.main in this process."""

    def _run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse
            code = exc.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


def assert_refused(code: int, err: str, *needles: str) -> str:
    """Exit 2, one line on stderr starting with 'error:', no traceback; return the line."""
    assert code == 2, f"exit {code}: {err}"
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), f"{len(lines)} lines on stderr: {err!r}"
    assert lines[0].startswith("error: "), lines[0]
    for n in needles:
        assert n in lines[0], f"{n!r} not in {lines[0]!r}"
    return lines[0]


def copy_place(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def nothing_left(tmp_path: Path, *names: str) -> None:
    """None of ``names`` (output directories) exists under tmp_path."""
    for n in names:
        assert not (tmp_path / n).exists(), f"{n} was left behind: {sorted(p.name for p in (tmp_path / n).iterdir())}"
