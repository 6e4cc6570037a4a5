"""Keywords: top terms, term trends, and the A-vs-B distinctive-terms diverging bars."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ._util import (
    count_axis,
    customdata,
    empty_figure,
    fill_periods,
    gap_axis_title,
    is_empty,
    iso_dates,
    kept_of,
    period_freq,
    require_columns,
    safe_text,
    time_axis,
    titled_cut,
)
from .theme import COLOR_A, COLOR_B, PALETTE, color_for, themed_figure


def _keywords_cut(kept: int, total: int) -> str:
    """'the 15 keywords scoring highest, of 4,321' (``top_terms``' ``attrs["terms"]``), or '' when none is cut."""
    return kept_of(kept, total, ("keyword", "keywords"), "scoring highest")


def keyword_bar(df: pd.DataFrame, top: int = 20, *, title: str = "Top keywords",
                subtitle: str | None = None) -> go.Figure:
    """Horizontal bars of the ``top`` terms by score, best on top.

    In: df[term: str, score: float, count: int, docs: int].
    Out: Figure with one Bar (x = score, y = escaped terms); customdata = [term (escaped), count, docs].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["term", "score", "count", "docs"], "keyword_bar")
    d = df.sort_values("score", ascending=False).head(top).iloc[::-1]
    terms = [safe_text(t) for t in d["term"]]
    cd = customdata(terms, d["count"], d["docs"])
    bar = dict(type="bar", x=d["score"].to_numpy(dtype=float), y=terms, orientation="h", marker_color=PALETTE[0],
               customdata=cd, hovertemplate="<b>%{customdata[0]}</b><br>Score: %{x:.3g}<br>Occurrences: "
                                            "%{customdata[1]:,}<br>Articles: %{customdata[2]:,}<extra></extra>")
    cut = _keywords_cut(len(d), max(int(df.attrs.get("terms", 0)), len(df)))
    return themed_figure([bar], title, subtitle, xaxis=dict(title=dict(text=titled_cut("Score", cut))),
                         height=max(350, 24 * len(d) + 140))


def keyword_trends_chart(df: pd.DataFrame, normalise: bool = False, *, title: str = "Keyword trends",
                         subtitle: str | None = None, freq: str | None = None) -> go.Figure:
    """One line per term over time.

    In: df[period: datetime64, term: str, count: int, docs: int, share: float 0..1].
    y = docs (articles using the term) or, with ``normalise=True``, ``share`` in percent (the share of that period's
    articles using the term, so busy and quiet periods compare).
    Out: Figure with one Scatter per term (first-seen order of the highest-total terms);
    customdata = [period 'YYYY-MM-DD', term (escaped), count, docs, share].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["period", "term", "count", "docs", "share"], "keyword_trends_chart")
    freq = freq or period_freq(df)
    cut = _keywords_cut(int(df.attrs.get("terms_followed", 0)), int(df.attrs.get("terms", 0)))
    df = fill_periods(df, freq, zero=["count", "docs", "share"], by="term")
    order = df.groupby("term", sort=False)["docs"].sum().sort_values(ascending=False, kind="stable").index
    traces = []
    for i, term in enumerate(order):
        d = df[df["term"] == term].sort_values("period")
        t = safe_text(term)
        y = d["share"].astype(float) * 100 if normalise else d["docs"]
        cd = customdata(iso_dates(d["period"]), [t] * len(d), d["count"], d["docs"], d["share"].astype(float))
        traces.append(dict(type="scatter", x=d["period"].to_numpy(), y=y.to_numpy(), name=t, mode="lines+markers",
                           line=dict(color=color_for(i)), customdata=cd,
                           hovertemplate="<b>%{customdata[1]}</b> %{customdata[0]}<br>Articles: "
                                         "%{customdata[3]:,} (%{customdata[4]:.1%})<br>Occurrences: "
                                         "%{customdata[2]:,}<extra></extra>"))
    yaxis = dict(title=dict(text=titled_cut("% of articles", cut)), rangemode="tozero") if normalise else \
        count_axis(float(df["docs"].max()), titled_cut("Articles using the term", cut))
    return themed_figure(traces, title, subtitle, yaxis=yaxis,
                         xaxis=gap_axis_title(time_axis(df["period"], freq), df, freq))


def compare_terms_chart(df: pd.DataFrame, label_a: str = "A", label_b: str = "B", top: int = 15, *,
                        title: str = "Distinctive terms", subtitle: str | None = None) -> go.Figure:
    """Diverging bars: terms typical of slice A to the right, of slice B to the left.

    In: df[term: str, log_odds_z: float, count_a: int, count_b: int, side: "A" | "B"] (side is case-insensitive;
    the bar length is |log_odds_z| whatever its sign convention). The ``top`` strongest terms per side are shown.
    Out: Figure with trace 0 = Bar for A (x > 0), trace 1 = Bar for B (x < 0);
    customdata = [term (escaped), log_odds_z, count_a, count_b, side "A"/"B"].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["term", "log_odds_z", "count_a", "count_b", "side"], "compare_terms_chart")
    d = df.assign(_side=df["side"].astype(str).str.upper(), _z=df["log_odds_z"].astype(float).abs())
    traces = []
    for side, label, color, sign in (("A", label_a, COLOR_A, 1.0), ("B", label_b, COLOR_B, -1.0)):
        s = d[d["_side"] == side].sort_values("_z", ascending=False).head(top).iloc[::-1]
        if s.empty:
            continue
        terms = [safe_text(t) for t in s["term"]]
        cd = customdata(terms, s["log_odds_z"].astype(float).round(2), s["count_a"], s["count_b"], [side] * len(s))
        traces.append(dict(type="bar", x=(sign * s["_z"]).to_numpy(), y=terms, orientation="h", name=safe_text(label),
                           marker_color=color, customdata=cd,
                           hovertemplate="<b>%{customdata[0]}</b><br>z = %{customdata[1]}<br>"
                                         + "count A: %{customdata[2]:,} · count B: %{customdata[3]:,}"
                                         + "<extra></extra>"))
    if not traces:
        return empty_figure(title, subtitle=subtitle)
    categories = [y for tr in traces for y in tr["y"]]
    return themed_figure(traces, title, subtitle, barmode="overlay",
                         xaxis=dict(title=dict(text=f"← more in {safe_text(label_b)} · z-score · more in "
                                                    f"{safe_text(label_a)} →")),
                         yaxis=dict(categoryorder="array", categoryarray=categories),
                         height=max(380, 22 * len(categories) + 160),
                         legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
