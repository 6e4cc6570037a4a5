"""Saved web pages (``.html``/``.htm``, also gzipped, in folders, archives and WARC files) -> articles.

The main text comes from trafilatura (comments left out: they are not the article), the publication date from the
page's own metadata (JSON-LD ``datePublished``, ``article:published_time``...) and else htmldate, and title, author,
site name, canonical URL and language from JSON-LD, OpenGraph and meta tags (trafilatura's metadata reader plus the
``<link rel=canonical>``, ``<html lang>``, ``og:locale`` and ``inLanguage`` it does not return). The analysed text
then goes through the same ``make_article`` as every other format (publication lines, cleaning, notes).

A page that is not an article (an index or navigation page: no article markup and only a few words, or nothing
extracted at all) is rejected with the reason, never stored as an empty article.

>>> page = extract_page("<html lang='de'><head><title>Hallo | Blatt</title>"
...     "<meta property='og:title' content='Hallo'></head><body><article><p>" + "Ein Satz. " * 30 +
...     "</p></article></body></html>")
>>> (page.title, page.language, page.text.split()[:2])
('Hallo', 'de', ['Ein', 'Satz.'])
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from analysis.ingest import trafilatura_fast as fast
from analysis.ingest.html_decode import decode_html, looks_like_html
from analysis.ingest.html_titles import (
    TitleSources,
    choose_title,
    host_name,
    people_names,
    site_names,
    tidy_title,
)
from analysis.ingest.notes import NOTE_KINDS, Note, NoteKind
from analysis.ingest.records import make_article
from analysis.model import Article, Rejection

__all__ = ["HTML_NOTE_KINDS", "Page", "decode_html", "extract_page", "looks_like_html", "read_html"]

Record = Article | Rejection

#: A page without article markup (og:type article, JSON-LD NewsArticle...) needs at least this many letters (word
#: characters: Chinese and Thai put no spaces between words) of main text to count as an article; below it, it is
#: reported as a likely index/navigation page. About 25 English words.
MIN_LETTERS_UNMARKED = 120
#: A page without article markup whose main text is mostly words of its own links is an index page.
MAX_LINK_COVERAGE = 0.7
#: Pages larger than this (decoded characters) are cut before parsing: lxml and trafilatura are linear, but a
#: 200 MB "page" is a dump, not an article.
MAX_PAGE_CHARS = 20_000_000

HTML_NOTE_KINDS: dict[str, NoteKind] = {
    "html_encoding_unknown": NoteKind(
        "page declares an encoding Python does not know: read by byte-pattern detection instead",
        "check the accents of the named pages; re-save them as UTF-8 if they look wrong"),
    "html_encoding_guessed": NoteKind(
        "page declares no encoding and is not UTF-8: encoding detected from its bytes",
        "check the accents of the named pages; re-save them as UTF-8 if they look wrong"),
    "html_encoding_overridden": NoteKind(
        "page declares a legacy encoding but its bytes are valid UTF-8: read as UTF-8",
        "nothing, if the accents look right (the declaration was left over from before the page was re-saved)"),
    "html_invalid_bytes": NoteKind(
        "bytes invalid in the page's declared encoding replaced by U+FFFD",
        "check the named pages; the rest of each page was read"),
    "html_cut": NoteKind(
        f"page larger than {MAX_PAGE_CHARS:,} characters cut before extraction",
        "save the article page itself, not a dump of many pages"),
    "html_title_site_cut": NoteKind(
        "site name, byline or date cut from the page's headline (\"Title | Site\"); the full one is in "
        "meta.title_full", "nothing, if the titles look right", "info"),
    "html_title_label_cut": NoteKind(
        "short trailing segment cut from a <title> element (a section or site label: \"Title - News - Site\"), "
        "the page having no og:title, JSON-LD headline or single <h1>; the full one is in meta.title_full",
        "check the named titles; nothing else was lost"),
    "html_title_heading_cut": NoteKind(
        "headline cut where the page's own <h1> heading ends (\"Headline: subtitle\", \"Headline - Blog name\" "
        "with <h1>Headline</h1>); the full one is in meta.title_full", "nothing, if the titles look right", "info"),
    "html_body_from_app_data": NoteKind(
        "main text read from the page's embedded app data (Next.js flight data or __NEXT_DATA__): its HTML had "
        "none, the body being rendered in the browser; the longest HTML there with 3+ paragraphs was taken",
        "check the named pages' text; if it is not the article, save the page as the browser shows it"),
    "html_date_found": NoteKind(
        "publication date found by htmldate (page metadata, URL or visible date; the first publication, not an "
        "update)", "nothing, if the dates look right", "info"),
}
NOTE_KINDS.update(HTML_NOTE_KINDS)

_ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
                  "blogposting", "backgroundnewsarticle", "reviewnewsarticle", "liveblogposting", "report",
                  "scholarlyarticle", "techarticle", "socialmediaposting", "posting"}
_RE_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][A-Za-z0-9]{2,8})*$")


def norm_lang(value: Any) -> str | None:
    """"pt-BR" / "en_US" / "DE" -> "pt" / "en" / "de"; None for anything that is not a language tag."""
    if not isinstance(value, str):
        return None
    m = _RE_LANG.match(value.strip().lower())
    return m.group(1) if m and m.group(1) not in ("und", "mul", "zxx", "xx") else None


def _jsonld_objects(tree) -> Iterator[dict[str, Any]]:
    for node in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (node.get("type") or "").lower():
            continue
        try:
            value = json.loads(node.text or "")
        except (ValueError, RecursionError):
            continue
        stack = [value]
        while stack:
            v = stack.pop()
            if isinstance(v, list):
                stack.extend(reversed(v[:100]))
            elif isinstance(v, dict):
                yield v
                graph = v.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph[:100]))


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    values = t if isinstance(t, list) else [t]
    return {str(x).strip().lower() for x in values if isinstance(x, str)}


@dataclass
class PageMeta:
    """What JSON-LD, OpenGraph and meta tags say about a page."""

    canonical: str | None = None
    language: str | None = None
    language_from: str | None = None
    published: str | None = None
    published_from: str | None = None
    is_article: bool = False
    og_type: str | None = None
    title: str | None = None
    title_from: str | None = None
    author: str | None = None
    site: str | None = None
    description: str | None = None
    title_full: str | None = None  # the title as the page wrote it, when a site name or label was cut
    title_cut: str | None = None  # "site" | "label" | "heading": see html_titles.TitleChoice


_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished", "date", "dc.date",
                   "dc.date.issued", "dcterms.created", "publishdate", "publish-date", "pubdate", "sailthru.date",
                   "parsely-pub-date", "article.published", "published_time", "cxenseparse:recs:publishtime",
                   "citation_publication_date", "originalpublicationdate")
# " | Site", " - Site", " – DW – 13.06.2023": a title segment after one of these is a site name when short.
def page_meta(tree, url: str | None = None) -> PageMeta:
    meta = PageMeta()
    for link in tree.iterfind(".//link[@rel]"):
        if (link.get("rel") or "").strip().lower() == "canonical" and (link.get("href") or "").startswith("http"):
            meta.canonical = link.get("href").strip()
            break
    named: dict[str, str] = {}
    for m in tree.iterfind(".//meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        content = m.get("content")
        if key and content and content.strip() and key not in named:
            named[key] = content.strip()
    meta.og_type = named.get("og:type", "").lower() or None
    if meta.og_type == "article":
        meta.is_article = True
    if meta.canonical is None and named.get("og:url", "").startswith("http"):
        meta.canonical = named["og:url"]
    headline = authors = site = None
    for obj in _jsonld_objects(tree):
        types = _types(obj)
        if types & _ARTICLE_TYPES:
            meta.is_article = True
            if headline is None and isinstance(obj.get("headline"), str) and obj["headline"].strip():
                headline = obj["headline"]
            if meta.published is None and isinstance(obj.get("datePublished"), str):
                meta.published, meta.published_from = obj["datePublished"], "JSON-LD datePublished"
            if meta.language is None and norm_lang(obj.get("inLanguage")):
                meta.language, meta.language_from = norm_lang(obj.get("inLanguage")), "JSON-LD inLanguage"
            if authors is None and people_names(obj.get("author")):
                authors = people_names(obj.get("author"))
            pub = obj.get("publisher")
            if site is None and isinstance(pub, dict) and isinstance(pub.get("name"), str):
                site = pub["name"].strip() or None
    meta.site = named.get("og:site_name") or site or named.get("application-name")
    meta.author = ", ".join(authors) if authors else (named.get("author") or named.get("article:author")
                                                       or named.get("dc.creator") or named.get("byl") or None)
    if meta.author and meta.author.startswith("http"):
        meta.author = None
    meta.description = named.get("og:description") or named.get("description")
    names = site_names(meta.site, site, named.get("application-name"), host=host_name(url or meta.canonical))
    h1s = [h for h in (tidy_title(h.text_content()) for h in tree.iterfind(".//h1")) if h]
    title_el = tree.find(".//title")
    choice = choose_title(TitleSources(
        headline=headline, og=named.get("og:title"), twitter=named.get("twitter:title"), h1s=h1s,
        title_el=tidy_title(title_el.text_content()) if title_el is not None else "", names=names,
        authors=authors or ([meta.author] if meta.author else []), site=meta.site))
    meta.title, meta.title_from, meta.title_full, meta.title_cut = choice.title, choice.how, choice.full, choice.cut
    if meta.published is None:
        for key in _PUBLISHED_META:
            if named.get(key):
                meta.published, meta.published_from = named[key], f"meta {key}"
                break
    if meta.language is None:
        root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
        candidates = ((root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang"), "<html lang>"),
                      (named.get("og:locale"), "og:locale"), (named.get("content-language"), "content-language"),
                      (named.get("language"), "meta language"), (named.get("dc.language"), "meta dc.language"))
        for value, how in candidates:
            lang = norm_lang(value)
            if lang:
                meta.language, meta.language_from = lang, how
                break
    return meta


# -------------------------------------------------------------------------------------------------- extraction
@dataclass
class Page:
    """What one page holds, before ``make_article``: ``date`` is the raw metadata value or an ISO day from
    htmldate (``date_from`` says which), ``is_article`` whether the page marks itself as an article."""

    title: str = ""
    text: str = ""
    author: str | None = None
    site: str | None = None
    url: str | None = None
    language: str | None = None
    language_from: str | None = None
    date: str | None = None
    date_from: str | None = None
    is_article: bool = False
    description: str | None = None
    title_full: str | None = None
    title_cut: str | None = None
    anchor_words: Counter = field(default_factory=Counter)  # words of the page's link texts (unmarked pages)
    body_from: str | None = None  # where the text came from when not the page's HTML: "Next.js flight data", ...
    compared: bool | None = None  # trafilatura's comparison ran (True) or the gate kept its result (False)


def _parse(html_text: str):
    """trafilatura's ``load_html`` (its repairs and fallbacks), with NewsLens's faster parser
    (:func:`analysis.ingest.trafilatura_fast.fast_parser`)."""
    from trafilatura.utils import load_html

    fast.install()
    token = fast.OWN.set(fast.Own())
    try:
        return load_html(html_text)
    except (ValueError, TypeError):
        return None
    finally:
        fast.OWN.reset(token)


_SKIP_TAGS = {"script", "style", "noscript", "template"}
_RE_WORD = re.compile(r"\w+")


def _letters(text: str) -> int:
    """Word characters: a size that works for Chinese and Thai, written without spaces between words (summed over
    runs: a list of words, not of every character)."""
    return sum(map(len, _RE_WORD.findall(text)))


def _anchor_words(tree) -> Counter:
    """Lower-case words of every link text in ``<body>``."""
    body = tree.find(".//body")
    words: Counter = Counter()
    if body is not None:
        for a in body.iter("a"):
            words.update(_RE_WORD.findall(a.text_content().lower()))
    return words


def link_coverage(text: str, anchor_words: Counter) -> float:
    """Share of the main text's words that are link text on the page: an index page's "main text" is its list of
    headline links (near 1); an article's body is not (articles with inline links stay well under a half)."""
    words = Counter(_RE_WORD.findall(text.lower()))
    total = sum(words.values())
    return sum((words & anchor_words).values()) / total if total else 0.0


