"""Article volume over time, and the A-vs-B comparison views."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ._util import (
    bar_width_ms,
    count_axis,
    customdata,
    empty_figure,
    fill_periods,
    is_empty,
    iso_dates,
    kept_of,
    period_freq,
    require_columns,
    safe_text,
    time_axis,
    titled_cut,
    unique_labels,
)
from .theme import COLOR_A, COLOR_B, PALETTE, themed_figure


def _normalise_to_max(values: pd.Series) -> pd.Series:
    peak = values.max()
    return values * 100.0 / peak if peak else values * 0.0


def volume_chart(df: pd.DataFrame, normalise: bool = False, *, title: str = "Articles over time",
                 subtitle: str | None = None, freq: str | None = None) -> go.Figure:
    """Articles per period as bars, unique stories (near-duplicates collapsed) as a line.

    In: df[period: datetime64, articles: int, unique: int], one row per period.
    ``normalise=True`` plots each series as a percentage of its own busiest period (0-100), so the shape of coverage
    can be compared between filters or corpora of very different size.
    Out: Figure with trace 0 = Bar "Articles", trace 1 = Scatter "Unique stories";
    customdata per point = [period 'YYYY-MM-DD', articles, unique]. ``freq`` (day/week/month/...; default
    ``df.attrs["freq"]`` or inferred) sets the ticks and bar width; periods without articles are drawn as 0.
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["period", "articles", "unique"], "volume_chart")
    freq = freq or period_freq(df)
    d = fill_periods(df.sort_values("period"), freq, zero=["articles", "unique"])
    a, u = d["articles"].astype(float), d["unique"].astype(float)
    if normalise:
        a, u = _normalise_to_max(a), _normalise_to_max(u)
    cd = customdata(iso_dates(d["period"]), d["articles"], d["unique"])
    unit = "% of busiest period" if normalise else "articles"
    fmt = ".1f" if normalise else ",.0f"
    periods = d["period"].to_numpy()
    traces = [dict(type="bar", x=periods, y=a.to_numpy(), name="Articles", marker_color=PALETTE[0], customdata=cd,
                   width=bar_width_ms(freq),
                   hovertemplate="%{customdata[0]}<br>Articles: %{customdata[1]:,}"
                                 f"<br>{unit}: %{{y:{fmt}}}<extra></extra>"),
              dict(type="scatter", x=periods, y=u.to_numpy(), name="Unique stories", mode="lines+markers",
                   line=dict(color=PALETTE[1], width=2), customdata=cd,
                   hovertemplate="%{customdata[0]}<br>Unique stories: %{customdata[2]:,}<extra></extra>")]
    yaxis = dict(title=dict(text=unit.capitalize()), rangemode="tozero") if normalise else \
        count_axis(float(d["articles"].max()), "Articles")
    return themed_figure(traces, title, subtitle, yaxis=yaxis, xaxis=time_axis(d["period"], freq), bargap=0.15,
                         legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))


def compare_volume(df_a: pd.DataFrame, df_b: pd.DataFrame, label_a: str = "A", label_b: str = "B",
                   normalise: bool = False, *, title: str = "Volume: A vs B",
                   subtitle: str | None = None, freq: str | None = None) -> go.Figure:
    """Two volume series on one time axis.

    In: df_a, df_b each [period: datetime64, articles: int, unique: int]; labels name the slices.
    ``normalise=True`` plots each slice's articles as a percentage of that slice's total, so slices of different
    size compare by shape.
    Out: Figure with one Scatter per non-empty slice (A first); customdata = [period, articles, slice label].
    """
    if is_empty(df_a) and is_empty(df_b):
        return empty_figure(title, subtitle=subtitle)
    both = pd.concat([x for x in (df_a, df_b) if not is_empty(x)], ignore_index=True)
    freq = freq or df_a.attrs.get("freq") or df_b.attrs.get("freq") or period_freq(both)
    traces = []
    for df, label, color in ((df_a, label_a, COLOR_A), (df_b, label_b, COLOR_B)):
        if is_empty(df):
            continue
        require_columns(df, ["period", "articles"], "compare_volume")
        d = fill_periods(df.sort_values("period")[["period", "articles"]], freq, zero=["articles"])
        y = d["articles"].astype(float)
        if normalise:
            total = y.sum()
            y = y * 100.0 / total if total else y * 0.0
        name = safe_text(label)
        cd = customdata(iso_dates(d["period"]), d["articles"], [name] * len(d))
        traces.append(dict(type="scatter", x=d["period"].to_numpy(), y=y.to_numpy(), name=name, mode="lines+markers",
                           line=dict(color=color, width=2), customdata=cd,
                           hovertemplate="%{customdata[2]}<br>%{customdata[0]}<br>Articles: %{customdata[1]:,}"
                           + ("<br>Share: %{y:.1f}%" if normalise else "") + "<extra></extra>"))
    yaxis = dict(title=dict(text="% of slice's articles"), rangemode="tozero") if normalise else \
        count_axis(float(both["articles"].max()), "Articles")
    # a slice with no dated articles draws no line: say so on the chart, not only by a missing legend entry
    empty = [safe_text(lbl) for df, lbl in ((df_a, label_a), (df_b, label_b)) if is_empty(df)]
    notes = [dict(text=f"{name}: no dated articles", x=0.5, y=1.0, xref="paper", yref="paper", yanchor="bottom",
                  showarrow=False, font=dict(size=12)) for name in empty]
    return themed_figure(traces, title, subtitle, yaxis=yaxis, xaxis=time_axis(both["period"], freq),
                         **({"annotations": notes} if notes else {}), showlegend=True,
                         hovermode="x unified",
                         legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))


def compare_share(df: pd.DataFrame, label_a: str = "A", label_b: str = "B", top: int = 15, *,
                  title: str = "Share: A vs B", subtitle: str | None = None) -> go.Figure:
    """Grouped horizontal bars: each item's share of slice A and of slice B.

    In: df[name: str, share_a: float 0..1, share_b: float 0..1] (e.g. countries, entities, topics); the ``top`` rows by
    max(share_a, share_b) are shown, largest on top (the x axis says how many of how many when some are left out).
    Out: Figure with trace 0 = Bar slice A, trace 1 = Bar slice B, orientation "h", x in percent;
    customdata = [name (escaped), slice label].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["name", "share_a", "share_b"], "compare_share")
    d = df.assign(_m=df[["share_a", "share_b"]].max(axis=1)).sort_values("_m", ascending=False).head(top)
    d = d.iloc[::-1]  # plotly draws the first category at the bottom
    names = unique_labels(d["name"].tolist(), list(range(len(d))))
    traces = []
    for col, label, color in (("share_a", label_a, COLOR_A), ("share_b", label_b, COLOR_B)):
        # labels go through customdata, never into the template string, so a "%{" in them stays literal
        cd = customdata(names, [safe_text(label)] * len(d))
        traces.append(dict(type="bar", y=names, x=d[col].to_numpy(dtype=float) * 100, orientation="h",
                           name=safe_text(label), marker_color=color, customdata=cd,
                           hovertemplate="%{customdata[1]}<br>%{customdata[0]}: %{x:.1f}%<extra></extra>"))
    cut = kept_of(len(d), len(df), ("item", "items"), "with the largest share")
    return themed_figure(traces, title, subtitle, barmode="group",
                         xaxis=dict(title=dict(text=titled_cut("Share of slice (%)", cut))),
                         legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
                         height=max(350, 28 * len(d) + 150))
