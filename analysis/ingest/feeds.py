"""RSS 0.9x/1.0/2.0 and Atom feed files (``.rss``, ``.atom``, ``.xml``, also gzipped) -> one article per item.

feedparser reads the feed (its own encoding detection, and a lenient parser for malformed XML: illegal nesting,
undeclared entities, a wrong declared encoding). A feed it had to repair is noted on its first article
(``feed_malformed``, with feedparser's reason); a feed with no items at all is rejected with the reason.

Per item: ``title``; ``url`` = the item's link; ``date`` = its published date (``pubDate``/``dc:date``/
``published``), else its updated date (noted ``feed_date_updated``); ``text`` = the full content
(``content:encoded``/Atom ``content``) when longer than the summary, else the summary/description (markup removed
by the cleaning every format goes through); ``source`` = the feed's title; ``language`` = the feed's language.
Ids: ``<file id>!<guid or link>`` (``item N`` without either).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from analysis.ingest.dates import parse_date
from analysis.ingest.html import local_day, norm_lang
from analysis.ingest.notes import NOTE_KINDS, Note, NoteKind
from analysis.ingest.records import make_article
from analysis.model import Article, Rejection

__all__ = ["FEED_NOTE_KINDS", "looks_like_feed", "read_feed", "xml_root"]

Record = Article | Rejection

FEED_NOTE_KINDS: dict[str, NoteKind] = {
    "feed_malformed": NoteKind(
        "feed that is not well-formed XML (illegal nesting, undeclared entity, wrong encoding): read leniently",
        "check the items of the named feed; ask its publisher to fix it if some are missing"),
    "feed_date_updated": NoteKind(
        "feed item without a published date: its updated date used", "nothing, if the dates look right", "info"),
    "feed_date_localised": NoteKind(
        "feed item date written in another language (\"Seg, 24 Set 2018\"): read with dateparser",
        "nothing, if the dates look right", "info"),
    "feed_summary_only": NoteKind(
        "feed item with only a summary (no full content): the summary is the text",
        "collect the pages too (collect --pages) to analyse the full articles", "info"),
}
FEED_NOTE_KINDS["xml_not_feed"] = NoteKind(
    ".xml file that is not an RSS/Atom feed (a sitemap, an OPML list...): skipped",
    "nothing, if the file is not meant as articles; give feeds as .rss/.atom or .xml with an <rss>/<feed> root",
    "info")
NOTE_KINDS.update(FEED_NOTE_KINDS)

_RE_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF)\b", re.IGNORECASE)
_RE_PROLOG = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]{0,300}\?>\s*)?(?:<\?xml-stylesheet[^>]{0,500}\?>\s*|"
                        rb"<!--.{0,2000}?-->\s*|<!DOCTYPE[^>]{0,1000}>\s*)*", re.DOTALL)


_RE_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]{0,60}:)?([A-Za-z_][\w.\-]{0,60})")
_XML_WHAT = {b"urlset": "sitemap", b"sitemapindex": "sitemap index", b"opml": "OPML feed list (give its feed URLs "
             "to collect)", b"svg": "SVG image", b"kml": "KML map"}


def xml_root(data: bytes) -> str:
    """What an XML document that is not a feed is, from its document element: "sitemap" (``<urlset>``), "sitemap
    index", "OPML feed list ...", or "<name> document"; "not XML" when no element starts it."""
    head = data[:8192]
    m = _RE_PROLOG.match(head)
    root = _RE_XML_ROOT.match(head, m.end() if m else 0)
    if root is None:
        return "not XML"
    name = root.group(2)
    return _XML_WHAT.get(name.lower(), f"<{name.decode('ascii', 'replace')}> document")


def looks_like_feed(data: bytes) -> bool:
    """True when the document element (after the XML prolog) is ``<rss>``, ``<feed>`` or ``<rdf:RDF>``."""
    head = data[:8192]
    m = _RE_PROLOG.match(head)
    return bool(_RE_FEED_ROOT.match(head, m.end() if m else 0))


def _text_of(entry: Any) -> tuple[str, bool]:
    """(text, summary_only): the longest of the full content values and the summary."""
    contents = [c.get("value") or "" for c in entry.get("content") or [] if isinstance(c, dict)]
    full = max(contents, key=len, default="")
    summary = entry.get("summary") or ""
    if len(full) >= len(summary) and full:
        return full, False
    return summary, True


