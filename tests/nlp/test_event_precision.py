"""Events are dates: not phone numbers, ids or prices, not publication or crawl stamps (issue 15)."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.events import find_dates

D = dt.date(2023, 1, 4)


def exprs(text, date=D, spans=None):
    return [r.expression for r in find_dates(text, date, spans)]


@pytest.mark.parametrize("text", [
    "Tel: 1577-0199",
    "For details call 1588-2019.",
    "Fax 02-2019-1234",
    "Order No. 2018 shipped.",
    "The case ID 2019 was closed.",
    "Ticket 2019/0042 was issued.",
    "It cost 2000 won, or about 1990 yen.",
    "Rooms cost \u20a92019 a night.",
    "In 2000 people marched.",
    "Some 1990 troops and 2010 workers left.",
])
def test_numbers_that_are_not_years(text):
    assert exprs(text) == []


def test_numbers_that_are_not_years_even_inside_a_model_date_span():
    # the small model tags "1577-0199" DATE; a DATE span alone does not make a phone number a year
    text = "Tel: 1577-0199"
    assert exprs(text, spans=[(5, 14)]) == []


@pytest.mark.parametrize("text,expected", [
    ("The 2019-2020 season began in 2019.", ["2019", "2019"]),
    ("In 1577 the city fell.", ["1577"]),
    ("Since 2018 prices rose.", ["2018"]),
    ("The vote is on March 3 at 10:00.", ["March 3"]),
])
def test_years_and_dates_that_stay(text, expected):
    assert exprs(text) == expected


@pytest.mark.parametrize("text", [
    "Published : 2023-01-04 10:22",
    "Updated Jan. 4, 2023",
    "Posted on January 4, 2023",
    "crawled_at: 2023-01-04T10:22:00",
    "date: 2023-01-04",
    "published_time: January 4, 2023",
    "입력 2023-01-04 10:22",
    "Jan. 4, 2023 10:22 KST",
    "2023-01-04T10:22:00Z",
    "January 4, 2023",
    "Wednesday, January 4, 2023",
])
def test_publication_and_crawl_stamps_are_not_events(text):
    assert exprs(text) == []


def test_the_datelines_date_is_a_stamp_but_the_story_dates_are_events():
    text = "SEOUL, Jan. 4 (Yonhap) -- Talks resumed on Monday after a pause since March 2021."
    assert exprs(text) == ["Monday", "March 2021"]
    assert exprs("SALVADOR, Feb 26 - Showers continued until Feb 24.", dt.date(1987, 2, 26)) == ["Feb 24"]
    assert exprs("ROCHESTER, N.Y., Feb 26 - Shares rose.", dt.date(1987, 2, 26)) == []


def test_a_scraped_page_keeps_only_its_story_dates():
    page = ("---\ncrawled_at: 2023-01-05T08:00:00\nurl: https://example.com/a\n---\n"
            "Talks resume\nPolitics\nPublished : 2023-01-04 10:22  Updated : 2023-01-04 11:00\n"
            "SEOUL, Jan. 4 (Yonhap) -- North Korea fired a missile on Tuesday, its first since Nov. 18.\n"
            "Tel: 1577-0199 khj@yna.co.kr (END)")
    assert exprs(page) == ["Tuesday", "Nov. 18"]
