"""The date filter applies on Enter, and on Tab out of its last part, without a click elsewhere (issue 16 item 11).

Streamlit's date field commits only when it loses focus with its calendar closed; dashboard/static/date_keys.js
answers Enter (and Tab from the end date's day) with the field's own Escape, which commits.
"""

from __future__ import annotations

import json

import pytest

from analysis.pipeline import BuildOptions, build
from tests.support.browser import start_dashboard

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIDEBAR = '[data-testid="stSidebar"]'


@pytest.fixture(scope="module")
def dates_url(tmp_path_factory):
    """Ten articles dated 2025-03-01..10 and one undated."""
    folder = tmp_path_factory.mktemp("dates")
    rows = [{"id": f"d{i}", "title": f"Talks {i} in Seoul", "date": f"2025-03-{i + 1:02d}",
             "text": f"Officials in Seoul met on Monday. South Korea and Japan discussed trade, round {i}."}
            for i in range(10)]
    rows.append({"id": "u1", "title": "Undated talks", "text": "Officials in Tokyo met. Japan spoke."})
    src = folder / "dates.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    store = folder / "dates.duckdb"
    build([str(src)], store, BuildOptions(topics=False, embeddings=False))
    with start_dashboard(store) as url:
        yield url


def _query(page) -> str:
    return page.evaluate("() => location.search")


def test_enter_and_tab_apply_the_typed_dates(page, ready, dates_url):
    page.goto(dates_url)
    ready(page)
    page.wait_for_function("() => window.__newslensDateKeys === true")  # the hidden element's script has run
    assert "since=" not in _query(page)

    start_day = page.locator(f'{SIDEBAR} [data-range-field="start"] [data-type="day"]')
    start_day.focus()
    page.keyboard.type("05")
    page.wait_for_timeout(500)
    assert "since=" not in _query(page)  # typed, not yet applied (the field commits on leaving it)
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('since=2025-03-05')", timeout=15_000)
    ready(page)
    # the focus stays in the field (Escape, not a blur, committed): typing can go on
    assert page.evaluate("() => !!document.activeElement.closest('[data-testid=\"stDateInput\"]')")
    side = page.locator(SIDEBAR).inner_text()
    assert "1 undated article left out by the date range." in side  # the filter applied: the app reran with it

    end_day = page.locator(f'{SIDEBAR} [data-range-field="end"] [data-type="day"]')
    end_day.focus()
    page.keyboard.type("07")
    page.keyboard.press("Tab")  # out of the field's last part
    page.wait_for_function("() => location.search.includes('until=2025-03-07')", timeout=15_000)
    assert "since=2025-03-05" in _query(page)
