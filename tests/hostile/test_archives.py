"""Hostile archives and uploads: path traversal, decompression bombs, too many members, unknown types, and the
dashboard's server-side upload limits. Nothing may be written outside the temp dir."""

from __future__ import annotations

import io
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from analysis.ingest import ArchiveLimits, Article, Rejection, iter_sources

REPO = Path(__file__).resolve().parents[2]
ARTICLE = b"Harbour reopens\nThe port of Busan reopened on Monday after the storm."


def _zip(members: list[tuple[str, bytes]], deflate: bool = True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def _tar(members: list[tuple[str, bytes]], gz: bool = True, symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo(symlink)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tf.addfile(info)
    return buf.getvalue()


def _snapshot(*folders: Path) -> set[Path]:
    return {p for f in folders for p in f.rglob("*")}


def _read(tmp_path: Path, name: str, data: bytes, limits: ArchiveLimits | None = None) -> list:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    path = work / name
    path.write_bytes(data)
    before = _snapshot(tmp_path) | set(Path.cwd().iterdir())
    records = list(iter_sources([str(path)], limits=limits))
    assert _snapshot(tmp_path) | set(Path.cwd().iterdir()) == before, "reading an archive wrote files"
    for r in records:
        assert isinstance(r, (Article, Rejection))
        if isinstance(r, Rejection):
            assert name in r.origin
    return records


TRAVERSAL = ["../evil.txt", "../../../../tmp/evil.txt", "/etc/evil.txt", "a/../../evil.txt", "..\\evil.txt",
             "C:/Windows/evil.txt", "C:\\evil.txt"]


@pytest.mark.parametrize("kind", ["zip", "tar.gz", "tar"])
def test_path_traversal_members_are_rejected_and_safe_ones_read(tmp_path, kind):
    members = [(n, ARTICLE) for n in TRAVERSAL] + [("ok/fine.txt", ARTICLE)]
    data = _zip(members) if kind == "zip" else _tar(members, gz=kind == "tar.gz")
    records = _read(tmp_path, f"up.{kind}", data)
    arts = [r for r in records if isinstance(r, Article)]
    rejections = [r for r in records if isinstance(r, Rejection)]
    assert [a.id for a in arts] == [f"up.{kind}!ok/fine.txt"]
    assert all("unsafe member path" in r.reason for r in rejections)
    # tar normalises nothing, zip strips a leading "/" from names on write; either way each bad name is refused
    assert len(rejections) >= len(TRAVERSAL) - 1
    assert not any(Path(p).exists() for p in ("/tmp/evil.txt", "/etc/evil.txt", tmp_path / "evil.txt"))


def test_tar_links_are_not_followed(tmp_path):
    records = _read(tmp_path, "links.tar", _tar([("a.txt", ARTICLE)], gz=False, symlink="passwd.txt"))
    assert [type(r).__name__ for r in records] == ["Article", "Rejection"]
    assert "not a regular file" in records[1].reason
    assert "root:" not in records[0].text


def test_zip_bomb_over_the_total_limit(tmp_path):
    data = _zip([("big.txt", b"Title\n" + b"\0" * 5_000_000)])
    assert len(data) < 10_000
    (rej,) = _read(tmp_path, "bomb.zip", data, ArchiveLimits(max_total_bytes=1_000_000))
    assert isinstance(rej, Rejection) and "more than the limit of 1,000,000" in rej.reason


def test_zip_bomb_by_ratio(tmp_path):
    data = _zip([("big.txt", b"Title\n" + b"a" * 3_000_000), ("small.txt", ARTICLE)])
    records = _read(tmp_path, "ratio.zip", data, ArchiveLimits(ratio_floor=100_000, max_ratio=50))
    assert "decompression bomb" in records[0].reason
    assert [r.id for r in records if isinstance(r, Article)] == ["ratio.zip!small.txt"]


def test_tar_bomb_stops_reading(tmp_path):
    data = _tar([(f"m{i}.txt", b"Title\n" + b"\0" * 1_000_000) for i in range(5)])
    records = _read(tmp_path, "bomb.tgz", data, ArchiveLimits(max_total_bytes=2_500_000))
    assert isinstance(records[-1], Rejection) and "exceeds the limit" in records[-1].reason
    assert len(records) <= 3


def test_zip_member_lying_about_its_size_is_cut_off(tmp_path):
    data = bytearray(_zip([("liar.txt", b"Title\n" + b"x" * 200_000)], deflate=True))
    # shrink the declared uncompressed size in the central directory to 1,000 bytes
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (1000).to_bytes(4, "little")
    lh = data.find(b"PK\x03\x04")
    data[lh + 22:lh + 26] = (1000).to_bytes(4, "little")
    records = _read(tmp_path, "liar.zip", bytes(data))
    assert all(isinstance(r, Rejection) for r in records) and records
    assert not any(isinstance(r, Article) and len(r.text) > 1000 for r in records)


def test_too_many_members(tmp_path):
    members = [(f"a{i}.txt", ARTICLE) for i in range(60)]
    for name, data in (("many.zip", _zip(members)), ("many.tgz", _tar(members))):
        records = _read(tmp_path, name, data, ArchiveLimits(max_members=50))
        assert any(isinstance(r, Rejection) and "members" in r.reason and "50" in r.reason for r in records), name
        assert sum(isinstance(r, Article) for r in records) <= 50


def test_nested_archives_beyond_the_depth_limit(tmp_path):
    inner = _zip([("x.txt", ARTICLE)])
    middle = _zip([("inner.zip", inner)])
    outer = _zip([("middle.zip", middle)])
    records = _read(tmp_path, "outer.zip", outer)
    assert [type(r).__name__ for r in records] == ["Rejection"]
    assert "nested" in records[0].reason


def test_unknown_file_type_given_explicitly_is_rejected(tmp_path):
    for name in ("tool.exe", "doc.docx", "noext", "image.png"):
        (rej,) = _read(tmp_path, name, b"MZ\x90\x00 binary")
        assert isinstance(rej, Rejection) and "unsupported file type" in rej.reason


def test_archive_with_only_unsupported_members_is_reported(tmp_path):
    records = _read(tmp_path, "docs.zip", _zip([("a.docx", b"PK..."), ("b.exe", b"MZ")]))
    assert records and all(isinstance(r, Rejection) for r in records)


# -------------------------------------------------------------------------------------------- dashboard uploads

def test_streamlit_config_caps_uploads_and_keeps_xsrf():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert 0 < int(config["server"]["maxUploadSize"]) <= 200
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["browser"]["gatherUsageStats"] is False


HOSTILE_NAMES = ["../../etc/passwd", "/etc/shadow", "..", ".", "", ".bashrc", "a/../../b.txt", "..\\..\\win.ini",
                 "x\x00y.txt", "con", "a" * 500 + ".txt", "naïve 記事.txt", "same.txt", "same.txt", "~/.ssh/id_rsa",
                 "$(rm -rf ~).txt", "<script>.txt"]


def test_save_uploads_keeps_every_file_inside_the_folder(tmp_path):
    from dashboard.data import save_uploads

    folder = tmp_path / "up"
    outside_before = _snapshot(tmp_path) | {p for p in tmp_path.parent.iterdir()}
    paths = save_uploads([(n, b"Title\ntext") for n in HOSTILE_NAMES], folder)
    assert len(paths) == len(set(paths)) == len(HOSTILE_NAMES)
    for p in paths:
        assert p.parent == folder.resolve() and not p.name.startswith(".") and len(p.name) <= 130, p
        assert "\x00" not in p.name and "/" not in p.name
    created = (_snapshot(tmp_path) | {p for p in tmp_path.parent.iterdir()}) - outside_before
    assert all(folder in p.parents or p == folder for p in created), created


def test_save_uploads_enforces_count_and_total_size_before_writing(tmp_path):
    from dashboard.data import UploadRejected, save_uploads

    folder = tmp_path / "up"
    with pytest.raises(UploadRejected, match="at most 3"):
        save_uploads([(f"{i}.txt", b"x") for i in range(4)], folder, max_files=3)
    with pytest.raises(UploadRejected, match="MB uploaded"):
        save_uploads([("a.txt", b"x" * 600), ("b.txt", b"x" * 600)], folder, max_bytes=1000)
    assert not folder.exists() or not any(folder.iterdir())


def test_uploaded_hostile_archive_end_to_end(tmp_path):
    """An uploaded zip with traversal members and a bomb: saved under a safe name, read with clear rejections."""
    from dashboard.data import save_uploads

    folder = tmp_path / "up"
    bomb = _zip([("../../evil.txt", ARTICLE), ("big.txt", b"T\n" + b"\0" * 3_000_000), ("ok.txt", ARTICLE)])
    (path,) = save_uploads([("../../../x.zip", bomb)], folder)
    before = _snapshot(tmp_path)
    records = list(iter_sources([str(path)], limits=ArchiveLimits(ratio_floor=100_000, max_ratio=50)))
    assert _snapshot(tmp_path) == before
    reasons = " | ".join(r.reason for r in records if isinstance(r, Rejection))
    assert "unsafe member path" in reasons and "decompression bomb" in reasons
    assert [r.id for r in records if isinstance(r, Article)] == ["x.zip!ok.txt"]
