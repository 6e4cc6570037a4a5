"""Periods of publication dates (day, week, month, quarter, year): their names, and where one starts and ends.

The one place that knows them: the store groups by :func:`sql_unit` (DuckDB ``date_trunc``), the keyword trends
group pandas dates by :func:`period_starts`, the dashboard's drill-down turns a clicked period back into a date
range with :func:`period_end`, and the CLI offers :data:`FREQS`. A week starts on Monday (ISO), as in DuckDB and
pandas, so the three agree on every date.

>>> period_end(dt.date(2024, 2, 1), "month")
datetime.date(2024, 2, 29)
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

#: The periods a time chart or query can group by, shortest first.
FREQS = ("day", "week", "month", "quarter", "year")

#: pandas Period codes of :data:`FREQS` ("W" is a week ending on Sunday, i.e. starting on Monday)
_PANDAS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def check(freq: str) -> str:
    """``freq`` when it is one of :data:`FREQS`, else ValueError naming the allowed ones."""
    if freq not in FREQS:
        raise ValueError(f"unknown period {freq!r}: use one of {', '.join(FREQS)}")
    return freq


def sql_unit(freq: str) -> str:
    """The DuckDB ``date_trunc`` unit of ``freq`` (a fixed word from :data:`FREQS`, safe to put in SQL text)."""
    return check(freq)


def period_starts(dates: pd.Series, freq: str) -> pd.Series:
    """The first day (as a Timestamp) of the period each date falls in; same index as ``dates``."""
    return pd.to_datetime(dates).dt.to_period(_PANDAS[check(freq)]).dt.start_time


def period_end(start: dt.date, freq: str) -> dt.date:
    """Last day of the period starting at ``start``."""
    check(freq)
    if freq == "day":
        return start
    if freq == "week":
        return start + dt.timedelta(days=6)
    if freq == "year":
        return dt.date(start.year, 12, 31)
    months = 3 if freq == "quarter" else 1
    month = start.month + months - 1
    year = start.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])
