"""Real-browser journey: filter in the sidebar, switch page with the filter kept in the URL, reopen the URL,
download a chart in every format and a report, screenshot every page."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import xml.dom.minidom
import zipfile

import pytest

from tests.support.browser import wait_charts_drawn

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["Overview", "Keywords", "Topics", "Entities", "Events", "Articles", "Compare", "Data"]


def _no_exception(page) -> None:
    errs = page.locator('[data-testid="stException"]')
    assert errs.count() == 0, errs.first.inner_text()[:500]


def _download(page, popover: str, button: str, nth: int = 0) -> tuple[str, bytes]:
    page.get_by_role("button", name=re.compile(popover)).nth(nth).click()
    pop = page.locator('[data-testid="stPopoverBody"]').last
    with page.expect_download(timeout=90_000) as info:
        pop.get_by_role("button", name=button, exact=True).click()
    dl = info.value
    data = open(dl.path(), "rb").read()
    page.keyboard.press("Escape")
    return dl.suggested_filename, data


def test_filter_switch_page_share_url_and_export(page, dashboard_url, ready, shoot):
    page.goto(dashboard_url + "/")
    ready(page)
    _no_exception(page)
    shoot(page, "00-overview")

    # filter by a country in the sidebar
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Countries")
    box.locator("input").click()
    box.locator("input").fill("United States")
    page.get_by_role("option", name=re.compile(r"United States \(US\)")).first.click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"country=US"))
    ready(page)
    shown = page.get_by_text(re.compile(r"^Showing:")).first.inner_text()
    assert "US" in shown or "United States" in shown

    # switch page: the filter stays, in the widget and in the URL
    sidebar.locator('[data-testid="stSidebarNav"]').get_by_text("Keywords", exact=True).click()
    page.wait_for_url(re.compile(r"/keywords.*country=US"))
    ready(page)
    _no_exception(page)
    assert "United States (US)" in sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Countries").inner_text()
    url = page.url

    # reopen the URL in a new tab: same view
    other = page.context.new_page()
    other.goto(url)
    ready(other)
    other.locator('[data-testid="stSidebar"]').get_by_text("United States (US)").first.wait_for(timeout=30_000)
    assert other.get_by_text(re.compile(r"^Showing:")).first.inner_text() == \
        page.get_by_text(re.compile(r"^Showing:")).first.inner_text()
    other.close()

    # one chart in every format
    checks = {
        "PNG": lambda b: b[:8] == b"\x89PNG\r\n\x1a\n",
        "SVG": lambda b: xml.dom.minidom.parseString(b).documentElement.tagName == "svg",
        "PDF": lambda b: b[:5] == b"%PDF-",
        "HTML": lambda b: b"<html" in b[:2000].lower() and b"plotly" in b.lower(),
        "CSV": lambda b: len(next(csv.reader(io.StringIO(b.decode("utf-8-sig"))))) >= 2,
    }
    # the popover's buttons are made when it opens (a lazy popover): they show, with every format
    page.get_by_role("button", name=re.compile("Export")).first.click()
    pop = page.locator('[data-testid="stPopoverBody"]').last
    for fmt in checks:
        pop.get_by_role("button", name=fmt, exact=True).wait_for(timeout=30_000)
    shoot(page, "export-popover")
    page.keyboard.press("Escape")
    for fmt, ok in checks.items():
        name, data = _download(page, "Export", fmt)
        assert name.lower().endswith("." + fmt.lower()), name
        assert data and ok(data), (fmt, data[:80])

    # a report as ZIP (with a manifest) and as one HTML file
    name, data = _download(page, "Report", "ZIP")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        manifest = [n for n in names if "manifest" in n.lower()]
        assert manifest, names
        if manifest[0].endswith(".json"):
            assert "US" in json.dumps(json.loads(zf.read(manifest[0])))
    name, data = _download(page, "Report", "HTML")
    assert name.endswith(".html") and b"<html" in data[:3000].lower()


def test_screenshot_every_page(page, dashboard_url, ready, shoot):
    page.goto(dashboard_url + "/?country=US")
    ready(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    for i, title in enumerate(PAGES):
        nav.get_by_text(title, exact=True).click()
        page.wait_for_timeout(300)
        ready(page, charts=title not in ("Data", "Articles"))
        _no_exception(page)
        assert "country=US" in page.url, (title, page.url)
        shoot(page, f"{i + 1:02d}-{title.lower()}")




def test_charts_draw_from_the_plotly_bundle_alone(page, dashboard_url, ready):
    """A new browser gets NewsLens's plotly.js bundle with the page's first messages and every chart draws from it
    (Streamlit's own 4.7 MB plotly chunk is never loaded); once idle it caches the bundle's URL and sets a cookie, so
    its next visit loads the bundle from the HTTP cache instead (dashboard/plotly_component.py)."""
    def plotly_fetches(p) -> list[list]:
        return p.evaluate("""() => performance.getEntriesByType('resource').filter(r => /plotly/i.test(r.name))
                                   .map(r => [r.name.split('/').pop(), r.transferSize])""")

    page.goto(dashboard_url + "/")
    ready(page)
    page.get_by_role("link", name="Topics").click()
    ready(page)
    assert page.locator(".newslens-plot .main-svg").count() >= 3
    assert all(name == "plotly-newslens.min.js" for name, _ in plotly_fetches(page))  # at most the idle caching
    page.wait_for_function("() => document.cookie.includes('newslens_plotly=')", timeout=30_000)

    again = page.context.new_page()
    again.goto(dashboard_url + "/")
    ready(again)
    assert again.locator(".newslens-plot .main-svg").count() >= 5
    assert plotly_fetches(again) == [["plotly-newslens.min.js", 0]]  # from the browser's cache
    again.close()


#: counts Plotly.newPlot and Plotly.react calls (each draws a chart) and marks every chart div drawn so far (a JS property, not in the DOM)
_MARK_DRAWN = """() => {
    if (!window.__newPlots) {
        window.__newPlots = 0;
        for (const name of ["newPlot", "react"]) {
            const draw = window.Plotly[name];
            window.Plotly[name] = function (...args) { window.__newPlots += 1; return draw.apply(this, args); };
        }
    }
    document.querySelectorAll('.newslens-plot').forEach((div) => { div.__seenBefore = true; });
    return window.__newPlots;
}"""


def _go(page, ready, title: str) -> None:
    """Switch to page ``title`` in the sidebar and wait until it is drawn (its own title shown, not the last one's)."""
    page.get_by_role("link", name=title).click()
    page.locator('[data-testid="stMain"] h1', has_text=title).first.wait_for()
    ready(page)


def _charts_seen_before(page) -> list[bool]:
    return page.evaluate("() => [...document.querySelectorAll('.newslens-plot')].map((d) => !!d.__seenBefore)")


def test_a_chart_shown_again_is_not_drawn_again(page, dashboard_url, ready):
    """Back on a page, or with a filter undone, the browser shows the charts it drew before (moved back, with their
    plotly.js state) instead of drawing them again; a selection made on such a chart still drills down."""
    page.goto(dashboard_url + "/")
    ready(page)
    drawn = page.evaluate(_MARK_DRAWN)
    overview = page.locator(".newslens-plot").count()
    assert overview >= 5

    _go(page, ready, "Topics")
    on_topics = page.evaluate("() => window.__newPlots")
    assert on_topics > drawn  # Topics' charts are new: drawn
    assert not any(_charts_seen_before(page))
    _go(page, ready, "Overview")
    assert page.evaluate("() => window.__newPlots") == on_topics  # none drawn again
    assert _charts_seen_before(page) == [True] * overview

    toggle = page.locator('[data-testid="stSidebar"]').get_by_text("Unique stories only", exact=True)
    showing = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]', has_text="Showing:").first
    toggle.click()
    page.wait_for_function("(el) => /unique/i.test(el.textContent)", arg=showing.element_handle())
    ready(page)
    filtered = page.evaluate("() => window.__newPlots")
    assert filtered > on_topics  # the filter's charts (their subtitle says so) are new: drawn
    toggle.click()  # undone: the unfiltered charts come back
    page.wait_for_function("(el) => !/unique/i.test(el.textContent)", arg=showing.element_handle())
    ready(page)
    assert page.evaluate("() => window.__newPlots") == filtered
    assert _charts_seen_before(page) == [True] * overview

    bar = page.locator(".st-key-ov_cbar_chart .js-plotly-plot g.point path").first
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("p", has_text="Selection:").first.wait_for(timeout=30_000)  # the reused chart's click reached Python
    _no_exception(page)


#: holds every requestIdleCallback until window.__releaseIdle() (the app is then never idle for the chart component)
_HOLD_IDLE = """
(() => {
    const idle = window.requestIdleCallback.bind(window);
    const held = [];
    window.requestIdleCallback = (fn, options) => { held.push([fn, options]); return held.length; };
    window.__releaseIdle = () => {
        window.requestIdleCallback = idle;
        held.splice(0).forEach(([fn, options]) => idle(fn, options));
    };
})();
"""

#: each chart of the page: its element key, whether it is drawn, waiting (out of view), and in view
_CHART_STATES = """() => [...document.querySelectorAll('[data-testid="stElementContainer"][class*="_chart"]')].map((el) => {
    const key = [...el.classList].find((c) => c.startsWith('st-key-')).slice(7);
    const plot = el.querySelector('.newslens-plot');
    const box = el.getBoundingClientRect();
    return {key, drawn: !!(plot && plot.querySelector('.main-svg')),
            waiting: !!(plot && plot.classList.contains('newslens-pending')),
            inView: box.bottom > 0 && box.top < window.innerHeight};
})"""


def _charts_settled(page) -> list[dict]:
    """Wait until the run is over and every chart is drawn or waiting; the charts' states."""
    page.wait_for_function("""() => {
        const app = document.querySelector('[data-testid="stApp"]');
        const plots = [...document.querySelectorAll('.newslens-plot')];
        return app.getAttribute('data-test-script-state') === 'notRunning' && plots.length > 0
            && plots.every((p) => p.querySelector('.main-svg') || p.classList.contains('newslens-pending'));
    }""")
    return page.evaluate(_CHART_STATES)


@contextlib.contextmanager
def _idle_held(browser, dashboard_url: str, path: str, title: str, height: int):
    """A new tab at 1400 x ``height`` with requestIdleCallback held (``window.__releaseIdle()`` lets it run), on
    ``path`` once the page titled ``title`` shows."""
    context = browser.new_context(viewport={"width": 1400, "height": height})
    context.add_init_script(_HOLD_IDLE)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(dashboard_url + path)
        page.locator('[data-testid="stMain"] h1', has_text=title).first.wait_for()
        yield page
    finally:
        context.close()


def test_charts_out_of_view_wait_until_scrolled_into_view_or_idle(browser, dashboard_url):
    """A page draws the charts in view first; one out of view waits until it is scrolled into view or the app is
    idle, and under a new filter it never shows the previous filter's drawing meanwhile."""
    with _idle_held(browser, dashboard_url, "/topics", "Topics", height=700) as page:
        charts = _charts_settled(page)
        assert len(charts) == 4, charts
        assert all(c["drawn"] for c in charts if c["inView"]), charts
        waiting = [c["key"] for c in charts if c["waiting"]]
        assert waiting and all(not c["inView"] and not c["drawn"] for c in charts if c["waiting"]), charts
        assert "tp_country_chart" in waiting

        page.locator(".st-key-tp_country_chart").scroll_into_view_if_needed()
        page.locator(".st-key-tp_country_chart .newslens-plot .main-svg").first.wait_for()
        assert "newslens-pending" not in page.locator(".st-key-tp_country_chart .newslens-plot").get_attribute("class")

        # a new filter, the heatmap now out of view: its old drawing is taken off at once, the new one waits
        page.locator('[data-testid="stMain"] h1').first.scroll_into_view_if_needed()
        showing = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]', has_text="Showing:").first
        page.locator('[data-testid="stSidebar"]').get_by_text("Unique stories only", exact=True).click()
        page.wait_for_function("(el) => /unique/i.test(el.textContent)", arg=showing.element_handle())
        charts = {c["key"]: c for c in _charts_settled(page)}
        assert charts["tp_country_chart"]["waiting"] and not charts["tp_country_chart"]["drawn"], charts
        assert all(c["drawn"] for c in charts.values() if c["inView"]), charts

        page.evaluate("() => window.__releaseIdle()")  # the app is idle: the waiting charts are drawn, one by one
        page.wait_for_function("""() => [...document.querySelectorAll('.newslens-plot')].every(
            (p) => p.querySelector('.main-svg') && !p.classList.contains('newslens-pending'))""")
        _no_exception(page)


