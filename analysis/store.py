"""The DuckDB store: schema, versioned writes and every query. The only module that writes SQL.

Layout: one DuckDB file (default ``data/newslens.duckdb``). A build never writes the live file: it copies it,
writes the copy inside one transaction, checkpoints, and atomically renames it over the live file
(:meth:`Store.writer`). So a crash, a kill or a bad input leaves the previous store untouched, and readers that
opened the previous version keep a consistent snapshot until they reopen (the renamed-over file stays alive while
open). Readers attach the file read-only to a private in-memory database, which sidesteps DuckDB's per-path
instance cache so a new version is seen on reopen.

Every query takes a :class:`analysis.filters.Filter` and binds all values as parameters; SQL text is built only
from fixed fragments in this module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import itertools
import json
import os
import shutil
import struct
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import duckdb
import numpy as np
import pandas as pd

from analysis.errors import StoreDamaged, StoreError
from analysis.filters import Filter
from analysis.memo import OnceLRU

SCHEMA_VERSION = 2  # 2: entity_articles, paragraph_topics
DEFAULT_STORE = Path(__file__).resolve().parents[1] / "data" / "newslens.duckdb"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS builds (
    version INTEGER PRIMARY KEY, started TIMESTAMP, finished TIMESTAMP, sources VARCHAR, stats VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    uid BIGINT PRIMARY KEY, id VARCHAR NOT NULL, title VARCHAR, text VARCHAR, raw_text VARCHAR,
    date DATE, date_source VARCHAR, source VARCHAR, url VARCHAR, language VARCHAR, origin VARCHAR,
    meta VARCHAR, content_hash VARCHAR NOT NULL, story_key VARCHAR, story_id BIGINT, story_head BOOLEAN,
    n_words INTEGER, added_version INTEGER, outlet_country VARCHAR,
    enriched BOOLEAN DEFAULT FALSE, counted BOOLEAN DEFAULT FALSE);
CREATE TABLE IF NOT EXISTS article_ids (
    id VARCHAR PRIMARY KEY, uid BIGINT NOT NULL, origin VARCHAR, record_hash VARCHAR);
CREATE TABLE IF NOT EXISTS mentions (
    uid BIGINT, sent INTEGER, start INTEGER, "end" INTEGER, text VARCHAR, label VARCHAR, name VARCHAR,
    entity_id VARCHAR);
CREATE TABLE IF NOT EXISTS entities (
    entity_id VARCHAR PRIMARY KEY, name VARCHAR, label VARCHAR, mentions INTEGER, articles INTEGER,
    aliases VARCHAR);
CREATE TABLE IF NOT EXISTS article_countries (
    uid BIGINT, iso2 VARCHAR, weight DOUBLE, mentions INTEGER, evidence VARCHAR, dateline BOOLEAN);
CREATE TABLE IF NOT EXISTS sentences (uid BIGINT, sent INTEGER, start INTEGER, "end" INTEGER);
CREATE TABLE IF NOT EXISTS events (
    uid BIGINT, sent INTEGER, sentence VARCHAR, expression VARCHAR, start_date DATE, end_date DATE,
    granularity VARCHAR, resolved BOOLEAN, anchor VARCHAR);
CREATE TABLE IF NOT EXISTS terms (term_id INTEGER PRIMARY KEY, term VARCHAR UNIQUE);
CREATE TABLE IF NOT EXISTS doc_terms (uid BIGINT, term_id INTEGER, count INTEGER);
CREATE TABLE IF NOT EXISTS topics (
    topic_id INTEGER PRIMARY KEY, label VARCHAR, terms VARCHAR, size INTEGER, share DOUBLE, x DOUBLE, y DOUBLE);
CREATE TABLE IF NOT EXISTS article_topics (uid BIGINT PRIMARY KEY, topic_id INTEGER, weight DOUBLE, x DOUBLE, y DOUBLE);
CREATE TABLE IF NOT EXISTS models (name VARCHAR PRIMARY KEY, version INTEGER, payload BLOB);
CREATE TABLE IF NOT EXISTS paragraph_topics (uid BIGINT, paragraph INTEGER, topic_id INTEGER, weight DOUBLE);
CREATE TABLE IF NOT EXISTS entity_articles (entity_id VARCHAR, uid BIGINT, mentions INTEGER);
CREATE TABLE IF NOT EXISTS article_vectors (uid BIGINT PRIMARY KEY, model VARCHAR, vector BLOB);
"""

#: Tables holding per-article facts, deleted together when an article goes away.
FACT_TABLES = ("mentions", "article_countries", "sentences", "events", "doc_terms", "article_topics", "paragraph_topics",
               "entity_articles", "article_vectors")

OTHER_TOPIC_LABEL = "other (no clear topic)"

FREQS = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}


# StoreError and StoreDamaged (imported above) live in analysis.errors so the CLI can catch them without DuckDB.


# --------------------------------------------------------------------------------------------------------------
# Opening and writing


@dataclass(frozen=True)
class StoreVersion:
    """Identifies one on-disk version of a store (changes whenever a build swaps in a new file)."""

    path: str
    inode: int
    mtime_ns: int
    size: int


