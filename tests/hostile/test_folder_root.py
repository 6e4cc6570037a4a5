"""Escape from NEWSLENS_FOLDER_ROOT (issue 19, item 8): with a root set, every walked file is resolved and a file
that lands outside the root (a file symlink, a symlinked folder, a glob match, the source itself) is refused and
reported with its path, never read. A link that stays inside the root is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.ingest import Article, Rejection, iter_sources
from analysis.ingest.sources import OUTSIDE_ROOT
from analysis.pipeline import BuildOptions, build

SECRET = "Secret payroll figures that must never become an article."


@pytest.fixture()
def tree(tmp_path) -> dict[str, Path]:
    root = tmp_path / "root"
    inbox = root / "inbox"
    outside = tmp_path / "outside"
    inbox.mkdir(parents=True)
    outside.mkdir()
    (inbox / "a.txt").write_text("Harbour reopens\n\nThe port of Busan reopened on Monday.", encoding="utf-8")
    secret = outside / "secret.txt"
    secret.write_text("Payroll\n\n" + SECRET, encoding="utf-8")
    secret.chmod(0o600)
    (outside / "more.txt").write_text("More\n\n" + SECRET, encoding="utf-8")
    (inbox / "leak.txt").symlink_to(secret)
    (inbox / "alias.md").symlink_to(inbox / "a.txt")  # stays inside: read
    (inbox / "dir").symlink_to(outside, target_is_directory=True)
    (inbox / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    return {"root": root, "inbox": inbox, "outside": outside, "secret": secret}


def _split(records):
    arts = [r for r in records if isinstance(r, Article)]
    rejected = {r.origin: r.reason for r in records if isinstance(r, Rejection)}
    return arts, rejected


def test_a_file_symlink_out_of_the_root_is_refused_and_reported(tree):
    arts, rejected = _split(list(iter_sources([str(tree["inbox"])], root=tree["root"])))
    assert sorted(a.id for a in arts) == ["a.txt", "alias.md"]
    assert not any(SECRET in a.text for a in arts)
    assert rejected[str(tree["inbox"] / "leak.txt")] == OUTSIDE_ROOT
    assert rejected[str(tree["inbox"] / "dangling.txt")] == OUTSIDE_ROOT
    assert "symbolic link to a folder" in rejected[str(tree["inbox"] / "dir")]
    assert str(tree["secret"]) not in " ".join(rejected)  # the report names the link, not what it points to


def test_explicit_files_globs_and_the_source_itself(tree, tmp_path):
    root, inbox = tree["root"], tree["inbox"]
    _, rejected = _split(list(iter_sources([str(inbox / "leak.txt")], root=root)))
    assert rejected == {str(inbox / "leak.txt"): OUTSIDE_ROOT}
    arts, rejected = _split(list(iter_sources([str(inbox / "*.txt")], root=root)))
    assert [a.id for a in arts] == ["a.txt"] and str(inbox / "leak.txt") in rejected
    (root / "out").symlink_to(tree["outside"], target_is_directory=True)
    assert list(iter_sources([str(root / "out")], root=root)) == [Rejection(str(root / "out"), OUTSIDE_ROOT)]
    assert list(iter_sources([str(tree["outside"])], root=root)) == [Rejection(str(tree["outside"]), OUTSIDE_ROOT)]
    (dotdot,) = iter_sources([str(inbox / ".." / ".." / "outside" / "more.txt")], root=root)
    assert dotdot.reason == OUTSIDE_ROOT


def test_the_build_summary_reports_the_refused_link(tree, tmp_path):
    store = tmp_path / "s.duckdb"
    report = build([str(tree["inbox"])], store, BuildOptions(enrich=False, topics=False, folder_root=tree["root"]))
    assert f"{tree['inbox'] / 'leak.txt'}: {OUTSIDE_ROOT}" in report.rejected
    assert f"rejected: {tree['inbox'] / 'leak.txt'}: {OUTSIDE_ROOT}" in report.summary()
    from analysis.filters import Filter
    from analysis.store import Store

    s = Store.open(store)
    assert s.count(Filter(query="payroll"))["articles"] == 0
    assert s.count(Filter())["articles"] == 1  # a.txt, and alias.md as a duplicate of it
    s.close()


def test_without_a_root_a_personal_install_follows_file_links(tree):
    arts, _ = _split(list(iter_sources([str(tree["inbox"])])))
    assert "leak.txt" in [a.id for a in arts]  # documented: no root = any file the server user can read


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads mode-600 files of anyone")
def test_an_unreadable_file_inside_the_root_is_a_clear_rejection(tree):
    locked = tree["inbox"] / "locked.txt"
    locked.write_text("x\n\ny", encoding="utf-8")
    locked.chmod(0)
    _, rejected = _split(list(iter_sources([str(locked)], root=tree["root"])))
    assert "check permissions" in rejected[str(locked)]


def test_symlinks_inside_archives_are_refused(tmp_path):
    import io
    import stat
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        link = zipfile.ZipInfo("passwd.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("ok.txt", "Harbour reopens\n\nThe port of Busan reopened.")
    (tmp_path / "links.zip").write_bytes(buf.getvalue())
    arts, rejected = _split(list(iter_sources([str(tmp_path / "links.zip")])))
    assert [a.id for a in arts] == ["links.zip!ok.txt"]
    assert rejected == {f"{tmp_path / 'links.zip'}!passwd.txt": "not a regular file (symbolic link): skipped, "
                                                                 "never followed"}
