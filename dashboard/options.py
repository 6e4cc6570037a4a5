"""Which store the dashboard shows and whether it may write: read from the command line and the environment.

No Streamlit import here, so ``dashboard.serve`` can resolve the store before the server (and its caches) exist.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import analysis.store as store_module


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Options after ``--`` on the streamlit command line: ``--store PATH``, ``--read-only``. Unknown ones ignored."""
    argv = sys.argv[1:] if argv is None else argv
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--store", default=None)
    parser.add_argument("--read-only", action="store_true")
    args, _unknown = parser.parse_known_args(argv)
    return args


def store_path(default: Path | None = None) -> Path:
    """The store this dashboard shows: ``--store`` > ``$NEWSLENS_STORE`` > ``default`` (the default store)."""
    args = parse_args()
    if args.store:
        return Path(args.store).expanduser()
    env = os.environ.get("NEWSLENS_STORE")
    if env:
        return Path(env).expanduser()
    return default if default is not None else store_module.DEFAULT_STORE


def read_only() -> bool:
    """True when writes (builds, uploads) are disabled: env ``NEWSLENS_READ_ONLY=1`` or ``--read-only``."""
    env = os.environ.get("NEWSLENS_READ_ONLY", "").strip().lower()
    return env in ("1", "true", "yes", "on") or parse_args().read_only
