import datetime as dt

import pytest

from analysis.entities import name_and_reason, normalise_name
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


@pytest.mark.parametrize("text,label,reason", [
    ("khj@yna.co.kr(END", "PERSON", "address"),
    ("www.yna.co.kr", "ORG", "address"),
    ("crawled_at", "ORG", "key"),
    ("UPDATE 2", "ORG", "wire tag"),
    ("He", "PERSON", "pronoun"),
    ("Gov't", "PERSON", "fragment"),
    ("Lee-China", "PERSON", "fragment"),
    ("Kim Jong Un URGENT", "PERSON", "fragment"),
    ("U.S. Dlrs", "PERSON", "amount"),
    ("Dlr Contract", "GPE", "amount"),
    ("La 2.54 2.50", "ORG", "numbers"),
    ("1,250", "ORG", "numbers"),
    ("Route 66", "GPE", "numbers"),               # a digit in a non-ORG name
    ("Feb 9", "ORG", "date"),
    ("non-Canadian", "NORP", "lower case"),
    ("XQZ", "GPE", "acronym"),
    ("AI", "GPE", "listed"),                      # resources/entity_junk.txt
    ("A", "PERSON", "too short"),
    ("Shr", "ORG", "wire word"),
    ("Reuters", "ORG", "wire word"),
])
def test_name_and_reason_names_why_a_mention_is_junk(text, label, reason):
    assert name_and_reason(text, label) == ("", reason)
    assert normalise_name(text, label) == ""


@pytest.mark.parametrize("text,label,name", [
    ("Foreign Minister Park Jin's", "PERSON", "Park Jin"),
    ("NEW YORK", "GPE", "New York"),
    ("3M", "ORG", "3M"),
    ("eBay", "ORG", "eBay"),
])
def test_name_and_reason_keeps_names_with_no_reason(text, label, name):
    assert name_and_reason(text, label) == (name, "")
