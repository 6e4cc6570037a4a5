"""Topics: sizes, the 2-D topic and article maps, topics over time, topic x country heatmap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._util import (
    count_axis,
    count_colorbar,
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
    unique_labels,
    use_webgl,
)
from .theme import NO_DATA, SEQUENTIAL, themed_figure, topic_color


def _topic_names(ids, labels) -> list[str]:
    """'#3 oil, opec, crude' style labels: the id keeps topics with similar labels apart on axes and legends."""
    return [f"#{safe_text(i)} {safe_text(lbl, max_len=40)}" for i, lbl in zip(ids, labels, strict=True)]


def topic_bar(df: pd.DataFrame, *, title: str = "Topics by size", subtitle: str | None = None,
              unit: str = "articles") -> go.Figure:
    """Horizontal bars of topic size, largest on top.

    In: df[topic_id: int, label: str, size: int (``unit``: articles, or paragraphs for a one-article corpus),
    share: float 0..1].
    Out: Figure with one Bar (x = size, y = "#id label"); customdata = [topic_id, label (escaped), size, share].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["topic_id", "label", "size", "share"], "topic_bar")
    d = df.sort_values("size", ascending=False).iloc[::-1]
    cd = customdata(d["topic_id"], [safe_text(x) for x in d["label"]], d["size"], d["share"].astype(float))
    bar = dict(type="bar", x=d["size"].to_numpy(), y=_topic_names(d["topic_id"], d["label"]), orientation="h",
               marker_color=[topic_color(t) for t in d["topic_id"]], customdata=cd,
               hovertemplate="<b>Topic %{customdata[0]}</b>: %{customdata[1]}<br>" + unit.capitalize() +
                             ": %{x:,} (%{customdata[3]:.1%})<extra></extra>")
    return themed_figure([bar], title, subtitle, xaxis=count_axis(float(d["size"].max()), unit.capitalize()),
                         height=max(350, 24 * len(d) + 140))


#: where a topic map's label may go, first choice first (plotly textposition)
_LABEL_SPOTS = ("middle center", "top center", "bottom center", "middle right", "middle left")
#: what the label placement assumes of the drawn map: plot area (px; half a page at 1440 px, the Topics page's
#: column), the biggest bubble's diameter (px) and a label's size at font size 11 (px per character, line height)
_MAP_PLOT_PX = (560.0, 460.0)
_MAP_BUBBLE_PX = 60.0
_LABEL_CHAR_PX, _LABEL_LINE_PX = 6.3, 14.0


def _label_spots(x: np.ndarray, y: np.ndarray, sizes: np.ndarray, texts: list[str],
                 x_range: list[float], y_range: list[float]) -> list[str]:
    """A textposition per bubble so labels overlap neither each other nor other bubbles where a free spot exists:
    biggest bubble first, each label to the first of :data:`_LABEL_SPOTS` with the least overlap (its own bubble
    under a centred label does not count), in px estimated from the ranges (x and y share one scale)."""
    ppu = min(_MAP_PLOT_PX[0] / max(x_range[1] - x_range[0], 1e-9),
              _MAP_PLOT_PX[1] / max(y_range[1] - y_range[0], 1e-9))
    cx, cy = x * ppu, y * ppu
    radius = _MAP_BUBBLE_PX / 2 * np.sqrt(sizes / max(float(sizes.max()), 1.0))
    radius = np.maximum(radius, 3.0)
    bubbles = [(cx[i] - radius[i], cy[i] - radius[i], cx[i] + radius[i], cy[i] + radius[i]) for i in range(len(x))]

    def overlap(a, b) -> float:
        return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))

    placed: list[tuple[float, float, float, float]] = []
    spots = ["middle center"] * len(x)
    for i in np.argsort(-sizes, kind="stable"):
        w, h, r = _LABEL_CHAR_PX * len(texts[i]), _LABEL_LINE_PX, radius[i]
        centres = {"middle center": (cx[i], cy[i]), "top center": (cx[i], cy[i] + r + h / 2),
                   "bottom center": (cx[i], cy[i] - r - h / 2), "middle right": (cx[i] + r + w / 2, cy[i]),
                   "middle left": (cx[i] - r - w / 2, cy[i])}
        best, best_cost = None, float("inf")
        for spot in _LABEL_SPOTS:
            mx, my = centres[spot]
            box = (mx - w / 2, my - h / 2, mx + w / 2, my + h / 2)
            cost = sum(overlap(box, p) for p in placed) + sum(
                overlap(box, b) for j, b in enumerate(bubbles) if j != i)
            if cost < best_cost - 1e-6:
                best, best_cost = (spot, box), cost
        spots[i] = best[0]
        placed.append(best[1])
    return spots


