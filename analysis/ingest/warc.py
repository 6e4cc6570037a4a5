"""WARC files (``.warc``, ``.warc.gz``: what crawlers and Common Crawl's CC-NEWS write) -> articles, streamed.

Records are read one at a time with warcio (never the whole file), so a 1 GB file builds in bounded memory. Every
HTTP 200 HTML ``response`` (and HTML ``resource``) record goes through the HTML reader (``analysis.ingest.html``):
``url`` is the page's canonical URL or else ``WARC-Target-URI``, and ``WARC-Date`` is kept as
``meta["crawled_at"]`` - the crawl time, never the publication date. Other records are skipped and counted by kind
(request, metadata, warcinfo, revisit...; non-200 responses by status; non-HTML responses). A file truncated in the
middle of a record, or a gzip member that is not a WARC record, ends the file with one rejection naming the record;
the articles before it are kept.

Ids: ``<file id>!<target URI>`` (``#2``, ``#3`` appended when a file holds the same URI again).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analysis.ingest.extractors import POOL_MIN_JOBS, Extractor, Failed, Job
from analysis.ingest.html import looks_like_html, read_html
from analysis.ingest.notes import NOTE_KINDS, Note, NoteKind
from analysis.model import Article, Rejection

__all__ = ["MAX_PAYLOAD_BYTES", "WARC_NOTE_KINDS", "read_warc"]

Record = Article | Rejection

#: A response payload larger than this is not an article page: skipped (and counted) without being read whole.
MAX_PAYLOAD_BYTES = 20 * 1024**2

WARC_NOTE_KINDS: dict[str, NoteKind] = {
    "warc_not_response": NoteKind(
        "WARC records that are not responses (request, metadata, warcinfo, revisit...): skipped",
        "nothing; only HTTP responses hold pages", "info"),
    "warc_status_not_200": NoteKind(
        "WARC responses with an HTTP status other than 200 (redirects, errors): skipped",
        "nothing, unless the crawl should have followed the redirects", "info"),
    "warc_not_html": NoteKind(
        "WARC responses that are not HTML pages (images, scripts, PDFs...): skipped",
        "nothing; NewsLens reads HTML pages", "info"),
    "warc_payload_too_large": NoteKind(
        f"WARC responses larger than {MAX_PAYLOAD_BYTES // 1024**2} MB: skipped, not read",
        "extract the page with another tool if it is an article"),
}
NOTE_KINDS.update(WARC_NOTE_KINDS)

_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_RE_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:\-]{1,40})", re.IGNORECASE)


class _Src:
    """``readers.Src``-compatible (id_name, origin) without importing readers here."""

    __slots__ = ("id_name", "origin")

    def __init__(self, id_name: str, origin: str) -> None:
        self.id_name, self.origin = id_name, origin


def read_warc(source: Path | bytes, src, column_map: dict[str, str] | None = None,
              workers: int | None = None, extractor: Extractor | None = None) -> Iterator[Record]:
    """Articles of one WARC file (path or bytes), in record order. Skipped records are reported as notes on the
    articles (the last article holds back until the file ends so no count is lost); a file that holds no article at
    all is rejected with the counts.

    Records are read one at a time here; their pages are extracted by ``extractor`` (the build's: a local pool, or
    the Dask workers of ``build --workers/--scheduler``; see :mod:`analysis.ingest.extractors`) with a bounded number
    in flight, so memory stays bounded while every core works. Without one, a local pool of ``workers`` processes
    (default one per core, started after the first few pages; ``workers=1``: in this process)."""
    from warcio.archiveiterator import ArchiveIterator

    try:
        fh = open(source, "rb") if isinstance(source, Path) else io.BytesIO(source)  # noqa: SIM115
        size = source.stat().st_size if isinstance(source, Path) else len(source)
    except OSError as exc:
        yield Rejection(src.origin, f"cannot read the file ({exc.strerror or exc}); check permissions")
        return
    own = extractor is None
    if own:
        extractor = Extractor(workers, min_jobs=0 if size >= POOL_MIN_BYTES or (workers or 0) > 1 else POOL_MIN_JOBS)
    state = _Scan()
    carry: list[Note] = []
    jobs = (Job(_extract, j) if isinstance(j, _Job) else j for j in _scan(ArchiveIterator(fh), src, state))
    try:
        with fh:
            yield from _collect(extractor.ordered(jobs), state, carry)
    finally:
        if own:
            extractor.close()
    carry += state.pending
    if state.held is not None:
        state.held.notes.extend(carry)
        yield state.held
    elif state.damaged:
        return
    elif state.n == 0:
        yield Rejection(src.origin, "no WARC records in this file (empty, or not a WARC file): check it")
    elif not state.articles:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(state.skipped.items(), key=lambda kv: -kv[1])) or "none"
        yield Rejection(src.origin, f"no HTML page answered with HTTP 200 among {state.n} records (skipped: {counts})")


def _collect(results, state: _Scan, carry: list[Note]) -> Iterator[Record]:
    """Articles in record order, each held back until the next one so skip notes land on an article."""
    held = None
    for item, out in results:
        if isinstance(item, Job):  # a page: its result, after the notes of the records skipped before it
            job = item.arg
            carry += job.before
            if isinstance(out, Failed):
                out = Rejection(job.origin, f"page could not be read ({out.error}); the other records were kept")
        if isinstance(out, Rejection):
            yield out
            continue
        state.articles += 1
        if held is not None:
            yield held
        out.notes[:0] = carry
        carry.clear()
        held = out
    state.held = held


#: Without a build's extractor, files at least this large start the local pool at once (smaller ones after
#: ``POOL_MIN_JOBS`` pages: a pool costs ~1-2 s to start).
POOL_MIN_BYTES = 32 * 1024**2


@dataclass
class _Scan:
    n: int = 0
    articles: int = 0
    damaged: bool = False
    pending: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)
    seen_uris: dict = field(default_factory=dict)
    held: Article | None = None  # the last article, held back for the notes of the records after it


@dataclass
class _Job:
    """One HTML response to extract: everything ``read_html`` needs, picklable for a worker process."""

    payload: bytes
    id_name: str
    origin: str
    uri: str
    charset: str | None
    crawled: str | None
    number: int
    before: list  # notes of the records skipped since the previous job


def _scan(records, src, state: _Scan) -> Iterator[_Job | Rejection]:
    """Jobs and damage rejections in record order; skip notes collected in ``state.pending``."""
    it = iter(records)

    def skip(kind: str, where: str, detail: str) -> None:
        state.pending.append(Note(kind, where, detail))
        key = detail.split(" ")[0]
        state.skipped[key] = state.skipped.get(key, 0) + 1

    while True:
        try:
            record = next(it)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - warcio raises several types for damaged input
            state.damaged = True
            yield Rejection(f"{src.origin}:record {state.n + 1}", _damage_reason(exc, state.n))
            return
        state.n += 1
        where = f"{src.origin}:record {state.n}"
        try:
            job = _record(record, src, where, state.n, state.seen_uris, skip)
        except Exception as exc:  # noqa: BLE001 - a truncated payload surfaces while reading it
            state.damaged = True
            yield Rejection(where, _damage_reason(exc, state.n - 1))
            return
        if job is not None:
            job.before, state.pending = state.pending, []
            yield job


def _extract(job: _Job) -> Record:
    (out,) = list(read_html(job.payload, _Src(job.id_name, job.origin), url=job.uri or None,
                            http_charset=job.charset, crawled_at=job.crawled))
    if isinstance(out, Article):
        out.meta["warc_record"] = job.number
    return out


def _damage_reason(exc: Exception, kept: int) -> str:
    what = f"{type(exc).__name__}: {str(exc)[:160]}"
    return (f"WARC file damaged here - truncated in the middle of a record, or a gzip member that is not a WARC "
            f"record ({what}); the {kept} records before it were read, the rest of this file was not")


def _record(record, src, where: str, n: int, seen_uris: dict[str, int], skip) -> _Job | None:
    if not str(getattr(record, "format", "warc")).startswith("warc"):
        # warcio reads any text line as an old ARC header: in a .warc file that means damage, not an ARC record.
        raise ValueError(f"not a WARC record (looks like {str(record.format).upper()} or plain text)")
    rtype = record.rec_type
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    crawled = record.rec_headers.get_header("WARC-Date")
    if rtype not in ("response", "resource"):
        skip("warc_not_response", where, f"{rtype} record")
        return None
    content_type = ""
    if rtype == "response":
        if record.http_headers is None:
            skip("warc_not_response", where, "non-HTTP response record")
            return None
        status = record.http_headers.get_statuscode()
        if status != "200":
            skip("warc_status_not_200", where, f"HTTP {status} {uri[:120]}")
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    stream = record.content_stream()
    payload = stream.read(MAX_PAYLOAD_BYTES + 1)
    if len(payload) > MAX_PAYLOAD_BYTES:
        skip("warc_payload_too_large", where, f"over {MAX_PAYLOAD_BYTES:,} bytes {uri[:120]}")
        return None
    missing = getattr(record.raw_stream, "limit", 0)
    if missing and not stream.read(1):
        # warcio hands back a short block at the end of a cut file without complaint: the declared length says.
        raise EOFError(f"record block ends {missing:,} bytes short of its Content-Length")
    mime = content_type.split(";")[0].strip().lower()
    if not (mime in _HTML_TYPES or (not mime or mime in ("text/plain", "application/octet-stream"))
            and looks_like_html(payload)):
        skip("warc_not_html", where, f"{mime or 'untyped'} {uri[:120]}")
        return None
    if mime in ("application/xml", "text/xml") and not looks_like_html(payload):
        skip("warc_not_html", where, f"{mime} {uri[:120]}")
        return None
    m = _RE_CHARSET.search(content_type)
    count = seen_uris.get(uri, 0) + 1
    seen_uris[uri] = count
    rid = f"{src.id_name}!{uri or f'record {n}'}" + (f"#{count}" if count > 1 else "")
    return _Job(payload, rid, f"{where} ({uri[:200]})" if uri else where, uri, m.group(1) if m else None, crawled,
                n, [])
