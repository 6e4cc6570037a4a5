"""Countries an article is *about* (issue 15): datelines, currencies, markets, languages, shouted text, the export.

Most tests call :func:`countries_for_article` with the NER spans written out, so each rule is checked exactly and
without the model; the export tests build a two-article store.
"""

from __future__ import annotations

import json

import pytest

from analysis.countries import WEIGHTS, countries_for_article, dateline_match, find_dateline
from analysis.filters import ABOUT_DEFAULT, Filter


def weights(title, text, spans=()):
    return {r["iso2"]: r["weight"] for r in countries_for_article(title, text, spans)}


def evidence(title, text, spans=()):
    return {r["iso2"]: json.loads(r["evidence"]) for r in countries_for_article(title, text, spans)}


# ---- datelines -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,place,iso", [
    # US state abbreviations with and without a full stop, postal codes and full names decide over the city
    ("SAN JOSE, Calif - Shares", "SAN JOSE", "US"),
    ("SAN JOSE, Calif., March 3 - Shares", "SAN JOSE", "US"),
    ("PRESTON, Md, March 3 - Shares", "PRESTON", "US"),
    ("WARRINGTON, Pa - Shares", "WARRINGTON", "US"),
    ("ST CLAIR, Mich, March 3 - Shares", "ST CLAIR", "US"),
    ("PALM BEACH, Fla, April 1 - Shares", "PALM BEACH", "US"),
    ("DOVER, Del - Shares", "DOVER", "US"),
    ("PERTH, N.Y. - Shares", "PERTH", "US"),
    ("PERTH, NY - Shares", "PERTH", "US"),
    ("VICTORIA, Texas, May 2 - Shares", "VICTORIA", "US"),
    ("BRISTOL, Tennessee - Shares", "BRISTOL", "US"),
    ("LONDON, Ont - Shares", "LONDON", "CA"),
    # cities the old table missed: accents, "St." for Saint, common-word names, umlauts as ue
    ("LOME, March 3 - The Togolese", "LOME", "TG"),
    ("ST. PAUL, March 3 - 3M said", "ST. PAUL", "US"),
    ("PROVIDENCE, March 3 - Textron", "PROVIDENCE", "US"),
    ("MADISON, March 3 - Oscar Mayer", "MADISON", "US"),
    ("DUESSELDORF, March 3 - Henkel", "DUESSELDORF", "DE"),
    ("DUSSELDORF, March 3 - Henkel", "DUSSELDORF", "DE"),
    ("****ANTWERP, March 3 - Diamonds", "ANTWERP", "BE"),
])
def test_dateline_places(text, place, iso):
    assert find_dateline(text) == (place, iso)


@pytest.mark.parametrize("text,iso", [("LOS ANGELS, March 3 - Shares", "US"), ("FRANKFRUT, March 3 - Shares", "DE"),
                                      ("SINGPAORE, March 3 - Shares", "SG")])
def test_dateline_typo_one_edit_from_a_big_city(text, iso):
    place, found, _end, rule = dateline_match(text)
    assert (found, rule) == (iso, "dateline-fuzzy")
    assert json.loads(countries_for_article("", text)[0]["evidence"])[0] == {"text": place, "rule": "dateline-fuzzy"}


def test_dateline_typo_is_conservative():
    assert find_dateline("PARSI, March 3 - x") is None  # five letters: too short to guess
    assert find_dateline("QWERTYVILLE, March 3 - x") is None


def test_dateline_after_a_pasted_headline_and_section_label():
    text = ("N. Korea proposes talks\nPolitics\nSEOUL, Jan. 4 (Yonhap) -- North Korea on Tuesday proposed talks "
            "with the United States.")
    assert find_dateline(text) == ("SEOUL", "KR")
    rows = countries_for_article("N. Korea proposes talks", text)
    kr = next(r for r in rows if r["iso2"] == "KR")
    assert kr["dateline"] and kr["weight"] >= ABOUT_DEFAULT


