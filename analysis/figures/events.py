"""Dated events on a timeline: one lane per entity/country, a span line start..end and a hoverable marker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ._util import (
    customdata,
    empty_figure,
    is_empty,
    iso_dates,
    kept_of,
    require_columns,
    safe_text,
    use_webgl,
    wrap_text,
)
from .theme import EDGE, key_color, themed_figure


def events_timeline(df: pd.DataFrame, *, title: str = "Events timeline", subtitle: str | None = None,
                    max_lanes: int = 30, webgl_threshold: int = 2000) -> go.Figure:
    """Events placed on time, one horizontal lane per entity/country.

    In: df[uid: int, title: str, sentence: str, start: date|datetime|None, end: date|datetime|None,
    granularity: str|None (day/week/month/...), lane: str]. Rows without a start are dropped; a missing end means
    end = start. The ``max_lanes`` lanes with most events are kept (lanes in order of first event; the x axis then
    says so).
    Out: Figure with (optional) trace 0 = span lines for events whose end > start (mode "lines", hover off), then one
    marker trace per lane at the event's start (scattergl above ``webgl_threshold`` events);
    marker customdata = [uid, start 'YYYY-MM-DD', end 'YYYY-MM-DD', granularity, lane (escaped), title (escaped),
    sentence (escaped, wrapped at ~80 chars with <br>)]. A figure with the no-data note when no row has a start.
    """
    if is_empty(df):
        return empty_figure(title, subtitle=subtitle)
    require_columns(df, ["uid", "title", "sentence", "start", "end", "granularity", "lane"], "events_timeline")
    d = df.copy()
    d["start"] = pd.to_datetime(d["start"], errors="coerce")
    d["end"] = pd.to_datetime(d["end"], errors="coerce")
    d = d[d["start"].notna()]
    if d.empty:
        return empty_figure(title, subtitle=subtitle)
    d["end"] = d["end"].where(d["end"].notna() & (d["end"] >= d["start"]), d["start"])
    d["lane"] = d["lane"].fillna("—").astype(str)
    n_lanes = d["lane"].nunique()
    keep = d["lane"].value_counts().head(max_lanes).index
    # every column that tells events apart, so equal inputs in any row order draw the same figure
    d = d[d["lane"].isin(keep)].sort_values(["start", "uid", "end", "lane", "sentence"], kind="stable")
    lanes = list(dict.fromkeys(d["lane"]))
    lane_names = {lane: safe_text(lane, max_len=40) for lane in lanes}
    d["_y"] = d["lane"].map(lane_names)

    traces: list[dict] = []
    spans = d[d["end"] > d["start"]]
    if len(spans):
        n = len(spans)
        # one "lines" trace with a None gap between spans: start, end, None per event
        xs = np.empty(3 * n, dtype=object)
        ys = np.empty(3 * n, dtype=object)
        xs[0::3], xs[1::3] = spans["start"].dt.strftime("%Y-%m-%d").to_numpy(), spans["end"].dt.strftime("%Y-%m-%d").to_numpy()
        ys[0::3] = ys[1::3] = spans["_y"].to_numpy()
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", line=dict(color=EDGE, width=6),
                           hoverinfo="skip", showlegend=False, name="spans"))
    kind = "scattergl" if use_webgl(len(d), webgl_threshold) else "scatter"
    # Escape, wrap and format the whole frame once; per lane only numpy slices (per-lane pandas work and one
    # validated add_trace per lane dominated drawing a busy timeline).
    d = d.reset_index(drop=True)
    cd_all = customdata(d["uid"], iso_dates(d["start"]), iso_dates(d["end"]),
                        [safe_text(g) if g is not None else "" for g in d["granularity"]], d["_y"],
                        [safe_text(t, max_len=120) for t in d["title"]], [wrap_text(x, width=80) for x in d["sentence"]])
    starts = d["start"].dt.strftime("%Y-%m-%d").to_numpy()
    rows_of = d.groupby("lane", sort=False).indices
    # a lane's colour follows its id (ISO code, entity id), so a country has the same colour under any filter
    lane_keys = dict(zip(d["lane"], d["lane_id"])) if "lane_id" in d.columns else {}
    for lane in lanes:
        rows = rows_of[lane]
        traces.append(dict(
            type=kind, x=starts[rows], y=d["_y"].to_numpy()[rows], mode="markers", name=lane_names[lane],
            showlegend=False, marker=dict(size=10, color=key_color(lane_keys.get(lane, lane)), line=dict(width=1, color="#ffffff")),
            customdata=cd_all[rows],
            hovertemplate="<b>%{customdata[4]}</b> · %{customdata[1]} → %{customdata[2]} (%{customdata[3]})<br>"
                          "<i>%{customdata[5]}</i><br>%{customdata[6]}<extra></extra>"))
    xaxis: dict = dict(type="date")
    if cut := kept_of(len(lanes), n_lanes, ("lane", "lanes"), "with most events"):
        xaxis["title"] = dict(text=cut)
    yaxis: dict = dict(categoryorder="array")
    # A few far-off mentions ("founded in 1805") would squash the rest: open on the central 96% of events,
    # the full range stays one double-click (autorange) away.
    lo, hi = d["start"].quantile(0.02, interpolation="higher"), d["end"].quantile(0.98, interpolation="lower")
    if len(d) >= 20 and (d["start"].min() < lo or d["end"].max() > hi):
        pad = max((hi - lo) * 0.05, pd.Timedelta(days=15))
        shown_lo, shown_hi = lo - pad, hi + pad
        xaxis["range"] = [shown_lo.isoformat(), shown_hi.isoformat()]
        # a lane with no event in that view would show as an empty row: list it last, its label saying where its
        # events are (the lane's name itself, used in hover, is unchanged)
        seen = set(d.loc[(d["end"] >= shown_lo) & (d["start"] <= shown_hi), "lane"])
        outside = {lane: ("earlier" if d.loc[d["lane"] == lane, "end"].max() < shown_lo else "later")
                   for lane in lanes if lane not in seen}
        lanes = [lane for lane in lanes if lane not in outside] + [lane for lane in lanes if lane in outside]
        if outside:
            yaxis["tickvals"] = [lane_names[x] for x in lanes]
            yaxis["ticktext"] = [f"{lane_names[x]} ({outside[x]})" if x in outside else lane_names[x] for x in lanes]
    yaxis["categoryarray"] = [lane_names[x] for x in reversed(lanes)]
    return themed_figure(traces, title, subtitle, xaxis=xaxis, yaxis=yaxis, height=max(320, 34 * len(lanes) + 160))
