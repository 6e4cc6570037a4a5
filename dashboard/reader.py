"""The reader: one article with its entities, countries and keywords highlighted, countries with their evidence,
keyword in context, similar articles, duplicate ids and dated events. A widget (Streamlit); the text work it shows is
pure and lives in :mod:`dashboard.reading`. All article content is escaped (:func:`dashboard.text.safe_markdown`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard import data, state
from dashboard.reading import day, highlight_markdown, keyword_in_context, para_ranges, term_spans
from dashboard.text import safe_markdown


@st.fragment
def reader(store, uid: int, key: str, terms: Sequence[str] = (), show_kwic: bool = True) -> None:
    """One article: metadata, text with entities/countries/keywords highlighted, countries with evidence,
    keyword-in-context, duplicate ids, dated events. All article content is escaped. A fragment: its toggles and
    the keyword-in-context picker rerun only the reader."""
    from analysis.countries import doc_text

    art = data.article_detail(store, uid)
    if art is None:
        st.warning("This article is not in the current store version.")
        return
    title = art.get("title") or ""
    st.markdown(f"#### {safe_markdown(title or '(untitled)')}")
    meta = [day(art.get("date")), art.get("source") or "unknown source", f"id {art.get('id')}"]
    if art.get("topic_id") is not None:
        meta.append(f"topic #{art['topic_id']} {art.get('topic_label') or ''}")
    st.caption(safe_markdown(" · ".join(meta)))
    c1, c2 = st.columns(2)
    url = str(art.get("url") or "")
    if url.startswith(("http://", "https://")):  # never javascript:/data: links from untrusted input
        c1.link_button("Open original", url, icon=":material/open_in_new:")
    params = {**state.filter_to_query(state.current_filter()), "article": str(int(uid))}
    try:
        c2.page_link("app_pages/articles.py", label="Link to this article", icon=":material/link:", query_params=params)
    except StreamlitAPIException:  # the reader is shown outside the app's navigation (e.g. a test harness)
        pass

    keywords = art.get("keywords")
    has_keywords = isinstance(keywords, pd.DataFrame) and "term" in keywords
    keyword_list = [str(t) for t in keywords["term"]] if has_keywords else []
    c1, c2, c3 = st.columns(3)
    show_entities = c1.toggle("Highlight entities", True, key=f"{key}_hl_ent")
    show_keywords = c2.toggle("Highlight keywords", True, key=f"{key}_hl_kw")
    show_raw = c3.toggle("Plain text", False, key=f"{key}_raw", help="The text exactly as stored, unformatted.")

    full = doc_text(title, art.get("text") or "")
    if show_raw:
        st.text(full)
    else:
        spans: list[tuple[int, int, str]] = []
        mentions = art.get("mentions")
        if show_entities and isinstance(mentions, pd.DataFrame) and not mentions.empty:
            spans += [(int(s), int(e), str(lbl))
                      for s, e, lbl in zip(mentions["start"], mentions["end"], mentions["label"], strict=True)]
        if show_keywords:
            spans += term_spans(full, list(keyword_list) + list(terms))
        with st.container(height=420 if len(full) > 1500 else "content", border=True):
            for start, end in para_ranges(full):
                local = [(s - start, e - start, k) for s, e, k in spans if s >= start and e <= end]
                st.markdown(highlight_markdown(full[start:end], local))
        st.caption("Highlights: :blue-background[person] :violet-background[organisation] "
                   ":green-background[place] :gray-background[other] :orange-background[keyword]")

    countries = art.get("countries")
    if isinstance(countries, pd.DataFrame) and not countries.empty:
        st.markdown("**Countries** (how central, and why)")
        rows = countries.assign(
            country=[state.country_label(c) for c in countries["iso2"]],
            evidence=[", ".join(f"{e.get('text')} ({e.get('rule')})" for e in ev if isinstance(e, dict))
                      if isinstance(ev, list) else str(ev) for ev in countries["evidence"]],
        )[["country", "weight", "mentions", "dateline", "evidence"]]
        st.dataframe(rows, hide_index=True, width="stretch",
                     column_config={"weight": st.column_config.ProgressColumn("weight", min_value=0.0, max_value=1.0,
                                                                              format="%.2f")})
    if keyword_list:
        st.markdown("**Keywords:** " + safe_markdown(", ".join(keyword_list)))
        if show_kwic:
            term = st.selectbox("Keyword in context", keyword_list + [t for t in terms if t not in keyword_list],
                                key=f"{key}_kwic")
            lines = keyword_in_context(full, term) if term else []
            for left, match, right in lines:
                st.markdown(f"{safe_markdown(left)}**{safe_markdown(match)}**{safe_markdown(right)}")
            if term and not lines:
                st.caption("Not found verbatim in the text (keywords are counted on normalised words).")
    _similar_list(store, uid)
    dups = [i for i in art.get("ids", []) if i != art.get("id")]
    if dups:
        st.markdown("**Same text also under ids:** " + safe_markdown(", ".join(map(str, dups))))
    events = art.get("events")
    if isinstance(events, pd.DataFrame) and not events.empty:
        st.markdown("**Dated events in this article**")
        st.dataframe(events[["expression", "start_date", "end_date", "granularity", "resolved", "sentence"]],
                     hide_index=True, width="stretch",
                     column_config={c: st.column_config.DateColumn(c, format="YYYY-MM-DD")
                                    for c in ("start_date", "end_date")})


def _similar_list(store, uid: int, n: int = 5) -> None:
    """"Similar articles": the nearest by meaning (stored semantic vectors), each a link that opens it here."""
    similar, why = data.similar_articles(store, uid, n=n)
    st.markdown("**Similar articles**")
    if similar is None or similar.empty:
        st.caption(safe_markdown(why or "No other article to compare with."))
        return
    params = state.filter_to_query(state.current_filter())
    for row in similar.itertuples(index=False):
        text = f"{row.title or '(untitled)'} · {day(row.date)} · similarity {row.similarity:.2f}"
        try:
            st.page_link("app_pages/articles.py", label=safe_markdown(text), icon=":material/article:",
                         query_params={**params, "article": str(int(row.uid))})
        except StreamlitAPIException:  # outside the app's navigation (a test harness): the same line, unlinked
            st.markdown(safe_markdown(text))
