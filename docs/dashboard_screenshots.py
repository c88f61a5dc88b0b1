"""Take the README's dashboard screenshots (docs/img/dashboard_*.png) from real results.

    twin run scenarios/appraisal_urban.yaml -o results/appraisal_urban --replicates 3 --no-plots
    twin project scenarios/projection_urban.yaml -o results/projection_urban
    python docs/dashboard_screenshots.py results/appraisal_urban results/projection_urban

Starts ``twin dashboard`` on a free loopback port, drives Debian's chromium with Playwright
through every page (a zone clicked on the map, the live model of heat_health_urban stepped a
few days) and writes one PNG per page.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"


def main(results: str, projection: str) -> None:
    from playwright.sync_api import sync_playwright

    from twin.dashboard.server import free_port

    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    proc = subprocess.Popen([sys.executable, "-m", "twin", "dashboard", results, projection, "--port", str(port)],
                            cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "readyz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                   args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                         "--disable-component-update", "--no-first-run"])
            page = b.new_page(viewport={"width": 1280, "height": 1100})
            page.set_default_timeout(300_000)
            page.goto(url)
            page.locator(".fig-pareto").wait_for()
            page.locator(".table-comparison").scroll_into_view_if_needed()
            page.screenshot(path=OUT / "dashboard_options.png")

            def nav(label: str, ready: str) -> None:
                page.get_by_role("tab", name=label, exact=True).click()
                page.locator(ready).first.wait_for()

            nav("Map", "img.zone-map")
            box = page.locator("img.zone-map").bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
            page.locator(".fig-zone-detail").wait_for()
            page.screenshot(path=OUT / "dashboard_map.png")
            nav("Who is left out", ".fig-left-out")
            page.screenshot(path=OUT / "dashboard_left_out.png")
            nav("Futures", ".fig-pyramid")
            page.screenshot(path=OUT / "dashboard_futures.png")
            nav("Run", ".run-start")
            page.screenshot(path=OUT / "dashboard_run.png")
            nav("Live model", ".live-build")
            page.locator(".live-source").first.click()
            page.locator(".v-overlay-container .v-list-item", has_text="bundled: heat_health_urban").first.click()
            page.locator(".live-build").click()
            page.locator(".fig-live").wait_for()
            for day in range(1, 41):
                page.locator(".live-step").click()
                page.wait_for_function(f"() => document.querySelector('.live-day').innerText.startsWith('day {day} ')")
            page.wait_for_timeout(3000)
            page.screenshot(path=OUT / "dashboard_live.png")
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main(*sys.argv[1:3])
