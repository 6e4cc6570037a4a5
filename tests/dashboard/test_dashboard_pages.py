"""AppTest runs of every dashboard page on real stores: the default one-article corpus and 300 Reuters stories.

Stores are built once per module in a tmp dir with :func:`analysis.pipeline.build`; the dashboard finds them through
``NEWSLENS_STORE``. Each test asserts no exception and real content (counts, options, URL parameters).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.filters import Filter
from analysis.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
DEFAULT_CORPUS = REPO / "data" / "corpus"
REUTERS_JSONL = REPO.parent / "shared" / "corpora" / "reuters21578" / "jsonl" / "articles.jsonl"
PAGES = ["overview", "keywords", "topics", "entities", "events", "articles", "compare", "data"]
TIMEOUT = 60


def _build(sources, store, **options):
    """Full build; without topics when the topic step is not installed yet (ImportError)."""
    try:
        return build(sources, store, BuildOptions(**options))
    except ImportError:
        return build(sources, store, BuildOptions(topics=False, **options))


@pytest.fixture(scope="module")
def default_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("dash_default") / "default.duckdb"
    report = _build([str(DEFAULT_CORPUS)], store)
    assert report.articles == 1
    return store


@pytest.fixture(scope="module")
def reuters_store(tmp_path_factory) -> Path:
    if not REUTERS_JSONL.exists():
        pytest.skip("../shared/corpora not present (CI always has it)")
    folder = tmp_path_factory.mktemp("dash_reuters")
    sample = folder / "reuters300.jsonl"
    with REUTERS_JSONL.open(encoding="utf-8") as src, sample.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i >= 300:
                break
            dst.write(line)
    store = folder / "reuters.duckdb"
    report = _build([str(sample)], store)
    assert report.articles > 250
    return store


@pytest.fixture()
def use_store(monkeypatch):
    def _use(path: Path) -> None:
        monkeypatch.setenv("NEWSLENS_STORE", str(path))
        monkeypatch.delenv("NEWSLENS_READ_ONLY", raising=False)
    return _use


def _app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _qp(at: AppTest, key: str):
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def _charts(at: AppTest) -> list:
    """The page's chart elements: NewsLens's plotly component (``dashboard.plotly_component``) and any
    ``st.plotly_chart`` (figures with trace types outside the bundle)."""
    return [e for e in at.get("bidi_component") if e.proto.component_name == "newslens_plotly"
            and not e.proto.bytes.startswith(b'{"preload"')] + list(at.get("plotly_chart"))


def _figures(at: AppTest) -> list[tuple[dict, dict]]:
    """``(figure, plotly.js config)`` of every chart on the page, as the browser receives them."""
    import json

    out = []
    for element in _charts(at):
        if element.type == "plotly_chart":
            out.append((json.loads(element.proto.spec), json.loads(element.proto.config)))
        else:
            sent = json.loads(element.proto.bytes)
            out.append((sent["figure"], sent["config"]))
    return out


# ---------------------------------------------------------------------------------------------- default corpus
def test_every_page_on_the_default_corpus(default_store, use_store):
    use_store(default_store)
    at = _app()
    _ok(at)
    assert _metric(at, "Articles") == "1"
    assert _metric(at, "Undated") == "1"
    assert any("no time chart" in i.value for i in at.info)  # the one article is undated: said, not drawn
    assert len(_charts(at)) >= 3
    at.switch_page("app_pages/keywords.py").run()
    _ok(at)
    assert _charts(at)  # top keywords of the one article
    at.switch_page("app_pages/topics.py").run()
    _ok(at)
    if at.dataframe:  # topics were fitted (by paragraph for a one-article corpus)
        assert "1 article" in " ".join(str(o) for o in at.selectbox(key="tp_pick").options)
    at.switch_page("app_pages/entities.py").run()
    _ok(at)
    aliases = at.dataframe[-1].value
    assert "South Korea" in set(aliases["name"])
    at.switch_page("app_pages/events.py").run()
    _ok(at)
    events = at.dataframe(key="ev_table").value
    assert {"2018", "September 2021", "July 14, 2023"} <= set(events["expression"])
    # the undated seed's relative dates are listed with their sentences, not placed on the calendar
    unresolved = [d.value for d in at.dataframe if "expression" in d.value and "start" not in d.value]
    assert unresolved and {"Sunday", "October"} <= set(unresolved[0]["expression"])
    at.switch_page("app_pages/articles.py").run()
    _ok(at)
    assert any("1 article ·" in c.value for c in at.caption)
    at.switch_page("app_pages/compare.py").run()
    _ok(at)
    assert _metric(at, "Articles in A") == "1" and _metric(at, "Articles in B") == "1"
    at.switch_page("app_pages/data.py").run()
    _ok(at)
    assert _metric(at, "Articles") == "1"  # Data page statistics
    assert int(_metric(at, "Entities").replace(",", "")) > 5


def test_country_selector_offers_names_and_writes_the_url(default_store, use_store):
    use_store(default_store)
    at = _app()
    countries = at.sidebar.multiselect(key="flt_countries")
    assert "South Korea (KR)" in countries.options
    countries.select("KR").run()
    _ok(at)
    assert _qp(at, "country") == "KR"
    assert _metric(at, "Articles") == "1"
    at.switch_page("app_pages/entities.py").run()
    _ok(at)
    assert _qp(at, "country") == "KR"
    assert at.sidebar.multiselect(key="flt_countries").value == ["KR"]


def test_url_filter_reopens_the_view_and_bad_params_warn(default_store, use_store):
    use_store(default_store)
    at = _app({"country": "KR", "q": "Busan"})
    _ok(at)
    assert at.sidebar.multiselect(key="flt_countries").value == ["KR"]
    assert at.sidebar.text_input(key="flt_query").value == "Busan"
    assert _metric(at, "Articles") == "1"
    at = _app({"country": "FR", "since": "yesterday", "topic": "abc"})
    _ok(at)
    assert any("since\\=yesterday" in w.value for w in at.sidebar.warning)  # escaped Markdown (issue 19)
    assert _metric(at, "Articles") == "0"
    assert any("No articles match these filters" in i.value for i in at.info)
    at.button(key="ov_reset").click().run()  # the empty state's reset button
    _ok(at)
    assert _metric(at, "Articles") == "1"
    assert _qp(at, "country") is None


def test_compare_keeps_slice_b_under_b_prefix(default_store, use_store):
    use_store(default_store)
    at = _app({"b_q": "Busan", "q": "nothing-matches-this"})
    at.switch_page("app_pages/compare.py").run()
    _ok(at)
    assert at.text_input(key="flt_b_query").value == "Busan"
    assert _metric(at, "Articles in B") == "1" and _metric(at, "Articles in A") == "0"
    at.text_input(key="flt_b_query").input("Korea").run()
    _ok(at)
    assert _qp(at, "b_q") == "Korea"
    at.switch_page("app_pages/overview.py").run()
    assert _qp(at, "b_q") == "Korea" and _qp(at, "q") == "nothing-matches-this"


def test_articles_page_search_sets_the_text_filter(default_store, use_store):
    use_store(default_store)
    at = _app()
    at.switch_page("app_pages/articles.py").run()
    at.text_input(key="art_search").input("Busan").run()
    _ok(at)
    assert _qp(at, "q") == "Busan"
    assert at.sidebar.text_input(key="flt_query").value == "Busan"
    assert any("1 article" in c.value for c in at.caption)


def test_read_only_data_page_hides_writes(default_store, use_store, monkeypatch):
    use_store(default_store)
    monkeypatch.setenv("NEWSLENS_READ_ONLY", "1")
    at = _app()
    at.switch_page("app_pages/data.py").run()
    _ok(at)
    assert any("Read-only mode" in i.value for i in at.info)
    assert not [b for b in at.button if b.key and b.key.startswith("data_build")]


def test_no_store_and_no_corpus_shows_how_to_add_one(tmp_path, use_store):
    use_store(tmp_path / "missing.duckdb")
    at = _app()
    _ok(at)
    assert any("python -m analysis build FOLDER" in i.value for i in at.info)
    at.switch_page("app_pages/data.py").run()
    _ok(at)
    assert any("No store yet" in i.value for i in at.info)


# ---------------------------------------------------------------------------------------------- untrusted text
def test_reader_escapes_untrusted_article_text(tmp_path, use_store):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # ingest strips literal tags but decodes entities, so the payloads reach the stored text as real tags
    (corpus / "evil.txt").write_text(
        "Seoul talks\n\nSouth Korea &lt;script&gt;alert(1)&lt;/script&gt; met &lt;img src=x onerror=alert(1)&gt; "
        "[x](javascript:alert(1)) officials in Seoul on Monday.\n", encoding="utf-8")
    store = tmp_path / "evil.duckdb"
    build([str(corpus)], store, BuildOptions(topics=False))
    use_store(store)

    def page():
        from dashboard import components, data

        components.reader(data.get_store(autobuild=False), 1, key="r")

    at = AppTest.from_function(page, default_timeout=TIMEOUT).run()
    _ok(at)
    md = _markdown_text(at)
    assert "Seoul" in md and "&lt;script&gt;" in md and "&lt;img" in md
    assert "<" not in md and "](javascript" not in md and "\\[x\\]\\(javascript\\:alert" in md
    assert "background[" in md  # entities highlighted
    assert all(not getattr(m.proto, "allow_html", False) for m in at.markdown)


# ---------------------------------------------------------------------------------------------- Reuters sample
@pytest.mark.slow
@pytest.mark.corpora
def test_every_page_on_reuters_with_and_without_filters(reuters_store, use_store):
    use_store(reuters_store)
    at = _app()
    _ok(at)
    total = int(_metric(at, "Articles").replace(",", ""))
    assert total > 250
    assert "United States (US)" in at.sidebar.multiselect(key="flt_countries").options
    for page in PAGES[1:]:
        at.switch_page(f"app_pages/{page}.py").run()
        _ok(at)
    at.switch_page("app_pages/overview.py").run()
    at.sidebar.multiselect(key="flt_countries").select("US").run()
    at.sidebar.toggle(key="flt_unique").set_value(True).run()
    _ok(at)
    filtered = int(_metric(at, "Articles").replace(",", ""))
    assert 0 < filtered < total
    assert _qp(at, "country") == "US" and _qp(at, "unique") == "1"
    for page in PAGES[1:]:
        at.switch_page(f"app_pages/{page}.py").run()
        _ok(at)
        assert _qp(at, "country") == "US"
        # every chart is drawn by NewsLens's plotly.js bundle: none fell back to st.plotly_chart, whose 4.7 MB
        # plotly chunk the first visit would then have to load (dashboard/plotly_component.py)
        assert not at.get("plotly_chart"), page
    at.switch_page("app_pages/entities.py").run()
    assert len(_charts(at)) >= 2


def test_events_table_lists_the_events_on_the_chart(reuters_store, use_store):
    """One query feeds both: the table lists the chart's sample of events, and every dot on the timeline is in the
    table (the chart keeps its 30 busiest lanes, so a few table rows may have no lane drawn)."""
    from analysis.catalog import EVENTS_SHOWN

    use_store(reuters_store)
    at = _app()
    at.switch_page("app_pages/events.py").run()
    _ok(at)
    table = at.dataframe(key="ev_table").value
    ((figure, _config),) = _figures(at)
    dots = [row for t in figure["data"] for row in (t.get("customdata") or [])]
    assert 0 < len(dots) <= EVENTS_SHOWN and 0 < len(table) <= EVENTS_SHOWN
    drawn = {(row[1], row[3]) for row in dots}  # (start 'YYYY-MM-DD', granularity)
    listed = {(str(s)[:10], g) for s, g in zip(table["start"], table["granularity"], strict=True)}
    assert drawn <= listed and len(drawn) > 0.9 * len(listed)


def test_a_sampled_events_page_says_of_how_many(default_store, use_store, monkeypatch):
    """When the timeline draws a sample, its subtitle and the table's caption both say of how many event mentions."""
    from analysis import catalog
    from analysis.filters import Filter
    from analysis.store import Store
    from dashboard import data

    every = len(Store.open(default_store).events(Filter(), limit=10_000))
    assert every > 2
    monkeypatch.setattr(catalog, "EVENTS_SHOWN", 2)
    data.clear_caches()  # the limit is not part of the cached call's key
    use_store(default_store)
    at = _app()
    at.switch_page("app_pages/events.py").run()
    _ok(at)
    ((figure, _config),) = _figures(at)
    assert figure["layout"]["title"]["text"].endswith(f"· a sample of 2 of {every}</sup>")
    assert any(f"an even sample over all dates of {every} event mentions" in c.value for c in at.caption)
    data.clear_caches()


