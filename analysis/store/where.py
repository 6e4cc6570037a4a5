"""A :class:`analysis.filters.Filter` as SQL: the WHERE clause every read query shares, built only from fixed
fragments, every value bound as a parameter.

A text query is not a ``?`` value but a table: the uids of the articles holding every word, scanned once per
query string by the store and registered on the query's cursor as :class:`Relation` (its name generated here,
never user text), so all the charts of a page semi-join the same scan.
"""

from __future__ import annotations

import itertools
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.filters import Filter

_RELATION_IDS = itertools.count()


@dataclass(frozen=True)
class Relation:
    """A query parameter that is a table, not a value: registered on the cursor under ``name`` (a name this module
    generates, never user text) instead of being bound to a ``?``. Used for the uids a text query matched."""

    name: str
    table: Any


def split_params(params: Sequence[Any] | None) -> tuple[list[Any], list[Relation]]:
    """(values bound to ``?``, relations registered on the cursor) of a query's parameters."""
    values, relations = [], []
    for p in params or []:
        (relations if isinstance(p, Relation) else values).append(p)
    return values, relations


def query_terms(query: str) -> list[str]:
    """Lower-cased words of a text query; quoted phrases kept whole (at most 20)."""
    try:
        parts = shlex.split(query)
    except ValueError:  # unbalanced quote: fall back to plain words
        parts = query.replace('"', " ").split()
    return [p.lower() for p in parts if p.strip()][:20]


def text_scan_sql(n_words: int) -> str:
    """SELECT of the uids whose title or text contains each of ``n_words`` bound words (two ``?`` per word)."""
    cond = " AND ".join(["(contains(lower(a.title), ?) OR contains(lower(a.text), ?))"] * n_words)
    return f"SELECT a.uid FROM articles a WHERE {cond}"


def where_clause(f: Filter, text_match: Callable[[tuple[str, ...]], Any], alias: str = "a") -> tuple[str, list[Any]]:
    """WHERE clause (fixed fragments) and bound parameters for ``f`` over ``articles AS alias``;
    ``text_match(words)`` gives the table (uid) of the articles matching a text query."""
    clauses: list[str] = []
    params: list[Any] = []
    if f.countries:
        clauses.append(
            f"{alias}.uid IN (SELECT uid FROM article_countries WHERE list_contains(?::VARCHAR[], iso2) AND weight >= ?)"
        )
        params += [list(f.countries), f.min_country_weight]
    if f.topics:
        # paragraph topics (small corpora) count too: an article is "in" a topic any of its paragraphs is in
        clauses.append(
            f"""({alias}.uid IN (SELECT uid FROM article_topics WHERE list_contains(?::INTEGER[], topic_id))
                 OR {alias}.uid IN (SELECT uid FROM paragraph_topics WHERE list_contains(?::INTEGER[], topic_id)))"""
        )
        params += [list(f.topics), list(f.topics)]
    if f.sources:
        clauses.append(f"list_contains(?::VARCHAR[], {alias}.source)")
        params.append(list(f.sources))
    if f.languages:
        clauses.append(f"list_contains(?::VARCHAR[], {alias}.language)")
        params.append(list(f.languages))
    for entity_id in f.entities:
        clauses.append(f"{alias}.uid IN (SELECT uid FROM entity_articles WHERE entity_id = ?)")
        params.append(entity_id)
    if f.since:
        clauses.append(f"{alias}.date >= ?")
        params.append(f.since)
    if f.until:
        clauses.append(f"{alias}.date <= ?")
        params.append(f.until)
    words = query_terms(f.query)
    if words:
        # the text scan runs once per query string, not once per chart: later queries semi-join the matching
        # uids, registered on their cursor as a table
        relation = f"nl_text_{next(_RELATION_IDS)}"  # generated here, never user text
        clauses.append(f"{alias}.uid IN (SELECT uid FROM {relation})")
        params.append(Relation(relation, text_match(tuple(words))))
    if f.unique:
        clauses.append(f"{alias}.story_head")
    return (" AND ".join(clauses) or "TRUE"), params