def topic_map(df: pd.DataFrame, *, title: str = "Topic map", subtitle: str | None = None,
              unit: str = "articles") -> go.Figure:
    """Bubble chart of topics in 2-D (nearby = similar), bubble area = size.

    In: df[topic_id: int, label: str, size: int, x: float, y: float].
    Out: Figure with one Scatter (mode markers+text, marker.size = size scaled by area; a textposition per bubble,
    so close topics' labels do not overlap: :func:`_label_spots`); customdata = [topic_id, label (escaped), size].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["topic_id", "label", "size", "x", "y"], "topic_map")
    d = df.reset_index(drop=True)
    sizes = d["size"].astype(float).clip(lower=0)
    sizeref = 2.0 * max(sizes.max(), 1.0) / (60.0**2)  # biggest bubble ~60 px across
    cd = customdata(d["topic_id"], [safe_text(x) for x in d["label"]], d["size"])
    bubbles = dict(
        type="scatter", x=d["x"].to_numpy(dtype=float), y=d["y"].to_numpy(dtype=float), mode="markers+text",
        text=[safe_text(lbl, max_len=24) for lbl in d["label"]], textposition="middle center",
        textfont=dict(size=11),
        marker=dict(size=sizes.to_numpy(), sizemode="area", sizeref=sizeref, sizemin=6,
                    color=[topic_color(t) for t in d["topic_id"]], opacity=0.65, line=dict(width=1, color="#ffffff")),
        customdata=cd, cliponaxis=False,
        hovertemplate="<b>Topic %{customdata[0]}</b>: %{customdata[1]}<br>" + unit.capitalize() +
                      ": %{customdata[2]:,}<extra></extra>")
    # autorange makes room for the bubbles, not for their labels (up to 24 characters, wider than a small bubble):
    # leave a fifth of the spread free on each side (labels may run into the margins), so an outer bubble's label is
    # not cut at the figure's edge
    x, y = bubbles["x"], bubbles["y"]
    x_range, y_range = _padded(x, 0.2), _padded(y, 0.1)
    bubbles["textposition"] = _label_spots(x, y, sizes.to_numpy(dtype=float), bubbles["text"], x_range, y_range)
    return themed_figure([bubbles], title, subtitle, xaxis=dict(visible=False, range=x_range),
                         yaxis=dict(visible=False, scaleanchor="x", range=y_range), showlegend=False,
                         height=560)


def _padded(values: np.ndarray, share: float) -> list[float]:
    """[min, max] of ``values`` widened by ``share`` of their spread on each side (by 1 when they do not spread)."""
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = share * (hi - lo) if hi > lo else 1.0
    return [lo - pad, hi + pad]


def article_map(df: pd.DataFrame, *, title: str = "Articles by topic", subtitle: str | None = None,
                webgl_threshold: int = 2000) -> go.Figure:
    """Scatter of articles in 2-D, one colour (and legend entry) per topic.

    In: df[uid: int, title: str, topic_id: int, label: str, x: float, y: float].
    Out: Figure with one trace per topic (type "scattergl" when len(df) > ``webgl_threshold``, else "scatter"),
    ordered by topic size, named "#id label" (escaped); customdata = [uid, topic_id]; hovertext = title (escaped,
    <= 120 chars). The hover shows the title and the trace's name: one string per point instead of two
    customdata columns, a quarter less to copy and send for the busiest chart of the Topics page.
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["uid", "title", "topic_id", "label", "x", "y"], "article_map")
    kind = "scattergl" if use_webgl(len(df), webgl_threshold) else "scatter"
    sizes = df.groupby("topic_id", sort=False).size().sort_values(ascending=False, kind="stable")
    marker_size = 6 if len(df) > 500 else 8
    # Escape once for the whole frame and hand plotly numpy arrays: per-trace Series go through narwhals and
    # per-point validation, which made this the slowest chart of the Topics page.
    titles = np.array([safe_text(t, max_len=120) for t in df["title"]], dtype=object)
    xs, ys = df["x"].to_numpy(dtype=float), df["y"].to_numpy(dtype=float)
    uids, tids = df["uid"].to_numpy(), df["topic_id"].to_numpy()
    rows_of = df.groupby("topic_id", sort=False).indices
    traces = []
    for tid in sizes.index:
        rows = rows_of[tid]
        traces.append(dict(
            type=kind, x=xs[rows], y=ys[rows], mode="markers",
            name=_topic_names([tid], [df["label"].iat[rows[0]]])[0],
            marker=dict(size=marker_size, color=topic_color(tid), opacity=0.75),
            customdata=customdata(uids[rows], tids[rows]), hovertext=titles[rows],
            hovertemplate="%{hovertext}<br><i>Topic %{fullData.name}</i><extra></extra>"))
    return themed_figure(traces, title, subtitle, xaxis=dict(visible=False), yaxis=dict(visible=False), height=560,
                         legend=dict(itemsizing="constant"))