def _outlet_day(value: str) -> str | None:
    """The day an RFC 822 or ISO timestamp names in its own time zone ("Tue, 03 Mar 2026 23:30:00 -0300" ->
    2026-03-03): the outlet's publication day, as for HTML pages, not UTC's."""
    from email.utils import parsedate_to_datetime

    iso = local_day(value)
    if iso != value or re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
        return iso.strip()
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _plain_title(entry: Any) -> str | None:
    """A title declared as HTML (Atom ``type="html"``) has its markup removed; a text title is kept as is."""
    title = entry.get("title")
    detail = entry.get("title_detail") or {}
    if title and "html" in str(detail.get("type", "")) and "<" in title:
        import lxml.html

        try:
            return lxml.html.fromstring(f"<div>{title}</div>").text_content()
        except (ValueError, TypeError):
            return title
    return title


def _localised_day(value: str, language: str | None) -> str | None:
    """ISO day of an RFC 822 date written in the feed's language ("Seg, 24 Set 2018 19:42:40 -0300"), with the
    time zone it states (the outlet's day, not UTC's); None when dateparser cannot read it either."""
    import dateparser

    langs = [language] if language else None
    try:
        parsed = dateparser.parse(value, languages=langs, settings={"RETURN_AS_TIMEZONE_AWARE": False,
                                                                    "PREFER_DAY_OF_MONTH": "first"})
    except Exception:  # noqa: BLE001 - dateparser raises assorted errors for odd strings and language codes
        parsed = None
    return parsed.date().isoformat() if parsed else None


def read_feed(data: bytes, src, column_map: dict[str, str] | None = None) -> Iterator[Record]:
    """Articles of one feed file (``src`` is a ``readers.Src``)."""
    import feedparser

    if not data.strip():
        yield Rejection(src.origin, "empty feed file (0 bytes): fetch it again")
        return
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    feed = parsed.get("feed") or {}
    problem = None
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        problem = f"{type(exc).__name__}: {str(exc)[:160]}" if exc is not None else "not well-formed"
    if not entries:
        if problem:
            yield Rejection(src.origin, f"not a readable RSS/Atom feed ({problem}); no items found - check the file")
        else:
            yield Rejection(src.origin, "RSS/Atom feed without items: nothing to read")
        return
    notes = [Note("feed_malformed", src.origin, problem)] if problem else []
    source = " ".join((feed.get("title") or "").split()) or None
    language = norm_lang(feed.get("language"))
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries, start=1):
        where = f"{src.origin}:item {i}"
        try:
            rec = _entry_record(entry, i, where, src, source, language, seen, notes)
        except Exception as exc:  # noqa: BLE001 - one odd item must not lose the rest of the feed
            rec = Rejection(where, f"item could not be read ({type(exc).__name__}: {str(exc)[:120]}); the other "
                                   "items were kept")
        if isinstance(rec, Article):
            notes = []
        yield rec


def _entry_record(entry: Any, i: int, where: str, src, source: str | None, language: str | None,
                  seen: dict[str, int], notes: list[Note]) -> Record:
    notes = list(notes)
    text, summary_only = _text_of(entry)
    link = entry.get("link") or None
    key = entry.get("id") or link or f"item {i}"
    seen[key] = seen.get(key, 0) + 1
    rid = f"{src.id_name}!{key}" + (f"#{seen[key]}" if seen[key] > 1 else "")
    date_value = entry.get("published") or entry.get("created")
    meta: dict[str, Any] = {"format": "feed", "feed_item": i}
    if not date_value and entry.get("updated"):
        date_value = entry.get("updated")
        notes.append(Note("feed_date_updated", where, str(date_value)[:60]))
    if date_value and _outlet_day(str(date_value)):
        meta["date_text"] = str(date_value)[:100]
        date_value = _outlet_day(str(date_value))
    elif date_value and parse_date(date_value) is None:
        day = _localised_day(str(date_value), language)
        if day:
            meta["date_text"] = str(date_value)[:100]
            notes.append(Note("feed_date_localised", where, f"{str(date_value)[:60]!r} -> {day}"))
            date_value = day
    if summary_only and text:
        notes.append(Note("feed_summary_only", where, (entry.get("title") or "")[:60]))
        meta["summary_only"] = True
    tags = [t.get("term") for t in entry.get("tags") or [] if isinstance(t, dict) and t.get("term")]
    if tags:
        meta["tags"] = tags[:50]
    art = make_article(id=rid, title=_plain_title(entry), raw_text=text, origin=where, date_value=date_value,
                       source=source, url=link, language=language, author=entry.get("author"), meta=meta,
                       notes=notes)
    if art is None:
        return Rejection(where, "feed item without title and text: nothing to read")
    return art
