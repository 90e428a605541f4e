"""Running the application under gunicorn: pre-forked worker processes, each with its own read-only store."""

from __future__ import annotations

import multiprocessing
import os
import select

from gunicorn.app.base import BaseApplication
from gunicorn.workers.sync import SyncWorker

from .config import Settings
from .sparql import limits


class LodpubServer(BaseApplication):
    """gunicorn driven from our own settings instead of its command line."""

    def __init__(self, settings: Settings, host: str, port: int, workers: int | None = None) -> None:
        self.settings = settings
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers or max(2, multiprocessing.cpu_count() * 2),
            "worker_class": f"{__name__}.WokenAlone",
            # gunicorn's own watchdog must outlast our per-query time limit, which answers first.
            "timeout": int(settings.query_timeout) + 30,
            "graceful_timeout": 10,
            "keepalive": 5,
            "accesslog": "-",
            "errorlog": "-",
            "limit_request_line": 8190,
            "limit_request_fields": 100,
            "limit_request_field_size": 8190,
            # A worker whose SPARQL query ran over the time limit leaves after answering 503 (sparql/limits.py).
            "post_request": limits.post_request,
            "worker_exit": limits.worker_exit,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .web import create_app

        return create_app(self.settings)


class WokenAlone(SyncWorker):
    """gunicorn's sync worker, woken alone when a connection comes.

    Idle sync workers all wait on the listening socket with select(), so each connection wakes every one of them,
    and all but one find nothing to accept. On the 2-core bench machine that cost a point lookup 0.07-0.14 ms of
    about 0.8 (issue 5). With EPOLLEXCLUSIVE (Linux 4.5) the kernel wakes one waiting worker; a busy worker is
    not waiting, so it is never handed a connection it cannot take. Elsewhere: gunicorn's own wait."""

    poller = None

    def wait(self, timeout: float):
        if not hasattr(select, "EPOLLEXCLUSIVE"):
            return super().wait(timeout)
        if self.poller is None:
            self.poller = select.epoll()
            for listener in self.sockets:
                self.poller.register(listener.fileno(), select.EPOLLIN | select.EPOLLEXCLUSIVE)
            self.poller.register(self.PIPE[0], select.EPOLLIN)   # signals wake the worker through this pipe
        self.notify()
        ready = {fd for fd, _ in self.poller.poll(timeout)}
        if self.PIPE[0] in ready:
            os.read(self.PIPE[0], 1)
        return [listener for listener in self.sockets if listener.fileno() in ready]


def serve(settings: Settings, host: str, port: int, workers: int | None = None, dev: bool = False) -> None:
    if dev:
        from .web import create_app

        create_app(settings).run(host=host, port=port, debug=True, use_reloader=True)
        return
    LodpubServer(settings, host, port, workers).run()
