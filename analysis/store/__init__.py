"""The DuckDB store: schema, versioned writes and every query. The only package that writes SQL.

Layout: one DuckDB file (default ``data/newslens.duckdb``). A build never writes the live file: it copies it,
writes the copy inside one transaction, checkpoints, and atomically renames it over the live file
(:func:`writer`). So a crash, a kill or a bad input leaves the previous store untouched, and readers that opened the
previous version keep a consistent snapshot until they reopen.

Modules, one job each:

- :mod:`~analysis.store.schema`: the tables, ``SCHEMA_VERSION`` and the named migrations of an older store;
- :mod:`~analysis.store.reader`: :class:`Store` (a read-only snapshot of one version) and its read queries;
- :mod:`~analysis.store.where`: a Filter as a WHERE clause (fixed fragments, bound values);
- :mod:`~analysis.store.writing`: :class:`StoreWriter`, the write operations of a build;
- :mod:`~analysis.store.files`: :func:`writer` (private copy, atomic swap, ``STORE.prev``), restore, set-aside,
  :func:`read_problem`;
- :mod:`~analysis.store.locks`: one build at a time.

``from analysis.store import Store, writer, ...`` is the API; the submodules are its implementation.
"""

from analysis.errors import StoreDamaged, StoreError
from analysis.store.files import (
    Restored,
    previous_path,
    read_problem,
    resolve_store_path,
    restore_previous,
    set_aside,
    writer,
)
from analysis.store.locks import Waiting
from analysis.store.opening import StoreVersion, store_version
from analysis.store.reader import NO_FILTER, Store
from analysis.store.schema import DEFAULT_STORE, FACT_TABLES, OTHER_TOPIC_LABEL, SCHEMA, SCHEMA_VERSION
from analysis.store.writing import StoreWriter

__all__ = [
    "DEFAULT_STORE", "FACT_TABLES", "NO_FILTER", "OTHER_TOPIC_LABEL", "Restored", "SCHEMA", "SCHEMA_VERSION", "Store",
    "StoreDamaged", "StoreError", "StoreVersion", "StoreWriter", "Waiting", "previous_path", "read_problem",
    "resolve_store_path", "restore_previous", "set_aside", "store_version", "writer",
]
