"""Shared fixtures: a tiny place on disk and scenario files that run in a second or two."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def tiny_place_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny urban place written to disk once per session (read-only for tests)."""
    from twin.testing import write_tiny_place

    return write_tiny_place(tmp_path_factory.mktemp("places") / "tiny")


def scenario_text(place_dir: str | Path, /, **overrides: str) -> str:
    """YAML of a small two-option, two-pathway scenario on ``place``; override top-level blocks by name."""
    blocks = {
        "name": "name: tiny",
        "place": f"place: {place_dir}",
        "model": "model: heat_exposure",
        "pathways": "pathways: [baseline, gwl4]",
        "period": "period: {start: 2030-06-15, end: 2030-07-14}",
        "replicates": "replicates: 3",
        "seed": "seed: 42",
        "options": textwrap.dedent(
            """\
            options:
              - name: do_nothing
                interventions: []
              - name: canopy_all
                interventions:
                  - type: tree_canopy
                    increase: 0.2
                    target: all
            """
        ).rstrip(),
        "outputs": "outputs: {plots: false}",
    }
    blocks.update(overrides)
    return "\n".join(v for v in blocks.values() if v) + "\n"


@pytest.fixture
def write_scenario(tmp_path: Path, tiny_place_dir: Path):
    """Write a scenario on the tiny place to ``tmp_path`` and return its path."""

    def _write(name: str = "scenario.yaml", **overrides: str) -> Path:
        path = tmp_path / name
        path.write_text(scenario_text(tiny_place_dir, **overrides))
        return path

    return _write
