"""A small thread-safe LRU cache with a time-to-live, keyed by validated specs and by the data's version."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


def _unversioned() -> Hashable:
    return None


class LRU:
    """Entries beyond ``maxsize`` are evicted least recently used first; older than ``ttl`` s, or computed
    under another ``version()`` (the warehouse's current vintages), recomputed."""

    def __init__(
        self, maxsize: int = 256, ttl: float = 600.0, *, version: Callable[[], Hashable] = _unversioned
    ) -> None:
        self.maxsize, self.ttl, self.version = maxsize, ttl, version
        self._data: OrderedDict[Hashable, tuple[float, Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        now = time.monotonic()
        version = self.version()
        with self._lock:
            item = self._data.get(key)
            if item is not None and now - item[0] < self.ttl and item[1] == version:
                self._data.move_to_end(key)
                self.hits += 1
                return item[2]  # type: ignore[no-any-return,unused-ignore]
            self.misses += 1
        value = compute()
        with self._lock:
            self._data[key] = (time.monotonic(), version, value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
