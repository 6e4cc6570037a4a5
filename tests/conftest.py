"""Shared test fixtures and the only path constants of the tests: the repo, the default corpus, ../shared/corpora
(optional) and artifacts/ (git-ignored, the one place besides tmp_path where tests write)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

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


# Hypothesis keeps its example database and caches under artifacts/ (by default .hypothesis/ in the working folder).
set_hypothesis_home_dir(str(ARTIFACTS / "hypothesis"))

#: what may appear in the work tree during a run besides artifacts/ (byte-code caches and the tools' own caches)
_ALLOWED_NEW = ("artifacts/", ".venv/", ".pytest_cache/", ".ruff_cache/")


def _untracked_files() -> set[str] | None:
    """Untracked and ignored files of the work tree (None when this is not a git checkout)."""
    try:
        # untracked (??) and ignored (!!) entries; a new folder is one entry, so .venv/ costs nothing
        out = subprocess.run(["git", "status", "--porcelain=v1", "-z", "--ignored", "-unormal"], cwd=REPO,
                             capture_output=True, timeout=60, check=True).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None
    paths = {e[3:] for e in out.split("\0") if e[:3] in ("?? ", "!! ")}
    return {p for p in paths if not p.startswith(_ALLOWED_NEW) and "__pycache__/" not in p and ".egg-info/" not in p}


def pytest_sessionstart(session):
    session.config._files_before_tests = _untracked_files()


def pytest_sessionfinish(session, exitstatus):
    """Tests write only under tmp_path or artifacts/: a file the run left anywhere else in the repo fails the run."""
    before = getattr(session.config, "_files_before_tests", None)
    after = _untracked_files()
    if before is None or after is None:
        return
    new = sorted(after - before)
    if new:
        session.config.get_terminal_writer().line(
            "tests wrote outside tmp_path and artifacts/: " + ", ".join(new[:20]), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _restore_main_module():
    """AppTest leaves the app script as ``sys.modules["__main__"]``; a spawn process pool started later (page
    extraction in analysis/ingest/extractors.py) would re-run that script in each child as ``__mp_main__``, where
    no test patch applies: it built the real default store (data/newslens.duckdb). Put the real main module back."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
