"""Canonical records shared by every reader and the pipeline.

Every input format becomes :class:`Article` rows; anything that cannot becomes a :class:`Rejection`
that names the file (and record) and says what to do, so a build never crashes on bad input.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

#: Where an article's date came from. ``none`` means undated: NewsLens never invents a date.
DATE_SOURCES = ("metadata", "dateline", "text", "none")


@dataclass
class Article:
    """One article as read from the user's input.

    ``id`` is the input's own id (a folder file's path relative to the folder given, a CSV/JSON ``id`` column, a
    Reuters NEWID as ``reuters-N``), so exports join back to the user's data. ``text`` is cleaned; ``raw_text`` keeps
    the original so nothing is lost. ``date`` is a calendar day or ``None`` (undated).
    """

    id: str
    title: str
    text: str
    raw_text: str = ""
    date: dt.date | None = None
    date_source: str = "none"
    source: str | None = None
    url: str | None = None
    language: str | None = "en"
    origin: str = ""  # where it came from: "path/to/file.csv:line 12", "archive.zip!a/b.txt"
    meta: dict[str, Any] = field(default_factory=dict)
    #: repairs and guesses made while reading it (``analysis.ingest.notes.Note``), counted by the build report
    notes: list[Any] = field(default_factory=list, compare=False, repr=False)


@dataclass
class Rejection:
    """A file or record that could not become an article: ``origin`` names the file (and line/record)."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"
