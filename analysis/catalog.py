"""The chart catalog: every chart NewsLens draws, declared once. Shared by the dashboard, ``chart`` and ``report``.

A :class:`View` pairs a query (tidy DataFrame) with its figure builder from :mod:`analysis.figures`, its title, the
CSV table behind it, and what each position of a drawn point's ``customdata`` means (``point``) and which of those
fields a selection narrows the filter by (``drill``). ``tests/figures/test_catalog.py`` draws every view on a tiny
store and checks each data trace's customdata against ``point``, so reordering a builder's customdata without its
declaration fails a test instead of silently breaking drill-down.

>>> fig, data = render("volume", Store.open("data/newslens.duckdb"), Filter())   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis import figures, slices
from analysis.filters import Filter, FilterNames
from analysis.store import Store

#: customdata fields a selection can narrow the filter by: a period ('YYYY-MM-DD' start), a country, an entity, a
#: topic, a term (text query), or articles themselves (uid: listed, not a filter)
DRILL_FIELDS = frozenset({"period", "iso2", "entity_id", "topic_id", "term", "uid"})


def _no_options(data: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {}


def _same(data: Any) -> Any:
    return data


@dataclass(frozen=True)
class View:
    """One chart. ``data(store, filter, params)`` returns a DataFrame (or a tuple of them, passed to ``builder`` in
    order); ``builder`` is the :mod:`analysis.figures` function that draws it, called with ``title=`` and the keyword
    arguments ``options(data, params)``; ``table(data)`` is the CSV behind the chart (the data itself by default).

    ``point`` names ``customdata[0]``, ``[1]``, ... of every data point the builder draws (decoration traces carry
    none); ``drill`` lists the fields of ``point`` (all in :data:`DRILL_FIELDS`) that a selection of points narrows
    the filter by, empty for charts whose points select nothing (a compare chart's period belongs to two slices).
    """

    name: str
    title: str
    description: str
    data: Callable[[Store, Filter, dict[str, Any]], Any]
    builder: Callable[..., go.Figure]
    point: tuple[str, ...]
    drill: tuple[str, ...] = ()
    options: Callable[[Any, dict[str, Any]], dict[str, Any]] = _no_options
    table: Callable[[Any], pd.DataFrame] = _same
    needs_compare: bool = False

    def __post_init__(self) -> None:
        unknown = [d for d in self.drill if d not in self.point or d not in DRILL_FIELDS]
        if unknown:
            raise ValueError(f"view {self.name!r}: drill fields {unknown} are not drill-down fields of its point "
                             f"{self.point}")

    def figure(self, data: Any, params: dict[str, Any]) -> go.Figure:
        """The builder's figure of ``data`` (as ``data()`` returned it) with this view's title and ``params``."""
        frames = data if isinstance(data, tuple) else (data,)
        return self.builder(*frames, title=self.title, **self.options(data, params))

    def drill_positions(self) -> list[tuple[int, str]]:
        """``(customdata position, field)`` of each drill field, in ``drill`` order."""
        return [(self.point.index(d), d) for d in self.drill]


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


def _entity_ids(store, f, p) -> tuple[list[str], int | None]:
    """The entities a timeline follows: those asked for, else the top ones of ``f`` and how many ``f`` has."""
    if p.get("entities"):
        return list(p["entities"]), None
    top = store.entities(f, labels=p.get("labels") or (), limit=p.get("top_entities", 6))
    return top["entity_id"].tolist(), top.attrs.get("entities")


def _periods(store, f, freq, frame):
    """``frame`` (a per-period frame of some entities, topics or terms) with ``attrs["freq"]``, and
    ``attrs["periods"]``: the periods in which ``f`` has any dated article. The chart then breaks its lines where
    the slice has no article at all, and draws 0 only where it has articles without the entity (or topic, term)."""
    frame.attrs["freq"] = freq
    frame.attrs["periods"] = [p.isoformat() for p in pd.to_datetime(store.volume(f, freq)["period"]).dt.date]
    return frame


def _entity_timeline(store, f, p):
    freq = _freq(store, f, p)
    ids, total = _entity_ids(store, f, p)
    frame = store.entity_timeline(f, ids, freq)
    frame["period"] = pd.to_datetime(frame["period"])
    if total is not None:  # the chart says it follows the top ones, of how many
        frame.attrs["entities"], frame.attrs["entities_followed"] = int(total), len(ids)
    return _periods(store, f, freq, frame)


def _topics_over_time(store, f, p):
    freq = _freq(store, f, p)
    frame = store.topics_over_time(f, freq)
    frame["period"] = pd.to_datetime(frame["period"])
    return _periods(store, f, freq, frame)


def _topic_country(store, f, p):
    frame = store.topic_country(f)
    frame["country"] = [slices.country_name(c) for c in frame["iso2"]]
    return frame


def _keyword_trends(store, f, p):
    freq = _freq(store, f, p)
    frame = slices.keyword_trends(store, f, freq=freq, terms=p.get("terms"), k=p.get("k_trends", 8))
    return _periods(store, f, freq, frame)


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
    names = dict(zip(nodes["entity_id"], nodes["name"], strict=True))
    out = edges.copy()
    out.insert(1, "source_name", out["source"].map(names))
    out["target_name"] = out["target"].map(names)
    return out


def _topics(store, f, p):
    frame = store.topics(f)
    if not frame.empty:
        frame["terms"] = frame["terms"].map(", ".join)
    frame.attrs["unit"] = store.topic_unit()  # "paragraphs" for a one-article corpus: the axis says so
    return frame


def _normalise(data: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {"normalise": params.get("normalise", False)}


def _unit(data: Any, params: dict[str, Any]) -> dict[str, Any]:
    return {"unit": data.attrs.get("unit", "articles")}


def _label_options(data: Any, params: dict[str, Any]) -> dict[str, Any]:
    label_a, label_b = _labels(params)
    return {"label_a": label_a, "label_b": label_b}


_COUNTRY_POINT = ("iso2", "name", "articles", "weight")

VIEWS: dict[str, View] = {v.name: v for v in [
    View("volume", "Articles over time", "Articles and unique stories per period (undated articles left out).",
         _volume, figures.volume_chart, point=("period", "articles", "unique"), drill=("period",),
         options=_normalise),
    View("country_map", "Countries in the news", "World map of articles per country the articles are about.",
         _countries, figures.country_map, point=_COUNTRY_POINT, drill=("iso2",)),
    View("country_bar", "Top countries", "Countries ranked by articles about them.",
         _countries, figures.country_bar, point=_COUNTRY_POINT, drill=("iso2",)),
    View("entity_bar", "Top entities", "People, organisations and places ranked by articles.",
         lambda s, f, p: s.entities(f, labels=p.get("labels") or (), limit=p.get("top", 25)),
         figures.entity_bar, point=("entity_id", "name", "label", "articles", "mentions"), drill=("entity_id",)),
    View("entity_timeline", "Entity mentions over time", "Mentions per period of the top (or chosen) entities.",
         _entity_timeline, figures.entity_timeline, point=("entity_id", "period", "name", "mentions", "articles"),
         drill=("entity_id", "period")),
    View("cooccurrence", "Who appears with whom", "Entities mentioned in the same sentence.",
         lambda s, f, p: s.cooccurrence(f, level=p.get("level", "sentence"), top=p.get("top", 30), labels=p.get("labels") or ()),
         figures.cooccurrence_network, point=("entity_id", "name", "label", "articles"), drill=("entity_id",),
         table=_network_table),
    View("keywords", "Top keywords", "TF-IDF keywords of the filtered articles.",
         lambda s, f, p: slices.keywords(s, f, k=p.get("k", 25)), figures.keyword_bar,
         point=("term", "count", "docs"), drill=("term",), options=lambda d, p: {"top": p.get("k", 25)}),
    View("keyword_trends", "Keyword trends", "Articles using the top keywords per period.",
         _keyword_trends, figures.keyword_trends_chart, point=("period", "term", "count", "docs", "share"),
         drill=("period", "term"), options=_normalise),
    View("compare_terms", "Distinctive terms: A vs B", "Terms typical of slice A against slice B (log-odds z-score).",
         lambda s, f, p: slices.compare_keywords(s, f, p.get("compare"), k=p.get("k", 20)),
         figures.compare_terms_chart, point=("term", "log_odds_z", "count_a", "count_b", "side"), drill=("term",),
         options=_label_options, needs_compare=True),
    View("topic_bar", "Topics by size", "Topics of the filtered articles, largest first.",
         _topics, figures.topic_bar, point=("topic_id", "label", "size", "share"), drill=("topic_id",),
         options=_unit),
    View("topic_map", "Topic map", "Topics in two dimensions; close topics share vocabulary.",
         _topics, figures.topic_map, point=("topic_id", "label", "size"), drill=("topic_id",), options=_unit),
    View("article_map", "Articles by topic", "Every article in two dimensions, coloured by topic.",
         # a 2,000-article sample reads as well as 15k overlapping points and draws in a third of the time
         lambda s, f, p: s.article_map(f, limit=p.get("limit", 2000)), figures.article_map,
         point=("uid", "topic_id"), drill=("uid",)),
    View("topics_over_time", "Topics over time", "Articles per topic per period.",
         _topics_over_time, figures.topics_over_time, point=("period", "topic_id", "label", "articles", "share"),
         drill=("period", "topic_id"), options=_normalise),
    View("topic_country", "Topics by country", "Articles per topic and country.",
         _topic_country, figures.topic_country_heatmap, point=("topic_id", "iso2", "label", "country"),
         drill=("topic_id", "iso2")),
    View("events", "Events timeline", "Dated events the articles mention, one lane per country or entity.",
         _events, figures.events_timeline,
         point=("uid", "start", "end", "granularity", "lane", "title", "sentence"), drill=("uid",)),
    View("compare_volume", "Volume: A vs B", "Articles per period in slice A and slice B.",
         lambda s, f, p: (_volume(s, f, p), _volume(s, _compare(p), p)), figures.compare_volume,
         point=("period", "articles", "slice"),
         options=lambda d, p: {**_label_options(d, p), **_normalise(d, p)}, table=_pair_table, needs_compare=True),
    View("compare_topics", "Topic share: A vs B", "Share of each slice's articles per topic.",
         lambda s, f, p: slices.compare_topics(s, f, _compare(p)), figures.compare_share, point=("name", "slice"),
         options=_label_options, needs_compare=True),
    View("compare_entities", "Entity share: A vs B", "Share of each slice's articles mentioning an entity.",
         lambda s, f, p: slices.compare_entities(s, f, _compare(p)), figures.compare_share, point=("name", "slice"),
         options=_label_options, needs_compare=True),
]}


def render(name: str, store: Store, f: Filter | None = None, **params: Any) -> tuple[go.Figure, pd.DataFrame]:
    """Figure and the CSV table behind it for view ``name`` under ``f``; ``params`` tune the view (freq, normalise,
    compare=Filter, label_a/label_b, entities, labels, k, top)."""
    f = f if f is not None else Filter()
    data = VIEWS[name].data(store, f, params)
    names = slices.filter_names(store, f, params.get("compare"))
    return figure(name, data, f, names=names, **params), VIEWS[name].table(data)


def figure(name: str, data: Any, f: Filter | None = None, names: FilterNames | None = None, **params: Any) -> go.Figure:
    """Draw view ``name`` from data already fetched by ``VIEWS[name].data`` (so callers may cache the data and
    never the figure), titled with the view and its filter in words (``names``: see ``slices.filter_names``)."""
    view, f = VIEWS[name], f if f is not None else Filter()
    fig = view.figure(data, params)
    subtitle = f.describe(names) if not view.needs_compare else \
        f"A: {f.describe(names)} | B: {_compare(params).describe(names)}"
    subtitle += sample_note(data)
    fig.layout.title.text = _title_with_subtitle(view.title, subtitle)  # an attribute set: no update_layout pass
    return fig


def sample_note(data: Any) -> str:
    """" · a sample of 2,000 of 14,831" when the view's data is a sample (a frame whose ``attrs["total"]``,
    set by the store, is more than its rows; the article map), else "": a chart never shows a cut silently."""
    for frame in data if isinstance(data, tuple) else (data,):
        total = frame.attrs.get("total") if isinstance(frame, pd.DataFrame) else None
        if total is not None and int(total) > len(frame):
            return f" · a sample of {len(frame):,} of {int(total):,}"
    return ""


def _title_with_subtitle(title: str, subtitle: str) -> str:
    return f"{figures.safe_text(title)}<br><sup>{figures.safe_text(subtitle)}</sup>"


def manifest(store: Store, f: Filter, names: list[str], params: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a report was made from: filters, corpus version and counts, charts, time, app version."""
    import analysis

    return {
        "app": "NewsLens", "app_version": analysis.__version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "store": str(store.path), "corpus_version": store.corpus_version(),
        "filter": f.to_params(), "filter_description": f.describe(slices.filter_names(store, f)),
        "compare": (params or {}).get("compare").to_params() if (params or {}).get("compare") else None,
        "articles": store.count(f), "charts": names,
    }


