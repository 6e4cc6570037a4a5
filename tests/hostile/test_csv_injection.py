"""CSV formula injection (issue 19, item 5): every CSV NewsLens writes goes through one neutralising writer
(analysis.export.csv_text / csv_bytes). Cells that a spreadsheet would run as a formula get a leading apostrophe;
numbers, real or written as text, stay as they are. JSONL stays raw (it is data, not a spreadsheet)."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from analysis.export import FORMULA_STARTS, csv_bytes, csv_text, neutralise_cell
from tests.support.source import parse_source

REPO = Path(__file__).resolve().parents[2]
WRITER = REPO / "analysis" / "export.py"

FORMULAS = ['=HYPERLINK("http://x","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3+cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1", " =1+1", "   @SUM(1)", "\u3000=1+1", "\u200b=1+1", "\n=1+1",
            "\uff1dHYPERLINK(\"http://x\")", "\uff0b1+1", "\uff0dcmd", "\uff20SUM(1)", "=", "-", "+", "@",
            "-1+1", "+1)", "-cmd"]
NUMBERS = ["-3.5", "+1", "-0", "-1e5", "+2.5E-3", " -7 ", "-.5", "3", "1,5", "12:00"]
PLAIN = ["Zürich", "a=b", "x-ray", "e-mail @ home", "", "'already quoted", "1+1"]


def _significant(cell: str) -> str:
    for ch in cell:
        if ch in "\t\r" or not (ch.isspace() or unicodedata.category(ch) == "Cf"):
            return ch
    return ""


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _dangerous(cell: str) -> bool:
    """What the probe checks in written CSVs: a cell a spreadsheet would evaluate."""
    return _significant(cell) in FORMULA_STARTS and not _is_number(cell.strip())


@pytest.mark.parametrize("payload", FORMULAS)
def test_formula_cells_get_an_apostrophe(payload):
    assert neutralise_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", NUMBERS + PLAIN)
def test_numbers_and_plain_text_stay(value):
    assert neutralise_cell(value) == value


def test_random_cells_never_come_out_live():
    """A seeded sweep over strings built from triggers, blanks, format characters, digits and letters: every cell
    the writer emits is either unchanged and harmless, or the input with one apostrophe in front."""
    import random

    rng = random.Random(19)
    alphabet = list(FORMULA_STARTS) + [" ", "\u3000", "\u00a0", "\n", "\u200b", "\u202e", "\ufeff", "'", ".",
                                       "e", "E", "0", "1", "9", "a", "(", ")", "!", "|"]
    cells = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(5000)]
    out = list(csv.reader(io.StringIO(csv_text(pd.DataFrame({"c": cells})))))[1:]
    assert len(out) == len(cells)  # no cell broke into two rows
    for cell, (written,) in zip(cells, out, strict=True):
        expected = re.sub(r"\r(?!\n)", "\n", cell)  # a lone CR is written as the line break it stands for
        assert written in (expected, "'" + expected), (cell, written)
        assert not _dangerous(written), (cell, written)


def test_a_carriage_return_cannot_start_a_new_row():
    """A bare CR was written unquoted: a spreadsheet started a new row there, with a live formula as first cell."""
    text = csv_text(pd.DataFrame({"title": ["harmless\r=HYPERLINK(\"http://x\")"], "n": [1]}))
    assert text == 'title,n\n"harmless\n=HYPERLINK(""http://x"")",1\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["title", "n"], ['harmless\n=HYPERLINK("http://x")', "1"]]


def test_writer_keeps_numeric_columns_and_joins_lists():
    frame = pd.DataFrame({"n": [-1, 2], "x": [-1.5, 0.25], "s": ["-3.5", "=1"], "l": [["=a", "b"], ["-c"]],
                          "ok": [True, False], "d": pd.to_datetime(["2024-01-02", None]),
                          "cat": pd.Categorical(["@x", "y"])})
    rows = list(csv.reader(io.StringIO(csv_text(frame))))
    assert rows == [["n", "x", "s", "l", "ok", "d", "cat"],
                    ["-1", "-1.5", "-3.5", "'=a;b", "True", "2024-01-02", "'@x"],
                    ["2", "0.25", "'=1", "'-c", "False", "", "y"]]
    assert csv_bytes(frame).decode("utf-8-sig") == csv_text(frame)
    assert frame["s"].tolist() == ["-3.5", "=1"]  # the caller's frame is not changed


def test_column_names_are_neutralised_too():
    assert csv_text(pd.DataFrame({"=cmd": [1]})).splitlines()[0] == "'=cmd"


# ------------------------------------------------------------------------------------------ one writer only
def _csv_writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(parse_source(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            owner = node.func.value
            if name == "to_csv" or (name in ("writer", "DictWriter") and isinstance(owner, ast.Name)
                                    and owner.id == "csv"):
                found.append(f"{path.relative_to(REPO)}:{node.lineno} .{name}(")
    return found


def test_no_csv_is_written_outside_the_one_writer():
    """Every ``.to_csv(`` / ``csv.writer(`` in analysis/ and dashboard/ is the one in export.csv_text: a new CSV
    output must call csv_text/csv_bytes instead (or it would skip the formula neutralising)."""
    offenders = []
    for folder in (REPO / "analysis", REPO / "dashboard"):
        for path in sorted(folder.rglob("*.py")):
            offenders += _csv_writes(path)
    writer_line = next(n.lineno for n in ast.walk(parse_source(WRITER.read_text(encoding="utf-8")))
                       if isinstance(n, ast.FunctionDef) and n.name == "csv_text")
    allowed = [o for o in offenders if o.startswith("analysis/export.py:")]
    assert len(allowed) == 1 and int(allowed[0].split(":")[1].split()[0]) > writer_line, offenders
    assert [o for o in offenders if o not in allowed] == []


def test_the_tables_own_csv_download_is_off():
    """Streamlit's table toolbar writes CSV in the browser without neutralising formulas: it is turned off, so the
    dashboard's only CSV downloads are the charts' Export > CSV (export.csv_bytes)."""
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


def test_the_grep_finds_a_new_writer(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import csv\ndef f(df, fh):\n    df.to_csv(fh)\n    csv.writer(fh)\n", encoding="utf-8")
    global REPO
    old, REPO = REPO, tmp_path
    try:
        assert len(_csv_writes(probe)) == 2
    finally:
        REPO = old


# ------------------------------------------------------------------------------------------ the CLI end to end
ARTICLES = [
    {"id": "f1", "title": '=HYPERLINK("http://x","click")', "source": "@SUM(1)", "date": "2024-01-04",
     "text": "=HYPERLINK(\"http://x\",\"click\") said officials in Seoul on 4 January 2024. South Korea and Japan "
             "held talks in Seoul on January 4, 2024."},
    {"id": "+cmd|' /C calc'!A0", "title": "+cmd|' /C calc'!A0", "source": "-Wire", "date": "2024-01-05",
     "text": "+cmd|' /C calc'!A0 The Bank of England met in London on 5 January 2024 and kept rates on hold."},
    {"id": "f3", "title": "\uff1dSUM(1)", "source": " =Wire", "date": "2024-01-06", "url": "=http://evil",
     "text": "@SUM(1) Farmers in France expect a record harvest, the ministry said on 6 January 2024."},
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    from analysis.pipeline import BuildOptions, build

    folder = tmp_path_factory.mktemp("csvinj")
    src = folder / "articles.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    path = folder / "store.duckdb"
    build([str(src)], path, BuildOptions(n_process=1))
    return path


COMMANDS = [["articles"], ["events", "--all"], ["entities"], ["countries"], ["keywords"], ["topics"],
            ["timeline"], ["entities", "--aliases"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_cli_csv_has_no_live_formula(store_path, capsys, command):
    from analysis.cli import main

    assert main([*command, "--store", str(store_path), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows, command
    assert [c for row in rows for c in row if _dangerous(c)] == [], command


def test_cli_articles_csv_exact_cells(store_path, capsys):
    from analysis.cli import main

    assert main(["articles", "--store", str(store_path), "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    by_id = dict(zip(frame["id"], frame["title"]))
    assert by_id == {"f1": "'=HYPERLINK(\"http://x\",\"click\")", "'+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
                     "f3": "'\uff1dSUM(1)"}
    assert sorted(frame["source"]) == ["'-Wire", "'=Wire", "'@SUM(1)"]  # sources are stripped on ingest
    assert frame.loc[frame["id"] == "f3", "url"].tolist() == ["'=http://evil"]


def test_cli_events_csv_sentences_are_neutralised(store_path, capsys):
    from analysis.cli import main

    assert main(["events", "--store", str(store_path), "--format", "csv", "--all"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str, keep_default_na=False)
    sentences = [s for s in frame["sentence"] if s.lstrip("'").startswith(("=", "+", "@"))]
    assert sentences and all(s.startswith("'") for s in sentences), frame["sentence"].tolist()


def test_cli_jsonl_stays_raw(store_path, capsys):
    from analysis.cli import main

    assert main(["articles", "--store", str(store_path), "--format", "jsonl"]) == 0
    titles = sorted(json.loads(line)["title"] for line in capsys.readouterr().out.splitlines())
    assert titles == sorted(a["title"] for a in ARTICLES)


def test_cli_csv_to_a_file_is_neutralised(store_path, tmp_path, capsys):
    from analysis.cli import main

    out = tmp_path / "a.csv"
    assert main(["articles", "--store", str(store_path), "--format", "csv", "--out", str(out)]) == 0
    capsys.readouterr()
    cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8"))) for c in row]
    assert "'@SUM(1)" in cells and not [c for c in cells if _dangerous(c)]


def test_chart_csv_and_report_bundle_are_neutralised(store_path, tmp_path, capsys):
    import zipfile

    from analysis.cli import main

    out = tmp_path / "sources.csv"
    for name in ("entity_bar", "keywords", "topic_bar"):
        assert main(["chart", name, "--store", str(store_path), "--out", str(out)]) == 0
        cells = [c for row in csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))) for c in row]
        assert not [c for c in cells if _dangerous(c)], name
    bundle = tmp_path / "r.zip"
    assert main(["report", "--store", str(store_path), "--out", str(bundle), "--charts", "keywords", "events"]) == 0
    capsys.readouterr()
    with zipfile.ZipFile(bundle) as zf:
        for name in (n for n in zf.namelist() if n.endswith(".csv")):
            cells = [c for row in csv.reader(io.StringIO(zf.read(name).decode("utf-8-sig"))) for c in row]
            assert not [c for c in cells if _dangerous(c)], name
