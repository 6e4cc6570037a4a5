"""Helpers shared by the ingest tests: write input files under tmp_path, read them back as articles and rejections."""

from __future__ import annotations

from pathlib import Path

from analysis.ingest import iter_sources
from analysis.model import Article, Rejection


def read(*sources, **kw) -> tuple[list[Article], list[Rejection]]:
    """(articles, rejections) that ``iter_sources`` yields for ``sources`` (``kw`` passed on)."""
    out = list(iter_sources([str(s) for s in sources], **kw))
    return [r for r in out if isinstance(r, Article)], [r for r in out if isinstance(r, Rejection)]


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def kinds(article: Article) -> list[str]:
    """The kinds of the notes (repairs, guesses) recorded on ``article``."""
    return [n.kind for n in article.notes]
