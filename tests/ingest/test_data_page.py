"""The Data page shows the build report's warnings (escaped, formula-safe) and the sidebar filters by language."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "dashboard" / "app.py")


def _app(monkeypatch, store: Path) -> AppTest:
    monkeypatch.setenv("NEWSLENS_STORE", str(store))
    monkeypatch.delenv("NEWSLENS_READ_ONLY", raising=False)
    return AppTest.from_file(APP, default_timeout=60).run()


def test_data_page_lists_repairs_with_examples_and_remedies(tmp_path, monkeypatch):
    at = _app(monkeypatch, tmp_path / "s.duckdb")
    at.switch_page("app_pages/data.py").run()
    at.checkbox(key="data_enrich").uncheck()
    at.checkbox(key="data_topics").uncheck()
    at.file_uploader(key="data_upload").set_value([
        ("=cmd.md", b"---\ntitle: Talks: day two\nauthor: Kim\n\tSeoul\ndate: 2024-03-12\n---\nMinisters met.\n",
         "text/markdown"),
        ("es.txt", "Elecciones\n\nTres días después de la jornada electoral en Colombia, el presidente se reunió con "
                   "los alcaldes de Medellín y Cali para hablar de la seguridad.\n".encode(), "text/plain"),
    ]).run()
    at.button(key="data_build_upload").click().run()
    assert not at.exception and not at.error
    table = next(df.value for df in at.dataframe if "what_to_do" in df.value.columns)
    row = table[table["kind"] == "front_matter_repaired"].iloc[0]
    # the upload's own name (no temp dir), formula-safe
    assert row["count"] == 1 and row["examples"] == "'=cmd.md: not valid YAML"
    assert "check the header" in row["what_to_do"]
    assert set(table["kind"]) >= {"front_matter_repaired", "not_english"}
    assert at.sidebar.multiselect(key="flt_languages").options == ["en", "es"]
