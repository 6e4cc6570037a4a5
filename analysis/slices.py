"""Analyses under a Filter that need more than one SQL query: keywords from the stored term counts, A-vs-B
comparisons, the enriched article export. Shared by the CLI, the charts registry and the dashboard.

Everything returns tidy DataFrames. Keywords read the store's term index (:func:`term_index`): a host that asks
many times (the dashboard) keeps one per store version, so keywords for any filter cost a row selection and a sparse
sum; this module keeps nothing between calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.filters import Filter, FilterNames
from analysis.periods import period_starts
from analysis.store import NO_FILTER, Store


def term_index(store: Store):
    """The :class:`analysis.keywords.TermIndex` of this store version: the one its host keeps
    (``store.term_index_source``, set by ``dashboard.data``), else built now from the stored counts (the CLI runs
    one command per process and needs no cache; a host that asks many times sets the source)."""
    if store.term_index_source is not None:
        return store.term_index_source()
    return build_term_index(store)


def build_term_index(store: Store):
    """A new :class:`analysis.keywords.TermIndex` of ``store`` (about 1 s at 15k articles on 2 cores)."""
    from analysis.keywords import TermIndex

    return TermIndex.from_coded(*store.term_codes(), uids=store.uids(Filter()))


def keywords(store: Store, f: Filter = NO_FILTER, k: int = 25) -> pd.DataFrame:
    """Top TF-IDF terms of the filtered articles: term, score, count, docs."""
    from analysis.keywords import top_terms

    index = term_index(store)
    uids = None if f.is_empty else store.uids(f)
    if uids is not None and len(uids) == 0:
        return pd.DataFrame(columns=["term", "score", "count", "docs"])
    return top_terms(index, uids, k=k)


def article_keywords(store: Store, uid: int, k: int = 10) -> pd.DataFrame:
    from analysis.keywords import top_terms

    return top_terms(term_index(store), np.asarray([uid]), k=k)


def compare_keywords(store: Store, a: Filter, b: Filter | None = None, k: int = 20) -> pd.DataFrame:
    """Distinctive terms of A against B (or against the rest of the corpus when B is None):
    term, log_odds_z, count_a, count_b, freq_a, freq_b, side."""
    from analysis.keywords import compare_terms

    index = term_index(store)
    uids_a = store.uids(a)
    uids_b = store.uids(b) if b is not None else None
    return compare_terms(index, uids_a, uids_b, k=k)


def keyword_trends(store: Store, f: Filter = NO_FILTER, freq: str = "month", terms: list[str] | None = None, k: int = 8) -> pd.DataFrame:
    """period, term, count, docs, share: the top terms (or ``terms``) per period of publication date."""
    from analysis.keywords import keyword_trends as trends

    dates = store.article_dates(f)
    if dates.empty:
        return pd.DataFrame(columns=["period", "term", "count", "docs", "share"])
    periods = period_starts(dates["date"], freq)
    return trends(term_index(store), dates["uid"].to_numpy(), pd.Series(periods.to_numpy(), index=dates["uid"].to_numpy()), terms=terms, k=k)


def countries(store: Store, f: Filter = NO_FILTER) -> pd.DataFrame:
    """iso2, name, articles, mentions, weight for the countries the filtered articles are about."""
    frame = store.countries(f)
    frame.insert(1, "name", [country_name(c) for c in frame["iso2"]])
    return frame


def country_name(iso2: str) -> str:
    """Common English name of an ISO 3166-1 alpha-2 code ("KR" -> "South Korea"); the code itself when unknown."""
    return COUNTRY_NAMES.get(iso2) or _country_name_lookup(iso2)


#: Common names where pycountry's official one is not what a reader expects (a constant: never changed at run time)
COUNTRY_NAMES = {"KR": "South Korea", "KP": "North Korea", "RU": "Russia", "IR": "Iran", "SY": "Syria",
                  "TW": "Taiwan", "VN": "Vietnam", "LA": "Laos", "BO": "Bolivia", "VE": "Venezuela", "TZ": "Tanzania",
                  "MD": "Moldova", "CZ": "Czechia", "GB": "United Kingdom", "US": "United States", "PS": "Palestine",
                  "CD": "DR Congo", "CG": "Congo", "XK": "Kosovo", "BN": "Brunei", "FM": "Micronesia"}


def _country_name_lookup(iso2: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=str(iso2).upper())
    if country is None:
        return str(iso2)
    return getattr(country, "common_name", None) or country.name


def compare_topics(store: Store, a: Filter, b: Filter) -> pd.DataFrame:
    """topic_id, name (label), share_a, share_b, articles_a, articles_b."""
    ta = store.topics(a)
    tb = store.topics(b)
    merged = ta[["topic_id", "label", "size", "share"]].merge(
        tb[["topic_id", "size", "share"]], on="topic_id", suffixes=("_a", "_b"), how="outer"
    ).fillna({"size_a": 0, "size_b": 0, "share_a": 0.0, "share_b": 0.0})
    merged = merged.rename(columns={"label": "name", "size_a": "articles_a", "size_b": "articles_b"})
    return merged.sort_values(["share_a", "topic_id"], ascending=[False, True]).reset_index(drop=True)


def compare_entities(store: Store, a: Filter, b: Filter, k: int = 20) -> pd.DataFrame:
    """name, entity_id, share_a, share_b: share of each slice's articles mentioning the entity."""
    na, nb = max(store.count(a)["articles"], 1), max(store.count(b)["articles"], 1)
    ea, eb = store.entities(a, limit=k), store.entities(b, limit=k)
    merged = ea[["entity_id", "name", "articles"]].merge(eb[["entity_id", "name", "articles"]], on="entity_id",
                                                        how="outer", suffixes=("_a", "_b"))
    merged["name"] = merged["name_a"].fillna(merged["name_b"])
    merged["share_a"] = merged["articles_a"].fillna(0) / na
    merged["share_b"] = merged["articles_b"].fillna(0) / nb
    return merged[["entity_id", "name", "share_a", "share_b"]].sort_values("share_a", ascending=False).reset_index(drop=True)


