"""Publication, byline and crawl lines near the top (or bottom) of an article body.

``**Yonhap** | 2025-12-28 00:00 |``, ``Published: 12 March 2024 10:32 GMT``, ``Updated Jan 3, 2024``,
``By Jane Doe | Reuters | Jan 3, 2024``, ``Crawled at: 2025-12-29T08:00Z``: such a line is cut into segments (at
``|``, ``•``, ``·`` or a spaced dash) and accepted only when every segment is a date, a time, a label (Published,
Updated, Posted...), a byline (``By ...``), a reading time, or a short name (the source). A story sentence that
mentions a date has other segments, so it is never taken. Accepted lines give the date, the source and the author
and are left out of the analysed text (``raw_text`` keeps them); crawl lines give only ``meta["crawled_at"]``.

>>> p = find_publication_lines("**Yonhap** | 2025-12-28 00:00 |\\n\\nSEOUL -- Talks began.", "Talks")
>>> (p.date.isoformat(), p.source, p.removed)
('2025-12-28', 'Yonhap', [0])
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from analysis.ingest.dates import parse_date

__all__ = ["PublicationLines", "find_publication_lines", "date_in_segment"]

HEAD_LINES = 8  # non-empty lines looked at from the top
TAIL_LINES = 4  # ... and from the bottom
MAX_LINE = 200

_MON = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
        r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_RE_DATE_IN = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|" + _MON + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r",?\s+\d{4}"
    r"|\b\d{1,2}[/.]\d{1,2}[/.]\d{4}\b",
    re.I,
)
# Words that may surround a date in a date segment without making it a sentence.
_RE_DATE_FILLER = re.compile(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|\bat\b|\bon\b|\b\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"|\b(?:[ap]\.?m\.?)(?!\w)|\b(?:utc|gmt|[a-z]{1,4}t)\b|[+-]\d{2}:?\d{2}\b|\(.{0,12}\)|[,|]",
    re.I,
)
_RE_TIME_ZONE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?\s*)?(?:[A-Z]{2,4}|[+-]\d{2}:?\d{2})\b")
_RE_TIME = re.compile(r"^\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}|[+-]\d{2}:?\d{2})?$", re.I)
_RE_LABEL = re.compile(
    r"^(?P<label>first published|last updated|last modified|published|posted|updated|modified|date|dated|"
    r"released|issued)(?:\s+(?:on|at))?\s*[:\-–]?\s*(?P<rest>.*)$",
    re.I,
)
_NAME_WORD = r"(?:[A-Z][\w.'’&-]*|and|de|van|von|der|la|le|al|bin|da|del|y)"
_RE_BYLINE = re.compile(r"^(?i:by|written by|reporting by|words by)\s+(?P<name>[A-Z][\w.'’-]*(?:,?\s+" + _NAME_WORD
                        + r"){0,6})$")
_RE_READ_TIME = re.compile(r"^\d{1,3}\s*(?:min(?:ute)?s?|mins?)\.?(?:\s+read)?$|^\d+\s+comments?$", re.I)
_RE_SOURCE = re.compile(r"^[A-Z][\w.'’&-]*(?:\s+[A-Z(][\w.'’&()-]*){0,4}$")
_RE_SPLIT = re.compile(r"\s*(?:[|•·¦‖]|\s[-–—]{1,2}\s)\s*")
_RE_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(.+?)\1")
# Every line worth reading holds a full date (so a 4-digit year) or starts a byline: a cheap test first.
_RE_QUICK = re.compile(r"[12]\d\d\d|^\W*(?:by|written by|reporting by|words by)\s", re.IGNORECASE)
# The same test over a whole end of the text, as two simple scans (one alternation with \W* was 4x slower).
_RE_YEAR = re.compile(r"[12]\d\d\d")  # every full date has a year (a prefilter: lookarounds made it 2x slower)
_RE_BY_START = re.compile(r"(?:^|\n)[^\w\n]{0,5}(?:[Bb][Yy]|[Ww]ritten [Bb]y|[Rr]eporting [Bb]y|[Ww]ords [Bb]y)\s")


def _worth_a_look(raw: str, start: int, end: int) -> bool:
    # Bylines without a date sit in the first or last lines: a short scan for them.
    return bool(_RE_YEAR.search(raw, start, end) or _RE_BY_START.search(raw, start, min(end, start + 400)))
_RE_CRAWL = re.compile(
    r"^\W*(?:crawled|scraped|fetched|retrieved|downloaded|accessed|archived)(?:\s+(?:at|on))?\s*[:\-–]?\s*"
    r"(?P<rest>.{4,80})$",
    re.I,
)


@dataclass
class PublicationLines:
    """What the lines said: ``date`` and its ``kind`` ("published" or "updated"), ``source``, ``author``,
    ``crawled_at`` (raw), and ``removed``: indices into ``raw.split("\\n")`` of the lines left out of the text."""

    date: dt.date | None = None
    kind: str = ""
    source: str | None = None
    author: str | None = None
    crawled_at: str | None = None
    removed: list[int] = field(default_factory=list)


def date_in_segment(segment: str) -> dt.date | None:
    """The date of a segment that is only a date (with time, zone, weekday around it), else ``None``."""
    s = segment.strip()
    m = _RE_DATE_IN.search(s)
    if not m:
        return parse_date(s) if len(s) <= 40 else None  # compact or RFC 2822 forms
    rest = _RE_DATE_FILLER.sub(" ", s[: m.start()] + " " + s[m.end():])
    if rest.strip(" \t,.;:-–—"):
        return None
    # Keep the time and zone for the conversion to UTC, also when they come first ("23:30 EST, 11 March 2024").
    t = _RE_TIME_ZONE.search(s[: m.start()])
    if t is not None:
        d = parse_date(f"{m.group(0)} {t.group(0)}")
        if d is not None:
            return d
    return parse_date(s[m.start():]) or parse_date(s) or parse_date(m.group(0))


def _plain(line: str) -> str:
    s = _RE_EMPHASIS.sub(r"\2", line.strip())
    return s.strip(" \t>#*_")


def _read_line(line: str) -> tuple[dt.date | None, str, str | None, str | None, bool] | None:
    """``(date, kind, source, author, strong)`` for a publication/byline line, ``None`` for anything else;
    ``strong``: labelled, a byline, emphasised or in segments (not a bare date)."""
    s = _plain(line)
    if not s or len(s) > MAX_LINE:
        return None
    emphasised = bool(_RE_EMPHASIS.search(line))
    segments = [seg.strip(" \t*_") for seg in _RE_SPLIT.split(s)]
    segments = [seg for seg in segments if seg]
    if not segments:
        return None
    date, kind, source, author, labelled = None, "", None, None, False
    for seg in segments:
        m = _RE_LABEL.match(seg)
        if m:
            rest, _, by = m.group("rest").strip().partition(" by ")
            if by.strip():  # "Posted on 2024-03-12 by admin"
                author = author or by.strip()[:80]
            d = date_in_segment(rest) if rest else None
            if rest and d is None and not _RE_TIME.match(rest):
                return None
            labelled = True
            k = "updated" if m.group("label").lower() in ("updated", "last updated", "modified", "last modified") \
                else "published"
            if d is not None and (date is None or (kind == "updated" and k == "published")):
                date, kind = d, k
            continue
        d = date_in_segment(seg)
        if d is not None:
            if date is None:
                date, kind = d, "published"
            continue
        if _RE_TIME.match(seg) or _RE_READ_TIME.match(seg):
            continue
        m = _RE_BYLINE.match(seg)
        if m:
            name = m.group("name").strip()
            # "By Jane Doe, Reuters": the last comma part names the source when it is not a person's initial.
            if "," in name and source is None:
                person, _, org = name.rpartition(",")
                if _RE_SOURCE.match(org.strip()):
                    name, source = person.strip(), org.strip()
            author = author or name
            labelled = True
            continue
        if _RE_SOURCE.match(seg) and len(seg) <= 60 and source is None and len(segments) > 1:
            source = seg
            continue
        return None
    if date is None and author is None:
        return None
    if source is not None and not (emphasised or labelled):
        source = None  # "Mar 12, 2024 | Technology": a section label, not a source
    return date, kind, source, author, labelled or emphasised or len(segments) > 1


def _crawl_time(line: str) -> str | None:
    m = _RE_CRAWL.match(_plain(line))
    if not m:
        return None
    rest = m.group("rest").strip()
    return rest if (date_in_segment(rest) is not None or _RE_DATE_IN.search(rest)) else None


def _candidates(raw: str) -> tuple[dict[int, str], dict[int, str]]:
    """``({index: line}, {index: line before it})`` for the first ``HEAD_LINES`` and last ``TAIL_LINES`` non-empty
    lines that could be publication lines (short, with a 4-digit year or a byline start). Indices count ``raw``'s
    lines; only the ends of the text are split."""
    head = raw[:8000].split("\n", 40)[:40]
    tail = raw[-4000:].rsplit("\n", 12)[1:]
    offset = raw.count("\n") - len(tail) + 1
    picked: dict[int, str] = {}
    before: dict[int, str] = {}
    seen = 0
    for i, line in enumerate(head):
        if line.strip():
            seen += 1
            if len(line) <= MAX_LINE and _RE_QUICK.search(line):
                picked[i], before[i] = line, head[i - 1] if i else ""
            if seen >= HEAD_LINES:
                break
    seen = 0
    for k in range(len(tail) - 1, 0, -1):
        line = tail[k]
        if line.strip():
            seen += 1
            if len(line) <= MAX_LINE and _RE_QUICK.search(line):
                picked.setdefault(offset + k, line)
                before.setdefault(offset + k, tail[k - 1])
            if seen >= TAIL_LINES:
                break
    return picked, before


def find_publication_lines(raw: str, title: str = "") -> PublicationLines:
    """Publication, byline and crawl lines among the first ``HEAD_LINES`` and last ``TAIL_LINES`` non-empty lines
    of ``raw`` (``title`` is unused today; kept for headline-repeat detection by callers)."""
    out = PublicationLines()
    # One scan of each end first: most texts have no year or byline there at all.
    if not raw or not (_worth_a_look(raw, 0, 2000) or _worth_a_look(raw, max(0, len(raw) - 400), len(raw))):
        return out
    all_lines, previous_lines = _candidates(raw)
    if not all_lines:
        return out

    def previous(idx: int) -> str | None:
        return previous_lines.get(idx)

    best_kind = ""
    for idx, line in sorted(all_lines.items()):
        if len(line) > MAX_LINE * 2:
            continue
        # A line continuing a wrapped sentence ("...payable on" / "Feb 26, 1992.") is story text: only a line that
        # starts a paragraph counts, or a strong one (labelled, byline, bold, segments) after a finished sentence.
        before = previous(idx)
        standalone = before is not None and (not before.strip() or (idx - 1) in out.removed)
        after_sentence = before is not None and before.rstrip().endswith((".", "!", "?", '"', "”", ")", "|"))
        if not (standalone or after_sentence):
            continue
        crawl = _crawl_time(line)
        if crawl is not None:
            out.crawled_at = out.crawled_at or crawl
            out.removed.append(idx)
            continue
        found = _read_line(line)
        if found is None:
            continue
        date, kind, source, author, strong = found
        if not (standalone or strong):
            continue
        out.removed.append(idx)
        if date is not None and (out.date is None or (best_kind == "updated" and kind == "published")):
            out.date, out.kind, best_kind = date, kind, kind
        out.source = out.source or source
        out.author = out.author or author
    return out
