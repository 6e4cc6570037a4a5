"""Uploads, the "Folder on the server" field and the server's address (issue 19, items 9-11).

- one upload limit: ``server.maxUploadSize`` (MB) is the number the check and the help text use;
- the temporary upload folder is removed on every path (built, rejected, failed) and visitors see their own file
  names, never the server's temporary path;
- Data-page builds run in a child process with a memory limit (``analysis.isolated``);
- with ``NEWSLENS_FOLDER_ROOT`` set, a path outside it gets the same answer as a missing path, and links inside it
  that lead outside are refused in the build; without a root the field says it is a local-only feature;
- ``./run.sh`` binds 127.0.0.1 unless ``NEWSLENS_ADDRESS`` says otherwise.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from analysis.ingest.sources import OUTSIDE_ROOT
from analysis.isolated import IsolatedBuildError, build_isolated
from analysis.pipeline import BuildOptions, build
from dashboard import data

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")
ARTICLE = b"Harbour reopens\n\nThe port of Busan reopened on Monday after the storm."


# ------------------------------------------------------------------------------------------ one limit
def test_the_upload_limit_is_one_number():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert data.upload_limit_mb() == int(config["server"]["maxUploadSize"])
    assert data.upload_limit_bytes() == data.upload_limit_mb() * 2**20


def test_the_check_uses_the_same_number_and_unit(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "upload_limit_mb", lambda: 1)
    with pytest.raises(data.UploadRejected, match=r"^1\.5 MB uploaded; at most 1 MB per build \(all files"):
        data.save_uploads([("a.txt", b"x" * (2**20 // 2)), ("b.txt", b"x" * 2**20)], tmp_path / "up")
    assert data.save_uploads([("a.txt", b"x" * 2**20)], tmp_path / "ok")  # exactly the limit is fine


# ------------------------------------------------------------------------------------------ temp folder, names
def test_the_upload_folder_is_removed_on_every_path(tmp_path):
    with data.upload_folder([("a.txt", ARTICLE)], parent=tmp_path) as (paths, names):
        assert paths[0].read_bytes() == ARTICLE and names == {str(paths[0]): "a.txt"}
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(data.UploadRejected), data.upload_folder([("a.txt", ARTICLE)] * 3, parent=tmp_path,
                                                                 max_files=2):
        pass
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError, match="build broke"), data.upload_folder([("a.txt", ARTICLE)], parent=tmp_path):
        raise RuntimeError("build broke")
    assert list(tmp_path.iterdir()) == []


def test_results_show_the_users_file_names_only(tmp_path):
    files = [("Rapport d'été 記事.txt", ARTICLE), ("../../notes.docx", b"PK\x03\x04"), ("empty.txt", b"")]
    with data.upload_folder(files, parent=tmp_path) as (paths, names):
        report = build([str(p) for p in paths], tmp_path / "s.duckdb", BuildOptions(enrich=False, topics=False))
        summary = data.user_names(report.summary(), names)
        rejected = [data.user_names(r, names) for r in report.rejected]
        error = data.user_names(f"OSError: cannot read {paths[1]}", names)
    for text in (summary, *rejected, error):
        assert "newslens-upload-" not in text and str(tmp_path) not in text, text
    assert sorted(r.split(":")[0] for r in rejected) == ["../../notes.docx", "empty.txt"]
    assert error == "OSError: cannot read ../../notes.docx"
    # the build history recorded the temporary paths (the user's names were not known to the build): hidden there
    from analysis.store import Store

    store = Store.open(tmp_path / "s.duckdb")
    shown = data.hide_upload_folders(", ".join(store.builds()["sources"].iloc[0]))
    store.close()
    assert shown == ", ".join(p.name for p in paths) and "newslens-upload-" not in shown


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def test_an_upload_build_stores_the_users_names_as_origins(tmp_path):
    """Origins, the build report, exports, the reader and the build history name the user's files; two uploads
    called a.txt keep distinct ids and origins; an archive member's origin is ``archive.zip!inner/b.txt``."""
    import json

    from analysis.filters import Filter
    from analysis.store import Store

    other = b"Rail link opens\n\nThe new rail link between Seoul and Busan opened on Tuesday."
    files = [("a.txt", ARTICLE), ("a.txt", other), ("archive.zip", _zip({"inner/b.txt": b"Ferry\n\nA ferry sailed."})),
             ("bad\u202e.docx", b"PK\x03\x04"), ("\x00", b"")]  # a bidi override and a NUL in the names
    with data.upload_folder(files, parent=tmp_path) as (paths, names):
        assert list(names.values()) == ["a.txt", "a.txt (2)", "archive.zip", "bad.docx", "upload_4"]
        report = build([str(p) for p in paths], tmp_path / "s.duckdb",
                       BuildOptions(enrich=False, topics=False, origin_names=names))
    store = Store.open(tmp_path / "s.duckdb")
    try:
        rows = store.rows("SELECT id, origin FROM articles ORDER BY id")
        assert rows == [("a.txt", "a.txt"), ("a_1.txt", "a.txt (2)"),
                        ("archive.zip!inner/b.txt", "archive.zip!inner/b.txt")]
        assert sorted(store.rows("SELECT id, origin FROM article_ids")) == rows
        assert list(store.builds()["sources"].iloc[0]) == ["a.txt", "a.txt (2)", "archive.zip", "bad.docx", "upload_4"]
        shown = [report.summary(), *report.rejected, json.dumps(report.to_dict(), default=str),
                 store.export_rows(Filter()).to_json(date_format="iso"),
                 json.dumps(store.builds().to_dict(), default=str)]
        shown += [json.dumps(store.article(uid), default=str) for uid in store.uids(Filter()).tolist()]
    finally:
        store.close()
    for text in shown:
        assert "newslens-upload-" not in text and str(tmp_path) not in text, text
    assert [r.split(":")[0] for r in report.rejected] == ["bad.docx", "upload_4"]


