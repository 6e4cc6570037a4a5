"""Keywords: top terms, trends of chosen terms, A-vs-B distinctive terms (B defaults to the rest of the corpus)."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, state

store = data.get_store(autobuild=False)
f = state.current_filter()

st.title("Keywords")
st.caption(f"Showing: {ui.safe_markdown(data.describe(store, f))}")
if not ui.no_articles(store, f, key="kw"):
    k = st.slider("Number of keywords", 5, 50, 25, step=5, key="kw_k")
    top = st.container()

    st.subheader("Trends")
    options = [str(t) for t in data.view_data(store, "keywords", f, {"k": k})["term"]]  # the top chart's own data
    chosen = st.multiselect("Terms to follow", options, default=options[:5], key="kw_terms",
                            accept_new_options=True, placeholder="Pick or type terms")
    trends = st.container()

    st.subheader("What makes this selection distinctive")
    vs = st.radio("Compare the current filter (A) against", ["the rest of the corpus", "slice B of the Compare page"],
                  horizontal=True, key="kw_vs")
    b = state.current_filter(state.PREFIX_B) if vs.startswith("slice B") else None
    distinctive = st.container()

    ui.draw(store, f, [
        ui.Request("keywords", "kw_top", where=top, k=k),
        ui.Request("keyword_trends", "kw_trends", where=trends, needs_dates=True, terms=list(chosen) or None,
                   controls=[ui.Toggle("normalise", "Share of articles per period", "kw_norm")]),
        ui.Request("compare_terms", "kw_cmp", where=distinctive, report=False, compare=b, k=20, label_a="A (filter)",
                   label_b="B" if b is not None else "rest of corpus",
                   note="With no filter, A is the whole corpus and there is no rest to compare with: set a filter "
                        "first." if b is None and f.is_empty else None),
    ], key="kw", report="keywords")
