"""HTML/JS/Markdown payloads in article titles, texts and sources: nothing executes, nothing is injected, no
request leaves loopback, on every page and in the article reader; the text shows literally."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["Overview", "Keywords", "Topics", "Entities", "Events", "Articles", "Compare", "Data"]


def test_payloads_do_not_execute_on_any_page(page, xss_url, ready, shoot):
    dialogs, foreign = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).hostname not in (
        "127.0.0.1", "localhost", None, "") and not r.url.startswith(("data:", "blob:")) else None)
    page.goto(xss_url + "/")
    ready(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    for title in PAGES:
        nav.get_by_text(title, exact=True).click()
        page.wait_for_timeout(300)
        ready(page, charts=title not in ("Data", "Articles"))
        assert page.locator('[data-testid="stException"]').count() == 0, title
        injected = page.evaluate("""() => ({
            img: document.querySelectorAll('img[src="x"], img[src*="evil.example"]').length,
            script: [...document.scripts].filter(s => s.textContent.includes('alert(1)')).length,
            svg: document.querySelectorAll('svg[onload]').length,
            iframe: document.querySelectorAll('iframe[src*="evil.example"]').length,
            jslink: document.querySelectorAll('a[href^="javascript:"]').length })""")
        assert injected == {"img": 0, "script": 0, "svg": 0, "iframe": 0, "jslink": 0}, (title, injected)
        if title == "Articles":
            shoot(page, "xss-articles")
    # the article list is a canvas data grid (its cells are not DOM text); the reader is opened via a deep link
    # when the dashboard offers one, otherwise only non-execution is checked here
    assert dialogs == [], dialogs
    # fonts.gstatic.com: the favicon of page_icon=":material/newspaper:" (see test_no_request_leaves_loopback)
    assert [u for u in foreign if "fonts.gstatic.com" not in u] == [], foreign[:5]


def test_no_request_leaves_loopback(page, xss_url, ready):
    foreign = []
    page.on("request", lambda r: foreign.append(r.url) if urlparse(r.url).hostname not in (
        "127.0.0.1", "localhost", None, "") and not r.url.startswith(("data:", "blob:")) else None)
    page.goto(xss_url + "/")
    ready(page)
    page.wait_for_timeout(1000)
    assert foreign == []


URL_PAYLOADS = ["![t](http://evil.example/track.png)", "[Session expired: log in again](http://evil.example/login)",
                ":red[**WARNING**]"]


def test_url_parameters_render_as_text_and_fetch_nothing(page, xss_url, ready):
    """Issue 19 item 6: the URL-parameter warning shows the value literally: no image fetched from evil.example,
    no link to it, no styled text."""
    from urllib.parse import quote

    evil = []
    page.on("request", lambda r: evil.append(r.url) if "evil.example" in (urlparse(r.url).hostname or "") else None)
    for key, value in [("since", v) for v in URL_PAYLOADS] + [("b_until", URL_PAYLOADS[0])]:
        page.goto(f"{xss_url}/?{key}={quote(value)}")
        ready(page, charts=False)
        alert = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').first
        alert.wait_for()
        assert value in alert.inner_text().replace("\u2060", ""), (value, alert.inner_text())  # see dashboard.text
        found = page.evaluate("""() => ({
            img: document.querySelectorAll('img[src*="evil.example"]').length,
            link: document.querySelectorAll('a[href*="evil.example"]').length,
            red: document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stAlert"] strong, '
                                           + '[data-testid="stSidebar"] [data-testid="stAlert"] span[class*="red"]')
                 .length })""")
        assert found == {"img": 0, "link": 0, "red": 0}, (value, found)
    page.wait_for_timeout(500)
    assert evil == [], evil