_RE_ISO_DAY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ]|$)")


def local_day(value: str) -> str:
    """The page's own calendar day of an ISO timestamp ("2022-01-15T00:48+01:00" -> "2022-01-15"): a publication
    day is the day the outlet printed, not the UTC one. Other strings are returned as they are."""
    m = _RE_ISO_DAY.match(value)
    return m.group(1) if m else value


def _find_date(find_date, tree, url: str | None, *, extensive: bool = True) -> str | None:
    """htmldate's date, except a bare 1 January from its extensive search: that is what it makes of a lone year
    ("Copyright 2026" in a footer), not a publication day - kept only if the page's metadata or URL say so too.
    ``extensive=False`` skips htmldate's free-text search (the costly part: a copy of the tree, cleaning, a scan of
    every text segment)."""
    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=extensive)
        if extensive and found and found.endswith("-01-01"):
            found = find_date(tree, url=url, original_date=True, extensive_search=False)
    except Exception:  # noqa: BLE001 - htmldate bugs on odd markup must not lose the page
        found = None
    return found


# ------------------------------------------------------------------------------ when to compare extractions
#: trafilatura compares its own extraction with readability's and jusText's on every page unless ``fast=True``
#: (about 30% of its time on the fundus pages). ``fast=True`` also keeps teaser blocks, which costs body F1
#: (trafilatura's text on fundus: 0.950 -> 0.933), so NewsLens keeps trafilatura's default settings and runs the
#: comparison only on a doubtful result.
#:
#: The rule (trafilatura's own triggers, not fitted to any corpus): the main extractor's result is doubtful when
#: its text is shorter than DOUBTFUL_CHARS characters (trafilatura's own ``ESCALATION_MAX_LENGTH``: below it,
#: trafilatura itself suspects an under-extraction and retries), has no paragraph text or more tables than
#: paragraphs (when trafilatura prefers readability's result), or still holds elements trafilatura calls unclean
#: (nav, aside, figure, footer, form fields: when it asks jusText). bench/bench_html.py prints the body F1 with this
#: rule and with the comparison on every page, on aeb and fundus.
DOUBTFUL_CHARS = 3000


