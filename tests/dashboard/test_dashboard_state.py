"""The Filter <-> URL codec of the dashboard (pure functions, no Streamlit runtime)."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.filters import Filter
from dashboard.state import PREFIX_B, filter_from_query, filter_keys, filter_to_query

FULL = Filter(countries=("KR", "CN"), min_country_weight=0.5, topics=(3, 1), sources=("Reuters",),
              entities=("PERSON:park-jin", "GPE:KR"), since=dt.date(2023, 1, 1), until=dt.date(2023, 12, 31),
              query='summit "foreign minister"', unique=True)


@pytest.mark.parametrize("f", [Filter(), Filter(countries=("KR",)), FULL])
@pytest.mark.parametrize("prefix", ["", PREFIX_B])
def test_round_trip(f, prefix):
    params = filter_to_query(f, prefix)
    assert all(k.startswith(prefix) for k in params)
    back, warnings = filter_from_query(params, prefix)
    assert back == f
    assert warnings == []


def test_exact_params():
    assert filter_to_query(Filter(countries=("KR",))) == {"country": "KR"}
    assert filter_to_query(Filter(countries=("KR",)), PREFIX_B) == {"b_country": "KR"}
    assert filter_to_query(FULL) == {
        "country": "KR,CN", "about": "0.5", "topic": "3,1", "source": "Reuters", "entity": "PERSON:park-jin,GPE:KR",
        "since": "2023-01-01", "until": "2023-12-31", "q": 'summit "foreign minister"', "unique": "1"}


def test_slices_do_not_mix():
    params = {**filter_to_query(Filter(countries=("KR",))), **filter_to_query(Filter(countries=("JP",)), PREFIX_B)}
    assert filter_from_query(params)[0] == Filter(countries=("KR",))
    assert filter_from_query(params, PREFIX_B)[0] == Filter(countries=("JP",))
    assert set(filter_keys(PREFIX_B)) >= {"b_country", "b_since", "b_q"}


def test_invalid_values_are_dropped_with_a_warning():
    f, warnings = filter_from_query({"country": "kr", "since": "not-a-date", "topic": "x", "about": "7"})
    assert f == Filter(countries=("KR",))
    assert len(warnings) == 3
    assert any("since=not-a-date" in w for w in warnings)
    assert any("topic=x" in w for w in warnings)
    assert any("about=7" in w for w in warnings)


def test_bad_country_codes_and_reversed_dates():
    f, warnings = filter_from_query({"country": "KR,<script>,USA", "since": "2024-01-01", "until": "2023-01-01"})
    assert f == Filter(countries=("KR",))
    assert any("<SCRIPT>" in w or "USA" in w for w in warnings)
    assert any("date range" in w for w in warnings)


def test_list_values_keep_the_last():
    f, warnings = filter_from_query({"country": ["JP", "KR"], "q": ["a", "b"]})
    assert f == Filter(countries=("KR",), query="b") and warnings == []
