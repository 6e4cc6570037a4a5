"""Overview: counts, volume, countries, top entities, top keywords, topic mix."""

import streamlit as st

from dashboard import page_charts
from dashboard import components as ui
from dashboard import data, state

store = data.get_store(autobuild=False)
f = state.current_filter()

# every chart of the page with its parameters, prefetched together before anything is drawn; the volume's
# "normalise" is the toggle below as last set (a prefetch is only a hint: the page asks for what it draws)
CHARTS = page_charts.overview(normalise=bool(st.session_state.get("ov_norm", False)))
if not data.stats(store)["topics"]:
    del CHARTS["topic_bar"]
data.prefetch_views(store, f, CHARTS)

st.title("Overview")
st.caption(f"Showing: {ui.safe_markdown(data.describe(store, f))}")
ui.counts_row(store, f)
if not ui.no_articles(store, f, key="ov"):
    normalise = st.toggle("Normalise volume (percent of the busiest period)", key="ov_norm")
    CHARTS["volume"]["normalise"] = normalise
    if ui.has_dated(store, f):
        ui.chart_block("volume", store, f, key="ov_volume", **CHARTS["volume"])
    else:
        ui.no_dated_note()
    c1, c2 = st.columns(2)
    with c1:
        ui.chart_block("country_map", store, f, key="ov_map", **CHARTS["country_map"])
    with c2:
        ui.chart_block("country_bar", store, f, key="ov_cbar", **CHARTS["country_bar"])
    c1, c2 = st.columns(2)
    with c1:
        ui.chart_block("entity_bar", store, f, key="ov_ent", **CHARTS["entity_bar"])
    with c2:
        ui.chart_block("keywords", store, f, key="ov_kw", **CHARTS["keywords"])
    if "topic_bar" in CHARTS:
        ui.chart_block("topic_bar", store, f, key="ov_topics", **CHARTS["topic_bar"])
    else:
        st.caption("Topic mix: this store has no topics (too few articles, or built without topics).")
    ui.report_buttons(store, f, list(CHARTS), key="ov", title="overview", normalise=normalise)