def extraction_is_doubtful(body, text: str) -> bool:
    """True when trafilatura's main extraction (``body``: its result element, ``text``: its text) should be checked
    against readability and jusText; see :data:`DOUBTFUL_CHARS` for the rule."""
    if len(text) < DOUBTFUL_CHARS:
        return True
    paragraphs = body.findall(".//p")
    if not any((t or "").strip() for p in paragraphs for t in p.itertext()):
        return True
    if len(body.findall(".//table")) > len(paragraphs):
        return True
    from trafilatura.external import SANITIZED_XPATH  # the elements that make trafilatura try jusText

    return bool(body.xpath(SANITIZED_XPATH))


# The decisions of the extraction running in this context: None (trafilatura's own behaviour, for every other
# caller of trafilatura in the process) or a list that gets True (compared) / False (kept) per comparison point.
_GATE: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar("newslens_compare_gate", default=None)


def _install_gate() -> bool:
    """Put the doubtful-result gate in front of ``trafilatura.core.compare_extraction`` (once per process). It only
    acts inside :func:`_extract_text`; everywhere else trafilatura behaves as shipped. False (the comparison then
    runs on every page, as before) when this trafilatura has no such step (requirements.txt pins 2.3.1)."""
    import trafilatura.core as core

    original = getattr(core, "compare_extraction", None)
    if original is None:
        return False
    if getattr(original, "newslens_gate", False):
        return True

    def gated(cleaned_tree, raw_tree, body, text, options):
        decisions = _GATE.get()
        if decisions is None:
            return original(cleaned_tree, raw_tree, body, text, options)
        doubtful = extraction_is_doubtful(body, text)
        decisions.append(doubtful)
        return original(cleaned_tree, raw_tree, body, text, options) if doubtful else (body, text)

    gated.newslens_gate = True
    core.compare_extraction = gated
    return True


