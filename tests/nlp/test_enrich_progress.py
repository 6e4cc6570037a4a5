"""Enrich reports progress per article while it runs (issue 16 item 12), from one spaCy pipe over the whole build."""

from __future__ import annotations

import io
import itertools
import json

import pandas as pd

from analysis.cli import TextProgress
from analysis.enrich import enrich_frame, enrich_rows
from analysis.pipeline import BuildOptions, build

NAMES = ["Park Jin", "Angela Merkel", "Kim Jong Un", "Emmanuel Macron", "Joe Biden"]
PLACES = ["France", "Germany", "Japan", "Brazil", "Canada"]


def _articles(n: int) -> list[dict]:
    return [{"id": f"a{i}", "title": f"Talks number {i} in {PLACES[i % 5]}",
             "text": f"{NAMES[i % 5]} met ministers in {PLACES[(i + 1) % 5]} on Monday to discuss trade and "
                     f"security. The meeting was the {i}th of its kind, officials said.",
             "date": f"2025-03-{1 + i % 28:02d}", "language": "en"} for i in range(n)]


def test_enrich_rows_reports_every_article_and_matches_enrich_frame():
    frame = pd.DataFrame([{"uid": i + 1, "title": a["title"], "text": a["text"], "date": None}
                          for i, a in enumerate(_articles(7))])
    seen = []
    lazy = enrich_rows((r for r in zip(frame.uid, frame.title, frame.text, frame.date, strict=True)), on_doc=seen.append)
    whole = enrich_frame(frame)
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    for name in ("mentions", "countries", "events", "sentences"):
        pd.testing.assert_frame_equal(getattr(lazy, name), getattr(whole, name))
    assert set(lazy.mentions.name) >= {"Park Jin", "Angela Merkel"}


def test_build_off_a_terminal_prints_enrich_progress_with_rate_and_eta(tmp_path):
    src = tmp_path / "articles.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in _articles(40)), encoding="utf-8")
    out = io.StringIO()  # not a terminal: one full line per report, at most every 5 s of the clock
    ticks = itertools.count(0.0, 2.0)  # a fake clock: 2 s pass between two reports
    bar = TextProgress(stream=out, clock=lambda: next(ticks))
    report = build([str(src)], tmp_path / "s.duckdb",
                   BuildOptions(topics=False, embeddings=False, batch_size=8, n_process=1), progress=bar)
    assert report.enriched == 40
    enrich = [line for line in out.getvalue().splitlines() if line.lstrip().startswith("enrich")]
    # the 40 articles report after 8, 16, 24, 32 and 40 (one batch each); with 2 s a report and lines
    # at most every 5 s, the ones in between that carry a rate and an ETA are printed
    middle = [line for line in enrich if "/40 " in line and not line.rstrip().endswith("40/40")
              and "/s)" in line and " ETA " in line]
    assert middle, enrich
    assert enrich[-1].split("]")[1].strip().startswith("40/40")
    assert sum("40/40" in line for line in enrich) == 1  # the end is said once