def test_a_line_that_only_looks_like_a_dateline_later_on_is_not_one():
    assert find_dateline("Markets\nThe Fed - as expected - held rates.\nBoth sides -- agreed") is None
    # only within the first lines
    assert find_dateline("x\n" * 8 + "SEOUL, Jan. 4 (Yonhap) -- talks") is None


# ---- currencies, markets, languages ------------------------------------------------------------------------------

def test_currencies_are_not_places():
    text = ("NEW YORK, March 3 - The dollar rose against the French franc and the Swiss francs, while the "
            "Japanese yen, the Canadian dollar, the South Korean won and the Brazilian real were steady. "
            "U.S. dlrs 500 mln were traded.")
    w = weights("DOLLAR FIRMER", text)
    assert set(w) == {"US"}  # US from the dateline only: "U.S. dlrs" is money too
    assert {"text": "French", "rule": "not counted: currency"} in evidence("", "French officials and the French "
                                                                             "franc")["FR"]


def test_currency_rule_leaves_people_and_property_alone():
    assert "FR" in weights("", "French officials met.")
    assert "BR" in weights("", "Brazilian real estate prices rose.")
    assert "KR" in weights("", "A South Korean won the gold medal.")


def test_financial_centres_weigh_less_than_the_story_place():
    text = ("NEW YORK, March 3 - Gold rose in New York. In London trading it was firmer and Zurich dealers said the "
            "Frankfurt bourse and the Tokyo stock exchange were quiet.")
    # the model tags the cities GPE; London and Tokyo are matched as capitals anyway, Zurich and Frankfurt as places
    off = len("GOLD RISES\n\n")  # spans are offsets into title + blank line + body
    spans = [(off + text.index(city), off + text.index(city) + len(city), "GPE") for city in ("Zurich", "Frankfurt")]
    w = weights("GOLD RISES", text, spans)
    assert w["US"] >= ABOUT_DEFAULT
    for iso in ("GB", "CH", "DE", "JP"):
        assert w[iso] == WEIGHTS["market"] < ABOUT_DEFAULT
    rows = {r["iso2"]: r for r in countries_for_article("GOLD RISES", text, spans)}
    assert rows["GB"]["mentions"] == 0
    assert json.loads(rows["CH"]["evidence"]) == [{"text": "Zurich", "rule": "market"}]


def test_a_financial_centre_that_is_the_story_place_still_counts():
    w = weights("", "LONDON, March 3 - London trading was quiet. London officials said Britain would act.")
    assert w["GB"] >= 0.5


def test_languages_are_not_countries():
    text = ("The paper hired a native English-speaking editor. Its Korean-language and English editions are "
            "published in French, in English and in German. She speaks Spanish.")
    assert weights("", text) == {}
    ev = evidence("", "English officials and an English-speaking editor")
    assert {"text": "English", "rule": "not counted: language"} in ev["GB"]


def test_a_language_word_before_a_noun_is_still_a_country():
    assert set(weights("", "Troops moved in French territory and German banks lent.")) == {"FR", "DE"}


# ---- shouted wire text -------------------------------------------------------------------------------------------

def test_shouted_country_names_count_whatever_the_model_tagged():
    title = "JORDAN SAYS TOGO AND PERU BACK PLAN"
    # the small model tags capitals as people: "JORDAN" PERSON, "TOGO" PERSON
    spans = [(0, 6, "PERSON"), (12, 16, "PERSON"), (21, 25, "ORG")]
    assert set(weights(title, "Officials met on Monday.", spans)) == {"JO", "TG", "PE"}
    body = "AMMAN - LEBANON AND CUBA SIGNED A PACT WITH IRELAND."
    spans = [(8, 15, "PERSON"), (20, 24, "PERSON"), (44, 51, "PERSON")]
    assert {"LB", "CU", "IE"} <= set(weights("", body, spans))


def test_shouted_person_names_stay_people():
    title = "MICHAEL JORDAN SCORES 40"
    assert "JO" not in weights(title, "The Bulls won.", [(0, 14, "PERSON")])
    # and in normal case a country word the model tags PERSON is still not a country
    assert "JO" not in weights("", "Jordan scored 40 points.", [(0, 6, "PERSON")])


# ---- one threshold everywhere ------------------------------------------------------------------------------------

