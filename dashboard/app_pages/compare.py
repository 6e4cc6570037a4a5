"""Compare: slice A (the sidebar filter) against slice B (edited here) — volume, keywords, topics, entities."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, state

store = data.get_store(autobuild=False)
a = state.current_filter()


def _copy_a_to_b() -> None:
    state.set_filter(state.current_filter(), state.PREFIX_B)


st.title("Compare")
left, right = st.columns(2)
with left:
    st.markdown("**Slice A** (the sidebar filters)")
    st.caption(ui.safe_markdown(data.describe(store, a)))
    label_a = st.text_input("Name of A", "A", key="cmp_label_a", max_chars=30)
with right:
    st.markdown("**Slice B**")
    with st.expander("Edit slice B", expanded=state.current_filter(state.PREFIX_B).is_empty):
        b = state.filter_widgets(store, state.PREFIX_B)
        c1, c2 = st.columns(2)
        c1.button("Copy A into B", key="cmp_copy", on_click=_copy_a_to_b, icon=":material/content_copy:")
        state.reset_button(state.PREFIX_B, container=c2, key="cmp_reset_b")
    st.caption(ui.safe_markdown(data.describe(store, b)))
    label_b = st.text_input("Name of B", "B", key="cmp_label_b", max_chars=30)
state.sync_url()
labels = dict(compare=b, label_a=label_a or "A", label_b=label_b or "B")

na, nb = data.count(store, a)["articles"], data.count(store, b)["articles"]
c1, c2 = st.columns(2)
c1.metric(f"Articles in {ui.safe_markdown(label_a)}", f"{na:,}")
c2.metric(f"Articles in {ui.safe_markdown(label_b)}", f"{nb:,}")
if a == b:
    st.info("A and B are the same filter: change slice B (or the sidebar) to see a difference.")
if na == 0 or nb == 0:
    st.warning("One slice has no articles: " + ("A" if na == 0 else "B") + " matches nothing.")
else:
    volume, terms = st.container(), st.container()
    c1, c2 = st.columns(2)
    ui.draw(store, a, [
        ui.Request("compare_volume", "cmp_vol", where=volume, needs_dates=True, **labels, controls=[
            ui.Toggle("normalise", "Normalise volume (percent of each slice's busiest period)", "cmp_norm")]),
        ui.Request("compare_terms", "cmp_terms", where=terms, k=20, **labels),
        ui.Request("compare_topics", "cmp_topics", where=c1, **labels),
        ui.Request("compare_entities", "cmp_ents", where=c2, **labels),
    ], key="cmp", report="compare")
