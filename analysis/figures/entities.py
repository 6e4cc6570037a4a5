"""Entities: top entities, mentions over time, and the co-occurrence network (deterministic numpy layout)."""

from __future__ import annotations

import numpy as np
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
    unique_labels,
)
from .theme import EDGE, color_for, label_color, label_name, themed_figure


def _label_colors(labels) -> dict[str, str]:
    """Entity label (PERSON, ORG, ...) -> its fixed colour (theme.LABEL_COLORS), labels in sorted order."""
    return {lbl: label_color(lbl) for lbl in sorted({str(x) for x in labels})}


def entity_bar(df: pd.DataFrame, top: int = 20, *, title: str = "Top entities",
               subtitle: str | None = None) -> go.Figure:
    """Horizontal bars of the ``top`` entities by articles, coloured by entity label, largest on top.

    In: df[entity_id: int, name: str, label: str, articles: int, mentions: int]; ``df.attrs["entities"]``, when the
    store cut the list, is how many entities there are in all: the x axis then says how many are shown of how many.
    Out: Figure with one Bar per label present (legendgroup = label, legend = its readable name); the y axis keeps the global ranking;
    customdata = [entity_id, name (escaped), label, articles, mentions].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["entity_id", "name", "label", "articles", "mentions"], "entity_bar")
    d = df.sort_values(["articles", "mentions"], ascending=False).head(top).iloc[::-1].copy()
    # the same name with two labels (Washington GPE / PERSON) must not merge into one bar
    d["_y"] = unique_labels(d["name"].tolist(), d["label"].tolist())
    colors = _label_colors(d["label"])
    traces = []
    for lbl in colors:
        s = d[d["label"].astype(str) == lbl]
        cd = customdata(s["entity_id"], [safe_text(n) for n in s["name"]], [safe_text(lbl)] * len(s), s["articles"],
                        s["mentions"])
        traces.append(dict(type="bar", x=s["articles"].to_numpy(), y=s["_y"].to_numpy(), orientation="h",
                           name=safe_text(label_name(lbl)), legendgroup=safe_text(lbl), marker_color=colors[lbl],
                           customdata=cd,
                           hovertemplate="<b>%{customdata[1]}</b> (%{customdata[2]})<br>Articles: %{x:,}"
                                         "<br>Mentions: %{customdata[4]:,}<extra></extra>"))
    # the legend above the bars: beside them it took ~170 px of a half-page column from the bars
    cut = kept_of(len(d), max(int(df.attrs.get("entities", 0)), len(df)), ("entity", "entities"))
    return themed_figure(traces, title, subtitle, barmode="overlay",
                         xaxis=count_axis(float(d["articles"].max()), titled_cut("Articles", cut)),
                         yaxis=dict(categoryorder="array", categoryarray=d["_y"].tolist()),
                         legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
                         height=max(350, 24 * len(d) + 140))


def entity_timeline(df: pd.DataFrame, *, title: str = "Entity mentions over time",
                    subtitle: str | None = None, freq: str | None = None) -> go.Figure:
    """One line per entity: mentions per period.

    In: df[period: datetime64, entity_id: int, name: str, mentions: int, articles: int].
    Out: Figure with one Scatter per entity (most mentioned first);
    customdata = [entity_id, period 'YYYY-MM-DD', name (escaped), mentions, articles].
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["period", "entity_id", "name", "mentions", "articles"], "entity_timeline")
    freq = freq or period_freq(df)
    # the top entities of the slice (attrs set by the catalog; not when the entities were chosen)
    cut = kept_of(int(df.attrs.get("entities_followed", 0)), int(df.attrs.get("entities", 0)), ("entity", "entities"))
    df = fill_periods(df, freq, zero=["mentions", "articles"], by="entity_id")
    order = df.groupby("entity_id", sort=False)["mentions"].sum().sort_values(ascending=False, kind="stable").index
    names = df.drop_duplicates("entity_id").set_index("entity_id")["name"]
    legend = dict(zip(order, unique_labels([names[e] for e in order], list(order)), strict=True))
    traces = []
    for i, eid in enumerate(order):
        d = df[df["entity_id"] == eid].sort_values("period")
        cd = customdata(d["entity_id"], iso_dates(d["period"]), [safe_text(n) for n in d["name"]], d["mentions"],
                        d["articles"])
        traces.append(dict(type="scatter", x=d["period"].to_numpy(), y=d["mentions"].to_numpy(),
                           mode="lines+markers", name=legend[eid], line=dict(color=color_for(i)), customdata=cd,
                           hovertemplate="<b>%{customdata[2]}</b> %{customdata[1]}<br>Mentions: %{y:,}"
                                         "<br>Articles: %{customdata[4]:,}<extra></extra>"))
    yaxis = count_axis(float(df["mentions"].max()), titled_cut("Mentions", cut))
    return themed_figure(traces, title, subtitle, yaxis=yaxis,
                         xaxis=gap_axis_title(time_axis(df["period"], freq), df, freq))