# ---------------------------------------------------------------------------------------------- building from the UI
def test_data_page_upload_builds_and_lists_rejections(tmp_path, use_store):
    store = tmp_path / "uploaded.duckdb"
    use_store(store)
    at = _app()
    assert any("python -m analysis build FOLDER" in i.value for i in at.info)
    at.switch_page("app_pages/data.py").run()
    _ok(at)
    at.checkbox(key="data_enrich").uncheck()
    at.checkbox(key="data_topics").uncheck()
    at.file_uploader(key="data_upload").set_value([
        ("../../one.txt", b"Seoul summit\n\nSouth Korea and Japan met in Seoul on 3 March 2024.\n", "text/plain"),
        ("two.jsonl", b'{"id": "a1", "title": "Trade", "text": "Exports rose in Busan.", "date": "2024-03-04"}\n',
         "application/json"),
        ("broken.bin", b"\x00\x01\x02", "application/octet-stream"),
    ]).run()
    at.button(key="data_build_upload").click().run()
    _ok(at)
    assert store.exists()
    assert any("2 articles" in s.value for s in at.success)
    rejected = [str(df.value) for df in at.dataframe if "broken.bin" in str(df.value)]
    assert rejected and "unsupported file type" in rejected[0] and "newslens-upload" not in rejected[0]
    assert _metric(at, "Articles") == "2"


