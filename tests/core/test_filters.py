import datetime as dt

import pytest

from analysis.filters import Filter


def test_defaults_are_empty_and_hashable():
    f = Filter()
    assert f.is_empty
    assert hash(f) == hash(Filter())
    assert f.describe() == "all articles"


def test_normalises_values():
    f = Filter(countries=["kr", "CN", "kr"], topics=["3", 1], since="2023-01-02", query="  spy satellite  ")
    assert f.countries == ("KR", "CN")
    assert f.topics == (3, 1)
    assert f.since == dt.date(2023, 1, 2)
    assert f.query == "spy satellite"


def test_round_trip_through_params():
    f = Filter(countries=("KR", "CN"), min_country_weight=0.5, topics=(2,), sources=("Reuters",),
               entities=("PERSON:wang-yi",), since=dt.date(1987, 3, 1), until=dt.date(1987, 4, 30),
               query='"oil price" opec', unique=True)
    params = f.to_params()
    assert params["country"] == "KR,CN"
    assert params["about"] == "0.5"
    assert params["unique"] == "1"
    assert Filter.from_params(params) == f
    assert Filter.from_params(f.to_params("b_"), prefix="b_") == f
    assert Filter.from_params(f.to_params("b_")) == Filter()


def test_only_non_default_values_are_written():
    assert Filter().to_params() == {}
    assert Filter(query="x").to_params() == {"q": "x"}


@pytest.mark.parametrize("bad", [{"since": "yesterday"}, {"about": "2"}, {"topic": "abc"}])
def test_bad_params_raise_value_error(bad):
    with pytest.raises(ValueError):
        Filter.from_params(bad)


def test_since_after_until_is_rejected():
    with pytest.raises(ValueError, match="after"):
        Filter(since="2024-02-01", until="2024-01-01")


def test_query_is_capped():
    assert len(Filter(query="x" * 10_000).query) == 500


def test_describe_says_the_filter_in_words():
    from analysis.filters import FilterNames

    f = Filter(countries=["KP"], topics=[3], entities=["PERSON:lee-jae-myung"], query='"special counsel"',
               since="2025-12-26", until="2026-01-06")
    names = FilterNames(countries={"KP": "North Korea"}, topics={3: "won · market · shares"},
                        entities={"PERSON:lee-jae-myung": "Lee Jae-myung"})
    assert f.describe(names) == ('about North Korea · topic "won · market · shares" · mentioning Lee Jae-myung · '
                                 'Dec 26, 2025 to Jan 6, 2026 · text "special counsel"')
    # without names: ids, but never the raw entity id or a doubled quote
    assert f.describe() == ('about KP · topic #3 · mentioning Lee Jae Myung · Dec 26, 2025 to Jan 6, 2026 · '
                            'text "special counsel"')
    assert Filter(query="oil").describe() == 'text "oil"'
    assert Filter(sources=["Reuters", "AP"], unique=True).describe() == "from Reuters or AP · unique stories"
    assert Filter(since="2024-01-01").describe() == "since Jan 1, 2024"
    assert Filter(countries=["KR"], min_country_weight=0.5).describe() == "about KR (weight ≥ 0.5)"


def test_export_file_names_carry_the_filter():
    from analysis.filters import filter_slug

    f = Filter(countries=["KP"], since="2025-12-26", until="2026-01-06")
    assert filter_slug(f) == "about-KP-2025-12-26..2026-01-06"
    assert filter_slug(Filter()) == ""
    assert filter_slug(Filter(entities=["PERSON:lee-jae-myung"], query='"spy satellite"')) == \
        "with-lee-jae-myung-text-spy-satellite"
    assert "/" not in filter_slug(Filter(sources=["../../etc/passwd"]))
