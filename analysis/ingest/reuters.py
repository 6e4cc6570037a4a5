"""Reuters-21578 SGML (``reut2-*.sgm``, or any SGML holding ``<REUTERS>`` documents).

The files are not valid XML (unescaped ``>``, control-character entities), so they are parsed with regexes, read as
latin-1. Each ``<REUTERS>`` with a ``<BODY>`` becomes one article; documents without a body (BRIEF: title only,
UNPROC: unparsed) are skipped, as in ``reuters21578/jsonl/articles.jsonl`` (15,057 stories from reut2-000..016).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from analysis.ingest.readers import Src
from analysis.ingest.records import make_article
from analysis.model import Article, Rejection

__all__ = ["read_reuters_sgml", "looks_like_reuters", "reuters_raw_text"]

_RE_DOC = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_RE_OPEN = re.compile(r"<REUTERS\b([^>]*)>")
_RE_ATTR = re.compile(r'([A-Z]+)="([^"]*)"')
_RE_CTRL_ENT = re.compile(r"&#\d+;")
_FIELDS = ("DATE", "TITLE", "DATELINE", "BODY", "AUTHOR")
_LISTS = ("TOPICS", "PLACES", "PEOPLE", "ORGS", "EXCHANGES", "COMPANIES")
_RE_FIELD = {tag: re.compile(f"<{tag}>(.*?)</{tag}>", re.S) for tag in _FIELDS + _LISTS}
_RE_D = re.compile(r"<D>(.*?)</D>", re.S)
_RE_TEXT_TYPE = re.compile(r'<TEXT\b[^>]*TYPE="([A-Z]+)"')


def looks_like_reuters(text: str) -> bool:
    """True when the (decoded) file holds at least one ``<REUTERS ...>`` document."""
    return bool(re.search(r"<REUTERS\b[^>]*>", text[:200_000]))


def _unescape(s: str) -> str:
    # Control entities (&#2; &#3; &#5; ...) are teletype noise; drop them before the three named entities.
    s = _RE_CTRL_ENT.sub("", s)
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def reuters_raw_text(dateline: str | None, body: str) -> str:
    """The story text in the JSONL's format: ``"<DATELINE stripped> <BODY>"`` with entities decoded, trailing
    spaces removed from every line and the whole stripped, e.g. ``"SALVADOR, Feb 26 - Showers continued ..."``."""
    text = (_unescape(dateline).strip() + " " if dateline else "") + _unescape(body)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def read_reuters_sgml(data: bytes, src: Src, column_map: dict[str, str] | None = None) -> Iterator[Article | Rejection]:
    """Articles from one Reuters SGML file.

    id ``reuters-<NEWID>``, title from ``<TITLE>``, raw text = dateline + body (``reuters_raw_text``), date from
    ``<DATE>`` (tolerant: junk and impossible hours ignored; source "metadata"), source "Reuters", and meta with
    ``places``, ``topics``, ``people``, ``orgs``, ``exchanges``, ``companies`` (lists), ``author``, ``lewissplit``,
    ``cgisplit``, ``oldid``, ``topics_attr``, ``text_type``. ``column_map`` is ignored.
    """
    if not data:
        yield Rejection(src.origin, "empty file (0 bytes): remove it")
        return
    text = data.decode("latin-1")  # ASCII plus a stray 0xFC in reut2-017: latin-1 never fails
    if not looks_like_reuters(text):
        yield Rejection(src.origin, "SGML file without <REUTERS> documents: only Reuters-21578 SGML is supported")
        return
    last_end = 0
    for m in _RE_DOC.finditer(text):
        last_end = m.end()
        attrs = dict(_RE_ATTR.findall(m.group(1)))
        doc = m.group(2)
        newid = attrs.get("NEWID", "").strip()
        origin = f"{src.origin}:NEWID {newid or '?'}"
        if not newid:
            yield Rejection(origin, "Reuters document without NEWID attribute: skipped")
            continue
        body_m = _RE_FIELD["BODY"].search(doc)
        if body_m is None:
            continue  # BRIEF / UNPROC documents: no story text, skipped like the published JSONL
        fields = {}
        for tag in ("DATE", "TITLE", "DATELINE", "AUTHOR"):
            fm = _RE_FIELD[tag].search(doc)
            fields[tag] = fm.group(1) if fm else None
        meta: dict[str, object] = {}
        for tag in _LISTS:
            fm = _RE_FIELD[tag].search(doc)
            meta[tag.lower()] = [_unescape(d).strip() for d in _RE_D.findall(fm.group(1))] if fm else []
        if fields["AUTHOR"]:
            meta["author"] = re.sub(r"\s+", " ", _unescape(fields["AUTHOR"])).strip()
        meta["topics_attr"] = attrs.get("TOPICS")
        meta["lewissplit"] = attrs.get("LEWISSPLIT")
        meta["cgisplit"] = attrs.get("CGISPLIT")
        meta["oldid"] = attrs.get("OLDID")
        tt = _RE_TEXT_TYPE.search(doc)
        meta["text_type"] = tt.group(1) if tt else "NORM"
        raw_date = fields["DATE"]
        if raw_date is not None:
            meta["date_raw"] = raw_date.strip()
        art = make_article(
            id=f"reuters-{newid}",
            title=_unescape(fields["TITLE"] or "").strip(),
            raw_text=reuters_raw_text(fields["DATELINE"], body_m.group(1)),
            origin=origin,
            date_value=_unescape(raw_date) if raw_date else None,
            source="Reuters",
            meta=meta,
        )
        if art is None:
            yield Rejection(origin, "Reuters document with an empty BODY and no TITLE: skipped")
        else:
            yield art
    cut = _RE_OPEN.search(text, last_end)
    if cut is not None:  # a truncated file: the last document never closes
        attrs = dict(_RE_ATTR.findall(cut.group(1)))
        where = f"{src.origin}:NEWID {attrs.get('NEWID', '?').strip() or '?'}"
        yield Rejection(where, "Reuters document cut off before </REUTERS> (truncated file?): skipped; "
                               "re-copy the complete file")