def export_articles(store: Store, f: Filter = NO_FILTER, keywords: int = 5, with_text: bool = False) -> pd.DataFrame:
    """One row per article with id, title, date, source, url, countries (those it is about, weight >=
    ``f.min_country_weight``), countries_mentioned ("ISO2:weight" for every country mentioned), topic, topic_label,
    keywords, entities, duplicate_ids (the other input ids of the same text), story_id; ``with_text`` adds
    ``text`` (what NewsLens analysed, after cleaning) as the last column."""
    frame = store.export_rows(f, with_text=with_text)
    for col in ("countries", "countries_mentioned", "entities", "duplicate_ids"):
        frame[col] = frame[col].map(lambda v: [] if v is None else [str(x) for x in v])
    if keywords and not frame.empty:
        per_uid = top_terms_per_article(term_index(store), frame["uid"].to_numpy(), k=keywords)
        frame["keywords"] = [per_uid.get(int(u), []) for u in frame["uid"]]
    else:
        frame["keywords"] = [[] for _ in range(len(frame))]
    frame["topic"] = frame["topic"].astype("Int64")
    cols = ["id", "title", "date", "source", "url", "countries", "countries_mentioned", "topic", "topic_label",
            "keywords", "entities", "duplicate_ids", "date_source", "language", "story_id", "n_words", "uid"] + (
        ["text"] if with_text else [])
    return frame[cols]


def top_terms_per_article(index, uids: np.ndarray, k: int = 5) -> dict[int, list[str]]:
    """uid -> its ``k`` highest TF-IDF keywords (stopwords and corpus-wide terms excluded)."""
    rows = index.row_index(uids)
    if len(rows) == 0:
        return {}
    weights = index.tfidf()[rows].tocsr()
    mask = index.keyword_mask
    out: dict[int, list[str]] = {}
    for i, row in enumerate(rows):
        start, end = weights.indptr[i], weights.indptr[i + 1]
        cols, vals = weights.indices[start:end], weights.data[start:end]
        keep = mask[cols]
        cols, vals = cols[keep], vals[keep]
        order = np.lexsort((cols, -vals))[:k]
        out[int(index.uids[row])] = [str(t) for t in index.terms[cols[order]]]
    return out


def article_detail(store: Store, uid: int) -> dict[str, Any] | None:
    """An article with its mentions, countries (with their evidence), events, topic and keywords, for the reader."""
    art = store.article(uid)
    if art is None:
        return None
    art["keywords"] = article_keywords(store, uid)
    return art


def filter_samples(store: Store, n: int = 1) -> dict[str, list[Filter]]:
    """Up to ``n`` distinct real filters of each kind, from the store's own top values, for benchmarks and warm-ups:
    "country" (the top countries), "date range" (31-day windows: the first centred on the middle of the stored dates,
    the others a day later or earlier each, inside the stored range), "text query" (first words of the top keywords),
    "entity" (the top entities), "topic" (topics by size, then pairs of them). Kinds the store cannot give (no
    dates, no topics) are left out; the first value of each kind is the most representative one.

    Distinct values, not one value made unique: the dashboard normalises filters (a date bound at the edge of the
    stored range is no bound), so artificial variants would collapse onto one cached filter.
    """
    import datetime as dt
    import itertools

    out: dict[str, list[Filter]] = {}
    countries = store.countries(Filter())["iso2"].astype(str).tolist()[:n]
    if countries:
        out["country"] = [Filter(countries=(c,)) for c in countries]
    lo, hi = store.date_range()
    if lo and hi:
        first = lo + (hi - lo) / 2 - dt.timedelta(days=15)
        shifts = [0] + [d for k in range(1, (hi - lo).days + 1) for d in (k, -k)
                        if lo < first + dt.timedelta(days=d) and first + dt.timedelta(days=d + 30) < hi]
        out["date range"] = [Filter(since=first + dt.timedelta(days=d), until=first + dt.timedelta(days=d + 30))
                             for d in shifts[:n]]
    terms = list(dict.fromkeys(str(t).split()[0] for t in keywords(store, Filter(), k=3 * n)["term"]))[:n]
    if terms:
        out["text query"] = [Filter(query=t) for t in terms]
    entities = store.entities(Filter(), limit=n)["entity_id"].astype(str).tolist()
    if entities:
        out["entity"] = [Filter(entities=(e,)) for e in entities]
    topics = [int(t) for t in store.topics()["topic_id"] if t >= 0]
    combos = [(t,) for t in topics] + list(itertools.combinations(topics, 2))
    if combos:
        out["topic"] = [Filter(topics=c) for c in combos[:n]]
    return out


def filter_names(store: Store, *filters: Filter | None) -> FilterNames:
    """Names of the countries, topics and entities the given filters hold, for :meth:`Filter.describe`."""
    fs = [f for f in filters if f is not None]
    countries = {c: country_name(c) for f in fs for c in f.countries}
    topic_ids = {t for f in fs for t in f.topics}
    topics = {}
    if topic_ids:
        frame = store.topics()
        topics = {int(t): str(lbl) for t, lbl in zip(frame["topic_id"], frame["label"], strict=True)
                  if int(t) in topic_ids and lbl}
    entities = store.entity_names([e for f in fs for e in f.entities])
    return FilterNames(countries=countries, topics=topics, entities=entities)
