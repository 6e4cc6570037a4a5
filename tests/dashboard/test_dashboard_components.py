"""Escaping of untrusted text, highlighting, drill-down, uploads and command-line options (no Streamlit runtime)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path

import pandas as pd
import pytest

from analysis.filters import Filter
from dashboard import components as ui
from dashboard import data, reading, selection

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]


def _unescaped(md: str, char: str) -> bool:
    """True if ``char`` occurs in ``md`` without a preceding backslash (i.e. it would act as Markdown)."""
    return re.search(r"(?<!\\)" + re.escape(char), md) is not None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_markdown_neutralises_payloads(payload):
    md = ui.safe_markdown(payload)
    assert "<" not in md and ">" not in md
    for char in "[]():":
        assert not _unescaped(md, char)


def test_safe_markdown_exact():
    assert ui.safe_markdown("<script>alert(1)</script>") == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    assert ui.safe_markdown("[x](javascript:alert(1))") == "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"
    assert ui.safe_markdown("a & b\nc") == "a &amp; b  \nc"
    assert ui.safe_markdown("$x$ *y* `z` :red[w]") == "\\$x\\$ \\*y\\* \\`z\\` \\:red\\[w\\]"
    assert ui.safe_markdown(None) == ""


def test_highlight_markdown_escapes_inside_and_outside():
    text = "Park [Jin] met <b>Wang</b> in Busan."
    md = reading.highlight_markdown(text, [(0, 10, "PERSON"), (30, 35, "GPE"), (2, 4, "ORG")])
    assert md.startswith(":blue-background[Park \\(Jin\\)]")  # brackets in a piece cannot close the directive
    assert ":green-background[Busan]" in md
    assert "&lt;b&gt;Wang&lt;/b&gt;" in md and "<" not in md
    assert ":violet-background" not in md  # overlapping span dropped
    payload = PAYLOADS[1]
    md = reading.highlight_markdown(payload, [(0, len(payload), "keyword")])
    assert md.startswith(":orange-background[") and "<" not in md


def test_term_spans_and_kwic():
    text = "Trade talks. The trade deal; no tradeoff.\nTRADE again"
    assert [(s, e) for s, e, _ in reading.term_spans(text, ["trade"])] == [(0, 5), (17, 22), (42, 47)]
    lines = reading.keyword_in_context(text, "trade deal", width=5)
    assert lines == [("… The ", "trade deal", "; no …")]


def test_drill_down_meanings():
    f = Filter(query="trade")
    pts = [{"customdata": ["KR", "South Korea", 3, 0.9]}, {"customdata": ["CN", "China", 1, 0.4]}]
    narrowed, uids, desc = selection.drill("country_bar", f, pts)
    assert narrowed == Filter(query="trade", countries=("KR", "CN")) and uids == []
    assert "South Korea (KR)" in desc
    narrowed, _, _ = selection.drill("volume", Filter(since=dt.date(2024, 2, 10)), [{"customdata": ["2024-02-01", 3, 3]}],
                              freq="month")
    assert (narrowed.since, narrowed.until) == (dt.date(2024, 2, 10), dt.date(2024, 2, 29))
    narrowed, _, _ = selection.drill("topics_over_time", Filter(), [{"customdata": ["2024-01-01", 4, "x", 1, 0.5]}],
                              freq="week")
    assert narrowed == Filter(topics=(4,), since="2024-01-01", until="2024-01-07")
    narrowed, _, _ = selection.drill("keywords", f, [{"customdata": ["foreign minister", 2, 1]}])
    assert narrowed.query == 'trade "foreign minister"'
    assert selection.drill("article_map", f, [{"customdata": [17, 2, "t", "l"]}])[:2] == (None, [17])
    assert selection.drill("country_bar", f, [{"x": 1}]) == (None, [], "")  # decoration trace: no customdata
    assert selection.drill("compare_volume", f, pts) == (None, [], "")


def test_map_selection_of_countries_without_articles_narrows_nothing():
    from analysis.figures import country_map

    frame = pd.DataFrame({"iso2": ["KR"], "name": ["South Korea"], "articles": [3], "weight": [0.9]})
    trace = country_map(frame).data[0]
    # the points plotly sends back for a box selection over South Korea and a grey neighbour
    points = [{"customdata": list(trace.customdata[0])}, {"customdata": list(trace.customdata[1])}]
    narrowed, _, desc = selection.drill("country_map", Filter(), points)
    assert narrowed == Filter(countries=("KR",)) and "South Korea" in desc
    assert selection.drill("country_map", Filter(), points[1:]) == (None, [], "")


def test_sanitise_filename():
    assert data.sanitise_filename("../../etc/passwd") == "passwd"
    assert data.sanitise_filename("..\\..\\win.ini") == "win.ini"
    assert data.sanitise_filename(".hidden.txt") == "hidden.txt"
    assert data.sanitise_filename("a b<c>.csv") == "a_b_c_.csv"
    assert data.sanitise_filename("..", 3) == "upload_3"


def test_save_uploads_limits_and_containment(tmp_path):
    paths = data.save_uploads([("../x.txt", b"a"), ("x.txt", b"b"), ("/abs/y.jsonl", b"c")], tmp_path / "up")
    assert [p.name for p in paths] == ["x.txt", "x_1.txt", "y.jsonl"]
    assert all(p.parent == (tmp_path / "up").resolve() for p in paths)
    assert [p.read_bytes() for p in paths] == [b"a", b"b", b"c"]
    with pytest.raises(data.UploadRejected, match="at most 2"):
        data.save_uploads([("a", b""), ("b", b""), ("c", b"")], tmp_path / "n", max_files=2)
    with pytest.raises(data.UploadRejected, match="MB"):
        data.save_uploads([("a", b"x" * 20)], tmp_path / "m", max_bytes=10)
    assert not (tmp_path / "n").exists() and not (tmp_path / "m").exists()  # nothing written on rejection


def test_parse_args(monkeypatch):
    assert data.parse_args(["app.py", "--", "--store", "/x.duckdb", "--read-only"]).store == "/x.duckdb"
    assert data.parse_args(["--store", "y", "--other"]).store == "y"
    monkeypatch.setattr("sys.argv", ["app.py"])
    monkeypatch.setenv("NEWSLENS_STORE", "/tmp/z.duckdb")
    monkeypatch.setenv("NEWSLENS_READ_ONLY", "1")
    assert str(data.store_path()) == "/tmp/z.duckdb" and data.read_only()
    monkeypatch.delenv("NEWSLENS_STORE")
    monkeypatch.delenv("NEWSLENS_READ_ONLY")
    assert data.store_path() == data.DEFAULT_STORE and not data.read_only()


def test_query_terms():
    assert reading.query_terms('oil "crude output" opec') == ["crude output", "oil", "opec"]
    assert reading.query_terms("") == []


def test_server_folder_paths_stay_inside_the_configured_root(tmp_path, monkeypatch):
    from dashboard import data

    monkeypatch.delenv("NEWSLENS_FOLDER_ROOT", raising=False)
    assert data.allowed_server_path("/etc") == Path("/etc")
    root = tmp_path / "shared"
    (root / "news").mkdir(parents=True)
    monkeypatch.setenv("NEWSLENS_FOLDER_ROOT", str(root))
    assert data.allowed_server_path(str(root / "news")) == (root / "news").resolve()
    assert data.allowed_server_path(str(root)) == root.resolve()
    assert data.allowed_server_path("/etc") is None
    assert data.allowed_server_path(str(root / "news" / ".." / ".." / "x")) is None


def test_views_with_one_data_function_share_the_cached_frame():
    assert data._data_owner("country_bar") == data._data_owner("country_map")
    assert data._data_owner("volume") == "volume" and data._data_owner("keywords") == "keywords"


def _probe(monkeypatch, gate: threading.Event | None = None) -> list[int]:
    """A data call that records each computation (and waits for ``gate`` when given); 3 fails."""
    computed: list[int] = []

    def probe(store, x):
        if gate is not None:
            gate.wait(10)
        computed.append(x)
        if x == 3:
            raise ValueError("no such thing")
        return {"x": x}

    monkeypatch.setitem(data._CALLS, "probe", probe)
    return computed


def test_prefetch_fills_the_cache_the_page_then_reads(monkeypatch):
    from analysis.store import Store

    computed = _probe(monkeypatch)
    store = Store.empty()
    futures = data.prefetch(store, [("probe", (1,), {}), ("probe", (2,), {}), ("probe", (3,), {})])
    assert [fut.result(10) for fut in futures] == [None, None, None]  # a failing prefetch is dropped quietly
    assert sorted(computed) == [1, 2, 3]
    assert data.call(store, "probe", 1) == {"x": 1} and data.call(store, "probe", 2) == {"x": 2}
    assert sorted(computed) == [1, 2, 3]  # served from the cache
    with pytest.raises(ValueError, match="no such thing"):  # the page's own call shows the error
        data.call(store, "probe", 3)


def test_a_page_asking_while_the_prefetch_runs_waits_for_it(monkeypatch):
    from analysis.store import Store

    gate = threading.Event()
    computed = _probe(monkeypatch, gate)
    store = Store.empty()
    (future,) = data.prefetch(store, [("probe", (7,), {})])
    threading.Timer(0.3, gate.set).start()
    assert data.call(store, "probe", 7) == {"x": 7}  # blocks on the worker's computation of the same entry
    future.result(10)
    assert computed == [7]  # computed once


def test_prefetch_views_asks_once_per_data_entry(monkeypatch):
    asked = []
    monkeypatch.setattr(data, "prefetch", lambda store, calls: asked.extend(calls) or [])
    f = Filter(countries=("KR",))
    data.prefetch_views(None, f, {"country_map": {}, "country_bar": {}, "keywords": {"k": 15}, "nonsense": {}})
    assert asked == [("view_data", ("country_map", f, ()), {}), ("view_data", ("keywords", f, (("k", 15),)), {})]


def test_export_basename_names_chart_and_filter():
    from dashboard.components import export_basename

    assert export_basename("country_bar", Filter(countries=["KP"], since="2025-12-26", until="2026-01-06")) == \
        "country_bar-about-KP-2025-12-26..2026-01-06"
    assert export_basename("volume", Filter()) == "volume"


def test_article_rows_show_blanks_and_undated_not_none():
    frame = pd.DataFrame({"title": [None, "Talks"], "date": [None, pd.Timestamp("2023-11-26 09:00")],
                          "source": [None, "Yonhap"], "countries": [None, ["KR"]], "topic_id": [None, 2],
                          "topic_label": [None, "talks · busan"]})
    rows = ui._article_rows(frame)
    assert rows.to_dict("records") == [
        {"title": "(untitled)", "date": "undated", "source": "", "countries": "", "topic": ""},
        {"title": "Talks", "date": "2023-11-26", "source": "Yonhap", "countries": "South Korea (KR)",
         "topic": "#2 talks · busan"}]
    assert ui.table_height(25) > ui.table_height(10) > 35 * 10  # a page of rows without an inner scroll box
