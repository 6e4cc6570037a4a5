"""A build on a 2-worker Dask LocalCluster stores exactly what a local build stores.

Corpus: the first 60 Reuters stories (written to a temp JSONL; skipped when ../shared/corpora is absent) plus the
default corpus folder data/corpus. Every per-article fact is compared through the Store's public queries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.filters import Filter
from analysis.pipeline import BuildOptions, build
from analysis.store import Store

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO / "data" / "corpus"
REUTERS_JSONL = REPO.parent / "shared" / "corpora" / "reuters21578" / "jsonl" / "articles.jsonl"
N_REUTERS = 60

pytestmark = [
    pytest.mark.slow,
    pytest.mark.corpora,
    pytest.mark.skipif(not REUTERS_JSONL.exists(), reason="../shared/corpora not present (CI always has it)"),
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> tuple[Store, Store]:
    """(local store, dask store) built from the same sources."""
    tmp = tmp_path_factory.mktemp("dask_eq")
    sample = tmp / "reuters60.jsonl"
    with REUTERS_JSONL.open(encoding="utf-8") as src, sample.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i >= N_REUTERS:
                break
            dst.write(line)
    sources = [sample, DEFAULT_CORPUS]
    build(sources, tmp / "local.duckdb", BuildOptions(n_process=1))
    seen: list[tuple[str, int, int]] = []
    report = build(sources, tmp / "dask.duckdb", BuildOptions(workers=2),
                   progress=lambda stage, done, total: seen.append((stage, done, total)))
    enrich = [(d, t) for s, d, t in seen if s == "enrich"]
    total = report.articles  # 61 inputs; one Reuters story is an exact duplicate of another
    # progress is reported per partition (60 articles on 2 workers -> partitions of 25), ending at the total
    assert report.enriched == total == 60
    assert enrich[-1] == (total, total) and len(enrich) >= 3
    assert [d for d, _ in enrich] == sorted(d for d, _ in enrich)
    return Store.open(tmp / "local.duckdb"), Store.open(tmp / "dask.duckdb")


def _listy(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells -> tuples so frames compare cell by cell."""
    out = frame.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, (list, tuple)) or hasattr(v, "tolist")).any():
            out[col] = out[col].map(lambda v: tuple(v.tolist() if hasattr(v, "tolist") else v))
    return out


def _facts(store: Store, key: str) -> pd.DataFrame:
    """One table (``mentions``, ``countries`` or ``events``) of every article, with its uid, in a fixed order."""
    uids = store.uids(Filter()).tolist()
    parts = [store.article(uid)[key].assign(uid=uid) for uid in uids]
    frame = pd.concat(parts, ignore_index=True)
    # list-valued cells (countries' evidence: a list of {text, rule}) sort by their JSON text
    keys = frame.apply(lambda col: col.map(lambda v: json.dumps(v, default=str, sort_keys=True)
                                           if isinstance(v, (list, tuple, dict)) or hasattr(v, "tolist") else v))
    order = keys.sort_values(list(keys.columns), na_position="first").index
    return frame.loc[order].reset_index(drop=True)


def test_articles_and_export_rows_identical(stores):
    local, dask = stores
    a, b = _listy(local.export_rows(Filter())), _listy(dask.export_rows(Filter()))
    assert len(a) == 60
    pd.testing.assert_frame_equal(a, b)
    assert local.count(Filter()) == dask.count(Filter())


def test_mentions_identical(stores):
    local, dask = stores
    a, b = _facts(local, "mentions"), _facts(dask, "mentions")
    assert len(a) > 300  # 60 wire stories carry hundreds of entity mentions: the comparison is not vacuous
    pd.testing.assert_frame_equal(a, b)


def test_countries_identical(stores):
    local, dask = stores
    a, b = _facts(local, "countries"), _facts(dask, "countries")
    assert a["uid"].nunique() > 40
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(local.countries(Filter()), dask.countries(Filter()))


def test_events_identical(stores):
    local, dask = stores
    a, b = _facts(local, "events"), _facts(dask, "events")
    assert len(a) > 30
    pd.testing.assert_frame_equal(a, b)


def test_entities_identical(stores):
    local, dask = stores
    a = local.entity_catalog(limit=1_000_000).sort_values("entity_id", ignore_index=True)
    b = dask.entity_catalog(limit=1_000_000).sort_values("entity_id", ignore_index=True)
    assert len(a) > 100
    pd.testing.assert_frame_equal(a, b)


def test_topics_identical(stores):
    local, dask = stores
    a, b = local.topics(), dask.topics()
    assert len(a) >= 2
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(local.article_map(Filter()).sort_values("uid", ignore_index=True),
                                  dask.article_map(Filter()).sort_values("uid", ignore_index=True))
