"""Raw-page benchmark: NewsLens's HTML/WARC reading against trafilatura ``extract()`` and htmldate ``find_date`` on the
same pages, in one run.

    PYTHONPATH=. .venv/bin/python bench/bench_html.py             # all figures (~3-4 min on 2 cores)
    PYTHONPATH=. .venv/bin/python bench/bench_html.py --no-warc-gb # skip the 1 GB WARC build
    PYTHONPATH=. .venv/bin/python bench/bench_html.py --profile 100 [--thorough]  # where a page's CPU goes

Corpora: ``../shared/corpora/scraped`` (see its README for the gold). Figures:

- body token F1 (multisets of lower-case ``\\w+`` tokens of the text NewsLens analyses vs the gold body, averaged
  over pages) on ``html/aeb`` and ``html/fundus``; trafilatura ``extract(html, url=url)`` beside it;
- publication-date accuracy (same day) on the 708 dated pages of ``html/bbaw`` + ``html/mediacloud_dates``;
  htmldate ``find_date(html, url=url)`` beside it (a page NewsLens rejects, or leaves undated, counts as wrong);
- title accuracy (exact, after whitespace, case and format-character normalisation) on ``html/fundus`` and through
  ``warc/news_fundus_reconstructed.warc.gz``, and on the ``html/bbaw`` pages with a gold title, dated (396) and
  undated (204, outside every other figure) (other sites: checks against over-fitting fundus); trafilatura's
  ``extract_metadata`` title beside them; language accuracy
  where the gold has it (``html/newspaper4k``);
- pages/s of HTML extraction (``read_html``) over all pages with a process pool of 2, back to back: before
  (``thorough=True``: trafilatura's comparison with readability/jusText and htmldate's extensive search on every
  page), now (comparison only on a doubtful extraction, extensive search only without a metadata date) and
  trafilatura ``extract`` + htmldate ``find_date``; CPU seconds per page of each pool's workers and the load average
  next to each; body F1 and date accuracy of the "before" run beside the figures above; and pages/s through the
  build's own path (``iter_sources`` over the same files with its default extractor);
- peak memory (max RSS) of ``analysis build`` of a ~1 GB WARC made from the fundus pages in /tmp (deleted after).

Goals (issue 14): F1 >= trafilatura's, date accuracy >= htmldate's, title and language >= 0.95, >= 50 pages/s,
WARC build peak < 1 GB.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRAPED = ROOT.parent / "shared" / "corpora" / "scraped"
_RE_TOKEN = re.compile(r"\w+")


def token_f1(predicted: str | None, gold: str | None) -> float:
    """F1 of the multisets of lower-case ``\\w+`` tokens."""
    p = collections.Counter(_RE_TOKEN.findall((predicted or "").lower()))
    g = collections.Counter(_RE_TOKEN.findall((gold or "").lower()))
    if not p and not g:
        return 1.0
    common = sum((p & g).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def norm_title(title: str | None) -> str:
    """Whitespace collapsed, case folded, invisible format characters (soft hyphens, zero-width spaces) removed:
    ingest removes those from every title, and a gold title may hold them ("Helikopter\u00adlandeplatz")."""
    from analysis.ingest.invisible import strip_format_chars

    return " ".join((strip_format_chars(title or "")[0] or "").split()).casefold()


def gold_rows(name: str) -> list[dict]:
    with open(SCRAPED / "html" / name / "gold.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def page_bytes(name: str, row: dict) -> bytes:
    return gzip.decompress((SCRAPED / "html" / name / row["file"]).read_bytes())


def newslens_page(args: tuple[str, bytes, str | None], thorough: bool = False) -> dict:
    """What NewsLens stores for one page: text, title, date (ISO), language; or the rejection. ``compared``: whether
    trafilatura's comparison with readability/jusText ran on the page (the doubtful-result rule)."""
    from analysis.ingest import html
    from analysis.ingest.readers import Src

    name, data, url = args
    seen: list = []
    original = html.extract_page

    def spy(*a, **k):
        page = original(*a, **k)
        seen.append(page.compared)
        return page

    html.extract_page = spy
    try:
        (rec,) = list(html.read_html(data, Src(name, name), url=url, thorough=thorough))
    finally:
        html.extract_page = original
    compared = seen[0] if seen else None
    if not hasattr(rec, "text"):
        return {"rejected": rec.reason, "compared": compared}
    return {"text": rec.text, "title": rec.title, "date": rec.date.isoformat() if rec.date else None,
            "language": rec.language, "compared": compared}


