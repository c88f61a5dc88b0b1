"""Hostile YAML (scenario files and place.yaml) through validate, run, project, trial and places.

Each case must be refused in one line with exit 2 before anything is parsed into memory it could
blow up (no alias expansion, no recursion), and leave no output directory behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adversarial.conftest import (
    assert_refused, copy_place, nothing_left, projection_text, run_scenario_text, trial_text,
)

MB = 1 << 20


def alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    return "\n".join(lines) + "\n"


# name -> (how to spoil a valid text: str -> bytes, words the message must hold)
HOSTILE: dict[str, tuple] = {
    "alias_bomb": (lambda t: (t + alias_bomb()).encode(), ("anchors and aliases",)),
    "recursive_alias": (lambda t: (t + "loop: &x [*x]\n").encode(), ("anchors and aliases",)),
    "merge_key_alias": (lambda t: (t + "base: &b {k: 1}\nother: {<<: *b}\n").encode(), ("anchors and aliases",)),
    "deep_flow_20000": (lambda t: (t + "deep: " + "[" * 20_000 + "]" * 20_000 + "\n").encode(), ("nesting",)),
    "deep_block_100": (lambda t: (t + "deep:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 101))).encode(),
                       ("nesting is too deep",)),
    "nul_byte": (lambda t: (t[:40] + "\0" + t[40:]).encode(), ("NUL", "byte 40")),
    "latin1": (lambda t: t.encode() + "description: café\n".encode("latin-1"), ("not UTF-8", "0xe9")),
    "impossible_date": (lambda t: t.replace("end: 2030-07-14", "end: 2030-02-30").encode(),
                        ("2030-02-30", "not a valid date")),
    "huge_integer": (lambda t: t.replace("seed: 42", "seed: " + "9" * 5000).encode(), ("too long",)),
    "seed_above_int64": (lambda t: t.replace("seed: 42", f"seed: {2**64}").encode(), ("seed",)),
    "negative_seed": (lambda t: t.replace("seed: 42", "seed: -1").encode(), ("seed",)),
    "python_tag": (lambda t: (t + "x: !!python/object/apply:os.system [echo hi]\n").encode(), ("safely",)),
    "two_documents": (lambda t: (t + "---\nname: again\n").encode(), ("more than one YAML document",)),
    "duplicate_key": (lambda t: (t + "seed: 43\n").encode(), ("appears twice",)),
    "control_char": (lambda t: (t + "description: \x07\n").encode(), ("not allowed",)),
    "empty": (lambda t: b"", ("empty",)),
    "top_level_list": (lambda t: b"- 1\n- 2\n", ("mapping",)),
    "bom_then_garbage": (lambda t: b"\xef\xbb\xbf\xff\xfe", ("not UTF-8",)),
    "nul_escape_in_place": (lambda t: "\n".join('place: "x\\0y"' if ln.startswith("place:") else ln
                                                for ln in t.splitlines()).encode() + b"\n", ("place", "control characters")),
    "nul_escape_in_climate": (lambda t: (t + 'climate: {source: "c\\0.nc"}\n').encode(),
                              ("climate.source", "control characters")),
    "unknown_place": (lambda t: "\n".join("place: atlantis" if ln.startswith("place:") else ln
                                          for ln in t.splitlines()).encode() + b"\n", (".yaml:2: place", "atlantis")),
    "year_0001": (lambda t: t.replace("start: 2030-06-15, end: 2030-07-14", "start: 0001-01-01, end: 0001-01-05")
                  .encode(), ("period.start", "0001-01-01")),
    "infinite_budget": (lambda t: t.replace("  - name: canopy_all", "  - name: canopy_all\n    budget: .inf").encode(),
                        ("budget", "finite")),
    "too_large_3MB": (lambda t: (t + "#" + "x" * (3 * MB) + "\n").encode(), ("too large",)),
}


def _write(tmp_path: Path, text: str, spoil) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(spoil(text))
    return path


#: project and trial read scenarios with the same reader as validate and run: a subset proves the wiring
SHARED_READER = ["alias_bomb", "recursive_alias", "deep_flow_20000", "nul_byte", "latin1", "impossible_date",
                 "huge_integer", "too_large_3MB"]
CASES = [(c, cmd) for cmd in ("validate", "run") for c in HOSTILE] + \
        [(c, cmd) for cmd in ("project", "trial") for c in SHARED_READER]


@pytest.mark.parametrize("case,command", CASES)
def test_hostile_scenario_yaml(case, command, tiny_place_dir, tmp_path, cli):
    spoil, needles = HOSTILE[case]
    base = {"validate": run_scenario_text, "run": run_scenario_text, "project": projection_text,
            "trial": trial_text}[command](tiny_place_dir)
    if command == "project":
        base = base.replace("name: tiny_projection", "name: tiny_projection\nseed: 42")
        if "end: 2030-07-14" not in base:
            base += "period_note: {end: 2030-07-14}\n"
    path = _write(tmp_path, base, spoil)
    argv = [command, path] + ([] if command == "validate" else ["-o", tmp_path / "out"])
    code, _, err = cli(*argv)
    assert_refused(code, err, *needles)
    nothing_left(tmp_path, "out")


@pytest.mark.parametrize("make", ["directory", "missing", "huge_sparse"])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_scenario_path_is_not_a_file(make, command, tmp_path, cli):
    path = tmp_path / "s.yaml"
    if make == "directory":
        path.mkdir()
    elif make == "huge_sparse":  # 50 MB claimed on disk, refused from its size without reading it
        with open(path, "wb") as f:
            f.truncate(50 * MB)
    code, _, err = cli(command, path, *([] if command == "validate" else ["-o", tmp_path / "out"]))
    assert_refused(code, err, {"directory": "is a directory", "missing": "not found", "huge_sparse": "too large"}[make])
    nothing_left(tmp_path, "out")


PLACE_YAML = {
    "alias_bomb": (lambda t: (t + alias_bomb()).encode(), "anchors and aliases"),
    "deep_flow": (lambda t: (t + "x: " + "{a: " * 5000 + "}" * 5000 + "\n").encode(), "nesting"),
    "nul_byte": (lambda t: (t + "\0").encode(), "NUL"),
    "latin1": (lambda t: t.encode() + "description: Bromley café\n".encode("latin-1"), "not UTF-8"),
    "region_typo": (lambda t: t.replace("region: London", "region: Londn").encode(), "did you mean 'London'"),
    "impossible_date": (lambda t: (t + "surveyed: 2030-02-30\n").encode(), "not a valid date"),
}


@pytest.mark.parametrize("case", list(PLACE_YAML))
@pytest.mark.parametrize("command", ["validate", "run", "project", "places"])
def test_hostile_place_yaml(case, command, tiny_place_dir, tmp_path, cli):
    spoil, needle = PLACE_YAML[case]
    place = copy_place(tiny_place_dir, tmp_path / "place")
    meta = place / "place.yaml"
    meta.write_bytes(spoil(meta.read_text()))
    if command == "places":
        code, _, err = cli("places", place)
    else:
        text = projection_text(place) if command == "project" else run_scenario_text(place)
        sc = tmp_path / "s.yaml"
        sc.write_text(text)
        code, _, err = cli(command, sc, *([] if command == "validate" else ["-o", tmp_path / "out"]))
    line = assert_refused(code, err, needle)
    assert "place.yaml" in line
    nothing_left(tmp_path, "out")


def test_validate_lists_every_problem_up_to_a_limit(tiny_place_dir, tmp_path, cli):
    from twin.scenario.checks import MAX_PROBLEMS

    text = run_scenario_text(tiny_place_dir).replace("seed: 42", "seed: -3").replace("replicates: 3", "replicates: 0")
    (tmp_path / "three.yaml").write_text(text + "colour: blue\n")
    (tmp_path / "many.yaml").write_text(run_scenario_text(tiny_place_dir)
                                        + "".join(f"extra_{i}: {i}\n" for i in range(MAX_PROBLEMS + 7)))
    code, out, err = cli("validate", tmp_path / "three.yaml", tmp_path / "many.yaml")
    lines = err.splitlines()
    assert code == 2 and out == "" and "Traceback" not in err
    three = [ln for ln in lines if "three.yaml" in ln]
    assert len(three) == 3 and any("seed" in ln for ln in three) and any("colour" in ln for ln in three)
    many = [ln for ln in lines if "many.yaml" in ln]
    assert len(many) == MAX_PROBLEMS + 1 and many[-1].endswith("7 more problems not shown")


def test_validate_collects_problems_of_the_run_checks(tiny_place_dir, tmp_path, cli):
    """Problems found after the schema (climate file, options on the place) are listed together too."""
    from tests.adversarial.test_bad_climate_and_outputs import _climate

    _climate(tmp_path / "clim.nc", start="2029-06-15", end="2029-07-14")
    text = run_scenario_text(tiny_place_dir, climate="climate: {source: clim.nc}").replace(
        "target: all", "target: {zones: [Z99]}")
    (tmp_path / "s.yaml").write_text(text)
    code, _, err = cli("validate", tmp_path / "s.yaml")
    lines = err.splitlines()
    assert code == 2 and len(lines) == 2, err
    assert "clim.nc" in lines[0] and "does not cover" in lines[0]
    assert "options[1]" in lines[1] and "Z99" in lines[1]
