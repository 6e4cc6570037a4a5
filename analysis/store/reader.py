"""Reading a store: :class:`Store`, a read-only snapshot of one on-disk version, and every read query.

Readers attach the file read-only to a private in-memory database, which sidesteps DuckDB's per-path instance cache
so a new version is seen on reopen; a build renames a new file over the live one, and a Store opened before keeps
reading its own version (the renamed-over file stays alive while open).

Every query takes a :class:`analysis.filters.Filter` and binds all values as parameters; SQL text is built only
from fixed fragments (:mod:`analysis.store.where` for the filter).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analysis.errors import StoreDamaged
from analysis.filters import Filter
from analysis.periods import sql_unit
from analysis.store.opening import StoreVersion, attach_read_only, first_line, store_version  # noqa: F401 - API
from analysis.store.schema import SCHEMA, SCHEMA_VERSION
from analysis.store.where import split_params, text_scan_sql, where_clause

#: the default of every query: all articles (a Filter is frozen, so one instance serves every call)
NO_FILTER = Filter()


class Store:
    """A read-only snapshot of one store version. Thread-safe: each query runs on its own cursor.

    >>> store = Store.open("data/newslens.duckdb")      # doctest: +SKIP
    >>> store.stats()["articles"]                         # doctest: +SKIP
    1
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, version: StoreVersion | None, db: str = "s"):
        self._con = con
        self.path = path
        self.version = version
        self._db = db  # the database the queries run in: the attached file, or views over an older one
        self._lock = threading.Lock()
        #: Set by a host that keeps a Store for many queries and caches their parts (``dashboard.data``): called as
        #: ``text_matches(words, scan)``, it returns the uids of the articles holding every word of a text query,
        #: running ``scan()`` only when it does not hold them yet. None (the CLI, one command per process): every
        #: query that filters by text scans the text again. The store itself keeps no cache.
        self.text_matches: Callable[[tuple[str, ...], Callable[[], Any]], Any] | None = None
        #: Likewise ``term_index()``: this version's :class:`analysis.keywords.TermIndex`, kept by the host;
        #: None: :func:`analysis.slices.term_index` builds it on each use.
        self.term_index_source: Callable[[], Any] | None = None

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """The store at ``path`` as a read-only snapshot of its current version (StoreError when there is none or
        its schema cannot be read, StoreDamaged when the file is damaged)."""
        return cls(*attach_read_only(Path(path)))

    @classmethod
    def empty(cls) -> Store:
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
            cur.execute("USE memory" if self._db == "memory" else "USE s")
        return cur

    def _execute(self, cur: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None):
        values, relations = split_params(params)
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
            raise StoreDamaged(self.path, first_line(exc)) from exc
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
        """version, started, finished, sources (list[str]: what the build read), stats (dict: the build's counts)."""
        frame = self.df("SELECT version, started, finished, sources, stats FROM builds ORDER BY version")
        frame["sources"] = str_lists(frame["sources"])
        frame["stats"] = [json.loads(v) if v else {} for v in frame["stats"]]
        return frame

    # ---- filtering ----

    def _where(self, f: Filter, alias: str = "a") -> tuple[str, list[Any]]:
        """WHERE clause (fixed fragments) and bound parameters for ``f`` over ``articles AS alias``."""
        return where_clause(f, self._text_match, alias)

    def _text_match(self, words: tuple[str, ...]):
        """Arrow table (uid) of the articles whose title or text contains every word (case-insensitive), from the
        host's cache when it set :attr:`text_matches`, else scanned now."""
        if self.text_matches is not None:
            return self.text_matches(words, lambda: self._scan_text(words))
        return self._scan_text(words)

    def _scan_text(self, words: tuple[str, ...]):
        """Arrow table (uid) of the articles whose title or text contains every one of ``words`` (lower-case)."""
        import pyarrow as pa

        with self._reading() as cur:
            res = cur.execute(text_scan_sql(len(words)), [w for word in words for w in (word, word)]).fetchnumpy()
        return pa.table({"uid": pa.array(np.asarray(res["uid"], dtype=np.int64))})

    def uids(self, f: Filter = NO_FILTER) -> np.ndarray:
        """Sorted uids of the articles matching ``f``."""
        where, params = self._where(f)
        with self._reading() as cur:
            res = self._execute(cur, f"SELECT a.uid FROM articles a WHERE {where} ORDER BY a.uid", params).fetchnumpy()
        return np.asarray(res["uid"], dtype=np.int64)

    def count(self, f: Filter = NO_FILTER) -> dict[str, int]:
        where, params = self._where(f)
        row = self.rows(
            f"""SELECT count(*), count(DISTINCT story_id), count(*) FILTER (WHERE date IS NULL)
                FROM articles a WHERE {where}""",
            params,
        )[0]
        return {"articles": row[0], "stories": row[1], "undated": row[2]}

    # ---- articles ----

    def articles(self, f: Filter = NO_FILTER, limit: int | None = 200, offset: int = 0, order: str = "date") -> pd.DataFrame:
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
        out["meta"] = json.loads(out["meta"]) if out["meta"] else {}
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
        out["countries"]["evidence"] = [[dict(e) for e in ev] if ev is not None else []
                                        for ev in out["countries"]["evidence"]]
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

    def export_rows(self, f: Filter = NO_FILTER, with_text: bool = False) -> pd.DataFrame:
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
        """topic_id, label, terms (list[str], most typical first), size (articles in the filter, or paragraphs when
        :meth:`topic_unit` is "paragraphs"), share (of the filtered articles/paragraphs), x, y."""
        f = f or Filter()
        paragraphs = self.topic_unit() == "paragraphs"
        if f.is_empty and not paragraphs:  # sizes stored by the build
            return _with_str_lists(self.df(
                "SELECT topic_id, label, terms, size, share, x, y FROM topics ORDER BY size DESC, topic_id"
            ), "terms")
        table = "paragraph_topics" if paragraphs else "article_topics"
        where, params = self._where(f)
        return _with_str_lists(self.df(
            f"""WITH sel AS (SELECT t.topic_id FROM articles a JOIN {table} t ON t.uid = a.uid WHERE {where})
                SELECT tp.topic_id, tp.label, tp.terms, count(sel.topic_id)::INTEGER AS size,
                       coalesce(count(sel.topic_id) / nullif((SELECT count(*) FROM sel), 0), 0) AS share, tp.x, tp.y
                FROM topics tp LEFT JOIN sel USING (topic_id)
                GROUP BY ALL ORDER BY size DESC, topic_id""",
            params,
        ), "terms")

    def topic_article_counts(self, f: Filter = NO_FILTER) -> pd.DataFrame:
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

    def countries(self, f: Filter = NO_FILTER, min_weight: float | None = None) -> pd.DataFrame:
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

    def entities(self, f: Filter = NO_FILTER, labels: Sequence[str] = (), limit: int = 50) -> pd.DataFrame:
        """entity_id, name, label, articles, mentions within the filter; most articles first. ``attrs["entities"]``:
        how many entities there are before the ``limit`` cut (a chart of the top ones says of how many)."""
        label_sql = "AND list_contains(?::VARCHAR[], e.label)" if labels else ""
        label_params = [list(labels)] if labels else []
        if f.is_empty:  # whole corpus: the catalogue already holds the counts
            return count_to_attrs(self.df(
                f"""SELECT e.entity_id, e.name, e.label, e.articles, e.mentions, count(*) OVER () AS entities
                    FROM entities e WHERE TRUE {label_sql}
                    ORDER BY e.articles DESC, e.mentions DESC, e.entity_id LIMIT ?""",
                label_params + [int(limit)],
            ), "entities")
        where, params = self._where(f)
        return count_to_attrs(self.df(
            f"""WITH counts AS (
                    SELECT ea.entity_id, count(*)::INTEGER AS articles, sum(ea.mentions)::INTEGER AS mentions
                    FROM entity_articles ea JOIN articles a ON a.uid = ea.uid WHERE {where} GROUP BY ea.entity_id)
                SELECT c.entity_id, e.name, e.label, c.articles, c.mentions, count(*) OVER () AS entities
                FROM counts c JOIN entities e ON e.entity_id = c.entity_id
                WHERE TRUE {label_sql}
                ORDER BY c.articles DESC, c.mentions DESC, c.entity_id LIMIT ?""",
            params + label_params + [int(limit)],
        ), "entities")

    def entity_catalog(self, search: str = "", limit: int = 200) -> pd.DataFrame:
        """The alias table: entity_id, name, label, mentions, articles, aliases (list[str]); with ``search``, the
        entities whose name or one of whose aliases contains it (case-insensitive)."""
        if search:
            return _with_str_lists(self.df(
                "SELECT * FROM entities WHERE contains(lower(name), ?) "
                "OR len(list_filter(aliases, lambda x: contains(lower(x), ?))) > 0 "
                "ORDER BY articles DESC, entity_id LIMIT ?",
                [search.lower(), search.lower(), int(limit)],
            ), "aliases")
        return _with_str_lists(self.df("SELECT * FROM entities ORDER BY articles DESC, entity_id LIMIT ?",
                                       [int(limit)]), "aliases")

    def entity_names(self, entity_ids: Sequence[str]) -> dict[str, str]:
        if not entity_ids:
            return {}
        return dict(self.rows("SELECT entity_id, name FROM entities WHERE list_contains(?::VARCHAR[], entity_id)", [list(entity_ids)]))

    # ---- time ----

    def volume(self, f: Filter = NO_FILTER, freq: str = "week") -> pd.DataFrame:
        """period (start date), articles, unique (stories) for dated articles; undated are counted by :meth:`count`."""
        unit = sql_unit(freq)
        where, params = self._where(f)
        return self.df(
            f"""SELECT date_trunc('{unit}', a.date)::DATE AS period, count(*)::INTEGER AS articles,
                       count(DISTINCT a.story_id)::INTEGER AS "unique"
                FROM articles a WHERE {where} AND a.date IS NOT NULL GROUP BY period ORDER BY period""",
            params,
        )

    def entity_timeline(self, f: Filter, entity_ids: Sequence[str], freq: str = "week") -> pd.DataFrame:
        """period, entity_id, name, mentions, articles per period (publication dates) for the given entities."""
        unit = sql_unit(freq)
        where, params = self._where(f)
        return self.df(
            f"""SELECT date_trunc('{unit}', a.date)::DATE AS period, ea.entity_id, any_value(e.name) AS name,
                       sum(ea.mentions)::INTEGER AS mentions, count(*)::INTEGER AS articles
                FROM entity_articles ea JOIN articles a ON a.uid = ea.uid LEFT JOIN entities e ON e.entity_id = ea.entity_id
                WHERE {where} AND a.date IS NOT NULL AND list_contains(?::VARCHAR[], ea.entity_id)
                GROUP BY period, ea.entity_id ORDER BY period, ea.entity_id""",
            params + [list(entity_ids)],
        )

    def topics_over_time(self, f: Filter = NO_FILTER, freq: str = "week") -> pd.DataFrame:
        """period, topic_id, label, articles, share (of the period's articles)."""
        unit = sql_unit(freq)
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

    def topic_country(self, f: Filter = NO_FILTER, top_countries: int = 15) -> pd.DataFrame:
        """topic_id, label, iso2, articles for the ``top_countries`` most frequent countries in the filter;
        ``attrs["countries"]`` is how many countries there are in all (a chart of the top ones says so)."""
        where, params = self._where(f)
        frame = self.df(
            f"""WITH sel AS (
                    SELECT t.topic_id, c.iso2 FROM articles a JOIN article_topics t ON t.uid = a.uid
                    JOIN article_countries c ON c.uid = a.uid WHERE {where} AND c.weight >= ?),
                top AS (SELECT iso2 FROM sel GROUP BY iso2 ORDER BY count(*) DESC, iso2 LIMIT ?)
                SELECT sel.topic_id, any_value(tp.label) AS label, sel.iso2, count(*)::INTEGER AS articles,
                       (SELECT count(DISTINCT iso2) FROM sel) AS countries
                FROM sel JOIN top USING (iso2) LEFT JOIN topics tp USING (topic_id)
                GROUP BY sel.topic_id, sel.iso2 ORDER BY sel.topic_id, sel.iso2""",
            params + [f.min_country_weight, int(top_countries)],
        )
        return count_to_attrs(frame, "countries")

    def article_map(self, f: Filter = NO_FILTER, limit: int = 5000) -> pd.DataFrame:
        """uid, title, topic_id, label, x, y (a deterministic sample of at most ``limit`` articles); ``attrs["total"]``
        is how many articles under ``f`` have a place on the map (the sample is said to be one)."""
        where, params = self._where(f)
        frame = self.df(
            f"""SELECT a.uid, a.title, t.topic_id, tp.label, t.x, t.y, count(*) OVER () AS total
                FROM articles a JOIN article_topics t ON t.uid = a.uid LEFT JOIN topics tp USING (topic_id)
                WHERE {where} ORDER BY hash(a.uid) LIMIT ?""",
            params + [int(limit)],
        )
        return count_to_attrs(frame, "total")

    def cooccurrence(self, f: Filter = NO_FILTER, level: str = "sentence", top: int = 40, labels: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
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

    def events(self, f: Filter = NO_FILTER, lanes: str = "country", lane_ids: Sequence[str] = (), resolved_only: bool = True,
               limit: int = 2000, sample: bool = False, unresolved_only: bool = False) -> pd.DataFrame:
        """Dated events: uid, title, sentence, expression, start, end, granularity, resolved, lane (an entity or
        country in the event's sentence; ``lanes`` = "country" | "entity" | "none" for one row per event), lane_id.
        Chronological; with ``sample=True`` the ``limit`` rows are a deterministic sample over all dates (for charts)
        instead of the earliest ones; ``attrs["total"]`` is how many rows there are without the limit.
        ``resolved_only``: only mentions placed on the calendar; ``unresolved_only``: only the others ("on Sunday" in
        an undated article)."""
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
        select = f"""SELECT DISTINCT ev.uid, a.title, ev.sentence, ev.expression, ev.start_date AS start,
                            ev.end_date AS "end", ev.granularity, ev.resolved, {lane_cols}
                     FROM events ev JOIN articles a ON a.uid = ev.uid {lane_sql}
                     WHERE {where} {resolved_sql} {lane_filter}"""
        frame = self.df(f"{select} ORDER BY {order_sql} LIMIT ?", params + lane_params + [int(limit)]) \
            .sort_values(["start", "lane", "uid"], na_position="last", kind="stable").reset_index(drop=True)
        # how many rows the limit cut from (counted only when it may have cut): a chart of a sample says so
        frame.attrs["total"] = len(frame) if len(frame) < int(limit) else \
            int(self.rows(f"SELECT count(*) FROM ({select})", params + lane_params)[0][0])
        return frame

    # ---- terms and topics model ----

    def term_codes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(uid, term_id, count, vocab) of the stored doc-term counts, ``vocab[term_id]`` = the term string: one
        row per (article, term) without a string per row (see ``TermIndex.from_coded``)."""
        with self._reading() as cur:
            return term_codes(cur)

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

    def article_dates(self, f: Filter = NO_FILTER) -> pd.DataFrame:
        """uid, date of the dated articles matching ``f``."""
        where, params = self._where(f)
        return self.df(f"SELECT a.uid, a.date FROM articles a WHERE {where} AND a.date IS NOT NULL ORDER BY a.uid", params)


def term_codes(cur) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(uid, term_id, count, vocab): doc_terms as integer arrays and vocab[term_id] = term (None for unused ids)."""
    res = cur.execute("SELECT uid, term_id, count FROM doc_terms").fetchnumpy()
    terms = cur.execute("SELECT term_id, term FROM terms").fetchnumpy()
    ids = np.asarray(terms["term_id"], np.int64)
    vocab = np.empty(int(ids.max()) + 1 if len(ids) else 0, dtype=object)
    vocab[ids] = np.asarray(terms["term"], dtype=object)
    return (np.asarray(res["uid"], np.int64), np.asarray(res["term_id"], np.int64),
            np.asarray(res["count"], np.int64), vocab)


def count_to_attrs(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame`` without ``column``, a count the query repeated on every row (computed before its LIMIT cut), which
    goes to ``frame.attrs[column]`` instead (0 for no row): what a chart of the cut rows says it was cut from."""
    count = int(frame[column].iat[0]) if len(frame) else 0
    frame = frame.drop(columns=column)
    frame.attrs[column] = count
    return frame


def str_lists(values) -> list[list[str]]:
    """A LIST column as DuckDB hands it to pandas (numpy arrays, None) -> plain lists of str ([] for NULL)."""
    return [[str(v) for v in items] if items is not None else [] for items in values]


def _with_str_lists(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    frame[column] = str_lists(frame[column])
    return frame
