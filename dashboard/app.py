"""NewsLens dashboard entry point: page config, navigation, the global sidebar. Nothing else.

Run: ``streamlit run dashboard/app.py`` (options after ``--``: ``--store PATH``, ``--read-only``).
"""

import streamlit as st

from dashboard import auth, components, data, plotly_component, startup, state
from dashboard.text import safe_markdown

startup.note_visit()  # dashboard.startup's background warm-up waits while visitors are being served
st.set_page_config(page_title="NewsLens", page_icon="📰", layout="wide")
if not auth.require_login():  # [auth] in secrets: signed-in (allowed) users only, before any data
    st.stop()

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("app_pages/keywords.py", title="Keywords", icon=":material/key:"),
    st.Page("app_pages/topics.py", title="Topics", icon=":material/category:"),
    st.Page("app_pages/entities.py", title="Entities", icon=":material/group:"),
    st.Page("app_pages/events.py", title="Events", icon=":material/event:"),
    st.Page("app_pages/articles.py", title="Articles", icon=":material/article:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/data.py", title="Data", icon=":material/database:"),
]
page = st.navigation(PAGES)
# first in the page (and hidden): the charts' plotly.js reaches the browser while the page's data is computed
plotly_component.preload()

damaged = None  # a store file DuckDB cannot read: every page but Data shows that state instead of crashing
try:
    store = data.get_store()
except data.StoreDamaged as exc:
    store, damaged = None, exc
except data.StoreError as exc:
    st.error(safe_markdown(exc), icon=":material/error:")
    store = None
try:
    state.sidebar(store)
except data.StoreDamaged as exc:  # opened, but a block the sidebar reads is damaged
    store, damaged = None, exc
st.session_state["nl_has_store"] = store is not None
if damaged is not None and page.title != "Data":
    components.damaged_store(damaged)
elif store is None and page.title != "Data":
    components.no_store()
else:
    try:
        page.run()
    except data.StoreDamaged as exc:  # found while the page read its data
        components.damaged_store(exc)
startup.note_visit()