def test_missing_default_store_is_built_from_the_corpus_on_first_run(tmp_path, monkeypatch):
    from dashboard import data

    monkeypatch.delenv("NEWSLENS_STORE", raising=False)
    monkeypatch.delenv("NEWSLENS_READ_ONLY", raising=False)
    monkeypatch.setattr(data, "DEFAULT_STORE", tmp_path / "default.duckdb")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Busan talks\n\nSouth Korea hosted talks in Busan.\n", encoding="utf-8")
    monkeypatch.setattr(data, "CORPUS_DIR", corpus)
    at = _app()
    _ok(at)
    assert (tmp_path / "default.duckdb").exists()
    assert _metric(at, "Articles") == "1"


def test_article_deep_link_opens_the_reader(default_store, use_store):
    use_store(default_store)
    at = _app({"article": "1"})
    at.switch_page("app_pages/articles.py").run()
    _ok(at)
    assert any("South Korea and China" in m.value for m in at.markdown)  # the reader's title
    assert any("Countries" in m.value for m in at.markdown)
    at = _app({"article": "abc"})
    at.switch_page("app_pages/articles.py").run()
    _ok(at)
    assert any("article=abc" in w.value for w in at.warning)
    at = _app({"article": "999"})
    at.switch_page("app_pages/articles.py").run()
    _ok(at)
    assert any("not in the current store" in w.value for w in at.warning)