def store_version(path: str | Path) -> StoreVersion | None:
    """The current on-disk version of the store at ``path``, or None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return StoreVersion(str(Path(path).resolve()), st.st_ino, st.st_mtime_ns, st.st_size)


_SHARED: "OrderedDict[StoreVersion, Store]" = OrderedDict()
_SHARED_LOCK = threading.Lock()
_RELATION_IDS = itertools.count()


@dataclass(frozen=True)
class _Relation:
    """A query parameter that is a table, not a value: registered on the cursor under ``name`` (a name this module
    generates, never user text) instead of being bound to a ``?``. Used for the uids a text query matched."""

    name: str
    table: Any


def _split_params(params: Sequence[Any] | None) -> tuple[list[Any], list[_Relation]]:
    values, relations = [], []
    for p in params or []:
        (relations if isinstance(p, _Relation) else values).append(p)
    return values, relations


class Store:
    """A read-only snapshot of one store version. Thread-safe: each query runs on its own cursor.

    >>> store = Store.open("data/newslens.duckdb")      # doctest: +SKIP
    >>> store.stats()["articles"]                         # doctest: +SKIP
    1
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, version: StoreVersion | None):
        self._con = con
        self.path = path
        self.version = version
        self._lock = threading.Lock()
        self._text_matches = OnceLRU(maxsize=64)  # words -> arrow table of the uids containing them all

    @classmethod
    def open(cls, path: str | Path) -> "Store":
        path = Path(path)
        if not path.exists():
            raise StoreError(f"{path}: no store here yet. Build one: python -m analysis build FOLDER --store {path}")
        for _attempt in range(5):
            version = store_version(path)
            con = duckdb.connect(":memory:")
            try:
                con.execute("ATTACH ? AS s (READ_ONLY)", [str(path)])
                con.execute("USE s")
                schema = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            except duckdb.Error as exc:
                con.close()
                raise StoreDamaged(path, _first_line(exc)) from exc
            if store_version(path) == version:
                break  # the file did not change while we attached it: `version` names exactly what we read
            con.close()  # a build swapped in a new file meanwhile: attach again so version and data agree
        if not schema or int(schema[0]) != SCHEMA_VERSION:
            con.close()
            raise StoreError(f"{path}: store schema {schema and schema[0]} is not {SCHEMA_VERSION}; rebuild it.")
        return cls(con, path, version)

    @classmethod
    def shared(cls, path: str | Path) -> "Store":
        """The process-wide Store of the current on-disk version of ``path`` (opened on first use, the last 4
        versions kept). A server's warm-up and its pages then share one DuckDB instance, so the tables the warm-up
        read are already in that instance's buffers when the first visitor filters."""
        version = store_version(path)
        with _SHARED_LOCK:
            if version is not None and version in _SHARED:
                _SHARED.move_to_end(version)
                return _SHARED[version]
        store = cls.open(path)
        with _SHARED_LOCK:
            store = _SHARED.setdefault(store.version, store)
            while len(_SHARED) > 4:
                _SHARED.popitem(last=False)  # pages still holding it keep it alive; GC closes it after
        return store

    @classmethod
    def empty(cls) -> "Store":
        """An in-memory store with the schema and no articles (for a fresh install with no corpus)."""
        con = duckdb.connect(":memory:")
        con.execute(SCHEMA)
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        return cls(con, Path(":memory:"), None)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            cur = self._con.cursor()
        if self.version is not None:
            cur.execute("USE s")
        return cur

    def _execute(self, cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None):
        values, relations = _split_params(params)
        for rel in relations:
            cur.register(rel.name, rel.table)
        return cur.execute(sql, values)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one query; any DuckDB error while reading means the file is damaged (the SQL here is fixed
        and the values are validated by Filter), so it becomes :class:`StoreDamaged` naming the file."""
        cur = None
        try:
            cur = self.cursor()
            yield cur
        except duckdb.Error as exc:
            raise StoreDamaged(self.path, _first_line(exc)) from exc
        finally:
            if cur is not None:
                cur.close()

    def df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        with self._reading() as cur:
            return self._execute(cur, sql, params).df()

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        with self._reading() as cur:
            return self._execute(cur, sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    # ---- queries live below as methods so callers never see SQL ----

    def corpus_version(self) -> int:
        return int(self.scalar("SELECT coalesce(max(version), 0) FROM builds"))

    def stats(self) -> dict[str, Any]:
        """Corpus counts: articles, unique stories, input ids (with duplicates), undated, dated range, sources, words."""
        row = self.rows(
            """SELECT count(*), count(DISTINCT story_id), count(*) FILTER (WHERE date IS NULL),
                      min(date), max(date), count(DISTINCT source), coalesce(sum(n_words), 0)
               FROM articles"""
        )[0]
        ids = self.scalar("SELECT count(*) FROM article_ids")
        return {
            "articles": row[0],
            "stories": row[1],
            "input_ids": ids,
            "duplicates": ids - row[0],
            "undated": row[2],
            "first_date": row[3],
            "last_date": row[4],
            "sources": row[5],
            "words": int(row[6]),
            "entities": self.scalar("SELECT count(*) FROM entities"),
            "topics": self.scalar("SELECT count(*) FROM topics WHERE topic_id >= 0"),
            "events": self.scalar("SELECT count(*) FROM events"),
            "version": self.corpus_version(),
        }

    def builds(self) -> pd.DataFrame:
        return self.df("SELECT version, started, finished, sources, stats FROM builds ORDER BY version")

    # ---- filtering ----

    def _where(self, f: Filter, alias: str = "a") -> tuple[str, list[Any]]:
        """WHERE clause (fixed fragments) and bound parameters for ``f`` over ``articles AS alias``."""
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
        words = _query_terms(f.query)
        if words:
            # the text scan runs once per query string (cached), not once per chart: later queries semi-join the
            # matching uids, registered on their cursor as a table
            relation = f"nl_text_{next(_RELATION_IDS)}"  # generated here, never user text
            clauses.append(f"{alias}.uid IN (SELECT uid FROM {relation})")
            params.append(_Relation(relation, self._text_match(tuple(words))))
        if f.unique:
            clauses.append(f"{alias}.story_head")
        return (" AND ".join(clauses) or "TRUE"), params

    def _text_match(self, words: tuple[str, ...]):
        """Arrow table (uid) of the articles whose title or text contains every word (case-insensitive); the last
        64 queries are kept. Threads asking for the same words at once (a page's prefetched charts) share one scan."""
        return self._text_matches.get(words, lambda: self._scan_text(words))

    def _scan_text(self, words: tuple[str, ...]):
        import pyarrow as pa

        cond = " AND ".join(["(contains(lower(a.title), ?) OR contains(lower(a.text), ?))"] * len(words))
        with self._reading() as cur:
            res = cur.execute(f"SELECT a.uid FROM articles a WHERE {cond}",
                              [w for word in words for w in (word, word)]).fetchnumpy()
        return pa.table({"uid": pa.array(np.asarray(res["uid"], dtype=np.int64))})

    def uids(self, f: Filter = Filter()) -> np.ndarray:
        """Sorted uids of the articles matching ``f``."""
        where, params = self._where(f)
        with self._reading() as cur:
            res = self._execute(cur, f"SELECT a.uid FROM articles a WHERE {where} ORDER BY a.uid", params).fetchnumpy()
        return np.asarray(res["uid"], dtype=np.int64)

    def count(self, f: Filter = Filter()) -> dict[str, int]:
        where, params = self._where(f)
        row = self.rows(
            f"""SELECT count(*), count(DISTINCT story_id), count(*) FILTER (WHERE date IS NULL)
                FROM articles a WHERE {where}""",
            params,
        )[0]
        return {"articles": row[0], "stories": row[1], "undated": row[2]}

    # ---- articles ----

    def articles(self, f: Filter = Filter(), limit: int | None = 200, offset: int = 0, order: str = "date") -> pd.DataFrame:
        """One row per article: uid, id, title, date, source, url, countries (ISO2 list by weight, those the article is
        about: weight >= ``f.min_country_weight``), topic_id,
        topic_label, duplicate_ids (other input ids of the same text), story_id, n_words."""
        where, params = self._where(f)
        order_sql = {
            "date": "a.date DESC NULLS LAST, a.uid",
            "title": "a.title, a.uid",
            "uid": "a.uid",
            # most representative of its topic first (closest to the topic centroid)
            "topic_weight": "(SELECT max(t2.weight) FROM article_topics t2 WHERE t2.uid = a.uid) DESC NULLS LAST, a.uid",
        }.get(order, "a.date DESC NULLS LAST, a.uid")
        limit_sql = "LIMIT ? OFFSET ?" if limit is not None else ""
        if limit is not None:
            params = params + [int(limit), int(offset)]
        # The page's rows first (no text column), then their countries and duplicate ids by joins on those rows only:
        # correlated subqueries were decorrelated into lists for every article of the store (3-4x slower for a page).
        return self.df(
            f"""WITH sel AS MATERIALIZED (
                    SELECT a.uid, a.id, a.title, a.date, a.date_source, a.source, a.url, a.n_words, a.story_id
                    FROM articles a WHERE {where} ORDER BY {order_sql} {limit_sql}),
                cs AS (SELECT c.uid, list(c.iso2 ORDER BY c.weight DESC, c.iso2) AS countries
                       FROM article_countries c JOIN sel ON c.uid = sel.uid WHERE c.weight >= ? GROUP BY c.uid),
                dup AS (SELECT i.uid, list(i.id ORDER BY i.id) AS ids
                        FROM article_ids i JOIN sel ON i.uid = sel.uid AND i.id <> sel.id GROUP BY i.uid)
                SELECT sel.uid, sel.id, sel.title, sel.date, sel.date_source, sel.source, sel.url, sel.n_words,
                       sel.story_id, coalesce(cs.countries, []) AS countries,
                       t.topic_id, tp.label AS topic_label, coalesce(dup.ids, []) AS duplicate_ids
                FROM sel LEFT JOIN cs ON cs.uid = sel.uid LEFT JOIN dup ON dup.uid = sel.uid
                LEFT JOIN article_topics t ON t.uid = sel.uid
                LEFT JOIN topics tp ON tp.topic_id = t.topic_id
                ORDER BY {order_sql.replace('a.', 'sel.')}""",
            [*params, f.min_country_weight],
        )

    def article(self, uid: int) -> dict[str, Any] | None:
        """Everything about one article: its row plus mentions, countries, events, topic."""
        rows = self.df("SELECT * FROM articles WHERE uid = ?", [int(uid)])
        if rows.empty:
            return None
        out = rows.iloc[0].to_dict()
        out["meta"] = json.loads(out["meta"] or "{}")
        out["ids"] = [r[0] for r in self.rows("SELECT id FROM article_ids WHERE uid = ? ORDER BY id", [int(uid)])]
        out["mentions"] = self.df(
            'SELECT m.sent, m.start, m."end", m.text, m.label, m.entity_id, e.name FROM mentions m '
            "LEFT JOIN entities e USING (entity_id) WHERE m.uid = ? ORDER BY m.start",
            [int(uid)],
        )
        out["countries"] = self.df(
            "SELECT iso2, weight, mentions, evidence, dateline FROM article_countries WHERE uid = ? "
            "ORDER BY weight DESC, iso2",
            [int(uid)],
        )
        out["events"] = self.df(
            "SELECT sent, sentence, expression, start_date, end_date, granularity, resolved, anchor FROM events "
            "WHERE uid = ? ORDER BY sent, expression",
            [int(uid)],
        )
        topic = self.rows(
            "SELECT t.topic_id, tp.label, t.weight FROM article_topics t LEFT JOIN topics tp USING (topic_id) WHERE t.uid = ?",
            [int(uid)],
        )
        out["topic_id"], out["topic_label"], out["topic_weight"] = topic[0] if topic else (None, None, None)
        return out

    def export_rows(self, f: Filter = Filter(), with_text: bool = False) -> pd.DataFrame:
        """The article table for export: id, title, date, source, url, countries (the ISO2 codes the article is
        about: weight >= ``f.min_country_weight``), countries_mentioned (every country mentioned, as "ISO2:weight"
        strings, most central first), topic, topic_label, entities, duplicate_ids (keywords are added by the caller
        from the term index); ``text`` is the analysed text with ``with_text``, else NULL (a bound flag, so the
        SQL stays one fixed statement)."""
        where, params = self._where(f)
        return self.df(
            f"""SELECT a.uid, a.id, a.title, CASE WHEN ? THEN a.text END AS text, a.date, a.date_source, a.source,
                       a.url, a.language,
                       coalesce((SELECT list(c.iso2 ORDER BY c.weight DESC, c.iso2) FROM article_countries c
                                 WHERE c.uid = a.uid AND c.weight >= ?), []) AS countries,
                       coalesce((SELECT list(printf('%s:%.3f', c.iso2, c.weight) ORDER BY c.weight DESC, c.iso2)
                                 FROM article_countries c WHERE c.uid = a.uid), []) AS countries_mentioned,
                       t.topic_id AS topic, tp.label AS topic_label,
                       coalesce((SELECT list(DISTINCT m.entity_id ORDER BY m.entity_id) FROM mentions m
                                 WHERE m.uid = a.uid AND m.entity_id IS NOT NULL), []) AS entities,
                       coalesce((SELECT list(i.id ORDER BY i.id) FROM article_ids i
                                 WHERE i.uid = a.uid AND i.id <> a.id), []) AS duplicate_ids,
                       a.story_id, a.n_words
                FROM articles a LEFT JOIN article_topics t ON t.uid = a.uid
                LEFT JOIN topics tp ON tp.topic_id = t.topic_id
                WHERE {where} ORDER BY a.date NULLS LAST, a.id""",
            [bool(with_text), f.min_country_weight, *params],
        )

    # ---- facets ----

    def sources(self) -> pd.DataFrame:
        return self.df(
            "SELECT source, count(*) AS articles FROM articles WHERE source IS NOT NULL GROUP BY source ORDER BY articles DESC, source"
        )

    def languages(self) -> pd.DataFrame:
        """language, articles: the article languages in the store, most frequent first (NULL = unknown)."""
        return self.df("SELECT language, count(*) AS articles FROM articles WHERE language IS NOT NULL "
                       "GROUP BY language ORDER BY articles DESC, language")

    def date_range(self) -> tuple[dt.date | None, dt.date | None]:
        row = self.rows("SELECT min(date), max(date) FROM articles")[0]
        return row[0], row[1]

    def topic_unit(self) -> str:
        """"articles", or "paragraphs" when a small corpus was clustered by paragraph."""
        return self.scalar("SELECT value FROM meta WHERE key = 'topic_unit'") or "articles"

    def topics(self, f: Filter | None = None) -> pd.DataFrame:
        """topic_id, label, terms (JSON list), size (articles in the filter, or paragraphs when
        :meth:`topic_unit` is "paragraphs"), share (of the filtered articles/paragraphs), x, y."""
        f = f or Filter()
        paragraphs = self.topic_unit() == "paragraphs"
        if f.is_empty and not paragraphs:  # sizes stored by the build
            return self.df(
                "SELECT topic_id, label, terms, size, share, x, y FROM topics ORDER BY size DESC, topic_id"
            )
        table = "paragraph_topics" if paragraphs else "article_topics"
        where, params = self._where(f)
        return self.df(
            f"""WITH sel AS (SELECT t.topic_id FROM articles a JOIN {table} t ON t.uid = a.uid WHERE {where})
                SELECT tp.topic_id, tp.label, tp.terms, count(sel.topic_id)::INTEGER AS size,
                       coalesce(count(sel.topic_id) / nullif((SELECT count(*) FROM sel), 0), 0) AS share, tp.x, tp.y
                FROM topics tp LEFT JOIN sel USING (topic_id)
                GROUP BY ALL ORDER BY size DESC, topic_id""",
            params,
        )

    def topic_article_counts(self, f: Filter = Filter()) -> pd.DataFrame:
        """topic_id, articles: for every topic, how many articles match ``f`` with its topic filter replaced by that
        one topic (its main topic, or one of its paragraphs' topics), i.e. ``count(f.replace(topics=(t,)))`` for
        all topics in one query. Topics with no such article are left out."""
        where, params = self._where(f.replace(topics=()))
        return self.df(
            f"""WITH t AS (SELECT uid, topic_id FROM article_topics
                           UNION SELECT uid, topic_id FROM paragraph_topics)
                SELECT t.topic_id, count(DISTINCT t.uid)::INTEGER AS articles
                FROM t JOIN articles a ON a.uid = t.uid WHERE {where}
                GROUP BY t.topic_id ORDER BY t.topic_id""",
            params,
        )

    def countries(self, f: Filter = Filter(), min_weight: float | None = None) -> pd.DataFrame:
        """iso2, articles (about it, weight >= min_weight), mentions, weight (mean relevance)."""
        where, params = self._where(f)
        threshold = f.min_country_weight if min_weight is None else min_weight
        return self.df(
            f"""SELECT c.iso2, count(DISTINCT c.uid)::INTEGER AS articles, sum(c.mentions)::INTEGER AS mentions,
                       avg(c.weight) AS weight
                FROM article_countries c JOIN articles a ON a.uid = c.uid
                WHERE {where} AND c.weight >= ?
                GROUP BY c.iso2 ORDER BY articles DESC, c.iso2""",
            params + [threshold],
        )

    def entities(self, f: Filter = Filter(), labels: Sequence[str] = (), limit: int = 50) -> pd.DataFrame:
        """entity_id, name, label, articles, mentions within the filter; most articles first."""
        label_sql = "AND list_contains(?::VARCHAR[], e.label)" if labels else ""
        label_params = [list(labels)] if labels else []
        if f.is_empty:  # whole corpus: the catalogue already holds the counts
            return self.df(
                f"""SELECT e.entity_id, e.name, e.label, e.articles, e.mentions FROM entities e
                    WHERE TRUE {label_sql} ORDER BY e.articles DESC, e.mentions DESC, e.entity_id LIMIT ?""",
                label_params + [int(limit)],
            )
        where, params = self._where(f)
        return self.df(
            f"""WITH counts AS (
                    SELECT ea.entity_id, count(*)::INTEGER AS articles, sum(ea.mentions)::INTEGER AS mentions
                    FROM entity_articles ea JOIN articles a ON a.uid = ea.uid WHERE {where} GROUP BY ea.entity_id)
                SELECT c.entity_id, e.name, e.label, c.articles, c.mentions
                FROM counts c JOIN entities e ON e.entity_id = c.entity_id
                WHERE TRUE {label_sql}
                ORDER BY c.articles DESC, c.mentions DESC, c.entity_id LIMIT ?""",
            params + label_params + [int(limit)],
        )

    def entity_catalog(self, search: str = "", limit: int = 200) -> pd.DataFrame:
        """The alias table: entity_id, name, label, mentions, articles, aliases (JSON list)."""
        if search:
            return self.df(
                "SELECT * FROM entities WHERE contains(lower(name), ?) OR contains(lower(aliases), ?) "
                "ORDER BY articles DESC, entity_id LIMIT ?",
                [search.lower(), search.lower(), int(limit)],
            )
        return self.df("SELECT * FROM entities ORDER BY articles DESC, entity_id LIMIT ?", [int(limit)])

    def entity_names(self, entity_ids: Sequence[str]) -> dict[str, str]:
        if not entity_ids:
            return {}
        return dict(self.rows("SELECT entity_id, name FROM entities WHERE list_contains(?::VARCHAR[], entity_id)", [list(entity_ids)]))

    # ---- time ----

    def volume(self, f: Filter = Filter(), freq: str = "week") -> pd.DataFrame:
        """period (start date), articles, unique (stories) for dated articles; undated are counted by :meth:`count`."""
        unit = FREQS[freq]
        where, params = self._where(f)
        return self.df(
            f"""SELECT date_trunc('{unit}', a.date)::DATE AS period, count(*)::INTEGER AS articles,
                       count(DISTINCT a.story_id)::INTEGER AS "unique"
                FROM articles a WHERE {where} AND a.date IS NOT NULL GROUP BY period ORDER BY period""",
            params,
        )

    def entity_timeline(self, f: Filter, entity_ids: Sequence[str], freq: str = "week") -> pd.DataFrame:
        """period, entity_id, name, mentions, articles per period (publication dates) for the given entities."""
        unit = FREQS[freq]
        where, params = self._where(f)
        return self.df(
            f"""SELECT date_trunc('{unit}', a.date)::DATE AS period, ea.entity_id, any_value(e.name) AS name,
                       sum(ea.mentions)::INTEGER AS mentions, count(*)::INTEGER AS articles
                FROM entity_articles ea JOIN articles a ON a.uid = ea.uid LEFT JOIN entities e ON e.entity_id = ea.entity_id
                WHERE {where} AND a.date IS NOT NULL AND list_contains(?::VARCHAR[], ea.entity_id)
                GROUP BY period, ea.entity_id ORDER BY period, ea.entity_id""",
            params + [list(entity_ids)],
        )

    def topics_over_time(self, f: Filter = Filter(), freq: str = "week") -> pd.DataFrame:
        """period, topic_id, label, articles, share (of the period's articles)."""
        unit = FREQS[freq]
        where, params = self._where(f)
        return self.df(
            f"""WITH sel AS (
                    SELECT date_trunc('{unit}', a.date)::DATE AS period, t.topic_id
                    FROM articles a JOIN article_topics t ON t.uid = a.uid WHERE {where} AND a.date IS NOT NULL)
                SELECT period, topic_id, any_value(tp.label) AS label, count(*)::INTEGER AS articles,
                       count(*) / sum(count(*)) OVER (PARTITION BY period) AS share
                FROM sel LEFT JOIN topics tp USING (topic_id) GROUP BY period, topic_id ORDER BY period, topic_id""",
            params,
        )

    def topic_country(self, f: Filter = Filter(), top_countries: int = 15) -> pd.DataFrame:
        """topic_id, label, iso2, articles for the most frequent countries in the filter."""
        where, params = self._where(f)
        return self.df(
            f"""WITH sel AS (
                    SELECT t.topic_id, c.iso2 FROM articles a JOIN article_topics t ON t.uid = a.uid
                    JOIN article_countries c ON c.uid = a.uid WHERE {where} AND c.weight >= ?),
                top AS (SELECT iso2 FROM sel GROUP BY iso2 ORDER BY count(*) DESC, iso2 LIMIT ?)
                SELECT sel.topic_id, any_value(tp.label) AS label, sel.iso2, count(*)::INTEGER AS articles
                FROM sel JOIN top USING (iso2) LEFT JOIN topics tp USING (topic_id)
                GROUP BY sel.topic_id, sel.iso2 ORDER BY sel.topic_id, sel.iso2""",
            params + [f.min_country_weight, int(top_countries)],
        )

    def article_map(self, f: Filter = Filter(), limit: int = 5000) -> pd.DataFrame:
        """uid, title, topic_id, label, x, y (a deterministic sample of at most ``limit`` articles)."""
        where, params = self._where(f)
        return self.df(
            f"""SELECT a.uid, a.title, t.topic_id, tp.label, t.x, t.y
                FROM articles a JOIN article_topics t ON t.uid = a.uid LEFT JOIN topics tp USING (topic_id)
                WHERE {where} ORDER BY hash(a.uid) LIMIT ?""",
            params + [int(limit)],
        )

    def cooccurrence(self, f: Filter = Filter(), level: str = "sentence", top: int = 40, labels: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Network of the ``top`` entities: nodes (entity_id, name, label, articles) and edges (source, target,
        weight = number of sentences (level="sentence") or articles (level="article") where both occur)."""
        nodes = self.entities(f, labels=labels, limit=top)
        if nodes.empty:
            return nodes, pd.DataFrame(columns=["source", "target", "weight"])
        where, params = self._where(f)
        key = "m.uid, m.sent" if level == "sentence" else "m.uid, 0 AS sent"
        edges = self.df(
            f"""WITH m AS (SELECT DISTINCT {key}, m.entity_id FROM mentions m JOIN articles a ON a.uid = m.uid
                           WHERE {where} AND list_contains(?::VARCHAR[], m.entity_id))
                SELECT x.entity_id AS source, y.entity_id AS target, count(*)::INTEGER AS weight
                FROM m x JOIN m y ON x.uid = y.uid AND x.sent = y.sent
                     AND x.entity_id < y.entity_id
                GROUP BY source, target ORDER BY weight DESC, source, target""",
            params + [list(nodes["entity_id"])],
        )
        return nodes, edges

    def events(self, f: Filter = Filter(), lanes: str = "country", lane_ids: Sequence[str] = (), resolved_only: bool = True,
               limit: int = 2000, sample: bool = False, unresolved_only: bool = False) -> pd.DataFrame:
        """Dated events: uid, title, sentence, expression, start, end, granularity, resolved, lane (an entity or
        country in the event's sentence; ``lanes`` = "country" | "entity" | "none" for one row per event), lane_id.
        Chronological; with ``sample=True`` the ``limit`` rows are a deterministic sample over all dates (for charts)
        instead of the earliest ones. ``resolved_only``: only mentions placed on the calendar; ``unresolved_only``:
        only the others ("on Sunday" in an undated article)."""
        where, params = self._where(f)
        # the tie-breakers after the hash make the sample the same rows on every run (several events share a sentence)
        order_sql = ("hash(ev.uid, ev.sent, lane_id), ev.uid, ev.sent, lane_id, ev.expression, start" if sample
                     else "start NULLS LAST, lane, ev.uid")
        resolved_sql = "AND NOT ev.resolved" if unresolved_only else "AND ev.resolved" if resolved_only else ""
        if lanes == "none":
            lane_sql, lane_cols, lane_filter = "", "NULL::VARCHAR AS lane_id, NULL::VARCHAR AS lane", ""
        elif lanes == "entity":
            lane_sql = """JOIN mentions m ON m.uid = ev.uid AND m.sent = ev.sent AND m.entity_id IS NOT NULL
                          LEFT JOIN entities e ON e.entity_id = m.entity_id"""
            lane_cols = "m.entity_id AS lane_id, e.name AS lane"
            lane_filter = "AND list_contains(?::VARCHAR[], m.entity_id)" if lane_ids else ""
        else:
            lane_sql = """JOIN article_countries c ON c.uid = ev.uid"""
            lane_cols = "c.iso2 AS lane_id, c.iso2 AS lane"
            lane_filter = "AND list_contains(?::VARCHAR[], c.iso2)" if lane_ids else "AND c.weight >= 0.5"
        lane_params = [list(lane_ids)] if lane_ids and lanes != "none" else []
        return self.df(
            f"""SELECT DISTINCT ev.uid, a.title, ev.sentence, ev.expression, ev.start_date AS start, ev.end_date AS "end",
                       ev.granularity, ev.resolved, {lane_cols}
                FROM events ev JOIN articles a ON a.uid = ev.uid {lane_sql}
                WHERE {where} {resolved_sql} {lane_filter}
                ORDER BY {order_sql} LIMIT ?""",
            params + lane_params + [int(limit)],
        ).sort_values(["start", "lane", "uid"], na_position="last", kind="stable").reset_index(drop=True)

    # ---- terms and topics model ----

    def term_triples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(uid, term, count) arrays of the stored doc-term counts (terms as strings)."""
        with self._reading() as cur:
            return _term_triples(cur)

    def term_codes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(uid, term_id, count, vocab) of the stored doc-term counts, ``vocab[term_id]`` = the term string: the
        same data as :meth:`term_triples` without a string per row (see ``TermIndex.from_coded``)."""
        with self._reading() as cur:
            return _term_codes(cur)

    def model_payload(self, name: str) -> bytes | None:
        row = self.rows("SELECT payload FROM models WHERE name = ?", [name])
        return bytes(row[0][0]) if row else None

    def article_vectors(self) -> tuple[np.ndarray, list[bytes], str | None]:
        """(uids, float16 vector blobs, model id) of the stored article embeddings, by uid; empty when the store
        was built with --no-embeddings or before vectors existed (no table in a store of that age)."""
        if not self.rows("SELECT 1 FROM duckdb_tables() WHERE table_name = 'article_vectors'"):
            return np.zeros(0, dtype=np.int64), [], None
        rows = self.rows("SELECT uid, vector, model FROM article_vectors ORDER BY uid")
        model = rows[0][2] if rows else None
        return np.asarray([r[0] for r in rows], dtype=np.int64), [bytes(r[1]) for r in rows], model

    def uid_of(self, article_id: str) -> int | None:
        """uid of the article stored under input id ``article_id`` (any of its ids), or None."""
        row = self.rows("SELECT uid FROM article_ids WHERE id = ?", [str(article_id)])
        return int(row[0][0]) if row else None

    def article_briefs(self, uids: Sequence[int]) -> pd.DataFrame:
        """uid, id, title, date, source, topic_id, label of ``uids`` (any order; missing uids are left out)."""
        return self.df(
            """SELECT a.uid, a.id, a.title, a.date, a.source, t.topic_id, tp.label
               FROM articles a LEFT JOIN article_topics t ON t.uid = a.uid LEFT JOIN topics tp USING (topic_id)
               WHERE list_contains(?::BIGINT[], a.uid)""",
            [list(map(int, uids))],
        )

    def article_dates(self, f: Filter = Filter()) -> pd.DataFrame:
        """uid, date of the dated articles matching ``f``."""
        where, params = self._where(f)
        return self.df(f"SELECT a.uid, a.date FROM articles a WHERE {where} AND a.date IS NOT NULL ORDER BY a.uid", params)


def _term_codes(cur) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(uid, term_id, count, vocab): doc_terms as integer arrays and vocab[term_id] = term (None for unused ids)."""
    res = cur.execute("SELECT uid, term_id, count FROM doc_terms").fetchnumpy()
    terms = cur.execute("SELECT term_id, term FROM terms").fetchnumpy()
    ids = np.asarray(terms["term_id"], np.int64)
    vocab = np.empty(int(ids.max()) + 1 if len(ids) else 0, dtype=object)
    vocab[ids] = np.asarray(terms["term"], dtype=object)
    return (np.asarray(res["uid"], np.int64), np.asarray(res["term_id"], np.int64),
            np.asarray(res["count"], np.int64), vocab)


def _term_triples(cur) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    uid, term_id, count, vocab = _term_codes(cur)
    return uid, vocab[term_id], count


def _query_terms(query: str) -> list[str]:
    """Lower-cased words of a text query; quoted phrases kept whole."""
    import shlex

    try:
        parts = shlex.split(query)
    except ValueError:  # unbalanced quote: fall back to plain words
        parts = query.replace('"', " ").split()
    return [p.lower() for p in parts if p.strip()][:20]


# --------------------------------------------------------------------------------------------------------------
# Writing


class StoreWriter:
    """Write access to a private copy of the store inside one transaction; see :meth:`Store.writer`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, version: int):
        self.con = con
        self.version = version
        #: set to True to end the build without writing anything (nothing changed): the live store stays as it is.
        self.discard = False

    def execute(self, sql: str, params: Sequence[Any] | None = None):
        return self.con.execute(sql, list(params or []))

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, list(params or [])).fetchall()

    def df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, list(params or [])).df()

    def insert_df(self, table: str, frame: pd.DataFrame, columns: Sequence[str]) -> None:
        """Append ``frame[columns]`` to ``table`` (a fixed table name from this module)."""
        if table not in _WRITABLE_TABLES:
            raise ValueError(f"unknown table {table!r}")
        if frame is None or frame.empty:
            return
        data = frame[list(columns)]
        self.con.register("_incoming", data)
        try:
            cols = ", ".join(f'"{c}"' for c in columns)
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            self.con.unregister("_incoming")

    # ---- article bookkeeping ----

    def known_ids(self) -> dict[str, tuple[int, str]]:
        """input id -> (uid, record_hash) for every id already stored."""
        return {row[0]: (row[1], row[2]) for row in self.rows("SELECT id, uid, record_hash FROM article_ids")}

    def hash_to_uid(self) -> dict[str, int]:
        return dict(self.rows("SELECT content_hash, uid FROM articles"))

    def next_uid(self) -> int:
        return int(self.rows("SELECT coalesce(max(uid), 0) + 1 FROM articles")[0][0])

    def delete_articles(self, uids: Sequence[int]) -> None:
        if not uids:
            return
        param = [list(map(int, uids))]
        for table in FACT_TABLES + ("articles", "article_ids"):
            self.con.execute(f"DELETE FROM {table} WHERE list_contains(?::BIGINT[], uid)", param)

    def delete_facts(self, uids: Sequence[int], tables: Sequence[str] = FACT_TABLES) -> None:
        if not uids:
            return
        for table in tables:
            if table not in FACT_TABLES:
                raise ValueError(table)
            self.con.execute(f"DELETE FROM {table} WHERE list_contains(?::BIGINT[], uid)", [list(map(int, uids))])

    def upsert_ids(self, frame: pd.DataFrame) -> None:
        """frame: id, uid, origin, record_hash; replaces rows with the same id."""
        if frame.empty:
            return
        self.con.register("_ids", frame[["id", "uid", "origin", "record_hash"]])
        try:
            self.con.execute("DELETE FROM article_ids WHERE id IN (SELECT id FROM _ids)")
            self.con.execute("INSERT INTO article_ids SELECT id, uid, origin, record_hash FROM _ids")
        finally:
            self.con.unregister("_ids")

    def orphan_uids(self) -> list[int]:
        """Articles no input id points to any more (their text changed or was replaced)."""
        return [r[0] for r in self.rows("SELECT uid FROM articles WHERE uid NOT IN (SELECT uid FROM article_ids)")]

    def reassign_primary_ids(self) -> None:
        """Keep articles.id pointing at an id that still maps to the article (the smallest one)."""
        self.con.execute(
            """UPDATE articles SET id = s.id FROM (SELECT uid, min(id) AS id FROM article_ids GROUP BY uid) s
               WHERE articles.uid = s.uid AND articles.id NOT IN (SELECT id FROM article_ids WHERE uid = s.uid)"""
        )

    def story_records(self) -> pd.DataFrame:
        return self.df("SELECT uid, story_key, title, text, date FROM articles ORDER BY uid")

    def set_stories(self, frame: pd.DataFrame) -> None:
        """frame: uid, story_id; story_head = smallest uid of each story."""
        self.con.register("_stories", frame[["uid", "story_id"]])
        try:
            self.con.execute("UPDATE articles SET story_id = s.story_id FROM _stories s WHERE articles.uid = s.uid")
            self.con.execute(
                "UPDATE articles SET story_head = (uid = (SELECT min(b.uid) FROM articles b WHERE b.story_id = articles.story_id))"
            )
        finally:
            self.con.unregister("_stories")

    def pending(self, step: str) -> list[int]:
        """uids of articles that ``step`` ("enriched" or "counted") has not processed yet."""
        if step not in ("enriched", "counted"):
            raise ValueError(step)
        return [r[0] for r in self.rows(f"SELECT uid FROM articles WHERE NOT {step} ORDER BY uid")]

    def mark_done(self, step: str, uids: Sequence[int]) -> None:
        if step not in ("enriched", "counted"):
            raise ValueError(step)
        if uids:
            self.con.execute(f"UPDATE articles SET {step} = TRUE WHERE list_contains(?::BIGINT[], uid)", [list(map(int, uids))])

    def article_frame(self, uids: Sequence[int]) -> pd.DataFrame:
        """uid, title, text, date, language for the given uids (input to enrichment and term counting)."""
        return self.df(
            "SELECT uid, title, text, date, language FROM articles WHERE list_contains(?::BIGINT[], uid) ORDER BY uid",
            [list(map(int, uids))],
        )

    def all_mentions(self) -> pd.DataFrame:
        return self.df('SELECT uid, sent, start, "end", text, label, name FROM mentions ORDER BY uid, start')

    def replace_mentions_and_entities(self, mentions: pd.DataFrame, entities: pd.DataFrame) -> None:
        """Apply a corpus-wide canonicalisation: mentions (identified by uid, start) get their new entity_id, label
        and name where these changed (only changed rows are rewritten, so an incremental build does not rewrite a
        million mention rows); the entity catalogue and the per-article entity counts are replaced."""
        self.con.register("_canon", mentions[["uid", "start", "label", "name", "entity_id"]])
        try:
            self.con.execute(
                """UPDATE mentions SET entity_id = c.entity_id, label = c.label, name = c.name FROM _canon c
                   WHERE mentions.uid = c.uid AND mentions.start = c.start
                     AND (mentions.entity_id IS DISTINCT FROM c.entity_id OR mentions.label IS DISTINCT FROM c.label
                          OR mentions.name IS DISTINCT FROM c.name)""")
        finally:
            self.con.unregister("_canon")
        self.con.execute("DELETE FROM entity_articles")
        self.con.execute(
            """INSERT INTO entity_articles SELECT entity_id, uid, count(*)::INTEGER FROM mentions
               WHERE entity_id IS NOT NULL GROUP BY entity_id, uid""")
        self.con.execute("DELETE FROM entities")
        ent = entities.copy()
        ent["aliases"] = ent["aliases"].map(lambda a: json.dumps(list(a) if a is not None else []))
        self.insert_df("entities", ent, ["entity_id", "name", "label", "mentions", "articles", "aliases"])

    def add_terms(self, terms: Sequence[str]) -> dict[str, int]:
        """Ensure every term has a term_id; returns term -> term_id for ``terms``."""
        existing = dict(self.rows("SELECT term, term_id FROM terms"))
        new = [t for t in dict.fromkeys(terms) if t not in existing]
        if new:
            start = max(existing.values(), default=-1) + 1
            frame = pd.DataFrame({"term_id": np.arange(start, start + len(new), dtype=np.int64), "term": new})
            self.insert_df("terms", frame, ["term_id", "term"])
            existing.update(zip(new, frame["term_id"].tolist()))
        return existing

    def replace_topics(self, topics: pd.DataFrame, assignments: pd.DataFrame, full: bool) -> None:
        """Write topics (topic_id, label, terms(list), size, share, x, y) and assignments (uid, topic_id, weight, x, y).
        ``full`` replaces every assignment; otherwise only the given uids are (re)assigned."""
        self.con.execute("DELETE FROM topics")
        tp = topics.copy()
        tp["terms"] = tp["terms"].map(lambda t: json.dumps(list(t)))
        self.insert_df("topics", tp, ["topic_id", "label", "terms", "size", "share", "x", "y"])
        if full:
            self.con.execute("DELETE FROM article_topics")
        else:
            self.delete_facts(assignments["uid"].tolist(), ("article_topics",))
        self.insert_df("article_topics", assignments, ["uid", "topic_id", "weight", "x", "y"])
        # Articles whose best topic is too weak sit in topic -1; give it a row so lists and filters can name it.
        self.con.execute(
            """INSERT INTO topics SELECT -1, ?, '[]', (SELECT count(*) FROM article_topics WHERE topic_id = -1),
                      (SELECT count(*) FROM article_topics WHERE topic_id = -1) / (SELECT count(*) FROM article_topics),
                      NULL, NULL
               WHERE EXISTS (SELECT 1 FROM article_topics WHERE topic_id = -1)
                 AND NOT EXISTS (SELECT 1 FROM topics WHERE topic_id = -1)""",
            [OTHER_TOPIC_LABEL],
        )

    def refresh_topic_sizes(self) -> None:
        self.con.execute(
            """UPDATE topics SET size = coalesce(s.n, 0), share = coalesce(s.n, 0) / nullif(s.total, 0)
               FROM (SELECT tp.topic_id, (SELECT count(*) FROM article_topics t WHERE t.topic_id = tp.topic_id) AS n,
                            (SELECT count(*) FROM article_topics) AS total FROM topics tp) s
               WHERE topics.topic_id = s.topic_id"""
        )

    def term_triples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _term_triples(self.con)

    def term_codes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return _term_codes(self.con)

    def has_builds(self) -> bool:
        return bool(self.rows("SELECT 1 FROM builds LIMIT 1"))

    def corpus_counts(self) -> tuple[int, int, int]:
        """(articles, unique stories, words)."""
        row = self.rows("SELECT count(*), count(DISTINCT story_id), coalesce(sum(n_words), 0) FROM articles")[0]
        return int(row[0]), int(row[1]), int(row[2])

    def assigned_uids(self) -> list[int]:
        """Articles that already have a topic."""
        return [r[0] for r in self.rows("SELECT uid FROM article_topics")]

    def all_uids(self) -> np.ndarray:
        return np.asarray([r[0] for r in self.rows("SELECT uid FROM articles ORDER BY uid")], dtype=np.int64)

    def vectors_missing(self, model: str) -> list[int]:
        """Articles with no embedding from ``model``; vectors of any other model are deleted first (all vectors of
        a store come from one model)."""
        self.con.execute("DELETE FROM article_vectors WHERE model <> ?", [model])
        return [r[0] for r in self.rows(
            "SELECT a.uid FROM articles a ANTI JOIN article_vectors v ON v.uid = a.uid ORDER BY a.uid")]

    def embedding_frame(self, uids: Sequence[int]) -> pd.DataFrame:
        """uid, id, origin, title, text of ``uids`` (the input to embedding, and where to find a bad record)."""
        self.con.register("_wanted_uids", pd.DataFrame({"uid": np.asarray(uids, dtype=np.int64)}))
        try:
            return self.df("SELECT a.uid, a.id, a.origin, a.title, a.text FROM articles a "
                           "SEMI JOIN _wanted_uids w USING (uid) ORDER BY a.uid")
        finally:
            self.con.unregister("_wanted_uids")

    def add_vectors(self, uids: Sequence[int], model: str, blobs: Sequence[bytes]) -> None:
        self.insert_df("article_vectors", pd.DataFrame({"uid": list(map(int, uids)), "model": model,
                                                        "vector": list(blobs)}), ["uid", "model", "vector"])

    def vectors(self, uids: Sequence[int]) -> list[bytes]:
        """Stored vector blobs of ``uids`` in that order (KeyError naming the first uid without one)."""
        self.con.register("_wanted_uids", pd.DataFrame({"uid": np.asarray(uids, dtype=np.int64)}))
        try:
            found = dict(self.rows("SELECT v.uid, v.vector FROM article_vectors v SEMI JOIN _wanted_uids w USING (uid)"))
        finally:
            self.con.unregister("_wanted_uids")
        missing = [u for u in uids if int(u) not in found]
        if missing:
            raise KeyError(f"no stored vector for article uid {missing[0]} ({len(missing)} missing)")
        return [bytes(found[int(u)]) for u in uids]

    def drop_vectors(self) -> None:
        self.con.execute("DELETE FROM article_vectors")

    def replace_paragraph_topics(self, frame: pd.DataFrame | None) -> None:
        """frame: uid, paragraph, topic_id, weight (paragraph-level topics of a small corpus), or None to clear."""
        self.con.execute("DELETE FROM paragraph_topics")
        if frame is not None and not frame.empty:
            self.insert_df("paragraph_topics", frame, ["uid", "paragraph", "topic_id", "weight"])

    def set_meta(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def save_model(self, name: str, payload: bytes) -> None:
        self.con.execute("DELETE FROM models WHERE name = ?", [name])
        self.con.execute("INSERT INTO models VALUES (?, ?, ?)", [name, self.version, payload])

    def model_payload(self, name: str) -> bytes | None:
        row = self.rows("SELECT payload FROM models WHERE name = ?", [name])
        return bytes(row[0][0]) if row else None

    def delete_model(self, name: str) -> None:
        self.con.execute("DELETE FROM models WHERE name = ?", [name])

    def record_build(self, started: dt.datetime, sources: Sequence[str], stats: dict[str, Any]) -> None:
        self.con.execute(
            "INSERT INTO builds VALUES (?, ?, ?, ?, ?)",
            [self.version, started, dt.datetime.now(), json.dumps([str(s) for s in sources]), json.dumps(stats, default=str)],
        )

    def replicate(self, copies: int) -> int:
        """Benchmark support: add ``copies`` copies of every article and its facts with new uids and ids
        (``id#k``), as if the corpus were ``copies + 1`` times larger. Returns the new article count."""
        offset = int(self.rows("SELECT coalesce(max(uid), 0) FROM articles")[0][0])
        for k in range(1, copies + 1):
            shift = offset * k
            self.con.execute(
                """INSERT INTO articles SELECT * REPLACE (uid + ? AS uid, id || '#' || ? AS id,
                       content_hash || '#' || ? AS content_hash, story_id + ? AS story_id)
                   FROM articles WHERE uid <= ?""", [shift, str(k), str(k), shift, offset])
            self.con.execute(
                """INSERT INTO article_ids SELECT id || '#' || ? AS id, uid + ? AS uid, origin, record_hash
                   FROM article_ids WHERE uid <= ?""", [str(k), shift, offset])
            for table in FACT_TABLES:
                self.con.execute(f"INSERT INTO {table} SELECT * REPLACE (uid + ? AS uid) FROM {table} WHERE uid <= ?",
                                 [shift, offset])
        return int(self.rows("SELECT count(*) FROM articles")[0][0])

    def count(self, table: str) -> int:
        if table not in _WRITABLE_TABLES:
            raise ValueError(table)
        return int(self.rows(f"SELECT count(*) FROM {table}")[0][0])


_WRITABLE_TABLES = {
    "articles", "article_ids", "mentions", "entities", "article_countries", "sentences", "events", "terms",
    "doc_terms", "topics", "article_topics", "paragraph_topics", "entity_articles", "models", "builds", "meta",
    "article_vectors",
}


# --------------------------------------------------------------------------------------------------------------
# The writer: one build at a time, on a private copy, swapped in atomically; the previous version is kept

#: ``on_wait(message)``: told once when a build has to wait for another one (default: a line on stderr).
Waiting = Callable[[str], None]


def resolve_store_path(path: str | Path) -> Path:
    """The file a store path names, symlinks followed. The lock, the private copy, ``.prev`` and the swap all derive
    from it, so a build through a link and one through the real name exclude each other, and the swap replaces the
    real file instead of turning the link into a separate copy."""
    return Path(os.path.realpath(Path(path).expanduser()))


def previous_path(path: str | Path) -> Path:
    """``STORE.prev``: the version the last build replaced (see :func:`restore_previous`)."""
    real = resolve_store_path(path)
    return real.with_name(real.name + ".prev")


def _say_on_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def writer(path: str | Path, *, lock_timeout: float = 600.0, on_wait: Waiting | None = None) -> Iterator[StoreWriter]:
    """Open a private copy of the store for writing; on success, atomically swap it in (keeping ``STORE.prev``).

    Only one writer at a time (:func:`_exclusive`). On any exception (or a kill) the copy is discarded and the live
    store is untouched. File-system failures (disk full, a read-only folder, a private copy deleted by someone else)
    and a lock timeout raise :class:`StoreError` with one line naming the file and what to do.
    """
    path = resolve_store_path(path)
    with _exclusive(path, lock_timeout, on_wait or _say_on_stderr) as say:
        _remove_dead_copies(path, say)
        tmp = path.with_name(f"{path.name}.building-{os.getpid()}")
        try:
            with _in_use(tmp), _private_copy(path, tmp) as w:
                yield w
        except FileNotFoundError as exc:  # a file this build was using was deleted by someone else
            raise StoreError(f"{exc.filename or tmp}: deleted by another process while this build used it; "
                             f"{path} is unchanged: run the build again") from exc
        except (OSError, duckdb.Error) as exc:
            clear = _file_system_error(exc, path, tmp)
            if clear is None:
                raise
            raise clear from exc


@contextlib.contextmanager
def _in_use(tmp: Path) -> Iterator[None]:
    """Hold a record lock on ``TMP.lock`` while this build uses its private copy ``tmp``: a build that finds the copy
    (after someone deleted the store's lock file) sees it is in use. A separate file, because DuckDB's closing of the
    copy would drop every record lock this process has on the copy itself."""
    marker = tmp.with_name(tmp.name + ".lock")
    fd = os.open(marker, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        marker.unlink(missing_ok=True)
        os.close(fd)


@contextlib.contextmanager
def _private_copy(path: Path, tmp: Path) -> Iterator[StoreWriter]:
    try:
        if path.exists():
            shutil.copyfile(path, tmp)
            _check_store_file(tmp, path)
        con = duckdb.connect(str(tmp))
        try:
            con.execute(SCHEMA)
            # migration 1 -> 2: per-article entity counts derived from the mentions already stored
            con.execute("""INSERT INTO entity_articles SELECT entity_id, uid, count(*)::INTEGER FROM mentions
                           WHERE entity_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entity_articles)
                           GROUP BY entity_id, uid""")
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
            version = int(con.execute("SELECT coalesce(max(version), 0) + 1 FROM builds").fetchone()[0])
            con.execute("BEGIN TRANSACTION")
            w = StoreWriter(con, version)
            yield w
            if w.discard:
                con.execute("ROLLBACK")
            else:
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
        except BaseException:
            with contextlib.suppress(Exception):
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()
        if not w.discard:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            _keep_previous(path)
            try:
                os.replace(tmp, path)
            except FileNotFoundError as exc:
                raise StoreError(f"{tmp}: this build's private copy was deleted by another process before the swap; "
                                 f"{path} is unchanged: run the build again") from exc
            _fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def _keep_previous(path: Path) -> None:
    """Before a swap: the live file becomes ``STORE.prev`` (a hard link, so no extra disk until the swap; one
    previous version only: the older one is replaced)."""
    if not path.exists():
        return
    staged = path.with_name(f"{path.name}.prev-{os.getpid()}")
    staged.unlink(missing_ok=True)
    try:
        try:
            os.link(path, staged)
        except OSError:  # a file system without hard links: a copy (the store's size once more)
            shutil.copyfile(path, staged)
        os.replace(staged, previous_path(path))
    finally:
        staged.unlink(missing_ok=True)


@dataclass(frozen=True)
class Restored:
    """What :func:`restore_previous` did: ``path`` is the previous version again; the version it replaced was kept
    as ``kept_aside`` (None when there was no live file)."""

    path: Path
    kept_aside: Path | None
    kept_aside_was_damaged: bool


def restore_previous(path: str | Path, *, lock_timeout: float = 600.0, on_wait: Waiting | None = None) -> Restored:
    """Swap ``STORE.prev`` back in as the live store, under the build lock. Nothing is deleted: the replaced file is
    kept as ``STORE.damaged-TIMESTAMP`` (when it cannot be read) or ``STORE.replaced-TIMESTAMP``. Raises StoreError
    when there is no previous version or it cannot be read either."""
    path = resolve_store_path(path)
    prev = previous_path(path)
    with _exclusive(path, lock_timeout, on_wait or _say_on_stderr):
        if not prev.exists():
            raise StoreError(f"{path}: no previous version to restore ({prev.name} does not exist; one is kept from "
                             "the second build on). Rebuild the store from its sources: python -m analysis build ...")
        problem = read_problem(prev)
        if problem:
            raise StoreError(f"{prev}: the previous version cannot be read either ({problem}); rebuild the store from "
                             "its sources: python -m analysis build ...")
        aside, damaged = None, False
        try:
            if path.exists():
                damaged = read_problem(path) is not None
                aside = _aside_name(path, "damaged" if damaged else "replaced")
                try:
                    os.link(path, aside)
                except OSError:
                    shutil.copyfile(path, aside)
            os.replace(prev, path)
        except OSError as exc:
            raise (_file_system_error(exc, path, path) or exc) from exc
        _fsync_dir(path.parent)
    return Restored(path, aside, damaged)


def set_aside(path: str | Path, *, lock_timeout: float = 600.0, on_wait: Waiting | None = None) -> Path:
    """Rename the store file to ``STORE.damaged-TIMESTAMP`` (under the build lock) so the next build starts a new
    store; ``STORE.prev`` is left as it is. Returns the new name of the file. Nothing is deleted."""
    path = resolve_store_path(path)
    with _exclusive(path, lock_timeout, on_wait or _say_on_stderr):
        if not path.exists():
            raise StoreError(f"{path}: no store file to set aside")
        aside = _aside_name(path, "damaged")
        try:
            os.rename(path, aside)
        except OSError as exc:
            raise (_file_system_error(exc, path, path) or exc) from exc
        _fsync_dir(path.parent)
    return aside


def _aside_name(path: Path, kind: str) -> Path:
    """``STORE.KIND-20261201T093000Z`` (``-1``, ``-2`` ... when that name is taken): never an existing file."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside, n = path.with_name(f"{path.name}.{kind}-{stamp}"), 1
    while aside.exists():
        aside, n = path.with_name(f"{path.name}.{kind}-{stamp}-{n}"), n + 1
    return aside


def read_problem(path: str | Path) -> str | None:
    """Why the store file at ``path`` cannot be read (None when it can): it is attached read-only and every table is
    scanned, so a zeroed or truncated block anywhere is found (DuckDB checks each block's checksum on read)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS s (READ_ONLY)", [str(path)])
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 's' ORDER BY table_name").fetchall()]
        if "meta" not in tables:
            return "not a NewsLens store: no meta table"
        for table in tables:  # names come from the file's catalogue; quoted as identifiers
            con.execute(f'SELECT bit_xor(hash(t)) FROM s."{table.replace(chr(34), chr(34) * 2)}" AS t').fetchall()
        return None
    except duckdb.Error as exc:
        return _first_line(exc)
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


# ---- mutual exclusion


_THREAD_LOCKS: dict[Path, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def _exclusive(path: Path, timeout: float, say: Waiting) -> Iterator[Waiting]:
    """Hold the store's write lock: a POSIX record lock (``lockf``) on ``PATH.lock``.

    Unlike ``flock``, a record lock is not shared with forked children (spaCy workers) and dies with the process
    that took it, so a killed build never leaves the store locked. Because record locks belong to a process, the
    threads of one process queue on a per-path lock first. If the lock file was deleted or replaced while another
    build ran, that build's private copy (``.building-PID``, locked while in use) still shows it is running: this
    build waits for it too."""
    deadline = time.monotonic() + timeout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise (_file_system_error(exc, path, path.parent) or exc) from exc
    with _THREAD_LOCKS_GUARD:
        in_process = _THREAD_LOCKS.setdefault(path, threading.Lock())
    if not in_process.acquire(blocking=False):
        say(f"waiting: another build in this process is writing {path}; this one starts when it ends")
        if not in_process.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise StoreError(f"{path}: another build in this process still writes it after {timeout:.0f} s; "
                             "try again when it ends")
    try:
        fd = _acquire(path, deadline, timeout, say)
        try:
            _wait_for_unlocked_builds(path, deadline, timeout, say)
            yield say
        finally:
            os.close(fd)  # releases the record lock
    finally:
        in_process.release()


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _acquire(path: Path, deadline: float, timeout: float, say: Waiting) -> int:
    """The descriptor of ``PATH.lock`` with the record lock held (the caller closes it to release)."""
    lock_path = _lock_path(path)
    announced = False
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise (_file_system_error(exc, path, lock_path) or exc) from exc
        try:
            while True:
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EACCES, errno.EAGAIN):
                        raise
                holder = _lock_holder(fd)
                who = f"build PID {holder}" if holder else "another build"
                if not announced:
                    say(f"waiting: {who} holds the lock {lock_path}; this build starts when it ends "
                        f"(gives up after {timeout:.0f} s)")
                    announced = True
                if time.monotonic() > deadline:
                    raise StoreError(f"{path}: {who} still holds the lock {lock_path} after {timeout:.0f} s; wait "
                                     "for it to finish (or stop that process if it is stuck) and run this again")
                time.sleep(0.2)
            if _same_file(fd, lock_path):
                return fd
            # the lock file was deleted or replaced while we waited on it: this lock guards nothing, take the new one
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


_FLOCK = "hhqqi4x"  # struct flock on Linux (64-bit off_t): type, whence, start, len, pid


def _lock_holder(fd: int) -> int | None:
    """PID of a process holding a record lock on ``fd``'s file (None when unlocked or unknown)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        got = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
    except OSError:
        return None
    kind, _whence, _start, _len, pid = struct.unpack(_FLOCK, got)
    return pid if kind != fcntl.F_UNLCK and pid > 0 else None


def _building_copies(path: Path) -> list[tuple[int, Path]]:
    """(pid, file) of every ``PATH.building-PID`` (and its ``.wal`` and ``.lock`` marker)."""
    out = []
    for copy in path.parent.glob(path.name + ".building-*"):
        pid = copy.name[len(path.name) + len(".building-"):].split(".", 1)[0]
        if pid.isdigit():
            out.append((int(pid), copy))
    return out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _copy_in_use(marker: Path) -> int | None:
    """PID of the build using a private copy (it holds a record lock on the copy's ``.lock`` marker), else None."""
    try:
        fd = os.open(marker, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return _lock_holder(fd)
    finally:
        os.close(fd)


def _wait_for_unlocked_builds(path: Path, deadline: float, timeout: float, say: Waiting) -> None:
    announced = False
    while True:
        running = [(pid, marker) for pid, marker in _building_copies(path)
                   if pid != os.getpid() and marker.name.endswith(".lock") and _copy_in_use(marker)]
        if not running:
            return
        pid, marker = running[0]
        copy = marker.with_suffix("")
        if not announced:
            say(f"waiting: build PID {pid} is still writing {copy.name} although the lock file {_lock_path(path)} "
                "was removed under it; this build starts when it ends")
            announced = True
        if time.monotonic() > deadline:
            raise StoreError(f"{path}: build PID {pid} still writes {copy} after {timeout:.0f} s; wait for it to "
                             "finish (or stop that process if it is stuck) and run this again")
        time.sleep(0.2)


def _remove_dead_copies(path: Path, say: Waiting) -> None:
    """Delete the private copies of killed builds (their PID is dead, or is this process's own leftover). A copy of
    a live process is never deleted: when that process is not writing it (a reused PID), it is left and named."""
    for pid, copy in _building_copies(path):
        if pid == os.getpid() or not _pid_alive(pid):
            copy.unlink(missing_ok=True)
        elif not copy.name.endswith((".wal", ".lock")):
            say(f"note: left {copy} in place: process {pid} is alive but not writing it (delete the file if no "
                "build is running)")


def _file_system_error(exc: BaseException, path: Path, file: Path) -> StoreError | None:
    """One clear line for the file-system failures a user can fix (disk full, read-only, permissions), else None.
    The whole exception chain counts: DuckDB reports a full disk once, then "transaction aborted" on cleanup."""
    chain, seen = [], exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    codes = {getattr(e, "errno", None) for e in chain}
    text = " ".join(str(e) for e in chain)
    if codes & {errno.ENOSPC, errno.EDQUOT} or "No space left on device" in text or "Disk quota exceeded" in text:
        size = path.stat().st_size if path.exists() else 0
        return StoreError(f"disk full writing {file}: free space in {path.parent} (a build needs about twice the "
                          f"store's size, {size / 1e6:,.1f} MB, plus the new articles) and run it again; {path} is "
                          "unchanged")
    if errno.EROFS in codes or "Read-only file system" in text:
        return StoreError(f"cannot write {file}: {path.parent} is on a read-only file system; build into a writable "
                          "folder (--store PATH) or remount it read-write")
    if codes & {errno.EACCES, errno.EPERM} or "Permission denied" in text:
        return StoreError(f"cannot write {file}: permission denied in {path.parent}; build into a folder you can "
                          "write (--store PATH) or fix its permissions")
    return None


def _check_store_file(tmp: Path, live: Path) -> None:
    try:
        con = duckdb.connect(str(tmp))
        con.execute("SELECT count(*) FROM meta").fetchone()
        con.close()
    except duckdb.Error as exc:
        raise StoreError(f"{live}: not a NewsLens store or damaged ({_first_line(exc)}). Restore the previous "
                         f"version (python -m analysis restore --store {live}) or build into another --store "
                         "path") from exc


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
