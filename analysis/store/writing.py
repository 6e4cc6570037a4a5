"""Writing a store: :class:`StoreWriter`, the write operations a build runs inside one transaction on its
private copy of the store (:func:`analysis.store.writer` makes the copy and swaps it in)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from analysis.store.reader import term_codes
from analysis.store.schema import FACT_TABLES, FROM_JSON_TEXT, OTHER_TOPIC_LABEL, WRITABLE_TABLES


class StoreWriter:
    """Write access to a private copy of the store inside one transaction; see :func:`analysis.store.writer`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, version: int):
        self.con = con
        self.version = version
        #: set to True to end the build without writing anything (nothing changed): the live store stays as it is.
        self.discard = False
        #: the schema migrations applied to this build's copy before it started (names; empty for a current store)
        self.migrations: list[str] = []

    def execute(self, sql: str, params: Sequence[Any] | None = None):
        return self.con.execute(sql, list(params or []))

    def rows(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, list(params or [])).fetchall()

    def df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, list(params or [])).df()

    def insert_df(self, table: str, frame: pd.DataFrame, columns: Sequence[str]) -> None:
        """Append ``frame[columns]`` to ``table`` (a fixed table name from this module)."""
        if table not in WRITABLE_TABLES:
            raise ValueError(f"unknown table {table!r}")
        if frame is None or frame.empty:
            return
        data = frame[list(columns)]
        self.con.register("_incoming", data)
        try:
            cols = ", ".join(f'"{c}"' for c in columns)
            # list/struct columns handed over as JSON text (evidence, aliases, terms) are read as their type
            select = ", ".join(f'{FROM_JSON_TEXT[(table, c)]} AS "{c}"' if (table, c) in FROM_JSON_TEXT
                               and _holds_text(data[c]) else f'"{c}"' for c in columns)
            self.con.execute(f"INSERT INTO {table} ({cols}) SELECT {select} FROM _incoming")
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
            existing.update(zip(new, frame["term_id"].tolist(), strict=True))
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
            """INSERT INTO topics SELECT -1, ?, []::VARCHAR[], (SELECT count(*) FROM article_topics WHERE topic_id = -1),
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

    def term_codes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return term_codes(self.con)

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
            [self.version, started, dt.datetime.now(), [str(s) for s in sources], json.dumps(stats, default=str)],
        )

    def count(self, table: str) -> int:
        if table not in WRITABLE_TABLES:
            raise ValueError(table)
        return int(self.rows(f"SELECT count(*) FROM {table}")[0][0])


def _holds_text(values: pd.Series) -> bool:
    """True when the column's values are strings (JSON text), not lists: the first non-null value decides."""
    first = next((v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))), None)
    return isinstance(first, str)
