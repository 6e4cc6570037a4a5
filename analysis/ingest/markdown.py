"""Markdown -> plain text for analysis: what a reader sees, without the marks.

Scraped ``.md`` files (and ``.txt`` files that are Markdown in all but name) carry ``**bold**``, ``[link](url)``,
``# headings``, ``![images](...)``, ``> quotes``, list markers, ``\\_`` escapes and tables. Left in ``text`` they
show in the reader and reach keywords and NER (``**Yonhap**`` as a keyword, a URL as an organisation).
:func:`markdown_to_text` keeps the words: link text without its URL, emphasis without its stars, a heading, quote
or list item as a paragraph of its own, a table row as its cells joined by "; "; it drops images, rules, link
definitions and code fences (the code inside is kept). ``raw_text`` keeps the Markdown; the build summary counts
the articles changed (note ``markdown_to_text``) with the marks removed per kind.

>>> markdown_to_text("**Seoul** - [Yonhap](https://yna.co.kr) said")
('Seoul - Yonhap said', {'emphasis': 1, 'links': 1})
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

__all__ = ["markdown_to_text", "markdown_title", "looks_like_markdown", "describe", "MARKDOWN_SUFFIXES"]

#: File suffixes read as Markdown whatever they hold.
MARKDOWN_SUFFIXES = (".md", ".markdown")

# Every span is bounded (link text 500 characters, emphasis 300, ...) so a hostile line of 30,000 "[" or "*" costs
# linear time. Backslash escapes are set aside first (private-use characters) so an escaped mark is never read as a mark.
_ESCAPABLE = "\\`*_{}[]()#+-.!|>~<"
_ESC_RE = re.compile(r"\\([" + re.escape(_ESCAPABLE) + r"])")
_PUA = 0xE000

_FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RE = re.compile(r"^\s{0,3}(?:={2,}|-{2,})[ \t]*$")
_RULE_RE = re.compile(r"^\s{0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_QUOTE_RE = re.compile(r"^\s{0,3}(?:>[ \t]?)+")
_LIST_RE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?=\S)")
_LINK_DEF_RE = re.compile(r"^\s{0,3}\[[^\[\]\n]{1,200}\]:[ \t]*\S+.*$")
_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_IMAGE_RE = re.compile(r"!\[([^\[\]\n]{0,500})\]\([^()\n]{0,2000}\)|!\[([^\[\]\n]{0,500})\]\[[^\[\]\n]{0,200}\]")
_LINK_RE = re.compile(r"\[([^\[\]\n]{1,500})\]\((?:[^()\s]{1,2000}|[^()\n]{0,2000}\([^()\n]{0,2000}\)[^()\n]{0,2000})(?:\s+\"[^\"\n]{0,500}\")?\)")
_REF_LINK_RE = re.compile(r"\[([^\[\]\n]{1,500})\]\[[^\[\]\n]{0,200}\]")
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp)://[^>\s]+|[^>\s@]+@[^>\s@]+\.[a-z]{2,})>", re.IGNORECASE)
_CODE_RE = re.compile(r"(`{1,3})([^`\n]{1,500})\1")
_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)(.{1,300}?)(?<=\S)\1")
_STRIKE_RE = re.compile(r"~~(?=\S)(.{1,300}?)(?<=\S)~~")
_EM_STAR_RE = re.compile(r"(?<![\w*])\*(?=[^\s*])(.{1,300}?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDER_RE = re.compile(r"(?<![\w_])_(?=[^\s_])(.{1,300}?)(?<=[^\s_])_(?![\w_])")  # never inside snake_case

# Marks that only Markdown writes: a .txt file holding one of them is read as Markdown.
_STRONG_SIGNS = (_LINK_RE, _IMAGE_RE, _STRONG_RE, _ESC_RE, _TABLE_SEP_RE)
_HEADING_SIGN = re.compile(r"^#{1,6} \S", re.MULTILINE)


def looks_like_markdown(text: str, at_least: int = 2) -> bool:
    """True when ``text`` holds at least ``at_least`` marks that only Markdown writes: ``[links](url)``, images,
    ``**strong**``, backslash escapes, table separator rows, ``# heading`` lines. Single stars, underscores and list
    dashes are common in plain text and do not count; one lone mark (a pasted ``[x](...)``) is not enough to read a
    ``.txt`` file as Markdown (``.md`` files always are)."""
    found = len(_HEADING_SIGN.findall(text))
    found += sum(1 for line in text.split("\n") if "|" in line and _TABLE_SEP_RE.match(line))
    for rx in _STRONG_SIGNS:
        if found >= at_least:
            break
        if rx is not _TABLE_SEP_RE:
            found += sum(1 for _ in itertools.islice(rx.finditer(text), at_least))
    return found >= at_least


def markdown_to_text(text: str) -> tuple[str, dict[str, int]]:
    """Plain text of Markdown ``text`` and the marks removed per kind (only kinds that occurred), e.g.
    ``{"links": 2, "emphasis": 3, "headings": 1}``. Kinds: headings, emphasis, links, images, quotes, list items,
    tables, rules, code, link definitions, escapes. Paragraph breaks are kept; a heading, quote line, list item or
    table row ends up as its own paragraph so it is never run into the next sentence."""
    counts: Counter = Counter()
    stash: list[str] = []

    def set_aside(m: re.Match) -> str:
        counts["escapes"] += 1
        stash.append(m.group(1))
        return chr(_PUA + len(stash) - 1)

    text = _ESC_RE.sub(set_aside, text)
    out: list[str] = []
    in_fence = False
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line, i = lines[i], i + 1
        nxt = lines[i] if i < len(lines) else ""
        if _FENCE_RE.match(line):
            counts["code"] += 0 if in_fence else 1
            in_fence = not in_fence
        elif in_fence:
            out.append(line)
        elif line.strip() and _SETEXT_RE.match(nxt) and not _LIST_RE.match(line) and "|" not in line:
            counts["headings"] += 1  # "Title" over "=====" or "-----": the underline goes too
            out += ["", _inline(line.strip(), counts), ""]
            i += 1
        elif _RULE_RE.match(line):
            counts["rules"] += 1
            out.append("")
        elif _LINK_DEF_RE.match(line):
            counts["link definitions"] += 1
        elif "|" in line and _TABLE_SEP_RE.match(line):
            counts["tables"] += 1
        elif "|" in line and (line.strip().startswith("|") and line.count("|") >= 2 or _is_table_row(lines, i - 1)):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out += ["", _inline("; ".join(c for c in cells if c), counts), ""]
        else:
            m = _QUOTE_RE.match(line)
            if m:
                counts["quotes"] += 1
                line = line[m.end():]
            heading, item = _HEADING_RE.match(line), _LIST_RE.match(line)
            if heading:
                counts["headings"] += 1
                out += ["", _inline(heading.group(1), counts), ""]
            elif item:
                counts["list items"] += 1
                out += ["", _inline(line[item.end():], counts), ""]
            else:
                out.append(_inline(line, counts))
    plain = "\n".join(out)
    plain = re.sub(r"\n{3,}", "\n\n", plain).strip("\n")
    if stash:
        plain = re.sub("[\ue000-\uf8ff]", lambda c: stash[ord(c.group()) - _PUA]
                       if ord(c.group()) - _PUA < len(stash) else c.group(), plain)
    return plain, {k: v for k, v in counts.items() if v}


def markdown_title(title: str) -> str:
    """A one-line title without its Markdown: heading marks and inline marks go, a leading "1." stays
    ("# **1. FC Köln** wins" -> "1. FC Köln wins")."""
    m = _HEADING_RE.match(title)
    return _inline(m.group(1) if m else title, Counter())


def _is_table_row(lines: list[str], i: int) -> bool:
    """A line with pipes next to a table separator row (header row above it, body rows below)."""
    if "|" not in lines[i]:
        return False
    for j in range(i - 1, -1, -1):
        if _TABLE_SEP_RE.match(lines[j]) and "|" in lines[j]:
            return True
        if "|" not in lines[j]:
            break
    return i + 1 < len(lines) and bool(_TABLE_SEP_RE.match(lines[i + 1])) and "|" in lines[i + 1]


def _inline(s: str, counts: Counter) -> str:
    s, n = _IMAGE_RE.subn("", s)
    counts["images"] += n
    s, n = _LINK_RE.subn(r"\1", s)
    counts["links"] += n
    s, n = _REF_LINK_RE.subn(r"\1", s)
    counts["links"] += n
    s, n = _AUTOLINK_RE.subn(r"\1", s)
    counts["links"] += n
    s, n = _CODE_RE.subn(r"\2", s)
    counts["code"] += n
    for rx, group in ((_STRONG_RE, r"\2"), (_STRIKE_RE, r"\1"), (_EM_STAR_RE, r"\1"), (_EM_UNDER_RE, r"\1")):
        s, n = rx.subn(group, s)
        counts["emphasis"] += n
    return s


def describe(counts: dict[str, int]) -> str:
    """``"links 2 (URLs dropped), emphasis 3, headings 1"``: the detail of a ``markdown_to_text`` note."""
    return ", ".join(f"{k} {v}" + (" (URLs dropped, text kept)" if k == "links" else "") for k, v in counts.items())
