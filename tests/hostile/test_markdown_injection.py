"""Markdown injection (issue 19, item 6): a value from the URL, the corpus, a file name or an exception never renders
as Markdown. ``/?since=![t](http://evil.example/track.png)`` must not make the browser fetch an image,
``[Session expired: log in again](http://evil.example/login)`` must not become a link, ``:red[**WARNING**]`` must not
be styled. Every such value goes through :func:`dashboard.text.safe_markdown`.

Checks: (1) static: every Streamlit call that renders Markdown (messages, captions, labels, help texts) is given
only literals, numbers with a format spec, or escaped values; (2) the helper on a list of payloads, rendered by a
CommonMark parser: no link, image, emphasis or directive, nothing GFM would auto-link, the value shown literally;
(3) AppTest: the three URLs of the issue under four URL keys. tests/browser/test_xss.py checks the same URLs in
Chromium (no request to evil.example)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from dashboard.text import WORD_JOINER, exception_text, safe_markdown
from tests.support.source import parse_source

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "dashboard"
APP = str(DASHBOARD / "app.py")

#: Streamlit calls whose first argument (or ``body``/``label``) is rendered as Markdown
MARKDOWN_CALLS = {"markdown", "caption", "info", "warning", "error", "success", "toast", "expander", "popover",
                  "title", "header", "subheader", "write", "button", "link_button", "page_link", "checkbox",
                  "toggle", "tabs", "status", "spinner", "metric", "download_button", "radio", "text_input",
                  "selectbox", "multiselect", "slider", "file_uploader", "number_input", "date_input"}
#: calls that return escaped Markdown (or numbers); a variable holding escaped Markdown has a name ending in "_md"
ESCAPERS = {"safe_markdown", "exception_text", "_escape", "highlight_markdown", "local_only_note", "len", "int",
            "float", "round"}


def _safe(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_safe(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return node.format_spec is not None or _safe(node.value)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in ESCAPERS
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _safe(node.left) and _safe(node.right)
    if isinstance(node, ast.Name):
        return node.id.endswith("_md")
    if isinstance(node, ast.IfExp):
        return _safe(node.body) and _safe(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_safe(e) for e in node.elts)
    return False


def _unescaped_markdown(path: Path) -> list[str]:
    found = []
    for node in ast.walk(parse_source(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in MARKDOWN_CALLS):
            continue
        shown = [kw.value for kw in node.keywords if kw.arg in ("body", "label", "help", "text")]
        if node.args and node.func.attr != "write":
            shown.insert(0, node.args[0])
        elif node.func.attr == "write":
            shown += node.args
        for value in shown:
            if not _safe(value):
                found.append(f"{path.relative_to(REPO)}:{node.lineno} .{node.func.attr}({ast.unparse(value)[:60]})")
    return found


def test_every_markdown_call_gets_escaped_values():
    offenders = [o for p in sorted(DASHBOARD.rglob("*.py")) for o in _unescaped_markdown(p)]
    assert offenders == []


def test_the_static_check_catches_an_unescaped_value(tmp_path):
    probe = REPO / "dashboard" / "_probe_markdown.py"  # inside REPO so relative_to works; removed at once
    probe.write_text('import streamlit as st\ndef f(exc, v):\n    st.error(f"failed: {exc}")\n'
                     '    st.warning("x" + v)\n    st.info(str(v))\n    st.caption(f"{len(v)} ok {v:,}")\n'
                     '    st.success(f"{safe_markdown(v)}")\n', encoding="utf-8")
    try:
        assert len(_unescaped_markdown(probe)) == 3
    finally:
        probe.unlink()


# ------------------------------------------------------------------------------------------ rendered Markdown
EVIL = ["![t](http://evil.example/track.png)", "[Session expired: log in again](http://evil.example/login)",
        ":red[**WARNING**]", "<img src=x onerror=alert(1)>", "$x^2$", "`code` *em* __b__", "<b>bold</b> &amp;",
        "https://evil.example/autolink", "<http://evil.example/>", ":material/warning: :smile:", "a\\]b\\)",
        "# heading", "> quote", "1. list", "---", "| a | b |", "~~strike~~", "line\nbreak", "\u202eexe.jpg",
        "www.evil.example/x", "mail admin@evil.example now", "HTTPS://EVIL.EXAMPLE", "mailto:x@evil.example"]
#: what GFM (Streamlit's Markdown) auto-links in text, escapes or not: a bare URL, www., an e-mail address
_AUTOLINK = re.compile(r"(?i)(?<![^\W_])(?:https?://|ftp://|www\.|mailto:|xmpp:)|[-.\w+]@[-\w]")


def _html(md: str) -> str:
    return MarkdownIt("commonmark", {"html": True, "linkify": True}).enable("linkify").render(md) \
        if _has_linkify() else MarkdownIt("commonmark", {"html": True}).render(md)


def _has_linkify() -> bool:
    try:
        import linkify_it  # noqa: F401
    except ImportError:
        return False
    return True


def _text_of(html: str) -> str:
    import html as h

    return h.unescape(re.sub(r"<[^>]+>", "", html)).strip()


@pytest.mark.parametrize("value", EVIL)
def test_safe_markdown_renders_as_the_literal_text(value):
    md = safe_markdown(value)
    html = _html(md)
    assert not re.search(r"<(a|img|em|strong|code|h\d|blockquote|ol|ul|hr|table|del|b)\b", html), html
    shown = _text_of(html).replace("\n", " ").replace(WORD_JOINER, "")
    expected = value.replace("\u202e", "⟨U+202E⟩").replace("\n", " ")
    assert re.sub(r"\s+", " ", shown) == re.sub(r"\s+", " ", expected)
    # Streamlit's own syntax (not CommonMark): no unescaped ":" (directives, icons, emoji) and no unescaped "$"
    assert not re.search(r"(?<!\\)[:$]", md)
    # and nothing GFM would auto-link, once escapes are resolved
    assert not _AUTOLINK.search(_text_of(html)), _text_of(html)


def test_exception_text():
    assert exception_text(ValueError("[x](http://evil.example)")) == \
        f"ValueError\\: \\[x\\]\\(http{WORD_JOINER}\\://evil\\.example\\)"


# ------------------------------------------------------------------------------------------ the URL, in AppTest
URLS = ["![t](http://evil.example/track.png)", "[Session expired: log in again](http://evil.example/login)",
        ":red[**WARNING**]"]


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> Path:
    from analysis.pipeline import BuildOptions, build

    folder = tmp_path_factory.mktemp("mdinj")
    (folder / "a.txt").write_text("Harbour reopens\n\nThe port of Busan reopened on Monday.", encoding="utf-8")
    store = folder / "s.duckdb"
    build([str(folder / "a.txt")], store, BuildOptions(enrich=False, topics=False))
    return store


def _run(monkeypatch, store: Path, params: dict[str, str], page: str | None = None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NEWSLENS_STORE", str(store))
    monkeypatch.delenv("NEWSLENS_READ_ONLY", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("value", URLS)
@pytest.mark.parametrize("key", ["since", "b_until", "topic", "about"])
def test_url_values_show_literally_in_the_warning(monkeypatch, tiny_store, key, value):
    at = _run(monkeypatch, tiny_store, {key: value})
    bodies = [w.value for w in at.sidebar.warning]
    assert len(bodies) == 1, bodies
    html = _html(bodies[0])
    assert "<a " not in html and "<img" not in html and "<strong" not in html, html
    assert not re.search(r"(?<!\\)[:$]", bodies[0]), bodies[0]
    assert value in _text_of(html).replace(WORD_JOINER, ""), (value, _text_of(html))
    assert not _AUTOLINK.search(_text_of(html)), _text_of(html)
