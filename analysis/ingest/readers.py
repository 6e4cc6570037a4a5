"""Readers for single files held in memory: text/Markdown, CSV/TSV, JSON, JSONL and Parquet.

Every reader has the signature ``read_x(data: bytes, src: Src, column_map: dict | None) -> Iterator[Article |
Rejection]`` and never raises on bad input: a bad file or record becomes a ``Rejection`` whose origin names the
file (and line/record) and whose reason says what to do.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from analysis.ingest.encoding import Decoded, decode_text
from analysis.ingest.frontmatter import is_rule_line, split_header
from analysis.ingest.markdown import MARKDOWN_SUFFIXES, looks_like_markdown
from analysis.ingest.notes import Note
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


def _decode(data: bytes, src: Src) -> tuple[str | None, Decoded | None, Rejection | None]:
    """``(text, decoding details, None)`` or ``(None, None, rejection)``; CRLF/CR kept (readers normalise)."""
    if not data:
        return None, None, Rejection(src.origin, "empty file (0 bytes): remove it or put the article in it")
    dec = decode_text(data)
    text = dec.text
    if text is None:
        return None, None, Rejection(src.origin, f"{dec.encoding}: not a text file NewsLens can read; remove it or "
                                                 "export it as .txt/.csv/.jsonl")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        return None, None, Rejection(src.origin, "file holds only whitespace: remove it or put the article in it")
    return text, dec, None


def _enc_meta(dec: Decoded) -> dict[str, Any]:
    # Only note unusual encodings: UTF-8 is the norm and would clutter every record.
    return {} if dec.encoding in ("utf-8", "utf-8-sig") else {"encoding": dec.encoding}


def _lines_text(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:10])
    return f"line{'s' if len(lines) > 1 else ''} {shown}" + (f" (+{len(lines) - 10} more)" if len(lines) > 10 else "")


def _file_notes(dec: Decoded, src: Src, per_line: bool = False) -> list[Note]:
    """Notes about the whole file's decoding; ``per_line`` readers report bad bytes on the record instead."""
    notes = []
    if dec.fallback:
        notes.append(Note("encoding_fallback", src.origin, f"not UTF-8; read as {dec.encoding}"))
    if dec.bad_lines and not per_line:
        notes.append(Note("invalid_bytes_replaced", f"{src.origin}:line {dec.bad_lines[0]}",
                          _lines_text(dec.bad_lines)))
    if dec.nul_lines:
        notes.append(Note("nul_bytes_removed", f"{src.origin}:line {dec.nul_lines[0]}", _lines_text(dec.nul_lines)))
    return notes


def _line_notes(dec: Decoded, where: str, first: int, last: int) -> list[Note]:
    """Invalid-byte notes for a record spanning lines ``first..last`` (1-based, inclusive)."""
    if not dec.bad_lines:
        return []
    lo = bisect.bisect_left(dec.bad_lines, first)
    hit = dec.bad_lines[lo:bisect.bisect_right(dec.bad_lines, last)]
    return [Note("invalid_bytes_replaced", where, _lines_text(hit))] if hit else []


def _attach_first(records: Iterator[Record], notes: list[Note]) -> Iterator[Record]:
    """File-level notes go on the file's first article (counted once per file)."""
    for rec in records:
        if notes and isinstance(rec, Article):
            rec.notes[:0] = notes
            notes = []
        yield rec


def _map_notes(columns: list[str], column_map: dict[str, str] | None, src: Src) -> list[Note]:
    if not column_map:
        return []
    names = {str(c).strip().lower() for c in columns}
    absent = [k for k in column_map if str(k).strip().lower() not in names]
    return [Note("mapped_column_absent", src.origin, f"--map {k}={column_map[k]}: no column {k!r}") for k in absent]


# ----------------------------------------------------------------------------------------------------- text / md
def read_text_file(data: bytes, src: Src, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    """One article from a ``.txt``/``.md`` file.

    Header: YAML ``---`` front matter or a TOML ``+++`` header, repaired line by line when it is not valid (see
    ``frontmatter.split_header``): title/headline, date/published_at/pubDate/created, source/publisher/site_name,
    url/link/canonical, author/byline, lang/language; other keys (crawl times included) go to meta. Title: the
    header's ``title`` or else the first non-empty body line (a Markdown ``#`` stripped; a ``---`` rule is never a
    title). A first line longer than ``MAX_TITLE_LINE`` characters is cut for the title and kept in the text.
    Text: the rest. ``id`` is ``src.id_name``; ``source`` is None unless the header or a byline says.
    """
    text, dec, rej = _decode(data, src)
    if rej is not None:
        yield rej
        return
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header = split_header(text)
    meta: dict[str, Any] = {**_enc_meta(dec), **header.meta}
    notes = _file_notes(dec, src)
    fields = header.fields
    if header.status == "repaired":
        notes.append(Note("front_matter_repaired", src.origin, header.detail))
    elif header.status == "unreadable":
        notes.append(Note("front_matter_unreadable", src.origin, header.detail))
        meta["front_matter_error"] = header.detail
    body_lines = header.body.lstrip("\n \t").split("\n")
    while body_lines and (not body_lines[0].strip() or is_rule_line(body_lines[0])):
        body_lines.pop(0)
    first = body_lines[0] if body_lines else ""
    rest = "\n".join(body_lines[1:])
    if "title" in fields:
        title = fields["title"]
        # Drop a Markdown heading that repeats the front-matter title.
        raw = rest if first.strip().lstrip("#").strip() == str(title).strip() else "\n".join(body_lines)
    elif len(first) > MAX_TITLE_LINE:
        title, raw = first[: MAX_TITLE_LINE * 2], "\n".join(body_lines)
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
        notes=notes,
        markdown=src.id_name.lower().endswith(MARKDOWN_SUFFIXES) or looks_like_markdown(raw),
    )
    if art is None:
        yield Rejection(src.origin, "no title and no text found: put the title on the first line and the text below")
    else:
        yield art


