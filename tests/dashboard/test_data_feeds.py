"""The Data page takes feed URLs: collected politely next to the store, then built; failures listed as rejections.
A shared server refuses loopback/private addresses unless NEWSLENS_COLLECT_PRIVATE=1."""

from __future__ import annotations

from tests.core.test_collect import server  # noqa: F401 - the local 127.0.0.1 feed server fixture
from tests.dashboard.test_dashboard_pages import _app, _metric, _ok, use_store  # noqa: F401 - fixtures


def _collect_and_build(at, urls: str, pages: bool = False):
    at.switch_page("app_pages/data.py").run()
    _ok(at)
    at.checkbox(key="data_enrich").uncheck()
    at.checkbox(key="data_topics").uncheck()
    at.text_area(key="data_feed_urls").input(urls).run()
    if pages:
        at.checkbox(key="data_feed_pages").check().run()
    at.button(key="data_build_feeds").click().run()
    return at


def test_feed_urls_collected_and_built(server, tmp_path, use_store, monkeypatch):  # noqa: F811
    store = tmp_path / "feeds.duckdb"
    use_store(store)
    monkeypatch.setenv("NEWSLENS_COLLECT_PRIVATE", "1")
    at = _collect_and_build(_app(), f"{server}/feed.xml\n", pages=False)
    _ok(at)
    assert (tmp_path / "collected" / "feeds").is_dir()
    assert _metric(at, "Articles") == "8"  # the feed's 8 items
    assert any("8 articles" in s.value for s in at.success)


def test_private_addresses_refused_on_a_shared_server(server, tmp_path, use_store, monkeypatch):  # noqa: F811
    use_store(tmp_path / "s.duckdb")
    monkeypatch.delenv("NEWSLENS_COLLECT_PRIVATE", raising=False)
    at = _collect_and_build(_app(), f"{server}/feed.xml")
    _ok(at)
    rejected = [v for df in at.dataframe if "input and reason" in df.value for v in df.value["input and reason"]]
    assert len(rejected) == 1 and f"{server}/feed.xml: address on a loopback, private or link-local" in rejected[0]
