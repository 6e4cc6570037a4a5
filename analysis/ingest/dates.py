"""Tolerant date parsing for article metadata and dates written in article text.

NewsLens never invents a date: a value without an explicit year, month and day gives ``None``.

>>> parse_date("26-FEB-1987 15:01:01.79")
datetime.date(1987, 2, 26)
>>> parse_date("Feb 26") is None
True
>>> date_from_text("", "SEOUL, Jan. 4, 2024 (Yonhap) -- Talks began.")
(datetime.date(2024, 1, 4), 'dateline')
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import re
from typing import Any

__all__ = ["parse_date", "parse_year", "date_from_text", "MONTHS"]

MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        ("jan", "january"),
        ("feb", "february"),
        ("mar", "march"),
        ("apr", "april"),
        ("may",),
        ("jun", "june"),
        ("jul", "july"),
        ("aug", "august"),
        ("sep", "sept", "september"),
        ("oct", "october"),
        ("nov", "november"),
        ("dec", "december"),
    ],
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _i

_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TIME = r"(?:[T\s,]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?\s*(?P<ampm>[ap]\.?m\.?)?)?"
_TZ = r"(?:\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[A-Z]{2,4}T?)\b)?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"

# Reuters-21578 style "26-FEB-1987 15:01:01.79" plus any junk after it (see the corpus README oddities).
_RE_DMY_DASH = re.compile(r"^\s*(?P<d>\d{1,2})-(?P<mon>[A-Za-z]{3})-(?P<y>\d{4})", re.I)
_RE_ISO = re.compile(
    r"^\s*(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + _TZ + r"\s*$", re.I
)
_RE_COMPACT = re.compile(
    r"^\s*(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:T?(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})?)?(?P<tz>Z)?\s*$", re.I
)
_RE_MDY = re.compile(
    r"^\s*" + _WEEKDAY + _MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _TIME + _TZ + r"\s*$", re.I
)
_RE_DMY = re.compile(
    r"^\s*" + _WEEKDAY + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r",?\s+(?P<y>\d{4})" + _TIME + _TZ
    + r"\s*$",
    re.I,
)
_RE_NUMERIC = re.compile(r"^\s*(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})" + _TIME + _TZ + r"\s*$", re.I)
_RE_EPOCH = re.compile(r"^\s*-?\d{9,13}(?:\.\d+)?\s*$")

# Offsets in hours for the abbreviations that news feeds use; anything else is taken as UTC.
_TZ_HOURS = {
    "Z": 0, "UTC": 0, "GMT": 0, "UT": 0, "WET": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "IST": 5.5, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11,
}

_MIN_YEAR, _MAX_YEAR = 1800, 2200


def _mk(y: int, m: int, d: int) -> dt.date | None:
    if not (_MIN_YEAR <= y <= _MAX_YEAR):
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _from_datetime(value: dt.datetime) -> dt.date | None:
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(dt.UTC)
    return _mk(value.year, value.month, value.day)


def _from_epoch(x: float) -> dt.date | None:
    if not math.isfinite(x):
        return None
    ax = abs(x)
    # Seconds up to year ~2286 are < 1e10; larger magnitudes are milliseconds (JavaScript / Java exports).
    if ax >= 1e11:
        x = x / 1000.0
    try:
        return _from_datetime(dt.datetime.fromtimestamp(x, tz=dt.UTC))
    except (OverflowError, OSError, ValueError):
        return None


def _apply_tz(date: dt.date, m: re.Match) -> dt.date | None:
    """Shift ``date`` to UTC using the match's time and zone groups (a zone without a time changes nothing)."""
    gd = m.groupdict()
    h, tz = gd.get("h"), gd.get("tz")
    if h is None or tz is None:
        return date
    tz_u = tz.upper()
    if tz_u in _TZ_HOURS:
        offset = dt.timedelta(hours=_TZ_HOURS[tz_u])
    elif re.fullmatch(r"[+-]\d{2}:?\d{2}", tz_u):
        sign = -1 if tz_u[0] == "-" else 1
        digits = tz_u[1:].replace(":", "")
        offset = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    else:
        return date
    hour = int(h) % 24 if int(h) < 48 else 0
    ampm = (gd.get("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    minute = int(gd.get("mi") or 0)
    local = dt.datetime(date.year, date.month, date.day, hour, min(minute, 59), tzinfo=dt.timezone(offset))
    return _from_datetime(local)


def parse_date(value: Any) -> dt.date | None:
    """Parse one metadata value into a calendar day (UTC), or ``None``.

    Accepts ``date``/``datetime`` (aware ones converted to UTC first), pandas/numpy timestamps, epoch seconds or
    milliseconds (int, float or 9-13 digit string; numbers below 1e8 give None, 8-digit ints are YYYYMMDD), and
    strings: ISO 8601 (``2024-03-12``, ``2024-03-12T23:30:00-05:00``),
    compact ``20240312`` / GDELT ``20240312T101500Z``, RFC 2822 (``Tue, 12 Mar 2024 10:15:00 +0100``), Reuters
    ``26-FEB-1987 15:01:01.79`` (junk after the date is ignored), ``Feb 26, 1987``, ``26 February 2024``,
    ``March 12, 2024 10:15 PM EST`` and numeric ``03/12/2024`` (month first unless the first number is > 12).
    Anything without year, month and day (``Feb 26``, ``2024``, ``yesterday``) or out of 1800..2200 gives ``None``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return _from_datetime(value)
    if isinstance(value, dt.date):
        return _mk(value.year, value.month, value.day)
    if isinstance(value, (int, float)):
        # Small numbers are years or counts, not timestamps; 8-digit integers are YYYYMMDD.
        if isinstance(value, int) and 10_000_000 <= value <= 99_999_999:
            return _parse_str(str(value))
        if abs(value) < 100_000_000:
            return None
        return _from_epoch(float(value))
    # numpy / pandas objects without importing them.
    if hasattr(value, "to_pydatetime"):
        try:
            return parse_date(value.to_pydatetime())
        except (ValueError, TypeError):
            return None
    if type(value).__name__ == "datetime64":
        s = str(value)
        return parse_date(s) if s != "NaT" else None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return parse_date(value.item())
        except (ValueError, TypeError):
            return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s or len(s) > 200:
        return None
    return _parse_str(s)


def _parse_str(s: str) -> dt.date | None:
    m = _RE_DMY_DASH.match(s)
    if m and m.group("mon").lower() in MONTHS:
        return _mk(int(m.group("y")), MONTHS[m.group("mon").lower()], int(m.group("d")))
    m = _RE_ISO.match(s)
    if m:
        d = _mk(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        return _apply_tz(d, m) if d else None
    m = _RE_COMPACT.match(s)
    if m:
        d = _mk(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if d is not None:
            return d
    if _RE_EPOCH.match(s):
        return _from_epoch(float(s))
    for rx in (_RE_MDY, _RE_DMY):
        m = rx.match(s)
        if m:
            mon = MONTHS.get(m.group("mon").lower().rstrip("."))
            d = _mk(int(m.group("y")), mon, int(m.group("d"))) if mon else None
            return _apply_tz(d, m) if d else None
    m = _RE_NUMERIC.match(s)
    if m:
        a, b = int(m.group("a")), int(m.group("b"))
        mon, day = (b, a) if a > 12 else (a, b)
        d = _mk(int(m.group("y")), mon, day)
        return _apply_tz(d, m) if d else None
    # RFC 2822 last: the email parser is lenient, so insist on a 4-digit year and a month name being present.
    if re.search(r"\b\d{4}\b", s) and re.search(_MON, s, re.I):
        try:
            parsed = email.utils.parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
        if parsed is not None:
            return _from_datetime(parsed)
    return None


def parse_year(value: Any) -> int | None:
    """A year from a metadata value (``1987``, ``"1987"``, or any full date); ``None`` if there is none."""
    d = parse_date(value)
    if d is not None:
        return d.year
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and _MIN_YEAR <= value <= _MAX_YEAR:
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        y = int(value)
        return y if _MIN_YEAR <= y <= _MAX_YEAR else None
    return None


# A dateline at the very start of the text: "SEOUL, Jan. 4, 2024 (Yonhap) --", "LONDON, 12 March 2024 -".
_PLACE = r"[A-Z][A-Za-z.'’\- ]{1,40}(?:,\s*[A-Z][A-Za-z.'’\- ]{1,30})?"
_RE_DATELINE_MDY = re.compile(
    r"^\s*" + _PLACE + r",\s+" + _MON + r"\s+(?P<d>\d{1,2})(?P<yr>,?\s+(?P<y>\d{4}))?\s*"
    r"(?:\([^)]{1,40}\)|/[^/]{1,40}/)?\s*(?:-{1,2}|–|—)",
    re.I,
)
_RE_DATELINE_DMY = re.compile(
    r"^\s*" + _PLACE + r",\s+(?P<d>\d{1,2})\s+" + _MON + r"(?P<yr>,?\s+(?P<y>\d{4}))?\s*"
    r"(?:\([^)]{1,40}\)|/[^/]{1,40}/)?\s*(?:-{1,2}|–|—)",
    re.I,
)
# "Published: 12 March 2024", "Posted on 2024-03-12", "Updated 12:01 GMT, Tue 12 March 2024", "Date: ...".
_RE_PUBLINE = re.compile(
    r"^\s*(?P<kind>published|first published|posted|updated|last updated|last modified|date)\b(?:\s+on)?"
    r"\s*[:\-–]?\s*(?P<rest>.{4,80}?)\s*$",
    re.I,
)


def _date_in_phrase(s: str) -> dt.date | None:
    """A full date anywhere in a short phrase like "12:01 GMT, Tuesday 12 March 2024 | by Jane"."""
    d = parse_date(s)
    if d is not None:
        return d
    for part in re.split(r"\s*[|•·]\s*|\s+by\s+", s):
        d = parse_date(part)
        if d is not None:
            return d
        # Drop a leading time ("12:01 GMT,") and retry.
        m = re.match(r"^\d{1,2}:\d{2}(?:\s*[A-Z]{2,4})?,?\s+(.*)$", part)
        if m:
            d = parse_date(m.group(1))
            if d is not None:
                return d
    return None


def date_from_text(title: str, text: str, year: int | None = None) -> tuple[dt.date | None, str]:
    """Find an article's own date written in its text.

    Looks for (1) a dateline at the start of ``text`` carrying a full date ("SEOUL, Jan. 4, 2024 (Yonhap) --")
    -> source ``"dateline"``; a dateline with month and day but no year ("SALVADOR, Feb 26 -") gives a date only
    when ``year`` (from the record's metadata) is given; (2) an explicit publication line among the first 30 or last
    10 lines ("Published: 12 March 2024", "Posted on 2024-03-12", "Updated ...") -> source ``"text"``; Published and
    Posted lines win over Updated ones. Dates mentioned in the story itself are never used.

    Returns ``(date, source)`` with source in ``"dateline" | "text" | "none"``.
    """
    text = text or ""
    head = text[:400]
    for rx in (_RE_DATELINE_MDY, _RE_DATELINE_DMY):
        m = rx.match(head)
        if m:
            mon = MONTHS.get(m.group("mon").lower().rstrip("."))
            y = int(m.group("y")) if m.group("y") else year
            if mon and y:
                d = _mk(y, mon, int(m.group("d")))
                if d is not None:
                    return d, "dateline"
            break
    lines = text.splitlines()
    candidates = lines[:30] + (lines[-10:] if len(lines) > 30 else [])
    best: tuple[int, dt.date] | None = None
    for line in candidates:
        if len(line) > 120:
            continue
        m = _RE_PUBLINE.match(line)
        if not m:
            continue
        d = _date_in_phrase(m.group("rest"))
        if d is None:
            continue
        rank = 0 if m.group("kind").lower() in ("published", "first published", "posted") else 1
        if best is None or rank < best[0]:
            best = (rank, d)
            if rank == 0:
                break
    if best is not None:
        return best[1], "text"
    return None, "none"