# ------------------------------------------------------------------------------------------------- shared rows
_CONTENT_KEYS = set(CANONICAL_ALIASES["title"]) | set(CANONICAL_ALIASES["text"])


def _unwrap(row: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """``{"opinion": {"title": ..., "body": ...}}`` (a Scrapy export keyed by section) -> the inner object."""
    if len(row) != 1:
        return row, None
    (key, inner), = row.items()
    if isinstance(inner, dict) and any(str(k).strip().lower() in _CONTENT_KEYS for k in inner) \
            and str(key).strip().lower() not in _CONTENT_KEYS:
        return inner, str(key)
    return row, None


def _row_to_record(row: dict[str, Any], src: Src, rownum: int, where: str, column_map: dict[str, str] | None,
                   base_meta: dict[str, Any], notes: list[Note] | None = None) -> Record:
    """One record -> Article, or a Rejection naming the record; never raises (a bug or a pathological value in one
    record, RecursionError included, rejects that record only)."""
    try:
        return _row_to_article(row, src, rownum, where, column_map, base_meta, list(notes or []))
    except Exception as exc:  # noqa: BLE001 - one bad record must never take the rest of the file with it
        return Rejection(f"{src.origin}:{where}", f"record could not be read ({type(exc).__name__}: "
                                                  f"{str(exc)[:120]}); fix or remove it - the other records were kept")


def _row_to_article(row: dict[str, Any], src: Src, rownum: int, where: str, column_map: dict[str, str] | None,
                    base_meta: dict[str, Any], notes: list[Note]) -> Record:
    origin = f"{src.origin}:{where}"
    row, wrapper = _unwrap(row)
    fields, meta = map_columns(row, column_map)
    meta = {**base_meta, **meta}
    if wrapper is not None:
        meta["record_key"] = wrapper[:200]
        notes.append(Note("record_unwrapped", origin, f"outer key {wrapper[:60]!r}"))
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
        origin=origin,
        date_value=fields.get("date"),
        source=fields.get("source"),
        url=fields.get("url"),
        language=fields.get("language"),
        author=fields.get("author"),
        meta=meta,
        notes=notes,
    )
    if art is None:
        return Rejection(origin, "no text and no title in this record: fill them in, or map your "
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
    and keeps the rows before it. Rows with more values than the header (kept in meta ``_extra_columns``) or fewer
    are noted, and so are invalid bytes, on the row that holds them.
    """
    text, dec, rej = _decode(data, src)
    if rej is not None:
        yield rej
        return
    yield from _attach_first(_delimited_rows(text, dec, src, column_map, delimiter), _file_notes(dec, src, True))


def _delimited_rows(text: str, dec: Decoded, src: Src, column_map: dict[str, str] | None,
                    delimiter: str | None) -> Iterator[Record]:
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
    base_meta = _enc_meta(dec)
    first_notes = _map_notes(header, column_map, src) + _line_notes(dec, f"{src.origin}:line 1", 1, reader.line_num)
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
        where = f"line {start}"
        notes = first_notes + _line_notes(dec, f"{src.origin}:{where}", start, reader.line_num)
        first_notes = []
        row = dict(zip(header, values, strict=False))
        if len(values) > len(header):
            row["_extra_columns"] = values[len(header):]
            notes.append(Note("extra_fields", f"{src.origin}:{where}",
                              f"{len(values)} values for {len(header)} columns"))
        elif len(values) < len(header):
            notes.append(Note("missing_fields", f"{src.origin}:{where}",
                              f"{len(values)} values for {len(header)} columns"))
        yield _row_to_record(row, src, rownum, where, column_map, base_meta, notes)
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


def _record_keys(records: list[Any]) -> list[str]:
    keys: dict[str, None] = {}
    for rec in records[:1000]:
        if isinstance(rec, dict):
            rec, _ = _unwrap(rec)
            keys.update(dict.fromkeys(str(k) for k in rec))
    return list(keys)


def read_json(data: bytes, src: Src, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    """Records of a JSON file: an array of objects, ``{"articles": [...]}`` (also data/items/records/...), or one
    object. A truncated or broken array keeps every complete object before the break and rejects the rest; a record
    too deeply nested to parse is rejected alone."""
    text, dec, rej = _decode(data, src)
    if rej is not None:
        yield rej
        return
    yield from _attach_first(_json_file_records(text, dec, src, column_map), _file_notes(dec, src))


def _json_file_records(text: str, dec: Decoded, src: Src, column_map: dict[str, str] | None) -> Iterator[Record]:
    base_meta = _enc_meta(dec)
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        yield from _salvage_json(text, src, column_map, base_meta, exc)
        return
    records = _json_records(value)
    if records is None:
        yield Rejection(src.origin, 'JSON is not an array of articles nor {"articles": [...]}: reshape it')
        return
    if not records:
        yield Rejection(src.origin, "JSON holds no records: nothing to read")
    notes = _map_notes(_record_keys(records), column_map, src)
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            yield _records_rejection(src, f"record {i}", f"record is a {type(rec).__name__}")
            continue
        yield _row_to_record(rec, src, i, f"record {i}", column_map, base_meta, notes)
        notes = []


def _skip_value(text: str, pos: int) -> int:
    """End of the JSON value starting at ``pos`` by bracket counting (strings respected), for a value too deep for
    the parser; ``len(text)`` when it never closes."""
    depth, i, n = 0, pos, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth <= 0:
                return i + 1
        elif depth == 0 and c in ",]":
            return i
        i += 1
    return n


def _salvage_json(text: str, src: Src, column_map, base_meta, exc: Exception) -> Iterator[Record]:
    where_exc = (f"line {exc.lineno} column {exc.colno} ({exc.msg})" if isinstance(exc, json.JSONDecodeError)
                 else "nesting too deep to parse")
    start = text.find("[")
    head = text[:start].strip() if start >= 0 else ""
    if start < 0 or not (head == "" or head.startswith("{")):
        yield Rejection(src.origin, f"invalid JSON at {where_exc}; fix the file or export it as JSONL (one object "
                                    "per line)")
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
        except RecursionError:
            end = _skip_value(text, pos)
            yield Rejection(f"{src.origin}:record {i} ({_line_col(text, pos)})",
                            "record nested too deeply to read; fix or remove it - the other records were kept")
            pos = end
            continue
        except json.JSONDecodeError as err:
            yield Rejection(f"{src.origin}:record {i} ({_line_col(text, pos)})",
                            f"invalid or truncated JSON here ({err.msg}); the {i - 1} records before it were kept - "
                            "fix or re-export the file")
            return
        if not isinstance(rec, dict):
            yield _records_rejection(src, f"record {i}", f"record is a {type(rec).__name__}")
            continue
        yield _row_to_record(rec, src, i, f"record {i}", column_map, base_meta)
    if isinstance(exc, json.JSONDecodeError):
        yield Rejection(src.origin, f"invalid JSON at {where_exc} after the records read; {i} records were kept - "
                                    "check the end of the file")


def read_jsonl(data: bytes, src: Src, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    """One JSON object per line; blank lines skipped; a bad (or truncated last, or too deeply nested) line is
    rejected alone and the lines after it are read."""
    text, dec, rej = _decode(data, src)
    if rej is not None:
        yield rej
        return
    yield from _attach_first(_jsonl_records(text, dec, src, column_map), _file_notes(dec, src, True))


def _jsonl_records(text: str, dec: Decoded, src: Src, column_map: dict[str, str] | None) -> Iterator[Record]:
    base_meta = _enc_meta(dec)
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    map_checked = not column_map
    for idx, line in enumerate(lines):
        if not line.strip():
            continue
        lineno = idx + 1
        where = f"line {lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            what = "truncated last line" if idx == last else "invalid JSON"
            yield Rejection(f"{src.origin}:{where}", f"{what} ({exc.msg} at column {exc.colno}); fix or remove "
                                                     "this line - the other lines were kept")
            continue
        except RecursionError:
            yield Rejection(f"{src.origin}:{where}", "JSON nested too deeply to read; fix or remove this line - the "
                                                     "other lines were kept")
            continue
        if not isinstance(rec, dict):
            yield _records_rejection(src, where, f"line holds a {type(rec).__name__}")
            continue
        notes = _line_notes(dec, f"{src.origin}:{where}", lineno, lineno)
        if not map_checked:
            notes += _map_notes(_record_keys([rec]), column_map, src)
            map_checked = True
        yield _row_to_record(rec, src, lineno, where, column_map, base_meta, notes)


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
    notes = _map_notes(columns, column_map, src)
    rownum = 0
    try:
        for batch in pf.iter_batches(batch_size=1000):
            for row in batch.to_pylist():
                rownum += 1
                yield _row_to_record(row, src, rownum, f"row {rownum}", column_map, {}, notes)
                notes = []
    except Exception as exc:
        yield Rejection(f"{src.origin}:row {rownum + 1}", f"Parquet data unreadable from here "
                                                          f"({type(exc).__name__}: {str(exc)[:200]}); "
                                                          f"{rownum} rows were kept")
