"""The dashboard's plotly.js bundle (dashboard/static/plotly-newslens.min.js, built by tools/plotly_bundle) draws
every trace type dashboard.plotly_component sends it, and is the plotly.js version plotly.py writes figures for."""

from __future__ import annotations

from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs_version

from analysis.figures.offline_html import EMPTY_TOPOLOGY_URL
from dashboard import plotly_component

BUNDLE = Path(plotly_component.__file__).resolve().parent / "static" / "plotly-newslens.min.js"

#: one small trace per type; choropleth draws with the dashboard's empty base map (components.BROWSER_CONFIG)
TRACES = {
    "scatter": {"x": [1, 2], "y": [2, 1]},
    "bar": {"x": ["a", "b"], "y": [3, 4]},
    "heatmap": {"z": [[1, 2], [3, 4]]},
    # as the world map sends it (charts.country_map): its own outlines, the base map hidden
    "choropleth": {"locations": ["A"], "z": [1], "geojson": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "A", "geometry": {"type": "Polygon",
                                                     "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 0]]]}}]}},
}


@pytest.fixture
def bundle_page(browser, tmp_path):
    page_file = tmp_path / "bundle.html"
    page_file.write_text(f'<html><body><script src="{BUNDLE.as_uri()}"></script></body></html>', encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.as_uri())
    yield page, errors
    context.close()


def _draw(page, trace_type: str) -> dict:
    """Plot one trace of ``trace_type``; what plotly.js made of it."""
    return page.evaluate(
        """async ([type, trace, topojsonURL]) => {
             const div = document.createElement('div');
             document.body.appendChild(div);
             await Plotly.newPlot(div, [{type, ...trace}], {width: 400, height: 300, geo: {visible: false}},
                                  {topojsonURL});
             const full = div._fullData[0];
             return {type: full.type, visible: full.visible, svg: !!div.querySelector('.main-svg')};
           }""", [trace_type, TRACES.get(trace_type, {"labels": ["a"], "values": [1]}), EMPTY_TOPOLOGY_URL])


def test_bundle_is_the_plotly_js_version_plotly_py_writes_for(bundle_page):
    page, errors = bundle_page
    assert page.evaluate("() => Plotly.version") == get_plotlyjs_version()
    assert not errors


@pytest.mark.parametrize("trace_type", sorted(plotly_component.BUNDLED_TRACE_TYPES))
def test_bundle_draws_every_trace_type_it_claims(bundle_page, trace_type):
    page, errors = bundle_page
    drawn = _draw(page, trace_type)
    assert drawn == {"type": trace_type, "visible": True, "svg": True}
    assert not errors


def test_a_type_left_out_of_the_bundle_is_not_drawn(bundle_page):
    """The check above can fail: plotly.js hides a trace whose type is not registered."""
    page, _ = bundle_page
    assert _draw(page, "pie")["visible"] is False
