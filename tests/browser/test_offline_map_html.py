"""Exported HTML maps draw when opened from file:// with no network.

Regression: plotly.js draws ``choroplethmap`` with MapLibre, whose worker (a blob: URL) fails to start under file://
in Chromium, so the map area of an exported page stayed white (it worked over http:// and in PNG export). The world
map is a d3 ``choropleth`` (geo) over an empty base-map topology; see analysis/figures/offline_html.py.

The drawn check is black-box: a screenshot of the plot area must show the grey world and the data blues, and hovering
the pixel of the darkest blue (the country with most articles) must show that country's hover label.
"""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image

from analysis.export import ReportItem, figure_bytes, report_html
from analysis.figures.geo import country_map
from analysis.figures.offline_html import EMPTY_TOPOLOGY_URL, needs_empty_topology
from analysis.figures.theme import SEQUENTIAL

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
#: share of non-white pixels in the plot area of a drawn world map (13-14% here: Natural Earth leaves oceans and the
#: corners white); a blank map has none
MIN_INK = 0.08
COUNTRIES = pd.DataFrame({"iso2": ["US", "BR", "JP", "GB"],
                          "name": ["United States", "Brazil", "Japan", "United Kingdom"],
                          "articles": [10, 5, 3, 1], "weight": [5.0, 2.5, 1.0, 0.5]})
TOP_BLUE = np.array([int(SEQUENTIAL[-1][1][i:i + 2], 16) for i in (1, 3, 5)])  # z = max, i.e. the United States
DRAW_TIMEOUT_S = 10.0


# ------------------------------------------------------------------------------------------------ in Chromium
def _plot_area(page, selector: str) -> dict[str, float]:
    """Viewport box of a plot's drawing area (inside the margins, so colorbar and title are left out). The viewport
    is tall enough for every test page, so nothing scrolls."""
    return page.evaluate(
        """(sel) => { const gd = document.querySelector(sel); const r = gd.getBoundingClientRect();
                      const s = gd._fullLayout._size;
                      return {x: r.left + s.l, y: r.top + s.t, width: s.w, height: s.h}; }""", selector)


def _pixels(page, box: dict[str, float]) -> np.ndarray:
    png = page.screenshot(clip=box)
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _drawn(px: np.ndarray) -> tuple[float, np.ndarray]:
    """(share of non-white pixels, mask of the darkest data blue)."""
    ink = (np.abs(px - 255).sum(axis=2) > 30).mean()
    top = np.abs(px - TOP_BLUE).sum(axis=2) < 30
    return float(ink), top


def _wait_drawn(page, selector: str) -> tuple[dict[str, float], np.ndarray, float, np.ndarray]:
    """Poll screenshots until the map shows ink and the top blue, or DRAW_TIMEOUT_S passes (blank map)."""
    page.wait_for_selector(f"{selector} .main-svg")
    deadline = time.monotonic() + DRAW_TIMEOUT_S
    while True:
        box = _plot_area(page, selector)
        px = _pixels(page, box)
        ink, top = _drawn(px)
        if (ink > MIN_INK and top.sum() > 50) or time.monotonic() > deadline:
            return box, px, ink, top
        time.sleep(0.25)


def _interior_point(mask: np.ndarray) -> tuple[int, int]:
    """A pixel of ``mask`` whose 7x7 neighbourhood is all inside the mask, nearest the mask's centroid."""
    k = 3
    padded = np.pad(mask, k)
    inner = np.ones_like(mask)
    for dy in range(-k, k + 1):
        for dx in range(-k, k + 1):
            inner &= padded[k + dy:k + dy + mask.shape[0], k + dx:k + dx + mask.shape[1]]
    ys, xs = np.nonzero(inner)
    assert len(ys), "no solid patch of the top colour to hover"
    cy, cx = np.nonzero(mask)
    i = int(np.argmin((ys - cy.mean()) ** 2 + (xs - cx.mean()) ** 2))
    return int(xs[i]), int(ys[i])


def _open(context, path: Path):
    """Open a file:// page, recording every request; http(s) is aborted so nothing can leave the machine."""
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(re.compile(r"^(https?|wss?)://"), lambda route: route.abort())
    page.goto(path.resolve().as_uri())
    return page, requests, errors


def _assert_map_drawn_and_hoverable(page, selector: str) -> np.ndarray:
    box, px, ink, top = _wait_drawn(page, selector)
    assert ink > MIN_INK, f"map area is blank ({ink:.1%} of its pixels are not white)"
    assert top.sum() > 50, "the country with most articles is not painted in the top colour"
    x, y = _interior_point(top)
    page.mouse.move(box["x"] + x, box["y"] + y)
    label = page.locator(f"{selector} .hoverlayer .hovertext")
    label.first.wait_for(timeout=5_000)
    text = label.first.text_content()
    assert "United States" in text and "Articles: 10" in text, text
    return px


def _no_network(requests: list[str], page_url: str) -> None:
    left = [u for u in requests if u != page_url and not u.startswith(("data:", "blob:"))]
    assert left == [], f"requests left the page: {left}"


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1200, "height": 1800})
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.mark.browser
def test_exported_map_draws_from_file_url_without_network(context, tmp_path):
    path = tmp_path / "map.html"
    path.write_bytes(figure_bytes(country_map(COUNTRIES), "html"))
    page, requests, errors = _open(context, path)
    px = _assert_map_drawn_and_hoverable(page, ".js-plotly-plot")
    # The grey world is drawn too, not only the data countries.
    grey = (np.abs(px - np.array([0xE6, 0xE6, 0xE6])).sum(axis=2) < 20).mean()
    assert grey > 0.10, f"only {grey:.1%} of the map area is the no-data grey"
    _no_network(requests, page.url)
    assert errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".js-plotly-plot").screenshot(path=str(SCREENSHOTS / "offline-map-html.png"))


@pytest.mark.browser
def test_html_report_map_draws_from_file_url_without_network(context, tmp_path):
    bar = go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"))
    items = [ReportItem("bars", "Bars", bar, pd.DataFrame({"x": [1, 2]})),
             ReportItem("countries", "Countries", country_map(COUNTRIES), COUNTRIES)]
    path = tmp_path / "report.html"
    path.write_text(report_html(items, {"corpus_version": 1}), encoding="utf-8")
    page, requests, errors = _open(context, path)
    page.wait_for_selector("#chart-1-bars .main-svg")
    _assert_map_drawn_and_hoverable(page, "#chart-2-countries")
    _no_network(requests, page.url)
    assert errors == []


# ------------------------------------------------------------------------------------------------ base map
def test_the_base_map_topology_comes_from_a_data_url_only_when_needed():
    assert needs_empty_topology(country_map(COUNTRIES))
    assert country_map(COUNTRIES).data[0].type == "choropleth"  # drawn by d3
    assert json.loads(EMPTY_TOPOLOGY_URL.removeprefix("data:application/json,").removesuffix("#")) == {
        "type": "Topology", "objects": {}, "arcs": []}
    page = figure_bytes(country_map(COUNTRIES), "html").decode("utf-8")
    assert page.count(json.dumps(EMPTY_TOPOLOGY_URL)) == 1  # in the chart's config, no script of its own
    assert not needs_empty_topology(go.Figure(go.Bar(x=[1], y=[1])))
    assert json.dumps(EMPTY_TOPOLOGY_URL) not in figure_bytes(go.Figure(go.Bar(x=[1], y=[1])), "html").decode()
