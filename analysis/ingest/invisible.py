"""Unicode format characters (category Cf): invisible, and some reorder what a reader sees.

``"Invoice \\u202egpj.exe"`` shows as "Invoice exe.jpg"; zero-width spaces split a word for search but not for the eye;
a soft hyphen or a BOM in mid-text breaks tokens. Ingest removes them from every displayed and analysed field (title,
text, source, url, author) and keeps them in ``raw_text``; the build summary counts the articles changed.

>>> strip_format_chars("Invoice \\u202egpj.exe")
('Invoice gpj.exe', 1)
"""

from __future__ import annotations

import re

__all__ = ["FORMAT_CHAR_RANGES", "show_format_chars", "strip_format_chars"]

#: Every code point of category Cf in Unicode 14-16 (Python 3.11-3.13), as inclusive ranges: soft hyphen, Arabic
#: number signs and letter mark, Syriac/Mongolian format marks, zero-width space/joiners, LRM/RLM, bidi embeddings
#: and overrides (U+202A-202E), word joiner and invisible operators, bidi isolates (U+2066-2069), BOM, interlinear
#: annotation, Kaithi/Egyptian/shorthand/musical format controls, tag characters. Checked against ``unicodedata`` in
#: tests/hostile/test_invisible.py (a literal table: computing it at import costs 0.3 s).
FORMAT_CHAR_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891),
    (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
_RE_FORMAT = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in FORMAT_CHAR_RANGES) + "]")


def strip_format_chars(text: str | None) -> tuple[str | None, int]:
    """``(text without format characters, how many were removed)``; ``None`` stays ``None``."""
    if not text:
        return text, 0
    cleaned, n = _RE_FORMAT.subn("", text)
    return cleaned, n


def show_format_chars(text: str) -> str:
    """Each format character replaced by a visible ``⟨U+202E⟩`` (for display of values ingest does not clean:
    ids, file names, exception texts, stores built before this check)."""
    return _RE_FORMAT.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)
