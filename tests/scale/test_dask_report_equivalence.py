"""On a tiny corpus written here (three English articles with junk entity mentions, one Spanish article), a build on
a 2-worker Dask LocalCluster gives the same build report notes (junk mentions per reason with their examples, the
non-English count) and the same stored mentions as a local build, and runs no NER on the Spanish article."""

from __future__ import annotations

import pytest

from analysis.pipeline import BuildOptions, build
from analysis.store import Store
from tests.core.test_pipeline import JUNK_CORPUS, write

pytestmark = [pytest.mark.slow]  # starts a LocalCluster whose workers load spaCy

MENTIONS = "SELECT a.id, m.sent, m.start, m.text, m.label, m.name FROM mentions m JOIN articles a USING (uid) " \
           "ORDER BY a.id, m.start"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask_report")
    folder = tmp / "in"
    for name, text in JUNK_CORPUS.items():
        write(folder, name, text)
    local = build([folder], tmp / "local.duckdb", BuildOptions(topics=False, n_process=1))
    seen: list[tuple[str, int, int]] = []
    dask = build([folder], tmp / "dask.duckdb", BuildOptions(topics=False, workers=2),
                 progress=lambda stage, done, total: seen.append((stage, done, total)))
    return folder, (local, Store.open(tmp / "local.duckdb")), (dask, Store.open(tmp / "dask.duckdb")), seen


def test_junk_and_language_notes_are_equal(built):
    folder, (local, _), (dask, _), _ = built
    for kind in ("junk_mention", "not_english"):
        assert dask.warnings[kind] == local.warnings[kind]
    assert dask.warnings["junk_mention"]["by"] == {"fragment": 2, "listed": 1, "lower case": 1}
    assert dask.warnings["not_english"]["examples"] == [{"where": str(folder / "es.txt"), "detail": "es"}]
    assert (dask.enriched, dask.languages) == (local.enriched, local.languages) == (4, {"en": 3, "es": 1})
    notes = [line for line in dask.summary().splitlines() if "junk" in line or "e.g." in line]
    assert notes == [line for line in local.summary().splitlines() if "junk" in line or "e.g." in line]


def test_no_ner_on_the_spanish_article_and_equal_mentions(built):
    _, (_, local), (_, dask), seen = built
    rows = dask.rows(MENTIONS)
    assert rows == local.rows(MENTIONS)
    assert {r[0] for r in rows} == {"a.txt", "b.txt", "c.txt"}  # "Gustavo Petro", "Bogotá" are not NER'd
    assert dask.rows("SELECT count(*) FROM events e JOIN articles a USING (uid) WHERE a.language = 'es'") == [(0,)]
    enrich = [(d, t) for s, d, t in seen if s == "enrich"]
    assert enrich[-1] == (4, 4)  # the skipped article counts as done