def test_world_map_is_sent_as_d3_geo_with_local_base_map(default_store, use_store):
    """The browser gets the map as a d3 geo choropleth (MapLibre was 4-6x slower to draw in Chromium here) whose
    base-map topology is an empty one in a data: URL, never plotly's CDN."""
    import json

    use_store(default_store)
    at = _app()
    _ok(at)
    specs = _figures(at)
    maps = [(s, cfg) for s, cfg in specs if any(t.get("type", "").startswith("choropleth") for t in s["data"])]
    assert len(maps) == 1
    spec, config = maps[0]
    assert [t["type"] for t in spec["data"]] == ["choropleth"] and "map" not in spec["layout"]
    assert spec["layout"]["geo"]["visible"] is False
    assert config["topojsonURL"].startswith("data:application/json,") and config["topojsonURL"].endswith("#")
    assert json.loads(config["topojsonURL"][len("data:application/json,"):-1]) == {"type": "Topology", "objects": {},
                                                                                   "arcs": []}


# ---------------------------------------------------------------------------------------------- at a glance
def test_one_article_corpus_counts_paragraphs_and_says_so(default_store):
    from analysis import catalog
    from analysis.store import Store

    store = Store.open(default_store)
    assert store.topic_unit() == "paragraphs"
    layout = catalog.render("topic_bar", store)[0].to_dict()["layout"]
    assert layout["xaxis"]["title"]["text"] == "Paragraphs"
    # a report leaves out charts without data (this corpus has no dated article) and lists them in the manifest
    import io
    import json
    import zipfile

    bundle = zipfile.ZipFile(io.BytesIO(catalog.report(store, Filter(), ["topic_bar", "volume"], fmt="zip")))
    manifest = json.loads(next(bundle.read(n) for n in bundle.namelist() if n.endswith("manifest.json")))
    assert [c["name"] for c in manifest["charts"]] == ["topic_bar"] and manifest["left_out_no_data"] == ["volume"]
    assert not any(n.startswith("volume") for n in bundle.namelist())


