"""dashboard.plotly_component: what the browser is sent for a chart and which selections come back to Python.

The drawing itself is tested in Chromium: tests/browser/test_plotly_bundle.py (the bundle draws every trace type it
claims) and tests/dashboard/test_dashboard_browser.py (clicking a bar drills down through the component)."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboard import plotly_component as pc

BAR = go.Figure(go.Bar(x=["US", "FR"], y=[3, 1], customdata=[["US"], ["FR"]]), layout={"height": 300})
CONFIG = {"topojsonURL": "data:application/json,{}#"}


def test_payload_carries_the_figure_as_plotly_serialises_it_and_the_config():
    data, revision = pc.payload(BAR, CONFIG, selectable=True)
    sent = json.loads(data)
    assert sent["figure"] == json.loads(pio.to_json(BAR, validate=False))
    assert sent["config"] == {"displaylogo": False, "responsive": True, **CONFIG}
    assert sent["selectable"] is True and sent["revision"] == revision
    assert sent["bundle"] == "/app/static/plotly-newslens.min.js"


def test_charts_without_selection_have_no_select_buttons():
    sent = json.loads(pc.payload(BAR, CONFIG, selectable=False)[0])
    assert sent["selectable"] is False
    assert sent["config"]["modeBarButtonsToRemove"] == ["select2d", "lasso2d"]


def test_revision_follows_the_figure():
    _, same = pc.payload(go.Figure(BAR), CONFIG, selectable=True)
    _, other = pc.payload(go.Figure(BAR).update_layout(height=301), CONFIG, selectable=True)
    _, not_selectable = pc.payload(BAR, CONFIG, selectable=False)
    assert pc.payload(BAR, CONFIG, selectable=True)[1] == same == not_selectable
    assert other != same


def test_bundle_url_follows_the_base_path(monkeypatch):
    monkeypatch.setattr(pc.st, "get_option", lambda name: "/news/lens/" if name == "server.baseUrlPath" else True)
    assert pc.bundle_url() == "/news/lens/app/static/plotly-newslens.min.js"


def test_can_draw_only_bundled_trace_types():
    assert pc.can_draw(BAR)
    assert pc.can_draw(go.Figure([go.Scatter(), go.Heatmap(), go.Choropleth()]))
    assert not pc.can_draw(go.Figure([go.Bar(), go.Pie()]))


def test_without_static_serving_charts_go_to_st_plotly_chart(monkeypatch):
    """Started outside the repo folder, Streamlit does not read .streamlit/config.toml and serves no bundle."""
    monkeypatch.setattr(pc.st, "get_option", lambda name: False if name == "server.enableStaticServing" else "")
    assert not pc.can_draw(BAR)


@pytest.fixture
def component(monkeypatch):
    """Replace the Streamlit component by a recorder returning ``state`` as the component's state."""
    calls = []
    state = {}

    def fake(**kwargs):
        calls.append(kwargs)
        return dict(state)

    monkeypatch.setattr(pc, "_COMPONENT", fake)
    return calls, state


def test_a_selection_on_this_figure_is_returned(component):
    calls, state = component
    _, revision = pc.payload(BAR, CONFIG, selectable=True)
    points = [{"curve_number": 0, "point_index": 1, "customdata": ["FR"]}]
    state["selection"] = {"revision": revision, "points": points}
    assert pc.plotly_chart(BAR, key="k_chart", config=CONFIG, selectable=True) == points
    assert calls[-1]["key"] == "k_chart" and callable(calls[-1]["on_selection_change"])


def test_a_selection_made_on_an_earlier_figure_is_ignored(component):
    _, state = component
    _, old_revision = pc.payload(go.Figure(BAR).update_layout(height=500), CONFIG, selectable=True)
    state["selection"] = {"revision": old_revision, "points": [{"customdata": ["US"]}]}
    assert pc.plotly_chart(BAR, key="k_chart", config=CONFIG, selectable=True) == []
    state["selection"] = "garbage"
    assert pc.plotly_chart(BAR, key="k_chart", config=CONFIG, selectable=True) == []


def test_charts_without_selection_return_nothing_and_register_no_callback(component):
    calls, state = component
    state["selection"] = {"revision": pc.payload(BAR, CONFIG, True)[1], "points": [{"customdata": ["US"]}]}
    assert pc.plotly_chart(BAR, key="k_chart", config=CONFIG, selectable=False) == []
    assert "on_selection_change" not in calls[-1]