def test_the_other_pages_widget_code_is_fetched_once_the_first_page_is_idle(browser, dashboard_url):
    """Once the Overview is drawn and idle, the browser fetches the code of the widgets other pages show (the
    table, the select box...); a first switch to Topics then asks the server for no script or stylesheet at all.
    With idle time held back, nothing is fetched early."""
    with _idle_held(browser, dashboard_url, "/", "Overview", height=900) as page:
        _charts_settled(page)  # the run is over and the charts in view are drawn (idle held: the others wait)
        page.wait_for_timeout(1500)
        hinted = "() => [...document.querySelectorAll('link[rel=modulepreload], link[rel=preload]')].map((l) => l.href)"
        before = page.evaluate(hinted)
        assert not any("/DataFrame." in h for h in before), before  # idle time held: not fetched yet
        page.evaluate("() => window.__releaseIdle()")
        wait_charts_drawn(page)
        page.wait_for_function("() => !!document.querySelector('link[rel=modulepreload][href*=\"/DataFrame.\"]')")
        links = page.evaluate(hinted)
        assert any("/Selectbox." in h for h in links) and any(h.endswith(".css") and "/DataFrame." in h for h in links)
        page.wait_for_load_state("networkidle")
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if r.url.endswith((".js", ".css")) else None)
        page.get_by_role("link", name="Topics").click()
        page.locator('[data-testid="stMain"] h1', has_text="Topics").first.wait_for()
        wait_charts_drawn(page)
        assert page.locator('[data-testid="stDataFrame"]').count() >= 1  # the table drawn from the prefetched code
        assert asked == [], asked
