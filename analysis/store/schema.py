"""The store's schema: the tables (DDL), SCHEMA_VERSION, and the migrations a build applies to an older store.

A reader (:class:`analysis.store.Store`) opens only a store of :data:`SCHEMA_VERSION`, or one of an older version
it can still read (see :data:`READABLE_VERSIONS`); a build (:func:`analysis.store.writer`) brings any older store up
to date on its private copy with :func:`migrate`, one named step per version, so the live file is only replaced
once the whole build (migration included) succeeded, and the previous file is kept as ``STORE.prev``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SCHEMA_VERSION = 3  # 2: entity_articles, paragraph_topics; 3: typed LIST/STRUCT/JSON columns instead of JSON text
DEFAULT_STORE = Path(__file__).resolve().parents[2] / "data" / "newslens.duckdb"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS builds (
    version INTEGER PRIMARY KEY, started TIMESTAMP, finished TIMESTAMP, sources VARCHAR[], stats JSON);
CREATE TABLE IF NOT EXISTS articles (
    uid BIGINT PRIMARY KEY, id VARCHAR NOT NULL, title VARCHAR, text VARCHAR, raw_text VARCHAR,
    date DATE, date_source VARCHAR, source VARCHAR, url VARCHAR, language VARCHAR, origin VARCHAR,
    meta JSON, content_hash VARCHAR NOT NULL, story_key VARCHAR, story_id BIGINT, story_head BOOLEAN,
    n_words INTEGER, added_version INTEGER, outlet_country VARCHAR,
    enriched BOOLEAN DEFAULT FALSE, counted BOOLEAN DEFAULT FALSE);
CREATE TABLE IF NOT EXISTS article_ids (
    id VARCHAR PRIMARY KEY, uid BIGINT NOT NULL, origin VARCHAR, record_hash VARCHAR);
CREATE TABLE IF NOT EXISTS mentions (
    uid BIGINT, sent INTEGER, start INTEGER, "end" INTEGER, text VARCHAR, label VARCHAR, name VARCHAR,
    entity_id VARCHAR);
CREATE TABLE IF NOT EXISTS entities (
    entity_id VARCHAR PRIMARY KEY, name VARCHAR, label VARCHAR, mentions INTEGER, articles INTEGER,
    aliases VARCHAR[]);
CREATE TABLE IF NOT EXISTS article_countries (
    uid BIGINT, iso2 VARCHAR, weight DOUBLE, mentions INTEGER, evidence STRUCT("text" VARCHAR, "rule" VARCHAR)[],
    dateline BOOLEAN);
CREATE TABLE IF NOT EXISTS sentences (uid BIGINT, sent INTEGER, start INTEGER, "end" INTEGER);
CREATE TABLE IF NOT EXISTS events (
    uid BIGINT, sent INTEGER, sentence VARCHAR, expression VARCHAR, start_date DATE, end_date DATE,
    granularity VARCHAR, resolved BOOLEAN, anchor VARCHAR);
CREATE TABLE IF NOT EXISTS terms (term_id INTEGER PRIMARY KEY, term VARCHAR UNIQUE);
CREATE TABLE IF NOT EXISTS doc_terms (uid BIGINT, term_id INTEGER, count INTEGER);
CREATE TABLE IF NOT EXISTS topics (
    topic_id INTEGER PRIMARY KEY, label VARCHAR, terms VARCHAR[], size INTEGER, share DOUBLE, x DOUBLE, y DOUBLE);
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


#: Tables a writer may name in its generic helpers (insert_df, count): every table of the schema.
KNOWN_TABLES = WRITABLE_TABLES = frozenset({
    "articles", "article_ids", "mentions", "entities", "article_countries", "sentences", "events", "terms",
    "doc_terms", "topics", "article_topics", "paragraph_topics", "entity_articles", "models", "builds", "meta",
    "article_vectors",
})


def stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version recorded in the store ``con`` uses (None when there is none: a new or foreign file)."""
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row and str(row[0]).isdigit() else None


def migrate_1_to_2(con: duckdb.DuckDBPyConnection) -> None:
    """Version 2 added per-article entity counts (entity_articles, created by :data:`SCHEMA`): derive them from the
    mentions already stored (a no-op when the table already has rows)."""
    con.execute("""INSERT INTO entity_articles SELECT entity_id, uid, count(*)::INTEGER FROM mentions
                   WHERE entity_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entity_articles)
                   GROUP BY entity_id, uid""")


