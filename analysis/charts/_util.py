"""Shared helpers for the chart builders: escaping untrusted text, empty figures, labels, dates."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .theme import MUTED, themed_figure

NO_DATA_MESSAGE = "No data for this filter"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def safe_text(value: Any, max_len: int | None = None) -> str:
    """Article-derived value -> string safe to show in Plotly text, labels and hover.

    Plotly reads ``<b>``, ``<br>``, ``<a href>`` and entities in text, so ``&``, ``<``, ``>`` are escaped (Plotly
    decodes the entities back when drawing, so the user sees the original characters). None/NaN -> "".
    ``max_len`` truncates (before escaping, so an entity is never cut) and adds an ellipsis.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    s = str(value)
    if max_len is not None and len(s) > max_len:
        s = s[: max(max_len - 1, 0)].rstrip() + "…"
    return s.translate(_ESCAPES)


def wrap_text(value: Any, width: int = 80, max_len: int | None = 600) -> str:
    """Untrusted text -> escaped, wrapped at ~``width`` characters with ``<br>`` (for hover boxes)."""
    raw = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    if max_len is not None and len(raw) > max_len:
        raw = raw[: max_len - 1].rstrip() + "…"
    # wrap the raw text (escaping lengthens it), then escape all lines at once: words hold no newline
    return safe_text("\n".join(_greedy_wrap(raw.split(), width))).replace("\n", "<br>")


def _greedy_wrap(words: list[str], width: int) -> list[str]:
    """Lines of at most ``width`` characters, filled greedily as textwrap does (a longer word is cut at ``width``).
    One regex over the joined words: ~3x faster than a Python loop and ~10x faster than textwrap, which dominated
    drawing a timeline of a thousand hover sentences. (Words never contain whitespace, so ``.`` never meets a newline.)
    """
    lines = re.findall(r"\S.{0,%d}(?=\s|$)|\S{%d}" % (width - 1, width), " ".join(words))
    return lines or [""]


def empty_figure(title: str, message: str = NO_DATA_MESSAGE, subtitle: str | None = None) -> go.Figure:
    """A themed figure with no traces, hidden axes and ``message`` centred (never raises)."""
    return themed_figure([], title, subtitle,
                         annotations=[dict(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                                           font=dict(size=16, color=MUTED))],
                         xaxis=dict(visible=False), yaxis=dict(visible=False))


def is_empty(df: pd.DataFrame | None) -> bool:
    return df is None or len(df) == 0


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise a ValueError naming the missing columns (a programming error, not a data condition)."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; got {list(df.columns)}")


def unique_labels(labels: Sequence[str], keys: Sequence[Any]) -> list[str]:
    """Escaped display labels; a label that occurs more than once gets its key appended so categories stay apart."""
    esc = [safe_text(lbl) for lbl in labels]
    counts = Counter(esc)
    return [f"{lbl} ({safe_text(k)})" if counts[lbl] > 1 else lbl for lbl, k in zip(esc, keys, strict=True)]


def iso_dates(values: Iterable[Any]) -> list[str]:
    """Datetime-likes -> 'YYYY-MM-DD' strings for customdata (JSON-stable drill-down keys); NaT -> ""."""
    array = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else values
    if isinstance(array, np.ndarray) and array.dtype.kind == "M":  # datetime64: one vectorised conversion
        days = np.datetime_as_string(array.astype("datetime64[D]"), unit="D")
        return np.where(np.isnat(array), "", days).tolist()
    out = []
    for v in pd.to_datetime(pd.Series(list(values), dtype=object), errors="coerce"):
        out.append("" if pd.isna(v) else v.strftime("%Y-%m-%d"))
    return out


def customdata(*columns: Sequence[Any]) -> np.ndarray:
    """Row-wise customdata from columns as a 2-D object array (plotly validates an array at once, a list of lists
    point by point, which dominated drawing large charts), numpy scalars turned into plain Python values.
    Filled a column at a time (``tolist`` converts a numeric column in C). Columns of different lengths raise
    ValueError."""
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        raise ValueError(f"customdata columns differ in length: {sorted(lengths)}")
    out = np.empty((lengths.pop() if lengths else 0, len(columns)), dtype=object)
    for j, column in enumerate(columns):
        values = column.to_numpy() if isinstance(column, (pd.Series, pd.Index)) else column
        if isinstance(values, np.ndarray) and values.dtype.kind != "O":
            values = values.tolist()  # numpy scalars -> Python values, in C
        else:
            values = [v.item() if isinstance(v, np.generic) else v for v in values]
        out[:, j] = values
    return out


def use_webgl(n_points: int, threshold: int = 2000) -> bool:
    """Scattergl above ``threshold`` points: SVG scatter gets sluggish past a few thousand markers."""
    return n_points > threshold