def test_other_trace_types_fall_back_to_st_plotly_chart(component, monkeypatch):
    calls, _ = component
    drawn = []
    monkeypatch.setattr(pc.st, "plotly_chart", lambda fig, **kw: drawn.append(kw) or {
        "selection": {"points": [{"customdata": ["x"]}]}})
    pie = go.Figure(go.Pie(labels=["a"], values=[1]))
    assert pc.plotly_chart(pie, key="p_chart", config=CONFIG, selectable=True) == [{"customdata": ["x"]}]
    assert drawn[-1]["on_select"] == "rerun" and not calls


def test_the_bundle_is_sent_on_a_new_browsers_first_run_only():
    version = pc.bundle_version()
    assert pc.send_bundle(first_run=True, cookies={}) is True
    assert pc.send_bundle(first_run=True, cookies={pc.BUNDLE_COOKIE: "0ld"}) is True  # it cached another version
    assert pc.send_bundle(first_run=True, cookies={pc.BUNDLE_COOKIE: version}) is False  # its HTTP cache has it
    assert pc.send_bundle(first_run=False, cookies={}) is False  # this page has it already


def test_preload_element_carries_the_gzipped_bundle_then_only_its_url():
    """app.py's first element: the bundle itself on the session's first run, the URL on later runs."""
    import gzip
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    def page():
        from dashboard import plotly_component

        plotly_component.preload()

    def sent(at) -> bytes:
        (element,) = [e for e in at.get("bidi_component") if e.proto.component_name == "newslens_plotly"]
        return element.proto.bytes

    at = AppTest.from_function(page).run()
    head, _, body = sent(at).partition(b"\n")
    assert json.loads(head) == {"preload": "/app/static/plotly-newslens.min.js", "cookie": "newslens_plotly",
                                "version": pc.bundle_version(), "chunks": list(pc.later_chunks())}
    assert gzip.decompress(body) == Path(pc.BUNDLE_FILE).read_bytes()
    assert len(body) < 0.4 * len(gzip.decompress(body))
    at.run()
    assert sent(at) == head


def test_the_preload_element_is_mounted_without_static_serving_too(component, monkeypatch):
    """It also installs the date-keys script (Enter commits a date filter), which has nothing to do with the
    bundle: started outside the repo folder the element still comes, with no bundle URL."""
    calls, _ = component
    monkeypatch.setattr(pc.st, "get_option", lambda name: False if name == "server.enableStaticServing" else "")
    pc.preload()
    assert calls == [{"key": "plotly_preload", "data": b'{"preload": null}'}]


def test_the_component_script_carries_the_date_keys_listener():
    script = pc._js()
    assert "function installDateKeys()" in script and "installDateKeys();" in script
    assert script.index("function installDateKeys()") < script.index("export default function")  # one module


def test_chunk_closure_follows_static_imports_through_cycles_and_skips_unknown_entries(tmp_path):
    js = tmp_path / "js"
    js.mkdir()
    (js / "Multiselect.CCC.js").write_text('import{a}from"./shared.BBB.js";import{b}from"./useLabel.DDD.js";')
    (js / "shared.BBB.js").write_text("export const a=1;")
    (js / "useLabel.DDD.js").write_text('import{c}from"./deep.EEE.js";export const b=2;')
    (js / "deep.EEE.js").write_text('import{b}from"./useLabel.DDD.js";export const c=3;')  # a cycle
    (js / "Slider.FFF.js").write_text('const m=()=>import("./lazy.GGG.js");')  # dynamic: loaded when used
    (js / "lazy.GGG.js").write_text("")
    assert pc.chunk_closure(js, ("Multiselect", "NoSuchWidget", "Slider")) == [
        "Multiselect.CCC.js", "Slider.FFF.js", "shared.BBB.js", "useLabel.DDD.js", "deep.EEE.js"]


def test_the_later_chunks_are_files_of_the_installed_streamlit():
    """The other pages' widget code the preload element names: the table's and the select box's entry chunks
    among them, every path one that Streamlit serves from its static folder."""
    from pathlib import Path

    import streamlit

    chunks = pc.later_chunks()
    names = {c.rsplit("/", 1)[1].split(".", 1)[0] for c in chunks}
    assert set(pc.LATER_CHUNKS) <= names
    static = Path(streamlit.__file__).parent / "static"
    assert all((static / c).is_file() for c in chunks)
    assert [c for c in chunks if c.endswith(".css")] == [c for c in chunks if c.startswith("static/css/DataFrame.")]