def spring_layout(n: int, edges: np.ndarray, weights: np.ndarray | None = None, iterations: int = 200,
                  seed: int = 0, gravity: float = 1.0) -> np.ndarray:
    """Deterministic Fruchterman-Reingold layout with a pull toward the centre.

    In: node count ``n``; ``edges`` int array (m, 2) of node indices; optional positive ``weights`` (m,);
    ``seed`` fixes the start; ``gravity`` pulls every node toward the centroid in proportion to its distance, so a
    node without edges settles about 2 / sqrt(gravity) from the centre instead of drifting off and squeezing the
    rest of the graph into a corner once coordinates are scaled to [-1, 1] (0 turns it off).
    Out: float array (n, 2) with coordinates in [-1, 1]. Graphs of <= 3 nodes, or with no edges, get a circle (a
    spring layout adds nothing there).
    """
    if n == 0:
        return np.zeros((0, 2))
    angles = 2 * np.pi * np.arange(n) / n
    circle = np.column_stack([np.cos(angles), np.sin(angles)])
    if n <= 3 or len(edges) == 0:
        return circle if n > 1 else np.zeros((1, 2))
    rng = np.random.default_rng(seed)
    pos = circle + rng.normal(scale=0.05, size=(n, 2))
    w = np.ones(len(edges)) if weights is None else np.asarray(weights, dtype=float)
    w = w / w.max()
    k = np.sqrt(4.0 / n)  # ideal edge length for a 2x2 box
    temp = 0.2
    src, dst = edges[:, 0], edges[:, 1]
    self_pairs = np.eye(n, dtype=bool)
    for _ in range(iterations):
        # repulsion between all pairs, k^2 / distance along the unit vector = delta * k^2 / distance^2: per axis on
        # (n, n) arrays without square roots (2.7x faster at 60 nodes than on an (n, n, 2) array with norms)
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        d2 = dx * dx + dy * dy
        np.maximum(d2, 1e-6, out=d2)
        push = (k * k) / d2
        push[self_pairs] = 0.0
        disp = np.column_stack([(dx * push).sum(axis=1), (dy * push).sum(axis=1)])
        e = pos[src] - pos[dst]
        ed = np.maximum(np.sqrt((e * e).sum(axis=1)), 1e-3)
        f = (e / ed[:, None]) * (ed * ed / k * w)[:, None]  # attraction along edges, stronger for heavy edges
        np.add.at(disp, src, -f)
        np.add.at(disp, dst, f)
        disp -= gravity * (pos - pos.mean(axis=0))
        length = np.maximum(np.sqrt((disp * disp).sum(axis=1)), 1e-9)
        pos += disp / length[:, None] * np.minimum(length, temp)[:, None]
        temp *= 0.98
    pos -= pos.mean(axis=0)
    scale = np.abs(pos).max()
    return pos / scale if scale > 0 else pos


