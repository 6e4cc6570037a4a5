"""Build benchmark: full build of the Reuters dev corpus against spaCy NER alone, an incremental 1% build, store size
and peak memory, in one run on one machine.

    .venv/bin/python bench/bench_build.py                 # 15,057 Reuters stories, ~8-10 min on 2 idle cores (19 min on a busy one)
    .venv/bin/python bench/bench_build.py --limit 1000    # quick run
    .venv/bin/python bench/bench_build.py --workers 2     # the full build on a 2-worker Dask LocalCluster

Steps (each build and the NER floor run in a fresh subprocess so their peak memory can be measured):

1. Hold out ``--holdout`` (1%) of the corpus: the last stories, as if they arrived later.
2. Full build of the other 99% from scratch into a temp store (``BuildReport.timings`` per stage).
3. NER floor: ``nlp.pipe`` with only tok2vec + ner (:func:`analysis.nlp.load_ner_only`), ``n_process=2``, the same
   batch size, over exactly the texts the build enriched (read back from the store).
4. Incremental build: the held-out stories are added to the folder and the same build command runs again.

Prints a table and writes ``bench/results/build-<timestamp>.{json,txt}`` (+ ``build-latest.*``); the final store is
kept as ``bench/results/reuters-<N>.duckdb`` for ``bench/bench_queries.py``.
Targets: enrichment <= 1.3x the time per word of NER alone; incremental 1% build < 5% of the full build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REUTERS = REPO.parent / "shared" / "corpora" / "reuters21578" / "jsonl" / "articles.jsonl"
RESULTS = REPO / "bench" / "results"
sys.path.insert(0, str(REPO))
from bench.result_files import write_results  # noqa: E402 - after the repo is on the path

# --------------------------------------------------------------------------------------------------------------
# measuring a child process


def run_child(argv: list[str], label: str) -> dict:
    """Run ``python bench_build.py <argv>`` (a child mode writing JSON to the last argv item); returns that JSON plus
    ``wall_s``, ``peak_rss_mb`` (largest single process, from wait4 rusage, children included) and
    ``peak_tree_rss_mb`` (sum over the process tree, sampled every 0.2 s with psutil when installed), ``cpu_s``
    (user + system CPU seconds of the child and its waited-for descendants: less sensitive than wall time to other
    load on the machine) and ``load_avg_1m`` at the end."""
    out_path = Path(argv[-1])
    cmd = [sys.executable, str(Path(__file__).resolve()), *argv]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO)
    peak_tree = [0]
    stop = threading.Event()

    def sample() -> None:
        try:
            import psutil
        except ImportError:
            return
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                peak_tree[0] = max(peak_tree[0], total)
            except psutil.Error:
                pass
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed (exit {proc.returncode}): {' '.join(cmd)}")
    result = json.loads(out_path.read_text())
    # ru_maxrss is in KiB on Linux
    result.update(wall_s=wall, peak_rss_mb=usage.ru_maxrss / 1024, peak_tree_rss_mb=peak_tree[0] / 2**20 or None,
                  cpu_s=usage.ru_utime + usage.ru_stime, load_avg_1m=os.getloadavg()[0])
    return result


# --------------------------------------------------------------------------------------------------------------
# child modes


def child_build(source: str, store: str, options_json: str, out: str) -> None:
    from analysis.pipeline import BuildOptions, build

    options = BuildOptions(**json.loads(options_json))
    t0 = time.perf_counter()
    report = build([source], store, options)
    seconds = time.perf_counter() - t0
    Path(out).write_text(json.dumps({"seconds": seconds, "report": report.to_dict()}, default=str))


def child_ner(store: str, n_process: str, batch_size: str, out: str) -> None:
    """spaCy tok2vec+ner over exactly the texts the build enriched (title + blank line + body, wraps joined)."""
    from analysis.countries import doc_text
    from analysis.enrich import _WRAP_RE
    from analysis.filters import Filter
    from analysis.nlp import load_ner_only
    from analysis.store import Store, writer

    uids = Store.open(store).uids(Filter()).tolist()
    with writer(store) as w:  # read-only use of the writer: article_frame is the build's own input query
        frame = w.article_frame(uids)
        w.discard = True
    texts = [_WRAP_RE.sub(" ", doc_text(t or "", x or "")) for t, x in zip(frame["title"], frame["text"])]
    words = int(sum(len((x or "").split()) for x in frame["text"]))
    t_load = time.perf_counter()
    nlp = load_ner_only()
    load_s = time.perf_counter() - t_load
    t0 = time.perf_counter()
    ents = 0
    for doc in nlp.pipe(texts, n_process=int(n_process), batch_size=int(batch_size)):
        ents += len(doc.ents)
    seconds = time.perf_counter() - t0
    Path(out).write_text(json.dumps({"seconds": seconds, "load_s": load_s, "docs": len(texts), "words": words,
                                     "entities": ents, "pipes": nlp.pipe_names}))


# --------------------------------------------------------------------------------------------------------------
# the benchmark


def read_lines(path: Path, limit: int | None) -> list[str]:
    lines = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                lines.append(line if line.endswith("\n") else line + "\n")
                if limit and len(lines) >= limit:
                    break
    return lines


def fmt_table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REUTERS, help="JSONL of articles (default: Reuters dev corpus)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles (quick run)")
    parser.add_argument("--holdout", type=float, default=0.01, help="share held out for the incremental build")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-process", type=int, default=2, help="spaCy processes (local build and NER floor)")
    parser.add_argument("--workers", type=int, default=None, help="build on a Dask LocalCluster of N workers")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-keep-store", action="store_true", help="do not keep the store in the results folder")
    args = parser.parse_args(argv)

    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (the Reuters dev corpus lives in ../shared/corpora)", file=sys.stderr)
        return 2
    lines = read_lines(args.corpus, args.limit)
    n_new = max(1, round(len(lines) * args.holdout))
    base, new = lines[:-n_new], lines[-n_new:]
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    options = {"n_process": args.n_process, "batch_size": args.batch_size, "workers": args.workers}
    print(f"corpus {args.corpus} : {len(lines)} articles ({len(base)} in the first build, {len(new)} added after); "
          f"options {options}", flush=True)

    with tempfile.TemporaryDirectory(prefix="newslens-bench-") as tmp:
        tmp = Path(tmp)
        folder = tmp / "corpus"
        folder.mkdir()
        (folder / "part-1.jsonl").write_text("".join(base), encoding="utf-8")
        store = tmp / "store.duckdb"

        print("full build ...", flush=True)
        full = run_child(["build", str(folder), str(store), json.dumps(options), str(tmp / "full.json")], "full build")
        full_size = store.stat().st_size
        print(f"  {full['seconds']:.1f} s", flush=True)

        print("NER floor (tok2vec+ner, same texts) ...", flush=True)
        ner = run_child(["ner", str(store), str(args.n_process), str(args.batch_size), str(tmp / "ner.json")], "NER")
        print(f"  {ner['seconds']:.1f} s", flush=True)

        (folder / "part-2.jsonl").write_text("".join(new), encoding="utf-8")
        print(f"incremental build (+{args.holdout:.0%}) ...", flush=True)
        inc = run_child(["build", str(folder), str(store), json.dumps(options), str(tmp / "inc.json")], "incremental")
        inc_size = store.stat().st_size
        print(f"  {inc['seconds']:.1f} s", flush=True)
        kept = None
        if not args.no_keep_store:
            kept = args.results / f"reuters-{inc['report']['articles']}.duckdb"
            shutil.copyfile(store, kept)

    rep = full["report"]
    words = rep["words"]
    enrich_s = rep["timings"].get("enrich", float("nan"))
    ner_wps = ner["words"] / ner["seconds"]
    enrich_wps = words / enrich_s
    build_wps = words / full["seconds"]
    results = {
        "when": stamp, "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                   "platform": platform.platform()},
        "command": " ".join([Path(sys.executable).name, "bench/bench_build.py", *(argv or sys.argv[1:])]),
        "corpus": str(args.corpus), "articles_input": len(lines), "options": options,
        "full": {"articles": rep["articles"], "words": words, "seconds": full["seconds"], "wall_s": full["wall_s"],
                 "timings": rep["timings"], "topics": rep["topics"], "store_mb": full_size / 2**20,
                 "peak_rss_mb": full["peak_rss_mb"], "peak_tree_rss_mb": full["peak_tree_rss_mb"]},
        "ner_floor": {"docs": ner["docs"], "words": ner["words"], "seconds": ner["seconds"], "load_s": ner["load_s"],
                      "words_per_s": ner_wps, "pipes": ner["pipes"], "n_process": args.n_process,
                      "batch_size": args.batch_size, "peak_rss_mb": ner["peak_rss_mb"],
                      "peak_tree_rss_mb": ner["peak_tree_rss_mb"]},
        "enrich_words_per_s": enrich_wps, "build_words_per_s": build_wps,
        "enrich_vs_ner": ner_wps / enrich_wps, "build_vs_ner": ner_wps / build_wps,
        "cpu_s": {"full": full["cpu_s"], "ner_floor": ner["cpu_s"], "incremental": inc["cpu_s"]},
        "build_vs_ner_cpu": (full["cpu_s"] / words) / (ner["cpu_s"] / ner["words"]),
        "load_avg_1m": {"full": full["load_avg_1m"], "ner_floor": ner["load_avg_1m"],
                        "incremental": inc["load_avg_1m"]},
        "incremental": {"added": inc["report"]["added"], "seconds": inc["seconds"], "timings": inc["report"]["timings"],
                        "share_of_full": inc["seconds"] / full["seconds"], "store_mb": inc_size / 2**20,
                        "peak_rss_mb": inc["peak_rss_mb"], "peak_tree_rss_mb": inc["peak_tree_rss_mb"]},
        "kept_store": str(kept) if kept else None,
    }

    def mb(v):
        return "n/a" if v is None else f"{v:,.0f} MB"

    rows = [
        ("articles (first build)", f"{rep['articles']:,} ({words:,} words), {rep['topics']} topics"),
        ("NER floor (tok2vec+ner)", f"{ner_wps:,.0f} words/s  (n_process={args.n_process}, batch {args.batch_size}, "
                                    f"{ner['seconds']:.1f} s)"),
        ("enrich stage", f"{enrich_wps:,.0f} words/s  ({enrich_s:.1f} s) -> {results['enrich_vs_ner']:.2f}x NER time "
                         f"(target <= 1.3x)"),
        ("full build", f"{build_wps:,.0f} words/s  ({full['seconds']:.1f} s) -> "
                       f"{results['build_vs_ner']:.2f}x NER time"),
        ("  stages", ", ".join(f"{k} {v:.1f}s" for k, v in rep["timings"].items())),
        ("CPU seconds", f"full build {full['cpu_s']:.0f} s, NER floor {ner['cpu_s']:.0f} s (incl. model loads) -> "
                        f"{results['build_vs_ner_cpu']:.2f}x NER CPU per word; incremental {inc['cpu_s']:.0f} s"),
        ("load average (1 min)", f"{full['load_avg_1m']:.1f} after full build, {ner['load_avg_1m']:.1f} after NER, "
                                 f"{inc['load_avg_1m']:.1f} after incremental ({os.cpu_count()} CPUs)"),
        ("incremental +1%", f"{inc['report']['added']} articles in {inc['seconds']:.1f} s = "
                            f"{results['incremental']['share_of_full']:.1%} of the full build (target < 5%)"),
        ("  stages", ", ".join(f"{k} {v:.1f}s" for k, v in inc["report"]["timings"].items())),
        ("store size", f"{full_size / 2**20:,.1f} MB after full build, {inc_size / 2**20:,.1f} MB after incremental"),
        ("peak memory full build", f"{mb(full['peak_rss_mb'])} largest process, {mb(full['peak_tree_rss_mb'])} "
                                   "all processes"),
        ("peak memory incremental", f"{mb(inc['peak_rss_mb'])} largest process, {mb(inc['peak_tree_rss_mb'])} all"),
        ("peak memory NER floor", f"{mb(ner['peak_rss_mb'])} largest process, {mb(ner['peak_tree_rss_mb'])} all"),
    ]
    text = f"NewsLens build benchmark {stamp} ({os.cpu_count()} CPUs)\n{results['command']}\n" + fmt_table(rows) + "\n"
    print("\n" + text)
    written = write_results(args.results, "build", stamp, text, results)
    print(f"results written to {written}.json and .txt"
          + (f"; store kept at {kept}" if kept else ""))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "build":
        child_build(*sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "ner":
        child_ner(*sys.argv[2:])
    else:
        sys.exit(main())
