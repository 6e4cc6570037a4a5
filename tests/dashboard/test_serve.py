"""dashboard.serve (the launcher run.sh uses) and dashboard.startup (what it does): the store is warmed up before
the first visit (the browser journeys in tests/browser start the dashboard through it, so the served pages are
covered there)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from analysis import catalog
from analysis.pipeline import BuildOptions, build
from analysis.store import Store
from dashboard import data, options, startup

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_recent_visitor(monkeypatch):
    """AppTest runs of app.py elsewhere in this process count as visits; the warm-up here starts from quiet."""
    monkeypatch.setattr(startup, "_last_visit", [float("-inf")])


def test_warm_loads_the_term_index_the_pages_will_ask_for(tmp_path, monkeypatch):
    store_path = tmp_path / "s.duckdb"
    build([str(REPO / "data" / "corpus")], store_path, BuildOptions())
    built: list[object] = []
    real = data.slices.build_term_index
    monkeypatch.setattr(data.slices, "build_term_index", lambda store: built.append(store.version) or real(store))
    startup.warm(store_path)
    version = Store.open(store_path).version  # a page opens the store of the same on-disk version
    assert built == [version]
    page_store = data.open_store(store_path)  # what a page's get_store opens: the warmed store, from the cache
    assert page_store.version == version
    assert data.term_index(page_store) is page_store.term_index_source() and built == [version]


def test_warm_without_a_store_is_silent(tmp_path):
    startup.warm(tmp_path / "missing.duckdb")  # the first visit builds the default store with a progress bar


def test_store_path_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSLENS_STORE", raising=False)
    monkeypatch.setattr("sys.argv", ["app.py"])
    assert options.store_path(tmp_path / "default.duckdb") == tmp_path / "default.duckdb"
    monkeypatch.setenv("NEWSLENS_STORE", str(tmp_path / "env.duckdb"))
    assert options.store_path(tmp_path / "default.duckdb") == tmp_path / "env.duckdb"
    monkeypatch.setattr("sys.argv", ["app.py", "--store", str(tmp_path / "arg.duckdb")])
    assert options.store_path() == tmp_path / "arg.duckdb"


# (one Store per on-disk version, shared by the warm-up and the pages: tests/dashboard/test_data_caches.py)


def test_sample_filters_cover_every_filter_kind(tmp_path):
    store_path = tmp_path / "s.duckdb"
    build([str(REPO / "data" / "corpus")], store_path, BuildOptions())
    filters = startup.sample_filters(Store.open(store_path))
    assert filters[0].is_empty and filters[0].describe() == "all articles"
    assert any(f.countries for f in filters) and any(f.entities for f in filters)
    assert any(f.query for f in filters)


def test_warm_up_yields_to_visitors(tmp_path, monkeypatch):
    """After the first page's charts, the warm-up waits while a visitor was served recently (2 cores: it would take
    CPU from a browser still drawing the page), and carries on once it is quiet."""
    store_path = tmp_path / "s.duckdb"
    build([str(REPO / "data" / "corpus")], store_path, BuildOptions())
    drawn: list[str] = []
    render = catalog.render
    monkeypatch.setattr(catalog, "render", lambda name, *a, **k: drawn.append(name) or render(name, *a, **k))
    monkeypatch.setattr(startup, "QUIET_S", 60.0)
    monkeypatch.setattr(startup, "PAUSE_S", 0.0)
    startup.note_visit()  # somebody is browsing
    worker = threading.Thread(target=startup.warm, args=(store_path,), daemon=True)
    worker.start()
    deadline = time.monotonic() + 60
    while len(drawn) < len(startup.FIRST_PAGE_VIEWS) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert drawn == list(startup.FIRST_PAGE_VIEWS)  # the first page only: the rest waits for quiet
    monkeypatch.setattr(startup, "_last_visit", [float("-inf")])  # the visitor left
    worker.join(60)
    assert not worker.is_alive() and len(drawn) > len(startup.FIRST_PAGE_VIEWS)


def test_full_collections_wait_for_a_pause_between_page_runs(monkeypatch):
    import gc

    collected: list[float] = []
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(time.monotonic()) or 0)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # the test process's own heap stays as it is
    monkeypatch.setattr(gc, "unfreeze", lambda: None)
    monkeypatch.setattr(startup, "GC_QUIET_S", 0.5)
    before = gc.get_threshold()
    stop = threading.Event()
    collector = threading.Thread(target=startup.collect_when_idle, args=(stop, 0.02), daemon=True)
    collector.start()
    try:
        time.sleep(0.3)
        assert collected == []  # nobody came: nothing new to collect
        assert gc.get_threshold()[2] >= 10**9  # automatic full collections are off meanwhile
        startup.note_visit()  # a page ran
        time.sleep(0.2)
        assert collected == []  # not during a visitor's run or right after it
        time.sleep(0.8)
        assert len(collected) == 1  # once it is quiet
        time.sleep(0.6)
        assert len(collected) == 1  # and not again until another page runs
    finally:
        stop.set()
        collector.join(5)
    assert gc.get_threshold() == before


def test_the_warm_up_draws_the_other_pages_charts_before_their_first_visit(tmp_path, monkeypatch):
    """With the runtime up, the warm-up draws the other pages' store-independent charts (startup.OTHER_PAGES) into
    the pages' cache and notes them for fetch_ahead: the Topics page's first run then draws none of its charts."""
    from streamlit.testing.v1 import AppTest

    store_path = tmp_path / "s.duckdb"
    build([str(REPO / "data" / "corpus")], store_path, BuildOptions())
    monkeypatch.setenv("NEWSLENS_STORE", str(store_path))
    monkeypatch.setattr(startup, "wait_for_runtime", lambda timeout_s: True)  # tests: st.cache_data in memory
    monkeypatch.setattr(startup, "QUIET_S", 0.0)
    monkeypatch.setattr(startup, "PAUSE_S", 0.0)
    monkeypatch.setattr(data, "_PLANS", {})
    data.clear_caches()
    startup.warm(store_path)
    assert {page: data._PLANS[page] for page in startup.OTHER_PAGES} == startup.OTHER_PAGES

    drawn: list[str] = []
    real = catalog.figure
    monkeypatch.setattr(catalog, "figure", lambda name, *a, **kw: drawn.append(name) or real(name, *a, **kw))
    monkeypatch.setattr(data, "fetch_ahead", lambda *a, **kw: None)  # only the page's own drawing is counted
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60).run()
    drawn.clear()
    at.switch_page("app_pages/topics.py").run()
    assert not at.exception and at.title[0].value == "Topics"
    assert not set(drawn) & set(startup.OTHER_PAGES["tp"]), drawn

    data.clear_caches()  # the check can fail: without the warm-up the same run draws them
    AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60).run().switch_page(
        "app_pages/topics.py").run()
    assert {"topic_map", "article_map", "topic_country"} <= set(drawn)  # (no dated article here: no topic lines)


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_idle_collections_freeze_their_survivors_and_a_full_one_frees_what_was_frozen(monkeypatch):
    """Each idle collection freezes what survives it (the next one scans only newer objects); a cycle dropped after
    it was frozen is freed only by the collection that unfreezes first (every GC_FULL_INTERVAL_S)."""
    import gc
    import weakref

    monkeypatch.setattr(startup, "GC_QUIET_S", 0.05)
    monkeypatch.setattr(startup, "GC_FULL_INTERVAL_S", 3600.0)

    def one_idle_collection() -> None:
        stop = threading.Event()
        collector = threading.Thread(target=startup.collect_when_idle, args=(stop, 0.01), daemon=True)
        collector.start()
        startup.note_visit()
        time.sleep(0.4)
        stop.set()
        collector.join(5)

    kept = _Cycle()
    dropped = weakref.ref(_Cycle())  # garbage before the collection: freed by it
    try:
        one_idle_collection()
        assert dropped() is None and gc.get_freeze_count() > 0
        frozen = weakref.ref(kept)
        del kept  # garbage now, but frozen: the next idle collection does not see it
        one_idle_collection()
        assert frozen() is not None
        monkeypatch.setattr(startup, "GC_FULL_INTERVAL_S", 0.0)  # the next one unfreezes first
        one_idle_collection()
        assert frozen() is None
    finally:
        gc.unfreeze()


def test_first_visit_finds_its_data_in_the_cache_the_warm_up_filled(tmp_path, monkeypatch):
    """After fill_page_cache, a visitor's first run (app.py, Overview, no filter) computes nothing: every
    dashboard.data call it makes is a cache hit, whatever Store instance the page opened."""
    from streamlit.testing.v1 import AppTest

    store_path = tmp_path / "s.duckdb"
    build([str(REPO / "data" / "corpus")], store_path, BuildOptions())
    monkeypatch.setenv("NEWSLENS_STORE", str(store_path))
    data.clear_caches()
    startup.fill_page_cache(data.open_store(store_path))  # no runtime in tests: st.cache_data keeps it in memory

    computed: list[str] = []
    for name, fn in dict(data._CALLS).items():
        monkeypatch.setitem(data._CALLS, name, lambda store, *a, _n=name, _fn=fn, **kw: computed.append(_n) or _fn(
            store, *a, **kw))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Overview" and at.get("bidi_component")
    assert computed == []

    data.clear_caches()  # the check can fail: without the fill, the same run computes
    AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60).run()
    assert {"date_range", "count", "view_data"} <= set(computed)


def test_streamlit_runs_no_full_collection_after_each_page_run():
    """The repo's config turns off Streamlit's gc.collect() after every script run (runner.postScriptGC): it held
    the GIL while the run's last messages waited to be sent; collect_when_idle runs them between runs instead."""
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"  # no source-file watcher threads beside the page runs
