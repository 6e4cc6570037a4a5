"""Boilerplate learned per source: paragraphs that recur across many articles of one source ("This article was
edited by a native English-speaking editor.", "(END)", a crawler footer, a section label) are left out of the
analysed text; ``raw_text`` keeps them.

A paragraph (<= ``MAX_CHARS`` characters, compared case- and space-insensitively) is boilerplate for a source once
it has been seen in at least ``min_articles(n)`` = max(``MIN_ARTICLES``, ``MIN_SHARE`` x n) of that source's n
articles, and only when the source has at least ``MIN_ARTICLES`` articles: never from a handful, never a paragraph
of one article. Counts are kept in the store (model "boilerplate") and grow with every build, so learning is
incremental; articles already stored keep their text (they would need their entities recomputed). Users override
with ``keep``/``drop`` lists (``python -m analysis boilerplate``).

>>> m = BoilerplateModel()
>>> texts = [f"Story {i} is here.\\n\\n(END)" for i in range(5)] + ["One more.\\n\\n(END)"]
>>> for t in texts: m.observe("Yonhap", t)
>>> m.strip("Yonhap", texts[-1])
('One more.', ['(END)'])
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BoilerplateModel", "paragraph_key", "MIN_ARTICLES", "MIN_SHARE", "MAX_CHARS", "MODEL_NAME"]

MODEL_NAME = "boilerplate"
MIN_ARTICLES = 5
MIN_SHARE = 0.05
MAX_CHARS = 300
#: Per source, paragraphs seen once are forgotten past this many distinct keys (bounds memory on huge sources).
MAX_KEYS = 100_000
_RE_SPACE = re.compile(r"\s+")


def paragraph_key(paragraph: str) -> str:
    """Case- and whitespace-insensitive key of a short paragraph."""
    return _RE_SPACE.sub(" ", paragraph.strip().casefold())


@dataclass
class SourceCounts:
    articles: int = 0
    lines: dict[str, list[Any]] = field(default_factory=dict)  # key -> [articles containing it, first text seen]


@dataclass
class BoilerplateModel:
    """Per-source paragraph counts plus user overrides (``keep``: never remove; ``drop``: always remove, per source
    or "*" for every source; both hold paragraph keys)."""

    sources: dict[str, SourceCounts] = field(default_factory=dict)
    keep: dict[str, list[str]] = field(default_factory=dict)
    drop: dict[str, list[str]] = field(default_factory=dict)

    # ------------------------------------------------------------------------------------------------ learning
    def observe(self, source: str | None, text: str) -> None:
        """Count one article's short paragraphs for ``source`` (ignored without a source)."""
        if not source or not text:
            return
        counts = self.sources.setdefault(source, SourceCounts())
        counts.articles += 1
        seen: set[str] = set()
        for para in text.split("\n\n"):
            if len(para) > MAX_CHARS:
                continue
            key = paragraph_key(para)
            if not key or key in seen:
                continue
            seen.add(key)
            entry = counts.lines.get(key)
            if entry is None:
                counts.lines[key] = [1, para.strip()[:MAX_CHARS]]
            else:
                entry[0] += 1
        if len(counts.lines) > MAX_KEYS:
            counts.lines = {k: v for k, v in counts.lines.items() if v[0] > 1}

    @staticmethod
    def min_articles(n_articles: int) -> int:
        return max(MIN_ARTICLES, int(MIN_SHARE * n_articles + 0.999))

    def is_boilerplate(self, source: str | None, key: str) -> bool:
        if not source:
            return False
        if key in self.keep.get(source, ()) or key in self.keep.get("*", ()):
            return False
        if key in self.drop.get(source, ()) or key in self.drop.get("*", ()):
            return True
        counts = self.sources.get(source)
        if counts is None or counts.articles < MIN_ARTICLES:
            return False
        entry = counts.lines.get(key)
        return entry is not None and entry[0] >= self.min_articles(counts.articles)

    def strip(self, source: str | None, text: str) -> tuple[str, list[str]]:
        """``(text without the source's boilerplate paragraphs, the paragraphs removed)``; a text that is nothing
        but boilerplate is left whole (the article would otherwise lose all its text)."""
        if not source or not text or (source not in self.sources and source not in self.drop and "*" not in self.drop):
            return text, []
        kept, removed = [], []
        for para in text.split("\n\n"):
            if len(para) <= MAX_CHARS and self.is_boilerplate(source, paragraph_key(para)):
                removed.append(para)
            else:
                kept.append(para)
        if not removed or not kept:
            return text, []
        return "\n\n".join(kept), removed

    # ------------------------------------------------------------------------------------------------ listing
    def learned(self, source: str | None = None) -> list[dict[str, Any]]:
        """Rows (source, paragraph, articles, of_articles, status) of every paragraph removed or overridden, most
        frequent first; status "learned", "dropped" (user override) or "kept" (user override)."""
        rows = []
        for src, counts in sorted(self.sources.items()):
            if source is not None and src != source:
                continue
            threshold = self.min_articles(counts.articles)
            for key, (n, example) in counts.lines.items():
                if key in self.keep.get(src, ()) or key in self.keep.get("*", ()):
                    status = "kept" if n >= threshold and counts.articles >= MIN_ARTICLES else None
                elif key in self.drop.get(src, ()) or key in self.drop.get("*", ()):
                    status = "dropped"
                elif n >= threshold and counts.articles >= MIN_ARTICLES:
                    status = "learned"
                else:
                    status = None
                if status:
                    rows.append({"source": src, "paragraph": example, "articles": n, "of_articles": counts.articles,
                                 "status": status})
        return sorted(rows, key=lambda r: (r["source"], -r["articles"], r["paragraph"]))

    def override(self, source: str, paragraph: str, action: str) -> None:
        """``action`` "keep" (never remove), "drop" (always remove) or "reset" (back to what was learned)."""
        key = paragraph_key(paragraph)
        for name, table in (("keep", self.keep), ("drop", self.drop)):
            values = [k for k in table.get(source, []) if k != key]
            if name == action:
                values.append(key)
            if values:
                table[source] = values
            else:
                table.pop(source, None)

    # -------------------------------------------------------------------------------------------- persistence
    def to_bytes(self) -> bytes:
        data = {"sources": {s: {"articles": c.articles, "lines": c.lines} for s, c in self.sources.items()},
                "keep": self.keep, "drop": self.drop}
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, payload: bytes | None) -> BoilerplateModel:
        if not payload:
            return cls()
        data = json.loads(payload.decode("utf-8"))
        sources = {s: SourceCounts(int(c["articles"]), {k: list(v) for k, v in c["lines"].items()})
                   for s, c in data.get("sources", {}).items()}
        return cls(sources, dict(data.get("keep", {})), dict(data.get("drop", {})))
