"""Every query has a time limit and a result cap, and the server keeps serving while one query runs long.

`run_limited(work, seconds)` runs the work (inspect, query, pull the rows up to the cap) in a daemon thread,
kept for the next query, and waits for it with a deadline. Oxigraph releases the GIL while it evaluates, so
the waiting request thread wakes on time; at the deadline it raises `QueryTimeout` and the endpoint answers 503.

A thread cannot be killed, so the worker process that ran it is recycled: `post_request` (a gunicorn hook, see
`lodpub.server`) marks the worker as no longer alive once the 503 has been sent, gunicorn's sync worker leaves
its loop after closing the connection, and `worker_exit` ends the process at once (`os._exit`, so that no
interpreter shutdown waits on the engine). The arbiter forks a fresh worker; the other workers serve meanwhile.
Under `lodpub serve --dev` (one process, no gunicorn) the thread runs on until it finishes.

`run_watched(work, seconds, overdue)` is the same limit without the hand-over to another thread, which costs
0.06-0.14 ms of a point lookup under gunicorn (bench/, issue 5): the work runs in the request's own thread, and
a watchdog thread, one per process, checks the deadline every tenth of the limit (at most a second). Past it,
the watchdog calls `overdue` (which answers 503 on the request's socket) and ends the process. Arming costs an
assignment. web/sparql_direct.py uses it for the requests it answers before Flask, where the 503 is plain text;
the application keeps `run_limited`, whose 503 is written by Flask (a page, for a browser).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

import pyoxigraph as ox

from ..store import Result, Solutions, Triples

log = logging.getLogger("lodpub")
T = TypeVar("T")

_recycle = threading.Event()


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


# Query threads are kept and reused: starting a thread per query costs ~0.2 ms, handing work to an idle one
# ~0.02 ms. A thread whose query ran over its time never comes back; a new one is started when none is idle.
_idle: list[queue.SimpleQueue] = []
_idle_lock = threading.Lock()
_idle_pid = os.getpid()


def _serve(inbox: queue.SimpleQueue) -> None:
    while True:
        work, outcome, done = inbox.get()
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the request thread, which raises it
            outcome["error"] = error
        finally:
            with _idle_lock:
                _idle.append(inbox)
            done.release()


def _thread() -> queue.SimpleQueue:
    global _idle_pid
    with _idle_lock:
        if _idle_pid != os.getpid():     # forked: the threads stayed in the parent
            _idle.clear()
            _idle_pid = os.getpid()
        if _idle:
            return _idle.pop()
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_serve, args=(inbox,), name="lodpub-query", daemon=True).start()
    return inbox


def run_limited(work: Callable[[], T], seconds: float) -> T:
    """Run `work` in a query thread; return its value or raise its exception, or raise QueryTimeout at the
    deadline."""
    outcome: dict = {}
    done = threading.Lock()   # held until the work is done: a bare lock is the cheapest thing to wait on
    done.acquire()
    _thread().put((work, outcome, done))
    if not done.acquire(timeout=seconds):
        _recycle.set()
        log.warning("a query ran over the time limit of %g s: this worker (pid %d) exits after answering",
                    seconds, os.getpid())
        raise QueryTimeout(seconds)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class _Watch:
    """One request's deadline, and what to do past it."""

    __slots__ = ("deadline", "overdue", "fired")

    def __init__(self, deadline: float, overdue: Callable[[], None]) -> None:
        self.deadline, self.overdue, self.fired = deadline, overdue, False


_watch_lock = threading.Lock()
_watching: _Watch | None = None
_watchdog_pid: int | None = None


def _patrol(tick: float) -> None:
    while True:
        time.sleep(tick)
        with _watch_lock:
            watch = _watching
            if watch is None or time.monotonic() < watch.deadline:
                continue
            watch.fired = True
        log.warning("a query ran over the time limit: this worker (pid %d) answers 503 and exits", os.getpid())
        try:
            watch.overdue()
        except Exception:   # the client may have gone: the process ends all the same
            log.exception("answering the query over the time limit failed")
        finally:
            logging.shutdown()
            os._exit(0)


def run_watched(work: Callable[[], T], seconds: float, overdue: Callable[[], None]) -> T:
    """Run `work` in this thread and return its value; if it runs past `seconds`, the watchdog calls `overdue`
    and ends the process (this thread never returns). For one request at a time per process (gunicorn's sync
    worker)."""
    global _watching, _watchdog_pid
    if _watchdog_pid != os.getpid():    # first use in this process (a forked worker)
        _watchdog_pid = os.getpid()
        tick = max(0.05, min(1.0, seconds / 10))
        threading.Thread(target=_patrol, args=(tick,), name="lodpub-watchdog", daemon=True).start()
    watch = _Watch(time.monotonic() + seconds, overdue)
    _watching = watch
    try:
        return work()
    finally:
        with _watch_lock:
            _watching = None
        if watch.fired:
            threading.Event().wait()    # the watchdog is answering and ending the process


# --- gunicorn hooks (wired in lodpub.server) ---------------------------------------------------------------

def post_request(worker, req, environ, resp) -> None:
    if _recycle.is_set():
        worker.alive = False


def worker_exit(server, worker) -> None:
    if _recycle.is_set():
        logging.shutdown()
        os._exit(0)
