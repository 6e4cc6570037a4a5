"""Untrusted text -> Markdown that shows exactly that text: the one escaping helper of every dashboard message.

Streamlit renders the body of ``st.markdown``/``caption``/``info``/``warning``/``error``/``success``/``toast`` and
expander labels as Markdown (links, images, ``:red[...]`` directives, ``$math$``, emoji shortcodes). Any value that
comes from the corpus, the URL, a file name or an exception goes through :func:`safe_markdown` before it is put into
such a string. No Streamlit import here, so ``dashboard.state`` and ``dashboard.components`` can both use it.
"""

from __future__ import annotations

import re
from typing import Any

from analysis.ingest.invisible import show_format_chars

__all__ = ["WORD_JOINER", "exception_text", "safe_markdown", "show_format_chars"]

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones that start Markdown,
# Streamlit directives (:color[...], :material/...:, emoji shortcodes) or LaTeX ($). & < > become HTML entities so
# no tag survives, even in renderers that allow raw HTML.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$=^\"'])")
# Streamlit's Markdown (GFM) turns bare URLs and e-mail addresses into links after escapes are resolved, so escaping
# cannot stop it: a word joiner (U+2060, invisible, zero width) before the ":" of a scheme, the "." after "www" and
# every "@" breaks the pattern and the text still reads the same.
_RE_AUTOLINK = re.compile(r"(?i)(?<![^\W_])(https?|ftp|mailto|xmpp|www)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"


def safe_markdown(text: Any) -> str:
    """Untrusted text -> Markdown that renders as exactly that text (no HTML, links, images, formatting, LaTeX).

    ``&<>`` become entities; Markdown punctuation is backslash-escaped, so ``[x](javascript:alert(1))`` comes out as
    ``\\[x\\]\\(javascript\\:alert\\(1\\)\\)`` (literal text, no link). Bare URLs and e-mail addresses get an
    invisible word joiner so they are not auto-linked. Format characters are shown as ``⟨U+XXXX⟩``
    (see :func:`analysis.ingest.invisible.show_format_chars`). Line breaks are kept.
    """
    if text is None:
        return ""
    s = show_format_chars(str(text))
    s = _RE_AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, s)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    # single newlines would join lines; keep the text's own line structure
    return s.replace("\r\n", "\n").replace("\n", "  \n")


def exception_text(exc: BaseException) -> str:
    """``"TypeName: message"`` of an exception, escaped for a Markdown message."""
    return safe_markdown(f"{type(exc).__name__}: {exc}")
