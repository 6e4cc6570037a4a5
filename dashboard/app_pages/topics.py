"""Topics: table, topic map, article map, topics over time, topic by country, representative articles."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, state

store = data.get_store(autobuild=False)
f = state.current_filter()

st.title("Topics")
st.caption(f"Showing: {ui.safe_markdown(data.describe(store, f))}")
data.prefetch(store, [("topic_article_counts", (f,), {})])  # the picker's counts, fetched while the topics load
topics = data.view_data(store, "topic_map", f, {})  # the topic map's own data (terms joined): one query
topics = topics[topics["topic_id"] >= 0] if not topics.empty else topics
if topics.empty:
    st.info("This store has no topics yet. Topics are fitted during a build (`python -m analysis build FOLDER`); "
            "a corpus needs enough articles to form them.", icon=":material/category:")
elif not ui.no_articles(store, f, key="tp"):
    labels = {int(t): f"#{int(t)} {lbl}" for t, lbl in zip(topics["topic_id"], topics["label"], strict=True)}
    per_topic = data.call(store, "topic_article_counts", f)
    n_articles = {t: 0 for t in labels} | {int(t): int(n) for t, n in zip(per_topic["topic_id"], per_topic["articles"],
                                                                          strict=True) if int(t) in labels}
    order = sorted(labels, key=lambda t: (-n_articles[t], t))  # topics that are some article's main topic first
    paragraphs = data.call(store, "topic_unit") == "paragraphs"
    if paragraphs:
        st.info("This corpus is too small to group whole articles, so topics group its **paragraphs**: sizes and "
                "shares count paragraphs, and filtering by a topic finds every article with a paragraph in it.",
                icon=":material/notes:")

    st.dataframe(topics[["topic_id", "label", "size", "share", "terms"]], hide_index=True, width="stretch",
                 column_config={"share": st.column_config.ProgressColumn("share", min_value=0.0, max_value=1.0,
                                                                          format="%.2f")})
    c1, c2 = st.columns(2)
    over_time, by_country = st.container(), st.container()

    st.subheader("Representative articles")
    chosen = st.selectbox("Topic", order, key="tp_pick", format_func=lambda t: (
        f"{labels[t]} ({n_articles[t]:,} article{'s' if n_articles[t] != 1 else ''})"))
    representative = f.replace(topics=(int(chosen),)) if chosen is not None and n_articles.get(chosen) else None
    listed, end = st.container(), st.container()

    ui.draw(store, f, [
        ui.Request("topic_map", "tp_map", where=c1),
        ui.Request("article_map", "tp_amap", where=c2),
        ui.Request("topics_over_time", "tp_time", where=over_time, needs_dates=True,
                   controls=[ui.Toggle("normalise", "Share of the period's articles", "tp_norm")]),
        ui.Request("topic_country", "tp_country", where=by_country),
    ], key="tp", report="topics", report_also=["topic_bar"], report_where=end,
        also=ui.article_list_calls(representative, key="tp_rep", page_size=10, order="topic_weight")
        if representative is not None else ())
    with listed:
        if representative is not None:
            ui.article_list(store, representative, key="tp_rep", page_size=10, order="topic_weight")
        elif chosen is not None:
            st.caption("No article has this as its main topic"
                       + (" (it groups paragraphs of them)." if paragraphs else "."))