def newslens_page_thorough(args: tuple[str, bytes, str | None]) -> dict:
    """:func:`newslens_page` as before the doubtful-result rule: trafilatura's comparison on every page and
    htmldate's extensive search on every page (``read_html(thorough=True)``)."""
    return newslens_page(args, thorough=True)


def baseline_page(args: tuple[str, bytes, str | None]) -> dict:
    import trafilatura
    from htmldate import find_date

    _name, data, url = args
    return {"text": trafilatura.extract(data, url=url), "date": find_date(data, url=url)}


def trafilatura_title(args: tuple[str, bytes, str | None]) -> str | None:
    import trafilatura

    _name, data, url = args
    meta = trafilatura.extract_metadata(data, default_url=url)
    return meta.title if meta is not None else None


def build_path_rate(jobs: list) -> dict:
    """Pages/s of the build's own reading path: ``iter_sources`` over the page files with its default extractor
    (a pool of one process per core, started after the first pages), pool start included."""
    from analysis.ingest import iter_sources

    files = [str(SCRAPED / "html" / name.split("/", 1)[0] / name.split("/", 1)[1]) for name, _d, _u in jobs]
    t0 = time.perf_counter()
    n = sum(1 for _ in iter_sources(files))
    seconds = time.perf_counter() - t0
    return {"build_path_pages": len(files), "build_path_records": n, "build_path_pages_per_s": len(files) / seconds}


def run_pool(fn, jobs: list, workers: int, figures: dict | None = None, key: str = "") -> tuple[list[dict], float]:
    """``fn`` over ``jobs`` on a pool of ``workers`` processes: results and wall seconds (pool start included).
    With ``figures``: also ``{key}_cpu_s_per_page`` (CPU seconds of the workers, start and imports included, per
    page) and ``{key}_load`` (the 1-minute load average before and after)."""
    import resource

    load0 = os.getloadavg()[0]
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        out = list(pool.map(fn, jobs, chunksize=4))
    seconds = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers are joined (reaped) by now
    if figures is not None:
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        figures[f"{key}_cpu_s_per_page"] = cpu / max(len(jobs), 1)
        figures[f"{key}_load"] = (load0, os.getloadavg()[0])
    return out, seconds


def same_day(found: str | None, gold: str | None) -> bool:
    return bool(found and gold and str(found)[:10] == str(gold)[:10])


