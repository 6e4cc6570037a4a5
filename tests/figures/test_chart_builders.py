"""Every chart builder on tiny in-test frames: trace types, values, drill-down customdata, escaping, empty input."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis import catalog, figures
from analysis.figures import (
    NO_DATA_MESSAGE,
    article_map,
    compare_share,
    compare_terms_chart,
    compare_volume,
    cooccurrence_network,
    country_bar,
    country_map,
    entity_bar,
    entity_timeline,
    events_timeline,
    keyword_bar,
    keyword_trends_chart,
    safe_text,
    spring_layout,
    topic_bar,
    topic_country_heatmap,
    topic_map,
    topics_over_time,
    volume_chart,
    wrap_text,
)
from analysis.figures.geo import world_iso2
from analysis.figures.theme import COLOR_A, COLOR_B, NO_DATA, PALETTE, TEMPLATE_NAME

XSS = "<script>alert(1)</script>"
XSS_ESC = "&lt;script&gt;alert(1)&lt;/script&gt;"
IMG = "<img src=x onerror=alert(1)>"
P3 = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])


def _decode(obj):
    """Plotly 7 sends numeric arrays as {"bdata": base64, "dtype": ...}; turn them back into lists for asserts."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            if "shape" in obj:
                arr = arr.reshape([int(x) for x in str(obj["shape"]).split(",")])
            return arr.tolist()
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def as_dict(fig) -> dict:
    """Round-trip through JSON, as Streamlit/plotly.js would receive it."""
    return _decode(json.loads(fig.to_json()))


def assert_no_raw_html(fig):
    s = fig.to_json()
    assert "<script" not in s and "<img" not in s


# ---------------------------------------------------------------------------------------------- helpers
def test_safe_text_escapes_script_and_img():
    assert safe_text(XSS) == XSS_ESC
    assert safe_text(IMG) == "&lt;img src=x onerror=alert(1)&gt;"
    assert safe_text("AT&T") == "AT&amp;T"
    assert safe_text(None) == "" and safe_text(float("nan")) == ""
    assert safe_text(42) == "42"


def test_safe_text_truncates_before_escaping():
    assert safe_text("abcdef<", max_len=4) == "abc…"
    assert safe_text("<<<<<<", max_len=3) == "&lt;&lt;…"


def test_wrap_text_wraps_and_escapes():
    s = wrap_text("word " * 40 + XSS, width=80)
    lines = s.split("<br>")
    assert len(lines) >= 3
    assert all(len(line) <= 80 for line in lines[:-1])
    assert "<script" not in s and "&lt;script&gt;" in s


def test_registry_lists_every_builder():
    builders = {view.builder for view in catalog.VIEWS.values()}
    assert len(builders) == 17
    for name, view in catalog.VIEWS.items():
        assert view.name == name and view.title and view.description and callable(view.builder)
    assert catalog.VIEWS["country_map"].builder is country_map


#: one view per builder (compare_topics and compare_entities share compare_share)
_ONE_VIEW_PER_BUILDER = list({view.builder: view for view in catalog.VIEWS.values()}.values())


@pytest.mark.parametrize("spec", _ONE_VIEW_PER_BUILDER, ids=lambda s: s.name)
def test_every_builder_handles_empty_input(spec):
    empty = pd.DataFrame()
    args = (empty, empty) if spec.name in ("cooccurrence", "compare_volume") else (empty,)
    d = as_dict(spec.builder(*args))
    assert d["data"] == []
    assert d["layout"]["annotations"][0]["text"] == NO_DATA_MESSAGE
    assert d["layout"]["template"]["layout"]["colorway"] == PALETTE


def test_theme_applied_and_title_escaped():
    fig = keyword_bar(pd.DataFrame({"term": ["a"], "score": [1.0], "count": [1], "docs": [1]}),
                      title=f"Keywords for {XSS}", subtitle=IMG)
    d = as_dict(fig)
    assert d["layout"]["title"]["text"] == f"Keywords for {XSS_ESC}"
    assert d["layout"]["title"]["subtitle"]["text"].startswith("&lt;img")
    assert TEMPLATE_NAME in figures.theme.pio.templates


