"""Every scenario shipped in scenarios/ validates: the files users copy first must be right."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.cli import main

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("**/*.yaml"))


def test_there_are_bundled_scenarios():
    names = {p.name for p in SCENARIOS}
    assert {"quickstart.yaml", "projection_urban.yaml", "projection_rural.yaml"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_bundled_scenario_validates(path, capsys):
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("ok: ")
