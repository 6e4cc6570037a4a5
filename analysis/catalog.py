"""Named views: store + Filter -> (figure, data). One registry shared by the dashboard, ``chart`` and ``report``.

A view pairs a query (tidy DataFrame) with a chart builder from :mod:`analysis.figures`, so every chart the user sees
can be exported the same way from the browser or the command line, with the exact data behind it as CSV.

>>> fig, data = render("volume", Store.open("data/newslens.duckdb"), Filter())   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
import plotly.graph_objects as go

from analysis import figures, slices
from analysis.filters import Filter, FilterNames
from analysis.store import Store


@dataclass(frozen=True)
class View:
    """``data(store, filter, params)`` returns a DataFrame (or a tuple of them); ``figure(data, params)`` draws it;
    ``table(data)`` is the CSV behind the chart (defaults to the data itself)."""

    name: str
    title: str
    description: str
    data: Callable[[Store, Filter, dict[str, Any]], Any]
    figure: Callable[[Any, dict[str, Any]], go.Figure]
    table: Callable[[Any], pd.DataFrame] = lambda data: data
    needs_compare: bool = False


def resolve_freq(freq: str | None, date_range: tuple, f: Filter) -> str:
    """``freq``, or for "auto"/None the day / week / month that gives a time chart a readable number of bars over
    the filter's dates (``date_range`` = the store's (first, last) date)."""
    if freq and freq != "auto":
        return freq
    lo, hi = f.since or date_range[0], f.until or date_range[1]
    if not lo or not hi:
        return "month"
    days = (hi - lo).days
    return "day" if days <= 62 else "week" if days <= 600 else "month"


def _freq(store: Store, f: Filter, p: dict[str, Any]) -> str:
    return resolve_freq(p.get("freq"), store.date_range(), f)


def _volume(store, f, p):
    freq = _freq(store, f, p)
    frame = store.volume(f, freq)
    frame["period"] = pd.to_datetime(frame["period"])
    frame.attrs["freq"] = freq  # the chart ticks and fills by it
    return frame


def _countries(store, f, p):
    return slices.countries(store, f)


def _entity_ids(store, f, p) -> list[str]:
    return list(p.get("entities") or []) or store.entities(f, labels=p.get("labels") or (), limit=p.get("top_entities", 6))["entity_id"].tolist()


def _entity_timeline(store, f, p):
    freq = _freq(store, f, p)
    frame = store.entity_timeline(f, _entity_ids(store, f, p), freq)
    frame["period"] = pd.to_datetime(frame["period"])
    frame.attrs["freq"] = freq
    return frame


def _topics_over_time(store, f, p):
    freq = _freq(store, f, p)
    frame = store.topics_over_time(f, freq)
    frame["period"] = pd.to_datetime(frame["period"])
    frame.attrs["freq"] = freq
    return frame


def _topic_country(store, f, p):
    frame = store.topic_country(f)
    frame["country"] = [slices.country_name(c) for c in frame["iso2"]]
    return frame


def _keyword_trends(store, f, p):
    freq = _freq(store, f, p)
    frame = slices.keyword_trends(store, f, freq=freq, terms=p.get("terms"), k=p.get("k_trends", 8))
    frame.attrs["freq"] = freq
    return frame


def _events(store, f, p):
    lanes = p.get("lanes", "country")
    # an even sample of EVENTS_SHOWN events over all dates keeps 30 lanes readable and the chart quick to draw (1,000
    # took ~100 ms to draw on the server alone); `python -m analysis events` lists every one
    frame = store.events(f, lanes=lanes, lane_ids=p.get("lane_ids") or (), resolved_only=True,
                         limit=p.get("limit", EVENTS_SHOWN),
                         sample=True)
    if lanes == "country":
        frame["lane"] = [slices.country_name(c) for c in frame["lane_id"]]
    return frame


#: events drawn on the events timeline (a deterministic sample over all dates when there are more)
EVENTS_SHOWN = 500


def _compare(p) -> Filter:
    return p.get("compare") or Filter()


def _labels(p) -> tuple[str, str]:
    return p.get("label_a", "A"), p.get("label_b", "B")


def _pair_table(data) -> pd.DataFrame:
    a, b = data
    return pd.concat([a.assign(slice="A"), b.assign(slice="B")], ignore_index=True)


def _network_table(data) -> pd.DataFrame:
    nodes, edges = data
    names = dict(zip(nodes["entity_id"], nodes["name"]))
    out = edges.copy()
    out.insert(1, "source_name", out["source"].map(names))
    out["target_name"] = out["target"].map(names)
    return out


def _topics(store, f, p):
    frame = store.topics(f)
    if not frame.empty:
        frame["terms"] = frame["terms"].map(lambda t: ", ".join(json.loads(t)) if t else "")
    frame.attrs["unit"] = store.topic_unit()  # "paragraphs" for a one-article corpus: the axis says so
    return frame


VIEWS: dict[str, View] = {v.name: v for v in [
    View("volume", "Articles over time", "Articles and unique stories per period (undated articles left out).",
         _volume, lambda d, p: figures.volume_chart(d, normalise=p.get("normalise", False))),
    View("country_map", "Countries in the news", "World map of articles per country the articles are about.",
         _countries, lambda d, p: figures.country_map(d)),
    View("country_bar", "Top countries", "Countries ranked by articles about them.",
         _countries, lambda d, p: figures.country_bar(d)),
    View("entity_bar", "Top entities", "People, organisations and places ranked by articles.",
         lambda s, f, p: s.entities(f, labels=p.get("labels") or (), limit=p.get("top", 25)),
         lambda d, p: figures.entity_bar(d)),
    View("entity_timeline", "Entity mentions over time", "Mentions per period of the top (or chosen) entities.",
         _entity_timeline, lambda d, p: figures.entity_timeline(d)),
    View("cooccurrence", "Who appears with whom", "Entities mentioned in the same sentence.",
         lambda s, f, p: s.cooccurrence(f, level=p.get("level", "sentence"), top=p.get("top", 30), labels=p.get("labels") or ()),
         lambda d, p: figures.cooccurrence_network(*d), _network_table),
    View("keywords", "Top keywords", "TF-IDF keywords of the filtered articles.",
         lambda s, f, p: slices.keywords(s, f, k=p.get("k", 25)), lambda d, p: figures.keyword_bar(d, top=p.get("k", 25))),
    View("keyword_trends", "Keyword trends", "Articles using the top keywords per period.",
         _keyword_trends, lambda d, p: figures.keyword_trends_chart(d, normalise=p.get("normalise", False))),
    View("compare_terms", "Distinctive terms: A vs B", "Terms typical of slice A against slice B (log-odds z-score).",
         lambda s, f, p: slices.compare_keywords(s, f, p.get("compare"), k=p.get("k", 20)),
         lambda d, p: figures.compare_terms_chart(d, *_labels(p)), needs_compare=True),
    View("topic_bar", "Topics by size", "Topics of the filtered articles, largest first.",
         _topics, lambda d, p: figures.topic_bar(d, unit=d.attrs.get("unit", "articles"))),
    View("topic_map", "Topic map", "Topics in two dimensions; close topics share vocabulary.",
         _topics, lambda d, p: figures.topic_map(d, unit=d.attrs.get("unit", "articles"))),
    View("article_map", "Articles by topic", "Every article in two dimensions, coloured by topic.",
         # a 2,000-article sample reads as well as 15k overlapping points and draws in a third of the time
         lambda s, f, p: s.article_map(f, limit=p.get("limit", 2000)), lambda d, p: figures.article_map(d)),
    View("topics_over_time", "Topics over time", "Articles per topic per period.",
         _topics_over_time, lambda d, p: figures.topics_over_time(d, normalise=p.get("normalise", False))),
    View("topic_country", "Topics by country", "Articles per topic and country.",
         _topic_country, lambda d, p: figures.topic_country_heatmap(d)),
    View("events", "Events timeline", "Dated events the articles mention, one lane per country or entity.",
         _events, lambda d, p: figures.events_timeline(d)),
    View("compare_volume", "Volume: A vs B", "Articles per period in slice A and slice B.",
         lambda s, f, p: (_volume(s, f, p), _volume(s, _compare(p), p)),
         lambda d, p: figures.compare_volume(d[0], d[1], *_labels(p), normalise=p.get("normalise", False)),
         _pair_table, needs_compare=True),
    View("compare_topics", "Topic share: A vs B", "Share of each slice's articles per topic.",
         lambda s, f, p: slices.compare_topics(s, f, _compare(p)),
         lambda d, p: figures.compare_share(d, *_labels(p), title="Topic share: A vs B"), needs_compare=True),
    View("compare_entities", "Entity share: A vs B", "Share of each slice's articles mentioning an entity.",
         lambda s, f, p: slices.compare_entities(s, f, _compare(p)),
         lambda d, p: figures.compare_share(d, *_labels(p), title="Entity share: A vs B"), needs_compare=True),
]}


def render(name: str, store: Store, f: Filter = Filter(), **params: Any) -> tuple[go.Figure, pd.DataFrame]:
    """Figure and the CSV table behind it for view ``name`` under ``f``; ``params`` tune the view (freq, normalise,
    compare=Filter, label_a/label_b, entities, labels, k, top)."""
    data = VIEWS[name].data(store, f, params)
    names = slices.filter_names(store, f, params.get("compare"))
    return figure(name, data, f, names=names, **params), VIEWS[name].table(data)


def figure(name: str, data: Any, f: Filter = Filter(), names: FilterNames | None = None, **params: Any) -> go.Figure:
    """Draw view ``name`` from data already fetched by ``VIEWS[name].data`` (so callers may cache the data and
    never the figure), titled with the view and its filter in words (``names``: see ``slices.filter_names``)."""
    view = VIEWS[name]
    fig = view.figure(data, params)
    subtitle = f.describe(names) if not view.needs_compare else \
        f"A: {f.describe(names)} | B: {_compare(params).describe(names)}"
    fig.layout.title.text = _title_with_subtitle(view.title, subtitle)  # an attribute set: no update_layout pass
    return fig


def _title_with_subtitle(title: str, subtitle: str) -> str:
    return f"{figures.safe_text(title)}<br><sup>{figures.safe_text(subtitle)}</sup>"


def manifest(store: Store, f: Filter, names: list[str], params: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a report was made from: filters, corpus version and counts, charts, time, app version."""
    import analysis

    return {
        "app": "NewsLens", "app_version": analysis.__version__,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "store": str(store.path), "corpus_version": store.corpus_version(),
        "filter": f.to_params(), "filter_description": f.describe(slices.filter_names(store, f)),
        "compare": (params or {}).get("compare").to_params() if (params or {}).get("compare") else None,
        "articles": store.count(f), "charts": names,
    }


def _no_data(table: Any) -> bool:
    return table is None or (isinstance(table, pd.DataFrame) and table.empty)


def report(store: Store, f: Filter, names: list[str] | None = None, fmt: str = "zip", **params: Any) -> bytes:
    """Every named chart (default: all that need no second slice, plus compare views when ``compare`` is given)
    with its data and a manifest, as a ZIP or one self-contained HTML file."""
    from analysis.export import ReportItem, report_html, report_zip

    if names is None:
        names = [n for n, v in VIEWS.items() if not v.needs_compare or params.get("compare") is not None]
    items, left_out = [], []
    for name in names:
        fig, table = render(name, store, f, **params)
        if _no_data(table):  # a report shows what there is; the manifest lists what had nothing to show
            left_out.append(name)
            continue
        items.append(ReportItem(name=name, title=VIEWS[name].title, figure=fig, data=table))
    info = manifest(store, f, [item.name for item in items], params)
    info["left_out_no_data"] = left_out
    if fmt == "html":
        return report_html(items, info, title=f"NewsLens report: {info['filter_description']}").encode("utf-8")
    return report_zip(items, info)
