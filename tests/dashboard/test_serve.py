"""dashboard.serve: the launcher run.sh uses warms the store up before the first visit (the browser journeys in
tests/browser start the dashboard through it, so the served pages are covered there)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from analysis import catalog, slices
from analysis.pipeline import BuildOptions, build
from analysis.store import Store
from dashboard import options, serve

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_recent_visitor(monkeypatch):
    """AppTest runs of app.py elsewhere in this process count as visits; the warm-up here starts from quiet."""
    monkeypatch.setattr(options, "_last_visit", [float("-inf")])


def test_warm_loads_the_term_index_the_pages_will_ask_for(tmp_path, monkeypatch):
    store_path = tmp_path / "s.duckdb"
    build([str(REPO / "data" / "corpus")], store_path, BuildOptions())
    monkeypatch.setattr(slices, "_INDEX_CACHE", type(slices._INDEX_CACHE)())
    serve.warm(store_path)
    version = Store.open(store_path).version  # a page opens its own Store: same on-disk version, same cache key
    assert version in slices._INDEX_CACHE
    assert slices.term_index(Store.open(store_path)) is slices._INDEX_CACHE[version]


def test_warm_without_a_store_is_silent(tmp_path):
    serve.warm(tmp_path / "missing.duckdb")  # the first visit builds the default store with a progress bar


def test_store_path_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("NEWSLENS_STORE", raising=False)
    monkeypatch.setattr("sys.argv", ["app.py"])
    assert options.store_path(tmp_path / "default.duckdb") == tmp_path / "default.duckdb"
    monkeypatch.setenv("NEWSLENS_STORE", str(tmp_path / "env.duckdb"))
    assert options.store_path(tmp_path / "default.duckdb") == tmp_path / "env.duckdb"
    monkeypatch.setattr("sys.argv", ["app.py", "--store", str(tmp_path / "arg.duckdb")])
    assert options.store_path() == tmp_path / "arg.duckdb"


def test_shared_store_is_one_instance_per_on_disk_version(tmp_path):
    corpus, store_path = tmp_path / "corpus", tmp_path / "s.duckdb"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Oil prices rise\n\nOil prices rose in Paris on Monday.\n", encoding="utf-8")
    build([str(corpus)], store_path, BuildOptions(enrich=False))
    first = Store.shared(store_path)
    assert Store.shared(store_path) is first
    (corpus / "b.txt").write_text("Grain harvest\n\nThe wheat harvest in Kansas was large.\n", encoding="utf-8")
    build([str(corpus)], store_path, BuildOptions(enrich=False))
    second = Store.shared(store_path)
    assert second is not first and second.version != first.version  # a new build: a new snapshot
    assert (first.stats()["articles"], second.stats()["articles"]) == (1, 2)  # the old snapshot still answers


def test_sample_filters_cover_every_filter_kind(tmp_path):
    store_path = tmp_path / "s.duckdb"
    build([str(REPO / "data" / "corpus")], store_path, BuildOptions())
    filters = serve.sample_filters(Store.open(store_path))
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
    monkeypatch.setattr(serve, "QUIET_S", 60.0)
    monkeypatch.setattr(serve, "PAUSE_S", 0.0)
    options.note_visit()  # somebody is browsing
    worker = threading.Thread(target=serve.warm, args=(store_path,), daemon=True)
    worker.start()
    deadline = time.monotonic() + 60
    while len(drawn) < len(serve.FIRST_PAGE_VIEWS) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert drawn == list(serve.FIRST_PAGE_VIEWS)  # the first page only: the rest waits for quiet
    monkeypatch.setattr(options, "_last_visit", [float("-inf")])  # the visitor left
    worker.join(60)
    assert not worker.is_alive() and len(drawn) > len(serve.FIRST_PAGE_VIEWS)


def test_full_collections_wait_for_a_pause_between_page_runs(monkeypatch):
    import gc

    collected: list[float] = []
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(time.monotonic()) or 0)
    monkeypatch.setattr(serve, "GC_QUIET_S", 0.5)
    before = gc.get_threshold()
    stop = threading.Event()
    collector = threading.Thread(target=serve.collect_when_idle, args=(stop, 0.02), daemon=True)
    collector.start()
    try:
        time.sleep(0.3)
        assert collected == []  # nobody came: nothing new to collect
        assert gc.get_threshold()[2] >= 10**9  # automatic full collections are off meanwhile
        options.note_visit()  # a page ran
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


def test_first_visit_finds_its_data_in_the_cache_the_warm_up_filled(tmp_path, monkeypatch):
    """After fill_page_cache, a visitor's first run (app.py, Overview, no filter) computes nothing: every
    dashboard.data call it makes is a cache hit, whatever Store instance the page opened."""
    from streamlit.testing.v1 import AppTest

    from dashboard import data

    store_path = tmp_path / "s.duckdb"
    build([str(REPO / "data" / "corpus")], store_path, BuildOptions())
    monkeypatch.setenv("NEWSLENS_STORE", str(store_path))
    data.clear_caches()
    serve.fill_page_cache(Store.shared(store_path))  # no runtime in tests: st.cache_data keeps it in memory

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
