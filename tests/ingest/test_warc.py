"""WARC files: HTTP 200 HTML responses become articles, everything else is skipped and counted by kind; WARC-Date is
the crawl time, never the publication date; damaged files keep what came before the damage."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from analysis.ingest import iter_sources
from analysis.model import Article, Rejection
from tests.conftest import CORPORA
from tests.ingest.test_html import BODY, HEAD, page

SCRAPED = CORPORA / "scraped"


def _record(writer, rtype: str, uri: str, payload: bytes = b"", status: str = "200 OK",
            content_type: str = "text/html; charset=utf-8", date: str = "2026-05-01T10:00:00Z"):
    from warcio.statusandheaders import StatusAndHeaders

    http = None
    if rtype == "response":
        http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    elif rtype == "request":
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
    rec = writer.create_warc_record(uri, rtype, payload=io.BytesIO(payload), http_headers=http,
                                    warc_headers_dict={"WARC-Date": date})
    writer.write_record(rec)


def make_warc(path: Path, gz: bool = True) -> Path:
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "test"}))
        _record(w, "request", "https://example.org/news/tram")
        _record(w, "response", "https://example.org/news/tram", page(HEAD).encode())
        _record(w, "response", "https://example.org/old", b"", status="301 Moved Permanently")
        _record(w, "response", "https://example.org/missing", b"not found", status="404 Not Found")
        _record(w, "response", "https://example.org/logo.png", b"\x89PNG\r\n", content_type="image/png")
        _record(w, "metadata", "https://example.org/news/tram", b"fetchTimeMs: 12", content_type="text/plain")
        second = page("<meta property='og:type' content='article'><meta property='og:title' content='Bus fares frozen'>",
                      body=BODY.replace("tram", "bus"))
        _record(w, "response", "https://example.org/news/bus", second.encode(), content_type="")
    return path


def read(*sources):
    out = list(iter_sources([str(s) for s in sources]))
    return [r for r in out if isinstance(r, Article)], [r for r in out if isinstance(r, Rejection)]


@pytest.mark.parametrize("gz", [True, False])
def test_responses_become_articles_other_records_counted(tmp_path, gz):
    warc = make_warc(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), gz)
    arts, rej = read(warc)
    assert rej == []
    assert [a.id for a in arts] == [f"{warc.name}!https://example.org/news/tram", f"{warc.name}!https://example.org/news/bus"]
    tram, bus = arts
    assert tram.url == "https://example.org/news/tram"
    assert tram.title == "Council backs tram line"
    assert tram.date.isoformat() == "2026-03-04"  # publication date from the page
    assert tram.meta["crawled_at"] == "2026-05-01T10:00:00Z"
    assert bus.title == "Bus fares frozen" and bus.url == "https://example.org/news/bus"
    assert bus.date is None or bus.date.isoformat() != "2026-05-01"  # the WARC date is never a publication date
    notes = [n for a in arts for n in a.notes]
    by_kind: dict[str, list[str]] = {}
    for n in notes:
        by_kind.setdefault(n.kind, []).append(n.detail)
    assert sorted(by_kind["warc_not_response"]) == ["metadata record", "request record", "warcinfo record"]
    assert sorted(d.split(" ")[1] for d in by_kind["warc_status_not_200"]) == ["301", "404"]
    assert by_kind["warc_not_html"] == ["image/png https://example.org/logo.png"]
    assert all(":record " in n.where for n in notes if n.kind.startswith("warc_"))


def test_crawl_date_never_becomes_the_date(tmp_path):
    from warcio.warcwriter import WARCWriter

    undated = page("<meta property='og:type' content='article'><title>No date here</title>")
    path = tmp_path / "u.warc.gz"
    with open(path, "wb") as fh:
        _record(WARCWriter(fh, gzip=True), "response", "https://example.org/a", undated.encode(),
                date="2024-02-29T08:00:00Z")
    (art,), _ = read(path)
    assert art.date is None and art.date_source == "none"
    assert art.meta["crawled_at"] == "2024-02-29T08:00:00Z"


def test_truncated_mid_record_keeps_records_before(tmp_path):
    full = make_warc(tmp_path / "full.warc", gz=False).read_bytes()
    cut = full[: full.rfind(b"Bus fares") + 5]
    (tmp_path / "cut.warc").write_bytes(cut)
    arts, rej = read(tmp_path / "cut.warc")
    assert [a.title for a in arts] == ["Council backs tram line"]
    assert len(rej) == 1 and "cut.warc:record 8" in rej[0].origin
    assert "truncated" in rej[0].reason and "7 records before it were read" in rej[0].reason


def test_gzip_member_that_is_not_a_warc(tmp_path):
    good = make_warc(tmp_path / "a.warc.gz").read_bytes()
    (tmp_path / "mixed.warc.gz").write_bytes(good + gzip.compress(b"just some text, not a WARC record\n" * 20))
    arts, rej = read(tmp_path / "mixed.warc.gz")
    assert len(arts) == 2
    assert len(rej) == 1 and rej[0].origin.endswith("mixed.warc.gz:record 9")
    assert "not a WARC" in rej[0].reason


def test_not_a_warc_at_all_and_empty(tmp_path):
    (tmp_path / "x.warc.gz").write_bytes(gzip.compress(b"hello"))
    (tmp_path / "e.warc").write_bytes(b"")
    arts, rej = read(tmp_path / "x.warc.gz", tmp_path / "e.warc")
    assert arts == []
    assert [Path(r.origin.split(":record")[0]).name for r in rej] == ["x.warc.gz", "e.warc"]


def test_warc_without_articles_rejected_with_counts(tmp_path):
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "r.warc.gz"
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        _record(w, "request", "https://example.org/")
        _record(w, "response", "https://example.org/", b"", status="302 Found")
    arts, (rej,) = read(path)
    assert arts == []
    assert "no HTML page answered with HTTP 200 among 2 records" in rej.reason
    assert "request 1" in rej.reason and "HTTP 1" in rej.reason


def test_same_uri_twice_gets_distinct_ids(tmp_path):
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "twice.warc"
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=False)
        _record(w, "response", "https://example.org/news/tram", page(HEAD).encode())
        _record(w, "response", "https://example.org/news/tram", page(HEAD.replace("backs", "approves")).encode())
    arts, _rej = read(path)
    assert [a.id for a in arts] == ["twice.warc!https://example.org/news/tram", "twice.warc!https://example.org/news/tram#2"]


@pytest.mark.slow
@pytest.mark.skipif(not (SCRAPED / "warc").exists(), reason="../shared/corpora/scraped not present")
def test_fundus_warc_and_real_crawl_excerpt():
    """All 167 fundus responses become articles with their target URI and crawl date; the Common Crawl excerpt's
    request/metadata/warcinfo records are counted, none becomes an article."""
    arts, rej = read(SCRAPED / "warc" / "news_fundus_reconstructed.warc.gz")
    with open(SCRAPED / "warc" / "news_fundus_reconstructed.records.jsonl", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    assert len(arts) + len(rej) == 167 and len(arts) >= 165
    by_uri = {r["url"]: r for r in records}
    for a in arts:
        uri = a.id.split("!", 1)[1]
        assert a.meta["crawled_at"] == by_uri[uri]["warc_date"]
    real, _rej = read(SCRAPED / "warc" / "real" / "chatnoir-eu__warcfile.warc.gz")
    skipped = [n for a in real for n in a.notes if n.kind == "warc_not_response"]
    assert len(skipped) == 16 + 17 + 1


def test_process_pool_gives_the_same_articles_in_order(tmp_path):
    from analysis.ingest.readers import Src
    from analysis.ingest.warc import read_warc

    warc = make_warc(tmp_path / "p.warc.gz")
    serial = list(read_warc(warc, Src(warc.name, str(warc)), workers=1))
    pooled = list(read_warc(warc, Src(warc.name, str(warc)), workers=2))
    assert [(a.id, a.title, a.text, a.date, a.meta) for a in pooled] == \
        [(a.id, a.title, a.text, a.date, a.meta) for a in serial]
    assert [[(n.kind, n.where) for n in a.notes] for a in pooled] == [[(n.kind, n.where) for n in a.notes]
                                                                     for a in serial]
