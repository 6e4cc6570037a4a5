"""Preload hints for a first open: the page HTML names the script chunks the Overview will ask for.

Streamlit's front end loads each widget's code (the multiselect, the date input, the chart component...) lazily,
once the first script run's messages name that widget: on a cold first open that is ~1.7 s in, and the ~50 chunks
then queue on HTTP/1.1's six connections, the chart component's among the last (requested at 1.75 s, received at
2.3 s on the 15k store; the network sat idle from 0.1 s to 1.7 s while the main bundle ran). Listing them as
``<link rel="modulepreload">`` in the page HTML fetches them in that idle time, so the widgets and the charts mount
as soon as their messages arrive. Streamlit's own ``index.html`` preloads its main chunks the same way; this adds
the ones of :data:`FIRST_PAGE_CHUNKS` and everything they import.

Only ``python -m dashboard.serve`` (``./run.sh``) installs it (:func:`install`); ``streamlit run dashboard/app.py``
serves Streamlit's page unchanged. The chunk files are found by name in the installed Streamlit's static folder,
so a Streamlit upgrade that renames one only loses its hint. ``bench/bench_first_open.py`` measures the effect.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: the lazily loaded chunks of what the sidebar and the Overview draw in a first run (the entry module of each
#: widget kind: its file is ``<name>.<hash>.js``); what they import is added by :func:`chunk_closure`
FIRST_PAGE_CHUNKS = ("BidiComponent", "Multiselect", "DateInput", "TextInput", "Slider", "Checkbox", "Button",
                     "Metric")
_RE_IMPORT = re.compile(r"""(?:from|import)\s*["']\./([\w.\-]+\.js)["']""")
_RE_PRELOADED = re.compile(r"""<(?:link|script)[^>]*?(?:href|src)=["']\./static/js/([\w.\-]+\.js)["']""")


def static_dir() -> Path:
    import streamlit

    return Path(streamlit.__file__).parent / "static"


def chunk_closure(js_dir: Path, entries: Iterable[str]) -> list[str]:
    """File names of the chunks named ``entries`` (``"Multiselect"`` -> ``Multiselect.<hash>.js``) and of every
    chunk they import, directly or not (static imports only), in a stable order; unknown names are skipped."""
    files = {p.name for p in js_dir.glob("*.js")}
    by_entry = {name.split(".", 1)[0]: name for name in sorted(files) if name.count(".") == 2}
    todo = [by_entry[e] for e in entries if e in by_entry]
    seen: dict[str, None] = {}
    while todo:
        name = todo.pop(0)
        if name in seen or name not in files:
            continue
        seen[name] = None
        todo.extend(_RE_IMPORT.findall((js_dir / name).read_text(encoding="utf-8", errors="replace")))
    return list(seen)


def hint_links(root: Path | None = None, entries: Iterable[str] = FIRST_PAGE_CHUNKS) -> bytes:
    """The ``<link rel="modulepreload">`` elements to add to Streamlit's page: the chunks of ``entries`` that its
    ``index.html`` does not already preload."""
    root = root or static_dir()
    index = (root / "index.html").read_text(encoding="utf-8", errors="replace")
    already = set(_RE_PRELOADED.findall(index))
    names = [n for n in chunk_closure(root / "static" / "js", entries) if n not in already]
    return "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{n}">' for n in names).encode()


class PreloadHints:
    """ASGI middleware: an HTML answer (Streamlit's page, served for ``/`` and every page's path) gets ``links``
    right before its ``</head>``; every other answer passes untouched."""

    def __init__(self, app: Any, links: bytes | None = None) -> None:
        self.app = app
        self.links = hint_links() if links is None else links

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or not self.links:
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        body: list[bytes] = []

        async def capture(message: dict) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if not headers.get(b"content-type", b"").startswith(b"text/html") or b"content-encoding" in headers:
                    start = None
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            html = b"".join(body).replace(b"</head>", self.links + b"</head>", 1)
            headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(html)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": html})

        await self.app(scope, receive, capture)


def install() -> None:
    """Add :class:`PreloadHints` to the middleware of the Starlette app Streamlit builds (innermost, so it sees
    the page before compression). Without Streamlit's Starlette server (another version), nothing changes; a note
    on stderr says so."""
    try:
        from starlette.middleware import Middleware
        from streamlit.web.server.starlette import starlette_app

        links = hint_links()
    except (ImportError, OSError) as exc:
        print(f"newslens: no preload hints for a first open ({exc})", file=sys.stderr)
        return
    original = starlette_app.create_streamlit_middleware
    if getattr(original, "newslens_hints", False):
        return

    def with_hints() -> list:
        return [*original(), Middleware(PreloadHints, links=links)]

    with_hints.newslens_hints = True  # type: ignore[attr-defined]
    starlette_app.create_streamlit_middleware = with_hints
