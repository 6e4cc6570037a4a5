"""Articles: text search, the filtered list, and the reader (entities, countries, keywords, events, duplicates)."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, state

store = data.get_store(autobuild=False)
f = state.current_filter()


def _search_changed() -> None:
    # the search box *is* the sidebar's text query: write it into slice A (the sidebar re-seeds from it)
    state.set_filter(state.current_filter().replace(query=st.session_state["art_search"]))


st.title("Articles")
st.session_state["art_search"] = f.query
st.text_input("Search", key="art_search", on_change=_search_changed, placeholder='words or "a phrase"',
              help="All words must appear in the title or text; the same as the sidebar's text filter.")
st.caption(f"Showing: {ui.safe_markdown(data.describe(store, f))}")

# deep link: /articles?article=<uid> opens that article's reader whatever the filters
raw = st.query_params.get("article")
if raw:
    try:
        linked = int(raw)
    except ValueError:
        st.warning(f"Ignored article={ui.safe_markdown(raw)}: not an article number.")
    else:
        with st.container(border=True):
            ui.reader(store, linked, key="art_linked")
            st.button("Close", key="art_close", icon=":material/close:",
                      on_click=lambda: st.query_params.pop("article", None))
if not ui.no_articles(store, f, key="art"):
    ui.article_list(store, f, key="art_list", page_size=25)
