"""A small in-process cache of answers, keyed on the build they come from.

A server process serves one build (the store it opened); a rebuild is published by swapping `dist/`, and a
restarted process opens the new build with an empty cache. Keys carry the build's time anyway, so that an
answer can never outlive the data it was computed from. Entries are bounded by count and by bytes.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class Cache:
    def __init__(self, build: str, max_entries: int = 4096, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.build = build
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], size: Callable[[T], int] | None = None) -> T:
        full = (self.build, key)
        with self._lock:
            found = self._entries.get(full)
            if found is not None:
                self._entries.move_to_end(full)
                self.hits += 1
                return found[0]  # type: ignore[return-value]
            self.misses += 1
        value = compute()
        weight = size(value) if size else sys.getsizeof(value)
        if weight > self.max_bytes // 8:
            return value  # too big to be worth keeping
        with self._lock:
            if full not in self._entries:
                self._entries[full] = (value, weight)
                self._bytes += weight
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def app_cache() -> Cache:
    """The running application's cache, made on first use for the build it serves."""
    from flask import current_app

    from .context import manifest

    extensions = current_app.extensions
    cache = extensions.get("lodpub.cache")
    if cache is None:
        cache = extensions["lodpub.cache"] = Cache(manifest()["built"])
    return cache


def cached(key: Hashable, compute: Callable[[], T], size: Callable[[T], int] | None = None) -> T:
    return app_cache().get_or_compute(key, compute, size)
