"""Parse Python source for tests that read the project's own code (layering, injection checks)."""

from __future__ import annotations

import ast


def parse_source(text: str) -> ast.Module:
    """``ast.parse(text)``, once more on CPython 3.11's spurious "AST constructor recursion depth mismatch"
    SystemError: its AST builder keeps the recursion counter in state every thread shares (python/cpython#106905),
    so a module compiled at the same moment by an import in another thread (a fresh clone has no .pyc files; the
    dashboard's background threads import lazily) can fail this parse. A real syntax error still raises."""
    for _ in range(2):
        try:
            return ast.parse(text)
        except SystemError:
            continue
    return ast.parse(text)
