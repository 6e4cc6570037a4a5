"""Kinds of repair, guess or loss that ingest reports, each with a label and what the user can do about it.

Readers attach ``Note(kind, where, detail)`` values to ``Article.notes``; the build report counts them by kind
(``analysis.pipeline.BuildReport.warn``) and keeps the first examples. A kind's ``severity`` is ``"warning"``
(something was lost, repaired or guessed: ``build --strict`` fails on it) or ``"info"`` (a step worth counting
that loses nothing, e.g. a date read from a publication line).

>>> NOTE_KINDS["front_matter_repaired"].severity
'warning'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Note", "NoteKind", "NOTE_KINDS", "Skipped", "note_kind"]


@dataclass(frozen=True)
class Note:
    """One reported step: ``kind`` (a key of ``NOTE_KINDS``), ``where`` (file and line/record), ``detail``."""

    kind: str
    where: str
    detail: str = ""


@dataclass(frozen=True)
class Skipped:
    """A file that is not an article source and was left out on purpose (a sitemap among the feeds): yielded by
    ``iter_sources`` next to articles and rejections, counted by ``kind`` (a key of ``NOTE_KINDS``) in the build
    report - not a rejection, since nothing is wrong with it."""

    kind: str
    where: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.where}: skipped, {self.detail}"


@dataclass(frozen=True)
class NoteKind:
    label: str
    remedy: str
    severity: str = "warning"  # "warning" | "info"


NOTE_KINDS: dict[str, NoteKind] = {
    "front_matter_repaired": NoteKind(
        "front matter that is not valid YAML/TOML, read line by line",
        "check the header's key: value lines (quote values with colons, indent continuation lines)"),
    "front_matter_unreadable": NoteKind(
        "front matter that could not be read at all (kept in meta, not used as text or title)",
        "write the header as YAML key: value lines between --- lines"),
    "encoding_fallback": NoteKind(
        "file not valid UTF-8, read as cp1252/latin-1",
        "save the file as UTF-8 if the accents look wrong"),
    "invalid_bytes_replaced": NoteKind(
        "invalid UTF-8 bytes replaced by U+FFFD (the rest of the file read as UTF-8)",
        "fix or re-export the named lines"),
    "nul_bytes_removed": NoteKind(
        "NUL bytes removed from a text file",
        "check the export: NUL bytes usually mean a damaged or binary file"),
    "title_only": NoteKind(
        "record without text: kept, marked title-only, left out of keyword and topic statistics",
        "fill in the text column, or map your text column with --map yourcolumn=text"),
    "extra_fields": NoteKind(
        "row with more values than the header has columns (extra values kept in meta)",
        "check the delimiter and quoting of the named rows"),
    "missing_fields": NoteKind(
        "row with fewer values than the header has columns (missing ones left empty)",
        "check the delimiter and quoting of the named rows"),
    "mapped_column_absent": NoteKind(
        "a --map column that this file does not have",
        "check the column name (case-insensitive) against the file's header"),
    "record_unwrapped": NoteKind(
        "record nested one level deep ({section: {title, body}}): read from the inner object, outer key in meta",
        "nothing, if the titles and texts look right"),
    "text_truncated": NoteKind(
        "text cut at the size cap (original length in meta.truncated_from_chars)",
        "split the record into several articles if the end of the text matters"),
    "markdown_to_text": NoteKind(
        "Markdown marks removed from the analysed text (link text kept, URLs and images dropped; raw_text keeps "
        "them; counts per kind in meta.markdown_removed)", "nothing; raw_text keeps the Markdown", "info"),
    "undated": NoteKind(
        "more than a fifth of the added articles have no date",
        "add a date column/front-matter key, or --map yourcolumn=date"),
    "date_unparsed": NoteKind(
        "date value that could not be read (kept in meta.date_raw)",
        "write dates as YYYY-MM-DD, or with a month name and a 4-digit year"),
    "date_from_text": NoteKind(
        "date taken from a publication line or dateline in the text", "nothing, if the dates look right", "info"),
    "source_from_text": NoteKind(
        "source taken from a byline/publication line in the text", "nothing, if the sources look right", "info"),
    "not_english": NoteKind(
        "articles not in English (or of unknown language): kept and shown, left out of the English NER, keyword and "
        "topic statistics", "nothing; filter with --language to look at them", "info"),
    "boilerplate_removed": NoteKind(
        "paragraphs recurring across a source's articles (learned boilerplate) left out of the analysed text",
        "list them with `python -m analysis boilerplate`; keep one with --keep", "info"),
    "headline_repeated": NoteKind(
        "headline pasted again at the top of the body, left out of the analysed text", "nothing; raw_text keeps it",
        "info"),
    "junk_mention": NoteKind(
        "entity mentions dropped as junk, not stored as entities",
        "nothing, if the examples are junk; a name the input writes in lower case is dropped as 'lower case' or "
        "'fragment', and one wrongly 'listed' is on resources/entity_junk.txt (remove it there)", "info"),
    "publication_line_removed": NoteKind(
        "byline/publication/crawl lines kept in raw_text but left out of the analysed text",
        "nothing; raw_text keeps them", "info"),
}


def note_kind(kind: str) -> NoteKind:
    """The registered kind, or a generic warning for a kind another module has not registered yet."""
    return NOTE_KINDS.get(kind) or NoteKind(kind.replace("_", " "), "see the examples")
