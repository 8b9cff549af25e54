"""A small thread-safe LRU cache with a time-to-live, keyed by validated specs."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class LRU:
    """Entries beyond ``maxsize`` are evicted least recently used first; older than ``ttl`` s, recomputed."""

    def __init__(self, maxsize: int = 256, ttl: float = 600.0) -> None:
        self.maxsize, self.ttl = maxsize, ttl
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            item = self._data.get(key)
            if item is not None and now - item[0] < self.ttl:
                self._data.move_to_end(key)
                self.hits += 1
                return item[1]  # type: ignore[no-any-return,unused-ignore]
            self.misses += 1
        value = compute()
        with self._lock:
            self._data[key] = (time.monotonic(), value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
