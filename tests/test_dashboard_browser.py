"""The dashboard in a real browser: `twin dashboard` serves every page, and each control redraws what it should.

One server (the real ``twin dashboard`` command, on a free loopback port) and one headless
Chromium session: one test walks the pages in order through the navigation tabs, as a person
would, changes a control on each and checks that the drawing changed (:data:`STEPS`). A screenshot of
each page is saved under the module's temporary directory (and into ``$PLACETWIN_DASHBOARD_SHOTS``
when set, which is how ``docs/img/dashboard_*.png`` are made). Page load and map redraw times for
the urban borough are printed (run with ``-s`` to see them), never asserted.

Chromium: Debian's ``chromium`` package (Playwright cannot download its own browser here); the
tests are skipped, with the reason printed, only when no browser can be launched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.dashboard_fixtures import build_dashboard_dirs

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
WAIT_MS = 120_000


def _chromium() -> str | None:
    for cand in (os.environ.get("PLACETWIN_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                 shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if cand and Path(cand).is_file():
            return cand
    return None


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - the test extra installs it
        print(f"\nSKIP dashboard browser tests: playwright is not installed ({err})")
        pytest.skip(f"playwright is not installed: {err}")
    exe = _chromium()
    if exe is None:
        reason = "no chromium executable found (apt-get install chromium, or set PLACETWIN_CHROMIUM)"
        print(f"\nSKIP dashboard browser tests: {reason}")
        pytest.skip(reason)
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
    except Exception as err:  # noqa: BLE001 - any launch failure means: no browser here
        pw.stop()
        print(f"\nSKIP dashboard browser tests: {exe} cannot be launched ({err})")
        pytest.skip(f"{exe} cannot be launched: {err}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    """`twin dashboard URBAN PROJECTION --port N` started from a folder holding scenarios/tiny_health.yaml."""
    from twin.dashboard.server import free_port

    dirs = build_dashboard_dirs(tmp_path_factory.mktemp("dashboard"))
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    log = dirs["root"] / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "twin", "dashboard", str(dirs["urban"]), str(dirs["projection"]),
                                 "--port", str(port), "--runs", str(dirs["root"] / "runs")],
                                cwd=dirs["root"], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"twin dashboard exited with {proc.returncode}:\n{log.read_text()}")
            try:
                urllib.request.urlopen(url + "readyz", timeout=2)
                break
            except OSError:
                if time.perf_counter() - t0 > 120:
                    pytest.fail(f"twin dashboard did not answer in 120 s:\n{log.read_text()}")
                time.sleep(0.25)
        print(f"\ndashboard server ready in {time.perf_counter() - t0:.1f} s")
        yield {"url": url, "log": log, **dirs}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def session(browser, server, tmp_path_factory):
    """One browser tab (one dashboard session) for all the page tests, with every request recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(WAIT_MS)
    requests: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    shots = tmp_path_factory.mktemp("screenshots")
    yield {"page": page, "requests": requests, "failed": failed, "shots": shots, **server}
    page.close()


