"""Entities: top people/organisations/places, timeline, co-occurrence network, alias table."""


import streamlit as st

from analysis.figures.theme import LABEL_NAMES
from dashboard import components as ui
from dashboard import data, state

LABELS = LABEL_NAMES

store = data.get_store(autobuild=False)
f = state.current_filter()

st.title("Entities")
st.caption(f"Showing: {ui.safe_markdown(data.describe(store, f))}")
if not ui.no_articles(store, f, key="en"):
    labels = st.pills("Kinds", list(LABELS), selection_mode="multi", format_func=lambda x: LABELS[x],
                      key="en_labels", help="None selected = all kinds.")
    labels = tuple(labels or ())
    bar = st.container()
    st.subheader("Over time")
    over_time = st.container()
    st.subheader("Who appears with whom")
    network = st.container()

    ranked = data.call(store, "entities", f, labels=labels, limit=100)  # what the timeline's picker offers
    ui.draw(store, f, [
        ui.Request("entity_bar", "en_bar", where=bar, labels=labels, controls=[
            ui.Slider("top", "How many", 5, 50, 20, "en_top", step=5)]),
        ui.Request("entity_timeline", "en_time", where=over_time, needs_dates=True, labels=labels, controls=[
            ui.Pick("entities", "Entities", tuple(ranked["entity_id"]), "en_pick",
                    names=tuple(zip(ranked["entity_id"], ranked["name"], strict=True)),
                    help="Empty = the five most frequent under the filter.")]),
        ui.Request("cooccurrence", "en_net", where=network, top=30, labels=labels, controls=[
            ui.Radio("level", "Together in the same", ("sentence", "article"), "en_level")]),
    ], key="en", report="entities")

st.subheader("Alias table")
search = st.text_input("Search names and aliases", key="en_alias_search")
catalog = data.call(store, "entity_catalog", search.strip(), limit=500)
if catalog.empty:
    st.caption("No entities" + (" match this search." if search else " in this store."))
else:
    catalog = catalog.assign(aliases=[", ".join(a) for a in catalog["aliases"]])
    st.dataframe(catalog[["name", "label", "articles", "mentions", "aliases", "entity_id"]], hide_index=True,
                 width="stretch")
