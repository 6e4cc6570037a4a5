"""Every reader and every bad-input case on tiny files written in the test (tmp_path)."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from analysis.ingest import SUPPORTED_SUFFIXES, ArchiveLimits, count_inputs, iter_sources
from analysis.ingest.records import MAX_TEXT_CHARS
from analysis.model import Article, Rejection


def read(*sources, **kw) -> tuple[list[Article], list[Rejection]]:
    out = list(iter_sources([str(s) for s in sources], **kw))
    return [r for r in out if isinstance(r, Article)], [r for r in out if isinstance(r, Rejection)]


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------------- text / markdown
def test_text_folder_ids_titles_and_no_source(tmp_path):
    write(tmp_path / "news" / "a.txt", "\n\nFirst title\n\nBody one\nwrapped.\n\nSecond para.\n")
    write(tmp_path / "news" / "sub" / "b.md", "# Markdown title\n\nBody *two*.\n")
    write(tmp_path / "news" / "README.md", "# About this folder\n")  # dataset docs: skipped in folder scans
    write(tmp_path / "news" / ".hidden.txt", "Hidden\n\nx")
    write(tmp_path / "news" / "notes.docx", b"PK\x03\x04")  # unsupported suffix in a folder: skipped
    arts, rejs = read(tmp_path / "news")
    assert rejs == []
    assert [(a.id, a.title, a.text, a.source, a.date, a.date_source, a.language) for a in arts] == [
        ("a.txt", "First title", "Body one wrapped.\n\nSecond para.", None, None, "none", "en"),
        ("sub/b.md", "Markdown title", "Body two.", None, None, "none", "en"),  # issue 16 item 8: no marks
    ]
    assert arts[0].raw_text == "Body one\nwrapped.\n\nSecond para."
    assert arts[1].raw_text == "Body *two*."  # the Markdown is kept where the raw text is
    assert arts[0].origin == str(tmp_path / "news" / "a.txt")


def test_single_file_id_is_its_name_and_glob_ids_are_relative(tmp_path):
    write(tmp_path / "d" / "x" / "one.txt", "One\n\nText one")
    write(tmp_path / "d" / "y" / "two.txt", "Two\n\nText two")
    arts, _ = read(tmp_path / "d" / "x" / "one.txt")
    assert [a.id for a in arts] == ["one.txt"]
    arts, rejs = read(str(tmp_path / "d" / "**" / "*.txt"))
    assert rejs == [] and [a.id for a in arts] == ["x/one.txt", "y/two.txt"]
    assert count_inputs([tmp_path / "d", str(tmp_path / "d" / "*" / "*.txt"), tmp_path / "missing"]) == 4


def test_front_matter(tmp_path):
    write(tmp_path / "fm.md", (
        "---\ntitle: Talks in Busan\npublished: 2024-03-12\npublisher: Yonhap\nlink: https://example.org/a\n"
        "author: Kim\ntags: [diplomacy, korea]\n---\n# Talks in Busan\n\nForeign ministers met.\n"
    ))
    (a,), rejs = read(tmp_path / "fm.md")
    assert rejs == []
    assert (a.title, a.text, a.date, a.date_source, a.source, a.url) == (
        "Talks in Busan", "Foreign ministers met.", dt.date(2024, 3, 12), "metadata", "Yonhap",
        "https://example.org/a")
    assert a.meta == {"author": "Kim", "tags": ["diplomacy", "korea"]}


def test_broken_front_matter_is_repaired_line_by_line_and_noted(tmp_path):
    write(tmp_path / "bad.md", "---\ntitle: [unclosed\n---\nBody\n")
    (a,), rejs = read(tmp_path / "bad.md")
    assert rejs == [] and (a.title, a.text) == ("[unclosed", "Body")
    assert [(n.kind, n.detail) for n in a.notes] == [("front_matter_repaired", "not valid YAML")]


def test_dates_from_text_when_no_metadata(tmp_path):
    write(tmp_path / "a.txt", "Talks\n\nSEOUL, Jan. 4, 2024 (Yonhap) -- Ministers met.\n")
    write(tmp_path / "b.txt", "Talks\n\nPublished: 12 March 2024\n\nMinisters met.\n")
    write(tmp_path / "c.txt", "Talks\n\nBUSAN, Jan 4 - Ministers met.\n")
    write(tmp_path / "d.md", "---\ndate: '2024'\n---\nTalks\n\nBUSAN, Jan 4 - Ministers met.\n")
    arts, _ = read(tmp_path)
    assert [(a.id, a.date, a.date_source) for a in arts] == [
        ("a.txt", dt.date(2024, 1, 4), "dateline"),
        ("b.txt", dt.date(2024, 3, 12), "text"),
        ("c.txt", None, "none"),  # no year: never invented
        ("d.md", dt.date(2024, 1, 4), "dateline"),  # year from metadata completes the dateline
    ]


# ------------------------------------------------------------------------------------------------- encodings
def test_encodings_latin1_bom_utf16(tmp_path):
    write(tmp_path / "latin1.txt", "Price\n\nIt cost £5 in Zürich.".encode("latin-1"))
    write(tmp_path / "cp1252.txt", "Quote\n\n\u201cHello\u201d – said.".encode("cp1252"))
    write(tmp_path / "bom.txt", b"\xef\xbb\xbfBOM title\n\nText \xc3\xa9.")
    write(tmp_path / "utf16.txt", "UTF16 title\n\nText £.".encode("utf-16"))
    write(tmp_path / "utf16le.txt", "UTF16LE no BOM title\n\nText.".encode("utf-16-le"))
    arts, rejs = read(tmp_path)
    assert rejs == []
    got = {a.id: (a.title, a.text, a.meta.get("encoding")) for a in arts}
    assert got == {
        "bom.txt": ("BOM title", "Text é.", None),
        "cp1252.txt": ("Quote", "\u201cHello\u201d – said.", "cp1252"),
        "latin1.txt": ("Price", "It cost £5 in Zürich.", "cp1252"),
        "utf16.txt": ("UTF16 title", "Text £.", "utf-16"),
        "utf16le.txt": ("UTF16LE no BOM title", "Text.", "utf-16-le"),
    }


def test_empty_whitespace_and_binary_files_are_rejected(tmp_path):
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "blank.txt", "  \n\n ")
    write(tmp_path / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    arts, rejs = read(tmp_path / "empty.txt", tmp_path / "blank.txt", tmp_path / "binary.txt")
    assert arts == []
    assert [(Path(r.origin).name, r.reason.split(":")[0]) for r in rejs] == [
        ("empty.txt", "empty file (0 bytes)"),
        ("blank.txt", "file holds only whitespace"),
        ("binary.txt", "binary file (NUL bytes in the first KB)"),
    ]


def test_nonexistent_path_and_unmatched_glob_and_unsupported_file(tmp_path):
    write(tmp_path / "doc.docx", b"PK")
    arts, rejs = read(tmp_path / "nope", str(tmp_path / "*.csv"), tmp_path / "doc.docx")
    assert arts == []
    assert [(r.origin, r.reason.split(":")[0]) for r in rejs] == [
        (str(tmp_path / "nope"), "path does not exist"),
        (str(tmp_path / "*.csv"), "no files match this pattern"),
        (str(tmp_path / "doc.docx"), "unsupported file type .docx; supported"),
    ]


def test_huge_single_line_is_capped_and_linear(tmp_path):
    line = ("lorem ipsum dolor sit amet " * 1_900_000)[:50_000_000]
    write(tmp_path / "huge.txt", line)
    write(tmp_path / "huge.csv", 'title,text\nBig,"' + line + '"\n')
    t0 = time.perf_counter()
    arts, rejs = read(tmp_path / "huge.txt", tmp_path / "huge.csv")
    elapsed = time.perf_counter() - t0
    assert rejs == [] and len(arts) == 2
    for a in arts:
        assert a.meta["truncated_from_chars"] == 50_000_000
        assert len(a.raw_text) == MAX_TEXT_CHARS
    assert arts[0].title.startswith("lorem ipsum") and arts[0].title.endswith("…") and len(arts[0].title) < 600
    assert elapsed < 60  # generous: about 3 s on a quiet 2-core machine


# ------------------------------------------------------------------------------------------- CSV / TSV / JSON
def test_csv_columns_meta_missing_id_and_multiline(tmp_path):
    write(tmp_path / "export.csv", (
        "headline,Story_Text,pubdate,outlet,link,guid,lang,section\n"
        'Talks open,"Ministers met.\n\nThey agreed.",2024-03-12,Yonhap,https://e.org/1,g-1,en,World\n'
        "No id row,Body two,,,,,,Sport\n"
        ",,,,,,,Empty\n"
    ))
    arts, rejs = read(tmp_path / "export.csv")
    assert [(a.id, a.title, a.text, a.date, a.source, a.url, a.language, a.meta) for a in arts] == [
        ("g-1", "Talks open", "Ministers met.\n\nThey agreed.", dt.date(2024, 3, 12), "Yonhap", "https://e.org/1",
         "en", {"section": "World"}),
        ("export.csv:2", "No id row", "Body two", None, None, None, "en", {"section": "Sport"}),
    ]
    assert arts[0].origin.endswith("export.csv:line 2") and arts[1].origin.endswith("export.csv:line 5")
    assert len(rejs) == 1 and rejs[0].origin.endswith("export.csv:line 6")
    assert "no text and no title" in rejs[0].reason and "column_map" in rejs[0].reason


def test_tsv_semicolon_and_column_map(tmp_path):
    write(tmp_path / "a.tsv", "title\tstory\tkind\nT1\tS1\tx\n")
    write(tmp_path / "b.csv", "title;story\nT2;S2\n")
    arts, rejs = read(tmp_path / "a.tsv", tmp_path / "b.csv", column_map={"Story": "text", "kind": "category"})
    assert rejs == []
    assert [(a.id, a.title, a.text, a.meta) for a in arts] == [
        ("a.tsv:1", "T1", "S1", {"category": "x"}), ("b.csv:1", "T2", "S2", {})]


def test_csv_without_content_columns_is_one_rejection(tmp_path):
    write(tmp_path / "odd.csv", "foo,bar\n1,2\n3,4\n")
    arts, rejs = read(tmp_path / "odd.csv")
    assert arts == [] and len(rejs) == 1
    assert rejs[0].reason.startswith("no title or text column among ['foo', 'bar']")


def test_header_only_csv_and_empty_json_array(tmp_path):
    write(tmp_path / "h.csv", "title,text\n")
    write(tmp_path / "e.json", "[]")
    arts, rejs = read(tmp_path / "h.csv", tmp_path / "e.json")
    assert arts == [] and [r.reason.split(":")[0] for r in rejs] == [
        "CSV has a header but no data rows", "JSON holds no records"]


def test_truncated_csv_unterminated_quote(tmp_path):
    write(tmp_path / "cut.csv", 'title,text\nOne,"fine"\nTwo,"this quote never\nends, the export was cut')
    arts, rejs = read(tmp_path / "cut.csv")
    assert [a.title for a in arts] == ["One"]
    assert len(rejs) == 1 and rejs[0].origin.endswith("cut.csv:line 3")
    assert rejs[0].reason.startswith("unterminated quoted field")


def test_json_array_and_articles_object(tmp_path):
    write(tmp_path / "a.json", json.dumps([
        {"title": "A", "body": "Text A", "published_at": "2024-03-12T23:30:00-05:00", "extra": {"k": 1}},
        {"title": "", "text": ""},
        "not an object",
    ]))
    write(tmp_path / "b.json", json.dumps({"articles": [{"id": 7, "headline": "B", "content": "Text B"}]}))
    arts, rejs = read(tmp_path / "a.json", tmp_path / "b.json")
    assert [(a.id, a.title, a.text, a.date, a.meta) for a in arts] == [
        ("a.json:1", "A", "Text A", dt.date(2024, 3, 13), {"extra": {"k": 1}}),
        ("7", "B", "Text B", None, {}),
    ]
    assert [r.origin.rsplit(":", 1)[1] for r in rejs] == ["record 2", "record 3"]


def test_truncated_json_keeps_complete_records(tmp_path):
    write(tmp_path / "cut.json", '[{"title": "A", "text": "x"}, {"title": "B", "text": "y"}, {"title": "C", "te')
    arts, rejs = read(tmp_path / "cut.json")
    assert [a.title for a in arts] == ["A", "B"]
    assert len(rejs) >= 1 and "record 3" in rejs[0].origin and "2 records before it were kept" in rejs[0].reason


def test_jsonl_bad_line_and_truncated_last_line(tmp_path):
    write(tmp_path / "a.jsonl", (
        '{"title": "A", "text": "x", "seendate": "20240312T101500Z", "domain": "e.org"}\n'
        "\n"
        "{not json}\n"
        "[1, 2]\n"
        '{"title": "B", "text": "y"}\n'
        '{"title": "C", "text": "trunc'
    ))
    arts, rejs = read(tmp_path / "a.jsonl")
    assert [(a.id, a.title, a.date, a.source) for a in arts] == [
        ("a.jsonl:1", "A", dt.date(2024, 3, 12), "e.org"), ("a.jsonl:5", "B", None, None)]
    assert [(r.origin.rsplit(":", 1)[1], r.reason.split(" (")[0].split(":")[0]) for r in rejs] == [
        ("line 3", "invalid JSON"), ("line 4", "line holds a list"), ("line 6", "truncated last line")]


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"title": ["P1", None], "text": ["Body", None], "date": [dt.date(2024, 3, 12), None],
                      "score": [1.5, 2.0]})
    pq.write_table(table, tmp_path / "a.parquet")
    write(tmp_path / "bad.parquet", b"PAR1 this is not parquet")
    arts, rejs = read(tmp_path / "a.parquet", tmp_path / "bad.parquet")
    assert [(a.id, a.title, a.date, a.date_source, a.meta) for a in arts] == [
        ("a.parquet:1", "P1", dt.date(2024, 3, 12), "metadata", {"score": 1.5})]
    assert [r.origin.rsplit("/", 1)[-1] for r in rejs] == ["a.parquet:row 2", "bad.parquet"]
    assert rejs[1].reason.startswith("not a readable Parquet file")


# --------------------------------------------------------------------------------------------- Reuters SGML
SGML = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5544" NEWID="1">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>cocoa</D></TOPICS>
<PLACES><D>el-salvador</D><D>usa</D></PLACES>
<PEOPLE></PEOPLE>
<ORGS></ORGS>
<EXCHANGES></EXCHANGES>
<COMPANIES></COMPANIES>
<UNKNOWN> &#5;&#5;&#5;C T
&#22;&#22;&#1;f0704&#31;reute</UNKNOWN>
<TEXT>&#2;
<TITLE>BAHIA COCOA &lt;BC> REVIEW</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued in   
the zone &amp; farms.
    The dry period ends.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5545" NEWID="2">
<DATE>27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM</DATE>
<TOPICS></TOPICS><PLACES></PLACES><PEOPLE></PEOPLE><ORGS></ORGS><EXCHANGES></EXCHANGES><COMPANIES></COMPANIES>
<TEXT TYPE="BRIEF">&#2;
******<TITLE>TITLE ONLY BRIEF
</TITLE>Blah blah blah.
&#3;
</TEXT>
</REUTERS>
"""


