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
    # the distinctive-terms chart further down, with its radio as last set: prefetched while the top terms draw
    b = state.current_filter(state.PREFIX_B) if st.session_state.get("kw_vs", "").startswith("slice B") else None
    later = {} if b is None and f.is_empty else {"compare_terms": dict(
        compare=b, k=20, label_a="A (filter)", label_b="B" if b is not None else "rest of corpus")}
    data.prefetch_views(store, f, {"keywords": {"k": k}, **later})
    ui.chart_block("keywords", store, f, key="kw_top", k=k)

    st.subheader("Trends")
    top = data.view_data(store, "keywords", f, {"k": k})  # the chart's own data: one computation
    options = [str(t) for t in top["term"]]
    chosen = st.multiselect("Terms to follow", options, default=options[:5], key="kw_terms",
                            accept_new_options=True, placeholder="Pick or type terms")
    normalise = st.toggle("Share of articles per period", key="kw_norm")
    if ui.has_dated(store, f):
        ui.chart_block("keyword_trends", store, f, key="kw_trends", terms=list(chosen) or None, normalise=normalise)
    else:
        ui.no_dated_note()

    st.subheader("What makes this selection distinctive")
    vs = st.radio("Compare the current filter (A) against", ["the rest of the corpus", "slice B of the Compare page"],
                  horizontal=True, key="kw_vs")
    b = state.current_filter(state.PREFIX_B) if vs.startswith("slice B") else None
    if b is None and f.is_empty:
        st.caption("With no filter, A is the whole corpus and there is no rest to compare with: set a filter first.")
    else:
        ui.chart_block("compare_terms", store, f, key="kw_cmp", compare=b, k=20,
                       label_a="A (filter)", label_b="B" if b is not None else "rest of corpus")
    ui.report_buttons(store, f, ["keywords", "keyword_trends"], key="kw", title="keywords", k=k,
                      terms=list(chosen) or None)