def test_missing_column_is_a_clear_error():
    with pytest.raises(ValueError, match=r"volume_chart: missing column\(s\) \['unique'\]"):
        volume_chart(pd.DataFrame({"period": P3, "articles": [1, 2, 3]}))


# ---------------------------------------------------------------------------------------------- volume
def test_volume_chart_values_and_customdata():
    df = pd.DataFrame({"period": P3[::-1], "articles": [3, 10, 5], "unique": [3, 8, 4]})
    d = as_dict(volume_chart(df))
    bar, line = d["data"]
    assert (bar["type"], line["type"]) == ("bar", "scatter")
    assert bar["y"] == [5.0, 10.0, 3.0]  # sorted by period
    assert line["y"] == [4.0, 8.0, 3.0]
    assert bar["customdata"][0] == ["2024-01-01", 5, 4]


def test_volume_chart_normalised_is_percent_of_busiest_period():
    df = pd.DataFrame({"period": P3, "articles": [5, 10, 2], "unique": [4, 8, 8]})
    d = as_dict(volume_chart(df, normalise=True))
    assert d["data"][0]["y"] == [50.0, 100.0, 20.0]
    assert d["data"][1]["y"] == [50.0, 100.0, 100.0]
    assert d["data"][0]["customdata"][1] == ["2024-02-01", 10, 8]  # raw counts stay in hover


def test_compare_volume_and_share():
    a = pd.DataFrame({"period": P3, "articles": [1, 1, 2], "unique": [1, 1, 2]})
    b = pd.DataFrame({"period": P3[:2], "articles": [3, 1], "unique": [3, 1]})
    d = as_dict(compare_volume(a, b, "Oil", XSS, normalise=True))
    assert [t["name"] for t in d["data"]] == ["Oil", XSS_ESC]
    assert d["data"][0]["y"] == [25.0, 25.0, 50.0] and d["data"][1]["y"] == [75.0, 25.0]
    assert [t["line"]["color"] for t in d["data"]] == [COLOR_A, COLOR_B]
    only_a = as_dict(compare_volume(a, pd.DataFrame(), "A", "B"))
    assert len(only_a["data"]) == 1

    s = as_dict(compare_share(pd.DataFrame({"name": ["US", XSS, "FR"], "share_a": [0.5, 0.1, 0.2],
                                            "share_b": [0.3, 0.0, 0.4]}), top=2))
    ta, tb = s["data"]
    assert ta["y"] == ["FR", "US"]  # top 2 by max share, largest on top (last)
    assert ta["x"] == pytest.approx([20.0, 50.0]) and tb["x"] == pytest.approx([40.0, 30.0])
    assert ta["customdata"][1] == ["US", "A"]


# ---------------------------------------------------------------------------------------------- countries
COUNTRIES = pd.DataFrame({"iso2": ["KR", "US", "FR", "ZZ"], "name": ["South Korea", "United States", XSS, "Nowhere"],
                          "articles": [10, 30, 5, 2], "weight": [5.5, 20.125, 2.0, 1.0]})


