import pytest

from analysis.entities import normalise_name


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
