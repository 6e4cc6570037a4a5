"""Readers for single files held in memory: text/Markdown, CSV/TSV, JSON, JSONL and Parquet.

Every reader has the signature ``read_x(data: bytes, src: Src, column_map: dict | None) -> Iterator[Article |
Rejection]`` and never raises on bad input: a bad file or record becomes a ``Rejection`` whose origin names the
file (and line/record) and whose reason says what to do.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from analysis.ingest.encoding import decode_bytes
from analysis.ingest.records import CANONICAL_ALIASES, jsonable, make_article, map_columns
from analysis.model import Article, Rejection

__all__ = ["Src", "read_text_file", "read_delimited", "read_json", "read_jsonl", "read_parquet"]

Record = Article | Rejection

# Quoted CSV fields may be huge (a 50 MB cell); make_article caps the text, so let the csv module read it.
csv.field_size_limit(2**31 - 1)

#: A first line longer than this is not taken as a title on its own (it is cut for the title and kept in the text).
MAX_TITLE_LINE = 300


@dataclass(frozen=True)
class Src:
    """Where bytes came from: ``id_name`` is the id base ("business/001.txt", "a.zip!x/y.csv"), ``origin`` the
    path shown in messages."""

    id_name: str
    origin: str


def _decode(data: bytes, src: Src) -> tuple[str | None, str, Rejection | None]:
    if not data:
        return None, "", Rejection(src.origin, "empty file (0 bytes): remove it or put the article in it")
    text, enc = decode_bytes(data)
    if text is None:
        return None, enc, Rejection(src.origin, f"{enc}: not a text file NewsLens can read; remove it or export it "
                                                "as .txt/.csv/.jsonl")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None, enc, Rejection(src.origin, "file holds only whitespace: remove it or put the article in it")
    return text, enc, None


def _enc_meta(enc: str) -> dict[str, Any]:
    # Only note unusual encodings: UTF-8 is the norm and would clutter every record.
    return {} if enc in ("utf-8", "utf-8-sig") else {"encoding": enc}


# ----------------------------------------------------------------------------------------------------- text / md
_RE_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_KEYS = {
    "title": ("title", "headline"),
    "date": ("date", "published_at", "published", "pubdate", "publish_date"),
    "source": ("source", "publisher"),
    "url": ("url", "link"),
    "author": ("author", "authors", "byline"),
    "language": ("language", "lang"),
}


def _no_alias_loader():
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        """Front matter never needs YAML aliases; refusing them defuses "billion laughs" alias bombs."""

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, "aliases are not allowed in front matter",
                                                  event.start_mark)
            return super().compose_node(parent, index)

    return NoAliasLoader


class _LazyLoader:
    loader = None


def _front_matter(text: str) -> tuple[dict[str, Any] | None, str, str | None]:
    """``(front matter dict or None, body, error)`` for a leading ``---`` YAML block (searched in the first 64 KB)."""
    if not text.startswith("---"):
        return None, text, None
    m = _RE_FRONT.match(text[:65536])
    if not m:
        return None, text, None
    import yaml  # local: only needed for front matter

    if _LazyLoader.loader is None:
        _LazyLoader.loader = _no_alias_loader()
    _NoAliasLoader = _LazyLoader.loader

    try:
        data = yaml.load(m.group(1), Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader that also refuses aliases
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError, TypeError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return None, text, f"front matter is not valid YAML ({first}); read as plain text"
    if not isinstance(data, dict):
        return None, text, None
    return data, text[m.end():], None


def read_text_file(data: bytes, src: Src, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    """One article from a ``.txt``/``.md`` file.

    Title: front matter ``title`` (YAML ``---`` block with title, date/published_at/published, source/publisher,
    url/link, author; other keys go to meta) or else the first non-empty line (a Markdown ``#`` stripped). A first
    line longer than ``MAX_TITLE_LINE`` characters is cut for the title and kept in the text. Text: the rest.
    ``id`` is ``src.id_name``; ``source`` is None unless front matter says.
    """
    text, enc, rej = _decode(data, src)
    if rej is not None:
        yield rej
        return
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    front, body, fm_error = _front_matter(text)
    meta: dict[str, Any] = _enc_meta(enc)
    fields: dict[str, Any] = {}
    if fm_error:
        meta["front_matter_error"] = fm_error
    if front:
        lowered = {str(k).strip().lower(): (k, v) for k, v in front.items()}
        used: set[str] = set()
        for canon, keys in _FRONT_KEYS.items():
            for key in keys:
                if key in lowered and lowered[key][1] not in (None, ""):
                    fields[canon] = lowered[key][1]
                    used.add(key)
                    break
        for low, (k, v) in lowered.items():
            if low not in used:
                meta[str(k)] = jsonable(v)
    body_lstripped = body.lstrip("\n \t")
    first, _, rest = body_lstripped.partition("\n")
    if "title" in fields:
        title = fields["title"]
        # Drop a Markdown heading that repeats the front-matter title.
        if first.strip().lstrip("#").strip() == str(title).strip():
            body_lstripped = rest
        raw = body_lstripped
    elif len(first) > MAX_TITLE_LINE:
        title, raw = first[: MAX_TITLE_LINE * 2], body_lstripped
    else:
        title, raw = first, rest
    art = make_article(
        id=src.id_name,
        title=title,
        raw_text=raw.strip("\n"),
        origin=src.origin,
        date_value=fields.get("date"),
        source=fields.get("source"),
        url=fields.get("url"),
        language=fields.get("language"),
        author=fields.get("author"),
        meta=meta,
    )
    if art is None:
        yield Rejection(src.origin, "no title and no text found: put the title on the first line and the text below")
    else:
        yield art


# ------------------------------------------------------------------------------------------------- shared rows
def _row_to_record(row: dict[str, Any], src: Src, rownum: int, where: str, column_map: dict[str, str] | None,
                   base_meta: dict[str, Any]) -> Record:
    fields, meta = map_columns(row, column_map)
    meta = {**base_meta, **meta}
    rid = fields.get("id")
    rid_s = None
    if rid is not None:
        if isinstance(rid, float) and rid.is_integer():
            rid = int(rid)
        rid_s = str(rid).strip()[:500] or None
    text_v = fields.get("text")
    if text_v is not None and not isinstance(text_v, str):
        text_v = json.dumps(jsonable(text_v)) if isinstance(text_v, (dict, list)) else str(text_v)
    art = make_article(
        id=rid_s or f"{src.id_name}:{rownum}",
        title=fields.get("title"),
        raw_text=text_v,
        origin=f"{src.origin}:{where}",
        date_value=fields.get("date"),
        source=fields.get("source"),
        url=fields.get("url"),
        language=fields.get("language"),
        author=fields.get("author"),
        meta=meta,
    )
    if art is None:
        return Rejection(f"{src.origin}:{where}", "no text and no title in this record: fill them in, or map your "
                                                  "column names with column_map={'your_column': 'text'}")
    return art


def _no_content_columns(columns: list[str], column_map: dict[str, str] | None) -> bool:
    names = {str(c).strip().lower() for c in columns}
    mapped = {str(v).strip().lower() for k, v in (column_map or {}).items() if str(k).strip().lower() in names}
    known = set(CANONICAL_ALIASES["title"]) | set(CANONICAL_ALIASES["text"])
    return not (names & known) and not (mapped & {"title", "text"})


def _columns_rejection(src: Src, columns: list[str]) -> Rejection:
    shown = ", ".join(repr(str(c)) for c in columns[:20])
    return Rejection(src.origin, f"no title or text column among [{shown}]: rename one to 'title'/'text' or pass "
                                 "column_map={'your_column': 'text'}")


# ------------------------------------------------------------------------------------------------------- CSV
def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_delimited(data: bytes, src: Src, column_map: dict[str, str] | None = None,
                   delimiter: str | None = None) -> Iterator[Record]:
    """Rows of a CSV/TSV file with a header row.

    The delimiter is sniffed from the header line (the most frequent of ``, \\t ; |``) unless given; quoted fields
    may span lines. Columns follow ``map_columns`` rules; a row's id defaults to ``<id_name>:<row number>``
    (1 = first data row). An unterminated quote at the end of the file (truncated export) rejects that last record
    and keeps the rows before it.
    """
    text, enc, rej = _decode(data, src)
    if rej is not None:
        yield rej
        return
    first_line = text[: text.find("\n") if "\n" in text[:65536] else 65536]
    delim = delimiter or _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        yield Rejection(f"{src.origin}:line 1", f"cannot read the CSV header ({exc}); check the file is CSV/TSV")
        return
    header = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    if _no_content_columns(header, column_map):
        yield _columns_rejection(src, header)
        return
    base_meta = _enc_meta(enc)
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    rownum = 0
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # pragma: no cover - csv in non-strict mode rarely raises
            yield Rejection(f"{src.origin}:line {start}", f"unreadable CSV row ({exc}); fix the quoting")
            continue
        if not values or all(not v.strip() for v in values):
            continue
        rownum += 1
        if reader.line_num >= n_lines and reader.line_num > start:
            # Last record spanning several lines: an odd number of quotes means the file ends inside a quote.
            tail = text.split("\n")[start - 1:]
            if sum(line.count('"') for line in tail) % 2 == 1:
                yield Rejection(f"{src.origin}:line {start}", "unterminated quoted field from this line to the end "
                                "of the file (truncated export?); rows before it were kept - fix the quote or "
                                "re-export")
                break
        row = dict(zip(header, values))
        if len(values) > len(header):
            row["_extra_columns"] = values[len(header):]
        yield _row_to_record(row, src, rownum, f"line {start}", column_map, base_meta)
    if rownum == 0:
        yield Rejection(src.origin, "CSV has a header but no data rows: nothing to read")


# ------------------------------------------------------------------------------------------------------ JSON
_LIST_KEYS = ("articles", "data", "items", "records", "results", "documents", "docs", "stories", "entries")


def _records_rejection(src: Src, where: str, what: str) -> Rejection:
    return Rejection(f"{src.origin}:{where}", f"{what}: each record must be an object like "
                                              '{"title": ..., "text": ...}')


def _json_records(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in _LIST_KEYS:
            for k, v in value.items():
                if str(k).lower() == key and isinstance(v, list):
                    return v
        if any(str(k).lower() in ("title", "text", "body", "content", "headline") for k in value):
            return [value]
    return None


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"line {line}"


def read_json(data: bytes, src: Src, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    """Records of a JSON file: an array of objects, ``{"articles": [...]}`` (also data/items/records/...), or one
    object. A truncated or broken array keeps every complete object before the break and rejects the rest."""
    text, enc, rej = _decode(data, src)
    if rej is not None:
        yield rej
        return
    base_meta = _enc_meta(enc)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield from _salvage_json(text, src, column_map, base_meta, exc)
        return
    records = _json_records(value)
    if records is None:
        yield Rejection(src.origin, 'JSON is not an array of articles nor {"articles": [...]}: reshape it')
        return
    if not records:
        yield Rejection(src.origin, "JSON holds no records: nothing to read")
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            yield _records_rejection(src, f"record {i}", f"record is a {type(rec).__name__}")
            continue
        yield _row_to_record(rec, src, i, f"record {i}", column_map, base_meta)


def _salvage_json(text: str, src: Src, column_map, base_meta, exc: json.JSONDecodeError) -> Iterator[Record]:
    start = text.find("[")
    head = text[:start].strip() if start >= 0 else ""
    if start < 0 or not (head == "" or head.startswith("{")):
        yield Rejection(src.origin, f"invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); fix the "
                                    "file or export it as JSONL (one object per line)")
        return
    dec = json.JSONDecoder()
    pos, i, n = start + 1, 0, len(text)
    ws = re.compile(r"[\s,]*")
    while True:
        pos = ws.match(text, pos).end()
        if pos >= n or text[pos] == "]":
            break
        i += 1
        try:
            rec, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            yield Rejection(f"{src.origin}:record {i} ({_line_col(text, pos)})",
                            f"invalid or truncated JSON here ({err.msg}); the {i - 1} records before it were kept - "
                            "fix or re-export the file")
            return
        if not isinstance(rec, dict):
            yield _records_rejection(src, f"record {i}", f"record is a {type(rec).__name__}")
            continue
        yield _row_to_record(rec, src, i, f"record {i}", column_map, base_meta)
    yield Rejection(src.origin, f"invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}) after the "
                                f"records read; {i} records were kept - check the end of the file")


def read_jsonl(data: bytes, src: Src, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    """One JSON object per line; blank lines skipped; a bad (or truncated last) line is rejected alone."""
    text, enc, rej = _decode(data, src)
    if rej is not None:
        yield rej
        return
    base_meta = _enc_meta(enc)
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for idx, line in enumerate(lines):
        if not line.strip():
            continue
        lineno = idx + 1
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            what = "truncated last line" if idx == last else "invalid JSON"
            yield Rejection(f"{src.origin}:line {lineno}", f"{what} ({exc.msg} at column {exc.colno}); fix or remove "
                                                           "this line - the other lines were kept")
            continue
        if not isinstance(rec, dict):
            yield _records_rejection(src, f"line {lineno}", f"line holds a {type(rec).__name__}")
            continue
        yield _row_to_record(rec, src, lineno, f"line {lineno}", column_map, base_meta)


# --------------------------------------------------------------------------------------------------- Parquet
def read_parquet(data: bytes, src: Src, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    """Rows of a Parquet file (pyarrow), read in batches of 1,000, with the same column rules as CSV."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(pa.BufferReader(data))
        columns = list(pf.schema_arrow.names)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        yield Rejection(src.origin, f"not a readable Parquet file ({type(exc).__name__}: {str(exc)[:200]})")
        return
    if _no_content_columns(columns, column_map):
        yield _columns_rejection(src, columns)
        return
    rownum = 0
    try:
        for batch in pf.iter_batches(batch_size=1000):
            for row in batch.to_pylist():
                rownum += 1
                yield _row_to_record(row, src, rownum, f"row {rownum}", column_map, {})
    except Exception as exc:
        yield Rejection(f"{src.origin}:row {rownum + 1}", f"Parquet data unreadable from here "
                                                          f"({type(exc).__name__}: {str(exc)[:200]}); "
                                                          f"{rownum} rows were kept")