def test_country_map_offline_choropleth():
    d = as_dict(country_map(COUNTRIES))
    (trace,) = d["data"]  # one trace: the world outlines are serialised once
    assert trace["type"] == "choropleth" and trace["locationmode"] == "geojson-id" and trace["featureidkey"] == "id"
    geo = d["layout"]["geo"]  # d3 draws the shipped outlines; every base layer (fetched from a CDN) is hidden
    assert geo["visible"] is False and not any(geo[k] for k in ("showland", "showcountries", "showcoastlines",
                                                                "showocean", "showlakes", "showframe"))
    assert geo["projection"]["type"] == "natural earth" and "map" not in d["layout"]
    n = len(trace["locations"])
    assert n == len(world_iso2()) and len(set(trace["locations"])) == n  # every outline drawn once
    assert trace["locations"][:3] == ["KR", "US", "FR"] and trace["z"][:3] == [10, 30, 5]
    assert trace["z"][3:] == [0] * (n - 3)  # countries without articles sit at the grey bottom of the scale
    assert trace["colorscale"][0][1] == trace["colorscale"][1][1] == NO_DATA
    assert trace["zmin"] == 0 and trace["zmax"] == 30
    assert trace["customdata"][1] == ["US", "United States", 30, 20.12]
    assert trace["customdata"][2][1] == XSS_ESC
    assert trace["customdata"][3][0] == "" and trace["customdata"][3][2] == 0  # a grey country narrows nothing
    assert "No articles" in trace["hovertemplate"][3] and "Articles:" in trace["hovertemplate"][0]
    assert {f["id"] for f in trace["geojson"]["features"]} == set(trace["locations"])
    ring = trace["geojson"]["features"][0]["geometry"]["coordinates"][0][0]
    assert isinstance(ring[0], list) and len(ring[0]) == 2  # numpy rings serialise as plain [lon, lat] lists
    assert "1 country without an outline" in d["layout"]["title"]["subtitle"]["text"]
    assert_no_raw_html(country_map(COUNTRIES))


def test_country_map_is_what_plotly_would_validate():
    """The map is built from numpy rings for speed; the validated round trip must give the same figure."""
    fig = country_map(COUNTRIES)
    assert json.loads(go.Figure(fig.to_dict()).to_json()) == json.loads(fig.to_json())


def test_country_bar_top_and_order():
    d = as_dict(country_bar(COUNTRIES, top=2))
    (bar,) = d["data"]
    assert bar["orientation"] == "h"
    assert bar["y"] == ["South Korea", "United States"]  # largest last = on top
    assert bar["x"] == [10, 30]
    assert [c[0] for c in bar["customdata"]] == ["KR", "US"]
    assert d["layout"]["xaxis"]["title"]["text"] == f"Articles<br><sup>the 2 countries with most articles, of {len(COUNTRIES)}</sup>"
    whole = as_dict(country_bar(COUNTRIES, top=len(COUNTRIES)))
    assert whole["layout"]["xaxis"]["title"]["text"] == "Articles"  # nothing left out: nothing to say


def test_ranked_charts_say_how_many_they_keep_of_how_many():
    """A top-N chart never cuts silently: its axis says how many it shows of how many there are, counting the
    store's own cut (``attrs["entities"]``)."""
    entities = pd.DataFrame({"entity_id": ["a", "b", "c"], "name": ["A", "B", "C"], "label": ["PERSON"] * 3,
                             "articles": [5, 4, 3], "mentions": [9, 8, 7]})
    assert as_dict(entity_bar(entities, top=2))["layout"]["xaxis"]["title"]["text"] == \
        "Articles<br><sup>the 2 entities with most articles, of 3</sup>"
    entities.attrs["entities"] = 1265  # the store kept 3 of 1,265
    assert as_dict(entity_bar(entities))["layout"]["xaxis"]["title"]["text"] == \
        "Articles<br><sup>the 3 entities with most articles, of 1,265</sup>"
    net = as_dict(cooccurrence_network(entities, pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [2.0]})))
    assert net["layout"]["xaxis"]["title"]["text"] == "the 3 entities with most articles, of 1,265"
    assert net["layout"]["xaxis"]["showticklabels"] is False
    entities.attrs["entities"] = 3
    assert as_dict(cooccurrence_network(entities, pd.DataFrame()))["layout"]["xaxis"]["visible"] is False
    one = as_dict(entity_bar(entities, top=1))["layout"]["xaxis"]["title"]["text"]
    assert one == "Articles<br><sup>the entity with most articles, of 3</sup>"

    shares = pd.DataFrame({"name": ["x", "y", "z"], "share_a": [0.5, 0.1, 0.3], "share_b": [0.2, 0.4, 0.0]})
    assert as_dict(compare_share(shares, top=2))["layout"]["xaxis"]["title"]["text"] == \
        "Share of slice (%)<br><sup>the 2 items with the largest share, of 3</sup>"
    assert as_dict(compare_share(shares))["layout"]["xaxis"]["title"]["text"] == "Share of slice (%)"

    events = pd.DataFrame({"uid": [1, 2, 3], "title": ["t"] * 3, "sentence": ["s"] * 3,
                           "start": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]), "end": [None] * 3,
                           "granularity": ["day"] * 3, "lane": ["KR", "KR", "US"]})
    assert as_dict(events_timeline(events, max_lanes=1))["layout"]["xaxis"]["title"]["text"] == \
        "the lane with most events, of 2"
    assert "title" not in as_dict(events_timeline(events))["layout"]["xaxis"] or \
        not as_dict(events_timeline(events))["layout"]["xaxis"]["title"].get("text")


