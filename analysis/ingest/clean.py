"""Turn raw scraped / wire text into clean paragraphs.

``clean_text`` is deterministic and linear-time (regexes without nested quantifiers), so a 50 MB line is safe.

>>> clean_text("<p>Fish &amp; chips</p><p>Second\\nline.</p>\\nscroll to top")
'Fish & chips\\n\\nSecond line.'
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["clean_text", "clean_title", "BOILERPLATE_LINES"]

# Element names we treat as HTML. Anything else in angle brackets is kept: Reuters writes tickers as "<BP>".
_HTML_TAGS = (
    "a|abbr|address|article|aside|b|big|blockquote|body|br|button|caption|center|cite|code|dd|del|div|dl|dt|em|"
    "figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|label|li|link|main|mark|"
    "meta|nav|noscript|ol|option|p|picture|pre|q|s|section|select|small|source|span|strike|strong|sub|summary|sup|"
    "svg|table|tbody|td|textarea|tfoot|th|thead|time|title|tr|tt|u|ul|video|wbr"
)
_RE_HTML_HINT = re.compile(
    r"</(?:" + _HTML_TAGS + r")\s*>|<(?:br|p|div|span|a\s|img\s|script|style)\b[^<>]{0,500}>", re.I
)
_RE_DROP_OPEN = re.compile(r"<!--|<(script|style|noscript|template)\b[^<>]{0,1000}>", re.I)
_RE_BREAK_TAGS = re.compile(r"<br\s*/?>", re.I)
_RE_BLOCK_TAGS = re.compile(
    r"</?(?:p|div|li|ul|ol|h[1-6]|blockquote|section|article|header|footer|tr|table|figure|figcaption|pre|hr|"
    r"dd|dt|dl|main|aside|nav)\b[^<>]{0,1000}>",
    re.I,
)
_RE_ANY_HTML_TAG = re.compile(r"</?(?:" + _HTML_TAGS + r")\b[^<>]{0,1000}>", re.I)

# SGML numeric entities for control characters (Reuters "&#2;", "&#5;", "&#127;") go before html.unescape,
# which would turn a few of them into cp1252 symbols.
_RE_CTRL_ENTITY = re.compile(
    r"&#(?:0*(?:[0-8]|1[1-9]|2\d|3[01]|12[7-9]|1[3-5]\d)|x0*(?:[0-8]|1[0-9a-f]|7f|[89][0-9a-f]));", re.I
)
_RE_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
# Runs of 2+ spaces or any other space character -> one space. A lone " " is left alone: matching (and replacing)
# every single space was half of clean_text's time.
_RE_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_RE_PARA_START = re.compile(r"\n(?=(?: {2,}|\t)|[ \t]*(?:[-*•·▪] |\d{1,3}[.)] ))")
_RE_BLANK_LINES = re.compile(r"\n[ \t]*\n")

#: Whole lines (case-insensitive, ignoring surrounding punctuation) that scrapers leave behind.
BOILERPLATE_LINES = (
    r"scroll to top|back to top|go to top|top of page|skip to (?:main )?content|advertisement|advertising|"
    r"sponsored(?: content)?|read more|read more here|continue reading|read the full (?:story|article)|"
    r"share this(?: article| story| page)?|share on (?:facebook|twitter|x|linkedin|whatsapp)|share|tweet|"
    r"print|print this (?:article|page)|email this (?:article|story)|"
    r"click here to subscribe|subscribe(?: now| today)?|subscribe to (?:our|the) newsletter|"
    r"sign up (?:for|to) (?:our|the) newsletter|sign up for free|related articles|related stories|related|"
    r"recommended(?: for you)?|most read|more on this story|you may also like|comments|leave a comment|"
    r"accept(?: all)? cookies|cookie settings|manage cookies|reuter|reuters"
)
_RE_BOILERPLATE = re.compile(r"^[\W_]*(?:" + BOILERPLATE_LINES + r")[\W_]*$", re.I)
# Longer banner lines: only when short enough to be a banner, never a paragraph of the story.
_RE_BANNER = re.compile(
    r"^(?:.{0,80}\ball rights reserved\b.{0,80}|(?:this (?:web)?site|we) uses? cookies\b.{0,250}|"
    r"by (?:using|continuing to use) (?:this|our) (?:web)?site\b.{0,250}|copyright\s*(?:©|\(c\))?\s*\d{4}\b.{0,120})$",
    re.I,
)
_RE_TRAILING_SIGNOFF = re.compile(r"[ \t]{2,}(?:REUTER|Reuter)S?[ \t]*$", re.M)


def _drop_blocks(s: str) -> str:
    """Remove comments and script/style/noscript/template elements with their content.

    A manual scan rather than one lazy regex so that many unclosed ``<!--`` or ``<script>`` stay linear: an
    unclosed block drops the rest of the text (a browser would not show it either).
    """
    out: list[str] = []
    pos = 0
    lower: str | None = None
    while True:
        m = _RE_DROP_OPEN.search(s, pos)
        if m is None:
            out.append(s[pos:])
            break
        out.append(s[pos : m.start()])
        if m.group(1) is None:
            end = s.find("-->", m.end())
            close_len = 3
        else:
            if lower is None:
                lower = s.lower()
            end = lower.find("</" + m.group(1).lower(), m.end())
            close_len = 0
            if end >= 0:
                gt = s.find(">", end)
                close_len = (gt - end + 1) if gt >= 0 else len(s) - end
        if end < 0:
            break
        out.append(" ")
        pos = end + close_len
    return "".join(out)


def _strip_html(s: str) -> str:
    s = _drop_blocks(s)
    s = _RE_BREAK_TAGS.sub("\n\n", s)  # a visible line break: keep it as a paragraph break
    s = _RE_BLOCK_TAGS.sub("\n\n", s)
    return _RE_ANY_HTML_TAG.sub("", s)


_RE_BANNER_HINT = re.compile(r"reserved|cookie|copyright|\bsite\b", re.I)


_BANNER_WORDS = ("reserved", "Reserved", "RESERVED", "cookie", "Cookie", "COOKIE", "opyright", "OPYRIGHT", "site",
                 "Site", "SITE")


def _may_hold_banner(text: str) -> bool:
    """Whether any banner word is in the text at all: plain substring scans, far cheaper than a case-insensitive
    regex per line (which cost Reuters' short wrapped lines a quarter of clean_text)."""
    return any(w in text for w in _BANNER_WORDS)


def _is_boilerplate(line: str, may_be_banner: bool = True) -> bool:
    if len(line) <= 60 and _RE_BOILERPLATE.match(line):
        return True
    return may_be_banner and len(line) <= 400 and bool(_RE_BANNER_HINT.search(line)) and bool(_RE_BANNER.match(line))


def clean_text(raw: str) -> str:
    """Clean one article body.

    Input: raw text (plain, wire copy with SGML entities, or scraped HTML). Output: text with HTML tags removed
    (``<script>``/``<style>`` content dropped, ``<br>``, ``<p>``, ``<div>``... -> paragraph break; only
    known HTML element names, so ``<BP>`` tickers survive), entities decoded, control characters removed,
    boilerplate lines dropped (whole lines only, see ``BOILERPLATE_LINES``; a wire sign-off "Reuter" too),
    whitespace collapsed, and paragraphs separated by exactly one blank line. A new paragraph starts at a blank
    line, at an indented line (2+ spaces or a tab, as Reuters marks paragraphs) or at a bullet; other single
    newlines (wrapped lines) become spaces.
    """
    if not raw:
        return ""
    s = raw.replace("\r\n", "\n").replace("\r", "\n")
    if _RE_HTML_HINT.search(s):
        s = _strip_html(s)
    s = _RE_CTRL_ENTITY.sub("", s)
    if "&" in s:
        s = html.unescape(s)
    s = unicodedata.normalize("NFC", s)
    s = _RE_CTRL.sub("", s)
    if "eute" in s or "EUTE" in s:
        s = _RE_TRAILING_SIGNOFF.sub("", s)
    # Mark paragraph starts (indented or bulleted lines) with a blank line, then collapse spaces once.
    s = _RE_PARA_START.sub("\n\n", s)
    s = _RE_SPACES.sub(" ", s)
    paragraphs: list[str] = []
    may_be_banner = _may_hold_banner(s)
    for para in _RE_BLANK_LINES.split(s):
        kept = [ln for ln in (x.strip() for x in para.split("\n")) if ln and not _is_boilerplate(ln, may_be_banner)]
        if kept:
            paragraphs.append(" ".join(kept))
    return "\n\n".join(paragraphs)


def clean_title(raw: str, max_chars: int = 500) -> str:
    """One-line title: tags and entities decoded, in Unicode's composed form (NFC, as :func:`clean_text` gives the
    body, so "Café" typed with a combining accent finds "Café"), whitespace collapsed, cut at ``max_chars`` (word
    boundary, "…")."""
    if not raw:
        return ""
    s = unicodedata.normalize("NFC", raw[: max_chars * 4])
    if "<" in s and _RE_HTML_HINT.search(s):
        s = _strip_html(s)
    s = _RE_CTRL_ENTITY.sub("", s)
    if "&" in s:
        s = html.unescape(s)
    s = _RE_CTRL.sub("", s)
    s = _RE_SPACES.sub(" ", s.replace("\n", " ")).strip()
    s = re.sub(r"^#{1,6}\s+", "", s)  # a Markdown heading
    if len(s) > max_chars:
        cut = s[:max_chars].rsplit(" ", 1)[0] or s[:max_chars]
        s = cut.rstrip() + "…"
    return s
