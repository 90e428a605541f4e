"""`lodpub serve`: the Flask application (`lodpub.web:create_app`) under granian, a well-kept HTTP server.

granian (Rust, from PyPI) owns the sockets: HTTP parsing, keep-alive, a header-read timeout (a client that
sends its headers slowly holds a connection, never a worker), worker processes it respawns when one dies, and
no control socket. Each worker process runs `create_app()` (through `worker_app`, which sets the garbage
collector) with the settings handed over in the environment (LODPUB_*), and answers requests on a pool of
threads; SPARQL queries run in that worker's killable query processes (sparql/processes.py), fewer than its
threads, so documents are answered while heavy queries run.

The application is a plain WSGI app: gunicorn, or granian behind nginx, run it as well (docs/serving.md).
"""

from __future__ import annotations

import ctypes
import gc
import os

from .config import Settings

HEADER_READ_TIMEOUT_MS = 10_000
MAX_HEAD_BYTES = 64 << 10    # a request's line and headers: more is refused (431) before the application
WORKERS_KILL_TIMEOUT_S = 5
MALLOC_ARENAS = 2
M_ARENA_MAX = -8    # glibc's mallopt parameter
GC_YOUNG_THRESHOLD = 10_000    # allocations between collections of the youngest objects (Python's default: 700)


def threads_for(settings: Settings) -> int:
    """Threads per worker process: every query slot, as many waiting for one, and room for documents."""
    return 2 * settings.query_slots + 4


def serve(settings: Settings, host: str, port: int, workers: int | None = None, dev: bool = False,
          answer_cache_bytes: int | None = None, access_log: bool = True) -> None:
    """Serve until interrupted. `answer_cache_bytes` is the budget of the whole server, split evenly among
    its worker processes (each keeps its own answers)."""
    if dev:
        from .web import create_app

        create_app(settings).run(host=host, port=port, debug=True, use_reloader=True)
        return
    from granian import Granian
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    workers = workers or max(2, os.cpu_count() or 1)
    if answer_cache_bytes is not None:
        settings = settings.replace(answer_cache_bytes=answer_cache_bytes // workers)
    os.environ.update(settings.to_env())
    fewer_malloc_arenas()
    Granian(
        "lodpub.server:worker_app", factory=True, interface=Interfaces.WSGI, address=host, port=port,
        workers=workers, blocking_threads=threads_for(settings),
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS, keep_alive=True,
                                     max_buffer_size=MAX_HEAD_BYTES),
        websockets=False, respawn_failed_workers=True, respawn_interval=1.0, log_access=access_log,
        # On shutdown, a worker still busy (a query in flight) is killed after this long, never left behind.
        workers_kill_timeout=WORKERS_KILL_TIMEOUT_S,
    ).serve()


def worker_app():
    """The application of one worker process, with Python's garbage collector set for a server. What the
    worker holds from its start (modules, templates, the app) is frozen out of every collection, and the
    youngest objects are collected less often: at the default, a request's own objects outlived enough young
    collections to be counted as old, and every few pages a full collection walked all the cached answers'
    terms in the middle of some request."""
    from .web import create_app

    app = create_app()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    return app


def fewer_malloc_arenas() -> None:
    """Have glibc's malloc keep at most a couple of arenas in every process of the server. By default each
    thread that allocates gets an arena of its own (up to eight per core), and what a request frees in one arena
    cannot serve another thread: with a worker's many threads that is memory held and never used. The workers
    are forked from this process, so they inherit what `mallopt` sets here; the query processes are new
    programs, so they read it from the environment. Elsewhere than glibc, nothing changes."""
    os.environ.setdefault("MALLOC_ARENA_MAX", str(MALLOC_ARENAS))
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, int(os.environ["MALLOC_ARENA_MAX"]))
    except (OSError, AttributeError, ValueError):
        pass