# ---------------------------------------------------------------------------------------------- entities
def test_entity_bar_colours_by_label_and_keeps_homonyms_apart():
    df = pd.DataFrame({"entity_id": [1, 2, 3, 4], "name": ["Washington", "Washington", "Moon", XSS],
                       "label": ["GPE", "PERSON", "PERSON", "ORG"], "articles": [9, 3, 7, 2],
                       "mentions": [20, 4, 15, 2]})
    d = as_dict(entity_bar(df))
    assert [t["legendgroup"] for t in d["data"]] == ["GPE", "ORG", "PERSON"]
    assert [t["name"] for t in d["data"]] == ["Countries and cities", "Organisations", "People"]  # legend in words
    assert d["layout"]["yaxis"]["categoryarray"] == [XSS_ESC, "Washington (PERSON)", "Moon", "Washington (GPE)"]
    person = d["data"][2]
    assert person["y"] == ["Washington (PERSON)", "Moon"]
    assert [c[0] for c in person["customdata"]] == [2, 3]
    assert d["data"][1]["customdata"][0] == [4, XSS_ESC, "ORG", 2, 2]
    assert_no_raw_html(entity_bar(df))


def test_entity_timeline():
    df = pd.DataFrame({"period": list(P3) * 2, "entity_id": [7] * 3 + [9] * 3, "name": ["A"] * 3 + [IMG] * 3,
                       "mentions": [1, 1, 1, 5, 5, 5], "articles": [1, 1, 1, 2, 2, 2]})
    d = as_dict(entity_timeline(df))
    assert [t["customdata"][0][0] for t in d["data"]] == [9, 7]  # most mentioned first
    assert d["data"][0]["y"] == [5, 5, 5]
    assert d["data"][0]["customdata"][1][:3] == [9, "2024-02-01", "&lt;img src=x onerror=alert(1)&gt;"]


def test_lines_break_where_the_slice_has_no_article_and_drop_to_zero_where_it_has():
    """A period without any article in the slice is a gap in every line (nothing to count); a period with articles
    but none about the entity, topic or term is a 0 (``attrs["periods"]``: the periods with articles)."""
    days = pd.to_datetime(["2024-01-01", "2024-01-04"])
    def y(fig) -> list:  # NaN (a gap: plotly.js skips it and breaks the line) as None
        return [None if v != v else v for v in as_dict(fig)["data"][0]["y"]]

    ents = pd.DataFrame({"period": days, "entity_id": ["a", "a"], "name": ["A", "A"], "mentions": [3, 5],
                         "articles": [1, 2]})
    ents.attrs.update(freq="day", periods=["2024-01-01", "2024-01-03", "2024-01-04"])
    assert y(entity_timeline(ents)) == [3, None, 0, 5]  # Jan 2: no article at all; Jan 3: none mentioning A
    cd = as_dict(entity_timeline(ents))["data"][0]["customdata"]
    assert cd[2][3] == 0 and cd[1][3] is None
    assert as_dict(entity_timeline(ents))["layout"]["xaxis"]["title"]["text"] == "gaps: 1 day without any article"
    del ents.attrs["periods"]  # not known: every added period is a 0, as before
    assert y(entity_timeline(ents)) == [3, 0, 0, 5]
    assert "title" not in as_dict(entity_timeline(ents))["layout"]["xaxis"]

    topics = pd.DataFrame({"period": days, "topic_id": [1, 1], "label": ["t", "t"], "articles": [2, 4],
                           "share": [0.5, 1.0]})
    topics.attrs.update(freq="day", periods=["2024-01-01", "2024-01-04"])
    assert y(topics_over_time(topics)) == [2, None, None, 4]
    assert y(topics_over_time(topics, normalise=True)) == [50, None, None, 100]
    assert as_dict(topics_over_time(topics))["layout"]["xaxis"]["title"]["text"] == "gaps: 2 days without any article"
    terms = pd.DataFrame({"period": days, "term": ["oil", "oil"], "count": [1, 2], "docs": [1, 2],
                          "share": [0.5, 1.0]})
    terms.attrs.update(freq="day", periods=["2024-01-01", "2024-01-02", "2024-01-04"])
    assert y(keyword_trends_chart(terms)) == [1, 0, None, 2]


