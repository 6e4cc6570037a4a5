"""A small thread-safe LRU whose values are computed once per key, even when several threads ask at once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable


class OnceLRU:
    """The last ``maxsize`` values by key. :meth:`get` computes a missing value once: a thread asking for a key
    another thread is computing waits for that result (a dashboard's warm-up and its first page, or a page's
    prefetched charts, ask for the same term index or text scan at the same moment)."""

    def __init__(self, maxsize: int = 2) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}  # key -> lock held by the thread computing it

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._items:  # computed by another thread while this one waited
                    return self._items[key]
            value = compute()
            with self._lock:
                self._items[key] = value
                self._computing.pop(key, None)
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
        return value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def __getitem__(self, key: Hashable) -> Any:
        with self._lock:
            return self._items[key]