def _no_data(table: Any) -> bool:
    return table is None or (isinstance(table, pd.DataFrame) and table.empty)


def report(store: Store, f: Filter, names: list[str] | None = None, fmt: str = "zip",
           per_chart: dict[str, dict[str, Any]] | None = None, **params: Any) -> bytes:
    """Every named chart (default: all that need no second slice, plus compare views when ``compare`` is given)
    with its data and a manifest, as a ZIP or one self-contained HTML file. Each chart is drawn with ``params``
    updated by its own ``per_chart[name]`` (a page's charts as drawn)."""
    from analysis.export import ReportItem, report_html, report_zip

    if names is None:
        names = [n for n, v in VIEWS.items() if not v.needs_compare or params.get("compare") is not None]
    items, left_out = [], []
    for name in names:
        fig, table = render(name, store, f, **{**params, **(per_chart or {}).get(name, {})})
        if _no_data(table):  # a report shows what there is; the manifest lists what had nothing to show
            left_out.append(name)
            continue
        items.append(ReportItem(name=name, title=VIEWS[name].title, figure=fig, data=table))
    info = manifest(store, f, [item.name for item in items], params)
    info["left_out_no_data"] = left_out
    if fmt == "html":
        return report_html(items, info, title=f"NewsLens report: {info['filter_description']}").encode("utf-8")
    return report_zip(items, info)