def test_spring_layout_deterministic_and_bounded():
    edges = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [4, 0], [0, 2]])
    a = spring_layout(5, edges, seed=3)
    b = spring_layout(5, edges, seed=3)
    assert a.shape == (5, 2) and np.array_equal(a, b)
    assert np.abs(a).max() == pytest.approx(1.0)
    assert len({tuple(np.round(p, 3)) for p in a}) == 5  # no two nodes on top of each other
    assert np.allclose(spring_layout(2, np.zeros((0, 2), dtype=int)), [[1.0, 0.0], [-1.0, 0.0]])


def test_spring_layout_keeps_an_unconnected_node_from_squeezing_the_graph():
    """Without a pull to the centre a node with no edges drifts off, and scaling to [-1, 1] crushed the rest of the
    graph into a corner (seen on the Entities page: 29 names in a clump, one far away)."""
    rng = np.random.default_rng(0)
    edges = np.array([(i, j) for i in range(19) for j in range(i + 1, 19) if rng.random() < 0.3])  # node 19: none
    for gravity, spread in ((0.0, lambda r: r < 0.15), (1.0, lambda r: r > 0.3)):
        pos = spring_layout(20, edges, gravity=gravity)
        centre = pos[:19].mean(axis=0)
        cluster = np.median(np.linalg.norm(pos[:19] - centre, axis=1))
        assert spread(cluster / np.linalg.norm(pos[19] - centre)), gravity


def test_cooccurrence_network_structure():
    nodes = pd.DataFrame({"entity_id": [10, 11, 12, 13, 14], "name": ["A", "B", XSS, "D", "E"],
                          "label": ["PERSON", "ORG", "PERSON", "GPE", "ORG"], "articles": [5, 4, 3, 2, 1]})
    edges = pd.DataFrame({"source": [10, 10, 11, 12, 13, 10], "target": [11, 12, 12, 13, 14, 99],
                          "weight": [5.0, 1.0, 2.0, 3.0, 1.0, 9.0]})
    f1, f2 = cooccurrence_network(nodes, edges, max_nodes=4), cooccurrence_network(nodes, edges, max_nodes=4)
    d = as_dict(f1)
    node_trace = d["data"][-1]
    assert node_trace["mode"] == "markers+text"
    assert [c[0] for c in node_trace["customdata"]] == [10, 11, 12, 13]  # E dropped by max_nodes
    assert node_trace["text"][2] == "&lt;script&gt;alert(1)&lt;/scrip…"  # escaped, cut to 24 characters
    lines = [t for t in d["data"] if t.get("mode") == "lines"]
    n_segments = sum(t["x"].count(None) for t in lines)
    assert n_segments == 4  # edges to 14 (dropped) and 99 (unknown) are left out
    assert node_trace["x"] == as_dict(f2)["data"][-1]["x"]  # deterministic
    assert_no_raw_html(f1)


