"""Overview: counts, volume, countries, top entities, top keywords, topic mix."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, state

store = data.get_store(autobuild=False)
f = state.current_filter()

st.title("Overview")
st.caption(f"Showing: {ui.safe_markdown(data.describe(store, f))}")
ui.counts_row(store, f)
if not ui.no_articles(store, f, key="ov"):
    volume = st.container()
    c1, c2 = st.columns(2)
    c3, c4 = st.columns(2)
    has_topics = bool(data.stats(store)["topics"])
    ui.draw(store, f, [
        ui.Request("volume", "ov_volume", where=volume, needs_dates=True,
                   controls=[ui.Toggle("normalise", "Normalise volume (percent of the busiest period)", "ov_norm")]),
        ui.Request("country_map", "ov_map", where=c1),
        ui.Request("country_bar", "ov_cbar", where=c2),
        ui.Request("entity_bar", "ov_ent", where=c3, top=15),
        ui.Request("keywords", "ov_kw", where=c4, k=15),
        ui.Request("topic_bar", "ov_topics") if has_topics else
        ui.Request("topic_bar", "ov_topics", note="Topic mix: this store has no topics (too few articles, or built "
                                                  "without topics)."),
    ], key="ov", report="overview")
