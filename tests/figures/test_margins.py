"""Figures come with margins that hold their labels and legend, so plotly.js lays each out once (theme.label_margins).

With the template's fixed margins, a label or legend wider than the margin made plotly.js's automargin lay the figure
out a second time: about half of each chart's drawing time in Chromium here (bench figures in the issue 16 note)."""

from __future__ import annotations

import pandas as pd

from analysis import figures
from analysis.figures.theme import BASE_MARGIN, FONT_SIZE, label_margins, text_px, themed_figure


def test_text_width_grows_with_the_letters_it_holds():
    assert text_px("iiii") < text_px("nnnn") < text_px("NNNN") < text_px("WWWW")
    assert text_px("abc", 26) == 2 * text_px("abc", 13)
    assert text_px("A &amp; B") == text_px("A & B")  # escaped labels measure as shown
    assert text_px("이재명") == 3 * FONT_SIZE  # Hangul: one em each


def test_category_labels_widen_the_left_margin_and_numbers_keep_a_fixed_one():
    long = "Organisation of the Petroleum Exporting Countries"
    bars = [dict(type="bar", orientation="h", x=[3, 1], y=[long, "OPEC"])]
    assert label_margins(bars, {})["l"] == round(text_px(long)) + 30
    assert label_margins(bars, {})["b"] == BASE_MARGIN["b"] + 10
    assert label_margins([dict(type="bar", x=["a", "b"], y=[1, 2])], {})["l"] == BASE_MARGIN["l"] + 10
    assert "l" not in label_margins(bars, {"yaxis": {"visible": False}})


def test_a_legend_beside_the_plot_widens_the_right_margin_one_above_it_does_not():
    lines = [dict(type="scatter", x=[1], y=[1], name="Countries and cities"), dict(type="scatter", x=[1], y=[2],
                                                                                    name="People")]
    assert label_margins(lines, {})["r"] == round(text_px("Countries and cities", FONT_SIZE - 1)) + 80
    assert "r" not in label_margins(lines, {"legend": {"orientation": "h"}})
    assert "r" not in label_margins(lines[:1], {})  # one series: plotly.js shows no legend


def test_the_builders_own_margins_win_and_maps_keep_theirs():
    bars = [dict(type="bar", orientation="h", x=[1], y=["a rather long label for a bar"])]
    fig = themed_figure(bars, "t", margin=dict(l=5))
    assert fig.layout.margin.l == 5 and fig.layout.margin.b == BASE_MARGIN["b"] + 10
    world = figures.country_map(pd.DataFrame({"iso2": ["KR"], "name": ["South Korea"], "articles": [3],
                                              "weight": [1.5]}))
    assert (world.layout.margin.l, world.layout.margin.r, world.layout.margin.b) == (16, 16, 76)


def test_an_entity_bar_holds_its_longest_name():
    df = pd.DataFrame({"entity_id": ["ORG:opec", "PERSON:lee"], "name": ["Organization of Petroleum Exporting Countries",
                                                                          "Lee"],
                       "label": ["ORG", "PERSON"], "articles": [5, 2], "mentions": [9, 2]})
    fig = figures.entity_bar(df)
    longest = max(fig.data[0].y, key=len) if len(fig.data) == 1 else max((y for t in fig.data for y in t.y), key=len)
    assert fig.layout.margin.l >= text_px(longest)