def _extract_text(tree, url: str | None, *, compare: str = "doubtful", lend: bool = False,
                  ) -> tuple[str, list[bool]]:
    """trafilatura's main text of ``tree``, and the gate's decisions. ``compare="always"`` runs trafilatura's
    comparison on every page (its default behaviour). ``tree`` is not modified (trafilatura works on a copy)
    unless ``lend``: then trafilatura works on ``tree`` itself, sparing a copy of the page."""
    import trafilatura

    decisions: list[bool] = []
    token = _GATE.set(decisions if compare == "doubtful" and _install_gate() else None)
    fast.install()
    own = fast.OWN.set(fast.Own(lend=tree if lend else None))
    try:
        doc = trafilatura.bare_extraction(tree, url=url, with_metadata=False, include_comments=False)
    finally:
        fast.OWN.reset(own)
        _GATE.reset(token)
    return (doc.text or "") if doc is not None else "", decisions


def extract_page(html_text: str, url: str | None = None, *, thorough: bool = False) -> Page:
    """Main text and metadata of one page (``html_text`` already decoded). Never raises on bad markup: lxml
    repairs what it can; a page it cannot parse gives an empty ``Page``. The page is parsed once; the metadata
    reader and htmldate read the tree (htmldate copies it before it changes it), then trafilatura works on it.

    Text: trafilatura with its default settings, its comparison with readability/jusText only on a doubtful result
    (:func:`extraction_is_doubtful`). Date: htmldate's ``find_date(original_date=True)`` (the first publication,
    not the last update; measured on the 708 dated bbaw + mediacloud pages it is right more often than the page's
    own JSON-LD/meta date, which many sites fill with the update time), else the JSON-LD/meta date, as the page's
    local day. htmldate's extensive free-text search runs only when the page's metadata gives no date (the
    metadata date is there to fall back on). ``thorough=True``: the comparison on every page and the extensive
    date search always (the behaviour before; for benches).
    """
    from htmldate import find_date

    tree = _parse(html_text)
    if tree is None:
        return Page()
    meta = page_meta(tree, url)
    found = _find_date(find_date, tree, url, extensive=thorough or not meta.published)
    # only a page without article markup is checked for being an index page (read before trafilatura changes
    # the tree: it is lent, not copied)
    anchor_words = _anchor_words(tree) if not meta.is_article else Counter()
    text, decisions = _extract_text(tree, url, compare="always" if thorough else "doubtful", lend=True)
    body_from = None
    if len(text.split()) < APP_DATA_BELOW_WORDS:  # a body rendered from the page's app data is not in its HTML
        app_text, where = _app_data_text(html_text, url)
        if len(app_text.split()) > len(text.split()):
            text, body_from = app_text, where
    page = Page(is_article=meta.is_article, url=meta.canonical or url, language=meta.language,
                language_from=meta.language_from, title=meta.title or "", author=meta.author, site=meta.site,
                description=meta.description, title_full=meta.title_full, title_cut=meta.title_cut, text=text,
                compared=any(decisions) if decisions else None, body_from=body_from)
    if text:
        page.anchor_words = anchor_words
    if found:
        page.date, page.date_from = found, "htmldate"
    elif meta.published:
        page.date, page.date_from = local_day(meta.published), meta.published_from
    return page


