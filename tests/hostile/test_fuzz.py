"""Property tests: hostile bytes through every reader, the date parsers and the country / event resolvers.

Each input either becomes valid Articles (non-empty id, str title/text, date None or within 1800..2200) or
Rejections whose origin names the file; never an unhandled exception, never a hang (a per-test SIGALRM plus
hypothesis deadlines). The number of cases run is written to ``artifacts/fuzz-cases.txt``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
import tarfile
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analysis.ingest import ArchiveLimits, Article, Rejection, date_from_text, iter_sources, parse_date
from analysis.model import DATE_SOURCES

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
CASES: Counter = Counter()
TEST_TIMEOUT_S = 90  # a hang in any single property test fails it instead of stalling the suite

FUZZ = settings(max_examples=100, deadline=dt.timedelta(seconds=5), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def _alarm():
    def boom(signum, frame):
        raise TimeoutError(f"test exceeded {TEST_TIMEOUT_S} s: a reader hangs on some input")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(TEST_TIMEOUT_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module", autouse=True)
def _record_cases():
    started = time.perf_counter()
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    total = sum(CASES.values())
    lines = [f"fuzz cases run: {total} in {time.perf_counter() - started:.1f} s"]
    lines += [f"  {name}: {n}" for name, n in sorted(CASES.items())]
    (ARTIFACTS / "fuzz-cases.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines))


# ---------------------------------------------------------------------------------------------------------- helpers

def read_file(name: str, data: bytes, limits: ArchiveLimits | None = None) -> tuple[list, Path]:
    """Write ``data`` to a fresh temp dir as ``name`` and read it back through ``iter_sources``."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        records = list(iter_sources([str(path)], limits=limits))
        leftovers = sorted(p.name for p in Path(tmp).rglob("*"))
    assert leftovers == [name], f"reader wrote files next to the input: {leftovers}"
    return records, path


def check_records(records: list, path: Path) -> None:
    """The reader contract on one file's output."""
    for r in records:
        assert isinstance(r, (Article, Rejection)), type(r)
        if isinstance(r, Article):
            assert isinstance(r.id, str) and r.id.strip(), r
            assert isinstance(r.title, str) and isinstance(r.text, str)
            assert r.title.strip() or r.text.strip(), "an article with neither title nor text"
            assert r.date is None or (isinstance(r.date, dt.date) and 1800 <= r.date.year <= 2200), r.date
            assert r.date_source in DATE_SOURCES
            assert (r.date is None) == (r.date_source == "none"), (r.date, r.date_source)
            json.dumps(r.meta, ensure_ascii=False, default=str)  # meta must serialise
        else:
            assert isinstance(r.reason, str) and r.reason.strip()
            assert path.name in r.origin, f"rejection does not name the file: {r}"


def run(name: str, data: bytes, kind: str, limits: ArchiveLimits | None = None, must_yield: bool = False) -> list:
    """Read one generated file and check the contract. ``must_yield``: a non-blank file of a one-article format
    (txt/md) must give an Article or a Rejection (structured files may legitimately hold zero records)."""
    CASES[kind] += 1
    records, path = read_file(name, data, limits)
    check_records(records, Path(name))
    if must_yield and data.strip():
        assert records, f"{name}: {len(data)} non-blank bytes gave neither an article nor a rejection"
    return records


ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "shift_jis", "koi8-r",
             "gb18030"]
TRICKY = ["\x00", "\ufeff", "\u202e", "\u200b", "\r", "\r\n", "\t", "\x1b[31m", "\ud7ff", "\U0001F600", "é", "ß",
          "\u0301", "---", "...", "\"", "'", ",", "\\", "<", ">", "&amp;", "&#0;", "&#x110000;", "<REUTERS>", "</BODY>"]

texts = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
words = st.lists(st.one_of(st.sampled_from(TRICKY), texts, st.sampled_from(
    ["Seoul", "Busan -", "Russia", "U.S.", "Chinese", "Jan. 4, 2024", "last week", "in May", "1987", "Feb 29",
     "2024-02-30", "31/12/1999", "yesterday", "Q3 2023"])), max_size=30).map(" ".join)


