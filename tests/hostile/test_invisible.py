"""Bidi overrides and invisible characters (issue 19, item 7): Unicode format characters (category Cf) are removed
from every displayed and analysed field (title, text, source, url, author), kept in raw_text, counted in the build
summary with the file and record, and shown visibly (``⟨U+202E⟩``) wherever the dashboard prints a value ingest does
not clean (ids, file names)."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest

from analysis.ingest import Article, iter_sources
from analysis.ingest.invisible import FORMAT_CHAR_RANGES, show_format_chars, strip_format_chars
from analysis.pipeline import BuildOptions, build

RLO, LRI, PDI, ZWSP, SHY, BOM, TAG_A = "\u202e", "\u2066", "\u2069", "\u200b", "\u00ad", "\ufeff", "\U000e0041"


def test_the_table_covers_every_format_character():
    """Every Cf code point of this Python's Unicode database is in the table; anything extra is a code point this
    Python does not know yet (assigned as Cf in a later Unicode version)."""
    table = {c for a, b in FORMAT_CHAR_RANGES for c in range(a, b + 1)}
    cf = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    assert cf - table == set()
    assert {unicodedata.category(chr(c)) for c in table - cf} <= {"Cn"}


@pytest.mark.parametrize("char", [chr(c) for a, b in FORMAT_CHAR_RANGES for c in (a, b)])
def test_each_range_is_stripped(char):
    assert strip_format_chars(f"a{char}b") == ("ab", 1)


def test_strip_and_show():
    assert strip_format_chars(f"Invoice {RLO}gpj.exe") == ("Invoice gpj.exe", 1)
    assert strip_format_chars(None) == (None, 0)
    assert show_format_chars(f"x{RLO}y{TAG_A}") == "x⟨U+202E⟩y⟨U+E0041⟩"


def _records(tmp_path, rows):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return src, [r for r in iter_sources([str(src)])]


ROWS = [
    {"id": "a1", "title": f"Invoice {RLO}gpj.exe", "text": f"Pay the {LRI}invoice{PDI} to{ZWSP}day in Seoul, "
     f"co{SHY}operation with{BOM} Japan.", "source": f"Wi{ZWSP}re", "url": f"https://example.org/{RLO}x",
     "author": f"Kim{TAG_A}"},
    {"id": "a2", "title": "Plain title", "text": "Nothing hidden here at all, only words.", "source": "Wire"},
]


def test_fields_are_cleaned_and_raw_text_keeps_them(tmp_path):
    _, records = _records(tmp_path, ROWS)
    arts = {r.id: r for r in records if isinstance(r, Article)}
    a = arts["a1"]
    assert a.title == "Invoice gpj.exe"
    assert a.text == "Pay the invoice today in Seoul, cooperation with Japan."
    assert a.source == "Wire" and a.url == "https://example.org/x" and a.meta["author"] == "Kim"
    assert RLO not in a.title and LRI in a.raw_text and SHY in a.raw_text and BOM in a.raw_text
    assert a.meta["format_chars_removed"] == 9
    assert "format_chars_removed" not in arts["a2"].meta


def test_text_file_titles_too(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(f"Report {RLO}fdp.exe\n\nThe {ZWSP}body of the report.", encoding="utf-8")
    (art,) = list(iter_sources([str(path)]))
    assert (art.title, art.text) == ("Report fdp.exe", "The body of the report.")


def test_the_build_summary_counts_the_articles_changed(tmp_path):
    src, _ = _records(tmp_path, ROWS)
    report = build([str(src)], tmp_path / "s.duckdb", BuildOptions(enrich=False, topics=False))
    assert report.format_chars == 1
    assert report.format_examples == [f"{src}:line 1 (9 characters)"]
    assert f"from 1 articles (raw_text keeps them), e.g. {src}:line 1 (9 characters)" in report.summary()


def test_the_dashboard_shows_remaining_ones_visibly():
    from dashboard.text import safe_markdown

    assert safe_markdown(f"id {RLO}gpj.exe") == "id ⟨U\\+202E⟩gpj\\.exe"
