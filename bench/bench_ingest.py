"""Time ``iter_sources`` over the real corpora and print articles/s and MB/s per corpus.

Usage: ``python bench/bench_ingest.py [--corpora ../shared/corpora] [--repeat 1] [--dedupe]``

Prints one row per corpus: files, input MB, articles, rejections, wall seconds, CPU seconds, articles/s, MB/s
(wall clock). ``--dedupe`` also times ``group_near_duplicates`` on each corpus. Corpora that are absent are listed
as skipped; the script always exits 0.
"""

from __future__ import annotations

import argparse
import glob
import time
from pathlib import Path

from analysis.ingest import Article, group_near_duplicates, iter_sources

REPO = Path(__file__).resolve().parents[1]


def _size(paths: list[Path]) -> int:
    total = 0
    for p in paths:
        if p.is_dir():
            total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
        elif p.is_file():
            total += p.stat().st_size
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", default=str(REPO.parent / "shared" / "corpora"),
                    help="folder with reuters21578/ and bbc/ (default: ../shared/corpora next to the repo)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per corpus; the fastest is reported")
    ap.add_argument("--dedupe", action="store_true", help="also time group_near_duplicates")
    args = ap.parse_args(argv)
    root = Path(args.corpora)
    cases = [
        ("reuters-sgml", [str(root / "reuters21578" / "reut2-*.sgm")]),
        ("reuters-jsonl", [str(root / "reuters21578" / "jsonl" / "articles.jsonl")]),
        ("bbc-folder", [str(root / "bbc" / "bbc-fulltext")]),
    ]
    header = f"{'corpus':<14} {'files':>6} {'MB':>7} {'articles':>9} {'rejected':>8} {'wall s':>7} {'cpu s':>7} " \
             f"{'art/s':>8} {'MB/s':>6}"
    if args.dedupe:
        header += f" {'dedupe s':>8} {'groups':>7}"
    print(header)
    for name, sources in cases:
        paths = [Path(p) for s in sources for p in (glob.glob(s) if glob.has_magic(s) else [s]) if Path(p).exists()]
        if not paths:
            print(f"{name:<14} skipped: {sources[0]} not found")
            continue
        mb = _size(paths) / 1e6
        best = None
        for _ in range(max(1, args.repeat)):
            files = 0

            def on_file(n: int) -> None:
                nonlocal files
                files += n

            t0, c0 = time.perf_counter(), time.process_time()
            records = list(iter_sources(sources, progress=on_file))
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            if best is None or wall < best[0]:
                best = (wall, cpu, records, files)
        wall, cpu, records, files = best
        arts = [r for r in records if isinstance(r, Article)]
        row = f"{name:<14} {files:>6} {mb:>7.1f} {len(arts):>9} {len(records) - len(arts):>8} {wall:>7.2f} " \
              f"{cpu:>7.2f} {len(arts) / wall:>8.0f} {mb / wall:>6.2f}"
        if args.dedupe:
            t0 = time.perf_counter()
            groups = group_near_duplicates([(a.id, a.title, a.text) for a in arts])
            row += f" {time.perf_counter() - t0:>8.2f} {len(set(groups.values())):>7}"
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
