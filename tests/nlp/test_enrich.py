"""Enrichment: countries, entities, dated events on tiny texts written here, the seed article, and Reuters quality."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.canonical import canonicalise
from analysis.countries import countries_for_article, find_dateline
from analysis.enrich import Enrichment, enrich_frame
from analysis.entities import load_overrides, normalise_name
from analysis.events import find_dates

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_8b0a12b99d1f3a07.txt"
REUTERS = SHARED / "corpora" / "reuters21578" / "jsonl"


@pytest.fixture(scope="module")
def nlp():
    from analysis.nlp import load_nlp

    return load_nlp()


def frame(*docs, date=None):
    return pd.DataFrame({"uid": list(range(1, len(docs) + 1)), "title": [d[0] for d in docs],
                         "text": [d[1] for d in docs], "date": [date] * len(docs)})


def isos(title, text, nlp):
    e = enrich_frame(frame((title, text)), nlp=nlp)
    return dict(zip(e.countries.iso2, e.countries.weight))


# ---- countries -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,place,iso", [
    ("SEOUL, Jan. 4 (Yonhap) -- The talks", "SEOUL", "KR"),
    ("LONDON, April 21 - Shares fell", "LONDON", "GB"),
    ("Busan \u2013 Foreign ministers met", "Busan", "KR"),
    ("SALVADOR, Feb 26 - Showers continued", "SALVADOR", "BR"),
    ("ROCHESTER, N.Y., Feb 26 - Champion said", "ROCHESTER", "US"),
    ("MONTREAL, Quebec, March 3 - Quebecor said", "MONTREAL", "CA"),
])
def test_datelines(text, place, iso):
    assert find_dateline(text) == (place, iso)


def test_no_dateline_in_plain_text():
    assert find_dateline("Shr 10 cts vs 5 cts") is None
    assert find_dateline("The minister said on Monday - and then left") is None


def test_metonyms_demonyms_aliases(nlp):
    got = isos("", "Pyongyang said it would respond. The Kremlin and Whitehall declined to comment, "
                   "while French officials met their Chinese counterpart. Holland and the U.S.A. agreed.", nlp)
    assert set(got) == {"KP", "RU", "GB", "FR", "CN", "NL", "US"}


def test_cities_states_and_shadowed_names(nlp):
    got = isos("", "Prices rose in Texas and in New Mexico, traders in Osaka said. Ships crossed the Gulf of Mexico.",
               nlp)
    assert set(got) == {"US", "JP"}


def test_weight_formula_dateline_and_title():
    rows = countries_for_article("Japan cuts rates", "TOKYO, March 2 - The central bank cut rates. "
                                 + "x " * 200 + "A trader in Canada said so.", [])
    w = {r["iso2"]: r for r in rows}
    assert w["JP"]["dateline"] is True and w["JP"]["weight"] == pytest.approx(0.5 + 0.35 + 0.4 * 1 / 3.1699, abs=1e-3)
    assert w["CA"]["weight"] == pytest.approx(0.4 / 3.1699, abs=1e-3)
    assert [r["iso2"] for r in rows] == ["JP", "CA"]
    assert json.loads(w["JP"]["evidence"])[0] == {"text": "TOKYO", "rule": "dateline"}


def test_person_named_like_a_place_is_not_a_country():
    # "Jordan" as a PERSON span does not count; as GPE it does
    text = "Michael Jordan scored."
    assert countries_for_article("", text, [(0, 14, "PERSON")]) == []
    assert [r["iso2"] for r in countries_for_article("", "Troops entered Jordan.", [(15, 21, "GPE")])] == ["JO"]


# ---- entities --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw,label,name", [
    ("Foreign Minister Park Jin", "PERSON", "Park Jin"),
    ("Park's", "PERSON", "Park"),
    ("President Yoon Suk Yeol's", "PERSON", "Yoon Suk Yeol"),
    ("Mr. Smith", "PERSON", "Smith"),
    ("Dr. Jane Doe", "PERSON", "Jane Doe"),
    ("the United States", "GPE", "United States"),
    ("1987", "ORG", ""),
    ("X", "ORG", ""),
])
def test_normalise_name(raw, label, name):
    assert normalise_name(raw, label) == name


def test_canonicalise_merges_variants(tmp_path):
    m = pd.DataFrame([
        (1, "Park Jin", "PERSON"), (1, "Park", "PERSON"), (1, "Park", "PERSON"),
        (2, "Park", "PERSON"),  # no full name in article 2: corpus's most frequent full name
        (1, "U.S.", "GPE"), (2, "United States", "GPE"), (2, "US", "GPE"), (3, "U.S.A.", "GPE"),
        (3, "Organization of Petroleum Exporting Countries", "ORG"), (3, "OPEC", "ORG"), (4, "OPEC", "ORG"),
        (4, "Big Blue", "ORG"),
    ], columns=["uid", "name", "label"])
    ov = tmp_path / "ov.csv"
    ov.write_text("alias,canonical,label\nBig Blue,IBM,ORG\n")
    out, ents = canonicalise(m, overrides=load_overrides(ov))
    assert out.entity_id.tolist() == ["PERSON:park-jin"] * 4 + ["GPE:US"] * 4 + [
        "ORG:organization-of-petroleum-exporting-countries"] * 3 + ["ORG:ibm"]
    e = ents.set_index("entity_id")
    assert e.loc["GPE:US", "name"] == "United States" and e.loc["GPE:US", "articles"] == 3
    assert e.loc["GPE:US", "aliases"] == ["U.S.", "U.S.A.", "US", "United States"]
    assert e.loc["PERSON:park-jin", "mentions"] == 4 and e.loc["ORG:ibm", "name"] == "IBM"


def test_load_overrides_rejects_bad_header(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("name,other\na,b\n")
    with pytest.raises(ValueError, match="alias,canonical"):
        load_overrides(p)


# ---- events ----------------------------------------------------------------------------------------------------

def ev(text, date=None):
    return [(r.expression, r.start, r.end, r.granularity, r.anchor) for r in find_dates(text, date)]


SUN = dt.date(2023, 11, 26)  # a Sunday


def test_relative_dates_anchor_on_article_date():
    d = dt.date
    assert ev("He left on Sunday.", SUN) == [("Sunday", SUN, SUN, "day", "article")]
    assert ev("It began on Saturday.", SUN) == [("Saturday", d(2023, 11, 25), d(2023, 11, 25), "day", "article")]
    assert ev("They met last week.", SUN) == [("last week", d(2023, 11, 13), d(2023, 11, 19), "week", "article")]
    assert ev("Talks resume next month.", SUN) == [("next month", d(2023, 12, 1), d(2023, 12, 31), "month",
                                                     "article")]
    assert ev("It happened yesterday.", SUN) == [("yesterday", d(2023, 11, 25), d(2023, 11, 25), "day", "article")]
    assert ev("Sales rose earlier this year.", SUN) == [("earlier this year", d(2023, 1, 1), d(2023, 12, 31), "year",
                                                         "article")]
    assert ev("Defectors were sent back in October.", SUN) == [("October", d(2023, 10, 1), d(2023, 10, 31), "month",
                                                                "article")]
    assert ev("Profit fell in the fourth quarter.", d(1987, 2, 26)) == [
        ("fourth quarter", d(1986, 10, 1), d(1986, 12, 31), "quarter", "article")]


def test_explicit_dates_resolve_from_text():
    d = dt.date
    assert ev("They met on July 14, 2023 in Jakarta.") == [("July 14, 2023", d(2023, 7, 14), d(2023, 7, 14), "day",
                                                            "text")]
    assert ev("his first trip since September 2021.") == [("September 2021", d(2021, 9, 1), d(2021, 9, 30), "month",
                                                           "text")]
    assert ev("revoked a 2018 accord") == [("2018", d(2018, 1, 1), d(2018, 12, 31), "year", "text")]
    assert ev("growth in the 1990s") == [("1990s", d(1990, 1, 1), d(1999, 12, 31), "decade", "text")]


def test_undated_partial_dates_are_not_guessed():
    # the text's other explicit date (2023) must not anchor "May and August"
    got = ev("Two attempts in May and August failed. A meeting on July 14, 2023 followed. He came on Sunday.")
    assert got[:2] == [("May", None, None, "month", "none"), ("August", None, None, "month", "none")]
    assert got[3] == ("Sunday", None, None, "day", "none")


def test_numbers_and_modal_may_are_not_dates():
    assert ev("May I ask? Output was 2,018 tonnes, or 1990 tonnes.", SUN) == []


# ---- the seed article --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed(nlp):
    if not SEED.exists():
        pytest.skip("../shared/seeds not present")
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    f = pd.DataFrame({"uid": [1, 2], "title": [title] * 2, "text": [body.strip()] * 2, "date": [None, SUN]})
    return enrich_frame(f, nlp=nlp)


def test_seed_countries(seed):
    c = seed.countries[seed.countries.uid == 1]
    assert {"KR", "CN", "KP", "JP", "RU", "US", "UA", "ID"} <= set(c.iso2)
    assert set(c.iso2[:3]) == {"KR", "CN", "KP"}
    assert c.set_index("iso2").loc["KR", "dateline"]


def test_seed_people(seed):
    _, ents = canonicalise(seed.mentions[seed.mentions.uid == 1])
    people = ents[ents.label == "PERSON"].set_index("entity_id")
    for eid in ("PERSON:park-jin", "PERSON:wang-yi", "PERSON:yoon-suk-yeol"):
        assert eid in people.index
    assert not any(n in ("Park", "Wang", "Yoon") for n in ents.name)
    assert people.loc["PERSON:park-jin", "mentions"] >= 3


def test_seed_events(seed):
    d = dt.date
    got = {(r.uid, r.expression): (r.start, r.end, r.granularity, r.resolved, r.anchor)
           for r in seed.events.itertuples()}
    assert got[(1, "2018")] == (d(2018, 1, 1), d(2018, 12, 31), "year", True, "text")
    assert got[(1, "July 14, 2023")] == (d(2023, 7, 14), d(2023, 7, 14), "day", True, "text")
    assert got[(1, "September 2021")] == (d(2021, 9, 1), d(2021, 9, 30), "month", True, "text")
    for expr, gran in (("May", "month"), ("August", "month"), ("October", "month"), ("Sunday", "day"),
                       ("Saturday", "day")):
        assert got[(1, expr)] == (None, None, gran, False, "none")
    assert got[(2, "Sunday")][:2] == (SUN, SUN)
    assert got[(2, "May")][:2] == (d(2023, 5, 1), d(2023, 5, 31))
    assert got[(2, "August")][:2] == (d(2023, 8, 1), d(2023, 8, 31))
    assert got[(2, "October")][:2] == (d(2023, 10, 1), d(2023, 10, 31))


def test_seed_tables_are_consistent(seed):
    assert list(seed.mentions.columns) == ["uid", "sent", "start", "end", "text", "label", "name"]
    assert list(seed.events.columns)[:4] == ["uid", "sent", "sentence", "expression"]
    s = seed.sentences[seed.sentences.uid == 1]
    assert s.iloc[0].tolist() == [1, 0, 0, 70]  # the title is sentence 0
    assert set(seed.events.sent) | set(seed.mentions.sent) <= set(seed.sentences.sent)


def test_partitions_equal_local_run(nlp):
    docs = [("Japan cuts rates", "TOKYO, March 2 - The Bank of Japan cut rates on Monday."),
            ("", "Wang Yi met Park Jin in Busan in May.")]
    whole = enrich_frame(frame(*docs, date=dt.date(1987, 3, 2)), nlp=nlp)
    f = frame(*docs, date=dt.date(1987, 3, 2))
    parts = Enrichment.concat([enrich_frame(f.iloc[:1], nlp=nlp), enrich_frame(f.iloc[1:], nlp=nlp)])
    for name in ("mentions", "countries", "events", "sentences"):
        pd.testing.assert_frame_equal(getattr(whole, name), getattr(parts, name))


def test_empty_frame(nlp):
    e = enrich_frame(pd.DataFrame({"uid": [], "title": [], "text": [], "date": []}), nlp=nlp)
    assert e.mentions.empty and list(e.countries.columns) == ["uid", "iso2", "weight", "mentions", "evidence",
                                                              "dateline"]


# ---- Reuters quality ---------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not REUTERS.exists(), reason="../shared/corpora not present")
def test_reuters_country_f1(nlp):
    from analysis.countries import DEFAULT_MIN_WEIGHT
    from bench.eval_countries import load, predictions, score

    f, truth = load(1000, "test")
    enr = enrich_frame(f, nlp=nlp)
    p, r, f1 = score(predictions(enr.countries, DEFAULT_MIN_WEIGHT), truth)
    assert f1 >= 0.8, (p, r, f1)