def topics_over_time(df: pd.DataFrame, normalise: bool = False, *, title: str = "Topics over time",
                     subtitle: str | None = None, freq: str | None = None) -> go.Figure:
    """One line per topic over time.

    In: df[period: datetime64, topic_id: int, label: str, articles: int, share: float 0..1].
    y = articles or, with ``normalise=True``, ``share`` in percent (the topic's share of that period's articles).
    Out: Figure with one Scatter per topic (largest first); customdata = [period 'YYYY-MM-DD', topic_id,
    label (escaped), articles, share].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["period", "topic_id", "label", "articles", "share"], "topics_over_time")
    freq = freq or period_freq(df)
    df = fill_periods(df, freq, zero=["articles", "share"], by="topic_id")
    order = df.groupby("topic_id", sort=False)["articles"].sum().sort_values(ascending=False, kind="stable").index
    d_all = df.sort_values(["topic_id", "period"], kind="stable").reset_index(drop=True)
    # Whole-frame conversions once, numpy slices per topic (per-trace pandas work dominated this chart).
    periods = d_all["period"].to_numpy()
    dates = np.array(iso_dates(d_all["period"]), dtype=object)
    labels = np.array([safe_text(x) for x in d_all["label"]], dtype=object)
    articles = d_all["articles"].to_numpy()
    shares = d_all["share"].to_numpy(dtype=float)
    tids = d_all["topic_id"].to_numpy()
    rows_of = d_all.groupby("topic_id", sort=False).indices
    traces = []
    for tid in order:
        rows = rows_of[tid]
        traces.append(dict(
            type="scatter", x=periods[rows], y=shares[rows] * 100 if normalise else articles[rows],
            mode="lines+markers", name=_topic_names([tid], [d_all["label"].iat[rows[0]]])[0],
            line=dict(color=topic_color(tid)),
            customdata=customdata(dates[rows], tids[rows], labels[rows], articles[rows], shares[rows]),
            hovertemplate="<b>Topic %{customdata[1]}</b>: %{customdata[2]}<br>%{customdata[0]}<br>"
                          "Articles: %{customdata[3]:,} (%{customdata[4]:.1%})<extra></extra>"))
    yaxis = dict(title=dict(text="% of the period's articles"), rangemode="tozero") if normalise else \
        count_axis(float(np.nanmax(articles, initial=0)), "Articles")
    return themed_figure(traces, title, subtitle, yaxis=yaxis,
                         xaxis=gap_axis_title(time_axis(d_all["period"], freq), df, freq))


def topic_country_heatmap(df: pd.DataFrame, *, title: str = "Topics by country", subtitle: str | None = None,
                          max_countries: int = 25) -> go.Figure:
    """Heatmap: topics (rows) x countries (columns), colour = articles.

    In: df[topic_id: int, label: str, iso2: str, country: str, articles: int]; the ``max_countries`` countries with
    most articles are kept, and when countries were left out (here, or by the store: ``df.attrs["countries"]``, how
    many there are in all) the x axis says so ("the 15 countries with most articles, of 60").
    Out: Figure with one Heatmap (z rows follow topic_id order, columns by total articles);
    customdata[row][col] = [topic_id, iso2, label (escaped), country (escaped)]; cells without articles are None.
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["topic_id", "label", "iso2", "country", "articles"], "topic_country_heatmap")
    countries = df.groupby("iso2")["articles"].sum().sort_values(ascending=False, kind="stable").head(max_countries)
    cols = list(countries.index)
    d = df[df["iso2"].isin(cols)]
    topics = d.drop_duplicates("topic_id").sort_values("topic_id")
    rows = list(topics["topic_id"])
    cname = d.drop_duplicates("iso2").set_index("iso2")["country"]
    z = d.pivot_table(index="topic_id", columns="iso2", values="articles", aggfunc="sum").reindex(index=rows,
                                                                                                 columns=cols)
    # object arrays, not nested lists: plotly validates an array at once and nested lists cell by cell
    zl = np.empty(z.shape, dtype=object)
    zl[:] = [[None if v != v else int(v) for v in row] for row in z.to_numpy(dtype=float).tolist()]
    labels = dict(zip(topics["topic_id"].tolist(), topics["label"], strict=True))
    names = cname.to_dict()
    cd = np.empty((len(rows), len(cols), 4), dtype=object)
    cd[:, :, 0] = np.array([int(t) if isinstance(t, (int, np.integer)) else t for t in rows], dtype=object)[:, None]
    cd[:, :, 1] = np.array(cols, dtype=object)[None, :]
    cd[:, :, 2] = np.array([safe_text(labels[t]) for t in rows], dtype=object)[:, None]
    cd[:, :, 3] = np.array([safe_text(names[c]) for c in cols], dtype=object)[None, :]
    heatmap = dict(
        type="heatmap", z=zl, x=unique_labels([names[c] for c in cols], cols),
        y=_topic_names(rows, [labels[t] for t in rows]), colorscale=SEQUENTIAL, customdata=cd, xgap=1, ygap=1,
        colorbar=count_colorbar(float(np.nanmax(z.to_numpy(dtype=float), initial=0)),
                                title=dict(text="Articles"), thickness=12),
        hovertemplate="<b>Topic %{customdata[0]}</b>: %{customdata[2]}<br>%{customdata[3]} (%{customdata[1]})<br>"
                      "Articles: %{z:,}<extra></extra>")
    xaxis = dict(tickangle=-45, side="bottom")
    n_countries = max(int(df.attrs.get("countries", 0)), int(df["iso2"].nunique()))  # the store's own cut too
    if cut := kept_of(len(cols), n_countries, ("country", "countries")):
        xaxis["title"] = dict(text=cut)
    return themed_figure([heatmap], title, subtitle, plot_bgcolor=NO_DATA, xaxis=xaxis,
                         yaxis=dict(autorange="reversed"), height=max(350, 26 * len(rows) + 200))