def _shot(session, name: str) -> Path:
    path = session["shots"] / f"dashboard_{name}.png"
    session["page"].screenshot(path=path, full_page=False)
    extra = os.environ.get("PLACETWIN_DASHBOARD_SHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)
    assert path.stat().st_size > 10_000  # a drawn page, not a blank one
    return path


def _src(page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("src") or ""


def _wait_src_change(page, selector: str, old: str) -> float:
    t0 = time.perf_counter()
    page.wait_for_function(
        "([sel, old]) => { const e = document.querySelector(sel); return e && e.getAttribute('src') !== old; }",
        arg=[selector, old], timeout=WAIT_MS)
    return time.perf_counter() - t0


def _nav(page, label: str, ready: str) -> None:
    page.get_by_role("tab", name=label, exact=True).click()
    page.locator(ready).first.wait_for(timeout=WAIT_MS)


def _choose(page, select_class: str, text: str) -> None:
    page.locator(f".{select_class}").first.click()
    page.locator(".v-overlay-container .v-list-item", has_text=text).first.click()


def _options_page_budget_slider_changes_the_portfolio(session):
    page = session["page"]
    t0 = time.perf_counter()
    page.goto(session["url"])
    page.locator(".table-comparison table").wait_for(timeout=WAIT_MS)
    page.locator(".fig-pareto").wait_for(timeout=WAIT_MS)
    print(f"\nOptions page load (urban borough, first page of a session): {time.perf_counter() - t0:.2f} s")
    assert "urban" in page.locator(".results-label").inner_text()
    table = page.locator(".table-comparison").inner_text()
    assert "NPV" in table and "P(best)" in table and "outreach" in table
    assert page.locator(".table-regret").count() == 1 and page.locator(".fig-forest").count() == 1
    members = page.locator(".portfolio-members")
    before, pareto = members.inner_text(), _src(page, ".fig-pareto")
    thumb = page.locator(".v-slider-thumb").first
    thumb.focus()
    page.keyboard.press("End")  # the whole budget: every candidate is affordable
    page.wait_for_function("old => document.querySelector('.portfolio-members').innerText !== old", arg=before,
                           timeout=WAIT_MS)
    rich = members.inner_text()
    assert "outreach" in rich, rich
    page.keyboard.press("Home")  # no budget: nothing is affordable
    page.wait_for_function("old => document.querySelector('.portfolio-members').innerText !== old", arg=rich,
                           timeout=WAIT_MS)
    assert "choose nothing" in members.inner_text()
    assert _src(page, ".fig-pareto") != pareto
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('.portfolio-members').innerText.includes('outreach')",
                           timeout=WAIT_MS)
    _shot(session, "options")


def _map_pathway_changes_the_map_and_a_click_shows_the_zone(session):
    page = session["page"]
    t0 = time.perf_counter()
    _nav(page, "Map", "img.zone-map")
    print(f"\nMap page open (urban borough, 20 zones and services): {time.perf_counter() - t0:.2f} s")
    old = _src(page, "img.zone-map")
    page.get_by_role("button", name="baseline", exact=True).click()
    took = _wait_src_change(page, "img.zone-map", old)
    print(f"Map redraw after a pathway change (urban borough): {took:.2f} s")
    old = _src(page, "img.zone-map")
    page.get_by_role("button", name="per 100,000", exact=True).click()
    _wait_src_change(page, "img.zone-map", old)
    assert page.locator(".zone-title").inner_text() == "No zone selected."
    box = page.locator("img.zone-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.42, box["y"] + box["height"] * 0.55)  # inside the borough
    page.wait_for_function("() => document.querySelector('.zone-title').innerText.startsWith('Z')", timeout=WAIT_MS)
    page.locator(".fig-zone-detail").wait_for(timeout=WAIT_MS)
    detail = page.locator(".table-zone-detail").inner_text()
    assert "residents" in detail and "unmet demand" in detail and "phone" in detail
    _shot(session, "map")


def _who_is_left_out_redraws_for_another_pathway(session):
    page = session["page"]
    _nav(page, "Who is left out", ".fig-left-out")
    table = page.locator(".table-left-out").inner_text()
    assert "deprivation decile" in table and "urban rural" in table and "channel" in table
    old = _src(page, ".fig-left-out")
    page.get_by_role("button", name="gwl4", exact=True).click()
    _wait_src_change(page, ".fig-left-out", old)
    _shot(session, "left_out")


def _futures_shows_the_projection_and_redraws_for_a_variant(session):
    page = session["page"]
    _nav(page, "Futures", ".fig-pyramid")
    assert "85+ in 2023" in page.locator(".table-futures").inner_text()
    assert page.locator(".fig-growth").count() == 1 and page.locator(".fig-demand").count() == 1
    old = _src(page, ".fig-pyramid")
    _choose(page, "futures-variant", "low_life_expectancy")
    _wait_src_change(page, ".fig-pyramid", old)
    _shot(session, "futures")


def _live_model_advances_day_by_day(session):
    page = session["page"]
    _nav(page, "Live model", ".live-build")
    _choose(page, "live-source", "bundled: tiny_health")
    page.locator(".live-build").click()
    page.locator(".fig-live").wait_for(timeout=WAIT_MS)
    day = page.locator(".live-day")
    assert day.inner_text().startswith("day 0 of 9"), day.inner_text()
    old = _src(page, ".fig-live")
    page.locator(".live-step").click()
    page.wait_for_function("() => document.querySelector('.live-day').innerText.startsWith('day 1 of 9')",
                           timeout=WAIT_MS)
    _wait_src_change(page, ".fig-live", old)
    page.locator(".live-play").click()
    page.wait_for_function("() => parseInt(document.querySelector('.live-day').innerText.split(' ')[1]) >= 3",
                           timeout=WAIT_MS)
    button = page.locator(".live-play")
    if button.inner_text().strip().lower() == "pause" and button.is_enabled():  # not yet at the last day
        button.click()
        page.get_by_role("button", name="Play").wait_for(timeout=WAIT_MS)
        paused = day.inner_text()
        page.wait_for_timeout(1000)
        assert day.inner_text() == paused  # paused: no more days
    assert "3,000 residents" in day.inner_text() and "expected heat deaths" in day.inner_text()
    _shot(session, "live")


def _run_page_runs_a_scenario_and_opens_the_result(session):
    page = session["page"]
    _nav(page, "Run", ".run-start")
    _choose(page, "run-scenario", "tiny_health")
    field = page.locator(".run-replicates input")
    field.fill("1")
    field.press("Enter")
    _shot(session, "run")
    page.locator(".run-start").click()
    page.locator(".run-progress, .run-done, .run-error").first.wait_for(timeout=WAIT_MS)
    assert page.locator(".run-error").count() == 0, page.locator(".run-error").inner_text()
    # done: the new result opens on the Options page
    page.wait_for_function("() => { const e = document.querySelector('.results-label'); "
                           "return e && e.innerText.includes('tiny_health_dashboard'); }", timeout=WAIT_MS)
    out = session["root"] / "runs" / "tiny_health_dashboard"
    assert (out / "results.nc").is_file()
    import xarray as xr

    with xr.open_dataset(out / "results.nc", engine="h5netcdf") as ds:  # the overrides reached the engine
        assert list(ds["pathway"].values) == ["baseline"] and ds.sizes["replicate"] == 1
    page.locator(".table-comparison").wait_for(timeout=WAIT_MS)


def _no_request_left_the_machine(session):
    """Offline: every request went to the dashboard on loopback (or stayed in the page), and none failed."""
    url = session["url"]
    outside = [u for u in session["requests"] if not u.startswith((url, "blob:", "data:"))]
    assert session["requests"] and not outside, outside
    assert not session["failed"], session["failed"]
    assert "Traceback" not in session["log"].read_text()


#: The pages in the order a person meets them. Each step goes on from where the one before left the
#: tab (Options loads the page; Map chooses the pathway that Who is left out then changes), so they run
#: as one test: as separate tests, pytest-xdist could send them to different workers, each with a
#: blank tab of its own. A failure names its step in the traceback.
STEPS = (_options_page_budget_slider_changes_the_portfolio, _map_pathway_changes_the_map_and_a_click_shows_the_zone,
         _who_is_left_out_redraws_for_another_pathway, _futures_shows_the_projection_and_redraws_for_a_variant,
         _live_model_advances_day_by_day, _run_page_runs_a_scenario_and_opens_the_result)


def test_every_page_in_a_browser_offline(session):
    """Every page, in order, with its controls; then: no request left the machine and none failed."""
    for step in STEPS:
        step(session)
    _no_request_left_the_machine(session)
