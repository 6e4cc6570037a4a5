"""Markdown -> plain text for analysis (issue 16 item 8): the reader and NER see words, never Markdown marks."""

from __future__ import annotations

import pytest

from analysis.ingest.markdown import describe, looks_like_markdown, markdown_title, markdown_to_text
from analysis.pipeline import BuildOptions, build
from analysis.slices import keywords
from analysis.store import Store
from tests.ingest.helpers import kinds, read, write


@pytest.mark.parametrize("md,plain,counts", [
    ("**Yonhap** said", "Yonhap said", {"emphasis": 1}),
    ("a *b* and _c_ and __d__ and ~~e~~", "a b and c and d and e", {"emphasis": 4}),
    ("snake_case_name and 2*3*4", "snake_case_name and 2*3*4", {}),
    ("[the JCS](https://jcs.mil/x_(y) \"t\") said", "the JCS said", {"links": 1}),
    ("see [the report][1] and <https://a.b/c>", "see the report and https://a.b/c", {"links": 2}),
    ("Photo: ![Kim at the site](kim.jpg) here", "Photo:  here", {"images": 1}),
    ("use `nlp.pipe` now", "use nlp.pipe now", {"code": 1}),
    ("\\_not emphasis\\_ and \\*stars\\* and 5 \\# 3", "_not emphasis_ and *stars* and 5 # 3", {"escapes": 5}),
])
def test_inline_marks(md, plain, counts):
    assert markdown_to_text(md) == (plain, counts)


def test_blocks_become_paragraphs_of_their_own():
    md = ("# North Korea fires missile #\n\nSEOUL - It flew\n> far, officials said.\n\n- first point\n* second\n"
          "2. third\n\n| Country | Launches |\n|---|---:|\n| KP | 3 |\n\nSubhead\n=======\nText.\n\n---\n"
          "```\ncode stays\n```\n[1]: https://example.com/ref")
    text, counts = markdown_to_text(md)
    assert text == ("North Korea fires missile\n\nSEOUL - It flew\nfar, officials said.\n\nfirst point\n\nsecond\n\n"
                    "third\n\nCountry; Launches\n\nKP; 3\n\nSubhead\n\nText.\n\ncode stays")
    assert counts == {"headings": 2, "quotes": 1, "list items": 3, "tables": 1, "rules": 1, "code": 1,
                      "link definitions": 1}
    assert describe({"links": 2, "emphasis": 1}) == "links 2 (URLs dropped, text kept), emphasis 1"


def test_plain_text_is_left_alone_and_not_taken_for_markdown():
    plain = "SEOUL - The talks - a first - went well.\n* Not a list in a .txt\nsnake_case and 3 * 4 = 12"
    assert not looks_like_markdown(plain)
    for md in ("a [link](http://x.y) and **bold**", "# Heading\n\n# Another", "x \\_ y \\_", "## Title\n\n"
               "| a | b |\n|---|---|", "![a](b.png) [c](d)"):
        assert looks_like_markdown(md), md
    for one in ("a [link](http://x.y)", "**bold**", "# Heading", "x \\_ y"):  # one mark alone: not for a .txt
        assert not looks_like_markdown(one) and looks_like_markdown(one, at_least=1), one
    assert markdown_title("# **1. FC Köln** wins") == "1. FC Köln wins"


def test_md_file_text_is_plain_raw_text_keeps_the_markdown_and_the_repair_is_counted(tmp_path):
    md = write(tmp_path / "in" / "talks.md",
               "# Talks in **Busan**\n\n**Yonhap** | 2025-12-28 00:00 |\n\nForeign Minister [Park Jin](https://x.kr/p) "
               "met *Wang Yi* in Busan.\n\n![photo](https://x.kr/a.jpg)\n\n- They spoke for an hour.\n")
    (art,), rejected = read(md)
    assert not rejected
    assert art.title == "Talks in Busan"
    assert art.text == "Foreign Minister Park Jin met Wang Yi in Busan.\n\nThey spoke for an hour."
    assert "[Park Jin](https://x.kr/p)" in art.raw_text and "**Yonhap**" in art.raw_text
    assert art.source == "Yonhap" and str(art.date) == "2025-12-28"  # the publication line is read before
    assert art.meta["markdown_removed"] == {"images": 1, "links": 1, "emphasis": 1, "list items": 1}
    assert "markdown_to_text" in kinds(art)
    (note,) = [n for n in art.notes if n.kind == "markdown_to_text"]
    assert note.where.endswith("talks.md") and note.detail.startswith("images 1, links 1 (URLs dropped")
    # a .txt file that is Markdown in all but name is read the same way; a plain one is untouched
    txt = write(tmp_path / "in" / "scraped.txt", "Title\n\nSaid **Kim**, see [here](http://a.b).\n")
    plain = write(tmp_path / "in" / "plain.txt", "Title\n\nThe 3 * 4 rule - snake_case stays.\n")
    arts, _ = read(txt, plain)
    assert [a.text for a in arts] == ["Said Kim, see here.", "The 3 * 4 rule - snake_case stays."]
    assert [("markdown_to_text" in kinds(a)) for a in arts] == [True, False]


def test_build_summary_counts_the_articles_and_keywords_never_see_marks(tmp_path):
    folder = tmp_path / "in"
    for i in range(3):
        write(folder / f"{i}.md", f"Story {i}\n\n**Sanctions** on [oil](http://o.il/{i}) exports rose again.\n")
    store_path = tmp_path / "s.duckdb"
    report = build([str(folder)], store_path, BuildOptions(enrich=False, topics=False, embeddings=False))
    assert "3 x Markdown marks removed from the analysed text" in report.summary()
    assert report.to_dict()["warnings"]["markdown_to_text"]["count"] == 3
    store = Store.open(store_path)
    try:
        texts = store.export_rows(with_text=True).sort_values("id")["text"].tolist()
        terms = set(keywords(store, k=50)["term"])
    finally:
        store.close()
    assert texts == ["Sanctions on oil exports rose again."] * 3
    assert "sanctions" in terms and not any("*" in t or "http" in t or "[" in t for t in terms)
