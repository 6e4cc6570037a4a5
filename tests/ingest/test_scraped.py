"""Scraped news as crawlers leave it: broken headers, publication lines, bad bytes, deep records, wire updates.

Tiny in-code fixtures, one per class of damage; each asserts the exact repair and the note that reports it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.ingest.dedupe import group_near_duplicates, normalise_title, strip_update_tags
from analysis.ingest.encoding import decode_text
from analysis.ingest.frontmatter import split_header
from analysis.ingest.publine import find_publication_lines
from tests.ingest.helpers import kinds, read, write

# The shape that broke 411 of 475 files: an author value with tab-indented continuation lines (not valid YAML),
# a crawl time in the header, a publication line and a crawl footer in the body.
CRAWLED = (
    "---\n"
    "title: S. Korea, China hold talks: ministers meet in Busan\n"
    "published_at: 2025-12-28T09:00:00+09:00\n"
    "author: Kim Tong-hyung\n"
    "\tDiplomatic correspondent\n"
    "\tkimth@yna.co.kr\n"
    "source: Yonhap\n"
    "crawled_at: 2025-12-29 08:00:00\n"
    "url: https://en.yna.co.kr/view/AEN20251228000100315\n"
    "section: politics\n"
    "---\n"
    "**Yonhap** | 2025-12-28 00:00 |\n"
    "\n"
    "BUSAN, Dec. 28 (Yonhap) -- Foreign ministers of South Korea and China held talks in Busan on Sunday.\n"
    "\n"
    "Crawled at: 2025-12-29 08:00\n"
)


# ----------------------------------------------------------------------------------------------- 1. headers
def test_tab_indented_continuation_lines_and_unquoted_colon(tmp_path):
    (a,), rejs = read(write(tmp_path / "a.md", CRAWLED))
    assert rejs == []
    assert a.title == "S. Korea, China hold talks: ministers meet in Busan"
    assert (a.date, a.date_source, a.source) == (dt.date(2025, 12, 28), "metadata", "Yonhap")
    assert a.url == "https://en.yna.co.kr/view/AEN20251228000100315"
    assert a.meta["author"] == "Kim Tong-hyung Diplomatic correspondent kimth@yna.co.kr"
    assert a.meta["crawled_at"] == "2025-12-29 08:00:00" and a.meta["section"] == "politics"
    # header keys, the publication line and the crawl footer never reach the analysed text; raw_text keeps lines
    assert a.text == ("BUSAN, Dec. 28 (Yonhap) -- Foreign ministers of South Korea and China held talks in Busan "
                      "on Sunday.")
    assert "Crawled at" in a.raw_text and "**Yonhap**" in a.raw_text
    assert not any(key in a.text for key in ("crawled_at", "published_at", "author:", "---"))
    assert kinds(a) == ["front_matter_repaired", "publication_line_removed"]
    assert a.notes[0].detail == "not valid YAML" and a.notes[0].where == str(tmp_path / "a.md")


def test_crlf_bom_and_multiline_yaml_values(tmp_path):
    text = ("\ufeff---\r\ntitle: >\r\n  Folded\r\n  title\r\ntags:\r\n  - a\r\n  - b\r\npubDate: Tue, 12 Mar 2024 "
            "10:15:00 +0100\r\n---\r\nBody.\r\n")
    (a,), _ = read(write(tmp_path / "b.md", text))
    assert (a.title, a.text, a.date) == ("Folded title", "Body.", dt.date(2024, 3, 12))
    assert a.meta == {"tags": ["a", "b"]} and a.notes == []  # valid YAML: nothing to report


def test_line_wise_fallback_keeps_lists_and_multiline_values():
    h = split_header("---\ntitle: A: B\ntags:\n- x\n- y\nsite_name: The Herald\ncanonical: https://h.example/1\n"
                     "lang: es\nsummary: first line\n  second line\nbad: [\n---\nBody")
    assert h.status == "repaired"
    assert h.fields == {"title": "A: B", "source": "The Herald", "url": "https://h.example/1", "language": "es"}
    assert h.meta == {"tags": ["x", "y"], "summary": "first line second line", "bad": "["}
    assert h.body == "Body"


def test_toml_header_and_broken_toml(tmp_path):
    write(tmp_path / "t.md", '+++\ntitle = "Markets rally"\ndate = 2024-03-12\npublisher = "Herald"\n+++\nText.\n')
    write(tmp_path / "u.md", '+++\ntitle = Markets: rally\ndate = 2024-03-13\n+++\nText two.\n')
    (t, u), rejs = read(tmp_path)
    assert rejs == []
    assert (t.title, t.date, t.source, t.notes) == ("Markets rally", dt.date(2024, 3, 12), "Herald", [])
    assert (u.title, u.date, u.text, kinds(u)) == ("Markets: rally", dt.date(2024, 3, 13), "Text two.",
                                                     ["front_matter_repaired"])


def test_header_without_closing_fence_or_without_fences(tmp_path):
    write(tmp_path / "a.md", "---\ntitle: Open header\ndate: 2024-01-02\n\nThe body.\n")
    write(tmp_path / "b.txt", "Title: No fences\nDate: 2024-01-03\nCrawled at: 2024-01-04\n\nThe body.\n")
    (a, b), _ = read(tmp_path)
    assert (a.title, a.date, a.text) == ("Open header", dt.date(2024, 1, 2), "The body.")
    assert (b.title, b.date, b.text, b.meta) == ("No fences", dt.date(2024, 1, 3), "The body.",
                                                   {"Crawled at": "2024-01-04"})
    assert [n.detail for n in a.notes] == ["no closing ---"]
    assert [n.detail for n in b.notes] == ["header without --- lines"]


def test_unreadable_header_is_reported_and_never_the_title(tmp_path):
    write(tmp_path / "x.md", "---\n!!! ???\n%%%\n---\nReal title\n\nBody.\n")
    write(tmp_path / "y.md", "---\n\nJust a rule, then the title\n\nBody.\n")
    (x, y), rejs = read(tmp_path)
    assert rejs == []
    assert (x.title, x.text, kinds(x)) == ("Real title", "Body.", ["front_matter_unreadable"])
    assert x.meta["front_matter_raw"] == "---\n!!! ???\n%%%\n---"
    assert (y.title, y.text) == ("Just a rule, then the title", "Body.")


def test_crawl_time_is_never_the_date(tmp_path):
    write(tmp_path / "c.md", "---\ntitle: Undated\ncrawled_at: 2025-12-29\nfetched: 2025-12-30\n---\nBody.\n"
                             "\nCrawled at: 2025-12-29 08:00\n")
    (c,), _ = read(tmp_path)
    assert (c.date, c.date_source, c.text) == (None, "none", "Body.")
    assert c.meta == {"crawled_at": "2025-12-29", "fetched": "2025-12-30"}


# ------------------------------------------------------------------------------------ 2. publication lines
@pytest.mark.parametrize("line, date, source, author", [
    ("**Yonhap** | 2025-12-28 00:00 |", dt.date(2025, 12, 28), "Yonhap", None),
    ("Published: 12 March 2024 10:32 GMT", dt.date(2024, 3, 12), None, None),
    ("Updated Jan 3, 2024", dt.date(2024, 1, 3), None, None),
    ("By Jane Doe | Reuters | Jan 3, 2024", dt.date(2024, 1, 3), "Reuters", "Jane Doe"),
    ("By Jane Doe, AFP", None, "AFP", "Jane Doe"),
    ("Tuesday 12 March 2024 at 10:32 GMT", dt.date(2024, 3, 12), None, None),
    ("Posted on 2024-03-12 by admin", dt.date(2024, 3, 12), None, "admin"),
    ("5 min read · Mar 12, 2024", dt.date(2024, 3, 12), None, None),
    ("Published 23:30 EST, 11 March 2024", dt.date(2024, 3, 12), None, None),  # to UTC
    ("PUBLISHED: 10:32, 12 March 2024 | UPDATED: 11:00, 13 March 2024", dt.date(2024, 3, 12), None, None),
])
def test_publication_line_forms(tmp_path, line, date, source, author):
    (a,), _ = read(write(tmp_path / "p.txt", f"A title\n\n{line}\n\nLONDON - The story itself, told here.\n"))
    assert (a.date, a.source, a.meta.get("author")) == (date, source, author)
    assert a.date_source == ("text" if date else "none")
    assert a.text == "LONDON - The story itself, told here." and line in a.raw_text
    assert "publication_line_removed" in kinds(a)


@pytest.mark.parametrize("line", [
    "On Jan 3, 2024 the company said it would cut 200 jobs.",
    "By the end of 2024 prices had risen by a fifth.",
    "SALVADOR, Feb 26 - Showers continued throughout the week",
    "Markets | Monday",
    "The talks, held on 12 March 2024 in Busan, ended without a statement.",
])
def test_story_sentences_are_not_publication_lines(line):
    p = find_publication_lines(f"{line}\n\nMore text.")
    assert (p.date, p.source, p.removed) == (None, None, [])


def test_a_wrapped_line_ending_a_sentence_is_story_text():
    raw = ("NEW YORK, March 2 - The company said the notes, due 1992,\n  will pay interest semi-annually from\n"
           "Feb 26, 1992.\n  The offering is led\nby Alex. Brown and Sons Inc.\n")
    p = find_publication_lines(raw)
    assert (p.date, p.author, p.removed) == (None, None, [])


def test_metadata_date_and_source_win_over_the_publication_line(tmp_path):
    write(tmp_path / "m.md", "---\ndate: 2024-05-01\nsource: Herald\n---\nTitle\n\n**Yonhap** | 2025-12-28 00:00 |"
                             "\n\nText.\n")
    (a,), _ = read(tmp_path)
    assert (a.date, a.date_source, a.source, a.text) == (dt.date(2024, 5, 1), "metadata", "Herald", "Text.")


def test_updated_line_loses_to_a_dateline(tmp_path):
    write(tmp_path / "u.txt", "Title\n\nUpdated Jan 9, 2024\n\nSEOUL, Jan. 4, 2024 (Yonhap) -- Talks began.\n")
    (a,), _ = read(tmp_path)
    assert (a.date, a.date_source) == (dt.date(2024, 1, 4), "dateline")


# ------------------------------------------------------------------------------------------- 3. robustness
def test_one_bad_byte_in_a_utf8_csv_is_replaced_on_its_line_only(tmp_path):
    data = "title,text\nCafé,Un café crème\nBad,Naïve text\nThird,Fine é\n".encode().replace(b"\xc3\xaf", b"\xef")
    arts, rejs = read(write(tmp_path / "f.csv", data))
    assert rejs == []
    assert [(a.title, a.text) for a in arts] == [("Café", "Un café crème"), ("Bad", "Na\ufffdve text"),
                                                 ("Third", "Fine é")]
    assert [kinds(a) for a in arts] == [[], ["invalid_bytes_replaced"], []]
    assert arts[1].notes[0].where == f"{tmp_path / 'f.csv'}:line 3"
    assert "encoding" not in arts[0].meta


def test_a_real_cp1252_file_is_an_encoding_fallback(tmp_path):
    arts, _ = read(write(tmp_path / "w.csv", "title,text\nCafé,Crème brûlée – “quoted”\n".encode("cp1252")))
    assert [(a.title, a.text, a.meta.get("encoding")) for a in arts] == [
        ("Café", "Crème brûlée – “quoted”", "cp1252")]
    assert kinds(arts[0]) == ["encoding_fallback"]


def test_decode_text_counts_lines():
    d = decode_text(b"ok\n\xff bad\nok \xc3\xa9 \xc3\xa9\n\xfe\n")  # as many valid UTF-8 sequences as bad bytes
    assert (d.encoding, d.bad_lines, d.fallback) == ("utf-8", [2, 4], False)
    d = decode_text(b"caf\xe9\n")
    assert (d.text, d.encoding, d.fallback) == ("café\n", "cp1252", True)


def test_deep_json_line_between_two_good_ones(tmp_path):
    deep = "[" * 50_000 + "]" * 50_000
    data = '{"title": "a", "text": "one"}\n' + deep + '\n{"title": "b", "text": "two"}\n'
    arts, rejs = read(write(tmp_path / "d.jsonl", data))
    assert [a.title for a in arts] == ["a", "b"]
    assert [r.origin for r in rejs] == [f"{tmp_path / 'd.jsonl'}:line 2"] and "too deeply" in rejs[0].reason


def test_deep_record_inside_a_json_array_rejects_that_record_only(tmp_path):
    deep = '{"title": "deep", "text": ' + "[" * 50_000 + "]" * 50_000 + "}"
    data = '[{"title": "a", "text": "one"}, ' + deep + ', {"title": "b", "text": "two"}]'
    arts, rejs = read(write(tmp_path / "d.json", data))
    assert [a.title for a in arts] == ["a", "b"]
    assert len(rejs) == 1 and "record 2" in rejs[0].origin


def test_nul_byte_early_in_jsonl_does_not_reject_the_file(tmp_path):
    data = b'{"title": "n\x00ul", "text": "one"}\n{"title": "b", "text": "two"}\n'
    arts, rejs = read(write(tmp_path / "n.jsonl", data))
    assert rejs == [] and [a.title for a in arts] == ["nul", "b"]
    assert kinds(arts[0]) == ["nul_bytes_removed"]


def test_binary_file_is_still_rejected(tmp_path):
    _, rejs = read(write(tmp_path / "img.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))))
    assert len(rejs) == 1 and "binary" in rejs[0].reason


# --------------------------------------------------------------------------------- 4. records in the summary
def test_title_only_records_are_kept_and_marked(tmp_path):
    write(tmp_path / "p.json", '[{"title": "Photo: sunset over Busan", "text": ""}, {"title": "Story", "text": "W."}]')
    arts, rejs = read(tmp_path)
    assert rejs == []
    assert [(a.title, a.text, a.meta.get("title_only")) for a in arts] == [
        ("Photo: sunset over Busan", "", True), ("Story", "W.", None)]
    assert kinds(arts[0]) == ["title_only"] and kinds(arts[1]) == []


def test_extra_and_missing_csv_fields_are_noted(tmp_path):
    arts, _ = read(write(tmp_path / "e.csv", "title,text\nA,one,surplus\nB\nC,three\n"))
    assert [(a.title, kinds(a)) for a in arts] == [("A", ["extra_fields"]), ("B", ["missing_fields", "title_only"]),
                                                   ("C", [])]
    assert arts[0].meta["_extra_columns"] == ["surplus"]


def test_mapped_column_absent_from_the_file_is_noted(tmp_path):
    arts, _ = read(write(tmp_path / "m.csv", "title,body\nA,one\n"), column_map={"story_text": "text"})
    assert [(n.kind, n.detail) for n in arts[0].notes] == [
        ("mapped_column_absent", "--map story_text=text: no column 'story_text'")]


def test_section_wrapped_scrapy_records_are_unwrapped(tmp_path):
    write(tmp_path / "s.json", '[{"opinion": {"title": "Lo que votó", "epigraph": "E.", "body": "Tres días."}}]')
    (a,), rejs = read(tmp_path)
    assert rejs == []
    assert (a.title, a.text, a.meta) == ("Lo que votó", "Tres días.", {"record_key": "opinion", "epigraph": "E."})
    assert kinds(a) == ["record_unwrapped"]


# ------------------------------------------------------------------------------------------ 6. wire updates
def test_update_tags_are_stripped():
    assert strip_update_tags("(3rd LD, with photos) Yoon meets Xi") == ("Yoon meets Xi", ["(3rd LD, with photos)"])
    assert strip_update_tags("REFILE-UPDATE 1-Oil falls") == ("Oil falls", ["REFILE-", "UPDATE 1-"])
    for title in ("(URGENT) Oil falls", "(News Focus) Oil falls", "Oil falls (EDITED)", "Oil falls (CORRECTED)",
                  "Oil falls (ATTN: ADDS PHOTO)", "WRAPUP 1-Oil falls", "Oil falls (ADDS quotes)"):
        assert normalise_title(title) == "oil falls", title
    assert strip_update_tags("COVID-19 cases rise") == ("COVID-19 cases rise", [])
    assert strip_update_tags("U.S. HOUSE PASSES (FARM) BILL") == ("U.S. HOUSE PASSES (FARM) BILL", [])


MISSILE = ("SEOUL, Dec. 28 (Yonhap) -- North Korea fired a ballistic missile into the East Sea on Sunday, South "
           "Korea's Joint Chiefs of Staff said. ")
SERIES = [
    ("first", "N. Korea fires ballistic missile into East Sea",
     MISSILE + "The launch came days after Pyongyang warned of countermeasures against joint drills."),
    ("urgent", "(URGENT) N. Korea fires ballistic missile: JCS",
     "SEOUL, Dec. 28 (Yonhap) -- North Korea fired a ballistic missile toward the East Sea on Sunday, the Joint "
     "Chiefs of Staff said."),
    ("lead", "(LEAD) N. Korea fires ballistic missile into East Sea: JCS",
     "SEOUL, Dec. 28 (Yonhap) -- North Korea launched a ballistic missile into the East Sea on Sunday morning, "
     "South Korea's Joint Chiefs of Staff said, days after Pyongyang warned of countermeasures against joint "
     "drills. The military is analysing the flight data with the United States. Japan said the missile fell "
     "outside its exclusive economic zone."),
    ("2nd", "(2nd LD) N. Korea fires ballistic missile into East Sea; Japan says it fell outside EEZ",
     "SEOUL, Dec. 28 (Yonhap) -- North Korea launched a ballistic missile into the East Sea on Sunday morning, "
     "South Korea's Joint Chiefs of Staff said, days after Pyongyang warned of countermeasures against joint "
     "drills. Japan said the missile fell outside its exclusive economic zone. The military is analysing the "
     "flight data with the United States and Japan, and President Lee called a security meeting."),
    ("exports", "(LEAD) S. Korea's exports rise for 3rd month",
     "SEJONG, Dec. 1 (Yonhap) -- South Korea's exports rose for a third month in November on chip demand."),
    ("exports0", "S. Korea's exports rise for 3rd month",
     "SEJONG, Dec. 1 (Yonhap) -- South Korea's exports rose for a third straight month in November, data showed."),
    ("artillery", "N. Korea fires artillery near border island",
     "SEOUL, Dec. 29 (Yonhap) -- North Korea fired dozens of artillery rounds near Yeonpyeong Island on Monday, "
     "prompting residents to evacuate to shelters, officials said."),
]


def test_wire_update_series_and_urgent_bulletin_form_one_story():
    groups = group_near_duplicates(SERIES)
    assert groups == {"first": "first", "urgent": "first", "lead": "first", "2nd": "first",
                      "exports": "exports", "exports0": "exports", "artillery": "artillery"}


def test_equal_tag_free_titles_with_unrelated_texts_stay_apart():
    groups = group_near_duplicates([
        ("a", "(LEAD) Weather forecast for Seoul", "Rain is expected across the capital region on Monday."),
        ("b", "Weather forecast for Seoul", "Stock prices closed higher on foreign buying of chipmakers."),
    ])
    assert groups == {"a": "a", "b": "b"}


def test_update_series_members_weeks_apart_stay_apart():
    day = dt.date(2025, 12, 28)
    dated = [(k, t, x, day + dt.timedelta(days=30 if k == "lead" else 0)) for k, t, x in SERIES[:3]]
    assert group_near_duplicates(dated) == {"first": "first", "urgent": "first", "lead": "lead"}


def test_a_wire_series_is_one_story_in_the_store(tmp_path):
    from analysis.pipeline import BuildOptions, build
    from analysis.store import Store

    for key, title, text in SERIES:
        write(tmp_path / "in" / f"{key}.md", f"---\ntitle: {title}\ndate: 2025-12-28\nsource: Yonhap\n---\n{text}\n")
    build([tmp_path / "in"], tmp_path / "s.duckdb", BuildOptions(enrich=False, topics=False))
    rows = Store.open(tmp_path / "s.duckdb").rows("SELECT id, story_id FROM articles")
    story = dict(rows)
    assert story["first.md"] == story["urgent.md"] == story["lead.md"] == story["2nd.md"]
    assert story["exports.md"] == story["exports0.md"] != story["first.md"]
    assert len({story["artillery.md"], story["first.md"], story["exports.md"]}) == 3


# ---------------------------------------------------------------------------------------------- 7. language
@pytest.mark.parametrize("text, lang", [
    ("Tres días después de la jornada electoral en Estados Unidos, lo apretado de la diferencia en algunos estados "
     "no ha permitido saber qué partido controlará el Congreso.", "es"),
    ("北朝鮮は28日、日本海に向けて弾道ミサイルを発射したと韓国軍合同参謀本部が明らかにした。", "ja"),
    ("Pemerintah Indonesia akan melanjutkan pembangunan ibu kota baru yang telah direncanakan sejak tahun lalu "
     "dengan anggaran dari dalam negeri untuk tahun depan", "id"),
    ("Shr loss six cts vs profit 19 cts Net loss 166,000 vs profit 580,000 Revs 2.1 mln vs 3.4 mln Year Shr "
     "profit 1.10 dlrs vs 1.20 dlrs", "en"),  # an English earnings table: no sign of another language
    ("The minister said that the talks would be held in the city of Busan on Sunday, officials said.", "en"),
])
def test_language_per_article(tmp_path, text, lang):
    (a,), _ = read(write(tmp_path / "l.txt", f"Title\n\n{text}\n"))
    assert a.language == lang