def cooccurrence_network(nodes: pd.DataFrame, edges: pd.DataFrame, *, title: str = "Who appears with whom",
                         subtitle: str | None = None, max_nodes: int = 60, seed: int = 0) -> go.Figure:
    """Entity co-occurrence network with a deterministic layout (same input + seed -> same picture).

    In: nodes[entity_id: int, name: str, label: str, articles: int] (the ``max_nodes`` with most articles are kept;
    when fewer than there are, counting ``nodes.attrs["entities"]``, the store's own cut, the chart says so below),
    edges[source: entity_id, target: entity_id, weight: float] (edges to dropped nodes are dropped).
    Out: Figure whose first traces are edge lines (mode "lines", hover off; three width classes by weight), then
    one empty legend trace per label, and whose last trace is the node Scatter (marker size ~ articles, colour = label, text = escaped name);
    node customdata = [entity_id, name (escaped), label, articles].
    """
    if is_empty(nodes):
        return empty_figure(title, subtitle=subtitle)
    require_columns(nodes, ["entity_id", "name", "label", "articles"], "cooccurrence_network nodes")
    nd = nodes.sort_values(["articles", "entity_id"], ascending=[False, True]).head(max_nodes).reset_index(drop=True)
    index = {eid: i for i, eid in enumerate(nd["entity_id"])}
    if is_empty(edges):
        ed = pd.DataFrame({"source": [], "target": [], "weight": []})
    else:
        require_columns(edges, ["source", "target", "weight"], "cooccurrence_network edges")
        ed = edges[edges["source"].isin(index) & edges["target"].isin(index)
                   & (edges["source"] != edges["target"])].reset_index(drop=True)
    pairs = np.array([[index[s], index[t]] for s, t in zip(ed["source"], ed["target"], strict=True)], dtype=int)
    pairs = pairs.reshape(-1, 2)
    weights = ed["weight"].astype(float).to_numpy()
    pos = spring_layout(len(nd), pairs, weights if len(weights) else None, seed=seed)

    traces: list[dict] = []
    if len(pairs):
        cuts = np.quantile(weights, [1 / 3, 2 / 3])
        klass = np.digitize(weights, cuts, right=True)
        for c, width in enumerate((0.8, 1.8, 3.2)):
            sel = pairs[klass == c]
            if not len(sel):
                continue
            # one "lines" trace per width class: a, b, gap (None breaks the line) for every edge
            xs = np.full(3 * len(sel), None, dtype=object)
            ys = np.full(3 * len(sel), None, dtype=object)
            xs[0::3], xs[1::3] = pos[sel[:, 0], 0], pos[sel[:, 1], 0]
            ys[0::3], ys[1::3] = pos[sel[:, 0], 1], pos[sel[:, 1], 1]
            traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", line=dict(color=EDGE, width=width),
                               hoverinfo="skip", showlegend=False, name="links"))
    colors = _label_colors(nd["label"])
    for lbl, color in colors.items():  # legend entries for the label colours
        traces.append(dict(type="scatter", x=[None], y=[None], mode="markers", marker=dict(size=10, color=color),
                           name=safe_text(label_name(lbl)), legendgroup=safe_text(lbl), hoverinfo="skip"))
    art = nd["articles"].astype(float)
    size = 10 + 30 * np.sqrt(art / max(art.max(), 1.0))
    cd = customdata(nd["entity_id"], [safe_text(n) for n in nd["name"]], [safe_text(x) for x in nd["label"]],
                    nd["articles"])
    traces.append(dict(
        type="scatter", x=pos[:, 0], y=pos[:, 1], mode="markers+text",
        text=[safe_text(n, max_len=24) for n in nd["name"]], textposition="top center", textfont=dict(size=11),
        marker=dict(size=size.to_numpy(), color=[colors[str(x)] for x in nd["label"]],
                    line=dict(width=1, color="#ffffff")),
        customdata=cd, showlegend=False, name="entities",
        hovertemplate="<b>%{customdata[1]}</b> (%{customdata[2]})<br>Articles: %{customdata[3]:,}<extra></extra>"))
    cut = kept_of(len(nd), max(int(nodes.attrs.get("entities", 0)), len(nodes)), ("entity", "entities"))
    # the x axis shows only its title: the layout's coordinates mean nothing
    xaxis = dict(showticklabels=False, showgrid=False, zeroline=False, showline=False, ticks="",
                 title=dict(text=cut)) if cut else dict(visible=False)
    return themed_figure(traces, title, subtitle, xaxis=xaxis, yaxis=dict(visible=False, scaleanchor="x"), height=620)
