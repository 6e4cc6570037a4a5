"""Per-file text decoding: BOMs, UTF-8, then a cp1252/latin-1 fallback; binary files detected."""

from __future__ import annotations

import codecs

__all__ = ["decode_bytes", "looks_binary"]

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
    """True when the first KB holds NUL bytes and is not UTF-16/32 text."""
    head = data[:1024]
    if b"\x00" not in head:
        return False
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    return _bomless_utf16(head) is None


def decode_bytes(data: bytes) -> tuple[str | None, str]:
    """Decode one file's bytes.

    Returns ``(text, encoding)`` on success, where encoding is one of ``utf-8``, ``utf-8-sig``, ``utf-16``,
    ``utf-16-le``, ``utf-16-be``, ``utf-32``, ``cp1252``, ``latin-1``; or ``(None, reason)`` for a binary file.
    UTF-8 is tried strictly; a file that is not valid UTF-8 is read as cp1252 (a superset of latin-1's printable
    range, so a raw 0xA3 reads as "£"), and as latin-1 if it holds one of cp1252's five undefined bytes.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                return data.decode(enc, "replace"), enc
    head = data[:1024]
    if b"\x00" in head:
        enc16 = _bomless_utf16(head)
        if enc16 is None:
            return None, "binary file (NUL bytes in the first KB)"
        return data.decode(enc16, "replace"), enc16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"