def bench_pages(workers: int) -> dict:
    results: dict = {}
    all_jobs: dict[str, list] = {}
    golds: dict[str, list[dict]] = {}
    for name in ("aeb", "fundus", "bbaw", "mediacloud_dates", "newspaper4k"):
        rows = gold_rows(name)
        if name == "bbaw":
            rows = [r for r in rows if r.get("date_published")]
        golds[name] = rows
        all_jobs[name] = [(f"{name}/{r['file']}", page_bytes(name, r), r.get("url")) for r in rows]
    flat = [j for jobs in all_jobs.values() for j in jobs]
    # Back to back on the same pages: before (comparison and extensive date search on every page), now, baseline.
    thorough_flat, thorough_seconds = run_pool(newslens_page_thorough, flat, workers, results, "thorough")
    ours_flat, seconds = run_pool(newslens_page, flat, workers, results, "ours")
    base_flat, base_seconds = run_pool(baseline_page, flat, workers, results, "baseline")
    results["pages"] = len(flat)
    results["pages_per_s"] = len(flat) / seconds
    results["thorough_pages_per_s"] = len(flat) / thorough_seconds
    results["baseline_pages_per_s"] = len(flat) / base_seconds
    ours, base, thorough, i = {}, {}, {}, 0
    for name, jobs in all_jobs.items():
        ours[name], base[name] = ours_flat[i:i + len(jobs)], base_flat[i:i + len(jobs)]
        thorough[name] = thorough_flat[i:i + len(jobs)]
        i += len(jobs)
    results["compared_share"] = {name: sum(bool(o.get("compared")) for o in ours[name]) / len(ours[name])
                                 for name in ours}
    for name in ("aeb", "fundus"):
        rows = golds[name]
        results[f"f1_{name}"] = sum(token_f1(o.get("text"), r["body_text"]) for o, r in zip(ours[name], rows, strict=True)) / len(rows)
        results[f"f1_{name}_thorough"] = sum(token_f1(o.get("text"), r["body_text"])
                                             for o, r in zip(thorough[name], rows, strict=True)) / len(rows)
        results[f"f1_{name}_trafilatura"] = sum(token_f1(b["text"], r["body_text"])
                                               for b, r in zip(base[name], rows, strict=True)) / len(rows)
        results[f"rejected_{name}"] = [o["rejected"] for o in ours[name] if "rejected" in o]
    dated = [(o, b, r) for name in ("bbaw", "mediacloud_dates") for o, b, r in zip(ours[name], base[name], golds[name], strict=True)]
    results["dated_pages"] = len(dated)
    results["date_accuracy"] = sum(same_day(o.get("date"), r["date_published"]) for o, _b, r in dated) / len(dated)
    thorough_dated = [t for name in ("bbaw", "mediacloud_dates") for t in thorough[name]]
    results["date_accuracy_thorough"] = sum(same_day(t.get("date"), r["date_published"])
                                            for t, (_o, _b, r) in zip(thorough_dated, dated, strict=True)) / len(dated)
    results["date_accuracy_htmldate"] = sum(same_day(b["date"], r["date_published"]) for _o, b, r in dated) / len(dated)
    fundus = list(zip(ours["fundus"], golds["fundus"], strict=True))
    results["title_accuracy_fundus"] = sum(norm_title(o.get("title")) == norm_title(r["title"])
                                           for o, r in fundus) / len(fundus)
    results["title_misses_fundus"] = [(r["id"], o.get("title"), r["title"]) for o, r in fundus
                                      if norm_title(o.get("title")) != norm_title(r["title"])][:10]
    titled = [(j, o, r) for name in ("fundus", "bbaw") for j, o, r in zip(all_jobs[name], ours[name], golds[name],
                                                                           strict=True) if r.get("title")]
    traf_titles, _ = run_pool(trafilatura_title, [j for j, _o, _r in titled], workers)
    for name in ("fundus", "bbaw"):
        rows = [(o, t, r) for (j, o, r), t in zip(titled, traf_titles, strict=True) if j[0].startswith(name + "/")]
        results[f"title_pages_{name}"] = len(rows)
        results[f"title_accuracy_{name}"] = sum(norm_title(o.get("title")) == norm_title(r["title"])
                                                for o, _t, r in rows) / len(rows)
        results[f"title_accuracy_{name}_trafilatura"] = sum(norm_title(t) == norm_title(r["title"])
                                                            for _o, t, r in rows) / len(rows)
    # The bbaw pages with a gold title but no gold date: outside every figure above (and not looked at while the
    # title rules were written), so a second check against over-fitting, on other sites again.
    undated = [r for r in gold_rows("bbaw") if r.get("title") and not r.get("date_published")]
    jobs = [(f"bbaw/{r['file']}", page_bytes("bbaw", r), r.get("url")) for r in undated]
    outs, _ = run_pool(newslens_page, jobs, workers)
    traf_undated, _ = run_pool(trafilatura_title, jobs, workers)
    results["title_pages_bbaw_undated"] = len(undated)
    results["title_accuracy_bbaw_undated"] = sum(norm_title(o.get("title")) == norm_title(r["title"])
                                                 for o, r in zip(outs, undated, strict=True)) / len(undated)
    results["title_accuracy_bbaw_undated_trafilatura"] = sum(norm_title(t) == norm_title(r["title"]) for t, r
                                                             in zip(traf_undated, undated, strict=True)) / len(undated)
    results.update(build_path_rate(flat))
    langs = [(o, r) for o, r in zip(ours["newspaper4k"], golds["newspaper4k"], strict=True) if r.get("lang")]
    results["language_pages"] = len(langs)
    results["language_accuracy"] = sum(o.get("language") == r["lang"][:2] for o, r in langs) / max(len(langs), 1)
    return results


def bench_warc_titles() -> dict:
    """Title accuracy through the reconstructed fundus WARC (records mapped to their fundus gold)."""
    from analysis.ingest.readers import Src
    from analysis.ingest.warc import read_warc

    warc = SCRAPED / "warc" / "news_fundus_reconstructed.warc.gz"
    with open(SCRAPED / "warc" / "news_fundus_reconstructed.records.jsonl", encoding="utf-8") as fh:
        # keyed without the fragment on both sides: the map's URLs keep theirs ("...#ref=rss"), the record ids not
        # always (before, 2 of the 167 records found no gold and the figure was over 165 pages)
        by_url = {r["url"].split("#")[0]: r["fundus_file"].split("html/fundus/", 1)[1] for r in map(json.loads, fh)}
    gold = {r["file"]: r for r in gold_rows("fundus")}
    hits = total = 0
    for rec in read_warc(warc, Src(warc.name, str(warc))):
        uri = rec.origin.rsplit(" (", 1)[-1].rstrip(")") if not hasattr(rec, "title") else \
            rec.id.split("!", 1)[1]
        g = gold.get(by_url.get(uri.split("#")[0], ""))
        if g is None:
            continue
        total += 1
        hits += hasattr(rec, "title") and norm_title(rec.title) == norm_title(g["title"])
    return {"title_accuracy_warc": hits / max(total, 1), "warc_pages": total}


