"""Topics: table, topic map, article map, topics over time, topic by country, representative articles."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, state

store = data.get_store(autobuild=False)
f = state.current_filter()

st.title("Topics")
st.caption(f"Showing: {ui.safe_markdown(data.describe(store, f))}")
# the page's charts, prefetched together before anything is drawn (the toggle as last set: a prefetch is a hint)
CHARTS = {"topic_map": {}, "article_map": {}, "topics_over_time": {"normalise": bool(st.session_state.get("tp_norm"))},
          "topic_country": {}}
data.prefetch_views(store, f, CHARTS)
data.prefetch(store, [("topic_article_counts", (f,), {})])
topics = data.view_data(store, "topic_map", f, {})  # the topic map's own data (terms joined): one query
topics = topics[topics["topic_id"] >= 0] if not topics.empty else topics
if topics.empty:
    st.info("This store has no topics yet. Topics are fitted during a build (`python -m analysis build FOLDER`); "
            "a corpus needs enough articles to form them.", icon=":material/category:")
elif not ui.no_articles(store, f, key="tp"):
    labels = {int(t): f"#{int(t)} {lbl}" for t, lbl in zip(topics["topic_id"], topics["label"])}
    per_topic = data.call(store, "topic_article_counts", f)
    n_articles = {t: 0 for t in labels} | {int(t): int(n) for t, n in zip(per_topic["topic_id"], per_topic["articles"])
                                           if int(t) in labels}
    order = sorted(labels, key=lambda t: (-n_articles[t], t))  # topics that are some article's main topic first
    # the representative articles at the bottom, of the topic the picker will show (as last picked, else the
    # first): prefetched while the charts draw
    shown = st.session_state.get("tp_pick") if st.session_state.get("tp_pick") in order else next(iter(order), None)
    if shown is not None and n_articles.get(shown):
        data.prefetch(store, ui.article_list_calls(f.replace(topics=(int(shown),)), key="tp_rep", page_size=10,
                                                   order="topic_weight"))
    paragraphs = data.call(store, "topic_unit") == "paragraphs"
    if paragraphs:
        st.info("This corpus is too small to group whole articles, so topics group its **paragraphs**: sizes and "
                "shares count paragraphs, and filtering by a topic finds every article with a paragraph in it.", icon=":material/notes:")

    st.dataframe(topics[["topic_id", "label", "size", "share", "terms"]], hide_index=True, width="stretch",
                 column_config={"share": st.column_config.ProgressColumn("share", min_value=0.0, max_value=1.0,
                                                                          format="%.2f")})
    c1, c2 = st.columns(2)
    with c1:
        ui.chart_block("topic_map", store, f, key="tp_map", **CHARTS["topic_map"])
    with c2:
        ui.chart_block("article_map", store, f, key="tp_amap", **CHARTS["article_map"])
    if ui.has_dated(store, f):
        CHARTS["topics_over_time"]["normalise"] = st.toggle("Share of the period's articles", key="tp_norm")
        ui.chart_block("topics_over_time", store, f, key="tp_time", **CHARTS["topics_over_time"])
    else:
        ui.no_dated_note()
    ui.chart_block("topic_country", store, f, key="tp_country", **CHARTS["topic_country"])

    st.subheader("Representative articles")
    chosen = st.selectbox("Topic", order, key="tp_pick", format_func=lambda t: (
        f"{labels[t]} ({n_articles[t]:,} article{'s' if n_articles[t] != 1 else ''})"))
    if chosen is not None and n_articles.get(chosen):
        ui.article_list(store, f.replace(topics=(int(chosen),)), key="tp_rep", page_size=10, order="topic_weight")
    elif chosen is not None:
        st.caption("No article has this as its main topic" + (" (it groups paragraphs of them)." if paragraphs else "."))
    ui.report_buttons(store, f, ["topic_bar", "topic_map", "article_map", "topics_over_time", "topic_country"],
                      key="tp", title="topics")
