"""Where every benchmark writes its figures: ``bench/results/<kind>-<timestamp>.{txt,json}`` and the same as
``<kind>-latest.*`` (git-ignored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_results(folder: Path, kind: str, stamp: str, text: str, payload: dict[str, Any]) -> Path:
    """Write the printed ``text`` and the JSON ``payload`` under both names; returns the timestamped path without
    its suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    text = text if text.endswith("\n") else text + "\n"
    for name in (f"{kind}-{stamp}", f"{kind}-latest"):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        (folder / f"{name}.json").write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    return folder / f"{kind}-{stamp}"
