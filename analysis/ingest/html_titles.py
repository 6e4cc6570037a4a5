"""A page's headline, cleaned: site names, bylines and dates cut from "Title | Site" forms using what the page says
about itself (og:site_name, JSON-LD publisher, the host name, a label shared by <title> and og:title); mojibake and
entities repaired. Every cut is counted by the caller (``html_title_site_cut`` / ``html_title_label_cut``)."""

from __future__ import annotations

import html as htmlmod
import re
from typing import Any

_RE_TITLE_SEP = re.compile(r"\s+[|\-–—·»]\s+|\s*[|•]\s*")
_RE_DATE_SEGMENT = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
# A UTF-8 sequence read as cp1252: a lead byte (Â-ô) and continuation bytes (0x80-0xBF as cp1252 shows them).
_RE_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u20ac\u201a-\u203a\u0152\u0153\u0160\u0161\u0178"
                          "\u017d\u017e\u0192\u02c6\u02dc]+")


def people_names(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for v in values[:20]:
        name = v.get("name") if isinstance(v, dict) else v
        if isinstance(name, str) and name.strip() and not name.strip().startswith("http"):
            names.append(" ".join(name.split()))
    return names


def tidy_title(value: str) -> str:
    """Entities decoded, UTF-8 read as latin-1 repaired ("fÃ¼r" -> "für"), soft hyphens and runs of spaces gone."""
    text = _RE_MOJIBAKE.sub(_unmojibake, htmlmod.unescape(value)).replace("\u00ad", "")
    return " ".join(text.split())


def _unmojibake(m: re.Match) -> str:
    try:
        return m.group(0).encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return m.group(0)


def strip_site_suffix(title: str, site: str | None = None) -> str:
    """Drop trailing " | Site", " - WELT", " – DW – 13.06.2023" segments (short: at most 3 words / 30 characters,
    or the site's own name, or a date); the headline itself is never emptied."""
    site_l = (site or "").strip().casefold()
    while True:
        seps = list(_RE_TITLE_SEP.finditer(title))
        if not seps:
            return title
        last = seps[-1]
        head, tail = title[: last.start()].strip(), title[last.end():].strip()
        short = len(tail) <= 30 and len(tail.split()) <= 3
        if len(head.split()) < 3 or len(head) < len(tail) or not (short or tail.casefold() == site_l
                                                     or _RE_DATE_SEGMENT.match(tail)):
            return title
        title = head


# Separators between a headline and a site name / byline: " | ", " - ", " – ", " · ", " » ", " › ", " « ", " :: ",
# "|", "•", and the Hangul letter "ㅣ" Korean sites use as a pipe. Chinese/Japanese titles join the site name without
# spaces ("…的城！-新华网", "…注意報 気象庁：朝日新聞デジタル"): those separators cut only an exact site name.
_RE_SITE_SEP = re.compile(r"\s+(?:[|\-–—·»›«/~]|::)\s+|\s*[|•\u3163｜]\s*")
_RE_TIGHT_SEP = re.compile(r"[-－:：_|｜]+")
_RE_BYLINE_SEGMENT = re.compile(r"^(?:by|von|par|por|door|av|przez)\s+\S", re.IGNORECASE)
_RE_NOT_WORD = re.compile(r"[\W_]+")
_SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "or", "ne", "go", "gv", "edu"}


def _compact(text: str) -> str:
    return _RE_NOT_WORD.sub("", text.casefold())


def host_name(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0].split("@")[-1].split(":")[0].lower()
    return host.removeprefix("www.") or None


def site_names(*names: str | None, host: str | None = None) -> list[str]:
    """The names a page's site goes by: og:site_name, the JSON-LD publisher, application-name, the host
    ("n-tv.de") and its labels ("tageszeitung" of "www.tageszeitung.it", "bbc" of "bbc.co.uk", "wiki" and
    "piratenpartei" of "wiki.piratenpartei.de")."""
    out = [n.strip() for n in names if n and n.strip()]
    if host:
        out.append(host)
        labels = host.split(".")[:-1]
        while labels and labels[-1] in _SECOND_LEVEL:
            labels.pop()
        out.extend(reversed(labels))
    return list(dict.fromkeys(out))


