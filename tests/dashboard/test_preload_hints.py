"""Preload hints (dashboard.preload_hints): the first page's lazily loaded script chunks named in the page HTML."""

from __future__ import annotations

import asyncio
import gzip
import re
import urllib.request

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from dashboard import preload_hints
from tests.support.browser import dashboard_process

INDEX = ('<html><head><script type="module" crossorigin src="./static/js/index.AAA.js"></script>'
         '<link rel="modulepreload" crossorigin href="./static/js/shared.BBB.js"></head><body></body></html>')


def _static(tmp_path):
    js = tmp_path / "static" / "js"
    js.mkdir(parents=True)
    (tmp_path / "index.html").write_text(INDEX)
    (js / "index.AAA.js").write_text('import"./shared.BBB.js";')
    (js / "shared.BBB.js").write_text("export const a=1;")
    (js / "Multiselect.CCC.js").write_text('import{a}from"./shared.BBB.js";import{b}from"./useLabel.DDD.js";')
    (js / "useLabel.DDD.js").write_text('import{c}from"./deep.EEE.js";export const b=2;')
    (js / "deep.EEE.js").write_text('import{b}from"./useLabel.DDD.js";export const c=3;')  # a cycle
    (js / "Slider.FFF.js").write_text('const m=()=>import("./lazy.GGG.js");')  # a dynamic import: not followed
    (js / "lazy.GGG.js").write_text("")
    return tmp_path


def test_the_closure_follows_static_imports_through_cycles_and_skips_unknown_entries(tmp_path):
    root = _static(tmp_path)
    assert preload_hints.chunk_closure(root / "static" / "js", ["Multiselect", "NoSuchWidget", "Slider"]) == [
        "Multiselect.CCC.js", "Slider.FFF.js", "shared.BBB.js", "useLabel.DDD.js", "deep.EEE.js"]


def test_the_hints_leave_out_what_streamlits_page_already_preloads(tmp_path):
    links = preload_hints.hint_links(_static(tmp_path), ["Multiselect"]).decode()
    assert re.findall(r'href="\./static/js/([^"]+)"', links) == ["Multiselect.CCC.js", "useLabel.DDD.js", "deep.EEE.js"]
    assert links.count('<link rel="modulepreload" crossorigin') == 3


def _get(app, path: str, method: str = "GET") -> tuple[int, dict[bytes, bytes], bytes]:
    """Status, headers and body of one request to the ASGI ``app`` (driven directly, no HTTP client)."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [], "scheme": "http", "server": ("test", 80), "client": ("test", 1), "root_path": "",
             "http_version": "1.1"}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in sent
                                                               if m["type"] == "http.response.body")


def test_the_middleware_adds_the_links_to_html_answers_only():
    links = b'<link rel="modulepreload" crossorigin href="./static/js/X.js">'
    packed_page = gzip.compress(b"<html><head></head></html>")

    async def page(request):
        return HTMLResponse("<html><head><title>x</title></head><body>\u00e9</body></html>")

    async def script(request):
        return PlainTextResponse("let a = '</head>';", media_type="text/javascript")

    async def packed(request):
        return Response(packed_page, media_type="text/html", headers={"content-encoding": "gzip"})

    app = Starlette(routes=[Route("/", page), Route("/a.js", script), Route("/packed", packed)],
                    middleware=[Middleware(preload_hints.PreloadHints, links=links)])
    status, headers, body = _get(app, "/")
    assert status == 200
    assert body.decode() == f"<html><head><title>x</title>{links.decode()}</head><body>\u00e9</body></html>"
    assert int(headers[b"content-length"]) == len(body)
    assert _get(app, "/a.js")[2] == b"let a = '</head>';"  # a script is never touched
    assert _get(app, "/packed")[2] == packed_page  # nor a compressed answer
    assert _get(app, "/", method="POST")[0] == 405  # other methods pass through


def test_the_served_dashboard_page_preloads_the_chart_component_and_every_hint_is_served(tmp_path):
    """``python -m dashboard.serve`` (what run.sh starts) names the chunks in its page; each one it names exists."""
    with dashboard_process(tmp_path / "none.duckdb", env={"NEWSLENS_READ_ONLY": "1"}) as (url, _proc, _s):
        page = urllib.request.urlopen(url + "/", timeout=10).read().decode()
        hinted = re.findall(r'<link rel="modulepreload" crossorigin href="\./(static/js/[^"]+)">', page)
        names = {h.rsplit("/", 1)[1].split(".", 1)[0] for h in hinted}
        assert {"BidiComponent", "Multiselect", "DateInput", "TextInput"} <= names
        assert page.count("</head>") == 1 and page.index(hinted[-1]) < page.index("</head>")
        for path in hinted:
            assert urllib.request.urlopen(f"{url}/{path}", timeout=10).status == 200, path
        assert "BidiComponent" in urllib.request.urlopen(url + "/topics", timeout=10).read().decode()
