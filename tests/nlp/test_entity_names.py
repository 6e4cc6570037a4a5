import datetime as dt

import pytest

from analysis.entities import normalise_name
from analysis.events import find_dates


@pytest.mark.parametrize("text,label,expected", [
    ("NEW YORK", "GPE", "New York"),          # wire datelines are shouted
    ("BANK OF ENGLAND", "ORG", "Bank of England"),
    ("OPEC", "ORG", "OPEC"),                   # acronyms stay
    ("U.S. NAVY", "ORG", "U.S. Navy"),
    ("Revs 608,181", "PERSON", ""),            # earnings-table junk the small model tags as names
    ("cts", "ORG", ""),
    ("Avg", "PERSON", ""),
    ("Shr", "ORG", ""),
    ("Foreign Minister Park Jin's", "PERSON", "Park Jin"),
    ("3M", "ORG", "3M"),
])
def test_normalise_name(text, label, expected):
    assert normalise_name(text, label) == expected



@pytest.mark.parametrize("text,expected", [
    ("Trading resumes at 1630 GMT on Monday.", ["Monday"]),   # clock times are not years
    ("The 1630 hrs deadline passed.", []),
    ("The bank said at 1630 local time it would act.", []),
    ("A 2018 accord was revoked.", ["2018"]),
    ("Prices in 1986 rose.", ["1986"]),
])
def test_clock_times_are_not_years(text, expected):
    assert [r.expression for r in find_dates(text, dt.date(1987, 3, 2))] == expected
