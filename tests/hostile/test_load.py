"""Short CI profile of bench/bench_load.py: 10 browser sessions change filters while a build adds articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.support.browser import CHROMIUM, prepare_store, run_load


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="/usr/bin/chromium missing (apt-get install chromium)")
def test_ten_sessions_during_a_build(tmp_path):
    store, batches = prepare_store(tmp_path, n=80)
    result = run_load(store, batches[:2], sessions=10, seconds=5, enrich=False)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load-ci.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({k: result[k] for k in ("page_loads", "latency_p50_s", "latency_p95_s", "versions_seen")}))
    assert result["page_loads"] >= 10
    assert result["errors"] == []
    assert result["torn_reads"] == []
