"""The chart catalog (analysis.catalog.VIEWS) against what its builders draw, on a tiny store built in the test.

Every view declares what each position of a point's customdata means (``point``) and which of those fields a
selection narrows by (``drill``). Here every view is drawn and each data trace's customdata is checked against that
declaration: its width, and for each field that is a column of the chart's table, that the values sit in that
column (so a builder that reorders its customdata fails here, not silently in drill-down).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import plotly.io as pio
import pytest

from analysis import catalog, figures
from analysis.figures import safe_text
from analysis.filters import Filter
from analysis.pipeline import BuildOptions, build
from analysis.store import Store

ARTICLES = [
    ("Seoul and Tokyo talk trade", "2024-01-03",
     "Seoul, Jan 3 - South Korea and Japan held trade talks in Tokyo on Wednesday. President Yoon Suk-yeol said "
     "exports of chips to Japan would rise. Samsung Electronics welcomed the talks."),
    ("Chip exports rise", "2024-01-10",
     "Seoul, Jan 10 - South Korea said chip exports rose in December. Samsung Electronics and SK Hynix led the "
     "gains, and Yoon Suk-yeol praised the chip makers."),
    ("Tokyo markets", "2024-01-17",
     "Tokyo, Jan 17 - Japanese shares rose as chip makers gained. Prime Minister Fumio Kishida said Japan and South "
     "Korea would hold more trade talks in March 2024."),
    ("Oil prices fall", "2024-02-05",
     "London, Feb 5 - Oil prices fell as OPEC output rose. Saudi Arabia said it would keep output steady, and "
     "Russia said oil exports to China rose in January."),
    ("OPEC meeting", "2024-02-12",
     "Vienna, Feb 12 - OPEC ministers met in Vienna. Saudi Arabia and Russia agreed on oil output, and oil prices "
     "rose after the meeting on Monday."),
    ("China buys oil", "2024-02-20",
     "Beijing, Feb 20 - China bought more oil from Russia in February. Oil imports rose, and Chinese refiners said "
     "prices fell in London."),
    ("Wheat harvest", "2024-03-04",
     "Kansas, March 4 - Kansas farmers expect a record wheat harvest. The United States said wheat exports to China "
     "would rise this year."),
    ("Wheat prices", "2024-03-11",
     "Chicago, March 11 - Wheat prices fell in Chicago as the United States harvest grew. Farmers in Kansas said "
     "exports to China rose."),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    folder = tmp_path_factory.mktemp("catalog")
    corpus = folder / "articles.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"a{i}", "title": title, "date": date, "text": text}) + "\n"
                              for i, (title, date, text) in enumerate(ARTICLES)), encoding="utf-8")
    path = folder / "s.duckdb"
    report = build([str(corpus)], path, BuildOptions())
    assert report.articles == len(ARTICLES)
    return Store.open(path)


def _params(name: str) -> dict:
    if catalog.VIEWS[name].needs_compare:
        return {"compare": Filter(query="wheat")}
    return {}


def _rows(trace) -> list[list]:
    """customdata of a trace as a list of rows (a heatmap's is rows x columns x fields; empty cells skipped)."""
    cd = trace.customdata
    if cd is None:
        return []
    arr = np.asarray(cd, dtype=object)
    if arr.ndim == 3:
        arr = arr.reshape(-1, arr.shape[-1])
    return [list(r) for r in arr]


def _same(value, column_values) -> bool:
    if isinstance(value, str):
        value = value.replace("<br>", " ")  # long text is wrapped for hover
        return value in {safe_text(v) for v in column_values} | {str(v) for v in column_values}
    try:
        return any(np.isclose(float(value), float(v), atol=0.006) for v in column_values if v is not None)
    except (TypeError, ValueError):
        return False


def _key(value, field: str) -> str:
    """A key field's value as the table and the customdata both spell it."""
    if field in ("period", "start", "end"):
        return str(value)[:10]
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


def _column(table, field: str) -> list:
    values = [v for v in table[field].tolist() if v is not None and v == v]
    return [str(v)[:10] for v in values] if field in ("period", "start", "end") else values


def test_every_declaration_is_consistent():
    for name, view in catalog.VIEWS.items():
        assert view.name == name and view.point, name
        assert set(view.drill) <= set(view.point) & catalog.DRILL_FIELDS, name
    with pytest.raises(ValueError, match="drill fields"):
        catalog.View("x", "X", "x", lambda s, f, p: None, catalog.figures.volume_chart, point=("articles",),
                     drill=("period",))


@pytest.mark.parametrize("name", list(catalog.VIEWS))
def test_customdata_matches_the_declared_point(store, name):
    view = catalog.VIEWS[name]
    fig, table = catalog.render(name, store, Filter(), **_params(name))
    raw = view.data(store, Filter(), _params(name))
    if isinstance(raw, tuple):  # the network's nodes (its table lists the edges), slice A of a compare chart
        table = raw[0]
    rows = [row for trace in fig.data for row in _rows(trace)]
    assert rows, f"{name}: no data points on the test store"  # the store has data for every chart
    assert {len(r) for r in rows} == {len(view.point)}, f"{name}: customdata width differs from {view.point}"
    columns = {field: _column(table, field) for field in view.point if field in table.columns}
    # rows whose keys (the first field, the drill fields) are in the table; a time chart adds empty periods the
    # table has not, checked for width only
    keys = [(i, fld) for i, fld in enumerate(view.point) if fld in columns and (i == 0 or fld in view.drill)]
    pairs = {tuple(_key(v, fld) for v, fld in zip(values, [f for _, f in keys], strict=True))
             for values in zip(*(table[fld].tolist() for _, fld in keys), strict=True)}
    known = [r for r in rows if tuple(_key(r[i], fld) for i, fld in keys) in pairs] if keys else rows
    assert known, f"{name}: no point's customdata keys {keys} are values of the chart's table"
    for position, field in enumerate(view.point):
        if field not in columns:
            continue
        bad = [r[position] for r in known if r[position] not in (None, "") and not _same(r[position], columns[field])]
        assert not bad, f"{name}: customdata[{position}] is declared {field!r} but holds {bad[:3]}"
    for position, field in view.drill_positions():
        first = next(r[position] for r in rows if r[position] not in (None, ""))
        if field == "period":
            dt.date.fromisoformat(str(first))  # a 'YYYY-MM-DD' period start
        elif field in ("uid", "topic_id"):
            assert int(first) == first


@pytest.mark.parametrize("f", [Filter(), Filter(query="oil"), Filter(since=dt.date(2024, 3, 1))],
                         ids=["all", "text", "dates"])
def test_figures_built_unvalidated_are_the_figures_built_validated(store, f):
    """The dashboard draws its pages' figures without plotly's property check (``figures.unvalidated``, a third
    of the building time); for every view the figure that reaches the browser is the same, key order aside."""
    for name in catalog.VIEWS:
        data = catalog.VIEWS[name].data(store, f, _params(name))
        checked = pio.to_json(catalog.figure(name, data, f, **_params(name)), validate=False)
        with figures.unvalidated():
            unchecked = catalog.figure(name, data, f, **_params(name))
        assert unchecked._validate is False, "the context did not reach the figure"
        assert json.loads(pio.to_json(unchecked, validate=False)) == json.loads(checked), name
    assert catalog.figure("volume", catalog.VIEWS["volume"].data(store, f, {}), f)._validate is True


def test_drill_reads_the_declared_positions(store):
    """A selection on a drawn chart narrows by what its point declares: a period and a topic from topics_over_time."""
    from dashboard.selection import drill

    fig, _ = catalog.render("topics_over_time", store, Filter())
    point = next(r for trace in fig.data for r in _rows(trace))
    narrowed, uids, _ = drill("topics_over_time", Filter(), [{"customdata": point}], freq="week")
    assert uids == [] and narrowed.topics == (int(point[1]),) and narrowed.since == dt.date.fromisoformat(point[0])


def test_a_sampled_article_map_says_it_is_a_sample(store):
    """The article map draws at most ``limit`` articles; when that cuts, its subtitle (and so every export) says how
    many of how many; uncut, it says nothing."""
    fig, table = catalog.render("article_map", store, Filter(), limit=3)
    whole = catalog.render("article_map", store, Filter())[1]
    assert len(table) == 3 and len(whole) > 3
    assert fig.layout.title.text.endswith(f"<sup>all articles · a sample of 3 of {len(whole)}</sup>")
    uncut = catalog.render("article_map", store, Filter(), limit=len(whole))[0]
    assert uncut.layout.title.text.endswith("<sup>all articles</sup>")
    assert catalog.sample_note(store.article_map(Filter(), limit=3)) == f" · a sample of 3 of {len(whole)}"


def test_a_sampled_events_timeline_says_it_is_a_sample(store):
    every = store.events(Filter(), limit=10_000, sample=True)
    assert len(every) > 2 and every.attrs["total"] == len(every)  # not cut: no count query, the rows themselves
    cut = store.events(Filter(), limit=2, sample=True)
    assert len(cut) == 2 and cut.attrs["total"] == len(every)
    fig, _table = catalog.render("events", store, Filter(), limit=2)
    assert fig.layout.title.text.endswith(f"<sup>all articles · a sample of 2 of {len(every)}</sup>")


def test_a_cut_topic_country_heatmap_says_of_how_many(store):
    """The store keeps the busiest countries of the topic-by-country heatmap; the chart's x axis says of how many."""
    every = store.topic_country(Filter(), top_countries=100)
    n = every["iso2"].nunique()
    assert n >= 2 and every.attrs["countries"] == n
    cut = store.topic_country(Filter(), top_countries=1)
    assert cut["iso2"].nunique() == 1 and cut.attrs["countries"] == n
    cut["country"] = cut["iso2"]
    assert catalog.figures.topic_country_heatmap(cut).layout.xaxis.title.text == \
        f"the country with most articles, of {n}"
    uncut = every.assign(country=every["iso2"])
    assert catalog.figures.topic_country_heatmap(uncut).layout.xaxis.title.text is None


@pytest.mark.parametrize("f", [Filter(), Filter(query="the")], ids=["whole corpus", "filtered"])
def test_the_top_entities_and_the_network_say_of_how_many(store, f):
    """The store keeps the entities with most articles; the bar chart and the network say how many of how many (the
    whole-corpus query and the filtered one count the same way)."""
    every = store.entities(f, limit=10_000)
    n = len(every)
    assert n >= 3 and every.attrs["entities"] == n
    cut = store.entities(f, limit=2)
    assert len(cut) == 2 and cut.attrs["entities"] == n
    fig, _table = catalog.render("entity_bar", store, f, top=2)
    assert fig.layout.xaxis.title.text == f"Articles<br><sup>the 2 entities with most articles, of {n:,}</sup>"
    net, _ = catalog.render("cooccurrence", store, f, top=2)
    assert net.layout.xaxis.title.text == f"the 2 entities with most articles, of {n:,}"
    uncut, _ = catalog.render("entity_bar", store, f, top=n)
    assert uncut.layout.xaxis.title.text == "Articles" if n <= 20 else "<br><sup>the 20 " in uncut.layout.xaxis.title.text


@pytest.mark.parametrize("f", [Filter(), Filter(query="said")], ids=["whole corpus", "filtered"])
def test_the_entity_timeline_and_the_keyword_charts_say_of_how_many(store, f):
    """The timeline follows the slice's top entities and the keyword charts its highest-scoring keywords: each says
    how many of how many (counted here independently: every entity of the slice, every keyword term it uses)."""
    from analysis.slices import term_index

    n_entities = len(store.entities(f, limit=10_000))
    timeline, _ = catalog.render("entity_timeline", store, f, top_entities=2)
    assert timeline.layout.yaxis.title.text == f"Mentions<br><sup>the 2 entities with most articles, of {n_entities}</sup>"
    chosen, _ = catalog.render("entity_timeline", store, f, entities=tuple(store.entities(f, limit=2)["entity_id"]))
    assert chosen.layout.yaxis.title.text == "Mentions"  # chosen, not cut
    index = term_index(store)
    rows = index.row_index(None if f.is_empty else store.uids(f))
    n_terms = int(((np.asarray(index.X[rows].sum(axis=0)).ravel() > 0) & index.keyword_mask).sum())
    assert n_terms > 5
    bar, _ = catalog.render("keywords", store, f, k=5)
    assert bar.layout.xaxis.title.text == f"Score<br><sup>the 5 keywords scoring highest, of {n_terms:,}</sup>"
    trends, _ = catalog.render("keyword_trends", store, f, k_trends=3)
    assert trends.layout.yaxis.title.text == \
        f"Articles using the term<br><sup>the 3 keywords scoring highest, of {n_terms:,}</sup>"
    followed, _ = catalog.render("keyword_trends", store, f, terms=["oil", "wheat"])
    assert followed.layout.yaxis.title.text == "Articles using the term"


def test_line_charts_know_the_periods_with_articles(store):
    """The data of every per-period line chart carries the periods in which the slice has articles (its volume's),
    so the chart breaks its lines in the others."""
    volume = catalog.VIEWS["volume"].data(store, Filter(), {"freq": "day"})
    expected = [d.date().isoformat() for d in volume["period"]]
    for name in ("entity_timeline", "topics_over_time", "keyword_trends"):
        frame = catalog.VIEWS[name].data(store, Filter(), {"freq": "day"})
        assert frame.attrs["periods"] == expected and frame.attrs["freq"] == "day", name
