"""Where pages are extracted: inline, a local process pool, Dask. Same records, same order, failures per page."""

from __future__ import annotations

import gzip

from analysis.ingest import iter_sources
from analysis.ingest.extractors import Extractor, Failed, Job
from tests.ingest.helpers import write
from tests.ingest.test_html import BODY, page
from tests.ingest.test_warc import make_warc


def _boom(arg):
    if arg == "bad":
        raise ValueError("odd markup")
    return arg.upper()


def _corpus(folder):
    """Pages (plain, gzipped, one not an article), a CSV file between them and a WARC file."""
    for i in range(6):
        write(folder / f"p{i}.html", page(f"<meta property='og:type' content='article'><meta property='og:title' "
                                          f"content='Tram story {i} | City Herald'><title>T {i} | City Herald"
                                          "</title>", body=BODY.replace("six", str(i + 7))))
    write(folder / "p6.html.gz", gzip.compress(page("<meta property='og:type' content='article'>").encode()))
    write(folder / "m.csv", "title,text\nA row,Some text of a row.\n")
    write(folder / "q.html", "<html><head><title>Menu</title></head><body><a href='/'>Home</a></body></html>")
    make_warc(folder / "w.warc.gz")
    return folder


def _facts(records):
    return [(type(r).__name__, getattr(r, "id", None), getattr(r, "title", None), getattr(r, "text", None),
             getattr(r, "origin", None), str(r) if type(r).__name__ == "Rejection" else "",
             [(n.kind, n.where, n.detail) for n in getattr(r, "notes", [])]) for r in records]


def test_ordered_keeps_input_order_and_turns_a_raise_into_failed():
    items = [Job(_boom, "a"), "between", Job(_boom, "bad"), Job(_boom, "c")]
    with Extractor(workers=1) as inline:
        got_inline = [r for _, r in inline.ordered(iter(items))]
    with Extractor(workers=2, min_jobs=0) as pool:
        got_pool = [r for _, r in pool.ordered(iter(items))]
        assert pool.started
    for got in (got_inline, got_pool):
        assert got[0] == "A" and got[1] == "between" and got[3] == "C"
        assert isinstance(got[2], Failed) and got[2].error == "ValueError: odd markup"


def _die(arg):
    import os

    if arg == "kill":
        os._exit(1)  # a worker killed mid-page (the OOM killer)
    return arg.upper()


def test_a_dead_pool_worker_fails_its_pages_and_the_rest_run_inline():
    items = [Job(_die, "a"), Job(_die, "kill")] + [Job(_die, c) for c in "bcdefghijk"]
    with Extractor(workers=2, min_jobs=0) as ex:
        got = [r for _, r in ex.ordered(iter(items))]
    assert len(got) == len(items)
    failed = [i for i, r in enumerate(got) if isinstance(r, Failed)]
    assert 1 in failed and all("BrokenProcessPool" in got[i].error for i in failed)
    assert got[-1] == "K" and all(r == c.upper() for r, c in zip(got[2:], "bcdefghijk", strict=True)
                                  if not isinstance(r, Failed))


def test_small_inputs_stay_inline_and_the_pool_starts_after_min_jobs():
    with Extractor(workers=2, min_jobs=3) as ex:
        out = [r for _, r in ex.ordered(iter([Job(_boom, "x")] * 3))]
        assert out == ["X"] * 3 and not ex.started
        out = [r for _, r in ex.ordered(iter([Job(_boom, "y")] * 2))]
        assert out == ["Y"] * 2 and ex.started


def test_folder_of_pages_on_a_pool_gives_the_same_records_in_order(tmp_path):
    folder = _corpus(tmp_path / "in")
    with Extractor(workers=1) as ex:
        serial = list(iter_sources([str(folder)], extractor=ex))
    with Extractor(workers=2, min_jobs=0) as ex:
        pooled = list(iter_sources([str(folder)], extractor=ex))
        assert ex.started
    assert _facts(pooled) == _facts(serial)
    kinds = [type(r).__name__ for r in serial]
    assert kinds.count("Article") >= 9 and kinds.count("Rejection") == 1  # q.html: not an article
    assert [r.id for r in serial if type(r).__name__ == "Article"][:8] == [
        "m.csv:1", "p0.html", "p1.html", "p2.html", "p3.html", "p4.html", "p5.html", "p6.html.gz"]
    assert [r.title for r in serial if getattr(r, "id", None) == "p0.html"] == ["Tram story 0"]


