"""Report: the answer on the first page, readable tables, sources inside, no overlapping portfolio;
it renders in headless Chromium; zones.geojson in WGS84 with the indicators."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.small_results import small_results_dir

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report():
    from twin.report import write_report

    d = small_results_dir()
    path = write_report(d)
    return d, path, path.read_text(encoding="utf-8")


def test_report_answers_first_then_details_then_sources(report):
    d, path, text = report
    assert path == d / "report.html"
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', text)
    assert "<script" not in text and "<link" not in text
    order = ["The question", "The answer", "Who benefits and who is left out", "Caveats", "The place", "The options",
             "Costs and benefits", "Health and exposure", "Cost-effectiveness plane", "Differences from doing nothing",
             "What each option changes, where", "Equity: who gains, who is left out", "Community progress index",
             "Portfolio under the budget", "Sources", "Provenance"]
    at = [text.find(f">{s}</h2>") for s in order]
    assert all(i > 0 for i in at), [s for s, i in zip(order, at) if i < 0]
    assert at == sorted(at)
    first = text[: text.find(">The place</h2>")]
    # the recommendation per pathway, with its interval and cost, in words
    assert "outreach centres" in first and "2 °C of global warming" in first and "today&#x27;s climate" in first
    assert re.search(r"£\d+(\.\d)?m \(£[\d.]+m to £[\d.]+m\)", first)  # net benefit with its interval
    assert "provisional: only 6 replicates" in first
    assert "residents aged 85+" in first  # who gains
    # the caveat names the valuation the appraisal used (QALYs by default), not another one
    assert "at £70,000 a QALY, the Treasury&#x27;s basis for health" in first
    # readable numbers everywhere: no scientific notation, no snake_case column heads
    assert not re.search(r">\s*-?\d\.\d+e-?\d+", text)
    assert "pv_benefit" not in text and "deaths_averted_per_year" not in text
    # sources in the report itself, no file outside the repository
    assert "Gasparrini et al., Lancet Planetary Health 2022" in text and "FAC" "TS" not in text
    assert "abc123" in text and "Save the Children survey 2022" in text


def test_maps_only_of_what_options_change_and_no_overlapping_portfolio(report):
    _, _, text = report
    maps = text[text.find(">What each option changes, where</h2>"):text.find(">Equity: who gains")]
    assert maps.count("data:image/png;base64,") == 4  # outreach, centres, no_effect (noise in fakes), the package
    portfolio = text[text.find(">Portfolio under the budget</h2>"):text.find(">Sources</h2>")]
    chosen = re.search(r"choose <b>([^<]+)</b>", portfolio).group(1)
    assert not ("outreach centres" in chosen and ("outreach +" in chosen or "+ centres" in chosen))
    assert "Never combined" in portfolio and "outreach and outreach centres" in portfolio


def test_portfolio_never_holds_options_sharing_an_intervention():
    from twin.analysis.portfolio import Candidate, choose_portfolio, intervention_key

    a = {"type": "heat_health_outreach", "staff": 2.0}
    b = {"type": "cooling_centres"}
    key = intervention_key
    cands = [Candidate("outreach", 10.0, 100.0, contains=frozenset({key(a)})),
             Candidate("centres", 10.0, 60.0, contains=frozenset({key(b)})),
             Candidate("package", 20.0, 150.0, contains=frozenset({key(a), key(b)}))]
    # additive sums would pick outreach + package (310); they overlap, so never
    for budget in (30.0, 40.0, 1e9):
        p = choose_portfolio(cands, budget)
        assert not {"package", "outreach"} <= set(p.members) and not {"package", "centres"} <= set(p.members)
    assert set(choose_portfolio(cands, 30.0).members) == {"outreach", "centres"}
    assert choose_portfolio(cands, 1e9, exact_limit=0).members  # the greedy path respects overlaps too
    assert not {"package", "outreach"} <= set(choose_portfolio(cands, 1e9, exact_limit=0).members)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_report_renders_in_headless_chromium(report, tmp_path):
    import numpy as np
    from PIL import Image

    _, path, _ = report
    shot = tmp_path / "first_page.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1280,1600", path.as_uri()],
                   check=True, capture_output=True, timeout=120)
    img = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert img.shape == (1600, 1280, 3)
    # the first page's green frame (#2a6) is drawn, and nothing runs off to the right of the 1000 px column
    green = (abs(img[..., 0] - 0x22) < 20) & (abs(img[..., 1] - 0xaa) < 20) & (abs(img[..., 2] - 0x66) < 20)
    assert green.sum() > 2000
    ink = (img.sum(axis=2) < 600)
    cols = np.nonzero(ink.any(axis=0))[0]
    assert cols.max() < 1160, "something runs off the page to the right"


def test_zones_geojson_parses_in_wgs84_with_indicators(report):
    d, _, _ = report
    doc = json.loads((d / "zones.geojson").read_text())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 4
    props = doc["features"][0]["properties"]
    assert {"code", "deprivation_decile", "residents"} <= set(props)
    assert any(k.startswith("expected_attributable_deaths_per_1000__outreach__gwl2") for k in props)
    assert any(k.startswith("progress_index__centres__gwl2") for k in props)
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert -8 < lon < 2 and 49 < lat < 61  # Great Britain, longitude/latitude
    assert "crs" not in doc  # RFC 7946: WGS84 implied


def test_missing_results_is_a_one_line_error(tmp_path):
    from twin.errors import OutputError
    from twin.report import write_report

    with pytest.raises(OutputError, match="no results.nc"):
        write_report(tmp_path)