def test_entities_page_picker_shows_what_the_timeline_draws(reuters_store, use_store):
    use_store(reuters_store)
    at = _app().switch_page("app_pages/entities.py").run()
    _ok(at)
    picker = next(m for m in at.multiselect if m.key == "en_pick")
    assert len(picker.value) == 5
    # a pick the next filter does not offer is dropped; with none left, the top five are picked again
    at.session_state["en_pick"] = ["PERSON:nobody-at-all"]
    at = at.run()
    picker = next(m for m in at.multiselect if m.key == "en_pick")
    assert len(picker.value) == 5 and "PERSON:nobody-at-all" not in picker.value


def test_entity_filter_has_no_select_all(default_store, use_store):
    use_store(default_store)
    at = _app()
    _ok(at)
    entity_filter = next(m for m in at.sidebar.multiselect if m.label == "Entities")
    assert entity_filter.proto.select_all == 0


def test_overview_asks_for_the_charts_the_server_warms(default_store, use_store, monkeypatch):
    """dashboard.startup warms the Overview's charts before the first visit: its list is the page's own request list."""
    from dashboard import data, startup

    asked: list[dict] = []
    real = data.prefetch_views
    monkeypatch.setattr(data, "prefetch_views", lambda store, f, charts: asked.append(dict(charts)) or
                        real(store, f, charts))
    use_store(default_store)
    _ok(_app())
    assert asked == [startup.FIRST_PAGE]


def test_the_other_pages_ask_for_the_charts_the_server_warms(default_store, use_store, monkeypatch):
    """dashboard.startup.OTHER_PAGES lists, per page, charts whose parameters do not depend on the store: each page
    asks for exactly those (with those parameters) in a first run with no filter."""
    from dashboard import data, startup

    asked: dict[str, dict] = {}
    monkeypatch.setattr(data, "fetch_ahead", lambda store, f, key, charts: asked.setdefault(key, dict(charts)))
    use_store(default_store)
    at = _app()
    for page in ("keywords", "topics", "entities", "events"):
        at.switch_page(f"app_pages/{page}.py").run()
        _ok(at)
    for key, charts in startup.OTHER_PAGES.items():
        assert {view: asked[key][view] for view in charts} == charts, key
