"""Overview: counts, volume, countries, top entities, top keywords, topic mix."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, state

store = data.get_store(autobuild=False)
f = state.current_filter()

st.title("Overview")
st.caption(f"Showing: {ui.safe_markdown(f.describe())}")
ui.counts_row(store, f)
if not ui.no_articles(store, f, key="ov"):
    normalise = st.toggle("Normalise volume (percent of the busiest period)", key="ov_norm")
    if ui.has_dated(store, f):
        ui.chart_block("volume", store, f, key="ov_volume", normalise=normalise)
    else:
        ui.no_dated_note()
    c1, c2 = st.columns(2)
    with c1:
        ui.chart_block("country_map", store, f, key="ov_map")
    with c2:
        ui.chart_block("country_bar", store, f, key="ov_cbar")
    c1, c2 = st.columns(2)
    with c1:
        ui.chart_block("entity_bar", store, f, key="ov_ent", top=15)
    with c2:
        ui.chart_block("keywords", store, f, key="ov_kw", k=15)
    charts = ["volume", "country_map", "country_bar", "entity_bar", "keywords"]
    if data.stats(store)["topics"]:
        ui.chart_block("topic_bar", store, f, key="ov_topics")
        charts.append("topic_bar")
    else:
        st.caption("Topic mix: this store has no topics (too few articles, or built without topics).")
    ui.report_buttons(store, f, charts, key="ov", title="overview", normalise=normalise)
