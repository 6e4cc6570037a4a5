"""Data: corpus statistics, build history, and adding articles (folder path or upload) with a progress bar."""

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import components as ui
from dashboard import data


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells quoting the input (file names, titles) as text even in the table's CSV download: a leading = + - @
    would run as a formula in a spreadsheet (the same rule as analysis.export.csv_bytes)."""
    return frame.map(lambda v: "'" + v if isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r")) else v)


store = data.get_store(autobuild=False)
path = data.store_path()

st.title("Data")
st.caption(f"Store: `{path}`")

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
    st.caption(f"Dates: {span} · sources: {s['sources']:,} · store version {s['version']}")
    sources = data.call(store, "sources")
    if not sources.empty:
        with st.expander(f"Sources ({len(sources):,})"):
            st.dataframe(sources, hide_index=True, width="stretch")
    st.subheader("Build history")
    builds = data.call(store, "builds")
    if builds.empty:
        st.caption("No builds recorded.")
    else:
        def _summary(raw):
            try:
                d = json.loads(raw or "{}")
            except ValueError:
                return ""
            return (f"+{d.get('added', 0)} added, {d.get('updated', 0)} updated, {d.get('duplicates', 0)} duplicates, "
                    f"{len(d.get('rejected') or [])} rejected")

        st.dataframe(builds.assign(stats=builds["stats"].map(_summary),
                                   sources=builds["sources"].map(lambda v: ", ".join(json.loads(v or "[]")))),
                     hide_index=True, width="stretch")
else:
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
                                   help=f"At most {data.MAX_UPLOAD_FILES} files and "
                                        f"{data.MAX_UPLOAD_BYTES // 2**20} MB per build.")
        go_upload = st.button("Build from uploads", key="data_build_upload", disabled=not uploads, type="primary")
    with tab_folder:
        folder = st.text_input("Folder or file path", key="data_folder", placeholder="/path/to/articles")
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

    sources, upload_dir = None, None
    if go_upload and uploads:
        try:
            tmp = upload_dir = tempfile.mkdtemp(prefix="newslens-upload-")
            saved = data.save_uploads([(u.name, u.getvalue()) for u in uploads], tmp,
                                     max_files=data.MAX_UPLOAD_FILES, max_bytes=data.MAX_UPLOAD_BYTES)
            sources = [str(p) for p in saved]  # explicit files: unsupported ones are reported, not skipped
            st.caption(f"{len(saved)} files received.")
        except data.UploadRejected as exc:
            st.error(str(exc), icon=":material/block:")
    if go_folder and folder.strip():
        target = data.allowed_server_path(folder)
        if target is None:
            st.error(f"Only paths inside {ui.safe_markdown(str(data.folder_root()))} may be read on this server "
                     "(NEWSLENS_FOLDER_ROOT).", icon=":material/block:")
        elif not target.exists():
            st.error(f"Not found on the server: {ui.safe_markdown(str(target))}")
        else:
            sources = [str(target)]
    collect_errors: list[str] = []
    if go_feeds and feed_urls.strip():
        from analysis.collect import CollectOptions, collect

        into = Path(path).parent / "collected"
        with st.spinner("Collecting feeds"):
            collected = collect([u for u in feed_urls.splitlines() if u.strip()], into,
                                CollectOptions(pages=feed_pages, allow_private=data.collect_private_allowed()))
        collect_errors = collected.errors
        sources = [str(into)]
    if sources:
        from analysis.pipeline import BuildOptions

        try:
            report = data.build_with_progress(sources, path, title="Building",
                                              options=BuildOptions(enrich=enrich, topics=topics))
        except Exception as exc:  # noqa: BLE001 - show the reason, keep the page alive
            st.error(f"Build failed: {type(exc).__name__}: {exc}", icon=":material/error:")
            report = None
        finally:
            if upload_dir:  # the store keeps the text; the uploaded files are not needed any more
                shutil.rmtree(upload_dir, ignore_errors=True)
        if report is not None:
            # show uploads by their own names, not the server's temp folder
            def _local(text):
                return text.replace(upload_dir + "/", "") if upload_dir else text

            rejected = collect_errors + [_local(r) for r in report.rejected]
            warnings = [{**row, "examples": _local(row["examples"])} for row in report.warning_rows()]
            head = "\n".join(line for line in report.summary().splitlines()
                              if not line.startswith(("warnings:", "notes:", "  ")))
            st.session_state["data_last_build"] = {"summary": _local(report.summary()), "summary_head": _local(head),
                                                   "rejected": rejected, "warnings": warnings}
            data.clear_caches()
            st.rerun()