def test_about_default_is_the_filter_default_and_zero_keeps_every_mention():
    assert Filter().min_country_weight == ABOUT_DEFAULT
    assert Filter(min_country_weight=0).min_country_weight == 0.0
    assert Filter.from_params({}).min_country_weight == ABOUT_DEFAULT
    assert Filter(min_country_weight=0).to_params() == {"about": "0.0"}
    assert Filter().describe() == "all articles"


@pytest.fixture(scope="module")
def two_article_store(tmp_path_factory):
    from analysis.cli import main

    folder = tmp_path_factory.mktemp("about")
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"id": "kr", "title": "South Korea raises rates",
         "text": "SEOUL, March 3 - South Korea's central bank raised rates. South Korea said inflation rose. "
                 "A Japanese delegation is expected next month.", "date": "2023-03-03"},
        {"id": "none", "title": "Weather", "text": "It rained all day.", "date": "2023-03-04"},
    ]) + "\n", encoding="utf-8")
    store = folder / "s.duckdb"
    assert main(["build", str(corpus), "--store", str(store), "--no-topics", "--quiet"]) == 0
    return store


def _export(store, capsys, *extra):
    from analysis.cli import main

    assert main(["articles", "--store", str(store), "--keywords", "0", *extra]) == 0
    return {r["id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}


def test_export_countries_are_about_and_mentioned_lists_all(two_article_store, capsys):
    rows = _export(two_article_store, capsys)
    assert rows["kr"]["countries"] == ["KR"]
    mentioned = dict(item.split(":") for item in rows["kr"]["countries_mentioned"])
    assert set(mentioned) == {"KR", "JP"}
    assert float(mentioned["JP"]) < ABOUT_DEFAULT <= float(mentioned["KR"])
    assert rows["none"]["countries"] == [] and rows["none"]["countries_mentioned"] == []
    # --about 0: every country mentioned, as before
    assert _export(two_article_store, capsys, "--about", "0")["kr"]["countries"] == ["KR", "JP"]
    # the country filter uses the same threshold: JP is mentioned, not what the article is about
    assert _export(two_article_store, capsys, "--country", "JP") == {}
    assert list(_export(two_article_store, capsys, "--country", "JP", "--about", "0")) == ["kr"]


def test_dashboard_article_list_shows_the_same_countries(two_article_store):
    from analysis.store import Store

    store = Store.open(two_article_store)
    rows = store.articles(Filter()).set_index("id")
    assert list(rows.loc["kr", "countries"]) == ["KR"]
    assert list(store.articles(Filter(min_country_weight=0)).set_index("id").loc["kr", "countries"]) == ["KR", "JP"]
    assert store.countries(Filter())["iso2"].tolist() == ["KR"]


def test_export_csv_keeps_weights_readable(two_article_store, capsys, tmp_path):
    from analysis.cli import main

    out = tmp_path / "a.csv"
    assert main(["articles", "--store", str(two_article_store), "--keywords", "0", "--format", "csv",
                 "--out", str(out)]) == 0
    header, *lines = out.read_text(encoding="utf-8").splitlines()
    assert header.split(",")[5:7] == ["countries", "countries_mentioned"]
    kr = next(line for line in lines if line.startswith("kr,"))
    # KR: dateline + title + early + 3 mentions; JP: one early mention (0.1 + 0.126)
    assert ",KR,KR:1.000;JP:0.226," in kr


def test_eval_countries_scores_what_the_cli_exports(two_article_store):
    from bench.eval_countries import _by_id, exported, mentioned, score

    rows = exported(two_article_store)
    assert _by_id(rows, lambda r: r["countries"]) == {"kr": ["KR"], "none": []}
    assert mentioned(next(r for r in rows if r["id"] == "kr")) == {"KR": 1.0, "JP": 0.226}
    before = _by_id(exported(two_article_store, about=0), lambda r: set(r["countries"]))
    truth = {"kr": {"KR"}}
    assert score(before, truth) == (0.5, 1.0, 2 / 3)
    assert score(_by_id(rows, lambda r: set(r["countries"])), truth) == (1.0, 1.0, 1.0)
