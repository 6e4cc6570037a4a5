"""Time figure export: the first PNG (starts the browser), the next 5 PNGs (median), SVG, PDF, HTML, CSV.

Run: .venv/bin/python bench/bench_export.py
Prints a table; target: one PNG export after the first under 0.5 s. Figures are built from synthetic data, so no
corpus is needed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from analysis.export import csv_bytes, figure_bytes, static_export_available  # noqa: E402
from analysis.figures import country_map, keyword_bar, volume_chart  # noqa: E402


def _figures():
    rng = np.random.default_rng(0)
    periods = pd.date_range("2024-01-01", periods=52, freq="W")
    arts = rng.integers(20, 200, len(periods))
    vol = volume_chart(pd.DataFrame({"period": periods, "articles": arts, "unique": (arts * 0.8).astype(int)}))
    kw = keyword_bar(pd.DataFrame({"term": [f"term {i}" for i in range(30)], "score": rng.random(30),
                                   "count": rng.integers(1, 99, 30), "docs": rng.integers(1, 50, 30)}))
    iso = ["US", "GB", "FR", "DE", "CN", "JP", "KR", "RU", "BR", "IN", "ZA", "AU", "CA", "MX", "EG"]
    cmap = country_map(pd.DataFrame({"iso2": iso, "name": iso, "articles": rng.integers(1, 500, len(iso)),
                                     "weight": rng.random(len(iso))}))
    return vol, kw, cmap


def _time(fn) -> tuple[float, int]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, len(out)


def main() -> int:
    vol, kw, cmap = _figures()
    rows: list[tuple[str, float, int]] = []
    rows.append(("html (volume, plotly.js inlined)", *_time(lambda: figure_bytes(vol, "html"))))
    table = pd.DataFrame({"term": [f"=t{i}" for i in range(10_000)], "score": np.arange(10_000.0)})
    rows.append(("csv (10k rows)", *_time(lambda: csv_bytes(table))))
    if not static_export_available():
        print("static export unavailable (no Chromium): only HTML/CSV timed")
    else:
        rows.append(("png first (starts Chromium)", *_time(lambda: figure_bytes(vol, "png"))))
        nxt = [_time(lambda: figure_bytes(vol, "png")) for _ in range(5)]
        rows.append(("png next 5, median", statistics.median(t for t, _ in nxt), nxt[0][1]))
        rows.append(("png keyword bar", *_time(lambda: figure_bytes(kw, "png"))))
        rows.append(("png country map (WebGL)", *_time(lambda: figure_bytes(cmap, "png"))))
        rows.append(("png country map again", *_time(lambda: figure_bytes(cmap, "png"))))
        rows.append(("svg", *_time(lambda: figure_bytes(vol, "svg"))))
        rows.append(("pdf", *_time(lambda: figure_bytes(vol, "pdf"))))
    width = max(len(r[0]) for r in rows)
    print(f"{'export':<{width}}  {'seconds':>8}  {'bytes':>10}")
    for name, secs, size in rows:
        print(f"{name:<{width}}  {secs:8.3f}  {size:10,d}")
    median = next((s for n, s, _ in rows if n.startswith("png next")), None)
    if median is not None:
        print(f"target: PNG after the first < 0.5 s -> {'met' if median < 0.5 else 'NOT met'} ({median:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