# ---------------------------------------------------------------------------------------------- keywords
def test_keyword_bar():
    df = pd.DataFrame({"term": ["oil", "opec", XSS], "score": [0.9, 0.5, 0.7], "count": [20, 10, 3],
                       "docs": [10, 5, 2]})
    d = as_dict(keyword_bar(df, top=2))
    (bar,) = d["data"]
    assert bar["y"] == [XSS_ESC, "oil"] and bar["x"] == [0.7, 0.9]
    assert bar["customdata"][1] == ["oil", 20, 10]


def test_keyword_trends_chart_normalised_uses_share():
    df = pd.DataFrame({"period": list(P3) * 2, "term": ["oil"] * 3 + ["gas"] * 3, "count": [1, 2, 3, 9, 9, 9],
                       "docs": [1, 2, 3, 8, 8, 8], "share": [0.1, 0.2, 0.3, 0.5, 0.5, 0.5]})
    d = as_dict(keyword_trends_chart(df, normalise=True))
    assert [t["name"] for t in d["data"]] == ["gas", "oil"]
    assert d["data"][1]["y"] == pytest.approx([10.0, 20.0, 30.0])
    assert as_dict(keyword_trends_chart(df))["data"][1]["y"] == [1, 2, 3]
    assert d["data"][1]["customdata"][0] == ["2024-01-01", "oil", 1, 1, 0.1]


def test_compare_terms_chart_diverges():
    df = pd.DataFrame({"term": ["oil", "gas", "wheat", XSS], "log_odds_z": [3.0, 2.0, -2.5, -1.0],
                       "count_a": [30, 20, 1, 2], "count_b": [2, 3, 25, 10], "side": ["A", "a", "B", "B"]})
    d = as_dict(compare_terms_chart(df, "Energy", "Grain", top=15))
    a, b = d["data"]
    assert (a["name"], b["name"]) == ("Energy", "Grain")
    assert a["x"] == [2.0, 3.0] and a["y"] == ["gas", "oil"]
    assert b["x"] == [-1.0, -2.5] and b["y"] == [XSS_ESC, "wheat"]
    assert a["customdata"][1] == ["oil", 3.0, 30, 2, "A"]
    assert "Grain" in d["layout"]["xaxis"]["title"]["text"]


