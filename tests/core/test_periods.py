"""analysis.periods: the one definition of day/week/month/quarter/year, and the store agreeing with it."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from analysis import periods

DATES = [dt.date(2023, 12, 31), dt.date(2024, 1, 1), dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 1),
         dt.date(2024, 12, 30)]


def test_period_end():
    assert periods.period_end(dt.date(2024, 2, 1), "month") == dt.date(2024, 2, 29)
    assert periods.period_end(dt.date(2023, 10, 1), "quarter") == dt.date(2023, 12, 31)
    assert periods.period_end(dt.date(2023, 11, 1), "quarter") == dt.date(2024, 1, 31)  # three months from start
    assert periods.period_end(dt.date(2024, 1, 1), "week") == dt.date(2024, 1, 7)
    assert periods.period_end(dt.date(2024, 1, 1), "year") == dt.date(2024, 12, 31)
    assert periods.period_end(dt.date(2024, 1, 5), "day") == dt.date(2024, 1, 5)


def test_pandas_starts_are_the_period_starts_duckdb_groups_by():
    """Keyword trends (pandas) and the store's time queries (date_trunc) put every date in the same period."""
    con = duckdb.connect()
    for freq in periods.FREQS:
        ours = [ts.date() for ts in periods.period_starts(pd.Series(DATES), freq)]
        theirs = [con.execute(f"SELECT date_trunc('{periods.sql_unit(freq)}', ?::DATE)::DATE", [d]).fetchone()[0]
                  for d in DATES]
        assert ours == theirs, freq
        assert all(s <= d <= periods.period_end(s, freq) for s, d in zip(ours, DATES, strict=True))
    assert [ts.date() for ts in periods.period_starts(pd.Series(DATES), "week")][:2] == [dt.date(2023, 12, 25),
                                                                                       dt.date(2024, 1, 1)]


@pytest.mark.parametrize("bad", ["hour", "Week", "'; DROP TABLE articles; --", ""])
def test_unknown_period_is_refused_naming_the_allowed_ones(bad):
    with pytest.raises(ValueError, match="use one of day, week, month, quarter, year"):
        periods.sql_unit(bad)
    with pytest.raises(ValueError, match="unknown period"):
        periods.period_end(dt.date(2024, 1, 1), bad)
