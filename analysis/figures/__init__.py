"""Chart builders: tidy DataFrame(s) -> plotly ``go.Figure``. No Streamlit, no ``show()``, no data access.

Conventions shared by every builder:
- Styled by the one "newslens" template (``theme.py``); keyword-only ``title=``/``subtitle=`` override the defaults.
- Empty input -> a figure with the annotation "No data for this filter" (never an exception). Missing columns are a
  programming error and raise ``ValueError``.
- Article-derived text is escaped with ``safe_text`` before it reaches hover, text or axis labels.
- ``customdata[0]`` of every data point is its drill-down key (uid, entity_id, topic_id, iso2, term, period as
  'YYYY-MM-DD'); each builder's docstring lists the full customdata row. For a Streamlit selection event:
  ``event.selection.points[i]["customdata"][0]``. Decoration traces (map base layer, network edges, event spans,
  legend stubs) carry no customdata.

``CHARTS`` lists them for ``chart --list`` and the report: name -> ChartSpec(name, title, builder, description).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go

from ._util import NO_DATA_MESSAGE, empty_figure, safe_text, wrap_text
from .entities import cooccurrence_network, entity_bar, entity_timeline, spring_layout
from .events import events_timeline
from .geo import country_bar, country_map, world_geojson, world_iso2
from .terms import compare_terms_chart, keyword_bar, keyword_trends_chart
from .theme import TEMPLATE_NAME, apply_theme, register
from .topics import article_map, topic_bar, topic_country_heatmap, topic_map, topics_over_time
from .volume import compare_share, compare_volume, volume_chart


@dataclass(frozen=True)
class ChartSpec:
    """One chart: registry ``name``, human ``title``, ``builder`` (DataFrame(s) -> go.Figure), one-line
    ``description`` saying what it shows and which columns it needs."""

    name: str
    title: str
    builder: Callable[..., go.Figure]
    description: str


_SPECS = [
    ChartSpec("volume", "Articles over time", volume_chart,
              "Articles and unique stories per period. df[period, articles, unique]"),
    ChartSpec("country_map", "Countries in the news", country_map,
              "Offline world choropleth of articles per country. df[iso2, name, articles, weight]"),
    ChartSpec("country_bar", "Top countries", country_bar,
              "Countries ranked by articles. df[iso2, name, articles, weight]"),
    ChartSpec("entity_bar", "Top entities", entity_bar,
              "People, organisations and places ranked by articles. df[entity_id, name, label, articles, mentions]"),
    ChartSpec("entity_timeline", "Entity mentions over time", entity_timeline,
              "Mentions per period for selected entities. df[period, entity_id, name, mentions, articles]"),
    ChartSpec("cooccurrence", "Who appears with whom", cooccurrence_network,
              "Entities that share articles. nodes[entity_id, name, label, articles], edges[source, target, weight]"),
    ChartSpec("keywords", "Top keywords", keyword_bar, "Terms ranked by score. df[term, score, count, docs]"),
    ChartSpec("keyword_trends", "Keyword trends", keyword_trends_chart,
              "Articles using each term per period. df[period, term, count, docs, share]"),
    ChartSpec("compare_terms", "Distinctive terms", compare_terms_chart,
              "Terms typical of slice A vs slice B (log-odds z). df[term, log_odds_z, count_a, count_b, side]"),
    ChartSpec("topic_bar", "Topics by size", topic_bar, "Topics ranked by articles. df[topic_id, label, size, share]"),
    ChartSpec("topic_map", "Topic map", topic_map,
              "Topics in 2-D, bubble area = size. df[topic_id, label, size, x, y]"),
    ChartSpec("article_map", "Articles by topic", article_map,
              "Every article in 2-D coloured by topic. df[uid, title, topic_id, label, x, y]"),
    ChartSpec("topics_over_time", "Topics over time", topics_over_time,
              "Articles per topic per period. df[period, topic_id, label, articles, share]"),
    ChartSpec("topic_country", "Topics by country", topic_country_heatmap,
              "Heatmap of articles per topic and country. df[topic_id, label, iso2, country, articles]"),
    ChartSpec("events", "Events timeline", events_timeline,
              "Dated events, one lane per entity or country. df[uid, title, sentence, start, end, granularity, lane]"),
    ChartSpec("compare_volume", "Volume: A vs B", compare_volume,
              "Two slices' articles per period. df_a, df_b [period, articles, unique]"),
    ChartSpec("compare_share", "Share: A vs B", compare_share,
              "Each item's share of slice A and slice B. df[name, share_a, share_b]"),
]
CHARTS: dict[str, ChartSpec] = {spec.name: spec for spec in _SPECS}

__all__ = [
    "CHARTS", "ChartSpec", "NO_DATA_MESSAGE", "TEMPLATE_NAME", "apply_theme", "article_map", "compare_share",
    "compare_terms_chart", "compare_volume", "cooccurrence_network", "country_bar", "country_map", "empty_figure",
    "entity_bar", "entity_timeline", "events_timeline", "keyword_bar", "keyword_trends_chart", "register",
    "safe_text", "spring_layout", "topic_bar", "topic_country_heatmap", "topic_map", "topics_over_time",
    "volume_chart", "world_geojson", "world_iso2", "wrap_text",
]