#: the page's app data is looked at when trafilatura found fewer words than this in its HTML (none, or only what a
#: script-rendered page shows around its empty body: "Home Tram line to grow")
APP_DATA_BELOW_WORDS = 50


def _app_data_text(html_text: str, url: str | None) -> tuple[str, str | None]:
    """(main text, where it was found) of the article HTML in the page's app data (:mod:`.app_data`), read by
    trafilatura as a page of its own; ("", None) when there is none."""
    from analysis.ingest.app_data import app_data_body

    found = app_data_body(html_text)
    if found is None:
        return "", None
    tree = _parse(f"<html><body><article>{found[0]}</article></body></html>")
    text = _extract_text(tree, url)[0] if tree is not None else ""
    return (text, found[1]) if text else ("", None)


# ------------------------------------------------------------------------------------------------------ reader
# What browsers (and ``analysis collect``) write at the top of a saved page: the address it was saved from.
_RE_SAVED_FROM = re.compile(rb"^\s*<!--\s*saved from url=\(\d{4}\)(https?://[!-~]{1,2048}?)\s*-->", re.IGNORECASE)


def read_html(data: bytes, src, column_map: dict[str, str] | None = None, *, url: str | None = None,
              http_charset: str | None = None, crawled_at: str | None = None, thorough: bool = False,
              ) -> Iterator[Record]:
    """One article from one saved page (``src`` is a ``readers.Src``); a Rejection naming the page when it holds
    no article. ``url`` (a WARC's target URI, or else the ``<!-- saved from url=(N)... -->`` comment browsers write)
    is used when the page has no canonical URL; ``crawled_at`` goes to
    ``meta["crawled_at"]``, never to the date; ``thorough`` as for :func:`extract_page`."""
    if not data.strip():
        yield Rejection(src.origin, "empty page (0 bytes): remove it or save the page again")
        return
    if url is None:
        saved = _RE_SAVED_FROM.match(data[:2100])
        url = saved.group(1).decode("ascii") if saved else None
    dec = decode_html(data, http_charset)
    notes = [Note(kind, src.origin, detail) for kind, detail in dec.notes]
    text = dec.text
    if len(text) > MAX_PAGE_CHARS:
        notes.append(Note("html_cut", src.origin, f"{len(text):,} characters"))
        text = text[:MAX_PAGE_CHARS]
    page = extract_page(text, url, thorough=thorough)
    yield page_to_record(page, src, notes, encoding=dec.encoding, crawled_at=crawled_at, fetched_url=url)


