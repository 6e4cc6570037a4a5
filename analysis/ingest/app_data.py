"""An article body a page carries only in its embedded app data, not in its HTML.

Sites built with Next.js may send the article as data for the browser to render: the page's HTML then has the
headline and the menus, and the body sits in a script, either the App Router's flight data
(``self.__next_f.push([1, "..."])``, a stream of ``id:payload`` rows whose payloads are JSON or ``T<hex length>,``
text) or the Pages Router's ``<script id="__NEXT_DATA__">`` JSON. trafilatura reads the HTML only and finds no main
text (a Korean daily's page in ``../shared/corpora/scraped/html/fundus``: rejected as "no main text found" although
its 27 paragraphs were in the page). :func:`app_data_body` finds the body there: the longest string of the data
that is HTML with at least :data:`MIN_PARAGRAPHS` paragraphs. It is used only when the HTML gave no main text, and
``analysis.ingest.html`` counts each use (note ``html_body_from_app_data``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

#: a string of the app data is a body when it holds at least this many <p> elements
MIN_PARAGRAPHS = 3
_MAX_STRINGS = 200_000  # strings looked at per page (a bound on hostile input)
_RE_FLIGHT = re.compile(r"""self\.__next_f\.push\(\[\s*1\s*,\s*("(?:[^"\\]|\\.)*")\s*\]\)""", re.DOTALL)
_RE_NEXT_DATA = re.compile(r"""<script\b[^>]*\bid=["']__NEXT_DATA__["'][^>]*>(.*?)</script>""",
                           re.DOTALL | re.IGNORECASE)
_RE_ROW = re.compile(r"([0-9a-zA-Z]+):")
_RE_TEXT_ROW = re.compile(r"([0-9a-zA-Z]+):T([0-9a-fA-F]+),")  # .match(s, pos): anchored at pos
_RE_P = re.compile(r"<p[\s>]", re.IGNORECASE)
_RE_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def app_data_body(html_text: str) -> tuple[str, str] | None:
    """``(HTML of the body, where it was found)`` for a page whose app data holds its article as HTML, else None.
    ``where`` is ``"Next.js flight data"`` or ``"__NEXT_DATA__"``."""
    for where, strings in (("Next.js flight data", _flight_strings(html_text)),
                           ("__NEXT_DATA__", _next_data_strings(html_text))):
        best = None
        for i, value in enumerate(strings):
            if i >= _MAX_STRINGS:
                break
            if len(_RE_P.findall(value)) >= MIN_PARAGRAPHS and (best is None or len(value) > len(best)):
                best = value
        if best is not None:
            return best, where
    return None


def _flight_strings(html_text: str) -> Iterator[str]:
    """Every string of the App Router's flight data: its text rows, and the string values of its JSON rows."""
    if "__next_f" not in html_text:
        return
    chunks = []
    for m in _RE_FLIGHT.finditer(html_text):
        try:
            chunks.append(json.loads(m.group(1)))
        except ValueError:
            continue
    flight = "".join(chunks)
    pos = 0
    while pos < len(flight):
        text_row = _RE_TEXT_ROW.match(flight, pos)
        if text_row:  # "id:T<hex>," then that many UTF-8 bytes of text
            start = text_row.end()
            size = int(text_row.group(2), 16)
            text = flight[start:].encode("utf-8")[:size].decode("utf-8", errors="ignore")
            yield text
            pos = start + len(text)
            continue
        end = flight.find("\n", pos)
        end = len(flight) if end < 0 else end
        row = flight[pos:end]
        pos = end + 1
        head = _RE_ROW.match(row)
        payload = row[head.end():] if head else row
        try:
            yield from _strings(json.loads(payload))
        except ValueError:  # not JSON ("I[...]" module rows and the like): its string literals
            for literal in _RE_JSON_STRING.findall(payload):
                try:
                    yield json.loads(f'"{literal}"')
                except ValueError:
                    continue


def _next_data_strings(html_text: str) -> Iterator[str]:
    m = _RE_NEXT_DATA.search(html_text)
    if not m:
        return
    try:
        yield from _strings(json.loads(m.group(1)))
    except ValueError:
        return


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
