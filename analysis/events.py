"""Dated events: every date or period mentioned in an article, resolved to a start/end date where possible.

:func:`find_dates` scans a text with one compiled regex and returns :class:`DateRef` values; spaCy DATE spans are used
only to accept bare month names, bare years and weekdays (which are otherwise too ambiguous: "May", "2018 tonnes").

Resolution rules (``anchor``):

- ``text``: the expression names its own year ("July 14, 2023", "September 2021", "a 2018 accord", "the 1990s",
  "Q3 2023").
- ``article``: relative or partial expressions resolved against the article date ``d``:
  weekday ("on Sunday") = the most recent such day on/before ``d`` ("next Sunday": the first after ``d``);
  month ("in October") = the most recent such month starting on/before ``d`` (``next October``: the first after);
  month + day ("March 3") = the most recent on/before ``d``, except that a date at most 14 days after ``d`` stays
  in ``d``'s year (wire stories announce scheduled dates); quarter ("the fourth quarter") = the year whose quarter
  starts on/before ``d`` + 92 days; "yesterday"/"today"/"tomorrow"; "last/this/next week|month|year"
  (weeks are Monday-Sunday); "earlier/later this year|month"; "N days/weeks/months/years ago".
- ``none``: a relative or partial expression in an undated article: ``resolved=False``, ``start=end=None`` — never
  guessed from other dates in the text.

Not events: four digits that belong to a phone number, an id or a price ("Tel: 1577-0199", "No. 2018", "2000 won";
year ranges such as "2019-2020" stay), and dates that stamp the page rather than tell of an event: on a labelled
line ("Published : 2023-01-04 10:22", "Updated Jan. 4, 2023", "crawled_at: ...", front matter), the dateline's
date ("SEOUL, Jan. 4 (Yonhap) --": the story's own date, which ingest already uses as the article date), a date
followed directly by a clock time ("Jan. 4, 2023 10:22 KST"), and a date alone on its line.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from dataclasses import dataclass

EVENT_COLUMNS = ["uid", "sent", "sentence", "expression", "start", "end", "granularity", "resolved", "anchor"]

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
        "q1": 1, "q2": 2, "q3": 3, "q4": 4}
_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

_MF = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_MA = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_M = rf"(?:{_MF}|{_MA})"
_Y = r"(?:1[5-9]\d\d|20\d\d|2100)"
_D = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_QW = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"

# Words after a number that make it an amount, not a year ("2018 won", "1990 tonnes", "2000 people").
_UNITS = (r"won|yen|yuan|dollars?|euros?|pounds?|rupees?|pesos?|francs?|marks?|krona|kronor|kroner|rubles?|roubles?|"
          r"km|kms|kilometres?|kilometers?|miles?|metres?|meters?|kg|kilos?|kilograms?|tons?|units?|people|persons|"
          r"workers|troops|soldiers|employees|jobs|cars|vehicles|homes|houses|households|cases|deaths|votes|seats|"
          r"points|pages|words|students|members|yards|feet|ft|cc|mw|megawatts|hectares|acres|bpd|mln|bln|billion|"
          r"million|items|pieces|copies|sq|square")
_PATTERNS = [
    ("iso", rf"(?P<iso>{_Y})-(?P<isom>0[1-9]|1[0-2])-(?P<isod>0[1-9]|[12]\d|3[01])"),
    ("mdy", rf"(?P<mdy_m>{_M})\s+(?P<mdy_d>{_D}),?\s+(?P<mdy_y>{_Y})"),
    ("dmy", rf"(?P<dmy_d>{_D})\s+(?:of\s+)?(?P<dmy_m>{_M}),?\s+(?P<dmy_y>{_Y})"),
    ("my", rf"(?P<my_m>{_M}),?\s+(?:of\s+)?(?P<my_y>{_Y})"),
    ("md", rf"(?P<md_m>{_M})\s+(?P<md_d>{_D})(?![\d,]*\d)"),
    ("dm", rf"(?P<dm_d>{_D})\s+(?:of\s+)?(?P<dm_m>{_MF})"),
    ("qy", rf"(?:(?P<qy_q>{_QW})\s+quarter\s+(?:of\s+)?(?P<qy_y>{_Y})|(?P<qy_y2>{_Y})\s+(?P<qy_q2>{_QW})\s+quarter"
           rf"|(?P<qy_q3>Q[1-4])\s+(?P<qy_y3>{_Y}))"),
    ("q", rf"(?P<q_rel>(?i:last|this|next|current)\s+)?(?P<q_q>{_QW})[- ]quarter"),
    ("decade", r"(?:(?P<dec>1[5-9]\d0|20\d0)|'(?P<dec2>\d0))s\b"),
    ("rel", r"(?P<rel_mod>(?i:earlier|later|late|early)\s+)?(?P<rel_which>(?i:last|this|next|past|previous|"
            r"coming))\s+(?P<rel_unit>(?i:week|month|year|decade))\b"),
    ("ago", r"(?P<ago_n>\d{1,2}|(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\s+"
            r"(?P<ago_unit>(?i:day|week|month|year))s?\s+(?i:ago|earlier)\b"),
    ("word", r"(?P<word>(?i:yesterday|today|tomorrow))\b"),
    ("wd", rf"(?P<wd_mod>(?i:last|next|this|on)\s+)?(?P<wd>{_WD})(?!\s+(?:Times|Telegraph|Express|Mirror|Post|"
           rf"Herald|Morning|Night|Tribune|Independent|Star|Mail)\b)"),
    ("mon", rf"(?P<mon>{_MF})(?![\w-])"),
    # a four-digit clock time ("at 1630 GMT", "0900 hrs") is not a year
    ("year", (rf"(?<!\b[Aa]t )(?<![\u20ac\u00a3\u00a5\u20a9#])(?P<year>{_Y})"
              rf"(?!\s*(?:[%$\u20ac\u00a3\u00a5\u20a9]|tonnes|barrels|shares|pct|dlrs|(?i:gmt|est|edt|cst|cdt|pst|pdt|"
              rf"bst|cet|utc|kst|jst|hrs|hours|local|a\.?m\b|p\.?m\b|{_UNITS})\b))")),
]
_PREV_WORD = re.compile(r"([A-Za-z]+-?)\s*$")
_RE = re.compile(r"(?<![\w$.,])(?:" + "|".join(f"(?P<k_{k}>{p})" for k, p in _PATTERNS) + r")(?![\w])")


@dataclass
class DateRef:
    """One date expression: char span, text, resolved period (inclusive ``start``..``end``) and how it was resolved."""

    start_char: int
    end_char: int
    expression: str
    start: dt.date | None
    end: dt.date | None
    granularity: str | None
    resolved: bool
    anchor: str  # "text" | "article" | "none"


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def _day(s: str) -> int:
    return int(re.sub(r"\D", "", s))


def _mon(s: str) -> int:
    return _MONTHS[s.rstrip(".").lower()]


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _resolve(kind: str, g: dict, ad: dt.date | None) -> tuple | None:
    """(start, end, granularity, anchor) or None when the match is not a date. ``anchor`` 'none' = unresolved."""
    if kind == "iso":
        d = _safe_date(int(g["iso"]), int(g["isom"]), int(g["isod"]))
        return (d, d, "day", "text") if d else None
    if kind in ("mdy", "dmy"):
        d = _safe_date(int(g[f"{kind}_y"]), _mon(g[f"{kind}_m"]), _day(g[f"{kind}_d"]))
        return (d, d, "day", "text") if d else None
    if kind == "my":
        y, m = int(g["my_y"]), _mon(g["my_m"])
        return dt.date(y, m, 1), _month_end(y, m), "month", "text"
    if kind in ("md", "dm"):
        m, d = _mon(g[f"{kind}_m"]), _day(g[f"{kind}_d"])
        if ad is None:
            return None, None, "day", "none"
        for y in (ad.year, ad.year - 1):
            c = _safe_date(y, m, d)
            if c and (c <= ad + dt.timedelta(days=14) if y == ad.year else True):
                return c, c, "day", "article"
        return None
    if kind == "qy":
        q = _ORD[(g["qy_q"] or g["qy_q2"] or g["qy_q3"]).lower()]
        y = int(g["qy_y"] or g["qy_y2"] or g["qy_y3"])
        return dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter", "text"
    if kind == "q":
        q = _ORD[g["q_q"].lower()]
        if ad is None:
            return None, None, "quarter", "none"
        rel = (g["q_rel"] or "").strip().lower()
        if rel in ("this", "current"):
            q = q  # explicit ordinal wins; same rule as bare
        y = ad.year if dt.date(ad.year, 3 * q - 2, 1) <= ad + dt.timedelta(days=92) else ad.year - 1
        if rel == "next":
            y = y + 1 if dt.date(y, 3 * q - 2, 1) <= ad else y
        elif rel == "last" and dt.date(y, 3 * q - 2, 1) > ad:
            y -= 1
        return dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter", "article"
    if kind == "decade":
        y = int(g["dec"]) if g["dec"] else 1900 + int(g["dec2"])
        return dt.date(y, 1, 1), dt.date(y + 9, 12, 31), "decade", "text"
    if kind == "rel":
        unit, which = g["rel_unit"].lower(), g["rel_which"].lower()
        gran = {"week": "week", "month": "month", "year": "year", "decade": "decade"}[unit]
        if ad is None:
            return None, None, gran, "none"
        k = {"last": -1, "past": -1, "previous": -1, "this": 0, "next": 1, "coming": 1}[which]
        if unit == "week":
            monday = ad - dt.timedelta(days=ad.weekday()) + dt.timedelta(weeks=k)
            return monday, monday + dt.timedelta(days=6), gran, "article"
        if unit == "month":
            y, m = _add_months(ad.year, ad.month, k)
            return dt.date(y, m, 1), _month_end(y, m), gran, "article"
        if unit == "year":
            return dt.date(ad.year + k, 1, 1), dt.date(ad.year + k, 12, 31), gran, "article"
        y = ad.year // 10 * 10 + 10 * k
        return dt.date(y, 1, 1), dt.date(y + 9, 12, 31), gran, "article"
    if kind == "ago":
        n = g["ago_n"].lower()
        n = int(n) if n.isdigit() else _NUM[n]
        unit = g["ago_unit"].lower()
        if ad is None:
            return None, None, unit, "none"
        if unit == "day":
            d = ad - dt.timedelta(days=n)
            return d, d, "day", "article"
        if unit == "week":
            d = ad - dt.timedelta(weeks=n)
            monday = d - dt.timedelta(days=d.weekday())
            return monday, monday + dt.timedelta(days=6), "week", "article"
        if unit == "month":
            y, m = _add_months(ad.year, ad.month, -n)
            return dt.date(y, m, 1), _month_end(y, m), "month", "article"
        return dt.date(ad.year - n, 1, 1), dt.date(ad.year - n, 12, 31), "year", "article"
    if kind == "word":
        if ad is None:
            return None, None, "day", "none"
        d = ad + dt.timedelta(days={"yesterday": -1, "today": 0, "tomorrow": 1}[g["word"].lower()])
        return d, d, "day", "article"
    if kind == "wd":
        if ad is None:
            return None, None, "day", "none"
        wd = _WEEKDAYS[g["wd"].lower()]
        mod = (g["wd_mod"] or "").strip().lower()
        if mod == "next":
            d = ad + dt.timedelta(days=(wd - ad.weekday() - 1) % 7 + 1)
        else:
            d = ad - dt.timedelta(days=(ad.weekday() - wd) % 7)
            if mod == "last" and d == ad:
                d -= dt.timedelta(days=7)
        return d, d, "day", "article"
    if kind == "mon":
        m = _mon(g["mon"])
        if ad is None:
            return None, None, "month", "none"
        mod = g.get("mon_mod") or ""
        y = ad.year if m <= ad.month else ad.year - 1
        if mod == "next":
            y = ad.year if m > ad.month else ad.year + 1
        return dt.date(y, m, 1), _month_end(y, m), "month", "article"
    if kind == "year":
        y = int(g["year"])
        return dt.date(y, 1, 1), dt.date(y, 12, 31), "year", "text"
    return None


# Kinds that are too ambiguous alone; accepted only inside a spaCy DATE span or after a temporal preposition.
_NEEDS_SUPPORT = {"mon", "year", "wd"}
_MON_MODS = {"in", "since", "until", "till", "by", "from", "during", "through", "last", "next", "early", "late",
             "mid", "mid-", "between", "before", "after"}
_YEAR_MODS = _MON_MODS | {"a", "the", "of", "for", "fiscal", "calendar", "and", "to", "or"}


_AFTER_DIGITS_RE = re.compile(r"[-/.:]\d")
_RANGE_AFTER_RE = re.compile(rf"[-\u2013](?:{_Y}|\d\d)(?![\d/.:-])")
_BEFORE_DIGITS_RE = re.compile(r"\d[-/.:]$")
_RANGE_BEFORE_RE = re.compile(rf"(?<!\d[-/.:])\b{_Y}[-\u2013]$")
_ID_WORDS = frozenset(re.findall(r"\S+", """tel telephone phone fax call hotline no number num id code room flight
route ext extension model version ver rev serial order ticket case file ref reference account box po suite unit apt
zip"""))


def _is_year(text: str, es: int, ee: int) -> bool:
    """False for four digits that are part of a phone number, an id or a price ("Tel: 1577-0199", "No. 2019",
    "02-2019-1234"); year ranges ("2019-2020", "2019-20") stay years."""
    if _AFTER_DIGITS_RE.match(text, ee) and not _RANGE_AFTER_RE.match(text, ee):
        return False
    if _BEFORE_DIGITS_RE.search(text, max(0, es - 2), es) and not _RANGE_BEFORE_RE.search(text, max(0, es - 6), es):
        return False
    if _RANGE_BEFORE_RE.search(text, max(0, es - 6), es) and _AFTER_DIGITS_RE.match(text, ee):
        return False
    prev = re.search(r"([A-Za-z.]+)[\s:#]*$", text[max(0, es - 16):es])
    return not (prev and prev.group(1).lower().rstrip(".:") in _ID_WORDS)


# A line that labels a time stamp ("Published : 2023-01-04 10:22", "Updated Jan. 4, 2023", "crawled_at: 2023-...",
# "Posted on January 4, 2023") or front matter ("date: 2023-01-04").
_STAMP_LINE_RE = re.compile(
    r"^[^\w\n]*(?:(?:\w+[ _-]){0,2}(?:published|updated|posted|modified|crawled|scraped|retrieved|accessed|created|"
    r"edited|timestamp|last[ _-]?modified|입력|수정|등록)\w*\s*(?:[:=|]|on\b|at\b)?"
    r"|(?:date|time|datetime|pubdate|\w+_\w+)\s*[:=|])",
    re.IGNORECASE | re.MULTILINE)
# The dateline's date: "SEOUL, Jan. 4 (Yonhap) --", "SALVADOR, Feb 26 -", "ROCHESTER, N.Y., Feb 26 -".
_DATELINE_BEFORE_RE = re.compile(r"^[^\w\n]*[A-Z][A-Za-z.'&/ -]{1,40},(?:\s*[A-Z][A-Za-z. ]{1,20},)?\s*$")
_DATELINE_AFTER_RE = re.compile(r",?\s*(?:\d{4}\s*)?(?:\([^)\n]{1,40}\)\s*)?(?:-{1,2}|\u2013|\u2014)")
# A clock time right after the date, without "at" ("Jan. 4, 2023 10:22 KST", "2023-01-04T10:22"): a stamp.
_CLOCK_AFTER_RE = re.compile(r"(?:[T ]|,\s*)\d{1,2}:\d{2}")


def _is_stamp(text: str, es: int, ee: int) -> bool:
    """True for a date that stamps the page rather than telling of an event: on a labelled stamp line, in the
    dateline, followed directly by a clock time, or alone on its line."""
    line_start = text.rfind("\n", 0, es) + 1
    line_end = text.find("\n", ee)
    line_end = len(text) if line_end < 0 else line_end
    label = _STAMP_LINE_RE.match(text, line_start)
    if label and label.end() <= es:
        return True
    if _DATELINE_BEFORE_RE.match(text[line_start:es]) and _DATELINE_AFTER_RE.match(text, ee):
        return True
    if _CLOCK_AFTER_RE.match(text, ee):
        return True
    return _alone(text[line_start:es], text[ee:line_end])


def _alone(before: str, rest: str) -> bool:
    """The date is all its line says (apart from punctuation, a weekday, a time and a zone)."""
    words = re.findall(r"[A-Za-z]+", before + " " + rest)
    return all(w.lower() in _STAMP_FILLER for w in words)


_STAMP_FILLER = frozenset(re.findall(r"\S+", """mon tue wed thu fri sat sun monday tuesday wednesday thursday friday
saturday sunday gmt utc kst jst est edt cet am pm a m p m updated published posted on at"""))


def find_dates(text: str, article_date: dt.date | None = None,
               date_spans: list[tuple[int, int]] | None = None) -> list[DateRef]:
    """All date expressions in ``text`` resolved against ``article_date`` (None = undated).

    ``date_spans``: sorted ``(start, end)`` char spans spaCy labelled DATE (optional); a bare month name, a bare year
    or a weekday counts only inside one of them or after a temporal word ("in May", "since 2018", "on Sunday").
    Returns :class:`DateRef` in text order.
    """
    spans = date_spans or []
    sstarts = [s for s, _ in spans]
    out: list[DateRef] = []
    prev_kind, prev_end = None, -100
    for m in _RE.finditer(text):
        kind = m.lastgroup[2:]
        g = m.groupdict()
        es, ee = m.span()
        if kind == "year" and not _is_year(text, es, ee):
            continue
        if _is_stamp(text, es, ee):
            continue  # a publication or crawl time, or the dateline: when the story was written, not an event
        if kind in _NEEDS_SUPPORT:
            i = bisect.bisect_right(sstarts, es) - 1
            in_date = i >= 0 and spans[i][1] >= ee
            pw = _PREV_WORD.search(text, max(0, es - 16), es)
            prev = pw.group(1).lower() if pw else ""
            if kind == "mon":
                g["mon_mod"] = prev if prev in _MON_MODS else None
                listed = prev in ("and", "or", "to") and prev_kind == "mon" and es - prev_end <= 8
                if not (in_date or listed or prev in _MON_MODS):
                    continue
            elif kind == "year":
                if not (in_date or prev in _YEAR_MODS):
                    continue
            elif kind == "wd" and not in_date and not g["wd_mod"]:
                continue
        r = _resolve(kind, g, article_date)
        if r is None:
            continue
        start, end, gran, anchor = r
        if kind == "wd" and (g["wd_mod"] or "").strip().lower() == "on":
            es = m.start("wd")
        out.append(DateRef(es, ee, text[es:ee], start, end, gran, anchor != "none", anchor))
        prev_kind, prev_end = kind, ee
    return out