# ------------------------------------------------------------------------------------------ isolated builds
def test_an_isolated_build_reports_progress_and_its_summary(tmp_path):
    (tmp_path / "a.txt").write_bytes(ARTICLE)
    seen = []
    report = build_isolated([str(tmp_path / "a.txt")], tmp_path / "s.duckdb",
                            BuildOptions(enrich=False, topics=False), progress=lambda *a: seen.append(a))
    assert (report.added, report.articles, report.rejected) == (1, 1, [])
    assert ("read", 1, 1) in seen and report.summary().startswith("store version 1: 1 articles")


def test_an_isolated_build_resolves_relative_paths_like_its_parent(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a server started from another folder with a relative --store
    Path("a.txt").write_bytes(ARTICLE)
    report = build_isolated(["a.txt"], "rel.duckdb", BuildOptions(enrich=False, topics=False))
    assert report.articles == 1 and (tmp_path / "rel.duckdb").exists()


def test_an_isolated_build_over_its_memory_limit_fails_alone(tmp_path):
    (tmp_path / "a.txt").write_bytes(ARTICLE)
    with pytest.raises(IsolatedBuildError, match=r"ran out of memory \(its limit is 400 MB"):
        build_isolated([str(tmp_path / "a.txt")], tmp_path / "s.duckdb", BuildOptions(enrich=False, topics=False),
                       memory_bytes=400 * 2**20)
    assert not (tmp_path / "s.duckdb").exists()  # nothing swapped in


def test_the_memory_limit_setting(monkeypatch):
    from analysis.isolated import DEFAULT_MEMORY_BYTES, memory_limit

    monkeypatch.delenv("NEWSLENS_BUILD_MEMORY_MB", raising=False)
    assert memory_limit() == DEFAULT_MEMORY_BYTES == 4 * 2**30
    monkeypatch.setenv("NEWSLENS_BUILD_MEMORY_MB", "2048")
    assert memory_limit() == 2 * 2**30
    for bad in ("lots", "10"):
        monkeypatch.setenv("NEWSLENS_BUILD_MEMORY_MB", bad)
        with pytest.raises(IsolatedBuildError, match="NEWSLENS_BUILD_MEMORY_MB"):
            memory_limit()


# ------------------------------------------------------------------------------------------ the folder field
@pytest.fixture()
def shared(tmp_path, monkeypatch):
    root = tmp_path / "inbox"
    (root / "news").mkdir(parents=True)
    (root / "news" / "a.txt").write_bytes(ARTICLE)
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("Payroll\n\nSecret payroll figures.", encoding="utf-8")
    (outside / "tool.exe").write_bytes(b"MZ")
    (root / "news" / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "door").symlink_to(outside, target_is_directory=True)
    monkeypatch.setenv("NEWSLENS_FOLDER_ROOT", str(root))
    return root, outside


def test_outside_the_root_answers_like_missing(shared):
    root, outside = shared
    answers = {}
    for probe in (outside / "secret.txt", outside / "tool.exe", outside, root / "door", root / "door" / "secret.txt",
                  root / "news" / "leak.txt", root / ".." / "private", root / "nothing-here", Path("/etc/passwd"),
                  Path("/no/such/path"), "a\x00b"):
        target, message = data.server_source(str(probe))
        assert target is None, probe
        answers[str(probe)] = message.replace(data.safe_markdown(str(probe)), "PATH")
    assert len(set(answers.values())) == 1, answers
    assert data.server_source(str(root / "news")) == ((root / "news").resolve(), "")


def test_without_a_root_the_field_says_local_only(monkeypatch):
    monkeypatch.delenv("NEWSLENS_FOLDER_ROOT", raising=False)
    assert "local-only feature" in data.local_only_note() and "NEWSLENS_FOLDER_ROOT" in data.local_only_note()
    docs = (REPO / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    assert "local-only" in docs and "NEWSLENS_ADDRESS" in docs


def _data_page(monkeypatch, store: Path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NEWSLENS_STORE", str(store))
    monkeypatch.delenv("NEWSLENS_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_data_page_gives_one_answer_outside_the_root(monkeypatch, shared, tmp_path):
    root, outside = shared
    at = _data_page(monkeypatch, tmp_path / "none.duckdb")
    assert "inside" in at.text_input(key="data_folder").help and "NEWSLENS_FOLDER_ROOT" in \
        at.text_input(key="data_folder").help
    upload_help = next(iter(at.get("file_uploader"))).proto.help
    assert f"{data.upload_limit_mb()} MB per build" in upload_help
    shown = []
    for probe in (outside / "tool.exe", root / "missing.txt"):
        at.text_input(key="data_folder").input(str(probe)).run()
        at.button(key="data_build_folder").click().run()
        shown.append(at.error[0].value.replace(data.safe_markdown(str(probe)), "PATH"))
    assert shown[0] == shown[1]


def test_the_data_page_build_refuses_links_out_of_the_root(monkeypatch, shared, tmp_path):
    root, _ = shared
    store = tmp_path / "s.duckdb"
    at = _data_page(monkeypatch, store)
    at.text_input(key="data_folder").input(str(root / "news")).run()
    at.button(key="data_build_folder").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    last = at.session_state["data_last_build"]
    assert f"{root / 'news' / 'leak.txt'}: {OUTSIDE_ROOT}" in last["rejected"]
    assert "1 articles" in last["summary"]


# ------------------------------------------------------------------------------------------ the address
def test_run_sh_binds_loopback_unless_told():
    script = (REPO / "run.sh").read_text(encoding="utf-8")
    (line,) = [ln for ln in script.splitlines() if "dashboard.serve" in ln and "exec" in ln]
    assert '--server.address "${NEWSLENS_ADDRESS:-127.0.0.1}"' in line
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"NEWSLENS_ADDRESS=0\.0\.0\.0 \./run\.sh", readme)


def _upload_dirs() -> set[Path]:
    import tempfile

    return set(Path(tempfile.gettempdir()).glob("newslens-upload-*"))


def test_the_data_page_upload_paths_leave_no_temp_folder_and_no_server_path(monkeypatch, tmp_path):
    before = _upload_dirs()
    at = _data_page(monkeypatch, tmp_path / "up.duckdb")
    at.checkbox(key="data_enrich").uncheck()
    at.checkbox(key="data_topics").uncheck()
    # rejected: over the one limit (lowered to 1 MB here)
    monkeypatch.setattr(data, "upload_limit_mb", lambda: 1)
    at.file_uploader(key="data_upload").set_value([("big.txt", b"Big\n\n" + b"word " * 300_000, "text/plain")]).run()
    at.button(key="data_build_upload").click().run()
    assert [e.value for e in at.error] == [data.safe_markdown(
        "1.4 MB uploaded; at most 1 MB per build (all files together). Upload fewer files at a time, or build from "
        "the command line.")]
    assert _upload_dirs() == before
    # built: the summary and the rejections name the user's files, not the server's temporary folder
    monkeypatch.undo()
    monkeypatch.setenv("NEWSLENS_STORE", str(tmp_path / "up.duckdb"))
    at.file_uploader(key="data_upload").set_value([("Été 2024/rapport.txt", ARTICLE, "text/plain"),
                                                    ("notes.docx", b"PK\x03\x04", "application/octet-stream")]).run()
    at.button(key="data_build_upload").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    last = at.session_state["data_last_build"]
    assert "newslens-upload-" not in last["summary"] + " ".join(last["rejected"])
    assert last["rejected"][0].startswith("notes.docx: unsupported file type")
    assert _upload_dirs() == before
    from analysis.store import Store

    store = Store.open(tmp_path / "up.duckdb")
    assert store.rows("SELECT id, origin FROM articles") == [("rapport.txt", "Été 2024/rapport.txt")]
    store.close()


def test_a_data_page_build_over_the_memory_limit_fails_alone(monkeypatch, tmp_path):
    """The page survives a build that needs more memory than allowed: one clear error, the page still works."""
    store = tmp_path / "m.duckdb"
    before = _upload_dirs()
    at = _data_page(monkeypatch, store)
    monkeypatch.setenv("NEWSLENS_BUILD_MEMORY_MB", "300")
    at.file_uploader(key="data_upload").set_value([("a.txt", ARTICLE, "text/plain")]).run()
    at.button(key="data_build_upload").click().run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("Build failed: IsolatedBuildError\\: the build ran out of memory \\(its limit is 300 MB")
    assert not store.exists() and _upload_dirs() == before
    monkeypatch.delenv("NEWSLENS_BUILD_MEMORY_MB")
    at.button(key="data_build_upload").click().run()  # the same upload, with the default limit: built
    assert not at.error and "1 articles" in at.session_state["data_last_build"]["summary"]