def test_reuters_sgml(tmp_path):
    write(tmp_path / "reut2-000.sgm", SGML.encode("latin-1"))
    write(tmp_path / "other.sgm", "<!DOCTYPE x><DOC>no reuters here</DOC>")
    arts, rejs = read(tmp_path)
    assert len(arts) == 1  # the BRIEF document has no BODY: skipped like the published JSONL
    a = arts[0]
    assert (a.id, a.title, a.date, a.date_source, a.source) == (
        "reuters-1", "BAHIA COCOA <BC> REVIEW", dt.date(1987, 2, 26), "metadata", "Reuters")
    assert a.raw_text == "SALVADOR, Feb 26 - Showers continued in\nthe zone & farms.\n    The dry period ends.\n Reuter"
    assert a.text == "SALVADOR, Feb 26 - Showers continued in the zone & farms.\n\nThe dry period ends."
    assert a.meta["places"] == ["el-salvador", "usa"] and a.meta["topics"] == ["cocoa"]
    assert a.meta["lewissplit"] == "TRAIN" and a.meta["oldid"] == "5544"
    assert [(Path(r.origin).name, r.reason.split(":")[0]) for r in rejs] == [
        ("other.sgm", "SGML file without <REUTERS> documents")]


# ------------------------------------------------------------------------------------------------- archives
def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_members_ids_and_evil_paths(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("deep.txt", "Deep\n\nInner text")
    _zip(tmp_path / "archive.zip", {
        "inner/path.txt": b"Zip title\n\nZip text",
        "rows.csv": b"title,text\nR1,T1\n",
        "../evil.txt": b"Evil\n\nNo",
        "/abs.txt": b"Abs\n\nNo",
        "__MACOSX/._x.txt": b"junk",
        "nested.zip": inner.getvalue(),
    })
    arts, rejs = read(tmp_path / "archive.zip")
    assert [a.id for a in arts] == ["archive.zip!inner/path.txt", "archive.zip!rows.csv:1",
                                    "archive.zip!nested.zip!deep.txt"]
    assert arts[0].origin == f"{tmp_path / 'archive.zip'}!inner/path.txt"
    assert sorted(r.origin.rsplit("!", 1)[1] for r in rejs) == ["../evil.txt", "/abs.txt"]
    assert all("unsafe member path" in r.reason for r in rejs)


def test_nested_archives_only_one_level(tmp_path):
    level2 = io.BytesIO()
    with zipfile.ZipFile(level2, "w") as zf:
        zf.writestr("x.txt", "X\n\ny")
    level1 = io.BytesIO()
    with zipfile.ZipFile(level1, "w") as zf:
        zf.writestr("level2.zip", level2.getvalue())
    _zip(tmp_path / "top.zip", {"level1.zip": level1.getvalue()})
    arts, rejs = read(tmp_path / "top.zip")
    assert arts == [] and len(rejs) == 1 and "nested more than 1 level" in rejs[0].reason


def test_corrupt_zip_and_tar(tmp_path):
    write(tmp_path / "bad.zip", b"PK\x03\x04 definitely not a zip")
    write(tmp_path / "bad.tar.gz", b"\x1f\x8b\x08\x00garbage")
    arts, rejs = read(tmp_path / "bad.zip", tmp_path / "bad.tar.gz")
    assert arts == []
    assert [(Path(r.origin).name, r.reason.split(" (")[0]) for r in rejs] == [
        ("bad.zip", "corrupt or unreadable zip archive"), ("bad.tar.gz", "corrupt or unreadable tar archive")]


def test_tar_gz_and_tgz(tmp_path):
    for name in ("a.tar.gz", "b.tgz"):
        with tarfile.open(tmp_path / name, "w:gz") as tf:
            for member, data in {"dir/t.txt": b"Tar title\n\nTar text", "../up.txt": b"Up\n\nx"}.items():
                info = tarfile.TarInfo(member)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
            link = tarfile.TarInfo("dir/link.txt")
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            tf.addfile(link)
    arts, rejs = read(tmp_path)
    assert [a.id for a in arts] == ["a.tar.gz!dir/t.txt", "b.tgz!dir/t.txt"]
    assert [(r.origin.rsplit("!", 1)[1], r.reason.split(" (")[0].split(":")[0]) for r in rejs] == [
        ("../up.txt", "unsafe member path"), ("dir/link.txt", "not a regular file"),
        ("../up.txt", "unsafe member path"), ("dir/link.txt", "not a regular file")]


def test_archive_limits_member_count_size_and_ratio(tmp_path):
    _zip(tmp_path / "many.zip", {f"{i}.txt": b"T\n\nx" for i in range(5)})
    arts, rejs = read(tmp_path / "many.zip", limits=ArchiveLimits(max_members=3))
    assert arts == [] and "more than the limit of 3" in rejs[0].reason
    arts, rejs = read(tmp_path / "many.zip", limits=ArchiveLimits(max_total_bytes=10))
    assert arts == [] and "would uncompress to 20 bytes" in rejs[0].reason
    _zip(tmp_path / "bomb.zip", {"bomb.txt": b"Bomb\n\n" + b"a" * 3_000_000})
    arts, rejs = read(tmp_path / "bomb.zip", limits=ArchiveLimits(ratio_floor=1_000_000, max_ratio=100))
    assert arts == [] and "decompression bomb" in rejs[0].reason


def test_gzipped_single_file(tmp_path):
    import gzip

    write(tmp_path / "a.jsonl.gz", gzip.compress(b'{"title": "G", "text": "z"}\n'))
    write(tmp_path / "bad.csv.gz", b"\x1f\x8b\x08\x00nope")
    arts, rejs = read(tmp_path / "a.jsonl.gz", tmp_path / "bad.csv.gz")
    assert [(a.id, a.title) for a in arts] == [("a.jsonl.gz:1", "G")]
    assert len(rejs) == 1 and rejs[0].reason.startswith("corrupt or truncated gzip")


def test_progress_and_supported_suffixes(tmp_path):
    write(tmp_path / "a.txt", "A\n\nx")
    write(tmp_path / "b.csv", "title,text\nB,y\n")
    calls: list[int] = []
    list(iter_sources([tmp_path, tmp_path / "missing"], progress=calls.append))
    assert calls == [1, 1]
    for suffix in (".txt", ".md", ".csv", ".tsv", ".json", ".jsonl", ".parquet", ".sgm", ".zip", ".tar.gz", ".tgz"):
        assert suffix in SUPPORTED_SUFFIXES
