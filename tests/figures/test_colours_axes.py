"""Colours follow identity (entity type, topic id, country), not legend position; time axes follow the period."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import figures
from analysis.figures._util import fill_periods, period_freq, time_axis
from analysis.figures.theme import LABEL_COLORS, OTHER_COLOR, key_color, label_color, topic_color


def _entities(labels):
    return pd.DataFrame({"entity_id": [f"{lbl}:{i}" for i, lbl in enumerate(labels)],
                         "name": [f"n{i}" for i in range(len(labels))], "label": labels,
                         "articles": list(range(len(labels), 0, -1)), "mentions": [5] * len(labels)})


def _trace_colours(fig) -> dict[str, str]:
    return {t.get("legendgroup", t["name"]): t["marker"]["color"] for t in fig.to_dict()["data"]}


def test_entity_type_keeps_its_colour_whatever_else_is_shown():
    with_person = _trace_colours(figures.entity_bar(_entities(["PERSON", "GPE", "ORG"])))
    gpe_only = _trace_colours(figures.entity_bar(_entities(["GPE"])))
    assert with_person["GPE"] == gpe_only["GPE"] == LABEL_COLORS["GPE"]
    assert with_person["PERSON"] == LABEL_COLORS["PERSON"] != LABEL_COLORS["GPE"]
    assert label_color("SOMETHING_NEW") == label_color("SOMETHING_NEW")  # unknown types: stable too


def test_topic_colour_follows_the_topic_id_in_every_chart():
    topics = pd.DataFrame({"topic_id": [4, 1], "label": ["oil", "rates"], "size": [9, 3], "share": [0.75, 0.25],
                           "x": [0.0, 1.0], "y": [0.0, 1.0]})
    bar = figures.topic_bar(topics).to_dict()["data"][0]
    by_id = dict(zip(bar["customdata"][:, 0].tolist() if isinstance(bar["customdata"], np.ndarray)
                     else [row[0] for row in bar["customdata"]], bar["marker"]["color"], strict=True))
    assert by_id == {4: topic_color(4), 1: topic_color(1)}
    bubbles = figures.topic_map(topics).to_dict()["data"][0]["marker"]["color"]
    assert list(bubbles) == [topic_color(4), topic_color(1)]
    # only topic 1 under a filter: still topic 1's colour
    over_time = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-01-02"]), "topic_id": [1, 1],
                              "label": ["rates", "rates"], "articles": [2, 1], "share": [1.0, 1.0]})
    line = figures.topics_over_time(over_time).to_dict()["data"][0]["line"]["color"]
    assert line == topic_color(1)
    assert topic_color(-1) == OTHER_COLOR and topic_color(None) == OTHER_COLOR


def test_event_lane_colour_follows_the_country_not_its_position():
    def events(lanes):
        return pd.DataFrame({"uid": range(len(lanes)), "title": "t", "sentence": "s",
                             "start": pd.to_datetime(["2023-01-01"] * len(lanes)), "end": None, "granularity": "day",
                             "lane": [name for name, _ in lanes], "lane_id": [iso for _, iso in lanes]})

    def colours(fig):
        return {t["name"]: t["marker"]["color"] for t in fig.to_dict()["data"] if t.get("mode") == "markers"}

    both = colours(figures.events_timeline(events([("South Korea", "KR"), ("Japan", "JP")])))
    alone = colours(figures.events_timeline(events([("Japan", "JP")])))
    assert both["Japan"] == alone["Japan"] == key_color("JP")


def test_one_period_is_one_bar_with_its_date_and_integer_counts():
    df = pd.DataFrame({"period": pd.to_datetime(["2023-07-14"]), "articles": [1], "unique": [1]})
    layout = figures.volume_chart(df, freq="day").to_dict()["layout"]
    x, y = layout["xaxis"], layout["yaxis"]
    assert x["tickformat"] == "%b %-d, %Y" and x["tick0"].startswith("2023-07-14")
    assert pd.Timestamp(x["range"][0]) < pd.Timestamp("2023-07-14") < pd.Timestamp(x["range"][1])
    assert x["dtick"] == 86_400_000  # a tick a day, never 12:00
    assert y["dtick"] == 1 and y["tickformat"] == ",d"  # no 0.5 articles


def test_periods_without_articles_are_zeros_not_a_line_across_the_gap():
    df = pd.DataFrame({"period": pd.to_datetime(["2023-07-03", "2023-07-24"]), "articles": [3, 2], "unique": [2, 2]})
    bars = figures.volume_chart(df, freq="week").data[0]
    assert [str(v)[:10] for v in bars.x] == ["2023-07-03", "2023-07-10", "2023-07-17", "2023-07-24"]
    assert list(np.asarray(bars.y, dtype=float)) == [3.0, 0.0, 0.0, 2.0]
    assert period_freq(pd.DataFrame({"period": pd.to_datetime(["2023-07-03", "2023-07-10", "2023-07-24"])})) == "week"
    assert len(fill_periods(df, "month", zero=["articles", "unique"])) == 2  # not month starts: nothing invented


def test_fill_periods_per_group_carries_names():
    df = pd.DataFrame({"period": pd.to_datetime(["2023-01-01", "2023-03-01", "2023-01-01"]),
                       "entity_id": ["a", "a", "b"], "name": ["A", "A", "B"], "mentions": [2, 3, 1],
                       "articles": [1, 2, 1]})
    out = fill_periods(df, "month", zero=["mentions", "articles"], by="entity_id")
    b = out[out["entity_id"] == "b"].sort_values("period")
    assert b["mentions"].tolist() == [1, 0, 0] and b["name"].tolist() == ["B", "B", "B"]
    assert len(out) == 6


@pytest.mark.parametrize("freq, fmt", [("week", "%b %-d, %Y"), ("month", "%b %Y"), ("year", "%Y")])
def test_time_axis_format_matches_the_period(freq, fmt):
    axis = time_axis(pd.to_datetime(["2020-01-01", "2021-01-01"]), freq)
    assert axis["tickformat"] == fmt and axis["hoverformat"] == fmt


def test_compare_with_an_empty_side_says_which():
    a = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-01-02"]), "articles": [1, 2], "unique": [1, 2]})
    b = a.iloc[0:0]
    layout = figures.compare_volume(a, b, "Korea", "Japan").to_dict()["layout"]
    assert [n["text"] for n in layout["annotations"]] == ["Japan: no dated articles"]
    assert layout["showlegend"] is True


def test_world_map_title_keeps_off_the_left_edge():
    df = pd.DataFrame({"iso2": ["KR"], "name": ["South Korea"], "articles": [3], "weight": [0.8]})
    assert figures.country_map(df).to_dict()["layout"]["margin"]["l"] >= 12


def test_count_axes_and_colour_bars_have_integer_ticks_on_a_one_article_corpus():
    countries = pd.DataFrame({"iso2": ["KR", "CN"], "name": ["South Korea", "China"], "articles": [1, 1],
                              "weight": [0.9, 0.5]})
    bar = figures.geo.country_bar(countries).to_dict()["layout"]["xaxis"]
    assert (bar["dtick"], bar["tickformat"]) == (1, ",d")
    colorbar = figures.geo.country_map(countries).to_dict()["data"][0]["colorbar"]
    assert (colorbar["tickvals"], colorbar["tickformat"]) == ([0, 1], ",d")
    entities = pd.DataFrame({"entity_id": ["PERSON:park-jin"], "name": ["Park Jin"], "label": ["PERSON"],
                             "articles": [1], "mentions": [3]})
    ent = figures.entities.entity_bar(entities).to_dict()["layout"]["xaxis"]
    assert (ent["dtick"], ent["tickformat"]) == (1, ",d")
    many = countries.assign(articles=[40, 12])
    assert "dtick" not in figures.geo.country_bar(many).to_dict()["layout"]["xaxis"]  # plotly picks integer steps
