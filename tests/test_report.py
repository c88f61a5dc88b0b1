"""Report: self-contained report.html with every section; zones.geojson in WGS84 with the indicators."""

from __future__ import annotations

import json
import re

import pytest

from tests.appraisal_fakes import fake_results
from twin.testing import write_tiny_place

SCENARIO = """name: fake
description: Which heat measures protect most per pound?
place: tiny
model: heat_exposure
pathways: [baseline, gwl2, gwl4]
period: {start: 2030-07-01, end: 2030-07-30}
replicates: 8
seed: 1
options:
  - name: do_nothing
    interventions: []
  - name: no_effect
    interventions:
      - {type: digital_inclusion, share: 0.1}
  - name: outreach
    budget: 60000
    interventions:
      - {type: heat_health_outreach, staff: 2.0, target: {top: 2, by: deprivation}}
  - name: centres
    interventions:
      - {type: cooling_centres, target: {class: urban}}
"""


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    from twin.report import write_report

    d = tmp_path_factory.mktemp("results")
    write_tiny_place(d, "tiny", n_zones=4, residents=4000, seed=1)
    (d / "s.yaml").write_text(SCENARIO)
    r = fake_results()
    r.attrs.update(scenario=SCENARIO, scenario_name="fake")
    r.to_netcdf(d / "results.nc", engine="h5netcdf")
    (d / "manifest.json").write_text(json.dumps({"placetwin_version": "test", "seed": 1, "replicates": 8,
                                                 "scenario": {"name": "fake", "path": str(d / "s.yaml"), "sha256": "abc123"},
                                                 "input_checksums": {"place/grid.nc": "f00"}}))
    path = write_report(d)
    return d, path


def test_report_is_self_contained_and_has_every_section(report_dir):
    d, path = report_dir
    assert path == d / "report.html"
    text = path.read_text()
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', text)
    assert "<script" not in text and "<link" not in text
    for section in ("The question", "The place", "The options", "Cost-effectiveness plane",
                    "Forest plot of paired differences", "Maps per option", "Equity: who is left out",
                    "Community progress index", "Portfolios under the budget", "Assumptions and sources", "Provenance"):
        assert f">{section}</h2>" in text, section
    assert text.count("data:image/png;base64,") >= 8
    assert "abc123" in text and "Save the Children survey 2022" in text and "Green Book" in text


def test_zones_geojson_parses_in_wgs84_with_indicators(report_dir):
    d, _ = report_dir
    doc = json.loads((d / "zones.geojson").read_text())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 4
    props = doc["features"][0]["properties"]
    assert {"code", "deprivation_decile", "residents"} <= set(props)
    assert any(k.startswith("expected_attributable_deaths_per_1000__outreach__gwl2") for k in props)
    assert any(k.startswith("progress_index__centres__gwl4") for k in props)
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert -8 < lon < 2 and 49 < lat < 61  # Great Britain, longitude/latitude
    assert "crs" not in doc  # RFC 7946: WGS84 implied


def test_missing_results_is_a_one_line_error(tmp_path):
    from twin.errors import OutputError
    from twin.report import write_report

    with pytest.raises(OutputError, match="no results.nc"):
        write_report(tmp_path)
