"""Invariants on the real corpora in ../shared (skipped with a reason when absent; CI always has them)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from analysis.ingest import Article, Rejection, content_hash, group_near_duplicates, iter_sources

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
BBC = CORPORA / "bbc" / "bbc-fulltext"
REUTERS = CORPORA / "reuters21578"
SEED = SHARED / "seeds" / "000_8b0a12b99d1f3a07.txt"

needs_corpora = pytest.mark.skipif(not CORPORA.exists(), reason="../shared/corpora not present (CI always has it)")


def _split(records):
    arts = [r for r in records if isinstance(r, Article)]
    rejs = [r for r in records if isinstance(r, Rejection)]
    return arts, rejs


@pytest.fixture(scope="module")
def bbc():
    if not BBC.exists():
        pytest.skip("../shared/corpora/bbc not present (CI always has it)")
    return _split(list(iter_sources([BBC])))


@pytest.fixture(scope="module")
def reuters_pair():
    if not REUTERS.exists():
        pytest.skip("../shared/corpora/reuters21578 not present (CI always has it)")
    sgml, sgml_rej = _split(list(iter_sources([str(REUTERS / "reut2-*.sgm")])))
    jsonl, jsonl_rej = _split(list(iter_sources([REUTERS / "jsonl" / "articles.jsonl"])))
    assert sgml_rej == [] and jsonl_rej == []
    return sgml, jsonl


@needs_corpora
def test_bbc_folder(bbc):
    arts, rejs = bbc
    assert len(arts) == 2225 and rejs == []  # README.TXT is dataset documentation: skipped
    ids = {a.id: a for a in arts}
    assert "business/001.txt" in ids and all(a.id.count("/") == 1 for a in arts)
    assert ids["business/001.txt"].title == "Ad sales boost Time Warner profit"
    assert "£" in ids["sport/199.txt"].text and "\ufffd" not in ids["sport/199.txt"].text
    assert all(a.source is None and a.date is None and a.date_source == "none" for a in arts)
    assert Counter(a.language for a in arts) == {"en": 2225}


@needs_corpora
def test_bbc_content_hash_and_exact_duplicates(bbc):
    arts, _ = bbc
    hashes = {a.id: content_hash(a.title, a.text) for a in arts}
    assert 2122 <= len(set(hashes.values())) <= 2127
    # The 98 byte-identical copies share a hash with their original.
    by_bytes: dict[bytes, list[str]] = defaultdict(list)
    for a in arts:
        by_bytes[(BBC / a.id).read_bytes()].append(a.id)
    groups = [ids for ids in by_bytes.values() if len(ids) > 1]
    assert sum(len(g) - 1 for g in groups) == 98
    assert all(len({hashes[i] for i in g}) == 1 for g in groups)


@needs_corpora
def test_bbc_near_duplicates_cover_exact_ones(bbc):
    arts, _ = bbc
    groups = group_near_duplicates([(a.id, a.title, a.text) for a in arts])
    by_hash: dict[str, set[str]] = defaultdict(set)
    for a in arts:
        by_hash[content_hash(a.title, a.text)].add(groups[a.id])
    assert all(len(g) == 1 for g in by_hash.values())  # exact duplicates always land in one group
    assert 2000 <= len(set(groups.values())) <= 2122


@needs_corpora
@pytest.mark.slow  # reads 27 MB of SGML and the 15k-line JSONL (~10 s on a quiet machine)
def test_reuters_sgml_matches_published_jsonl(reuters_pair):
    sgml, jsonl = reuters_pair
    assert len(sgml) == len(jsonl) == 15057
    s, j = {a.id: a for a in sgml}, {a.id: a for a in jsonl}
    assert set(s) == set(j)
    assert all(s[k].title == j[k].title for k in s)
    assert all(s[k].date == j[k].date and s[k].date is not None for k in s)
    assert all(s[k].raw_text == j[k].raw_text for k in s)  # byte-exact reconstruction of the JSONL text
    assert all(s[k].text == j[k].text for k in s)
    assert s["reuters-1"].text.startswith("SALVADOR, Feb 26 - Showers continued")
    assert s["reuters-1"].meta["places"] == ["el-salvador", "usa", "uruguay"]
    assert min(a.date for a in sgml).isoformat() == "1987-02-26"
    assert max(a.date for a in sgml).isoformat() <= "1987-10-20"  # reut2-017..021 (up to Oct) are not in this copy
    # The JSONL's own fields survive as given.
    with (REUTERS / "jsonl" / "articles.jsonl").open(encoding="utf-8") as fh:
        first = json.loads(fh.readline())
    assert j["reuters-1"].raw_text == first["text"] and j["reuters-1"].source == "Reuters"


@needs_corpora
@pytest.mark.slow  # reads 27 MB of SGML and the 15k-line JSONL (~10 s on a quiet machine)
def test_reuters_places_match_gold(reuters_pair):
    sgml, _ = reuters_pair
    gold = {}
    with (REUTERS / "jsonl" / "gold.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            gold[row["id"]] = row
    assert all(a.meta["places"] == gold[a.id]["places"] and a.meta["topics"] == gold[a.id]["topics"] for a in sgml)


@needs_corpora
@pytest.mark.slow  # reads 27 MB of SGML and the 15k-line JSONL (~10 s on a quiet machine)
def test_reuters_near_duplicates_are_few_and_similar(reuters_pair):
    sgml, _ = reuters_pair
    groups = group_near_duplicates([(a.id, a.title, a.text) for a in sgml])
    n_groups = len(set(groups.values()))
    # 262 exact BODY duplicates exist in the full 21,578; near duplicates add wire repeats. Most stories are unique.
    assert 14000 <= n_groups <= 14900


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds not present")
def test_seed_article():
    (a,) = list(iter_sources([SEED]))
    assert isinstance(a, Article)
    assert a.id == "000_8b0a12b99d1f3a07.txt"
    assert a.title == "South Korea and China Conduct Bilateral Talks Amidst Regional Tensions"
    assert "scroll to top" not in a.text.lower() and a.raw_text.rstrip().endswith("scroll to top")
    assert a.text.startswith("Busan – Foreign Minister Park Jin")
    assert (a.date, a.date_source, a.source, a.language) == (None, "none", None, "en")
    assert a.text.count("\n\n") == 7  # eight paragraphs kept


SCRAPED = CORPORA / "scraped" / "collections"
_HEADER_LINE = re.compile(r"^(?:title|date|published_at|published|pubdate|crawled_at|author|source|url|lang)\s*:",
                          re.IGNORECASE | re.MULTILINE)


@pytest.mark.skipif(not SCRAPED.exists(), reason="../shared/corpora/scraped/collections not present")
def test_scraped_collections_floors():
    records = list(iter_sources([SCRAPED]))
    arts, rejs = _split(records)
    assert len(arts) >= 0.95 * len(records)  # only records with neither title nor text are rejected
    assert all("no text and no title" in r.reason for r in rejs)
    assert not [a.id for a in arts if a.title.strip() in ("---", "+++", "")]
    assert not [a.id for a in arts if _HEADER_LINE.search(a.text)]  # no header keys in the analysed text
    # where a record carries a date it is read (an unreadable one is kept in meta.date_raw and counted)
    with_date = [a for a in arts if a.date is not None or "date_raw" in a.meta]
    assert sum(a.date is not None for a in with_date) >= 0.98 * len(with_date)
    # El Tiempo (Scrapy export keyed by section): Spanish, unwrapped, every repair noted
    el = [a for a in arts if "eltiempo" in a.origin]
    assert len(el) == 231 and Counter(a.language for a in el)["es"] >= 0.95 * len(el)
    assert all(any(n.kind == "record_unwrapped" for n in a.notes) for a in el)
    assert sum(a.meta.get("title_only", False) for a in el) == 3
