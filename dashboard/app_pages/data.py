"""Data: corpus statistics, build history, and adding articles (folder path or upload) with a progress bar."""

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import components as ui
from dashboard import data


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells quoting the input (file names, titles) made formula-safe by the CSV writer's own rule, in case the
    table is pasted into a spreadsheet."""
    from analysis.export import neutralise_cell

    return frame.map(neutralise_cell)


damaged = None
try:
    store = data.get_store(autobuild=False)
    if store is not None:  # read what this page shows first: a damaged file shows as that, not as a crash
        data.stats(store), data.call(store, "sources"), data.call(store, "builds")
except data.StoreDamaged as exc:
    store, damaged = None, exc
path = data.store_path()

st.title("Data")
st.caption(f"Store: {ui.safe_markdown(path)}")

if damaged is not None:
    st.error(ui.safe_markdown(str(damaged)), icon=":material/report:")
ui.repair_store(damaged)

if store is not None:
    s = data.stats(store)
    c = st.columns(4)
    c[0].metric("Articles", f"{s['articles']:,}")
    c[1].metric("Unique stories", f"{s['stories']:,}")
    c[2].metric("Duplicate inputs", f"{s['duplicates']:,}", help="Input ids whose text was already in the store.")
    c[3].metric("Undated", f"{s['undated']:,}")
    c = st.columns(4)
    c[0].metric("Words", f"{s['words']:,}")
    c[1].metric("Entities", f"{s['entities']:,}")
    c[2].metric("Topics", f"{s['topics']:,}")
    c[3].metric("Dated events", f"{s['events']:,}")
    span = f"{s['first_date']} to {s['last_date']}" if s["first_date"] else "no dated articles"
    st.caption(f"Dates: {ui.safe_markdown(span)} · sources: {s['sources']:,} · store version {int(s['version'])}")
    sources = data.call(store, "sources")
    if not sources.empty:
        with st.expander(f"Sources ({len(sources):,})"):
            st.dataframe(sources, hide_index=True, width="stretch")
    boilerplate = data.call(store, "boilerplate")
    if not boilerplate.empty:
        with st.expander(f"Boilerplate learned per source ({len(boilerplate):,} paragraphs)"):
            st.caption("Left out of the analysed text of articles added after it was learned (raw text keeps it). "
                       "Change with `python -m analysis boilerplate --source S --keep TEXT` (or `--drop`).")
            st.dataframe(neutralise_frame(boilerplate), hide_index=True, width="stretch")
    st.subheader("Build history")
    builds = data.call(store, "builds")
    if builds.empty:
        st.caption("No builds recorded.")
    else:
        def _summary(d):
            return (f"+{d.get('added', 0)} added, {d.get('updated', 0)} updated, {d.get('duplicates', 0)} duplicates, "
                    f"{len(d.get('rejected') or [])} rejected")

        st.dataframe(builds.assign(stats=builds["stats"].map(_summary),
                                   sources=builds["sources"].map(
                                       lambda v: data.hide_upload_folders(", ".join(v)))),
                     hide_index=True, width="stretch")
elif damaged is None:
    st.info("No store yet: add articles below.")

st.subheader("Add articles")
last = st.session_state.get("data_last_build")
if last:
    # Escaped: the summary quotes file names from the input, which must never render as Markdown.
    st.success(ui.safe_markdown(last.get("summary_head", last["summary"])))
    if last.get("warnings"):
        n_warn = sum(r["count"] for r in last["warnings"] if r["severity"] == "warning")
        with st.expander(f"{n_warn:,} repairs, guesses or cuts ({len(last['warnings'])} kinds) and what to do",
                         expanded=n_warn > 0):
            # a table: cells are never rendered as Markdown, and its CSV download is off
            st.dataframe(neutralise_frame(pd.DataFrame(last["warnings"])), hide_index=True, width="stretch")
    if last["rejected"]:
        with st.expander(f"{len(last['rejected'])} inputs rejected", expanded=True):
            st.dataframe(neutralise_frame(pd.DataFrame({"input and reason": last["rejected"]})), hide_index=True,
                         width="stretch")

if data.read_only():
    st.info("Read-only mode: adding articles and building are disabled on this server.", icon=":material/lock:")
else:
    st.caption("Formats: .txt/.md (one article per file), .csv/.tsv, .json/.jsonl, .parquet, Reuters .sgm, saved "
               ".html pages, .warc/.warc.gz crawls, .rss/.atom feeds, and .zip/.tar.gz archives of those. Existing articles are kept; only new or changed ones are processed.")
    tab_upload, tab_folder, tab_feeds = st.tabs(["Upload files", "Folder on the server", "Feed URLs"])
    with tab_upload:
        uploads = st.file_uploader("Files", accept_multiple_files=True, key="data_upload",
                                   help=f"At most {data.MAX_UPLOAD_FILES:d} files and {data.upload_limit_mb():d} MB "
                                        "per build (all files together; a larger file is refused before it is sent).")
        go_upload = st.button("Build from uploads", key="data_build_upload", disabled=not uploads, type="primary")
    with tab_folder:
        folder = st.text_input("Folder or file path", key="data_folder", placeholder="/path/to/articles",
                               help=data.local_only_note())
        go_folder = st.button("Build from folder", key="data_build_folder", disabled=not folder.strip(), type="primary")
    with tab_feeds:
        feed_urls = st.text_area("RSS/Atom feed or page URLs, one per line", key="data_feed_urls",
                                 placeholder="https://example.org/rss.xml")
        feed_pages = st.checkbox("Also fetch the article pages the feeds link to", False, key="data_feed_pages")
        go_feeds = st.button("Collect and build", key="data_build_feeds", disabled=not feed_urls.strip(),
                             type="primary", help="Saved next to the store (collected/), fetched politely; a re-run "
                                                  "fetches only what changed.")
    c1, c2 = st.columns(2)
    enrich = c1.checkbox("Named entities, countries and events", True, key="data_enrich",
                         help="The slow step (spaCy NER); without it only keywords and topics are computed.")
    topics = c2.checkbox("Topics", True, key="data_topics")

    def run_build(sources: list[str], names: dict[str, str], folder_root=None, extra_rejected=()) -> None:
        """Build in a memory-limited child; the result box shows the user's own file names, never server paths."""
        from analysis.pipeline import BuildOptions

        options = BuildOptions(enrich=enrich, topics=topics, folder_root=folder_root, origin_names=names or None)
        try:
            report = data.build_with_progress(sources, path, title="Building", options=options, isolated=True)
        except Exception as exc:  # noqa: BLE001 - show the reason, keep the page alive
            st.error(f"Build failed: {ui.safe_markdown(data.user_names(f'{type(exc).__name__}: {exc}', names))}",
                     icon=":material/error:")
            return
        head = "\n".join(line for line in report.summary().splitlines()
                          if not line.startswith(("warnings:", "notes:", "  ")))
        st.session_state["data_last_build"] = {
            "summary": data.user_names(report.summary(), names), "summary_head": data.user_names(head, names),
            "rejected": list(extra_rejected) + [data.user_names(r, names) for r in report.rejected],
            "warnings": [{**row, "examples": data.user_names(row["examples"], names)} for row in report.warning_rows()]}
        data.clear_caches()
        st.rerun()

    if go_upload and uploads:
        try:
            # the temporary folder is removed on every path out (built, rejected, failed); the store keeps the text
            with data.upload_folder([(u.name, u.getvalue()) for u in uploads]) as (saved, names):
                st.caption(f"{len(saved):,} files received.")
                run_build([str(p) for p in saved], names)  # explicit files: unsupported ones are reported
        except data.UploadRejected as exc:
            st.error(ui.safe_markdown(exc), icon=":material/block:")
    if go_folder and folder.strip():
        target, problem_md = data.server_source(folder)
        if target is None:
            st.error(problem_md, icon=":material/block:")
        else:
            run_build([str(target)], {}, folder_root=data.folder_root())
    if go_feeds and feed_urls.strip():
        from analysis.collect import CollectOptions, collect

        into = Path(path).parent / "collected"
        with st.spinner("Collecting feeds"):
            collected = collect([u for u in feed_urls.splitlines() if u.strip()], into,
                                CollectOptions(pages=feed_pages, allow_private=data.collect_private_allowed()))
        run_build([str(into)], {}, extra_rejected=collected.errors)
