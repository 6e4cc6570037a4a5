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

The chart catalog (:mod:`analysis.catalog`, ``VIEWS``) names each chart once: its title, data, builder, CSV table
and what each customdata position means.
"""

from __future__ import annotations

from ._util import NO_DATA_MESSAGE, empty_figure, safe_text, wrap_text
from .entities import cooccurrence_network, entity_bar, entity_timeline, spring_layout
from .events import events_timeline
from .geo import country_bar, country_map, world_geojson, world_iso2
from .terms import compare_terms_chart, keyword_bar, keyword_trends_chart
from .theme import TEMPLATE_NAME, apply_theme, register, unvalidated
from .topics import article_map, topic_bar, topic_country_heatmap, topic_map, topics_over_time
from .volume import compare_share, compare_volume, volume_chart

__all__ = [
    "NO_DATA_MESSAGE", "TEMPLATE_NAME", "apply_theme", "article_map", "compare_share",
    "compare_terms_chart", "compare_volume", "cooccurrence_network", "country_bar", "country_map", "empty_figure",
    "entity_bar", "entity_timeline", "events_timeline", "keyword_bar", "keyword_trends_chart", "register",
    "safe_text", "spring_layout", "topic_bar", "topic_country_heatmap", "topic_map", "topics_over_time",
    "unvalidated", "volume_chart", "world_geojson", "world_iso2", "wrap_text",
]
