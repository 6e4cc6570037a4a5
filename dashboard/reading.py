"""Article text for the reader, pure (no Streamlit): highlights as escaped Markdown, keyword in context, the words
of a text query, paragraphs, dates. The reader widget (:func:`dashboard.components.reader`) renders what these return.

Every piece of article text that leaves here as Markdown went through :func:`dashboard.text.safe_markdown`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from dashboard.text import safe_markdown

#: highlight colour per kind (Streamlit Markdown background directives)
HIGHLIGHT_COLORS = {
    "PERSON": "blue", "ORG": "violet", "GPE": "green", "LOC": "green", "NORP": "gray", "EVENT": "red",
    "FAC": "gray", "keyword": "orange", "term": "orange", "country": "green",
}


def highlight_markdown(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Escaped ``text`` with the character ranges in ``spans`` (start, end, kind) highlighted.

    Each highlighted piece is ``:<colour>-background[escaped piece]``; overlapping spans keep the first (earliest,
    then longest). Brackets inside a piece are replaced by parentheses so they cannot close the directive early.
    """
    chosen: list[tuple[int, int, str]] = []
    last_end = 0
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        start, end = max(int(start), 0), min(int(end), len(text))
        if start < last_end or end <= start:
            continue
        chosen.append((start, end, kind))
        last_end = end
    out, pos = [], 0
    for start, end, kind in chosen:
        out.append(safe_markdown(text[pos:start]))
        piece = text[start:end].replace("[", "(").replace("]", ")").replace("\n", " ")
        color = HIGHLIGHT_COLORS.get(kind, "blue")
        out.append(f":{color}-background[{safe_markdown(piece)}]")
        pos = end
    out.append(safe_markdown(text[pos:]))
    return "".join(out)


def term_spans(text: str, terms: Iterable[str], kind: str = "keyword") -> list[tuple[int, int, str]]:
    """Case-insensitive whole-word occurrences of ``terms`` in ``text`` as (start, end, kind)."""
    spans = []
    for term in terms:
        term = str(term).strip()
        if not term:
            continue
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, term.split())) + r"(?!\w)", re.IGNORECASE)
        spans += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    return spans


def keyword_in_context(text: str, term: str, width: int = 60, limit: int = 8) -> list[tuple[str, str, str]]:
    """Up to ``limit`` (left, match, right) triples for ``term`` in ``text``, ``width`` characters each side."""
    out = []
    for start, end, _ in sorted(term_spans(text, [term]))[:limit]:
        left = text[max(0, start - width):start].replace("\n", " ")
        right = text[end:end + width].replace("\n", " ")
        out.append((("…" if start > width else "") + left, text[start:end],
                    right + ("…" if end + width < len(text) else "")))
    return out




def query_terms(query: str) -> list[str]:
    """Words and quoted phrases of a text query (to highlight them in the reader)."""
    phrases = re.findall(r'"([^"]+)"', query or "")
    rest = re.sub(r'"[^"]*"', " ", query or "").split()
    return [t for t in phrases + rest if t.strip()]


def day(value: Any) -> str:
    """A date/timestamp as 'YYYY-MM-DD' ('undated' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "undated"
    return str(pd.Timestamp(value).date())


def para_ranges(full: str) -> list[tuple[int, int]]:
    """(start, end) of the paragraphs (blank-line separated) of ``full``."""
    out, pos = [], 0
    for m in re.finditer(r"\n\s*\n", full):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(full):
        out.append((pos, len(full)))
    return out