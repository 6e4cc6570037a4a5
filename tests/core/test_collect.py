"""``analysis collect`` against a local HTTP server on 127.0.0.1: feeds, linked pages, robots.txt, 404/500, redirect
loops, slow answers, ETag/Last-Modified 304s, the size cap, per-host delay; then a build of what was saved."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from analysis.collect import STATE_FILE, USER_AGENT, CollectOptions, CollectReport, Fetcher, collect
from tests.ingest.test_html import BODY, HEAD, page

FAST = CollectOptions(delay=0.0, timeout=0.5, retries=1, backoff=0.01)


def feed(base: str) -> str:
    items = "".join(f"<item><title>{t}</title><link>{base}{p}</link><description>About {t}.</description>"
                    f"<pubDate>Wed, 04 Mar 2026 10:00:00 GMT</pubDate></item>"
                    for t, p in [("Tram", "/news/tram.html"), ("Bus", "/news/bus.html"), ("Secret", "/private/x.html"),
                                 ("Gone", "/missing.html"), ("Broken", "/broken.html"), ("Loop", "/loop1"),
                                 ("Slow", "/slow.html"), ("Moved", "/old-bus")])
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Local News</title>{items}</channel></rss>"


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[dict[str, int]] = {}
    agents: ClassVar[set[str]] = set()
    robots_status = 200

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # the http.server hook
        path = self.path
        Handler.hits[path] = Handler.hits.get(path, 0) + 1
        Handler.agents.add(self.headers.get("User-Agent", ""))
        base = f"http://{self.headers['Host']}"
        if path == "/robots.txt":
            if Handler.robots_status != 200:
                return self._send(Handler.robots_status, b"oops")
            return self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/feed.xml":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304)
            return self._send(200, feed(base).encode(), "application/rss+xml", ETag='"v1"')
        if path == "/dated.xml":
            if self.headers.get("If-Modified-Since") == "Wed, 04 Mar 2026 10:00:00 GMT":
                return self._send(304)
            return self._send(200, feed(base).encode(), "application/rss+xml",
                              Last_Modified="Wed, 04 Mar 2026 10:00:00 GMT")
        if path == "/news/tram.html":
            return self._send(200, page(HEAD).encode())
        if path == "/news/bus.html":
            return self._send(200, page("<meta property='og:type' content='article'>"
                                        "<meta property='og:title' content='Bus fares frozen'>",
                                        body=BODY.replace("tram", "bus")).encode())
        if path == "/old-bus":
            return self._send(301, Location="/news/bus.html")
        if path == "/loop1":
            return self._send(302, Location="/loop2")
        if path == "/loop2":
            return self._send(302, Location="/loop1")
        if path == "/broken.html":
            return self._send(500, b"error")
        if path == "/slow.html":
            time.sleep(1.5)
            return self._send(200, page(HEAD).encode())
        if path == "/huge.html":
            return self._send(200, b"<html>" + b"x" * 5000 + b"</html>")
        return self._send(404, b"not found")


@pytest.fixture()
def server():
    Handler.hits, Handler.agents, Handler.robots_status = {}, set(), 200
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _failed(report: CollectReport) -> dict[str, str]:
    return {e.split(": ", 1)[0].rsplit("/", 1)[-1]: e.split(": ", 1)[1] for e in report.errors}


def test_feed_and_pages_collected_politely(server, tmp_path):
    report = collect([f"{server}/feed.xml"], tmp_path, CollectOptions(**{**FAST.__dict__, "pages": True}))
    saved = sorted(report.saved)
    assert [s.split("/")[0] for s in saved] == ["feeds", "pages", "pages", "pages"]
    assert sum(s.endswith(".xml") for s in saved) == 1
    failed = _failed(report)
    assert set(failed) == {"x.html", "missing.html", "broken.html", "loop1", "slow.html"}
    assert "robots.txt" in failed["x.html"]
    assert failed["missing.html"].startswith("HTTP 404")
    assert failed["broken.html"].startswith("HTTP 500") and "after 2 attempts" in failed["broken.html"]
    assert failed["loop1"].startswith("redirect loop")
    assert failed["slow.html"].startswith("no answer within 0.5 s") or "not finished" in failed["slow.html"]
    assert Handler.hits["/broken.html"] == 2  # one retry
    assert "/private/x.html" not in Handler.hits  # robots.txt obeyed: never requested
    assert Handler.agents == {USER_AGENT}
    assert report.disallowed == 1
    # the moved page was saved once, under the URL the feed gave, with the final URL in the saved-from comment
    bus_pages = [s for s in saved if "old-bus" in s]
    assert len(bus_pages) == 1
    assert (tmp_path / bus_pages[0]).read_bytes().startswith(b"<!-- saved from url=(")
    assert b"/news/bus.html -->" in (tmp_path / bus_pages[0]).read_bytes()[:200]


def test_rerun_uses_etag_and_last_modified(server, tmp_path):
    first = collect([f"{server}/feed.xml", f"{server}/dated.xml"], tmp_path, FAST)
    assert len(first.saved) == 2 and first.errors == []
    state = json.loads((tmp_path / STATE_FILE).read_text())
    assert state[f"{server}/feed.xml"]["etag"] == '"v1"'
    again = collect([f"{server}/feed.xml", f"{server}/dated.xml"], tmp_path, FAST)
    assert again.saved == [] and again.unchanged == 2
    assert len(list((tmp_path / "feeds").rglob("*.xml"))) == 2


def test_pages_already_saved_not_fetched_again(server, tmp_path):
    opts = CollectOptions(**{**FAST.__dict__, "pages": True})
    collect([f"{server}/feed.xml"], tmp_path, opts)
    before = Handler.hits.get("/news/tram.html")
    again = collect([f"{server}/feed.xml"], tmp_path, opts)
    assert Handler.hits.get("/news/tram.html") == before
    assert again.already_saved == 3


def test_size_cap_bad_urls_and_robots_failure(server, tmp_path):
    report = collect([f"{server}/huge.html", "ftp://example.org/x", "not a url"], tmp_path,
                     CollectOptions(**{**FAST.__dict__, "max_bytes": 1000}))
    failed = report.errors
    assert len(failed) == 3
    assert "over the 1,000-byte cap" in failed[0]
    assert all("not an http(s) URL" in e for e in failed[1:])
    Handler.robots_status = 503
    report = collect([f"{server}/news/tram.html"], tmp_path / "other", FAST)
    assert len(report.errors) == 1 and "robots.txt" in report.errors[0] and "disallow all" in report.errors[0]
    assert "/news/tram.html" not in Handler.hits


def test_per_host_delay_is_kept():
    waits: list[float] = []
    now = [100.0]
    fetcher = Fetcher(CollectOptions(delay=2.0), CollectReport(), sleep=waits.append, clock=lambda: now[0])
    fetcher._wait_turn("a.example")
    now[0] += 0.5
    fetcher._wait_turn("a.example")
    fetcher._wait_turn("b.example")  # another host: no wait
    assert waits == [1.5]


def test_collect_then_build_cli(server, tmp_path, capsys):
    from analysis.cli import EXIT_REJECTED, main

    store = tmp_path / "s.duckdb"
    code = main(["collect", f"{server}/feed.xml", "--into", str(tmp_path / "c"), "--pages", "--delay", "0",
                 "--timeout", "0.5", "--retries", "0", "--build", "--store", str(store), "--no-enrich", "--no-topics",
                 "--quiet"])
    out = capsys.readouterr().out
    assert code == EXIT_REJECTED  # some URLs failed; each is a line
    assert out.count("  failed: ") == 5
    assert "store version" in out
    assert main(["articles", "--store", str(store), "--keywords", "0", "--with-text"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    pages = {r["url"]: r for r in rows if r["id"].startswith("pages/")}
    assert pages["https://example.org/news/tram"]["title"] == "Council backs tram line"
    assert f"{server}/news/bus.html" in pages  # no canonical: the saved-from URL (after the redirect)
    assert "northern bus line" in pages[f"{server}/news/bus.html"]["text"]
    items = [r for r in rows if r["id"].startswith("feeds/")]
    assert len(items) == 8 and {r["source"] for r in items} == {"Local News"}


def test_articles_with_text_csv_is_formula_safe(tmp_path, capsys):
    from analysis.cli import main

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.csv").write_text('id,title,text\nx1,"=HYPERLINK(""http://evil"")","@SUM(A1) is text"\n',
                                  encoding="utf-8")
    store = tmp_path / "s.duckdb"
    assert main(["build", str(corpus), "--store", str(store), "--no-enrich", "--no-topics", "--quiet"]) == 0
    capsys.readouterr()
    out = tmp_path / "a.csv"
    assert main(["articles", "--store", str(store), "--format", "csv", "--with-text", "--out", str(out)]) == 0
    import csv

    (row,) = list(csv.DictReader(out.open(encoding="utf-8")))
    assert row["text"] == "'@SUM(A1) is text"
    assert row["title"].startswith("'=")
    assert list(row)[-1] == "text"
    assert main(["articles", "--store", str(store), "--keywords", "0"]) == 0
    assert "text" not in json.loads(capsys.readouterr().out.splitlines()[0])


def test_saved_from_comment_cannot_be_escaped(tmp_path):
    from analysis.collect import _saved_from

    comment = _saved_from("https://x.example/a?q=--><script>alert(1)</script>")
    assert comment.count(b"-->") == 1 and b"<script>" not in comment
    assert Path  # keep the import used when the test above is skipped
