"""Incremental, transactional builds on tiny folders written in the tests (ingest + dedupe + terms)."""

from __future__ import annotations

import json
import os

import pytest

from analysis import pipeline
from analysis.filters import Filter
from analysis.pipeline import BuildOptions, build
from analysis.store import Store

FAST = BuildOptions(enrich=False, topics=False)


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    write(folder, "one.txt", "Oil prices fall\n\nOPEC output rose while oil prices fell sharply in London trading.\n")
    write(folder, "two.txt", "Seoul and Beijing talk\n\nPark Jin met Wang Yi in Busan to discuss the spy satellite.\n")
    write(folder, "sub/two-copy.txt", "Seoul and Beijing talk\n\nPark Jin met Wang Yi in Busan to discuss the spy satellite.\n")
    return folder


def test_first_build_dedupes_and_records_every_id(corpus, tmp_path):
    store_path = tmp_path / "s.duckdb"
    report = build([corpus], store_path, FAST)
    assert (report.read, report.added, report.duplicates, report.rejected) == (3, 2, 1, [])
    assert report.undated == 2
    store = Store.open(store_path)
    stats = store.stats()
    assert (stats["articles"], stats["input_ids"], stats["duplicates"]) == (2, 3, 1)
    rows = store.export_rows(Filter(query="busan"))
    assert len(rows) == 1
    assert sorted([rows.iloc[0]["id"], *rows.iloc[0]["duplicate_ids"]]) == ["sub/two-copy.txt", "two.txt"]


def test_rebuild_of_same_input_changes_nothing(corpus, tmp_path):
    store_path = tmp_path / "s.duckdb"
    build([corpus], store_path, FAST)
    before = (os.stat(store_path).st_ino, os.stat(store_path).st_mtime_ns, store_path.read_bytes())
    report = build([corpus], store_path, FAST)
    assert (report.added, report.unchanged, report.version) == (0, 3, 1)
    after = (os.stat(store_path).st_ino, os.stat(store_path).st_mtime_ns, store_path.read_bytes())
    assert after == before


def test_incremental_add_and_change(corpus, tmp_path):
    store_path = tmp_path / "s.duckdb"
    build([corpus], store_path, FAST)
    write(corpus, "three.txt", "Wheat harvest\n\nFarmers in Kansas expect a record wheat harvest this summer.\n")
    write(corpus, "one.txt", "Oil prices rise\n\nOPEC cut output and oil prices rose in London trading.\n")
    report = build([corpus], store_path, FAST)
    assert (report.added, report.updated, report.unchanged, report.removed, report.counted) == (1, 1, 2, 1, 2)
    store = Store.open(store_path)
    assert store.stats()["articles"] == 3
    assert store.export_rows(Filter(query="oil"))["title"].tolist() == ["Oil prices rise"]
    assert store.corpus_version() == 2


