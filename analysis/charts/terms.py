"""Keywords: top terms, term trends, and the A-vs-B distinctive-terms diverging bars."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ._util import customdata, empty_figure, is_empty, iso_dates, require_columns, safe_text
from .theme import COLOR_A, COLOR_B, PALETTE, apply_theme, color_for


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
    fig = go.Figure(go.Bar(x=d["score"].astype(float), y=terms, orientation="h", marker_color=PALETTE[0],
                           customdata=cd,
                           hovertemplate="<b>%{customdata[0]}</b><br>Score: %{x:.3g}<br>Occurrences: "
                                         "%{customdata[1]:,}<br>Articles: %{customdata[2]:,}<extra></extra>"))
    fig.update_layout(xaxis_title="Score", yaxis_title=None, height=max(350, 24 * len(d) + 140))
    return apply_theme(fig, title, subtitle)


def keyword_trends_chart(df: pd.DataFrame, normalise: bool = False, *, title: str = "Keyword trends",
                         subtitle: str | None = None) -> go.Figure:
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
    fig = go.Figure(data=traces)  # one validating constructor instead of one add_trace per term
    fig.update_layout(yaxis_title="% of articles" if normalise else "Articles using the term")
    return apply_theme(fig, title, subtitle)


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
    fig = go.Figure()
    for side, label, color, sign in (("A", label_a, COLOR_A, 1.0), ("B", label_b, COLOR_B, -1.0)):
        s = d[d["_side"] == side].sort_values("_z", ascending=False).head(top).iloc[::-1]
        if s.empty:
            continue
        terms = [safe_text(t) for t in s["term"]]
        cd = customdata(terms, s["log_odds_z"].astype(float).round(2), s["count_a"], s["count_b"], [side] * len(s))
        fig.add_trace(go.Bar(x=sign * s["_z"], y=terms, orientation="h", name=safe_text(label), marker_color=color,
                             customdata=cd,
                             hovertemplate="<b>%{customdata[0]}</b><br>z = %{customdata[1]}<br>"
                                           + "count A: %{customdata[2]:,} · count B: %{customdata[3]:,}"
                                           + "<extra></extra>"))
    if not fig.data:
        return empty_figure(title, subtitle=subtitle)
    n_bars = sum(len(tr.y) for tr in fig.data)
    fig.update_layout(barmode="overlay", xaxis_title=f"← more in {safe_text(label_b)} · z-score · more in "
                      f"{safe_text(label_a)} →", yaxis_title=None, height=max(380, 22 * n_bars + 160),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    fig.update_yaxes(categoryorder="array", categoryarray=[y for tr in fig.data for y in tr.y])
    return apply_theme(fig, title, subtitle)
