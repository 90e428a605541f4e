"""SPARQL over the embedded store, run in query processes that can be killed.

A thread cannot be stopped, and the engine may hold the GIL for as long as it works: a query over the time limit
is only really stopped by ending the process that runs it. So each serving process keeps a few query processes
(`slots`), each with the store open read-only, and hands a query to an idle one over a pipe. Past the time
limit, the waiting request kills that process (its CPU comes back at once), answers 503, and a fresh one is
started for the next query; the serving process and every other request in it go on untouched. A query process
that dies by itself (an engine crash) costs only the request it was running.

Fairness: at most `slots` queries run per serving process, and at most as many more wait for one (`limits.Slots`);
a query past that is told at once to come back later (`Busy`). The serving process keeps more threads than that
(see `lodpub.server`), so entity documents are still answered while heavy SPARQL fills every slot.

The child is `python -m lodpub.sparql.processes STORE READ_FD WRITE_FD PARENT_PID`: it imports only the store
and the engine, never Flask, and the kernel ends it when the serving process ends.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from ..store import Dataset, EmbeddedStore
from .limits import Answer, Busy, QueryTimeout, Slots, collect
from .results import NATIVE_GRAPHS, NATIVE_RESULTS

__all__ = ["Busy", "EngineFailed", "QueryProcesses"]

log = logging.getLogger("lodpub")
NATIVE = {"results": NATIVE_RESULTS, "graph": NATIVE_GRAPHS}
NATIVE_MAX_BYTES = 1 << 20


class EngineFailed(Exception):
    """The query process died while running the query (the engine crashed on it)."""


class _Slot:
    """One query process, and the two pipe ends that talk to it."""

    def __init__(self, store_dir: Path) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(store_dir), str(to_child_r), str(from_child_w), str(os.getpid())],
            pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL, close_fds=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self.send = Connection(to_child_w, readable=False)
        self.receive = Connection(from_child_r, writable=False)

    def kill(self) -> None:
        try:
            self.process.send_signal(signal.SIGKILL)
        except OSError:
            pass
        self.process.wait()
        self.send.close()
        self.receive.close()


class QueryProcesses:
    """A bounded set of killable query processes over one store (see the module's docstring)."""

    def __init__(self, store_dir: Path, slots: int = 2) -> None:
        self.store_dir = store_dir
        self.slots = max(1, slots)
        self._idle: list[_Slot] = []
        self._every: set[_Slot] = set()    # idle or running: what `close` ends
        self._lock = threading.Lock()
        self.fair = Slots(self.slots)
        self._pid = os.getpid()
        self._retired = False
        atexit.register(self.close)

    def start(self) -> None:
        """Start every query process now, in the background, so that the first queries find them ready."""
        threading.Thread(target=self._start, name="lodpub-query-start", daemon=True).start()

    def _start(self) -> None:
        slots = [self._take() for _ in range(self.slots)]
        for slot in slots:
            self._give_back(slot)

    def run(self, query: str, dataset: Dataset, native: dict[str, str], base: str, prefixes: dict[str, str],
            cap: int, seconds: float) -> tuple[str, bytes] | Answer:
        """The answer: (kind, bytes) as the engine wrote it in the format `native` names for its kind (when it
        has one and the answer is short and within the cap), else the rows or triples up to the cap.
        Raises SyntaxError, QueryTimeout, Busy or EngineFailed."""
        with self.fair.held(seconds):
            return self._run(pickle.dumps((query, dataset, native, base, prefixes, cap)), seconds)

    def _run(self, job: bytes, seconds: float):
        slot = self._take()
        try:
            slot.send.send_bytes(job)
            if not slot.receive.poll(seconds):
                log.warning("a SPARQL query ran over the time limit of %g s: its process (pid %d) is killed",
                            seconds, slot.process.pid)
                self._forget(slot)
                raise QueryTimeout(seconds)
            outcome, value = pickle.loads(slot.receive.recv_bytes())
        except (EOFError, OSError) as error:
            log.error("a query process (pid %d) died running a query: %s", slot.process.pid, error)
            self._forget(slot)
            raise EngineFailed() from None
        self._give_back(slot)
        if outcome == "syntax":
            raise SyntaxError(value)
        if outcome == "error":
            raise EngineFailed(value)
        return value

    def _take(self) -> _Slot:
        with self._lock:
            if self._pid != os.getpid():    # forked: the processes belong to the parent
                self._idle, self._every, self._pid = [], set(), os.getpid()
            if self._idle:
                return self._idle.pop()
        slot = _spawn(self.store_dir)
        with self._lock:
            self._every.add(slot)
        return slot

    def _forget(self, slot: _Slot) -> None:
        slot.kill()
        with self._lock:
            self._every.discard(slot)

    def _give_back(self, slot: _Slot) -> None:
        with self._lock:
            if not self._retired:
                self._idle.append(slot)
                return
            self._every.discard(slot)
        slot.kill()

    def retire(self) -> None:
        """No more queries are expected (the application is no longer served): the idle processes end now,
        each running one once its answer is back; a query that still comes gets a process that ends after it."""
        with self._lock:
            self._retired = True
            idle, self._idle = self._idle, []
            self._every.difference_update(idle)
        for slot in idle:
            slot.kill()

    def close(self) -> None:
        """End every query process, running or idle (when the serving process ends)."""
        with self._lock:
            every, self._every, self._idle = self._every, set(), []
        for slot in every:
            slot.kill()


# Query processes are started from one long-lived thread: the kernel ends a child when the thread that started
# it ends (PR_SET_PDEATHSIG, see `main`), and the server's request threads come and go.
_spawner: queue.SimpleQueue | None = None
_spawner_lock = threading.Lock()
_spawner_pid = 0


def _spawn(store_dir: Path) -> _Slot:
    global _spawner, _spawner_pid
    with _spawner_lock:
        if _spawner is None or _spawner_pid != os.getpid():
            _spawner, _spawner_pid = queue.SimpleQueue(), os.getpid()
            threading.Thread(target=_spawning, args=(_spawner,), name="lodpub-query-spawner", daemon=True).start()
        inbox = _spawner
    done: queue.SimpleQueue = queue.SimpleQueue()
    inbox.put((store_dir, done))
    slot = done.get()
    if isinstance(slot, BaseException):
        raise slot
    return slot


def _spawning(inbox: queue.SimpleQueue) -> None:
    while True:
        store_dir, done = inbox.get()
        try:
            done.put(_Slot(store_dir))
        except BaseException as error:
            done.put(error)


# --- the query process -------------------------------------------------------------------------------------

def execute(store: EmbeddedStore, query: str, dataset: Dataset, native: dict[str, str], base: str,
            prefixes: dict[str, str], cap: int) -> tuple[str, bytes] | Answer:
    writers = {kind: NATIVE[kind][key] for kind, key in native.items() if key in NATIVE[kind]}
    if writers:
        done = store.query_serialized(query, dataset, {kind: w.format for kind, w in writers.items()},
                                      NATIVE_MAX_BYTES, base_iri=base, prefixes=prefixes)
        if done is not None and writers[done[0]].within(done[1], cap):
            return done
    return collect(store.query(query, dataset, base_iri=base, prefixes=prefixes), cap)


def _end_with_parent(parent: int) -> None:
    """Be killed by the kernel when the serving process ends, whatever this process is busy with (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:    # it ended before we asked
        os._exit(0)


def main(store_dir: str, read_fd: str, write_fd: str, parent: str) -> None:
    _end_with_parent(int(parent))
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # the server's Ctrl-C is for the server to handle
    store = EmbeddedStore(Path(store_dir))
    receive, send = Connection(int(read_fd), writable=False), Connection(int(write_fd), readable=False)
    while True:
        try:
            job = receive.recv_bytes()
        except (EOFError, OSError):    # the serving process is gone
            return
        try:
            outcome = ("ok", execute(store, *pickle.loads(job)))
        except SyntaxError as error:
            outcome = ("syntax", str(error))
        except Exception as error:
            outcome = ("error", f"{type(error).__name__}: {error}")
        send.send_bytes(pickle.dumps(outcome))


if __name__ == "__main__":
    main(*sys.argv[1:5])
