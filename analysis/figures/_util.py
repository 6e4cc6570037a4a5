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
    lines = re.findall(rf"\S.{{0,{width - 1}}}(?=\s|$)|\S{{{width}}}", " ".join(words))
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


# Time axes --------------------------------------------------------------------------------------------------------
# A period (day / week / month ...) is drawn as what it is: ticks on period starts with a date format of that
# precision (plotly's automatic ticks put daily bars at 12:00 / 00:00 and a single point at "23:59:59.9995"), a bar
# a period wide, and periods without articles as zeros rather than a line drawn straight across them.

PERIOD_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.44, "quarter": 91.31, "year": 365.25}
_TICK_FORMAT = {"day": "%b %-d, %Y", "week": "%b %-d, %Y", "month": "%b %Y", "quarter": "%b %Y", "year": "%Y"}
_RANGE_FREQ = {"day": "D", "week": "7D", "month": "MS", "quarter": "QS", "year": "YS"}
MAX_FILLED_PERIODS = 5000  # beyond this a chart keeps only the periods with data (zero-filling would not add insight)


def period_freq(df: pd.DataFrame, column: str = "period") -> str:
    """The period of ``df[column]``: ``df.attrs["freq"]`` when the query set it, else inferred from the smallest gap
    between periods (one period alone: "day")."""
    freq = df.attrs.get("freq")
    if freq in PERIOD_DAYS:
        return freq
    days = pd.to_datetime(df[column]).drop_duplicates().sort_values().diff().dt.days.dropna()
    if days.empty:
        return "day"
    gap = days.min()
    return "day" if gap < 4 else "week" if gap < 20 else "month" if gap < 80 else "quarter" if gap < 300 else "year"


def fill_periods(df: pd.DataFrame, freq: str, zero: Sequence[str], by: str | None = None,
                 column: str = "period") -> pd.DataFrame:
    """``df`` with a row for every period between its first and last (per ``by`` group when given), the ``zero``
    columns 0 in added rows and the other columns carried from the group. Long spans (> MAX_FILLED_PERIODS) are
    returned unchanged.

    ``df.attrs["periods"]``, when the query gave it, lists the periods in which the slice has any article: an added
    period outside it gets NaN instead of 0 (a line breaks there: no article to count, not a count of none), and
    ``attrs["gaps"]`` of the result says how many such periods there are (:func:`gap_axis_title` says it)."""
    if df.empty:
        return df
    periods = pd.to_datetime(df[column])
    full = pd.date_range(periods.min(), periods.max(), freq=_RANGE_FREQ[freq])
    if len(full) > MAX_FILLED_PERIODS or not periods.isin(full).all():
        return df  # too long, or periods not on the calendar of ``freq`` (then filling would invent dates)
    if len(full) == periods.nunique() and by is None:
        return df
    d = df.assign(**{column: periods})
    keys = [by] if by else []
    grid = pd.MultiIndex.from_product([d[by].drop_duplicates(), full], names=[by, column]) if by else \
        pd.Index(full, name=column)
    out = d.set_index(keys + [column]).reindex(grid)
    known = df.attrs.get("periods")
    known = None if known is None else pd.to_datetime(list(known))
    empty = None if known is None else ~out.index.get_level_values(column).isin(known)
    gaps = 0 if known is None else int((~full.isin(known)).sum())
    for col in zero:
        if empty is not None and empty.any():
            filled = out[col].where(out[col].notna() | empty, 0)  # NaN stays only in periods without articles
            out[col] = filled.astype(float)
        else:
            out[col] = out[col].fillna(0).astype(d[col].dtype)
    out = out.reset_index()
    rest = [c for c in d.columns if c not in (*zero, column, *keys)]
    if rest:
        carry = d.drop_duplicates(by).set_index(by)[rest] if by else d[rest].iloc[:1]
        for col in rest:
            out[col] = out[by].map(carry[col]) if by else carry[col].iat[0]
    out.attrs = dict(df.attrs, gaps=gaps)
    return out[list(df.columns)]


def time_axis(periods: Iterable[Any], freq: str, max_ticks: int = 8) -> dict:
    """X axis layout for per-period data: ticks on period starts, a date format of the period's precision, and a
    range padded by half a period each side (so one period shows as one bar or marker with its date)."""
    p = pd.to_datetime(pd.Series(list(periods) if not isinstance(periods, pd.Series) else periods)).dropna()
    fmt = _TICK_FORMAT[freq]
    if p.empty:
        return dict(type="date", tickformat=fmt, hoverformat=fmt)
    lo, hi = p.min(), p.max()
    step = pd.Timedelta(days=PERIOD_DAYS[freq])
    n = int(round((hi - lo) / step)) + 1
    every = max(1, -(-n // max_ticks))
    if freq in ("day", "week"):
        dtick: Any = every * step / pd.Timedelta(milliseconds=1)
    else:
        dtick = f"M{every * {'month': 1, 'quarter': 3, 'year': 12}[freq]}"
    half = step / 2
    return dict(type="date", tickformat=fmt, hoverformat=fmt, tick0=lo.isoformat(), dtick=dtick,
                range=[(lo - half).isoformat(), (hi + half).isoformat()])


def gap_axis_title(axis: dict, df: pd.DataFrame, freq: str) -> dict:
    """``axis`` (a :func:`time_axis`) titled "gaps: 2 days without any article" when the lines of the
    :func:`fill_periods` frame ``df`` break somewhere, so a gap is never read as missing data or a bug."""
    gaps = int(df.attrs.get("gaps", 0))
    if gaps:
        axis = dict(axis, title=dict(text=f"gaps: {gaps:,} {freq}{'s' if gaps != 1 else ''} without any article"))
    return axis


def bar_width_ms(freq: str) -> float:
    """Width of a bar that covers 80% of its period, in milliseconds (plotly's unit on date axes)."""
    return 0.8 * min(PERIOD_DAYS[freq], 28.0 if freq == "month" else PERIOD_DAYS[freq]) * 86_400_000


def kept_of(kept: int, total: int, nouns: tuple[str, str], by: str = "with most articles") -> str:
    """'the 20 entities with most articles, of 1,265' when a chart keeps ``kept`` of ``total`` items (``nouns``:
    singular, plural), else '': what a ranked chart says on itself (and so in every export), never cutting silently."""
    if total <= kept:
        return ""
    what = f"the {kept:,} {nouns[1]}" if kept != 1 else f"the {nouns[0]}"
    return f"{what} {by}, of {total:,}"


def titled_cut(title: str, cut: str) -> str:
    """An axis title with :func:`kept_of`'s note on a line of its own, in small type ("Articles<br><sup>the 15
    entities with most articles, of 790</sup>"): on one line it ran past a half-page chart's edge and was cut off."""
    return f"{title}<br><sup>{cut}</sup>" if cut else title


def count_axis(max_value: float, title: str) -> dict:
    """Y axis layout for counts: from zero, integer ticks only (no "0.5 articles")."""
    axis: dict = dict(title=dict(text=title), rangemode="tozero", tickformat=",d")
    if not max_value or max_value <= 6:
        axis.update(tick0=0, dtick=1, range=[0, max(1.0, float(max_value or 0)) * 1.08])
    return axis


def count_colorbar(max_value: float, **colorbar) -> dict:
    """A colour bar for counts: integer ticks only, every integer when there are few (no "0.5 articles")."""
    bar = dict(colorbar, tickformat=",d")
    if not max_value or max_value <= 6:
        bar.update(tickmode="array", tickvals=list(range(int(max_value or 0) + 1)) or [0])
    return bar
