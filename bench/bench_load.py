"""Load benchmark: N simultaneous browser sessions change filters while a build adds articles to the same store.

Starts the dashboard on 127.0.0.1 (a free port), opens N Playwright contexts in one Debian Chromium, and has each
session load pages with filters in the URL (``?country=US``, ``?q=oil``) for ``--seconds``; meanwhile a
``python -m analysis build`` process adds articles. Checks: no ``stException`` element on any page, and no torn read
(the article count shown equals the count of the filter in the store version shown in the sidebar). Prints
latency p50/p95 per filter change. Loopback only, bounded in time and sessions, stops by itself.

    .venv/bin/python -m bench.bench_load --sessions 12 --seconds 60     (from the repo root)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from tests.support.browser import CHROMIUM, prepare_store, run_load


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=12)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--articles", type=int, default=300)
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} missing: apt-get install chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="newslens-load-") as tmp:
        store, batches = prepare_store(Path(tmp), args.articles)
        result = run_load(store, batches, sessions=min(args.sessions, 40), seconds=min(args.seconds, 600))
    print(json.dumps(result, indent=1))
    return 0 if not result["errors"] and not result["torn_reads"] else 1


if __name__ == "__main__":
    sys.exit(main())
