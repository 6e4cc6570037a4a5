"""Shared test fixtures: paths to the repo, the default corpus and ../shared/corpora (optional)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO / "data" / "corpus"
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
REUTERS_JSONL = CORPORA / "reuters21578" / "jsonl" / "articles.jsonl"
BBC_JSONL = CORPORA / "bbc" / "jsonl" / "articles.jsonl"
SCRAPED = CORPORA / "scraped"
#: git-ignored; the only place tests write outside tmp_path (screenshots for people to look at)
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

needs_corpora = pytest.mark.skipif(not CORPORA.exists(), reason="../shared/corpora not present (CI always has it)")


@pytest.fixture(scope="session")
def reuters_sample(tmp_path_factory) -> Path:
    """The first 300 Reuters stories as a JSONL file (skips when ../shared/corpora is absent)."""
    if not REUTERS_JSONL.exists():
        pytest.skip("../shared/corpora not present (CI always has it)")
    out = tmp_path_factory.mktemp("reuters") / "reuters300.jsonl"
    with REUTERS_JSONL.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i >= 300:
                break
            dst.write(line)
    return out


@pytest.fixture(scope="session", autouse=True)
def _keep_the_repos_default_store_untouched(tmp_path_factory):
    """No test may build or open data/newslens.duckdb (the user's own default store): point the default elsewhere.
    Tests that exercise the default-store behaviour see this path as the default."""
    default = tmp_path_factory.mktemp("default-store") / "newslens.duckdb"
    patcher = pytest.MonkeyPatch()
    import analysis.store

    patcher.setattr(analysis.store, "DEFAULT_STORE", default)
    try:
        import dashboard.data

        patcher.setattr(dashboard.data, "DEFAULT_STORE", default)
    except ImportError:  # pragma: no cover - streamlit missing
        pass
    yield default
    patcher.undo()