def test_bad_files_are_reported_and_the_rest_goes_on(corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02binary" * 50)
    (corpus / "broken.jsonl").write_text('{"title": "ok", "text": "fine text here"}\n{"title": "cut', encoding="utf-8")
    store_path = tmp_path / "s.duckdb"
    report = build([corpus, tmp_path / "does-not-exist"], store_path, FAST)
    assert report.added == 3
    joined = "\n".join(report.rejected)
    assert "empty.txt" in joined and "blob.txt" in joined and "broken.jsonl" in joined and "does-not-exist" in joined
    assert len(report.rejected) == 4


def test_crash_midway_keeps_the_previous_store(corpus, tmp_path, monkeypatch):
    store_path = tmp_path / "s.duckdb"
    build([corpus], store_path, FAST)
    before = store_path.read_bytes()
    write(corpus, "three.txt", "Wheat harvest\n\nFarmers expect a record wheat harvest.\n")

    def boom(*args, **kwargs):
        raise RuntimeError("simulated crash during term counting")

    monkeypatch.setattr(pipeline, "_count_terms", boom)
    with pytest.raises(RuntimeError, match="simulated crash"):
        build([corpus], store_path, FAST)
    assert store_path.read_bytes() == before
    assert Store.open(store_path).stats()["articles"] == 2
    monkeypatch.undo()
    report = build([corpus], store_path, FAST)
    assert report.added == 1
    assert Store.open(store_path).stats()["articles"] == 3


def test_duplicate_ids_in_one_build_are_rejected_not_overwritten(tmp_path):
    a = tmp_path / "a"
    write(a, "x.csv", "id,title,text\n1,First,first body text\n1,Second,second body text\n")
    report = build([a / "x.csv"], tmp_path / "s.duckdb", FAST)
    assert report.added == 1
    assert any("already used" in r for r in report.rejected)


# ---------------------------------------------------------------------------------------------- the build report
def test_report_counts_every_repair_by_kind_with_examples(tmp_path):
    folder = tmp_path / "in"
    write(folder, "bad.md", "---\ntitle: Talks: day two\nauthor: Kim\n\tSeoul\ndate: 2024-03-12\n---\nMinisters met.\n")
    write(folder, "photos.csv", "title,text\nPhoto one,\nPhoto two,\nStory,Exports rose in Busan today.\n")
    report = build([folder], tmp_path / "s.duckdb", FAST)
    assert (report.added, report.rejected) == (4, [])
    fm, title_only, undated = (report.warnings[k] for k in ("front_matter_repaired", "title_only", "undated"))
    assert (fm["count"], fm["severity"], fm["examples"]) == (
        1, "warning", [{"where": str(folder / "bad.md"), "detail": "not valid YAML"}])
    assert title_only["count"] == 2
    assert [e["where"] for e in title_only["examples"]] == [f"{folder / 'photos.csv'}:line 2",
                                                            f"{folder / 'photos.csv'}:line 3"]
    assert undated["count"] == 3 and undated["examples"][0]["detail"] == (
        "3 of 4 (75%) undated: 3 had no date field, front-matter date, publication line or dateline")
    assert report.warning_count() == 6 and report.date_sources == {"metadata": 1, "none": 3}
    assert report.languages == {"en": 4}
    text = report.summary()
    assert "2 x record without text: kept, marked title-only" in text and "what to do: fill in the text" in text
    assert report.to_dict()["warnings"]["title_only"]["count"] == 2


def test_title_only_records_are_left_out_of_term_counts(tmp_path):
    folder = tmp_path / "in"
    write(folder, "p.csv", "title,text\nPhoto sunset,\nStory,Exports rose in Busan today.\n")
    build([folder], tmp_path / "s.duckdb", FAST)
    store = Store.open(tmp_path / "s.duckdb")
    titles = dict(store.rows("SELECT uid, title FROM articles"))
    counted = {titles[u] for (u,) in store.rows("SELECT DISTINCT uid FROM doc_terms")}
    assert set(titles.values()) == {"Photo sunset", "Story"} and counted == {"Story"}


def test_warn_is_open_to_new_kinds():
    report = pipeline.BuildReport()
    for i in range(7):
        report.warn("my_step", f"f.csv:line {i}", "detail", "do this", label="my step")
    entry = report.warnings["my_step"]
    assert (entry["count"], len(entry["examples"]), entry["remedy"], entry["severity"]) == (7, 5, "do this", "warning")
    report.warn("date_from_text", "a.txt")
    assert report.warning_count() == 7 and report.warning_count("info") == 1


def test_cli_map_onto_an_unknown_field_is_a_usage_error(tmp_path, capsys):
    from analysis.cli import EXIT_USAGE, main

    write(tmp_path / "in", "a.csv", "title,story_text\nA,Words.\n")
    store = tmp_path / "s.duckdb"
    assert main(["build", str(tmp_path / "in"), "--store", str(store), "--map", "story_text=body", "--quiet"]) \
        == EXIT_USAGE
    err = capsys.readouterr().err
    assert "no field 'body'" in err and "valid targets: id, title, text, date, source, url, language, author" in err
    assert not store.exists()


def test_cli_strict_and_report_json(tmp_path, capsys):
    import json

    from analysis.cli import EXIT_OK, EXIT_REJECTED, main

    write(tmp_path / "in", "bad.md", "---\ntitle: A: B\ndate: 2024-01-02\n---\nText here.\n")
    args = ["build", str(tmp_path / "in"), "--store", str(tmp_path / "s.duckdb"), "--no-enrich", "--no-topics",
            "--quiet"]
    report_file = tmp_path / "report.json"
    assert main(args + ["--report-json", str(report_file)]) == EXIT_OK
    data = json.loads(report_file.read_text(encoding="utf-8"))
    assert data["added"] == 1 and data["warnings"]["front_matter_repaired"]["count"] == 1
    assert "1 x front matter that is not valid YAML/TOML" in capsys.readouterr().out
    write(tmp_path / "in", "bad2.md", "---\ntitle: C: D\ndate: 2024-01-03\n---\nOther text.\n")
    assert main(args + ["--strict"]) == EXIT_REJECTED
    assert "--strict: 1 warnings" in capsys.readouterr().err


def test_non_english_articles_are_kept_filterable_and_left_out_of_ner_and_terms(tmp_path):
    folder = tmp_path / "in"
    write(folder, "es.txt", "Elecciones en Bogotá\n\nTres días después de la jornada electoral en Colombia, el "
                            "presidente Gustavo Petro se reunió con los alcaldes de Medellín y Cali para hablar de la "
                            "seguridad.\n")
    write(folder, "en.txt", "Talks in Busan\n\nForeign Minister Park Jin met Wang Yi in Busan on Sunday to discuss "
                            "the satellite launch by North Korea.\n")
    report = build([folder], tmp_path / "s.duckdb", BuildOptions(enrich=True, topics=False))
    assert report.languages == {"es": 1, "en": 1}
    assert report.warnings["not_english"]["count"] == 1 and report.warnings["not_english"]["severity"] == "info"
    store = Store.open(tmp_path / "s.duckdb")
    lang = dict(store.rows("SELECT uid, language FROM articles"))
    assert {lang[u] for (u,) in store.rows("SELECT DISTINCT uid FROM mentions")} == {"en"}
    assert {lang[u] for (u,) in store.rows("SELECT DISTINCT uid FROM doc_terms")} == {"en"}
    assert store.articles(Filter(languages=("es",)))["title"].tolist() == ["Elecciones en Bogotá"]
    assert Filter.from_params(Filter(languages=("ES",)).to_params()) == Filter(languages=("es",))


# ------------------------------------------------------------------------------------------ learned boilerplate
EDITOR_NOTE = "This article was edited by a native English-speaking editor."


def _agency_article(folder, i, extra=""):
    write(folder, f"y{i}.md", f"---\ntitle: Story number {i}\nsource: Yonhap\ndate: 2025-12-{i + 1:02d}\n---\n"
                              f"SEOUL -- Event {i} happened in Seoul on day {i}.\n\n{extra}{EDITOR_NOTE}\n\n(END)\n")


def test_boilerplate_is_learned_per_source_and_never_from_a_unique_line(tmp_path):
    folder = tmp_path / "in"
    for i in range(6):
        _agency_article(folder, i, extra="A unique closing line.\n\n" if i == 0 else "")
    write(folder, "other.md", f"---\ntitle: Elsewhere\nsource: Herald\n---\nA story.\n\n{EDITOR_NOTE}\n")
    report = build([folder], tmp_path / "s.duckdb", FAST)
    store = Store.open(tmp_path / "s.duckdb")
    rows = {r[0]: (r[1], r[2]) for r in store.rows("SELECT id, text, raw_text FROM articles")}
    text, raw = rows["y0.md"]
    assert text == "SEOUL -- Event 0 happened in Seoul on day 0.\n\nA unique closing line."
    assert EDITOR_NOTE in raw and "(END)" in raw
    assert rows["other.md"][0] == f"A story.\n\n{EDITOR_NOTE}"  # one Herald article: nothing learned for it
    assert report.warnings["boilerplate_removed"]["count"] == 12 and report.warning_count() == 0


def test_boilerplate_is_not_learned_from_fewer_than_five_articles(tmp_path):
    folder = tmp_path / "in"
    for i in range(4):
        _agency_article(folder, i)
    build([folder], tmp_path / "s.duckdb", FAST)
    texts = [t for (t,) in Store.open(tmp_path / "s.duckdb").rows("SELECT text FROM articles")]
    assert all(t.endswith("(END)") for t in texts)


def test_boilerplate_learning_is_incremental_listed_and_overridable(tmp_path, capsys):
    import json

    from analysis.cli import EXIT_OK, main

    folder, store_path = tmp_path / "in", tmp_path / "s.duckdb"
    for i in range(4):
        _agency_article(folder, i)
    build([folder], store_path, FAST)
    _agency_article(folder, 4)
    _agency_article(folder, 5)
    build([folder], store_path, FAST)  # counts from the first build carry over: the new articles lose the note
    texts = dict(Store.open(store_path).rows("SELECT id, text FROM articles"))
    assert texts["y5.md"] == "SEOUL -- Event 5 happened in Seoul on day 5." and texts["y0.md"].endswith("(END)")
    assert main(["boilerplate", "--store", str(store_path), "--format", "json"]) == EXIT_OK
    listed = json.loads(capsys.readouterr().out)
    assert [(r["paragraph"], r["articles"], r["of_articles"], r["status"]) for r in listed] == [
        ("(END)", 6, 6, "learned"), (EDITOR_NOTE, 6, 6, "learned")]
    assert main(["boilerplate", "--store", str(store_path), "--source", "Yonhap", "--keep", "(end)"]) == EXIT_OK
    _agency_article(folder, 6)
    build([folder], store_path, FAST)
    assert dict(Store.open(store_path).rows("SELECT id, text FROM articles"))["y6.md"] == (
        "SEOUL -- Event 6 happened in Seoul on day 6.\n\n(END)")


# ------------------------------------------------------------------------------------------ junk entity mentions
#: Three English articles whose NER mentions include junk (exact drops below), and one Spanish article.
JUNK_CORPUS = {
    "a.txt": "Seoul talks\n\nThe Gov't of Korea said on Monday that shares of Lee-China rose.\n",
    "b.txt": "Trade\n\nIt was a non-Canadian firm, said Smith. Officials from AI and Korea met in Seoul.\n",
    "c.txt": "Markets\n\nShares of Lee-Japan rose as Lee-China fell, said Park.\n",
    "es.txt": "Elecciones en Bogotá\n\nTres días después de la jornada electoral en Colombia, el presidente Gustavo "
              "Petro se reunió con los alcaldes de Medellín y Cali para hablar de la seguridad.\n",
}


def test_junk_mentions_are_counted_per_reason_with_origin_and_escaped_text(tmp_path):
    folder = tmp_path / "in"
    for name, text in JUNK_CORPUS.items():
        write(folder, name, text)
    report = build([folder], tmp_path / "s.duckdb", BuildOptions(topics=False, n_process=1))
    junk = report.warnings["junk_mention"]
    assert (junk["count"], junk["severity"], junk["by"]) == (4, "info", {"fragment": 2, "lower case": 1, "listed": 1})
    # examples: the first drop of each reason (most frequent first), then the next ones in order
    assert junk["examples"] == [
        {"where": str(folder / "a.txt"), "detail": "\"The Gov't of Korea\" (WORK_OF_ART, fragment)"},
        {"where": str(folder / "b.txt"), "detail": "'AI' (GPE, listed)"},
        {"where": str(folder / "b.txt"), "detail": "'non-Canadian' (NORP, lower case)"},
        {"where": str(folder / "c.txt"), "detail": "'Lee-China' (PERSON, fragment)"},
    ]
    assert report.warning_count() == 4  # only the undated warning: junk is a note, --strict does not fail on it
    summary = report.summary().splitlines()
    at = summary.index("  4 x entity mentions dropped as junk, not stored as entities (fragment 2, listed 1, "
                       "lower case 1)")
    assert summary[at + 1] == f"      e.g. {folder / 'a.txt'}: \"The Gov't of Korea\" (WORK_OF_ART, fragment)"
    row = next(r for r in report.warning_rows() if r["kind"] == "junk_mention")
    assert row["what"].endswith("(fragment 2, listed 1, lower case 1)") and row["count"] == 4
    store = Store.open(tmp_path / "s.duckdb")
    kept = store.rows("SELECT a.id, m.text, m.label FROM mentions m JOIN articles a USING (uid) ORDER BY a.id, m.start")
    assert kept == [("a.txt", "Seoul", "GPE"), ("a.txt", "Lee-China", "ORG"), ("b.txt", "Smith", "PERSON"),
                    ("b.txt", "Korea", "GPE"), ("b.txt", "Seoul", "GPE"), ("c.txt", "Lee-Japan", "ORG"),
                    ("c.txt", "Park", "PERSON")]
    # the build history keeps the same counts
    (stats,) = store.rows("SELECT stats FROM builds")[0]
    assert json.loads(stats)["warnings"]["junk_mention"]["by"] == junk["by"]


def test_junk_examples_are_capped_and_the_count_stays_complete():
    from analysis.pipeline import MAX_EXAMPLES, BuildReport

    report = BuildReport()
    for i in range(MAX_EXAMPLES + 3):
        report.warn("junk_mention", f"f.txt:line {i}", "'He' (PERSON, pronoun)", reason="pronoun")
    report.warn("junk_mention", None, count=7, reason="wire tag")
    entry = report.warnings["junk_mention"]
    assert entry["count"] == MAX_EXAMPLES + 10 and entry["by"] == {"pronoun": MAX_EXAMPLES + 3, "wire tag": 7}
    assert len(entry["examples"]) == MAX_EXAMPLES
    assert f"  {MAX_EXAMPLES + 10} x entity mentions dropped as junk, not stored as entities (pronoun 8, wire tag 7)" \
        in report.summary().splitlines()
