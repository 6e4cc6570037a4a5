"""Events: dated events on lanes (by country or entity) and the table of events with their sentences."""

import streamlit as st

from dashboard import components as ui
from dashboard import data, state

store = data.get_store(autobuild=False)
f = state.current_filter()


@st.fragment
def _events_table(store, table) -> None:
    """The events as drawn; selecting a row opens its article's reader below (a fragment: only the table reruns)."""
    event = st.dataframe(table.drop(columns="uid"), key="ev_table", on_select="rerun", selection_mode="single-row",
                         hide_index=True, width="stretch",
                         column_config={c: st.column_config.DateColumn(c, format="YYYY-MM-DD") for c in ("start", "end")})
    rows = event.get("selection", {}).get("rows", []) if event is not None else []
    if rows:
        with st.container(border=True):
            ui.reader(store, int(table["uid"].iloc[rows[0]]), key="ev_reader")


st.title("Events")
st.caption(f"Showing: {ui.safe_markdown(data.describe(store, f))}. Dates here are the dates the articles *mention*, "
           "resolved to calendar days, weeks, months or years.")
if not ui.no_articles(store, f, key="ev"):
    lanes = st.radio("Lanes", ["country", "entity"], horizontal=True, key="ev_lanes",
                     format_func=lambda x: {"country": "By country", "entity": "By entity"}[x])
    unresolved_call = ("events", (f,), dict(lanes="none", resolved_only=False, unresolved_only=True, limit=3000))
    data.prefetch(store, [unresolved_call])  # the list at the bottom, fetched while the chart draws
    # the table lists the chart's sample of events: one query for both (the chart draws its 30 busiest lanes)
    frame = data.view_data(store, "events", f, {"lanes": lanes})
    if frame.empty:
        st.info("No dated events in these articles (no date expression could be resolved to the calendar, or none "
                "sits in a sentence with a " + ui.safe_markdown(lanes) + ").", icon=":material/event_busy:")
    chart, table_area, end = st.container(), st.container(), st.container()
    ui.draw(store, f, [None if frame.empty else ui.Request("events", "ev_chart", where=chart, lanes=lanes)],
            key="ev", report="events", report_where=end, report_also=["events"] if frame.empty else ())
    with table_area:
        if not frame.empty:
            total = int(frame.attrs.get("total", len(frame)))  # Store.events: the rows without the chart's limit
            st.subheader("Events")
            table = frame[["start", "end", "granularity", "expression", "lane", "title", "sentence", "uid"]]
            if lanes == "country":
                table = table.assign(lane=[state.country_label(c) for c in frame["lane_id"]])
            table = table.drop_duplicates(subset=["uid", "sentence", "expression", "start"]).reset_index(drop=True)
            st.caption(f"{len(table):,} events, as drawn above"
                       + (f": an even sample over all dates of {total:,} event mentions (narrow the filters to see "
                          "every event, or list them all with `python -m analysis events`)" if total > len(frame)
                          else "") + " · select a row to read its article")
            _events_table(store, table)
        name, args, kwargs = unresolved_call
        unresolved = data.call(store, name, *args, **kwargs)
        if not unresolved.empty:
            with st.expander(f"{len(unresolved):,} date mentions without a calendar anchor (not placed, never guessed)"):
                st.caption("Relative or partial dates (\"on Sunday\", \"in October\") in articles with no date of "
                           "their own cannot be placed on the calendar; they are kept here with their sentences.")
                st.dataframe(unresolved[["expression", "granularity", "title", "sentence"]], hide_index=True,
                             width="stretch", key="ev_unresolved")
