"""The charts each page draws, in page order: one list for the pages, their prefetch, the server's warm-up
(``dashboard.serve``) and the benchmarks (``bench/bench_queries.py``). No Streamlit import.

``OVERVIEW`` carries the Overview's fixed parameters (the page adds the ones its widgets set); ``PAGES`` names the
views of every page.
"""

from __future__ import annotations

from typing import Any

#: the Overview's charts and their fixed parameters (the volume's ``normalise`` comes from a toggle)
OVERVIEW: dict[str, dict[str, Any]] = {
    "volume": {}, "country_map": {}, "country_bar": {}, "entity_bar": {"top": 15}, "keywords": {"k": 15},
    "topic_bar": {},
}



def overview(normalise: bool = False) -> dict[str, dict[str, Any]]:
    """The Overview's charts with the parameters a run draws them with: a fresh copy of :data:`OVERVIEW` with the
    volume's ``normalise`` toggle (off in a first run)."""
    out = {name: dict(params) for name, params in OVERVIEW.items()}
    out["volume"]["normalise"] = normalise
    return out


PAGES: dict[str, list[str]] = {
    "Overview": list(OVERVIEW),
    "Keywords": ["keywords", "keyword_trends", "compare_terms"],
    "Topics": ["topic_bar", "topic_map", "article_map", "topics_over_time", "topic_country"],
    "Entities": ["entity_bar", "entity_timeline", "cooccurrence"],
    "Events": ["events"],
    "Articles": ["articles"],
    "Compare": ["compare_volume", "compare_terms", "compare_topics", "compare_entities"],
}
