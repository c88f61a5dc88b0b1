"""Scenario files: every bad input is one ScenarioError naming file, line and key; good files round-trip."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import pytest
import yaml

from twin.errors import ScenarioError
from twin.interventions import names as intervention_names
from twin.scenario import Scenario, json_schema, load, loads, pathway_names

REPO = Path(__file__).resolve().parents[1]

# line numbers matter: the cases below point at them
BASE = """\
name: t
place: urban_borough
model: heat_exposure
pathways: [baseline, gwl2]
period: {start: 2030-06-01, end: 2030-08-31}
replicates: 5
seed: 1
options:
  - name: do_nothing
    interventions: []
  - name: canopy
    interventions:
      - type: tree_canopy
        increase: 0.1
        target: {top: 2, by: heat_exposure}
"""


def _edit(line: int | None = None, text: str | None = None, append: str | None = None) -> str:
    lines = BASE.splitlines()
    if line is not None:
        lines[line - 1 : line] = [] if text is None else text.splitlines()
    if append is not None:
        lines.extend(append.splitlines())
    return "\n".join(lines) + "\n"


# (id, yaml text, line, key, fragments the message must hold)
BAD = [
    ("unknown-top-key", _edit(append="optoins: []"), 16, "optoins", ["unknown key", "did you mean 'options'"]),
    ("misspelt-required-key", _edit(7, "sed: 1"), 7, "sed", ["unknown key", "'seed'"]),
    ("unknown-nested-key", _edit(append="outputs: {plot: true}"), 16, "outputs.plot", ["did you mean 'plots'"]),
    ("missing-key", _edit(6), 1, "replicates", ["missing required key"]),
    ("wrong-type", _edit(6, "replicates: five"), 6, "replicates", ["valid integer", "'five'"]),
    ("quoted-number", _edit(6, 'replicates: "5"'), 6, "replicates", ["valid integer"]),
    ("replicates-zero", _edit(6, "replicates: 0"), 6, "replicates", ["(got 0)", "1 <= value <= 1000"]),
    ("replicates-too-many", _edit(6, "replicates: 1001"), 6, "replicates", ["1 <= value <= 1000"]),
    ("negative-seed", _edit(7, "seed: -1"), 7, "seed", ["(got -1)", "0 <= value"]),
    ("increase-out-of-range", _edit(14, "        increase: 0.8"), 14, "options[1].interventions[0].increase", ["0.8", "0 < value <= 0.5"]),
    ("unknown-pathway", _edit(4, "pathways: [baseline, gwl5]"), 4, "pathways[1]", ["unknown pathway", "'gwl5'", "gwl1.5"]),
    ("duplicate-pathway", _edit(4, "pathways: [gwl2, gwl2]"), 4, "pathways[1]", ["twice", "'gwl2'"]),
    ("empty-pathways", _edit(4, "pathways: []"), 4, "pathways", ["must not be empty"]),
    ("unknown-model", _edit(3, "model: heat_exposur"), 3, "model", ["unknown model", "heat_exposure"]),
    ("unknown-model-parameter", _edit(append="parameters: {day_thresh: 30}"), 16, "parameters.day_thresh", ["unknown key", "day_threshold"]),
    ("bad-model-parameter", _edit(append="parameters:\n  day_threshold: 60"), 17, "parameters.day_threshold", ["(got 60)", "valid:"]),
    ("unknown-intervention", _edit(13, "      - type: trees"), 13, "options[1].interventions[0].type", ["unknown intervention type", "'trees'", "cool_roofs, cooling_centres"]),
    ("intervention-without-type", _edit(13, "      - max_canopy: 0.5"), 13, "options[1].interventions[0].type", ["missing", "tree_canopy"]),
    ("unknown-intervention-key", _edit(append="        colour: green"), 16, "options[1].interventions[0].colour", ["unknown key", "increase"]),
    ("duplicate-option", _edit(11, "  - name: do_nothing"), 11, "options[1].name", ["duplicate option name", "'do_nothing'"]),
    ("bad-option-name", _edit(11, "  - name: tree canopy"), 11, "options[1].name", ["must start with a letter"]),
    ("negative-budget", _edit(11, "  - name: canopy\n    budget: -5"), 12, "options[1].budget", ["(got -5)"]),
    ("empty-options", _edit(8, "options: []")[: _edit(8, "options: []").index("options: []") + 12], 8, "options", ["must not be empty"]),
    ("interventions-not-a-list", _edit(10, "    interventions: tree_canopy"), 10, "options[0].interventions", ["must be a list"]),
    ("end-before-start", _edit(5, "period: {start: 2030-06-01, end: 2030-05-01}"), 5, "period.end", ["after period.start", "2030-05-01"]),
    ("period-too-long", _edit(5, "period: {start: 2030-06-01, end: 2099-05-01}"), 5, "period.end", ["too long", "50 years"]),
    ("period-not-a-mapping", _edit(5, "period: 2030"), 5, "period", ["must be a mapping"]),
    ("bad-date-text", _edit(5, "period: {start: June, end: 2030-05-01}"), 5, "period.start", ["YYYY-MM-DD", "'June'"]),
    ("target-bad-form", _edit(15, "        target: {klass: urban}"), 15, "options[1].interventions[0].target", ["not a valid target", "{class: urban|rural}"]),
    ("target-bad-word", _edit(15, "        target: everywhere"), 15, "options[1].interventions[0].target", ["not a valid target", "'everywhere'"]),
    ("target-bad-indicator", _edit(15, "        target: {top: 2, by: heat}"), 15, "options[1].interventions[0].target.by", ["unknown indicator", "heat_exposure"]),
    ("target-top-zero", _edit(15, "        target: {top: 0, by: density}"), 15, "options[1].interventions[0].target.top", ["(got 0)"]),
    ("target-empty-zones", _edit(15, "        target: {zones: []}"), 15, "options[1].interventions[0].target.zones", ["must not be empty"]),
    ("target-bad-class", _edit(15, "        target: {class: suburban}"), 15, "options[1].interventions[0].target.class", ["'suburban'", "urban, rural"]),
    ("climate-file-missing", _edit(append="climate: {source: no_such.nc}"), 16, "climate.source", ["not found", "'no_such.nc'"]),
]


@pytest.mark.parametrize(("text", "line", "key", "fragments"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_names_file_line_and_key(tmp_path, text, line, key, fragments):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}:{line}: {key}: "), msg
    for fragment in fragments:
        assert fragment in msg
    assert "\n" not in msg


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty"),
        ("# only a comment\n", 1, "empty"),
        ("- a\n- b\n", 1, "mapping"),
        ("just words\n", 1, "mapping"),
        ("name: t\nplace: [unclosed\nmodel: x\n", 3, "YAML syntax error"),
        ("name: t\n\tplace: x\n", 2, "YAML syntax error"),
        ("name: t\nname: u\n", 2, "appears twice"),
        ("name: t\n---\nname: u\n", 2, "more than one YAML document"),
        ("period: {start: 2030-02-30, end: 2030-03-01}\n", 1, "not a valid date"),
        ("name: !!python/object:os.system x\n", 1, "cannot be read safely"),
    ],
)
def test_malformed_file(tmp_path, text, line, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=fragment) as info:
        load(path)
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load(tmp_path / "nope.yaml")


def test_all_problems_are_kept_and_counted():
    text = _edit(6, "replicates: 0").replace("seed: 1", "seed: -1")
    with pytest.raises(ScenarioError, match="1 more problem") as info:
        loads(text, file="s.yaml")
    assert [e.line for e in info.value.errors] == [6, 7]


def test_quickstart_is_valid_and_keeps_provenance():
    path = REPO / "scenarios" / "quickstart.yaml"
    sc = load(path)
    assert isinstance(sc, Scenario)
    assert sc.path == path and sc.base_dir == path.resolve().parent
    assert sc.text == path.read_text()
    assert sc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sc.pathways == ["baseline", "gwl2"] and sc.replicates == 5
    assert [o.name for o in sc.options] == ["do_nothing", "canopy_hottest"] and sc.reference.name == "do_nothing"
    (canopy,) = sc.option("canopy_hottest").interventions
    assert canopy.type == "tree_canopy" and canopy.increase == 0.15
    assert canopy.target.top == 5 and canopy.target.by == "heat_exposure"
    assert sc.period.days == 92 and sc.period.time()[0].month == 6
    assert sc.climate_path is None and sc.model_params is not None


def test_round_trip_through_yaml():
    text = _edit(15, "        target: {class: urban}") + "outputs: {plots: false}\n"
    sc = loads(text)
    dumped = yaml.safe_dump(sc.model_dump(mode="json", by_alias=True), sort_keys=False)
    again = loads(dumped)
    assert again.model_dump() == sc.model_dump()
    assert again.options[1].interventions[0].target.class_ == "urban"
    assert sc.sha256 != again.sha256  # hashes the text, not the meaning


def test_pickles_for_worker_processes():
    sc = load(REPO / "scenarios" / "quickstart.yaml")
    again = pickle.loads(pickle.dumps(sc))
    assert again == sc and (again.path, again.base_dir, again.sha256) == (sc.path, sc.base_dir, sc.sha256)
    assert pickle.loads(pickle.dumps(sc.options[1])) == sc.options[1]


def test_defaults_and_relative_climate_file(tmp_path):
    (tmp_path / "weather.nc").write_bytes(b"")
    sc = load(_write(tmp_path, _edit(append="climate: {source: weather.nc}")))
    assert sc.climate_path == (tmp_path / "weather.nc").resolve()
    assert sc.outputs.plots is True and sc.outputs.daily_by_age is False
    assert sc.options[1].interventions[0].max_canopy == 0.6
    assert loads(_edit(15)).options[1].interventions[0].target == "all"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return path


def test_json_schema_is_built_from_the_registries():
    schema = json_schema()
    json.dumps(schema)  # serialisable
    defs = schema["$defs"]
    for name in intervention_names():
        spec = next(d for d in defs.values() if d.get("properties", {}).get("type", {}).get("const") == name)
        assert "target" in spec["properties"] and spec["additionalProperties"] is False
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]["pathways"]["items"]["enum"]) == set(pathway_names())
    model = schema["properties"]["model"]
    assert "heat_exposure" in model.get("enum", [model.get("const")])
    assert any(rule["if"]["properties"]["model"]["const"] == "heat_exposure" for rule in schema["allOf"])


def test_pathways_match_the_climate_module():
    from twin.climate import pathways
    from twin.scenario import _FALLBACK_PATHWAYS

    assert tuple(pathways.PATHWAYS) == _FALLBACK_PATHWAYS == pathway_names()


def test_run_cost_comes_from_each_models_measured_rate_and_the_places_residents(tmp_path):
    """``twin validate``'s time estimate: every model has a measured rate; a flood run-day costs more
    than a heat one; more residents cost more; an unreadable place falls back to the flat rate."""
    from twin.models import get_model, model_names
    from twin.scenario.checks import SECONDS_PER_RUN, SECONDS_PER_RUN_DAY, run_cost

    rates = {m: get_model(m).seconds_per_resident_day for m in model_names()}
    assert all(r > 0 for r in rates.values()), rates
    assert rates["heat_and_flood"] == pytest.approx(rates["heat_health"] + rates["flood"])
    assert rates["flood"] > 10 * rates["heat_health"]
    per_day = {}
    for name in ("quickstart", "flood_urban", "heat_health_urban", "heat_health_rural"):
        sc = load(REPO / "scenarios" / f"{name}.yaml")
        runs, run_days, seconds = run_cost(sc)
        per_day[name] = (seconds - runs * SECONDS_PER_RUN) / run_days
    assert per_day["flood_urban"] > 10 * per_day["quickstart"]
    assert per_day["heat_health_urban"] == pytest.approx(per_day["heat_health_rural"] * 150_000 / 60_000)
    lost = loads(BASE.replace("place: urban_borough", f"place: {tmp_path / 'nowhere'}"), base_dir=tmp_path)
    runs, run_days, seconds = run_cost(lost)
    assert seconds == run_days * SECONDS_PER_RUN_DAY
