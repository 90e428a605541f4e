"""Every query has a time limit and a result cap, and says so when it cuts.

`QueryTimeout` is the error of a query over the time limit (sparql/processes.py stops it); `collect` pulls a
result's rows or triples up to the cap, which is where a lazy result does its work.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

import pyoxigraph as ox

from ..store import Result, Solutions, Triples


class Busy(Exception):
    """Every query slot is taken and as many queries wait: come back later."""


class Slots:
    """Fairness: at most `slots` queries run at once, and at most as many more wait for one; a query past that
    is told at once to come back later. The server keeps more threads than that, for documents."""

    def __init__(self, slots: int) -> None:
        self.slots = max(1, slots)
        self._running = threading.BoundedSemaphore(self.slots)
        self._admitted = threading.BoundedSemaphore(2 * self.slots)

    @contextmanager
    def held(self, wait: float):
        """Hold a slot for the block; raise Busy if none is free within `wait` seconds or too many wait."""
        if not self._admitted.acquire(blocking=False):
            raise Busy()
        try:
            if not self._running.acquire(timeout=wait):
                raise Busy()
            try:
                yield
            finally:
                self._running.release()
        finally:
            self._admitted.release()


class QueryTimeout(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query ran longer than this endpoint's time limit of {seconds:g} s and was stopped")
        self.seconds = seconds


@dataclass
class Answer:
    """A query's result, pulled into memory up to the cap: `kind` is boolean, solutions or graph."""

    kind: str
    boolean: bool = False
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False


def _take(items: Iterator, cap: int) -> tuple[list, bool]:
    taken = list(islice(items, cap + 1))
    return taken[:cap], len(taken) > cap


def collect(result: Result, cap: int) -> Answer:
    """Pull a result's rows or triples, at most `cap` of them: this is where a lazy result does its work."""
    if isinstance(result, bool):
        return Answer("boolean", boolean=result)
    if isinstance(result, Solutions):
        rows, truncated = _take(result.rows, cap)
        return Answer("solutions", variables=list(result.variables), rows=rows, truncated=truncated)
    if isinstance(result, Triples):
        triples, truncated = _take(result.triples, cap)
        return Answer("graph", triples=triples, truncated=truncated)
    raise TypeError(f"not a query result: {type(result).__name__}")
