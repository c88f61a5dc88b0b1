"""The few hostile inputs that need a real process: a 1 GB memory cap, /dev/zero, a FIFO with no writer.

``twin validate`` takes many files and answers one line each, so one capped subprocess checks them all;
a second runs ``twin run`` on an alias bomb hidden in place.yaml. A regression (alias expansion,
reading /dev/zero to the end, blocking on the FIFO) would hit the memory cap or the timeout.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from tests.adversarial.conftest import copy_place, run_scenario_text
from tests.adversarial.test_hostile_yaml import alias_bomb

GB = 1 << 30


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GB, GB))


def _twin(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "twin", *map(str, argv)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=_cap)


def test_validate_hostile_files_under_memory_cap(tiny_place_dir, tmp_path):
    good = run_scenario_text(tiny_place_dir)
    files = {
        "bomb.yaml": good + alias_bomb(12),
        "deep.yaml": good + "x: " + "[" * 100_000 + "\n",
        "nul.yaml": good + "\0",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with open(tmp_path / "huge.yaml", "wb") as f:  # 2 GB claimed: refused from its size, never read
        f.truncate(2 * GB)
    os.mkfifo(tmp_path / "fifo.yaml")  # no writer: opening it blocking would hang
    args = [*files, "huge.yaml", "fifo.yaml", "/dev/zero", "/dev/urandom"]
    proc = _twin("validate", *args, cwd=tmp_path)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr, proc.stderr
    assert len(lines) == len(args), proc.stderr
    for arg, line in zip(args, lines, strict=True):
        assert line.startswith(f"error: {arg}"), line
    assert proc.stdout == ""


def test_run_with_alias_bomb_in_place_yaml_under_memory_cap(tiny_place_dir, tmp_path):
    place = copy_place(tiny_place_dir, tmp_path / "place")
    (place / "place.yaml").write_text((place / "place.yaml").read_text() + alias_bomb(12))
    (tmp_path / "s.yaml").write_text(run_scenario_text(place))
    proc = _twin("run", "s.yaml", "-o", "out", "-q", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "anchors and aliases" in proc.stderr
    assert not (tmp_path / "out").exists()
