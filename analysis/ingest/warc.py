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
from pathlib import Path

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


def read_warc(source: Path | bytes, src, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    """Articles of one WARC file (path or bytes). Skipped records are reported as notes on the articles (the last
    article holds back until the file ends so no count is lost); a file that holds no article at all is rejected
    with the counts."""
    from warcio.archiveiterator import ArchiveIterator

    try:
        fh = open(source, "rb") if isinstance(source, Path) else io.BytesIO(source)  # noqa: SIM115
    except OSError as exc:
        yield Rejection(src.origin, f"cannot read the file ({exc.strerror or exc}); check permissions")
        return
    pending: list[Note] = []
    skipped: dict[str, int] = {}
    held: Article | None = None
    seen_uris: dict[str, int] = {}
    n = 0
    articles = 0
    damaged = False

    def skip(kind: str, where: str, detail: str) -> None:
        pending.append(Note(kind, where, detail))
        skipped[detail.split(" ")[0]] = skipped.get(detail.split(" ")[0], 0) + 1

    with fh:
        records = iter(ArchiveIterator(fh))
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - warcio raises several types for damaged input
                yield Rejection(f"{src.origin}:record {n + 1}", _damage_reason(exc, n))
                damaged = True
                break
            n += 1
            where = f"{src.origin}:record {n}"
            try:
                out = _record(record, src, where, n, seen_uris, skip)
            except Exception as exc:  # noqa: BLE001 - a truncated payload surfaces while reading it
                yield Rejection(where, _damage_reason(exc, n - 1))
                damaged = True
                break
            if out is None:
                continue
            if isinstance(out, Rejection):
                yield out
                continue
            articles += 1
            if held is not None:
                yield held
            out.notes[:0] = pending
            pending = []
            held = out
    if held is not None:
        held.notes.extend(pending)
        yield held
    elif damaged:
        return
    elif n == 0:
        yield Rejection(src.origin, "no WARC records in this file (empty, or not a WARC file): check it")
    elif not articles:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(skipped.items(), key=lambda kv: -kv[1])) or "none"
        yield Rejection(src.origin, f"no HTML page answered with HTTP 200 among {n} records (skipped: {counts})")


def _damage_reason(exc: Exception, kept: int) -> str:
    what = f"{type(exc).__name__}: {str(exc)[:160]}"
    return (f"WARC file damaged here - truncated in the middle of a record, or a gzip member that is not a WARC "
            f"record ({what}); the {kept} records before it were read, the rest of this file was not")


def _record(record, src, where: str, n: int, seen_uris: dict[str, int], skip) -> Record | None:
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
    inner = _Src(rid, f"{where} ({uri[:200]})" if uri else where)
    (out,) = list(read_html(payload, inner, url=uri or None, http_charset=m.group(1) if m else None,
                            crawled_at=crawled))
    if isinstance(out, Article):
        out.meta["warc_record"] = n
    return out
