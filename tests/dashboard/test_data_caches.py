"""dashboard.data owns the caches of store data: one Store per on-disk version, its term index per version (built once
however many threads ask; the last 2 versions kept) and its text scans (one per query string, shared by every query
of a page). ``analysis`` keeps none (the CLI runs one command per process)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from analysis.filters import Filter
from analysis.pipeline import BuildOptions, build
from analysis.store import Store
from dashboard import data, startup


@pytest.fixture()
def tiny_store(tmp_path):
    corpus, path = tmp_path / "corpus", tmp_path / "s.duckdb"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Oil prices rise\n\nOil prices rose in London on Monday.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Grain harvest\n\nThe wheat harvest in Kansas was large.\n", encoding="utf-8")
    (corpus / "c.txt").write_text("Oil and wheat\n\nTraders in London bought wheat and sold oil.\n", encoding="utf-8")
    build([str(corpus)], path, BuildOptions(enrich=False))
    return corpus, path


class SlowStore:  # what the term index needs of a Store; slow, so the threads really overlap
    def __init__(self, version, calls):
        self.version, self.calls = version, calls

    def term_codes(self):
        self.calls.append((self.version, threading.get_ident()))
        time.sleep(0.3)
        vocab = np.array(["grain", "oil"], dtype=object)
        return np.array([1, 1, 2]), np.array([0, 1, 1]), np.array([2, 1, 3]), vocab

    def uids(self, f):
        return np.array([1, 2])


def test_term_index_is_built_once_per_version_under_concurrent_calls():
    calls: list = []
    store = SlowStore(("test-slow-store", time.monotonic()), calls)
    warm = startup.load_in_background(lambda: data.term_index(store))  # what opening a store version starts
    results = []
    threads = [threading.Thread(target=lambda: results.append(data.term_index(store))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads + [warm]:
        t.join(10)
    assert len(calls) == 1  # one build, four waiters
    assert len(results) == 4 and all(r is results[0] for r in results)
    assert results[0].terms.tolist() == ["grain", "oil"] and results[0].X.toarray().tolist() == [[2, 1], [0, 3]]


def test_term_indexes_of_the_last_two_versions_are_kept():
    calls: list = []
    stamp = time.monotonic()
    stores = {k: SlowStore(("test-lru", stamp, k), calls) for k in "abc"}
    for k in ("a", "b", "a", "c"):  # "a" used again, so "b" is the oldest when "c" comes
        data.term_index(stores[k])
    assert [c[0][2] for c in calls] == ["a", "b", "c"]
    data.term_index(stores["a"]), data.term_index(stores["c"])
    assert len(calls) == 3  # both still kept
    data.term_index(stores["b"])
    assert [c[0][2] for c in calls] == ["a", "b", "c", "b"]  # "b" had been dropped


def test_one_store_per_on_disk_version_and_its_keywords_from_the_cache(tiny_store):
    corpus, path = tiny_store
    first = data.open_store(path)
    assert data.open_store(path) is first
    assert first.term_index_source() is data.term_index(first)  # analysis asks the store, the store asks data
    (corpus / "d.txt").write_text("Gold rush\n\nGold prices rose in Zurich.\n", encoding="utf-8")
    build([str(corpus)], path, BuildOptions(enrich=False))
    second = data.open_store(path)
    assert second is not first and second.version != first.version  # a new build: a new snapshot
    assert (first.stats()["articles"], second.stats()["articles"]) == (3, 4)  # the old snapshot still answers
    assert Store.open(path).term_index_source is None  # a Store of its own (the CLI's) has no cache behind it


def test_a_text_query_is_scanned_once_for_every_query_of_a_page(tiny_store, monkeypatch):
    _corpus, path = tiny_store
    data.clear_caches()
    store = data.open_store(path)
    scans: list[tuple[str, ...]] = []
    real = Store._scan_text

    def counting(self, words):
        scans.append(words)
        time.sleep(0.2)  # slow, so the threads below really overlap
        return real(self, words)

    monkeypatch.setattr(Store, "_scan_text", counting)
    f = Filter(query="london oil")
    assert (store.count(f)["articles"], store.uids(f).tolist(), len(store.articles(f))) == (2, [1, 3], 2)
    assert scans == [("london", "oil")]  # later queries of any view reuse the matching uids
    g = Filter(query="wheat")  # threads asking at once (a page's prefetched charts) share one scan
    counts = []
    threads = [threading.Thread(target=lambda: counts.append(store.count(g)["articles"])) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert counts == [2] * 6 and scans == [("london", "oil"), ("wheat",)]
    own = Store.open(path)  # without the dashboard's cache every query scans (one command per process)
    own.count(g), own.count(g)
    assert scans[2:] == [("wheat",), ("wheat",)]


def test_a_chart_is_drawn_once_per_filter_and_height(tiny_store, monkeypatch):
    """A rerun with the same filter sends the cached figure JSON: no figure is built or serialised again."""
    import json

    from analysis import catalog

    _corpus, path = tiny_store
    data.clear_caches()
    store = data.open_store(path)
    built: list[str] = []
    real = catalog.figure
    monkeypatch.setattr(catalog, "figure", lambda name, *a, **kw: built.append(name) or real(name, *a, **kw))
    first = data.drawn_view(store, "keywords", Filter(query="oil"), k=5)
    again = data.drawn_view(store, "keywords", Filter(query="oil"), k=5)
    assert built == ["keywords"] and first.figure_json == again.figure_json
    assert first.trace_types == frozenset({"bar"}) and "oil" in first.table["term"].tolist()
    taller = data.drawn_view(store, "keywords", Filter(query="oil"), height=640, k=5)
    other = data.drawn_view(store, "keywords", Filter(query="wheat"), k=5)
    assert built == ["keywords"] * 3  # a new height or filter is a new drawing
    assert json.loads(taller.figure_json)["layout"]["height"] == 640
    assert json.loads(other.figure_json) != json.loads(first.figure_json)
    data.clear_caches()
    data.drawn_view(store, "keywords", Filter(query="oil"), k=5)
    assert built == ["keywords"] * 4  # cleared with the other caches


def test_other_pages_charts_are_drawn_ahead_under_a_new_filter(tiny_store, monkeypatch):
    """After a run under a filter, the charts the other pages last drew are fetched and drawn under that filter in
    the background (a page switch then finds them cached); the page's own charts are not fetched again, and a newer
    filter's fetch stops an older one."""
    from analysis import catalog

    _corpus, path = tiny_store
    built: list[str] = []
    real_figure = catalog.figure
    monkeypatch.setattr(catalog, "figure", lambda name, *a, **kw: built.append(name) or real_figure(name, *a, **kw))
    data.clear_caches()
    monkeypatch.setattr(data, "_PLANS", {})
    monkeypatch.setattr(data, "AHEAD_QUIET_S", 0.0)
    store = data.open_store(path)
    fetched: list[tuple[str, str]] = []
    real = data._CALLS["view_data"]
    monkeypatch.setitem(data._CALLS, "view_data", lambda s, name, f, params: fetched.append((name, f.query))
                        or real(s, name, f, params))

    assert data.fetch_ahead(store, Filter(), "kw", {"keywords": {"k": 5}}).result(10) == 0  # no other page known
    assert data.fetch_ahead(store, Filter(query="oil"), "ov", {"volume": {"normalise": False}}).result(10) == 1
    assert fetched == [("keywords", "oil")]  # the Keywords page's chart under the Overview's new filter
    assert built == ["keywords"]
    data.drawn_view(store, "keywords", Filter(query="oil"), k=5)
    assert fetched == [("keywords", "oil")] and built == ["keywords"]  # the Keywords page's run finds it drawn

    visitor_busy = [True]  # a visitor is being served: the fetch waits
    monkeypatch.setattr(startup, "seconds_since_visit", lambda: 0.0 if visitor_busy[0] else float("inf"))
    monkeypatch.setattr(data, "AHEAD_QUIET_S", 1.0)
    waiting = data.fetch_ahead(store, Filter(query="wheat"), "ov", {"volume": {"normalise": False}})
    newer = data.fetch_ahead(store, Filter(query="grain"), "ov", {"volume": {"normalise": False}})
    visitor_busy[0] = False
    assert waiting.result(10) == 0 and newer.result(10) == 1
    assert fetched[1:] == [("keywords", "grain")]  # the older filter's fetch stopped before it began

    monkeypatch.setenv("NEWSLENS_FETCH_AHEAD", "0")  # a busy shared server turns it off
    assert data.fetch_ahead(store, Filter(query="maize"), "ov", {"volume": {"normalise": False}}).result(10) == 0
    assert fetched[1:] == [("keywords", "grain")]
