"""Per-file text decoding: BOMs, UTF-8 (bad bytes replaced line by line), a cp1252/latin-1 fallback only for files
that are not UTF-8 at all, stray NUL bytes removed; binary files detected.

>>> d = decode_text("Café".encode("utf-8") + b"\\nna\\xefve\\n")
>>> (d.text, d.encoding, d.bad_lines)
('Café\\nna\\ufffdve\\n', 'utf-8', [2])
"""

from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass, field

__all__ = ["decode_bytes", "decode_text", "Decoded", "looks_binary"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bomless_utf16(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the first KB looks like BOM-less UTF-16 text (ASCII with NULs interleaved)."""
    if len(head) < 16:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """True when the first KB holds NUL bytes and is not UTF-16/32 text (nor text with a few stray NULs)."""
    head = data[:1024]
    if b"\x00" not in head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    return _bomless_utf16(head) is None and not _text_with_stray_nuls(data)


_RE_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _text_with_stray_nuls(data: bytes) -> bool:
    """Text damaged by a few NUL bytes (a crawler's write error) rather than a binary file: in the first 4 KB at
    most 1% of the bytes are control characters. Binary formats (images, archives) are full of them."""
    head = data[:4096]
    return len(_RE_CONTROL.findall(head)) <= max(1, len(head) // 100)


# A valid UTF-8 multi-byte sequence: many of them beside a few bad bytes means a UTF-8 file with damage, not cp1252.
_RE_UTF8_MULTI = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]|"
    rb"\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
MAX_LINES_LISTED = 1000


@dataclass
class Decoded:
    """``text`` (None for a binary file), ``encoding`` (or the reason it is binary), 1-based ``bad_lines`` where
    invalid bytes were replaced, ``nul_lines`` where NUL bytes were removed, ``fallback``: read as cp1252/latin-1."""

    text: str | None
    encoding: str
    bad_lines: list[int] = field(default_factory=list)
    nul_lines: list[int] = field(default_factory=list)
    fallback: bool = False


def _line_numbers(data: bytes, positions: list[int]) -> list[int]:
    newlines = [m.start() for m in re.finditer(rb"\n", data)]
    lines = sorted({bisect.bisect_left(newlines, p) + 1 for p in positions})
    return lines[:MAX_LINES_LISTED]


def _bad_utf8_lines(data: bytes, replaced: str) -> list[int]:
    """1-based lines of ``data`` holding invalid UTF-8 (``replaced`` is ``data`` decoded with "replace")."""
    if "\ufffd" not in replaced:
        return []
    raw_lines = data.split(b"\n")
    out = []
    for i, line in enumerate(replaced.split("\n")):
        if "\ufffd" in line:
            try:
                raw_lines[i].decode("utf-8")
            except UnicodeDecodeError:
                out.append(i + 1)
                if len(out) >= MAX_LINES_LISTED:
                    break
    return out


def decode_text(data: bytes) -> Decoded:
    """Decode one file's bytes, saying what was repaired.

    BOM-marked UTF-8/16/32 and BOM-less UTF-16 as such; otherwise UTF-8. A file with invalid UTF-8 bytes stays
    UTF-8 (bad bytes -> U+FFFD, their lines in ``bad_lines``) when it also holds valid multi-byte UTF-8 sequences
    at least as often as bad ones; only a file that is not UTF-8 at all is read as cp1252 (latin-1 if it holds one
    of cp1252's undefined bytes), with ``fallback`` set. A few stray NUL bytes in text are removed
    (``nul_lines``); NULs in a binary-looking file give ``text=None``.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(enc), enc)
            except UnicodeDecodeError:
                return Decoded(data.decode(enc, "replace"), enc, bad_lines=[0])
    nul_lines: list[int] = []
    if b"\x00" in data:
        head = data[:1024]
        enc16 = _bomless_utf16(head) if b"\x00" in head else None
        if enc16 is not None:
            return Decoded(data.decode(enc16, "replace"), enc16)
        if not _text_with_stray_nuls(data):
            return Decoded(None, "binary file (NUL bytes in the first KB)")
        nul_lines = _line_numbers(data, [m.start() for m in re.finditer(rb"\x00", data)])
        data = data.replace(b"\x00", b"")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", nul_lines=nul_lines)
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", "replace")
    n_bad = replaced.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    if len(_RE_UTF8_MULTI.findall(data)) >= n_bad:
        return Decoded(replaced, "utf-8", bad_lines=_bad_utf8_lines(data, replaced), nul_lines=nul_lines)
    try:
        return Decoded(data.decode("cp1252"), "cp1252", nul_lines=nul_lines, fallback=True)
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1", nul_lines=nul_lines, fallback=True)


def decode_bytes(data: bytes) -> tuple[str | None, str]:
    """``(text, encoding)`` of ``decode_text`` without the repair details; ``(None, reason)`` for a binary file."""
    d = decode_text(data)
    return d.text, d.encoding
