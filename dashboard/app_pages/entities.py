"""Entities: top people/organisations/places, timeline, co-occurrence network, alias table."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, state

LABELS = {"PERSON": "People", "ORG": "Organisations", "GPE": "Countries and cities", "LOC": "Other places",
          "NORP": "Groups (nationalities, religions)", "EVENT": "Events", "FAC": "Facilities"}

store = data.get_store(autobuild=False)
f = state.current_filter()

st.title("Entities")
st.caption(f"Showing: {ui.safe_markdown(data.describe(store, f))}")
if not ui.no_articles(store, f, key="en"):
    labels = st.pills("Kinds", list(LABELS), selection_mode="multi", format_func=lambda x: LABELS[x],
                      key="en_labels", help="None selected = all kinds.")
    labels = tuple(labels or ())
    top = st.slider("How many", 5, 50, 20, step=5, key="en_top")
    # the network further down (its radio as last set) and the ranking the timeline picks from, prefetched while
    # the bar chart draws
    level = st.session_state.get("en_level", "sentence")
    data.prefetch_views(store, f, {"entity_bar": dict(labels=labels, top=top),
                                   "cooccurrence": dict(level=level, top=30, labels=labels)})
    data.prefetch(store, [("entities", (f,), dict(labels=labels, limit=100))])
    ui.chart_block("entity_bar", store, f, key="en_bar", labels=labels, top=top)

    st.subheader("Over time")
    ranked = data.call(store, "entities", f, labels=labels, limit=100)
    names = dict(zip(ranked["entity_id"], ranked["name"]))
    # the picker always shows what the chart draws: picks this filter no longer offers are dropped, and with none
    # left (or none picked) the five most frequent are picked and drawn
    picked = [e for e in st.session_state.get("en_pick", []) if e in names]
    st.session_state["en_pick"] = picked or list(names)[:5]
    chosen = st.multiselect("Entities", list(names), format_func=lambda e: names.get(e, e), key="en_pick",
                            help="Empty = the five most frequent under the filter.")
    if ui.has_dated(store, f):
        ui.chart_block("entity_timeline", store, f, key="en_time", entities=list(chosen), labels=labels)
    else:
        ui.no_dated_note()

    st.subheader("Who appears with whom")
    level = st.radio("Together in the same", ["sentence", "article"], horizontal=True, key="en_level")
    ui.chart_block("cooccurrence", store, f, key="en_net", level=level, top=30, labels=labels)
    ui.report_buttons(store, f, ["entity_bar", "entity_timeline", "cooccurrence"], key="en", title="entities",
                      labels=labels, entities=list(chosen), level=level)

st.subheader("Alias table")
search = st.text_input("Search names and aliases", key="en_alias_search")
catalog = data.call(store, "entity_catalog", search.strip(), limit=500)
if catalog.empty:
    st.caption("No entities" + (" match this search." if search else " in this store."))
else:
    catalog = catalog.assign(aliases=[", ".join(a) for a in catalog["aliases"]])
    st.dataframe(catalog[["name", "label", "articles", "mentions", "aliases", "entity_id"]], hide_index=True,
                 width="stretch")
