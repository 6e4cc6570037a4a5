"""Bytes of a saved web page -> text: BOMs, the HTTP charset, <meta charset>, the XML declaration, then UTF-8
validation and byte-pattern detection; every guess or override is a note (``html_encoding_*``) the build counts."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

_RE_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,2000}?-->\s*)*<(?:!doctype\s+html|html|head)\b",
                            re.IGNORECASE | re.DOTALL)
_RE_HTML_ANYWHERE = re.compile(rb"<(?:html|head|body)\b[^>]{0,500}>", re.IGNORECASE)
_RE_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.IGNORECASE)
_RE_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}encoding\s*=\s*["']([A-Za-z0-9_.:\-]{1,40})""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Browsers read these labels as a superset (WHATWG encoding standard): a page labelled latin-1 is cp1252.
_LABEL_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252",
                  "ascii": "cp1252", "iso8859-1": "cp1252", "gb2312": "gb18030", "gbk": "gb18030",
                  "x-sjis": "shift_jis", "shift-jis": "shift_jis", "ks_c_5601-1987": "cp949", "euc-kr": "cp949"}


def looks_like_html(data: bytes) -> bool:
    """True when bytes are an HTML page (a doctype/``<html>``/``<head>`` start, or those tags in the first 4 KB)."""
    head = data[:4096]
    for bom, _ in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
            break
    return bool(_RE_HTML_START.match(head)) or len(_RE_HTML_ANYWHERE.findall(head)) >= 2


def _codec(label: str) -> str | None:
    name = _LABEL_ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


@dataclass
class Decoded:
    text: str
    encoding: str
    how: str  # "bom" | "declared" | "http" | "utf-8" | "detected"
    notes: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)


def decode_html(data: bytes, http_charset: str | None = None) -> Decoded:
    """Decode a page: BOM > HTTP ``charset`` (WARC responses) > ``<meta charset>`` / XML declaration in the first
    4 KB > UTF-8 if valid > byte-pattern detection (charset-normalizer). An unknown declared label or detection is
    noted; bytes invalid in the chosen encoding are replaced and noted."""
    notes: list[tuple[str, str]] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _decode_with(data[len(bom):], enc, "bom", notes)
    labels = []
    if http_charset:
        labels.append(("http", http_charset.decode("ascii", "replace") if isinstance(http_charset, bytes)
                       else http_charset))
    head = data[:4096]
    m = _RE_META_CHARSET.search(head) or _RE_XML_ENCODING.search(head)
    if m:
        labels.append(("declared", m.group(1).decode("ascii", "replace")))
    for how, label in labels:
        enc = _codec(label)
        if enc is None:
            notes.append(("html_encoding_unknown", f"charset {label[:40]!r}"))
            continue
        if enc in ("utf-16-le", "utf-16-be", "utf-16", "utf-32") and b"\x00" not in head:
            continue  # a UTF-16 label on an 8-bit page (a common server mistake) is ignored
        if enc != "utf-8" and _is_utf8_text(data):
            # Saved pages are often re-encoded to UTF-8 with the old <meta charset> left in; valid multi-byte
            # UTF-8 throughout practically never happens by chance in a legacy encoding.
            notes.append(("html_encoding_overridden", f"declared {label[:40]}, bytes are UTF-8"))
            return Decoded(data.decode("utf-8"), "utf-8", "utf-8", notes)
        return _decode_with(data, enc, how, notes)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8", notes)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    enc = _codec(best.encoding) if best is not None else None
    if enc is None:
        enc = "cp1252"
    if not any(k == "html_encoding_unknown" for k, _ in notes):
        notes.append(("html_encoding_guessed", f"read as {enc}"))
    return _decode_with(data, enc, "detected", notes)


_RE_UTF8_MULTI = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _is_utf8_text(data: bytes) -> bool:
    """Valid UTF-8 holding at least a few multi-byte characters (pure ASCII says nothing)."""
    if len(_RE_UTF8_MULTI.findall(data[:100_000])) < 3:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_with(data: bytes, enc: str, how: str, notes: list[tuple[str, str]]) -> Decoded:
    try:
        return Decoded(data.decode(enc), enc, how, notes)
    except UnicodeDecodeError as exc:
        text = data.decode(enc, errors="replace")
        notes.append(("html_invalid_bytes", (f"{text.count(chr(0xFFFD))} byte(s) invalid in {enc}, first at byte "
                                            f"{exc.start}")))
        return Decoded(text, enc, how, notes)


# ---------------------------------------------------------------------------------------------------- metadata