# ---------------------------------------------------------------------------------------------- topics
TOPICS = pd.DataFrame({"topic_id": [0, 1, 2], "label": ["oil, opec", "grain, wheat", XSS], "size": [50, 30, 20],
                       "share": [0.5, 0.3, 0.2], "x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 0.0]})


def test_topic_bar():
    (bar,) = as_dict(topic_bar(TOPICS))["data"]
    assert bar["y"] == [f"#2 {XSS_ESC}", "#1 grain, wheat", "#0 oil, opec"]
    assert bar["x"] == [20, 30, 50]
    assert bar["customdata"][2] == [0, "oil, opec", 50, 0.5]


def test_topic_map_labels_of_close_topics_go_where_they_do_not_overlap():
    """Two topics drawn side by side had their centred labels run into each other and into the other bubble; each
    label now takes the first free spot (centred if free), a lone topic keeps its label centred."""
    close = pd.DataFrame({"topic_id": [0, 1, 2], "label": ["north korea · military · talks", "defectors · north korea",
                                                           "far away topic"],
                          "size": [3, 1, 1], "x": [0.54, 0.26, -0.9], "y": [0.20, 0.22, -0.8]})
    spots = as_dict(topic_map(close))["data"][0]["textposition"]
    assert spots[2] == "middle center"  # nothing near it
    assert spots[0] != "middle center" or spots[1] != "middle center"
    assert spots == as_dict(topic_map(close))["data"][0]["textposition"]  # deterministic
    apart = close.assign(x=[0.9, -0.9, 0.0], y=[0.9, -0.9, 0.0])
    assert as_dict(topic_map(apart))["data"][0]["textposition"] == ["middle center"] * 3


def test_topic_map():
    (sc,) = as_dict(topic_map(TOPICS))["data"]
    assert sc["mode"] == "markers+text" and sc["marker"]["sizemode"] == "area"
    assert sc["marker"]["size"] == [50.0, 30.0, 20.0]
    assert [c[0] for c in sc["customdata"]] == [0, 1, 2]
    assert sc["text"][2] == "&lt;script&gt;alert(1)&lt;/scrip…"  # escaped, cut to 24 characters
    layout = as_dict(topic_map(TOPICS))["layout"]
    # room for the outer bubbles' labels: a fifth of the x spread (0..2) free on each side, labels not clipped
    assert layout["xaxis"]["range"] == pytest.approx([-0.4, 2.4]) and layout["yaxis"]["range"] == pytest.approx(
        [-0.1, 1.1])
    assert sc["cliponaxis"] is False
    one = as_dict(topic_map(TOPICS.head(1)))["layout"]
    assert one["xaxis"]["range"] == [-1.0, 1.0] and one["yaxis"]["range"] == [-1.0, 1.0]


def test_article_map_svg_then_webgl():
    small = pd.DataFrame({"uid": [1, 2, 3], "title": [XSS, "b", "c"], "topic_id": [5, 5, 6], "label": ["x", "x", "y"],
                          "x": [0.0, 1.0, 2.0], "y": [1.0, 0.0, 1.0]})
    d = as_dict(article_map(small))
    assert [t["type"] for t in d["data"]] == ["scatter", "scatter"]
    assert d["data"][0]["customdata"][0] == [1, 5] and d["data"][0]["hovertext"][0] == XSS_ESC
    assert d["data"][1]["name"] == "#6 y" and "%{fullData.name}" in d["data"][1]["hovertemplate"]
    n = 2001
    big = pd.DataFrame({"uid": range(n), "title": "t", "topic_id": [i % 3 for i in range(n)], "label": "l",
                        "x": np.linspace(0, 1, n), "y": np.linspace(0, 1, n)})
    types = {t["type"] for t in as_dict(article_map(big))["data"]}
    assert types == {"scattergl"}


def test_topics_over_time():
    df = pd.DataFrame({"period": list(P3) * 2, "topic_id": [0] * 3 + [1] * 3, "label": ["a"] * 3 + ["b"] * 3,
                       "articles": [1, 2, 3, 3, 4, 5], "share": [0.25, 0.33, 0.375, 0.75, 0.67, 0.625]})
    d = as_dict(topics_over_time(df, normalise=True))
    assert [t["name"] for t in d["data"]] == ["#1 b", "#0 a"]
    assert d["data"][1]["y"] == pytest.approx([25.0, 33.0, 37.5])
    assert d["data"][0]["customdata"][0] == ["2024-01-01", 1, "b", 3, 0.75]


def test_topic_country_heatmap():
    df = pd.DataFrame({"topic_id": [0, 0, 1], "label": ["oil", "oil", XSS], "iso2": ["US", "FR", "US"],
                       "country": ["United States", "France", "United States"], "articles": [5, 2, 7]})
    (hm,) = as_dict(topic_country_heatmap(df))["data"]
    assert hm["type"] == "heatmap"
    assert hm["x"] == ["United States", "France"]  # by total articles
    assert hm["y"] == ["#0 oil", f"#1 {XSS_ESC}"]
    assert hm["z"] == [[5, 2], [7, None]]
    assert hm["customdata"][1][0] == [1, "US", XSS_ESC, "United States"]
    assert "title" not in as_dict(topic_country_heatmap(df))["layout"]["xaxis"]  # nothing cut: nothing said
    cut = as_dict(topic_country_heatmap(df, max_countries=1))
    assert cut["data"][0]["x"] == ["United States"]
    assert cut["layout"]["xaxis"]["title"]["text"] == "the country with most articles, of 2"
    three = df.assign(iso2=["US", "FR", "DE"], country=["United States", "France", "Germany"])
    assert as_dict(topic_country_heatmap(three, max_countries=2))["layout"]["xaxis"]["title"]["text"] == \
        "the 2 countries with most articles, of 3"


# ---------------------------------------------------------------------------------------------- events
def test_events_timeline_lanes_spans_and_escaped_wrapped_hover():
    long_sentence = "The summit will be held in Busan on 3 March 2024 and " * 3 + IMG
    df = pd.DataFrame({"uid": [1, 2, 3, 4], "title": ["t1", XSS, "t3", "t4"],
                       "sentence": [long_sentence, "short", "x", "y"],
                       "start": [pd.Timestamp("2024-03-03"), pd.Timestamp("2024-01-01"), None,
                                 pd.Timestamp("2024-02-01")],
                       "end": [pd.Timestamp("2024-03-03"), pd.Timestamp("2024-03-31"), None, None],
                       "granularity": ["day", "quarter", None, "month"], "lane": ["KR", "US", "KR", "KR"]})
    d = as_dict(events_timeline(df))
    spans = d["data"][0]
    assert spans["mode"] == "lines" and spans["hoverinfo"] == "skip"
    assert spans["y"] == ["US", "US", None]  # only the quarter has end > start
    markers = d["data"][1:]
    assert [t["name"] for t in markers] == ["US", "KR"]  # lanes in order of first event
    kr = markers[1]
    assert [c[0] for c in kr["customdata"]] == [4, 1]  # uid 3 has no start: dropped
    assert kr["customdata"][0][1:4] == ["2024-02-01", "2024-02-01", "month"]  # missing end = start
    hover = kr["customdata"][1][6]
    assert "<br>" in hover and "&lt;img src=x onerror=alert(1)&gt;" in hover
    assert all(len(line) <= 80 for line in hover.split("<br>")[:-1])
    assert markers[0]["customdata"][0][5] == XSS_ESC
    assert_no_raw_html(events_timeline(df))


def test_events_timeline_all_undated_is_empty():
    df = pd.DataFrame({"uid": [1], "title": ["t"], "sentence": ["s"], "start": [None], "end": [None],
                       "granularity": [None], "lane": ["KR"]})
    assert as_dict(events_timeline(df))["layout"]["annotations"][0]["text"] == NO_DATA_MESSAGE


# ---------------------------------------------------------------------------------------------- helpers
def test_themed_figure_is_the_figure_apply_theme_makes():
    """Builders construct in one go (themed_figure); the figure must equal the slower construct-then-theme one."""
    from analysis.figures.theme import apply_theme, themed_figure

    bar = dict(type="bar", x=[1, 2], y=["a", "b"], orientation="h")
    layout = dict(xaxis=dict(title=dict(text="Articles")), height=400, margin=dict(l=5))
    for subtitle in (None, "since <2020>"):
        fast = themed_figure([bar], "Top <b>x</b>", subtitle, **json.loads(json.dumps(layout)))
        slow = apply_theme(go.Figure([bar], layout), "Top <b>x</b>", subtitle)
        assert fast.to_dict() == slow.to_dict()
    assert fast.layout.margin.l == 5 and fast.layout.margin.t == 95  # the subtitle's room, the builder's margins kept
    assert fast.layout.title.subtitle.text == "since &lt;2020&gt;"


def test_iso_dates_and_customdata_columns():
    from analysis.figures._util import customdata, iso_dates

    stamps = pd.Series(pd.to_datetime(["2023-07-14 10:30", None, "1805-12-02 00:00"]))
    expected = ["2023-07-14", "", "1805-12-02"]
    assert iso_dates(stamps) == expected  # datetime64: the vectorised path
    assert iso_dates(list(stamps)) == expected  # anything else: element by element, same answer
    assert iso_dates(["2023-07-14", None, "not a date"]) == ["2023-07-14", "", ""]
    cd = customdata(pd.Series([1, 2]), np.array([0.5, 1.5]), ["a", None], np.array([np.int64(3), "z"], dtype=object))
    assert cd.tolist() == [[1, 0.5, "a", 3], [2, 1.5, None, "z"]]
    assert [type(v) for v in cd[0]] == [int, float, str, int]  # plain Python values: JSON-stable drill-down keys
    with pytest.raises(ValueError, match="differ in length"):
        customdata([1, 2], ["a"])