def _is_site_segment(segment: str, names: list[str]) -> bool:
    """A title segment that is the site's name: equal to one of ``names`` once case and punctuation are ignored
    ("n-tv.de", "EXPRESS.co.uk"), or a short capitalised name that starts or ends with one of at least 4 letters
    or holds one of at least 6 ("Daily Mail Online" for "Mail Online", "Die Neue Südtiroler Tageszeitung" for
    tageszeitung.it, "EFC Bayrische Bembel Regensburg" for bayrische-bembel.de)."""
    c = _compact(segment)
    if not c:
        return False
    words = segment.split()
    capitalised = len(words) <= 4 and all(not w[0].isalpha() or w[0].isupper() for w in words)
    for name in names:
        n = _compact(name)
        if not n:
            continue
        if c == n or capitalised and (len(n) >= 4 and (c.startswith(n) or c.endswith(n)) or len(n) >= 6 and n in c):
            return True
    return False


def _is_byline_segment(segment: str, authors: list[str]) -> bool:
    if len(segment.split()) <= 5 and _RE_BYLINE_SEGMENT.match(segment):
        return True
    c = _compact(segment)
    return bool(c) and any(c == _compact(a) for a in authors)


def shared_label(title: str, other: str) -> list[str]:
    """The last segment of ``title`` when ``other`` (the page's ``<title>``) ends with it too after a different
    headline: a label the site puts on every page ("… | Example News"), so a site name even when no metadata
    names the site. ``[]`` otherwise (a headline's own tail is shared only when both titles are the same).

    >>> shared_label("Stadtrat stimmt für Straßenbahn | Example News", "Tram line to grow | Example News")
    ['Example News']
    """
    a, b = list(_RE_SITE_SEP.finditer(title)), list(_RE_SITE_SEP.finditer(other or ""))
    if not a or not b:
        return []
    tail_a, tail_b = title[a[-1].end():].strip(), other[b[-1].end():].strip()
    head_a, head_b = title[: a[-1].start()].strip(), other[: b[-1].start()].strip()
    if tail_a and tail_a.casefold() == tail_b.casefold() and _compact(head_a) != _compact(head_b):
        return [tail_a]
    return []


def _cut_tight_site_name(title: str, names: list[str]) -> str | None:
    """``"…的城！-新华网"`` -> ``"…的城！"``: the title ends with a site name right after a separator."""
    low = title.casefold()
    for name in names:
        name = name.strip()
        if len(name) < 2 or not low.endswith(name.casefold()):
            continue
        head = title[: len(title) - len(name)].rstrip()
        rest = head.rstrip("-－:：_|｜").rstrip()
        if rest != head and _compact(rest):
            return rest
    return None


def cut_site_name(title: str, names: list[str], authors: list[str] = ()) -> tuple[str, bool]:
    """``(title without a leading/trailing site name, byline or date segment, whether one was cut)``.
    Only segments that name the site (see ``site_names``), an author ("by Cristina Laila") or a date are cut, so a
    headline's own " – das erwarten wir" stays; the headline is never emptied.

    >>> cut_site_name("Judy Lybke, ganz und gar nicht eigenartig - n-tv.de", ["n-tv.de"])
    ('Judy Lybke, ganz und gar nicht eigenartig', True)
    >>> cut_site_name("Vädjar efter attackerna – ”kritiskt”", ["Aftonbladet"])
    ('Vädjar efter attackerna – ”kritiskt”', False)
    """
    cut = False
    while True:
        seps = list(_RE_SITE_SEP.finditer(title))
        if not seps:
            tight = _cut_tight_site_name(title, names)
            if tight:
                title, cut = tight, True
                continue
            return title, cut
        first, last = seps[0], seps[-1]
        head, tail = title[: last.start()].strip(), title[last.end():].strip()
        if _compact(head) and (_is_site_segment(tail, names) or _is_byline_segment(tail, authors)
                               or _RE_DATE_SEGMENT.match(tail)):
            title, cut = head, True
            continue
        tight = _cut_tight_site_name(title, names)
        if tight:
            title, cut = tight, True
            continue
        lead, rest = title[: first.start()].strip(), title[first.end():].strip()
        if _compact(rest) and len(rest.split()) >= 2 and _is_site_segment(lead, names):
            title, cut = rest, True
            continue
        return title, cut
