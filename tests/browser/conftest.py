"""Real-browser fixtures: a built store, the dashboard on a free loopback port, Debian Chromium via Playwright.

Never runs ``playwright install``: Chromium is ``/usr/bin/chromium``; tests skip with a reason when it is missing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SCREENSHOTS
from tests.conftest import REUTERS_JSONL as REUTERS
from tests.support.browser import CHROMIUM, launch_chromium, start_dashboard, wait_charts_drawn

if not Path(CHROMIUM).exists():
    pytest.skip("/usr/bin/chromium missing (apt-get install chromium); browser tests need it",
                allow_module_level=True)

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click me</a>',
    "[click](javascript:alert(1))",
    "![x](http://evil.example/x.png)",
    "&lt;b&gt;entity&lt;/b&gt; &amp; &#60;script&#62;",
    "<svg onload=alert(1)>",
    "<iframe src=\"http://evil.example/\"></iframe>",
]


def _build(sources: list[Path], store: Path) -> None:
    subprocess.run([sys.executable, "-m", "analysis", "build", *map(str, sources), "--store", str(store), "--quiet"],
                   check=True, capture_output=True, cwd=REPO, timeout=600)


@pytest.fixture(scope="session")
def journey_store(tmp_path_factory) -> Path:
    """Default corpus + ~300 Reuters articles (just the default corpus when ../shared/corpora is absent)."""
    folder = tmp_path_factory.mktemp("browser")
    sources = [REPO / "data" / "corpus"]
    if REUTERS.exists():
        part = folder / "reuters.jsonl"
        part.write_text("".join(REUTERS.read_text(encoding="utf-8").splitlines(keepends=True)[:300]), encoding="utf-8")
        sources.append(part)
    store = folder / "journey.duckdb"
    _build(sources, store)
    return store


@pytest.fixture(scope="session")
def xss_store(tmp_path_factory) -> Path:
    """Articles whose titles and texts carry HTML/JS/Markdown payloads."""
    folder = tmp_path_factory.mktemp("xss")
    src = folder / "xss.jsonl"
    rows = []
    for i, payload in enumerate(XSS_PAYLOADS):
        rows.append({"id": f"x{i}", "title": f"Payload {i} {payload}", "date": f"2024-03-{i + 1:02d}",
                     "source": f"src {payload}", "url": "javascript:alert(1)",
                     "text": f"Officials in Seoul and Washington met. {payload} The United States and South Korea "
                             f"discussed trade on Monday. {payload} Japan joined the talks."})
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    store = folder / "xss.duckdb"
    _build([src], store)
    return store


@pytest.fixture(scope="session")
def dashboard_url(journey_store):
    with start_dashboard(journey_store) as url:
        yield url


@pytest.fixture(scope="session")
def xss_url(xss_store):
    with start_dashboard(xss_store, env={"NEWSLENS_READ_ONLY": "1"}) as url:
        yield url


@pytest.fixture(scope="module")  # not session: other test folders start their own sync Playwright afterwards
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 2200}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    ctx.close()


@pytest.fixture
def ready():
    """ready(page): wait until the Streamlit run finished and, if the page has charts, every one has drawn."""
    return wait_charts_drawn


@pytest.fixture
def shoot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path))  # tall viewport, not full_page (Streamlit scrolls inside a container)
        return path

    return _shoot