def make_big_warc(path: Path, target_bytes: int) -> int:
    """An uncompressed WARC of about ``target_bytes`` made of the fundus pages repeated (URIs made unique)."""
    from warcio.archiveiterator import ArchiveIterator

    pages = []
    with open(SCRAPED / "warc" / "news_fundus_reconstructed.warc.gz", "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                pages.append((record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read()))
    written, copy = 0, 0
    with open(path, "wb") as out:
        while written < target_bytes:
            copy += 1
            for uri, payload in pages:
                http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(payload)
                block = http + payload
                head = (f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}?copy={copy}\r\n"
                        f"WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{copy:08d}-{written:016d}>\r\n"
                        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n")
                out.write(head.encode() + block + b"\r\n\r\n")
                written += len(head) + len(block) + 4
    return written


def bench_warc_gb(target_bytes: int) -> dict:
    """Peak memory of ``analysis build BIG.warc --no-enrich --no-topics``: the largest sum of RSS over the build
    process and its extraction workers (psutil, sampled every 0.2 s), and the largest single process."""
    import psutil

    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        warc = Path(tmp) / "big.warc"
        size = make_big_warc(warc, target_bytes)
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "analysis", "build", str(warc), "--store",
                                 str(Path(tmp) / "s.duckdb"), "--no-enrich", "--no-topics", "--quiet"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        peak_tree = peak_one = 0
        parent = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                rss = [p.memory_info().rss for p in [parent, *parent.children(recursive=True)]]
            except psutil.Error:
                rss = []
            if rss:
                peak_tree, peak_one = max(peak_tree, sum(rss)), max(peak_one, max(rss))
            time.sleep(0.2)
        out = proc.stdout.read()
        seconds = time.perf_counter() - t0
    m = re.search(r"(\d+) articles", out)
    n = int(m.group(1)) if m else -1
    return {"warc_gb_bytes": size, "warc_gb_peak_mb": peak_tree / 2**20, "warc_gb_peak_one_mb": peak_one / 2**20,
            "warc_gb_seconds": seconds, "warc_gb_articles": n, "warc_gb_rc": proc.returncode,
            "warc_gb_tail": out[-600:]}


def profile_pages(n: int, top: int = 40, thorough: bool = False) -> None:
    """cProfile of ``read_html`` (what the build runs per page) over the first ``n`` fundus pages in this process,
    after one page to warm imports; prints CPU-s per page (profiled and not) and the top cumulative entries."""
    import cProfile
    import pstats

    rows = gold_rows("fundus")[:n]
    jobs = [(f"fundus/{r['file']}", page_bytes("fundus", r), r.get("url")) for r in rows]
    newslens_page(jobs[0], thorough)
    t0 = time.process_time()
    for job in jobs:
        newslens_page(job, thorough)
    plain = (time.process_time() - t0) / len(jobs)
    prof = cProfile.Profile()
    t0 = time.process_time()
    prof.enable()
    for job in jobs:
        newslens_page(job, thorough)
    prof.disable()
    profiled = (time.process_time() - t0) / len(jobs)
    print(f"{len(jobs)} fundus pages, thorough={thorough}: {plain:.4f} CPU-s per page ({profiled:.4f} profiled); "
          f"load {os.getloadavg()[0]:.1f}")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-warc-gb", action="store_true", help="skip the 1 GB WARC build")
    ap.add_argument("--only-warc-gb", action="store_true", help="only the WARC build memory figure")
    ap.add_argument("--warc-gb", type=float, default=1.0, help="size of the WARC for the memory figure (GB)")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--profile", type=int, metavar="N", help="only profile read_html over N fundus pages")
    ap.add_argument("--thorough", action="store_true", help="with --profile: the behaviour before the "
                    "doubtful-result rule (comparison and extensive date search on every page)")
    args = ap.parse_args(argv)
    if not SCRAPED.is_dir():
        print(f"corpus not found at {SCRAPED}: nothing to measure", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    if args.profile:
        profile_pages(args.profile, thorough=args.thorough)
        return 0
    results = {} if args.only_warc_gb else {**bench_pages(args.workers), **bench_warc_titles()}
    if not args.no_warc_gb:
        results.update(bench_warc_gb(int(args.warc_gb * 1e9)))
    for line in report_lines(results):
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def report_lines(r: dict) -> list[str]:
    def row(what, ours, theirs=None, goal=""):
        theirs_s = f"{theirs:8.3f}" if isinstance(theirs, float) else f"{'':8}"
        return f"{what:52} {ours:8.3f} {theirs_s}   {goal}"

    lines = [f"{'figure':52} {'NewsLens':>8} {'baseline':>8}   goal"]
    if "pages" not in r:
        return lines + _warc_gb_lines(r)
    share = r.get("compared_share", {})
    lines.append(row("body token F1, html/aeb (109) vs trafilatura extract()", r["f1_aeb"], r["f1_aeb_trafilatura"],
                     ">= baseline"))
    lines.append(row("body token F1, html/fundus (167) vs trafilatura", r["f1_fundus"], r["f1_fundus_trafilatura"],
                     ">= baseline"))
    if "f1_aeb_thorough" in r:
        for name in ("aeb", "fundus"):
            lines.append(row(f"  {name}: F1 with the comparison on every page (before)", r[f"f1_{name}_thorough"],
                             goal=f"(rule compared {share.get(name, 0):.0%} of the pages)"))
    lines.append(row(f"publication day, bbaw+mediacloud ({r['dated_pages']}) vs htmldate", r["date_accuracy"],
                     r["date_accuracy_htmldate"], ">= baseline"))
    if "date_accuracy_thorough" in r:
        lines.append(row("  publication day, extensive search on every page (before)", r["date_accuracy_thorough"]))
    lines.append(row(f"title accuracy, html/fundus ({r['title_pages_fundus']}) vs trafilatura",
                     r["title_accuracy_fundus"], r["title_accuracy_fundus_trafilatura"], ">= 0.95"))
    lines.append(row(f"title accuracy, html/bbaw ({r['title_pages_bbaw']} dated, with title) vs trafilatura",
                     r["title_accuracy_bbaw"], r["title_accuracy_bbaw_trafilatura"], "(not a goal)"))
    if "title_accuracy_bbaw_undated" in r:
        lines.append(row(f"title accuracy, html/bbaw ({r['title_pages_bbaw_undated']} undated, with title) vs "
                         "trafilatura", r["title_accuracy_bbaw_undated"], r["title_accuracy_bbaw_undated_trafilatura"],
                         "(not a goal)"))
    if "title_accuracy_warc" in r:
        lines.append(row(f"title accuracy, fundus WARC ({r['warc_pages']} records)", r["title_accuracy_warc"],
                         goal=">= 0.95"))
    lines.append(row(f"language accuracy, newspaper4k ({r['language_pages']} with gold)", r["language_accuracy"],
                     goal=">= 0.95"))
    def load(key):
        lo = r.get(f"{key}_load")
        return f"load {lo[0]:.1f}-{lo[1]:.1f}" if lo else ""

    lines.append(row(f"pages/s, {r['pages']} pages, 2 processes (baseline: extract+find_date)", r["pages_per_s"],
                     r["baseline_pages_per_s"], f">= 50   ({load('ours')}; baseline {load('baseline')})"))
    if "thorough_pages_per_s" in r:
        lines.append(row("  pages/s before (comparison + extensive date search on every page)",
                         r["thorough_pages_per_s"], goal=f"({load('thorough')})"))
    if "ours_cpu_s_per_page" in r:
        lines.append(row("  CPU-s per page in the workers (imports included), now", r["ours_cpu_s_per_page"],
                         r["baseline_cpu_s_per_page"], "(baseline: extract+find_date)"))
        lines.append(row("  CPU-s per page in the workers, before", r["thorough_cpu_s_per_page"]))
    lines.append(row(f"pages/s through iter_sources (build path), {r['build_path_pages']} files",
                     r["build_path_pages_per_s"], goal="(default extractor: pool of one process per core)"))
    lines += _warc_gb_lines(r)
    for name in ("aeb", "fundus"):
        for reason in r.get(f"rejected_{name}", [])[:5]:
            lines.append(f"  rejected in {name}: {reason}")
    for miss in r.get("title_misses_fundus", [])[:10]:
        lines.append(f"  title miss {miss[0]}: {miss[1]!r} != gold {miss[2]!r}")
    return lines


def _warc_gb_lines(r: dict) -> list[str]:
    if "warc_gb_peak_mb" not in r:
        return []
    what = f"WARC build of {r['warc_gb_bytes'] / 1e9:.2f} GB: peak RSS, all processes (MB)"
    line = (f"{what:52} {r['warc_gb_peak_mb']:8.0f}            < 1000 (largest process {r['warc_gb_peak_one_mb']:.0f}"
            f" MB; {r['warc_gb_articles']} articles, {r['warc_gb_seconds']:.0f} s, exit {r['warc_gb_rc']})")
    return [line]


if __name__ == "__main__":
    raise SystemExit(main())
