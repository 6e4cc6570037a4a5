"""Shared record building: raw fields from any reader -> ``Article`` (cleaning, date precedence, language, caps)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from analysis.ingest.clean import clean_text, clean_title
from analysis.ingest.dates import date_from_text, parse_date, parse_year
from analysis.ingest.invisible import strip_format_chars
from analysis.ingest.language import detect_language
from analysis.ingest.markdown import describe, markdown_title, markdown_to_text
from analysis.ingest.notes import Note
from analysis.ingest.publine import find_publication_lines
from analysis.model import Article

__all__ = [
    "MAX_TEXT_CHARS",
    "CANONICAL_ALIASES",
    "make_article",
    "guess_language",
    "jsonable",
    "map_columns",
    "is_missing",
]

#: Text longer than this (characters) is cut before cleaning; ``meta["truncated_from_chars"]`` records the length.
#: Keeps a pathological 50 MB one-line file linear and bounded instead of rejecting it.
MAX_TEXT_CHARS = 5_000_000
MAX_META_CHARS = 10_000

#: Canonical field -> accepted column names (case-insensitive), in priority order.
CANONICAL_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "guid", "article_id", "doc_id", "uid"),
    "title": ("title", "headline", "heading"),
    "text": ("text", "body", "content", "story_text", "article", "full_text", "maintext", "story"),
    "date": ("date", "published_at", "published", "pubdate", "pub_date", "publish_date", "seendate", "datetime",
             "timestamp", "created_at"),
    "source": ("source", "publisher", "domain", "outlet", "source_name"),
    "url": ("url", "link", "source_url", "sourceurl"),
    "language": ("language", "lang"),
    "author": ("author", "authors", "byline"),
}
_ALIAS_TO_CANON = {alias: canon for canon, aliases in CANONICAL_ALIASES.items() for alias in aliases}

def guess_language(text: str, default: str | None = "en") -> str | None:
    """Language code of ``text``; see :func:`analysis.ingest.language.detect_language` (kept here for callers)."""
    return detect_language(text, default)


def is_missing(value: Any) -> bool:
    """None, NaN/NaT, or an empty/whitespace string."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    if type(value).__name__ in ("NaTType", "NAType"):
        return True
    return False


def jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-serialisable copy of a metadata value (dates as ISO strings, long strings cut, depth <= 4)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, str):
        return value if len(value) <= MAX_META_CHARS else value[:MAX_META_CHARS] + "…"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if depth >= 4:
        return str(value)[:MAX_META_CHARS]
    if isinstance(value, dict):
        return {str(k)[:200]: jsonable(v, depth + 1) for k, v in list(value.items())[:200]}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v, depth + 1) for v in list(value)[:1000]]
    if isinstance(value, bytes):
        return value[:MAX_META_CHARS].decode("utf-8", "replace")
    if hasattr(value, "item"):  # numpy scalar
        try:
            return jsonable(value.item(), depth + 1)
        except (ValueError, TypeError):
            pass
    if hasattr(value, "tolist"):
        return jsonable(value.tolist(), depth + 1)
    return str(value)[:MAX_META_CHARS]


