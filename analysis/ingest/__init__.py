"""Ingest: every input format -> canonical ``analysis.model.Article`` records (plus ``Rejection`` for bad input).

>>> from analysis.ingest import iter_sources
>>> records = list(iter_sources(["../shared/seeds"]))          # doctest: +SKIP
>>> [r.title for r in records if not isinstance(r, Rejection)]  # doctest: +SKIP

Formats: ``.txt``/``.md`` (title on the first line or YAML front matter), CSV/TSV, JSON, JSONL, Parquet, Reuters-21578
SGML, and ``.zip``/``.tar``/``.tar.gz``/``.tgz`` archives of those (read in memory, never extracted), plus single
``.gz`` files. Submodules: ``clean`` (text cleaning), ``dates`` (date parsing), ``dedupe`` (hashes and
near-duplicate groups), ``records`` (column rules, language guess).

Size policy: text longer than ``MAX_TEXT_CHARS`` (5,000,000 characters) is cut, and ``meta["truncated_from_chars"]``
records the original length (the article is kept, not rejected).
"""

from analysis.ingest.archives import ArchiveLimits
from analysis.ingest.clean import clean_text, clean_title
from analysis.ingest.dates import date_from_text, parse_date
from analysis.ingest.dedupe import content_hash, group_near_duplicates, normalise_for_hash, story_key
from analysis.ingest.records import MAX_TEXT_CHARS
from analysis.ingest.sources import SUPPORTED_SUFFIXES, count_inputs, iter_sources
from analysis.model import Article, Rejection

__all__ = [
    "iter_sources",
    "count_inputs",
    "SUPPORTED_SUFFIXES",
    "ArchiveLimits",
    "MAX_TEXT_CHARS",
    "clean_text",
    "clean_title",
    "parse_date",
    "date_from_text",
    "content_hash",
    "story_key",
    "normalise_for_hash",
    "group_near_duplicates",
    "Article",
    "Rejection",
]
