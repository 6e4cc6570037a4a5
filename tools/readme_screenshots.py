"""Retake the README's screenshots (docs/screenshots/*.png): the default corpus, each page at 1440x900 in Chromium.

    .venv/bin/python -m tools.readme_screenshots            (from the repo root; needs /usr/bin/chromium)

Builds the default corpus (data/corpus) into a temporary store, starts the dashboard on it as ``./run.sh`` does (on
a free loopback port), opens each page the README shows, waits until the run is finished and every chart is drawn,
and writes one PNG per page. The Articles shot opens the reader on the corpus's first article.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import DEFAULT_CORPUS, REPO
from tests.support.browser import CHROMIUM, launch_chromium, start_dashboard, wait_charts_drawn

OUT = REPO / "docs" / "screenshots"
#: README name -> URL path of the page
SHOTS = {"overview": "/", "articles": "/articles", "topics": "/topics", "events": "/events",
         "entities": "/entities", "keywords": "/keywords"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--width", type=int, default=1440)
    ap.add_argument("--height", type=int, default=900)
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} missing: apt-get install chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newslens-shots-") as tmp:
        store = Path(tmp) / "default.duckdb"
        subprocess.run([sys.executable, "-m", "analysis", "build", str(DEFAULT_CORPUS), "--store", str(store),
                        "--quiet"], check=True, cwd=REPO)
        first_uid = _first_uid(store)
        with start_dashboard(store, env={"NEWSLENS_READ_ONLY": "1"}) as url, sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.set_default_timeout(90_000)
            for name, path in SHOTS.items():
                query = f"?article={first_uid}" if name == "articles" and first_uid is not None else ""
                page.goto(url + path + query)
                wait_charts_drawn(page)
                page.wait_for_timeout(500)  # let hover/transition animations settle
                target = args.out / f"{name}.png"
                page.screenshot(path=str(target))
                print(f"wrote {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")
            browser.close()
    return 0


def _first_uid(store: Path) -> int | None:
    from analysis.store import Store

    s = Store.open(store)
    try:
        frame = s.articles(limit=1)
        return int(frame["uid"].iloc[0]) if len(frame) else None
    finally:
        s.close()


if __name__ == "__main__":
    sys.exit(main())
