"""Export: static images through the one kaleido session, offline HTML, safe CSV, report ZIP and HTML report."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import threading
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest

from analysis import export
from analysis.export import (
    ExportUnavailable,
    ReportItem,
    csv_bytes,
    figure_bytes,
    report_html,
    report_zip,
    static_export_available,
)
from analysis.figures import country_map, keyword_bar, volume_chart

needs_chromium = pytest.mark.skipif(not static_export_available(),
                                    reason="static export needs Chromium (apt-get install chromium)")
XSS = "<script>alert(1)</script>"
CDN_SRC = re.compile(r"""src=["']https?://cdn\.plot\.ly""")


@pytest.fixture(scope="module")
def fig():
    df = pd.DataFrame({"term": ["oil", XSS, "Zürich"], "score": [0.9, 0.5, 0.4], "count": [3, 2, 1],
                       "docs": [3, 2, 1]})
    return keyword_bar(df, title="Keywords")


@pytest.fixture()
def no_browser(monkeypatch):
    """A fresh export session that finds no Chromium."""
    monkeypatch.setattr(export, "_SESSION", export._ExportSession())
    monkeypatch.setattr(export, "chromium_path", lambda: None)


# ---------------------------------------------------------------------------------------------- figure_bytes
def test_html_export_is_offline(fig):
    page = figure_bytes(fig, "html").decode("utf-8")
    assert page.lower().startswith("<!doctype html")
    assert "plotly.js v" in page[:2000]  # the bundle is inlined...
    assert len(page) > 3_000_000
    assert not CDN_SRC.search(page) and not re.search(r"<script[^>]*\bsrc=", page)  # ...and nothing is fetched


def test_unknown_format_is_rejected(fig):
    with pytest.raises(ValueError, match="unknown export format 'gif'"):
        figure_bytes(fig, "gif")


def test_no_chromium_gives_a_helpful_error(fig, no_browser):
    assert static_export_available() is False
    with pytest.raises(ExportUnavailable, match="apt-get install chromium.*HTML export works without it"):
        figure_bytes(fig, "png")
    assert figure_bytes(fig, "html").lower().startswith(b"<!doctype html")  # HTML still works


@needs_chromium
def test_png_svg_pdf(fig):
    png = figure_bytes(fig, "png", width=600, height=400, scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    w, h = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (w, h) == (600, 400)
    assert int.from_bytes(figure_bytes(fig, "png", width=600, height=400, scale=2)[16:20], "big") == 1200
    svg = figure_bytes(fig, "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and b"<svg" in svg[:500]
    assert b"<script" not in svg  # the escaped term is drawn as text, not markup
    assert figure_bytes(fig, "pdf").startswith(b"%PDF")


@needs_chromium
def test_offline_map_exports_and_threads_share_one_session():
    m = country_map(pd.DataFrame({"iso2": ["KR", "US"], "name": ["South Korea", "United States"],
                                  "articles": [3, 9], "weight": [1.0, 2.0]}))
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(figure_bytes(m, "png", 500, 300, 1)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 2 and all(r.startswith(b"\x89PNG") for r in results)
    assert len(results[0]) > 10_000  # outlines were drawn, not a blank canvas


# ---------------------------------------------------------------------------------------------- CSV
def test_csv_neutralises_formulas_and_keeps_numbers():
    # "+1" is a plain number written as text: a spreadsheet reads it as 1, nothing runs, so it stays as it is
    df = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "-cmd", "@SUM(A1)", "Zürich", "safe", None],
                       "value": [-1, 2, -3, 4, 5, 6, 7]})
    raw = csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["name", "value"]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "+1", "'-cmd", "'@SUM(A1)", "Zürich", "safe",
                                        ""]
    assert [r[1] for r in rows[1:]] == ["-1", "2", "-3", "4", "5", "6", "7"]
    assert df["name"].iloc[0].startswith("=")  # input not mutated


# ---------------------------------------------------------------------------------------------- reports
def _items(fig):
    vol = volume_chart(pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]), "articles": [1, 2],
                                     "unique": [1, 2]}))
    return [ReportItem("keywords", "Top keywords", fig, pd.DataFrame({"term": [XSS, "=1+1"], "score": [1.0, 0.5]})),
            ReportItem("volume over/time", "Volume", vol, pd.DataFrame({"period": ["2024-01"], "articles": [1]}))]


MANIFEST = {"filters": {"countries": ["KR"], "query": XSS}, "corpus_version": 7}


@needs_chromium
def test_report_zip_with_images(fig):
    zf = zipfile.ZipFile(io.BytesIO(report_zip(_items(fig), MANIFEST)))
    names = set(zf.namelist())
    assert {"manifest.json", "index.html", "01_keywords/keywords.png", "01_keywords/keywords.html",
            "01_keywords/keywords.csv", "02_volume_over_time/volume_over_time.png"} <= names
    assert zf.read("01_keywords/keywords.png").startswith(b"\x89PNG")
    m = json.loads(zf.read("manifest.json"))
    assert m["static_export"] == {"available": True} and m["corpus_version"] == 7
    assert m["filters"]["query"] == XSS and m["app_version"] and m["created"]
    assert [c["name"] for c in m["charts"]] == ["keywords", "volume_over_time"]
    index = zf.read("index.html").decode()
    assert 'href="01_keywords/keywords.png"' in index and XSS not in index
    assert b"'=1+1" in zf.read("01_keywords/keywords.csv")


def test_report_zip_without_browser_still_has_html_and_csv(fig, no_browser):
    zf = zipfile.ZipFile(io.BytesIO(report_zip(_items(fig), MANIFEST, formats=("png", "svg", "html", "csv"))))
    names = set(zf.namelist())
    assert not any(n.endswith((".png", ".svg")) for n in names)
    assert {"01_keywords/keywords.html", "01_keywords/keywords.csv", "manifest.json", "index.html"} <= names
    m = json.loads(zf.read("manifest.json"))
    assert m["static_export"]["available"] is False and "Chromium" in m["static_export"]["reason"]
    assert "Images were not exported" in zf.read("index.html").decode()


def test_report_html_is_one_offline_page(fig):
    page = report_html(_items(fig), MANIFEST, title=f"Report {XSS}")
    assert page.count("* plotly.js v") == 1  # the bundle, inlined exactly once
    assert not CDN_SRC.search(page) and not re.search(r"<script[^>]*\bsrc=", page)
    assert page.count('class="plotly-graph-div"') == 2
    assert XSS not in page  # title, table cells and manifest are all escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<details>" in page and "<table" in page
    uris = re.findall(r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(uris) == 2
    first = base64.b64decode(uris[0]).decode("utf-8-sig")
    assert first.splitlines()[0] == "term,score" and "'=1+1" in first
    assert '"corpus_version": 7' in page


@needs_chromium
def test_shutdown_then_export_restarts_the_session(fig):
    assert figure_bytes(fig, "svg").lstrip().startswith(b"<svg")
    export.shutdown_export()
    assert export._SESSION._kaleido is None
    export.shutdown_export()  # idempotent
    assert figure_bytes(fig, "pdf").startswith(b"%PDF")


@needs_chromium
def test_map_svg_is_vector_country_outlines():
    """Static exports draw maps with d3 (offline, no fetch): the SVG holds one path per country, not a raster."""
    m = country_map(pd.DataFrame({"iso2": ["KR", "US"], "name": ["South Korea", "United States"],
                                  "articles": [3, 9], "weight": [1.0, 2.0]}))
    svg = figure_bytes(m, "svg").decode("utf-8")
    assert svg.count('class="choroplethlocation"') >= 170
    assert "<image" not in svg
