"""Raw-page benchmark: NewsLens's HTML/WARC reading against trafilatura ``extract()`` and htmldate ``find_date`` on the
same pages, in one run.

    PYTHONPATH=. .venv/bin/python bench/bench_html.py             # all figures (~3-4 min on 2 cores)
    PYTHONPATH=. .venv/bin/python bench/bench_html.py --no-warc-gb # skip the 1 GB WARC build

Corpora: ``../shared/corpora/scraped`` (see its README for the gold). Figures:

- body token F1 (multisets of lower-case ``\\w+`` tokens of the text NewsLens analyses vs the gold body, averaged
  over pages) on ``html/aeb`` and ``html/fundus``; trafilatura ``extract(html, url=url)`` beside it;
- publication-date accuracy (same day) on the 708 dated pages of ``html/bbaw`` + ``html/mediacloud_dates``;
  htmldate ``find_date(html, url=url)`` beside it (a page NewsLens rejects, or leaves undated, counts as wrong);
- title accuracy (exact, after whitespace, case and format-character normalisation) on ``html/fundus`` and through
  ``warc/news_fundus_reconstructed.warc.gz``, and on the dated ``html/bbaw`` pages with a gold title (other sites:
  a check against over-fitting fundus); trafilatura's ``extract_metadata`` title beside them; language accuracy
  where the gold has it (``html/newspaper4k``);
- pages/s of HTML extraction (``read_html``) over all pages with a process pool of 2, and through the build's own
  path (``iter_sources`` over the same files with its default extractor);
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


def newslens_page(args: tuple[str, bytes, str | None]) -> dict:
    """What NewsLens stores for one page: text, title, date (ISO), language; or the rejection."""
    from analysis.ingest.html import read_html
    from analysis.ingest.readers import Src

    name, data, url = args
    (rec,) = list(read_html(data, Src(name, name), url=url))
    if not hasattr(rec, "text"):
        return {"rejected": rec.reason}
    return {"text": rec.text, "title": rec.title, "date": rec.date.isoformat() if rec.date else None,
            "language": rec.language}


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


def run_pool(fn, jobs: list, workers: int) -> tuple[list[dict], float]:
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        out = list(pool.map(fn, jobs, chunksize=4))
    return out, time.perf_counter() - t0


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
    ours_flat, seconds = run_pool(newslens_page, flat, workers)
    base_flat, base_seconds = run_pool(baseline_page, flat, workers)
    results["pages"] = len(flat)
    results["pages_per_s"] = len(flat) / seconds
    results["baseline_pages_per_s"] = len(flat) / base_seconds
    ours, base, i = {}, {}, 0
    for name, jobs in all_jobs.items():
        ours[name], base[name] = ours_flat[i:i + len(jobs)], base_flat[i:i + len(jobs)]
        i += len(jobs)
    for name in ("aeb", "fundus"):
        rows = golds[name]
        results[f"f1_{name}"] = sum(token_f1(o.get("text"), r["body_text"]) for o, r in zip(ours[name], rows, strict=True)) / len(rows)
        results[f"f1_{name}_trafilatura"] = sum(token_f1(b["text"], r["body_text"])
                                               for b, r in zip(base[name], rows, strict=True)) / len(rows)
        results[f"rejected_{name}"] = [o["rejected"] for o in ours[name] if "rejected" in o]
    dated = [(o, b, r) for name in ("bbaw", "mediacloud_dates") for o, b, r in zip(ours[name], base[name], golds[name], strict=True)]
    results["dated_pages"] = len(dated)
    results["date_accuracy"] = sum(same_day(o.get("date"), r["date_published"]) for o, _b, r in dated) / len(dated)
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
        by_url = {r["url"]: r["fundus_file"].split("html/fundus/", 1)[1] for r in map(json.loads, fh)}
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-warc-gb", action="store_true", help="skip the 1 GB WARC build")
    ap.add_argument("--only-warc-gb", action="store_true", help="only the WARC build memory figure")
    ap.add_argument("--warc-gb", type=float, default=1.0, help="size of the WARC for the memory figure (GB)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    if not SCRAPED.is_dir():
        print(f"corpus not found at {SCRAPED}: nothing to measure", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
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
    lines.append(row("body token F1, html/aeb (109) vs trafilatura extract()", r["f1_aeb"], r["f1_aeb_trafilatura"],
                     ">= baseline"))
    lines.append(row("body token F1, html/fundus (167) vs trafilatura", r["f1_fundus"], r["f1_fundus_trafilatura"],
                     ">= baseline"))
    lines.append(row(f"publication day, bbaw+mediacloud ({r['dated_pages']}) vs htmldate", r["date_accuracy"],
                     r["date_accuracy_htmldate"], ">= baseline"))
    lines.append(row(f"title accuracy, html/fundus ({r['title_pages_fundus']}) vs trafilatura",
                     r["title_accuracy_fundus"], r["title_accuracy_fundus_trafilatura"], ">= 0.95"))
    lines.append(row(f"title accuracy, html/bbaw ({r['title_pages_bbaw']} dated, with title) vs trafilatura",
                     r["title_accuracy_bbaw"], r["title_accuracy_bbaw_trafilatura"], "(not a goal)"))
    if "title_accuracy_warc" in r:
        lines.append(row("title accuracy, fundus WARC", r["title_accuracy_warc"], goal=">= 0.95"))
    lines.append(row(f"language accuracy, newspaper4k ({r['language_pages']} with gold)", r["language_accuracy"],
                     goal=">= 0.95"))
    lines.append(row(f"pages/s, {r['pages']} pages, 2 processes (baseline: extract+find_date)", r["pages_per_s"],
                     r["baseline_pages_per_s"], ">= 50"))
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