@st.composite
def mixed_bytes(draw) -> bytes:
    """Chunks of text in different encodings, raw bytes, then an optional truncation."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            parts.append(draw(words).encode(draw(st.sampled_from(ENCODINGS)), "replace"))
        else:
            parts.append(draw(st.binary(max_size=300)))
    data = b"".join(parts)
    if draw(st.booleans()) and data:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def truncate(draw, data: bytes) -> bytes:
    if data and draw(st.integers(0, 3)) == 0:
        return data[: draw(st.integers(0, len(data)))]
    return data


YAML_VALUES = ["2024-01-04", "2020-02-30", "99999-01-01", "1987-02-26T15:01:01Z", "[", "{a: 1", "&a x", "*a",
               "!!binary aGk=", "!!python/object:os.system", "!!timestamp nope", "null", "~", "yes", "0x1F", "1e999",
               "-.inf", ".nan", "'unterminated", "|", ">-", "[1, [2, [3, [4, [5]]]]]", "{title: {nested: x}}"]
FRONT_KEYS = ["title", "date", "published_at", "source", "url", "link", "author", "language", "Title", "x", ""]


@st.composite
def text_files(draw) -> bytes:
    lines = []
    if draw(st.booleans()):
        lines.append("---")
        for _ in range(draw(st.integers(0, 6))):
            key = draw(st.sampled_from(FRONT_KEYS))
            value = draw(st.one_of(st.sampled_from(YAML_VALUES), words))
            lines.append(f"{key}: {value}")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["---", "...", "--- ", "----"])))
    if draw(st.booleans()):
        lines.append("# " + draw(words))
    lines += draw(st.lists(words, max_size=6))
    enc = draw(st.sampled_from(ENCODINGS))
    data = "\n".join(lines).encode(enc, "replace")
    if draw(st.integers(0, 4)) == 0:
        data += draw(mixed_bytes())
    return truncate(draw, data)


COLUMNS = ["title", "text", "date", "id", "source", "url", "language", "body", "headline", "published", "story",
           "Title", "TEXT", "", "x", "title"]


@st.composite
def delimited_files(draw, delim: str) -> bytes:
    cols = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6))
    cell = st.one_of(words, st.sampled_from(YAML_VALUES + TRICKY + ["", "\"\"", "\"a\nb\"", "1" * 40]))
    rows = [delim.join(cols)]
    for _ in range(draw(st.integers(0, 8))):
        n = draw(st.integers(0, len(cols) + 2))  # ragged rows on purpose
        values = [draw(cell) for _ in range(n)]
        if draw(st.booleans()):
            values = ['"' + v.replace('"', '""') + '"' for v in values]
        rows.append(delim.join(values))
    data = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(rows).encode(draw(st.sampled_from(ENCODINGS)), "replace")
    return truncate(draw, data)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), texts, words),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(COLUMNS + ["meta", "tags"]), children, max_size=5)),
    max_leaves=25,
)
article_dicts = st.dictionaries(st.sampled_from(COLUMNS), json_values, max_size=7)


@st.composite
def json_files(draw) -> bytes:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        value = draw(st.lists(article_dicts, max_size=6))
    elif choice == 1:
        value = {draw(st.sampled_from(["articles", "data", "items", "x"])): draw(st.lists(article_dicts, max_size=5))}
    elif choice == 2:
        value = draw(article_dicts)
    else:
        value = draw(json_values)
    data = json.dumps(value, ensure_ascii=draw(st.booleans())).encode("utf-8")
    return truncate(draw, data)


@st.composite
def jsonl_files(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.one_of(words, st.sampled_from(["{", "[]", "null", "\"x\"", "{\"title\":"]))))
        else:
            lines.append(json.dumps(draw(st.one_of(article_dicts, json_values))))
    return truncate(draw, "\n".join(lines).encode("utf-8"))


@st.composite
def sgml_files(draw) -> bytes:
    docs = []
    for _ in range(draw(st.integers(0, 4))):
        attrs = draw(st.sampled_from(['NEWID="1"', 'NEWID="2" OLDID="x"', "", 'NEWID=""', 'NEWID="3" TOPICS="YES"']))
        fields = []
        for tag in draw(st.lists(st.sampled_from(["DATE", "TITLE", "DATELINE", "BODY", "PLACES", "TOPICS", "AUTHOR"]),
                                 max_size=6)):
            inner = draw(st.one_of(words, st.just("<D>usa</D><D>uk</D>"), st.sampled_from(YAML_VALUES)))
            fields.append(f"<{tag}>{inner}</{tag}>" if draw(st.integers(0, 5)) else f"<{tag}>{inner}")
        docs.append(f"<REUTERS {attrs}><TEXT>{''.join(fields)}</TEXT></REUTERS>")
    data = ("<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n" + "\n".join(docs)).encode("latin-1", "replace")
    return truncate(draw, data)


MEMBER_NAMES = ["a.txt", "b/c.md", "d.csv", "e.tsv", "f.json", "g.jsonl", "h.sgm", "../up.txt", "/abs.txt",
                "C:/win.txt", "b/../../x.txt", ".hidden.txt", "__MACOSX/._a.txt", "noext", "inner.zip", "x.exe",
                "README.txt"]


def member_bytes(draw, name: str) -> bytes:
    if name.endswith(".csv"):
        return draw(delimited_files(","))
    if name.endswith(".tsv"):
        return draw(delimited_files("\t"))
    if name.endswith(".jsonl"):
        return draw(jsonl_files())
    if name.endswith(".json"):
        return draw(json_files())
    if name.endswith(".sgm"):
        return draw(sgml_files())
    if name.endswith(".zip"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("nested.txt", draw(text_files()))
        return buf.getvalue()
    return draw(st.one_of(text_files(), mixed_bytes()))


@st.composite
def archives(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["zip", "tar", "tar.gz", "tgz"]))
    members = [(n, member_bytes(draw, n)) for n in draw(st.lists(st.sampled_from(MEMBER_NAMES), max_size=4))]
    buf = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buf, "w", compression=draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as zf:
            for name, data in members:
                zf.writestr(name, data)
    else:
        with tarfile.open(fileobj=buf, mode="w:gz" if "gz" in kind else "w") as tf:
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    if data and draw(st.integers(0, 3)) == 0:  # corrupt: truncate or flip a byte
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
        else:
            i = draw(st.integers(0, len(data) - 1))
            data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
    return f"fuzz.{kind}", data


# ---------------------------------------------------------------------------------------------------------- readers

@FUZZ
@given(data=st.one_of(text_files(), mixed_bytes()), suffix=st.sampled_from([".txt", ".md", ".markdown"]))
def test_text_and_markdown_files(data, suffix):
    run("fuzz" + suffix, data, "txt/md", must_yield=True)


@FUZZ
@given(data=st.one_of(delimited_files(","), delimited_files("\t"), delimited_files(";"), mixed_bytes()),
       suffix=st.sampled_from([".csv", ".tsv"]))
def test_csv_and_tsv_files(data, suffix):
    run("fuzz" + suffix, data, "csv/tsv")


@FUZZ
@given(data=st.one_of(json_files(), mixed_bytes()))
def test_json_files(data):
    run("fuzz.json", data, "json")


@FUZZ
@given(data=st.one_of(jsonl_files(), mixed_bytes()))
def test_jsonl_files(data):
    run("fuzz.jsonl", data, "jsonl")


@FUZZ
@given(data=st.one_of(sgml_files(), mixed_bytes()))
def test_reuters_sgml_files(data):
    CASES["sgml"] += 1
    records, _ = read_file("fuzz.sgm", data)
    # A truncated last document is dropped silently (see test_truncated_reuters_document_is_reported): only the
    # contract on what *is* yielded is checked here.
    check_records(records, Path("fuzz.sgm"))


@st.composite
def parquet_files(draw) -> bytes:
    import pandas as pd

    cols = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=5, unique=True))
    n = draw(st.integers(0, 5))
    kind = draw(st.sampled_from(["str", "int", "float", "mixed_null", "date", "nested"]))
    frame = {}
    for col in cols:
        if kind == "str":
            frame[col] = [draw(words) for _ in range(n)]
        elif kind == "int":
            frame[col] = [draw(st.integers(-(2**62), 2**62)) for _ in range(n)]
        elif kind == "float":
            frame[col] = [draw(st.floats()) for _ in range(n)]
        elif kind == "mixed_null":
            frame[col] = [draw(st.one_of(st.none(), words)) for _ in range(n)]
        elif kind == "date":
            frame[col] = [draw(st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 1, 1)))
                          for _ in range(n)]
        else:
            frame[col] = [draw(st.lists(words, max_size=3)) for _ in range(n)]
    buf = io.BytesIO()
    try:
        pd.DataFrame(frame).to_parquet(buf, index=False)
    except Exception:  # noqa: BLE001 - pyarrow cannot write every generated frame; that is not what we test
        assume(False)
    return truncate(draw, buf.getvalue())


@FUZZ
@given(data=st.one_of(parquet_files(), mixed_bytes(), st.binary(max_size=200).map(lambda b: b"PAR1" + b + b"PAR1")))
def test_parquet_files(data):
    run("fuzz.parquet", data, "parquet")


@FUZZ
@given(archive=archives())
def test_archives(archive):
    name, data = archive
    records = run(name, data, "archive", limits=ArchiveLimits(max_total_bytes=2_000_000, max_members=50))
    for r in records:
        if isinstance(r, Article):
            assert ".." not in r.id.split("!")[-1].split("/") and not r.id.split("!")[-1].startswith("/"), r.id


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".gz", ".txt.gz", ".csv.gz", ".jsonl.gz", ".zip", ".tgz"]))
def test_random_bytes_with_any_supported_suffix(data, suffix):
    run("fuzz" + suffix, data, "raw-bytes", must_yield=True)


# ------------------------------------------------------------------------------------------------ giant fields

GIANT = 3_000_000


@pytest.mark.parametrize("name,payload", [
    ("giant.txt", lambda s: b"Title\n" + s),
    ("giant.csv", lambda s: b'title,text\nT,"' + s + b'"\n'),
    ("giant.tsv", lambda s: b"title\ttext\nT\t" + s + b"\n"),
    ("giant.json", lambda s: b'[{"title": "T", "text": "' + s + b'"}]'),
    ("giant.jsonl", lambda s: b'{"title": "T", "text": "' + s + b'"}\n'),
    ("giant-title.jsonl", lambda s: b'{"title": "' + s + b'", "text": "short"}\n'),
])
def test_giant_fields_are_read_within_bounds(name, payload):
    started = time.perf_counter()
    records = run(name, payload(b"word " * (GIANT // 5)), "giant")
    assert time.perf_counter() - started < 20
    arts = [r for r in records if isinstance(r, Article)]
    assert len(arts) == 1
    assert len(arts[0].title) <= 5_000_000 and len(arts[0].text) <= 5_000_000


def test_text_over_the_cap_is_cut_and_recorded():
    from analysis.ingest import MAX_TEXT_CHARS

    records = run("huge.txt", b"Title\n" + b"abcd " * (MAX_TEXT_CHARS // 5 + 50_000), "giant")
    (art,) = records
    assert len(art.text) <= MAX_TEXT_CHARS
    assert art.meta["truncated_from_chars"] > MAX_TEXT_CHARS


@pytest.mark.parametrize("name,data", [
    ("deep.json", b"[" * 200_000 + b"]" * 200_000),
    ("deep.jsonl", b"[" * 200_000 + b"]" * 200_000 + b"\n"),
    ("deep.md", b"---\ntitle: " + b"[" * 30_000 + b"\n---\nbody text\n"),
    ("many-lines.csv", b"title,text\n" + b"t,x\n" * 100_000),
    ("angle.sgm", b'<REUTERS NEWID="1"><TEXT><BODY>' + b"<" * 200_000),
], ids=lambda v: v if isinstance(v, str) else "")  # the payloads are huge: name the cases by file only
def test_pathological_nesting_and_repetition(name, data):
    started = time.perf_counter()
    run(name, data, "pathological")
    assert time.perf_counter() - started < 30


# ------------------------------------------------------------------------------------------- known reader bugs

def test_yaml_alias_bomb_in_front_matter_does_not_hang():
    lines, prev = ["a: &a [x,x,x,x,x,x,x,x,x]"], "a"
    for name in "bcdefghijk":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    data = ("---\ntitle: hi\n" + "\n".join(lines) + "\n---\nbody text\n").encode()
    # a child process, so the hang cannot take the test run (or its memory) down with it
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    proc = ctx.Process(target=_read_in_child, args=(data,))
    proc.start()
    proc.join(10)
    hung = proc.is_alive()
    if hung:
        proc.kill()
        proc.join()
    assert not hung, "reading a 1 KB front-matter alias bomb did not finish in 10 s"
    assert proc.exitcode == 0


def _read_in_child(data: bytes) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
    read_file("bomb.md", data)


def test_impossible_front_matter_date_keeps_the_article():
    records = run("baddate.md", b"---\ntitle: Talks\ndate: 2020-02-30\n---\nThe talks began.\n", "known-bug")
    assert [type(r) for r in records] == [Article]
    assert records[0].date is None


def test_truncated_reuters_document_is_reported():
    records = run("cut.sgm", b'<REUTERS NEWID="7"><TEXT><TITLE>Oil</TITLE><BODY>Prices rose sharply', "known-bug")
    assert records and any("7" in str(r) for r in records)


# ---------------------------------------------------------------------------------------------------- dates

sane = lambda d: d is None or (isinstance(d, dt.date) and not isinstance(d, dt.datetime) and 1800 <= d.year <= 2200)  # noqa: E731


@settings(FUZZ, max_examples=400)
@given(value=st.one_of(st.none(), words, texts, st.integers(), st.floats(), st.datetimes(), st.dates(),
                       st.binary(max_size=40), st.lists(st.integers(), max_size=3),
                       st.from_regex(r"\d{1,5}[-/.]\d{1,3}[-/.]\d{1,5}( \d{1,2}:\d{2}(:\d{2})?)?( [A-Z]{2,5})?",
                                     fullmatch=True),
                       st.from_regex(r"\d{1,2}-[A-Za-z]{3}-\d{4} [\d:.]{0,14}.{0,10}", fullmatch=True)))
def test_parse_date_returns_none_or_a_sane_date(value):
    CASES["parse_date"] += 1
    assert sane(parse_date(value))


@settings(FUZZ, max_examples=300)
@given(title=words, text=st.one_of(words, st.from_regex(r"[A-Z]{3,8}, [A-Z][a-z]{2}\.? \d{1,2}(, \d{4})? -.{0,40}",
                                                        fullmatch=True)),
       year=st.one_of(st.none(), st.integers(-10_000, 10_000)))
def test_date_from_text_returns_a_sane_pair(title, text, year):
    CASES["date_from_text"] += 1
    date, source = date_from_text(title, text, year)
    assert sane(date)
    assert source in DATE_SOURCES and (date is None) == (source == "none")


# --------------------------------------------------------------------------------------- countries and events

@settings(FUZZ, max_examples=150)
@given(title=words, text=words, data=st.data())
def test_country_resolver_on_hostile_text(title, text, data):
    from analysis.countries import body_offset, countries_for_article, doc_text

    CASES["countries"] += 1
    full = doc_text(title, text)
    spans = data.draw(st.lists(st.tuples(st.integers(0, len(full)), st.integers(0, 50),
                                         st.sampled_from(["GPE", "LOC", "PERSON", "ORG", "NORP", "DATE"])),
                               max_size=6))
    mentions = [(s, min(len(full), s + n), lab) for s, n, lab in spans]
    rows = countries_for_article(title, text, mentions, dateline=data.draw(st.sampled_from([True, False, "SEOUL"])))
    assert body_offset(title) >= 0
    seen = set()
    for row in rows:
        assert isinstance(row["iso2"], str) and len(row["iso2"]) == 2 and row["iso2"].isupper(), row
        assert row["iso2"] not in seen
        seen.add(row["iso2"])
        assert 0.0 <= row["weight"] <= 1.0 and row["mentions"] >= 0
        assert isinstance(json.loads(row["evidence"]), list)
    assert [r["weight"] for r in rows] == sorted((r["weight"] for r in rows), reverse=True)


@settings(FUZZ, max_examples=200)
@given(text=words, article_date=st.one_of(st.none(), st.dates(min_value=dt.date(1800, 1, 1),
                                                                max_value=dt.date(2200, 12, 31))))
def test_event_resolver_on_hostile_text(text, article_date):
    from analysis.events import find_dates

    CASES["events"] += 1
    refs = find_dates(text, article_date)
    for ref in refs:
        assert 0 <= ref.start_char <= ref.end_char <= len(text)
        assert text[ref.start_char:ref.end_char] == ref.expression
        assert sane(ref.start) and sane(ref.end)
        if ref.start and ref.end:
            assert ref.start <= ref.end
        assert ref.resolved == (ref.start is not None), ref
        assert ref.anchor in ("text", "article", "none")
