"""Dependencies point one way: dashboard -> analysis, never back. `analysis` imports neither Streamlit nor the
dashboard, checked twice: statically (every import statement of every module) and at run time (importing every
analysis module in a fresh interpreter leaves both out of sys.modules)."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys

import analysis
from tests.conftest import REPO
from tests.support.source import parse_source

FORBIDDEN = ("streamlit", "dashboard")


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
    return out


def test_no_analysis_module_imports_streamlit_or_the_dashboard():
    offenders = []
    for path in sorted((REPO / "analysis").rglob("*.py")):
        for line, name in _imported_modules(parse_source(path.read_text(encoding="utf-8"))):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(REPO)}:{line} imports {name}")
    assert offenders == []


def test_the_check_sees_an_import_inside_a_function():
    tree = parse_source("def f():\n    import streamlit as st\n    from dashboard import data\n")
    assert [name for _, name in _imported_modules(tree)] == ["streamlit", "dashboard"]


def test_importing_every_analysis_module_loads_neither_streamlit_nor_the_dashboard():
    names = sorted(m.name for m in pkgutil.walk_packages(analysis.__path__, "analysis.")
                   if not m.name.startswith("analysis.resources"))
    assert len(names) > 30
    code = ("import importlib, json, sys\n"
            f"for name in {names!r}:\n    importlib.import_module(name)\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'streamlit', 'dashboard'})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
