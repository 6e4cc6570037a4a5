"""Headers of text/Markdown articles: YAML ``---`` front matter, TOML ``+++`` headers, and the broken ones crawlers
write (tab-indented continuation lines, unquoted colons, no closing ``---``, no fences at all).

YAML/TOML are tried first; when they fail, a line-wise ``key: value`` reader takes over (``status="repaired"``).
Known keys become fields (``HEADER_KEYS``); every other key, crawl times included, stays metadata. The header never
becomes body text or the title: a header nothing can be read from is kept whole in ``meta["front_matter_raw"]``
(``status="unreadable"``).

>>> h = split_header("---\\ntitle: Talks: day two\\nauthor: Jane\\n\\tDoe\\ncrawled_at: 2025-12-29\\n---\\nBody.")
>>> (h.status, h.fields, h.meta, h.body)
('repaired', {'title': 'Talks: day two', 'author': 'Jane Doe'}, {'crawled_at': '2025-12-29'}, 'Body.')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from analysis.ingest.records import jsonable

__all__ = ["Header", "split_header", "HEADER_KEYS", "CRAWL_KEYS", "canonical_key"]

#: Canonical field -> header keys (normalised: lower case, ``-``/space/``.`` -> ``_``), in priority order.
HEADER_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "og_title"),
    "date": ("date", "published_at", "published", "pubdate", "pub_date", "publish_date", "published_date",
             "date_published", "datepublished", "publication_date", "first_published", "issued", "created",
             "created_at", "updated", "updated_at", "modified", "last_modified", "date_modified", "datemodified"),
    "source": ("source", "publisher", "site_name", "sitename", "og_site_name", "site", "outlet", "source_name",
               "agency"),
    "url": ("url", "link", "canonical", "canonical_url", "permalink", "source_url", "og_url"),
    "author": ("author", "authors", "byline", "by", "creator", "writer"),
    "language": ("lang", "language", "locale", "inlanguage"),
}
#: Crawl times: metadata only, never the publication date.
CRAWL_KEYS = ("crawled_at", "crawl_date", "crawled", "crawl_time", "crawled_on", "fetched_at", "fetched",
              "scraped_at", "scraped", "retrieved_at", "retrieved", "downloaded_at", "accessed", "accessed_at")
_KEY_TO_CANON = {k: canon for canon, keys in HEADER_KEYS.items() for k in keys}
_KNOWN_KEYS = set(_KEY_TO_CANON) | set(CRAWL_KEYS) | {"tags", "categories", "category", "section", "id",
                                                        "description", "summary", "keywords", "image", "slug"}

MAX_HEADER_CHARS = 65_536
MAX_HEADER_LINES = 400

_RE_FENCE = {"---": re.compile(r"^(?:---|\.\.\.)[ \t]*$"), "+++": re.compile(r"^\+\+\+[ \t]*$")}
_RE_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w\-.]*(?: [\w\-.]+){0,2})[ \t]*(?P<sep>:|=)(?:[ \t]+|$)(?P<value>.*)$")
_RE_LIST_ITEM = re.compile(r"^[ \t]*-[ \t]+(?P<item>.*)$")
_RE_RULE = re.compile(r"^[ \t]*([-=+*_])(?:[ \t]*\1){2,}[ \t]*$")


@dataclass
class Header:
    """``fields``: canonical name -> value; ``meta``: other keys; ``body``: the text after the header;
    ``status``: "none" | "yaml" | "toml" | "repaired" | "unreadable"; ``detail``: why it was repaired."""

    fields: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    status: str = "none"
    detail: str = ""


def canonical_key(key: Any) -> str:
    """``"Published-At"`` -> ``"published_at"``; ``"pubDate"`` -> ``"pubdate"``."""
    return re.sub(r"[\s\-.]+", "_", str(key).strip().lower())


def _unquote(value: str) -> str:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        v = v[1:-1]
    return v


def _scalar(value: str) -> Any:
    v = value.strip()
    if v.startswith("[") and v.endswith("]"):
        return [_unquote(x) for x in v[1:-1].split(",") if x.strip()]
    return _unquote(v)


def _line_wise(lines: list[str], toml: bool = False) -> tuple[dict[str, Any], int]:
    """``key: value`` (or ``key = value``) lines; indented or unkeyed lines continue the previous value.

    Returns ``(mapping, number of lines no key could be read from and no value to continue)``.
    """
    out: dict[str, Any] = {}
    key: str | None = None
    stray = 0
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = None if line[:1] in " \t" else _RE_KEY_LINE.match(line)
        if m and (m.group("sep") == ":" or toml):
            key = m.group("key").strip()
            value = m.group("value").strip()
            out[key] = "" if value in ("|", ">", "|-", ">-", "|+", ">+") else _scalar(value)
            continue
        if key is None:
            stray += 1
            continue
        item = _RE_LIST_ITEM.match(line)
        prev = out[key]
        if item and (prev == "" or isinstance(prev, list)):
            out[key] = ([] if prev == "" else prev) + [_unquote(item.group("item"))]
        elif isinstance(prev, list):
            prev.append(_unquote(line))
        else:
            out[key] = (str(prev) + " " + _unquote(line)).strip()
    return out, stray


_LOADER: list[Any] = []


def _no_alias_loader():
    if not _LOADER:
        import yaml

        class NoAliasLoader(yaml.SafeLoader):
            """Front matter never needs YAML aliases; refusing them defuses "billion laughs" alias bombs."""

            def compose_node(self, parent, index):
                if self.check_event(yaml.AliasEvent):
                    event = self.peek_event()
                    raise yaml.composer.ComposerError(None, None, "aliases are not allowed in front matter",
                                                      event.start_mark)
                return super().compose_node(parent, index)

        _LOADER.append(NoAliasLoader)
    return _LOADER[0]


def _yaml(text: str) -> dict[str, Any] | None:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is pinned
        return None
    try:
        data = yaml.load(text, Loader=_no_alias_loader())
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError, TypeError):
        return None
    return data if isinstance(data, dict) and data else None


def _toml(text: str) -> dict[str, Any] | None:
    import tomllib

    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None
    return data or None


def _assign(header: Header, mapping: dict[str, Any]) -> None:
    """Known keys -> ``fields`` (first non-empty key in priority order wins), the rest -> ``meta``."""
    by_canon: dict[str, list[tuple[int, Any]]] = {}
    for key, value in mapping.items():
        ck = canonical_key(key)
        canon = _KEY_TO_CANON.get(ck)
        empty = value is None or (isinstance(value, (str, list, dict)) and not value)
        if canon is not None and not empty and not isinstance(value, dict):
            by_canon.setdefault(canon, []).append((HEADER_KEYS[canon].index(ck), key, value))
        else:
            header.meta[str(key)[:200]] = jsonable(value)
    for canon, options in by_canon.items():
        options.sort(key=lambda t: t[0])
        (_prio, key, value), rest = options[0], options[1:]
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        header.fields[canon] = value
        if canon == "date" and canonical_key(key) in HEADER_KEYS["date"][-8:]:
            header.meta["date_key"] = str(key)  # a modification time used as the date: say so
        for _p, k, v in rest:
            header.meta[str(k)[:200]] = jsonable(v)


def _is_key_line(line: str, known_only: bool) -> bool:
    m = _RE_KEY_LINE.match(line) if line[:1] not in " \t" else None
    if not m or m.group("sep") != ":":
        return False
    return not known_only or canonical_key(m.group("key")) in _KNOWN_KEYS


def _unfenced_block(lines: list[str], start: int, known_only: bool) -> int:
    """End index (exclusive) of a run of key lines from ``start`` (continuations included; ends at a blank line)."""
    i = start
    while i < len(lines) and i - start < MAX_HEADER_LINES:
        line = lines[i]
        if not line.strip():
            break
        if _is_key_line(line, known_only) or (i > start and (line[:1] in " \t" or _RE_LIST_ITEM.match(line))):
            i += 1
            continue
        break
    return i


def split_header(text: str) -> Header:
    """Split a text file (newlines already ``\\n``, BOM removed) into its header and body; see the module doc."""
    lines = text[: MAX_HEADER_CHARS * 2].split("\n", MAX_HEADER_LINES + 2)
    first = 0
    while first < len(lines) - 1 and not lines[first].strip():
        first += 1
    opener = lines[first].strip() if lines else ""
    if opener in ("---", "+++"):
        return _fenced(text, lines, first, opener)
    # No fences: a run of at least two known "key: value" lines at the very top is a header all the same.
    end = _unfenced_block(lines, first, known_only=True)
    keyed = sum(1 for ln in lines[first:end] if _is_key_line(ln, True))
    if keyed >= 2 and any(canonical_key(_RE_KEY_LINE.match(ln).group("key")) in _KEY_TO_CANON
                          for ln in lines[first:end] if _is_key_line(ln, True)):
        header = Header(status="repaired", detail="header without --- lines")
        mapping, _ = _line_wise(lines[first:end])
        _assign(header, mapping)
        header.body = _rest(text, lines, end)
        return header
    return Header(body=text)


def _rest(text: str, lines: list[str], index: int) -> str:
    """The text from line ``index`` on (``lines`` is a prefix split of ``text``)."""
    offset = sum(len(ln) + 1 for ln in lines[:index])
    return text[offset:] if offset <= len(text) else ""


def _fenced(text: str, lines: list[str], first: int, opener: str) -> Header:
    fence = _RE_FENCE[opener]
    close = next((i for i in range(first + 1, min(len(lines), first + MAX_HEADER_LINES))
                  if fence.match(lines[i])), None)
    toml = opener == "+++"
    header = Header()
    if close is not None:
        inner = "\n".join(lines[first + 1 : close])
        body_start = close + 1
        parsed = (_toml if toml else _yaml)(inner) if inner.strip() else {}
        if parsed is not None:
            header.status = "toml" if toml else "yaml"
            _assign(header, parsed)
            header.body = _rest(text, lines, body_start)
            return header
        mapping, stray = _line_wise(lines[first + 1 : close], toml=toml)
        header.detail = f"not valid {'TOML' if toml else 'YAML'}"
    else:
        # No closing fence: the header is the run of key lines after the opener, up to the first blank line.
        end = _unfenced_block(lines, first + 1, known_only=False)
        if end == first + 1:  # a lone rule line, not a header: drop it so it never becomes the title
            return Header(body=_rest(text, lines, first + 1))
        mapping, stray = _line_wise(lines[first + 1 : end], toml=toml)
        body_start = end
        header.detail = f"no closing {opener}"
    header.body = _rest(text, lines, body_start)
    if mapping:
        header.status = "repaired"
        if stray:
            header.detail += f"; {stray} line(s) before the first key ignored"
        _assign(header, mapping)
    else:
        header.status = "unreadable"
        header.meta["front_matter_raw"] = "\n".join(lines[first:body_start])[:10_000]
    return header


def is_rule_line(line: str) -> bool:
    """``---``, ``***``, ``===``, ``+++``...: a separator, never a title."""
    return bool(_RE_RULE.match(line))
