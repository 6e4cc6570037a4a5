"""Tokenisation, TermIndex, top terms, trends and log-odds comparison on tiny in-code corpora."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.keywords import TermIndex, compare_terms, keyword_trends, top_terms
from analysis.text import STOPWORDS, count_terms, split_paragraphs


def test_count_terms_names_phrases_stopwords_markup():
    c = count_terms(
        ["Talks in Busan"],
        [
            "Foreign Minister Park Jin of South Korea met Wang Yi. North Korea's spy satellite failed; "
            "the spy satellite fell. He said it cost 2018 dollars. <b>See</b> http://x.com/a &amp; www.y.org"
        ],
    )[0]
    # names kept whole, title words cut off, possessive stripped
    assert c["park jin"] == 1 and c["south korea"] == 1 and c["wang yi"] == 1 and c["north korea"] == 1
    assert "korea" not in c and "north" not in c
    # bigram of two content words inside a clause (twice), title counted x2
    assert c["spy satellite"] == 2 and c["satellite"] == 2 and c["spy"] == 2
    assert c["talks"] == 2 and c["busan"] == 2
    # no stopwords, numbers, markup
    for bad in ("said", "the", "2018", "amp", "http", "www", "b", "com", "in"):
        assert bad not in c
    assert not any(t in STOPWORDS for t in c)
    # no bigram across a semicolon or a number
    assert "failed spy" not in c and "satellite fell" in c and "cost dollars" not in c


def test_count_terms_headline_casing_and_abbreviations():
    c = count_terms(["BAHIA COCOA REVIEW"], ["Showers continued in the U.S. and the Bank of England met."])[0]
    assert c["bahia"] == 2 and c["cocoa review"] == 2 and "bahia cocoa review" not in c
    assert c["u.s."] == 1 and c["bank of england"] == 1
    c2 = count_terms(["South Korea And China Hold Talks"], ["South Korea and China held talks."])[0]
    assert c2["south korea"] == 3  # body name found in the title-case headline too
    assert count_terms(None, [""]) == [{}]
    with pytest.raises(ValueError, match="differ in length"):
        count_terms(["a"], ["b", "c"])


def test_count_terms_deterministic():
    texts = ["Oil prices rose as OPEC met in Vienna. Oil prices fell later."] * 3
    assert count_terms(None, texts) == count_terms(None, texts)


def test_split_paragraphs_joins_footer():
    paras = split_paragraphs("First paragraph is long enough to count here.\n\nSecond one is also long enough to count, yes.\n\nscroll to top")
    assert len(paras) == 2 and paras[1].endswith("scroll to top")


def _tiny_index():
    counts = [
        {"oil": 3, "opec": 1, "prices": 1},
        {"oil": 2, "opec": 2, "wheat": 1},
        {"wheat": 3, "grain": 2, "prices": 1},
        {"wheat": 1, "grain": 1},
    ]
    return TermIndex.from_counts([10, 11, 12, 13], counts)


def test_term_index_exact_and_roundtrip():
    idx = _tiny_index()
    assert idx.terms.tolist() == ["grain", "oil", "opec", "prices", "wheat"]  # min_df=1 for < 50 docs, alphabetical
    assert idx.df.tolist() == [2, 2, 2, 2, 3]
    assert idx.X.toarray()[1].tolist() == [0, 2, 2, 0, 1]
    assert np.allclose(idx.idf[4], np.log(5 / 4) + 1)
    assert idx.row_index([13, 99, 10]).tolist() == [3, 0]
    tr = idx.to_triples()
    assert list(tr.columns) == ["uid", "term", "count"] and len(tr) == idx.X.nnz and tr["count"].sum() == 18
    back = TermIndex.from_triples(tr["uid"], tr["term"], tr["count"], uids=idx.uids)
    assert back.terms.tolist() == idx.terms.tolist() and (back.X != idx.X).nnz == 0
    # integer codes into a vocab (what the store hands over) give the same index; unused codes are dropped
    vocab = np.array(["unused", *sorted(set(tr["term"])), None], dtype=object)
    code = {t: i for i, t in enumerate(vocab)}
    coded = TermIndex.from_coded(tr["uid"], [code[t] for t in tr["term"]], tr["count"], vocab,
                                 uids=[*idx.uids, 99])
    assert coded.terms.tolist() == idx.terms.tolist() and coded.uids.tolist() == [10, 11, 12, 13, 99]
    assert (coded.X[:4] != idx.X).nnz == 0 and coded.X[4].nnz == 0 and coded.df.tolist() == idx.df.tolist()
    # min_df=2 drops once-only terms
    assert "opec" not in TermIndex.from_counts([1, 2], [{"opec": 1, "oil": 1}, {"oil": 1}], min_df=2).terms


def test_max_df_ratio_masks_frequent_terms():
    counts = [{"market": 1, f"t{i}": 1} for i in range(30)] + [{"other": 1} for _ in range(10)]
    idx = TermIndex.from_counts(list(range(40)), counts, min_df=1)
    assert idx.frequent_terms == ["market"]
    assert "market" not in top_terms(idx, k=50)["term"].tolist()


def test_top_terms_subset_and_single_article():
    idx = _tiny_index()
    oil = top_terms(idx, [10, 11], k=3)
    assert list(oil.columns) == ["term", "score", "count", "docs"]
    assert oil["term"].tolist()[:2] == ["oil", "opec"]
    assert oil.loc[0, "count"] == 5 and oil.loc[0, "docs"] == 2
    one = top_terms(idx, [12], k=1)
    assert one["term"].tolist() == ["wheat"]
    assert top_terms(idx, [999]).empty


def test_compare_terms_exact_distinctive_term():
    idx = _tiny_index()
    cmp_ = compare_terms(idx, [10, 11], [12, 13], k=5)
    assert list(cmp_.columns) == ["term", "log_odds_z", "count_a", "count_b", "freq_a", "freq_b", "side"]
    a = cmp_[cmp_.side == "A"]
    b = cmp_[cmp_.side == "B"]
    assert a.iloc[0]["term"] == "oil" and a.iloc[0]["count_a"] == 5 and a.iloc[0]["count_b"] == 0
    assert b.iloc[0]["term"] == "grain" or b.iloc[0]["term"] == "wheat"
    assert (a["log_odds_z"] > 0).all() and (b["log_odds_z"] < 0).all()
    # None = rest of corpus gives the same answer here
    assert compare_terms(idx, [10, 11], k=5)["term"].tolist() == cmp_["term"].tolist()


def test_keyword_trends_counts_and_share():
    idx = _tiny_index()
    periods = pd.Series(["2024-01", "2024-01", "2024-02", None], index=[10, 11, 12, 13])
    tr = keyword_trends(idx, [10, 11, 12, 13], periods, terms=["oil", "wheat", "nope"])
    assert list(tr.columns) == ["period", "term", "count", "docs", "share", "period_docs"]
    got = {(r.period, r.term): (r.count, r.docs, r.share) for r in tr.itertuples()}
    assert got[("2024-01", "oil")] == (5, 2, 1.0)
    assert got[("2024-01", "wheat")] == (1, 1, 0.5)
    assert got[("2024-02", "oil")] == (0, 0, 0.0)
    assert got[("2024-02", "nope")] == (0, 0, 0.0)
    # positional periods
    tr2 = keyword_trends(idx, [10, 12], ["a", "b"], terms=["wheat"])
    assert tr2["count"].tolist() == [0, 3]


def test_shipped_stop_words_are_scikit_learns():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN

    from analysis.text import ENGLISH_STOP_WORDS, STOPWORDS

    assert ENGLISH_STOP_WORDS == frozenset(SKLEARN) and ENGLISH_STOP_WORDS <= STOPWORDS
