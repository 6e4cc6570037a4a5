"""Entities without junk, with the right types, one entity per thing (issue 15).

The rules are checked on mention tables written here (``canonicalise`` needs no model); one test runs the model on
glued scraped text to show the offsets survive the split.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.canonical import canonicalise, majority_labels, strip_company_suffix
from analysis.entities import is_press, junk_reason, normalise_name, split_glued


@pytest.mark.parametrize("text,label", [
    ("khj@yna.co.kr(END", "PERSON"),        # e-mail byline
    ("khj@yna.co.kr", "ORG"),
    ("www.yna.co.kr", "ORG"),
    ("LEAD", "ORG"), ("URGENT", "PERSON"), ("ADDS", "ORG"), ("UPDATE 2", "ORG"), ("(LEAD)", "ORG"),  # wire tags
    ("crawled_at", "ORG"), ("published_time", "PERSON"),  # front-matter keys
    ("Gov't", "ORG"), ("Int'l", "ORG"),      # clipped words
    ("Lee-China", "PERSON"), ("Moon-Japan", "PERSON"), ("Lee-budget minister(URGENT", "PERSON"),
    ("Lee-budget minister", "PERSON"), ("Yoon-budget", "PERSON"),
    ("He", "ORG"), ("They", "PERSON"), ("It", "ORG"),  # pronouns
    ("AI", "GPE"), ("AI", "LOC"), ("XR", "GPE"),      # acronyms that are no places
    ("Reuter", "ORG"), ("Tel", "PERSON"),       # from resources/entity_junk.txt
    ("La 2.54 2.50", "EVENT"), ("Feb 9", "PRODUCT"), ('September"s 31', "LAW"),  # table rows and dates
    ("non-Canadian", "NORP"), ("manuel azpurua", "PERSON"),                   # lower case
    ("U.S. Dlrs", "PERSON"), ("Dlr Contract", "PRODUCT"), ("Stg Assistance London", "FAC"),  # amounts
    # an English model on Spanish text: articles and particles are no names
    ("el Gobierno", "PERSON"), ("al Presidente", "PERSON"), ("de la", "PERSON"), ("de Venezuela", "PERSON"),
    ("de Bogotá", "PERSON"), ("de Lea", "PERSON"), ("la Paz", "PERSON"),
])
def test_junk_is_never_an_entity(text, label):
    assert normalise_name(text, label) == ""


@pytest.mark.parametrize("text,label,expected", [
    ("Charles de Gaulle", "PERSON", "Charles de Gaulle"),
    ("Mohammed bin Salman", "PERSON", "Mohammed bin Salman"),
    ("Kim Jong-un", "PERSON", "Kim Jong-un"),
    ("Jean-Pierre Raffarin", "PERSON", "Jean-Pierre Raffarin"),
    ("O'Neill", "PERSON", "O'Neill"),
    ("US", "GPE", "US"),
    ("UN", "ORG", "UN"),
    ("IT", "ORG", "IT"),
    ("eBay", "ORG", "eBay"),
    ("3M", "ORG", "3M"),
    ("Kevlar 149", "PRODUCT", "Kevlar 149"),
    ("bin Laden", "PERSON", "bin Laden"),
    ("de Gaulle", "PERSON", "de Gaulle"),
    ("van Gogh", "PERSON", "van Gogh"),
    # honorifics of state media are not part of the name, glued or not
    ("Respected Comrade Kim Jong Un", "PERSON", "Kim Jong Un"),
    ("ComradeKim Jong Un", "PERSON", "Kim Jong Un"),
    ("Dear Respected Kim Jong Un", "PERSON", "Kim Jong Un"),
])
def test_names_that_are_kept(text, label, expected):
    assert normalise_name(text, label) == expected


def test_junk_reasons_are_named():
    assert junk_reason("khj@yna.co.kr(END") == "address"
    assert junk_reason("crawled_at") == "key"
    assert junk_reason("URGENT") == "wire tag"
    assert junk_reason("He") == "pronoun"
    assert junk_reason("Gov't") == "fragment"
    assert junk_reason("AI", "GPE") == "listed"
    assert junk_reason("XR", "GPE") == "acronym"
    assert junk_reason("Park Jin", "PERSON") is None


def test_split_glued_words_keeps_a_map_to_the_original():
    text = "The respectedKim Jong Un met ComradeKim and presidentMoon at McDonald's on YouTube."
    out, orig = split_glued(text)
    assert out == "The respected Kim Jong Un met Comrade Kim and president Moon at McDonald's on YouTube."
    assert len(orig) == len(out) + 1 and orig[-1] == len(text)
    k = out.index("Kim Jong Un")
    assert text[orig[k]:orig[k + len("Kim Jong Un") - 1] + 1] == "Kim Jong Un"
    assert split_glued("McDonald, iPhone, eBay, YouTube") == ("McDonald, iPhone, eBay, YouTube", None)


def frame(rows):
    """rows: (uid, sent, start, label, name)."""
    return pd.DataFrame([{"uid": u, "sent": s, "start": st, "end": st + len(n), "text": n, "label": lab, "name": n}
                         for u, s, st, lab, n in rows])


def ids(rows):
    m, ent = canonicalise(frame(rows))
    return m["entity_id"].tolist(), ent


def test_news_agencies_and_newspapers_are_org():
    got, _ = ids([(1, 1, 0, "NORP", "Yonhap"), (1, 1, 10, "PERSON", "Rodong Sinmun"),
                  (1, 1, 30, "PERSON", "Minju Joson"), (1, 1, 50, "PERSON", "Korea Herald"),
                  (1, 1, 70, "GPE", "KCNA"), (1, 1, 80, "PERSON", "Cheong Wa Dae"),
                  (1, 1, 95, "PERSON", "Dong-A Ilbo"), (1, 1, 110, "GPE", "Xinhua")])
    assert got == ["ORG:yonhap", "ORG:rodong-sinmun", "ORG:minju-joson", "ORG:korea-herald", "ORG:kcna",
                   "ORG:cheong-wa-dae", "ORG:dong-a-ilbo", "ORG:xinhua"]
    assert is_press("Kyunghyang Shinmun") and is_press("Pyongyang Times") and not is_press("Samsung")


def test_a_city_tagged_person_is_a_place():
    got, _ = ids([(1, 1, 0, "PERSON", "Ulsan"), (2, 1, 0, "PERSON", "Park Ulsan"), (2, 1, 20, "PERSON", "Ulsan")])
    assert got[0] == "GPE:ulsan"
    assert got[2] == "PERSON:park-ulsan"  # part of a full name in its own article: still the person


def test_one_name_under_several_labels_is_one_entity_with_the_majority_label():
    got, ent = ids([(1, 1, 0, "GPE", "Coupang"), (1, 1, 10, "ORG", "Coupang"), (2, 1, 0, "ORG", "Coupang"),
                    (3, 1, 0, "PERSON", "Coupang"), (3, 1, 10, "ORG", "Coupang Inc."),
                    (4, 1, 0, "ORG", "Coupang Corp"), (4, 1, 20, "ORG", "Coupang Eats")])
    assert got == ["ORG:coupang"] * 6 + ["ORG:coupang-eats"]
    assert ent.set_index("entity_id").loc["ORG:coupang", "mentions"] == 6
    assert majority_labels([("A", "ORG"), ("A", "GPE"), ("a", "GPE"), ("B", "PERSON")]) == {"a": "GPE"}
    assert majority_labels([("A", "GPE"), ("A", "ORG")]) == {"a": "ORG"}  # a tie goes to ORG


@pytest.mark.parametrize("name,bare", [("Coupang Inc.", "Coupang"), ("Hyundai Motor Co", "Hyundai Motor"),
                                       ("Samsung Electronics Co., Ltd.", "Samsung Electronics"),
                                       ("Bank of New York Co", "Bank of New York"), ("Siemens AG", "Siemens"),
                                       ("Inc.", "Inc."), ("Company", "Company"), ("Canada Inc", "Canada Inc")])
def test_company_suffixes(name, bare):
    assert strip_company_suffix(name) == bare


def test_country_long_forms_and_acronyms_join_the_country():
    got, ent = ids([(1, 1, 0, "ORG", "DPRK"), (1, 1, 10, "ORG", "Democratic People's Republic of Korea"),
                    (1, 1, 60, "GPE", "North Korea"), (2, 1, 0, "ORG", "ROK"), (2, 1, 10, "GPE", "South Korea"),
                    (3, 1, 0, "ORG", "PRC"), (3, 1, 5, "GPE", "UK"), (3, 1, 10, "GPE", "U.S."),
                    (4, 0, 0, "ORG", "IRAN")])
    assert got == ["GPE:KP", "GPE:KP", "GPE:KP", "GPE:KR", "GPE:KR", "GPE:CN", "GPE:GB", "GPE:US", "GPE:IR"]
    assert ent.set_index("entity_id").loc["GPE:KP", "name"] == "North Korea"


def test_korea_is_the_korea_the_article_names():
    got, _ = ids([(1, 1, 0, "GPE", "DPRK"), (1, 1, 10, "GPE", "DPRK"), (1, 1, 20, "GPE", "Korea"),
                  (2, 1, 0, "GPE", "South Korea"), (2, 1, 20, "GPE", "Korea"),
                  (3, 1, 0, "GPE", "Korea"),
                  (4, 1, 0, "NORP", "Korean"), (4, 1, 10, "GPE", "North Korea")])
    assert got == ["GPE:KP", "GPE:KP", "GPE:KP", "GPE:KR", "GPE:KR", "GPE:KR", "GPE:KP", "GPE:KP"]


def test_korea_follows_a_seoul_or_pyongyang_dateline():
    # Yonhap on the North: "Korean won" is still the South's; KCNA's "Korea" is the North's
    got, _ = ids([(1, 1, 0, "GPE", "SEOUL"), (1, 1, 30, "GPE", "North Korea"), (1, 2, 60, "GPE", "North Korea"),
                  (1, 3, 90, "NORP", "Korean"),
                  (2, 1, 0, "GPE", "Pyongyang"), (2, 1, 30, "GPE", "South Korea"), (2, 2, 60, "GPE", "Korea")])
    assert got[3] == "GPE:KR" and got[6] == "GPE:KP"


def test_glued_tail_joins_the_known_name():
    got, _ = ids([(1, 1, 0, "PERSON", "Kim Il Sungand"), (2, 1, 0, "PERSON", "Kim Il Sung"),
                  (3, 1, 0, "PERSON", "Roland")])
    assert got == ["PERSON:kim-il-sung", "PERSON:kim-il-sung", "PERSON:roland"]


def test_a_bare_surname_goes_to_the_central_person():
    # Lee Nak-yon comes first, but Lee Jae-myung is in the title and named most
    got, _ = ids([(1, 0, 0, "PERSON", "Lee Jae-myung"), (1, 1, 30, "PERSON", "Lee Nak-yon"),
                  (1, 2, 80, "PERSON", "Lee Jae-myung"), (1, 3, 120, "PERSON", "Lee")])
    assert got[-1] == "PERSON:lee-jae-myung"
    # no title: the most mentioned; a tie goes to the one named first
    got, _ = ids([(2, 1, 0, "PERSON", "Lee Nak-yon"), (2, 2, 30, "PERSON", "Lee Jae-myung"),
                  (2, 3, 60, "PERSON", "Lee")])
    assert got[-1] == "PERSON:lee-nak-yon"


@pytest.fixture(scope="module")
def nlp():
    from analysis.nlp import load_nlp

    return load_nlp()


def test_glued_scraped_text_gives_one_kim_jong_un(nlp):
    from analysis.enrich import enrich_frame

    text = ("PYONGYANG, Jan. 4 (KCNA) -- The respectedKim Jong Un inspected a farm. ComradeKim Jong Un praised "
            "the workers, Rodong Sinmun said.")
    e = enrich_frame(pd.DataFrame({"uid": [1], "title": ["Kim inspects farm"], "text": [text], "date": [None]}),
                     nlp=nlp)
    m, _ = canonicalise(e.mentions)
    kims = m[m["entity_id"] == "PERSON:kim-jong-un"]
    assert len(kims) >= 2 and set(kims["text"]) <= {"Kim", "Kim Jong Un"}
    full = "Kim inspects farm\n\n" + text
    assert all(full[s:e] == t for s, e, t in zip(m["start"], m["end"], m["text"]))
    assert "ORG:rodong-sinmun" in set(m["entity_id"])


@pytest.mark.parametrize("name,label,reason", [
    ("khj@yna.co.kr(END", "PERSON", "address"), ("crawled_at", "ORG", "key"), ("URGENT", "ORG", "wire tag"),
    ("He", "ORG", "pronoun"), ("Gov't", "ORG", "fragment"), ("Lee-budget minister", "PERSON", "fragment"),
    ("La 2.54 2.50", "EVENT", "numbers"), ("Feb 9", "PRODUCT", "date"), ("U.S. Dlrs", "PERSON", "amount"),
    ("non-OPEC", "NORP", "lower case"), ("Yonhap", "NORP", "press not ORG"), ("AI", "GPE", "listed"),
    ("Park Jin", "PERSON", None), ("Yonhap", "ORG", None), ("eBay", "ORG", None),
])
def test_eval_entities_junk_rules(name, label, reason):
    from bench.eval_entities import junk_rule

    assert junk_rule(name, label) == reason


def test_pasted_headline_lines_are_not_joined_into_one_name(nlp):
    from analysis.enrich import enrich_frame, ner_input

    body = ("N. Korea fires ballistic missile: JCS\nNorth Korea\nSEOUL, Jan. 4 (Yonhap) -- North Korea fired a "
            "missile, the Joint Chiefs of Staff\nsaid on Tuesday.")
    text, _ = ner_input(body)
    assert text.startswith("N. Korea fires ballistic missile: JCS\nNorth Korea\nSEOUL")  # short lines kept
    assert "Joint Chiefs of Staff said" in text  # a wrapped line is joined
    e = enrich_frame(pd.DataFrame({"uid": [1], "title": [""], "text": [body], "date": [None]}), nlp=nlp)
    assert not any("\n" in t and "SEOUL" in t for t in e.mentions["text"])


def test_a_title_case_headline_does_not_stretch_a_name(nlp):
    from analysis.enrich import enrich_frame

    e = enrich_frame(pd.DataFrame({"uid": [1], "title": ["Respected Comrade Kim Jong Un Inspects Farm"],
                                   "text": ["Kim Jong Un inspected a farm."], "date": [None]}), nlp=nlp)
    assert set(e.mentions["name"]) == {"Kim Jong Un"}
