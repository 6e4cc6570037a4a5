"""A real-browser journey: streamlit server + Chromium (Playwright). Opens a shared link with a filter, checks the
filter survives a page switch, selects a bar to drill down, and downloads a chart's CSV without a rerun."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REUTERS_JSONL = REPO.parent / "shared" / "corpora" / "reuters21578" / "jsonl" / "articles.jsonl"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="Chromium not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    if not REUTERS_JSONL.exists():
        pytest.skip("../shared/corpora not present (CI always has it)")
    from analysis.pipeline import BuildOptions, build

    folder = tmp_path_factory.mktemp("dash_browser")
    sample = folder / "reuters60.jsonl"
    with REUTERS_JSONL.open(encoding="utf-8") as src:
        sample.write_text("".join(line for _, line in zip(range(60), src)), encoding="utf-8")
    store = folder / "store.duckdb"
    build([str(sample)], store, BuildOptions(topics=False))
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false", "--", "--store", str(store)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_shared_link_page_switch_drill_down_and_csv_export(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2600}, accept_downloads=True)
            page.goto(server + "/?country=US", timeout=60000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60000)
            page.get_by_text("United States (US)").first.wait_for(timeout=30000)  # the sidebar got the URL filter

            page.get_by_role("link", name="Entities").click()
            page.wait_for_url("**/entities?country=US", timeout=30000)
            page.get_by_role("link", name="Overview").click()
            page.wait_for_url("**/?country=US", timeout=30000)
            page.wait_for_selector(".st-key-ov_cbar_chart .js-plotly-plot g.point path", timeout=60000)

            bar = page.locator(".st-key-ov_cbar_chart .js-plotly-plot g.point path").first
            box = bar.bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            selection = page.locator("p", has_text="Selection:").first
            selection.wait_for(timeout=30000)
            # said in words: the country's name, never its bare ISO code
            assert re.fullmatch(r"Selection: about [A-Z][a-z]+( [A-Za-z]+)*", selection.inner_text().strip())
            page.get_by_text("select a row to read it").first.wait_for(timeout=30000)  # the drill-down list

            page.locator(".st-key-ov_cbar_chart").scroll_into_view_if_needed()
            exports = page.get_by_role("button", name="Export")
            exports.nth(2).click()  # volume, map, country bar
            with page.expect_download(timeout=60000) as info:
                page.get_by_role("button", name="CSV", exact=True).last.click()
            target = tmp_path / info.value.suggested_filename
            info.value.save_as(target)
            text = target.read_text(encoding="utf-8-sig")
            assert target.name == "country_bar-about-US.csv"  # named after the chart and the filter
            assert text.splitlines()[0].startswith("iso2,name,articles") and "\nUS,United States," in text
        finally:
            browser.close()
