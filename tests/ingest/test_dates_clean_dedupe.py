"""Exact behaviour of the pure helpers: date parsing, text cleaning, hashing and near-duplicate grouping."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.ingest.clean import clean_text, clean_title
from analysis.ingest.dates import date_from_text, parse_date, parse_year
from analysis.ingest.dedupe import (
    content_hash,
    group_near_duplicates,
    normalise_for_hash,
    normalise_title,
    story_key,
)
from analysis.ingest.records import guess_language

D = dt.date


@pytest.mark.parametrize(
    "value, expected",
    [
        ("26-FEB-1987 15:01:01.79", D(1987, 2, 26)),
        (" 3-MAR-1987  09:15:05.40", D(1987, 3, 3)),
        ("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", D(1987, 3, 27)),
        ("9-APR-1987 00:00:00.00    # date added by S Finch as guesswork", D(1987, 4, 9)),
        ("31-MAR-1987 605:12:19.12", D(1987, 3, 31)),
        ("16-MAR-1987 16:22:00.0", D(1987, 3, 16)),
        ("2024-03-12", D(2024, 3, 12)),
        ("2024-03-12T23:30:00-05:00", D(2024, 3, 13)),  # 04:30 UTC next day
        ("2024-03-12T01:30:00+09:00", D(2024, 3, 11)),
        ("2024-03-12T10:00:00Z", D(2024, 3, 12)),
        ("Tue, 12 Mar 2024 23:15:00 -0500", D(2024, 3, 13)),
        ("Feb 26, 1987", D(1987, 2, 26)),
        ("Jan. 4, 2024", D(2024, 1, 4)),
        ("26 February 2024", D(2024, 2, 26)),
        ("Monday, 26 February 2024", D(2024, 2, 26)),
        ("March 12, 2024 10:15 PM EST", D(2024, 3, 13)),
        ("20240312T101500Z", D(2024, 3, 12)),
        ("20240312", D(2024, 3, 12)),
        (1709251200, D(2024, 3, 1)),
        (1709251200000, D(2024, 3, 1)),
        ("1709251200", D(2024, 3, 1)),
        (dt.datetime(2024, 3, 12, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), D(2024, 3, 13)),
        (D(2024, 3, 12), D(2024, 3, 12)),
        ("13/03/2024", D(2024, 3, 13)),
        ("Feb 26", None),
        ("2024", None),
        ("garbage", None),
        ("", None),
        (None, None),
        (True, None),
        ("2024-02-30", None),
        (float("nan"), None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_parse_year():
    assert parse_year("1987") == 1987
    assert parse_year(2024) == 2024
    assert parse_year("26 February 2024") == 2024
    assert parse_year("soon") is None


def test_date_from_text_datelines_and_publication_lines():
    assert date_from_text("", "SEOUL, Jan. 4, 2024 (Yonhap) -- Talks began.") == (D(2024, 1, 4), "dateline")
    assert date_from_text("", "WASHINGTON, March 3, 2024 /PRNewswire/ -- X") == (D(2024, 3, 3), "dateline")
    assert date_from_text("", "LONDON, 12 March 2024 - X") == (D(2024, 3, 12), "dateline")
    # Month and day without a year: never invent a year...
    assert date_from_text("", "SALVADOR, Feb 26 - Showers continued") == (None, "none")
    # ... unless the record's metadata gives one.
    assert date_from_text("", "SALVADOR, Feb 26 - Showers continued", year=1987) == (D(1987, 2, 26), "dateline")
    assert date_from_text("", "Intro\nUpdated 2024-03-14\nPublished: 12 March 2024\nBody") == (D(2024, 3, 12), "text")
    assert date_from_text("", "Posted on 2024-03-12\nBody") == (D(2024, 3, 12), "text")
    assert date_from_text("", "Updated 12:01 GMT, Tuesday 12 March 2024\nBody") == (D(2024, 3, 12), "text")
    # Dates mentioned inside the story are not the article's date.
    assert date_from_text("", "Busan – The talks in Jakarta on July 14, 2023 were tense.") == (None, "none")


def test_clean_text_html_entities_and_boilerplate():
    raw = (
        "<html><head><style>p {color: red}</style><script>var a = 1 < 2;</script></head><body>"
        "<p>Fish &amp; chips&nbsp;cost &pound;5.</p><p>Second<br>line.</p>"
        "<div>Advertisement</div><p>Share this article</p><p>&copy; 2024 Paper Ltd. All rights reserved.</p>"
        "</body></html>"
    )
    assert clean_text(raw) == "Fish & chips cost £5.\n\nSecond\n\nline."


def test_clean_text_paragraphs_wire_wrapping_and_controls():
    raw = (
        "SALVADOR, Feb 26 - Showers continued\nthroughout the week &#3;in the\x07 zone.\n"
        "    The dry period means\nthe crop will be late.\n\n\n"
        "Scroll to top\nREAD MORE:\n Reuter\n"
    )
    assert clean_text(raw) == (
        "SALVADOR, Feb 26 - Showers continued throughout the week in the zone.\n\n"
        "The dry period means the crop will be late."
    )


def test_clean_text_keeps_reuters_tickers_and_non_boilerplate_lines():
    assert clean_text("BP Plc <BP> said it would advertise more.") == "BP Plc <BP> said it would advertise more."
    assert clean_text("Read more about it in our report.") == "Read more about it in our report."
    assert clean_text("") == ""


def test_clean_text_is_linear_on_a_huge_line():
    big = "word " * 2_000_000  # 10 MB, one line
    assert len(clean_text(big)) == len(big) - 1


def test_clean_text_unclosed_comments_and_scripts_stay_linear():
    assert clean_text("<p>A<!-- c --> B</p><SCRIPT type='x'>bad()</script ><p>C</p><style>x</style>D<!-- open") == (
        "A B\n\nC\n\nD")
    for hostile in ("</p>" + "<!--" * 200_000, "</p>" + "<script>" * 200_000):
        assert clean_text(hostile) == ""


def test_clean_title():
    assert clean_title("  # Fish &amp; <b>chips</b>\n today ") == "Fish & chips today"
    # composed like the body text: a decomposed "é" (e + U+0301) becomes the one character a search types
    assert clean_title("Cafe\u0301 prices") == "Caf\u00e9 prices"
    long = clean_title("word " * 300, max_chars=50)
    assert long.endswith("…") and len(long) <= 51


def test_normalise_and_hashes():
    assert normalise_for_hash("Hello,  WORLD! It's—fine_ok") == "hello world it s fine ok"
    assert content_hash("Title", "Some text, here.") == content_hash("TITLE", "some   text here")
    assert content_hash("Title", "Some text") != content_hash("Other", "Some text")
    assert content_hash("only text") == content_hash("ONLY text!")
    assert len(content_hash("a", "b")) == 40 and int(content_hash("a", "b"), 16) >= 0


def test_story_key_strips_wire_update_markers():
    text = "SEOUL, Jan 4 (Yonhap) -- South Korea and China held talks on Sunday in Busan about the satellite."
    text2 = "SEOUL, Jan 5 (Yonhap) -- South Korea and China held talks on Sunday in Busan about the satellite, more."
    base = story_key("South Korea, China hold talks", text)
    for title in ("(LEAD) South Korea, China hold talks", "South Korea, China hold talks (2nd LD)",
                  "UPDATE 2-South Korea, China hold talks", "CORRECTED-South Korea, China hold talks",
                  "REFILE-South Korea, China hold talks"):
        assert story_key(title, text2) == base, title
    assert story_key("Something else entirely", text) != base
    assert normalise_title("UPDATE 2-Fed holds rates (2nd LD)") == "fed holds rates"


def _words(n: int, offset: int = 0) -> str:
    return " ".join(f"w{i}" for i in range(offset, offset + n))


def test_group_near_duplicates_exact_values():
    base = _words(100)
    near = _words(100).replace("w50 ", "changed ")  # one word changed: Jaccard (96-5)/(96+5) ~ 0.90
    update = _words(100) + " " + _words(60, 1000)  # same title, text grows by 60%: containment 1.0
    other = _words(100, 5000)
    records = [
        ("a", "Talks open", base),
        ("b", "Something else", near),
        ("c", "(LEAD) Talks open", update),
        ("d", "Talks open", other),  # same title, unrelated text: stays apart
        ("e", "Short", "Too short"),
        ("f", "Short copy", "too SHORT!"),  # exact normalised text match
    ]
    groups = group_near_duplicates(records)
    assert groups == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "e", "f": "e"}


def test_group_near_duplicates_below_threshold_stays_apart():
    a = _words(100)
    b = _words(70) + " " + _words(30, 900)  # Jaccard ~ 0.5
    assert group_near_duplicates([(1, "x one", a), (2, "y two", b)]) == {1: 1, 2: 2}
    assert group_near_duplicates([]) == {}


def test_guess_language():
    assert guess_language("The minister said that the talks would be held in the city of Busan on Sunday.") == "en"
    assert guess_language("Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das die Rechte der Mieter "
                          "stärken soll. Die Opposition kritisierte, dass es nicht weit genug gehe.") == "de"
    assert guess_language("Le gouvernement a annoncé mardi une nouvelle réforme des retraites qui sera présentée "
                          "au Parlement dans les prochaines semaines, selon le ministre du Travail.") == "fr"
    assert guess_language("Москва объявила о новых санкциях против нескольких компаний "
                          "в понедельник после "
                          "переговоров министров иностранных дел") == "ru"  # py3langid places non-Latin text
    assert guess_language("short") == "en"