def test_build_with_dask_workers_extracts_pages_there_and_stores_the_same(tmp_path):
    """``build --workers 2``: the pages of the folder and of the WARC file go to a local Dask cluster; the store holds
    what a local build stores."""
    import duckdb

    from analysis.pipeline import BuildOptions, build

    folder = _corpus(tmp_path / "in")
    with Extractor(workers=1) as ex:
        serial = list(iter_sources([str(folder)], extractor=ex))
    with Extractor.for_build(BuildOptions(workers=2)) as ex:
        on_dask = list(iter_sources([str(folder)], extractor=ex))
        assert ex.remote and ex.started and ex.workers == 2
    assert _facts(on_dask) == _facts(serial)
    local = build([str(folder)], tmp_path / "a.duckdb", BuildOptions(enrich=False, topics=False))
    dask = build([str(folder)], tmp_path / "b.duckdb", BuildOptions(enrich=False, topics=False, workers=2))
    assert (dask.added, dask.rejected, dask.warnings) == (local.added, local.rejected, local.warnings)
    sql = "SELECT id, title, text, url, date FROM articles ORDER BY id"
    rows = []
    for name in ("a.duckdb", "b.duckdb"):
        con = duckdb.connect(str(tmp_path / name), read_only=True)
        rows.append(con.execute(sql).fetchall())
        con.close()
    assert rows[0] == rows[1] and len(rows[0]) == local.added


def test_dask_extractor_is_chosen_by_workers_or_scheduler():
    from analysis.pipeline import BuildOptions

    assert not Extractor.for_build(BuildOptions()).remote
    ex = Extractor.for_build(BuildOptions(workers=2))
    assert ex.remote and ex.min_jobs == 0 and not ex.started  # the cluster starts with the first page only
    assert Extractor.for_build(BuildOptions(scheduler="tcp://127.0.0.1:1")).remote


def _zip_of_pages(path):
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        for i in range(4):
            z.writestr(f"a/p{i}.html", page(f"<meta property='og:type' content='article'><meta property='og:title' "
                                            f"content='Zip story {i}'>", body=BODY.replace("six", str(i + 7))))
        z.writestr("a/bad.html", page("<meta property='og:type' content='article'>"))
        z.writestr("a/p5.html.gz", gzip.compress(page("<meta property='og:title' content='Zipped gz'>").encode()))
        z.writestr("a/rows.csv", "title,text\nA row,Some text of a row.\n")
        z.writestr("a/nav.txt", "<html><head><title>Menu</title></head><body><a href='/'>Home</a></body></html>")
    return path


def test_pages_inside_an_archive_go_to_the_extractor_in_member_order(tmp_path):
    """A zip's pages (also gzipped, or saved as .txt) are extracted on the pool like loose pages: the same records
    in member order as inline, and one progress step for the archive."""
    archive = _zip_of_pages(tmp_path / "pages.zip")
    with Extractor(workers=1) as ex:
        serial = list(iter_sources([str(archive)], extractor=ex))
    steps: list[int] = []
    with Extractor(workers=2, min_jobs=0) as ex:
        pooled = list(iter_sources([str(archive)], extractor=ex, progress=steps.append))
        assert ex.started and ex.jobs_seen == 7  # the 6 .html/.html.gz members and nav.txt (a page by content)
    assert _facts(pooled) == _facts(serial) and steps == [1]
    assert [(type(r).__name__, getattr(r, "id", None) or r.origin) for r in serial] == [
        ("Article", "pages.zip!a/p0.html"), ("Article", "pages.zip!a/p1.html"), ("Article", "pages.zip!a/p2.html"),
        ("Article", "pages.zip!a/p3.html"), ("Article", "pages.zip!a/bad.html"), ("Article", "pages.zip!a/p5.html.gz"),
        ("Article", "pages.zip!a/rows.csv:1"), ("Rejection", f"{archive}!a/nav.txt")]
    assert [r.title for r in serial[:4]] == [f"Zip story {i}" for i in range(4)]


def test_a_failing_page_in_an_archive_is_one_counted_line_naming_archive_and_member(tmp_path, monkeypatch):
    from analysis.ingest import sources
    from analysis.pipeline import BuildOptions, build

    real = sources._read_page

    def flaky(arg):
        if arg[1].endswith("bad.html"):
            raise ValueError("odd markup")
        return real(arg)

    monkeypatch.setattr(sources, "_read_page", flaky)  # the build's extractor runs 8 pages inline, in this process
    (tmp_path / "in").mkdir()
    archive = _zip_of_pages(tmp_path / "in" / "pages.zip")
    report = build([str(archive)], tmp_path / "s.duckdb", BuildOptions(enrich=False, topics=False))
    bad = [r for r in report.rejected if "bad.html" in r]
    assert bad == [f"{archive}!a/bad.html: unexpected error while reading (ValueError: odd markup); please report it "
                   "with this file"]
    assert report.added == 6  # p0-p3, p5.html.gz, the CSV row
    assert [r for r in report.rejected if "nav.txt" in r][0].startswith(f"{archive}!a/nav.txt: not an article")