def map_columns(row: dict[str, Any], column_map: dict[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split one input row into ``(canonical fields, meta)``.

    ``column_map`` (user column -> canonical name, e.g. ``{"story": "text"}``) wins over the built-in aliases
    (``CANONICAL_ALIASES``, case-insensitive). When several columns map to one field, the first non-empty one in
    alias priority order wins; the others go to meta. Unknown columns go to meta unchanged (JSON-safe); a column
    mapped to a non-canonical name goes to meta under that name.
    """
    user = {str(k).strip().lower(): str(v).strip().lower() for k, v in (column_map or {}).items()}
    candidates: dict[str, list[tuple[int, str, Any]]] = {}
    meta: dict[str, Any] = {}
    for key, value in row.items():
        k = str(key).strip().lower()
        if k in user and user[k] not in CANONICAL_ALIASES:
            meta[user[k]] = jsonable(value)  # mapped to a non-canonical name: a rename into meta
            continue
        if k in user:
            canon, prio = user[k], -1
        elif k in _ALIAS_TO_CANON:
            canon = _ALIAS_TO_CANON[k]
            prio = CANONICAL_ALIASES[canon].index(k)
        else:
            meta[str(key)] = jsonable(value)
            continue
        candidates.setdefault(canon, []).append((prio, str(key), value))
    fields: dict[str, Any] = {}
    for canon, options in candidates.items():
        options.sort(key=lambda t: t[0])
        chosen = False
        for _prio, key, value in options:
            if not chosen and not is_missing(value):
                fields[canon] = value
                chosen = True
            elif not is_missing(value):
                meta[key] = jsonable(value)
    return fields, meta


def _as_str(value: Any) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value if not is_missing(v))
    return str(value).strip() or None


def _without_format_chars(meta: dict[str, Any], title: Any, raw: str, source: Any, url: Any, author: Any) -> tuple:
    """Title, text, source, url and author with Unicode format characters removed (bidi overrides, zero-width
    characters, soft hyphens...: see ``analysis.ingest.invisible``); ``raw_text`` keeps them. How many were removed
    is recorded in ``meta["format_chars_removed"]`` so the build summary can count the articles changed."""
    removed = 0
    out = []
    for value in ("" if is_missing(title) else str(title)[:MAX_TEXT_CHARS], raw, source, url, author):
        if isinstance(value, str):
            value, n = strip_format_chars(value)
            removed += n
        elif isinstance(value, (list, tuple)):  # several authors
            parts = [strip_format_chars(v) if isinstance(v, str) else (v, 0) for v in value]
            value = [v for v, _ in parts]
            removed += sum(n for _, n in parts)
        out.append(value)
    if removed:
        meta["format_chars_removed"] = removed
    return tuple(out)


_RE_WORDS = re.compile(r"\w+")


def _same_words(a: str, b: str) -> bool:
    return len(a) <= 2 * len(b) + 10 and _RE_WORDS.findall(a.casefold()) == _RE_WORDS.findall(b.casefold())


def _without_lines(raw: str, removed: list[int]) -> str:
    drop = set(removed)
    return "\n".join(line for i, line in enumerate(raw.split("\n")) if i not in drop)


def make_article(
    *,
    id: str,
    title: Any,
    raw_text: Any,
    origin: str,
    date_value: Any = None,
    source: Any = None,
    url: Any = None,
    language: Any = None,
    author: Any = None,
    meta: dict[str, Any] | None = None,
    year_hint: int | None = None,
    notes: list[Note] | None = None,
    markdown: bool = False,
) -> Article | None:
    """Build one cleaned ``Article``; ``None`` when there is neither a title nor any text.

    Date precedence: a parseable ``date_value`` (source "metadata") > a publication line near the top or bottom of
    the text ("Published: 12 March 2024", ``**Agency** | 2025-12-28 00:00 |``; source "text") > a dateline
    ("SEOUL, Jan. 4, 2024 (Yonhap) --"; "dateline") > an "Updated ..." line ("text") > none. Publication, byline
    and crawl lines (see ``publine``) also give the source and author when metadata has none, and are left out of
    ``text`` (``raw_text`` keeps everything). An unparseable ``date_value`` is kept in ``meta["date_raw"]``; if it
    still carries a year it lets a month-day dateline resolve. ``notes`` (reader notes about this record) are
    extended with what was repaired or guessed here and attached to the article. ``markdown``: the text is Markdown
    (``analysis.ingest.markdown``): ``title`` and ``text`` lose its marks, ``raw_text`` keeps them, and the note
    ``markdown_to_text`` with ``meta["markdown_removed"]`` says how many of each kind went.
    """
    notes = list(notes or [])
    meta = dict(meta or {})
    raw = "" if is_missing(raw_text) else str(raw_text)
    if len(raw) > MAX_TEXT_CHARS:
        meta["truncated_from_chars"] = len(raw)
        notes.append(Note("text_truncated", origin, f"{len(raw):,} characters cut to {MAX_TEXT_CHARS:,}"))
        raw = raw[:MAX_TEXT_CHARS]
    title_in, raw_clean, source, url, author = _without_format_chars(meta, title, raw, source, url, author)
    if markdown:
        title_in = markdown_title(str(title_in or ""))
    title_s = clean_title(title_in)
    pub = find_publication_lines(raw_clean, title_s)  # before the marks go: "**Yonhap** | 2025-12-28 |" is one
    analysed = _without_lines(raw_clean, pub.removed) if pub.removed else raw_clean
    if markdown:
        analysed, removed = markdown_to_text(analysed)
        if removed:
            meta["markdown_removed"] = removed
            notes.append(Note("markdown_to_text", origin, describe(removed)))
    text = clean_text(analysed)
    if not title_s and not text:
        return None
    head, _sep, rest = text.partition("\n\n")
    if title_s and head and _same_words(head, title_s):  # the headline pasted again at the top of the body
        text = rest
        notes.append(Note("headline_repeated", origin, repr(head[:80])))
    if pub.removed:
        notes.append(Note("publication_line_removed", origin, f"{len(pub.removed)} line(s)"))
    if pub.crawled_at:
        meta.setdefault("crawled_at", pub.crawled_at)
    date = parse_date(date_value) if not is_missing(date_value) else None
    date_source = "metadata" if date is not None else "none"
    if date is None:
        if not is_missing(date_value):
            meta["date_raw"] = jsonable(str(date_value)[:200])
            notes.append(Note("date_unparsed", origin, repr(str(date_value)[:80])))
            year_hint = year_hint or parse_year(date_value)
        if pub.date is not None and pub.kind == "published":
            date, date_source = pub.date, "text"
        else:
            date, date_source = date_from_text(title_s, analysed, year=year_hint)
            if date is None and text != analysed:
                date, date_source = date_from_text(title_s, text, year=year_hint)
            if date is None and pub.date is not None:
                date, date_source = pub.date, "text"
        if date is not None:
            notes.append(Note("date_from_text", origin, f"{date.isoformat()} ({date_source})"))
    if is_missing(source) and pub.source:
        source = pub.source
        meta["source_from"] = "text"
        notes.append(Note("source_from_text", origin, repr(pub.source)))
    if (author is None or is_missing(author)) and pub.author:
        author = pub.author
    if author is not None and not is_missing(author):
        meta.setdefault("author", jsonable(author))
    if not text:
        meta["title_only"] = True
        notes.append(Note("title_only", origin, repr(title_s[:80])))
    lang = _as_str(language)
    return Article(
        id=id,
        title=title_s,
        text=text,
        raw_text=raw,
        date=date,
        date_source=date_source,
        source=_as_str(source),
        url=_as_str(url),
        language=lang.lower() if lang else detect_language(text or title_s),
        origin=origin,
        meta=meta,
        notes=notes,
    )
