"""analysis.memo.OnceLRU: least recently used out first, one computation per key across threads."""

from __future__ import annotations

import threading
import time

from analysis.memo import OnceLRU


def test_keeps_the_most_recently_used():
    cache, computed = OnceLRU(maxsize=2), []
    for key in ("a", "b", "a", "c"):  # "a" used again, so "b" is the oldest when "c" comes
        assert cache.get(key, lambda k=key: computed.append(k) or k.upper()) == key.upper()
    assert computed == ["a", "b", "c"]
    assert "a" in cache and "c" in cache and "b" not in cache
    assert cache["c"] == "C"


def test_threads_asking_at_once_share_one_computation():
    cache, computed = OnceLRU(), []

    def slow():
        computed.append(1)
        time.sleep(0.2)
        return "value"

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == ["value"] * 5 and computed == [1]
