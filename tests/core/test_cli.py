"""The command line: exit codes, help, filters, export formats (in-process through analysis.cli.main)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis.cli import EXIT_OK, EXIT_REJECTED, EXIT_STORE, EXIT_USAGE, main
from tests.conftest import REPO


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "oil.csv").write_text(
        "id,headline,body,published,publisher\n"
        "o1,Oil prices fall,OPEC output rose while oil prices fell in London.,1987-03-02,Reuters\n"
        "o2,Wheat harvest,Kansas farmers expect a record wheat harvest.,1987-04-10,AP\n",
        encoding="utf-8")
    store = folder / "s.duckdb"
    assert main(["build", str(corpus), "--store", str(store), "--no-enrich", "--no-topics", "--quiet"]) == EXIT_OK
    return store


def test_help_names_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("build", "articles", "entities", "timeline", "events", "keywords", "topics", "chart", "report"):
        assert command in out


def test_articles_export_jsonl_and_csv(tiny_store, capsys, tmp_path):
    assert main(["articles", "--store", str(tiny_store), "--keywords", "0"]) == EXIT_OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["id"], r["title"], r["date"][:10], r["source"]) for r in rows] == [
        ("o1", "Oil prices fall", "1987-03-02", "Reuters"), ("o2", "Wheat harvest", "1987-04-10", "AP")]
    assert {"countries", "topic", "topic_label", "keywords", "entities"} <= set(rows[0])
    out = tmp_path / "a.csv"
    assert main(["articles", "--store", str(tiny_store), "--source", "AP", "--format", "csv", "--out", str(out)]) == EXIT_OK
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,title,date,source")
    assert len(lines) == 2 and lines[1].startswith("o2,Wheat harvest")


def test_filters_reach_the_store(tiny_store, capsys):
    assert main(["articles", "--store", str(tiny_store), "--since", "1987-04-01", "--keywords", "0"]) == EXIT_OK
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["o2"]
    assert main(["articles", "--store", str(tiny_store), "--query", "'; DROP TABLE articles; --"]) == EXIT_OK
    assert capsys.readouterr().out == ""


def test_bad_arguments_and_missing_store(tiny_store, tmp_path, capsys):
    assert main(["articles", "--store", str(tiny_store), "--since", "soon"]) == EXIT_USAGE
    assert "not a date" in capsys.readouterr().err
    assert main(["stats", "--store", str(tmp_path / "nope.duckdb")]) == EXIT_STORE
    assert "no store here yet" in capsys.readouterr().err
    assert main(["build", str(tmp_path / "missing"), "--store", str(tmp_path / "x.duckdb"), "--no-enrich",
                 "--no-topics", "--quiet"]) == EXIT_REJECTED
    assert "missing" in capsys.readouterr().out


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "analysis", "build", "--help"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0
    assert "--store" in out.stdout and "incremental" in out.stdout.lower() or "Re-running" in out.stdout


def test_progress_lines_off_a_terminal_carry_rate_and_eta(monkeypatch):
    import io

    from analysis import cli

    clock = iter([0.0, 0.0, 10.0, 20.0])
    monkeypatch.setattr(cli.time, "perf_counter", lambda: next(clock))
    out = io.StringIO()  # not a terminal: one line per update, every 5 s at most
    bar = cli.TextProgress(stream=out)
    bar("enrich", 0, 400)
    bar("enrich", 100, 400)
    bar("enrich", 400, 400)
    lines = out.getvalue().splitlines()
    assert lines[1].endswith("100/400 (10/s) ETA 30s") and lines[2].endswith("400/400 (20/s)")
    assert cli._duration(185) == "3m05s" and cli._duration(3720) == "1h02m"