# Scripts used by (practically) one language: a page that declares no language but is written in one of them.
_SCRIPTS = (("ja", re.compile(r"[\u3040-\u30ff]")), ("ko", re.compile(r"[\uac00-\ud7af]")),
            ("zh", re.compile(r"[\u4e00-\u9fff]")), ("th", re.compile(r"[\u0e00-\u0e7f]")),
            ("el", re.compile(r"[\u0370-\u03ff]")), ("he", re.compile(r"[\u0590-\u05ff]")),
            ("hi", re.compile(r"[\u0900-\u097f]")), ("ka", re.compile(r"[\u10a0-\u10ff]")),
            ("hy", re.compile(r"[\u0530-\u058f]")))


def script_language(text: str) -> str | None:
    """Language of a text written mostly in a script only one language uses (kana -> ja, Hangul -> ko, Han -> zh,
    Thai, Greek, Hebrew, Devanagari -> hi, Georgian, Armenian); None otherwise."""
    sample = text[:4000]
    letters = _letters(sample)
    if not letters:
        return None
    for lang, pattern in _SCRIPTS:
        n = len(pattern.findall(sample))
        if lang == "ja" and n >= 0.05 * letters or lang != "ja" and n >= 0.3 * letters:
            return lang
    return None


def page_to_record(page: Page, src, notes: list[Note], *, encoding: str = "utf-8", crawled_at: str | None = None,
                   fetched_url: str | None = None) -> Record:
    words = len(page.text.split())
    size = _letters(page.text)
    if not words:
        what = "no main text found" + (f" (title {page.title[:60]!r})" if page.title else "")
        return Rejection(src.origin, f"not an article: {what} - an index, navigation or script-only page; "
                                     "nothing stored (save the article page itself)")
    if not page.is_article and size < MIN_LETTERS_UNMARKED:
        return Rejection(src.origin, f"not an article: {size} letters ({words} words) of main text and no article "
                                     "markup (og:type/JSON-LD) - likely an index or navigation page; nothing stored")
    coverage = link_coverage(page.text, page.anchor_words) if not page.is_article else 0.0
    if coverage >= MAX_LINK_COVERAGE:
        return Rejection(src.origin, f"not an article: {coverage:.0%} of its main text is link text and it has no "
                                     "article markup (og:type/JSON-LD) - an index page; nothing stored")
    meta: dict[str, Any] = {"format": "html"}
    if encoding not in ("utf-8", "ascii"):
        meta["encoding"] = encoding
    if crawled_at:
        meta["crawled_at"] = crawled_at
    if fetched_url and page.url and fetched_url != page.url:
        meta["fetched_url"] = fetched_url
    if page.date_from:
        meta["date_from"] = page.date_from
        if page.date_from == "htmldate":
            notes.append(Note("html_date_found", src.origin, str(page.date)))
    if page.language is None and script_language(page.text):
        page.language, page.language_from = script_language(page.text), "script"
    if page.language_from:
        meta["language_from"] = page.language_from
    if page.description:
        meta["description"] = page.description[:1000]
    if page.body_from:
        meta["body_from"] = page.body_from
        notes.append(Note("html_body_from_app_data", src.origin, f"{page.body_from}: {words:,} words"))
    if page.title_cut:
        meta["title_full"] = page.title_full[:1000]
        notes.append(Note(f"html_title_{page.title_cut}_cut", src.origin,
                          f"{page.title_full[:120]!r} -> {page.title[:120]!r}"))
    art = make_article(id=src.id_name, title=page.title, raw_text=page.text, origin=src.origin,
                       date_value=page.date, source=page.site, url=page.url, language=page.language,
                       author=page.author, meta=meta, notes=notes)
    if art is None:  # pragma: no cover - words > 0 means text
        return Rejection(src.origin, "not an article: nothing left after cleaning")
    return art


def iso_day(value: str | None) -> dt.date | None:
    """The calendar day of an ISO date/time string (for benches and tests)."""
    from analysis.ingest.dates import parse_date

    return parse_date(value) if value else None