#: The columns that held JSON text up to schema version 2, and the expression that reads such text as the type the
#: column has since version 3 (DuckDB LIST / STRUCT, or JSON for free-form dicts whose keys vary by input format: a
#: STRUCT would fix the keys and a MAP(VARCHAR, VARCHAR) would turn numbers and lists into text). The same
#: expressions convert an old store in :func:`migrate_2_to_3` and present one to a reader in :func:`legacy_views`,
#: and :class:`~analysis.store.StoreWriter` applies them to JSON text it is handed (:data:`FROM_JSON_TEXT`).
TYPED_COLUMNS: dict[tuple[str, str], tuple[str, str]] = {
    ("articles", "meta"): ("JSON", "meta::JSON"),
    ("builds", "sources"): ("VARCHAR[]", """from_json(sources, '["VARCHAR"]')"""),
    ("builds", "stats"): ("JSON", "stats::JSON"),
    ("entities", "aliases"): ("VARCHAR[]", """from_json(aliases, '["VARCHAR"]')"""),
    ("article_countries", "evidence"): ('STRUCT("text" VARCHAR, "rule" VARCHAR)[]',
                                        """from_json(evidence, '[{"text": "VARCHAR", "rule": "VARCHAR"}]')"""),
    ("topics", "terms"): ("VARCHAR[]", """from_json(terms, '["VARCHAR"]')"""),
}

#: (table, column) -> expression over the incoming JSON text, for the writer's inserts of list/struct columns
FROM_JSON_TEXT = {key: expr for key, (kind, expr) in TYPED_COLUMNS.items() if kind != "JSON"}


def migrate_2_to_3(con: duckdb.DuckDBPyConnection) -> None:
    """Version 3 stores lists, structs and JSON as typed columns (:data:`TYPED_COLUMNS`) instead of JSON text:
    each column is converted in place; NULL stays NULL and every value is kept (the old file becomes ``STORE.prev``
    when the build that migrates it is swapped in)."""
    for (table, column), (kind, expr) in TYPED_COLUMNS.items():
        if _column_type(con, table, column) == "VARCHAR":
            con.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DATA TYPE {kind} USING {expr}')


#: version -> the step that brings a store of that version to the next one, in order
MIGRATIONS = {1: migrate_1_to_2, 2: migrate_2_to_3}

#: schema versions a reader opens: the current one, and version 2 through :func:`legacy_views`
READABLE_VERSIONS = (2, SCHEMA_VERSION)


def legacy_views(con: duckdb.DuckDBPyConnection, attached: str, into: str) -> None:
    """Present the version-2 store attached as ``attached`` (read-only) in the database ``into`` as views with
    today's column types, so every read query runs unchanged on a store an older NewsLens wrote (the dashboard
    opens stores read-only and cannot migrate them; the next build does). ``attached``/``into`` are names the
    reader chose, never user text."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY table_name",
        [attached]).fetchall()]
    for table in tables:
        if table not in KNOWN_TABLES:
            continue  # only tables of the schema: their names are fixed words, safe in SQL text
        typed = [f'{expr} AS "{column}"' for (t, column), (_kind, expr) in TYPED_COLUMNS.items() if t == table]
        select = f"* REPLACE ({', '.join(typed)})" if typed else "*"
        con.execute(f"CREATE VIEW {into}.main.{table} AS SELECT {select} FROM {attached}.main.{table}")


def _column_type(con: duckdb.DuckDBPyConnection, table: str, column: str) -> str | None:
    row = con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = ? AND column_name = ?",
                      [table, column]).fetchone()
    return row[0] if row else None


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Create what is missing (:data:`SCHEMA`), apply every migration from the stored version on, and record
    :data:`SCHEMA_VERSION`. Returns the names of the steps applied (empty for a new or current store)."""
    before = stored_version(con) if _has_meta(con) else None
    con.execute(SCHEMA)
    applied = []
    start = 1 if before is None and _has_rows(con) else before
    if start is not None:
        for version in range(start, SCHEMA_VERSION):
            step = MIGRATIONS.get(version)
            if step is not None:
                step(con)
                applied.append(step.__name__)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    return applied


def _has_meta(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = 'meta' AND schema_name = 'main'"
                            ).fetchall())


def _has_rows(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT 1 FROM articles LIMIT 1").fetchall())
