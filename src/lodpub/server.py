"""Running the application under gunicorn: pre-forked worker processes, each with its own read-only store."""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import select
import socket
from datetime import datetime

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.http.wsgi import base_environ
from gunicorn.workers.sync import SyncWorker

from . import plain_get
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
    """gunicorn's sync worker, woken alone when a connection comes, and reading a plain GET itself.

    Idle sync workers all wait on the listening socket with select(), so each connection wakes every one of them,
    and all but one find nothing to accept. On the 2-core bench machine that cost a point lookup 0.07-0.14 ms of
    about 0.8 (issue 5). With EPOLLEXCLUSIVE (Linux 4.5) the kernel wakes one waiting worker; a busy worker is
    not waiting, so it is never handed a connection it cannot take. Elsewhere: gunicorn's own wait.

    A plain GET (lodpub.plain_get) is read and answered by `handle` itself; gunicorn reads every other request,
    as it came. Not over TLS, the PROXY protocol, a Unix socket or a SCRIPT_NAME: those are gunicorn's alone."""

    poller = None
    plain: tuple[frozenset[str], dict] | None = None    # the refused fields and gunicorn's base environ
    plain_log = False    # whether the access log is on, in gunicorn's default format (plain_get.access_line)
    servers: dict[int, tuple[str, str] | None] = {}    # per listener: its address, None if not TCP

    def init_process(self) -> None:
        self.prepare_plain()
        super().init_process()

    def prepare_plain(self) -> None:
        """Whether and how plain GETs are read here: the fields refused, the environ, each listener's address."""
        cfg = self.cfg
        if not cfg.is_ssl and cfg.proxy_protocol in ("off", False, None) and not os.environ.get("SCRIPT_NAME"):
            # The scheme headers gunicorn reads from a trusted proxy: their policy is gunicorn's.
            scheme = {name.upper() for name in cfg.secure_scheme_headers}
            self.plain = (plain_get.ALWAYS_REFUSED | scheme, base_environ(cfg))
        self.servers = {listener.fileno(): self._server(listener) for listener in self.sockets}
        self.plain_log = self.log.access_log_enabled and cfg.access_log_format == plain_get.COMBINED

    @staticmethod
    def _server(listener) -> tuple[str, str] | None:
        address = listener.getsockname()
        return (address[0], str(address[1])) if listener.FAMILY in (socket.AF_INET, socket.AF_INET6) else None

    def handle(self, listener, client, addr) -> None:
        request = self._read_plain(listener, client)
        if request is None:
            super().handle(listener, client, addr)
            return
        try:
            self._answer_plain(request, listener, client, addr)
        finally:
            util.close_graceful(client)

    def _read_plain(self, listener, client) -> plain_get.PlainGet | None:
        if self.plain is None or self.servers.get(listener.fileno()) is None:
            return None
        try:    # a peek: gunicorn reads the same bytes again if the request is not plain
            head = client.recv(plain_get.MAX_HEAD + 1, socket.MSG_PEEK)
        except OSError:
            return None
        return plain_get.read_plain(head, self.plain[0])

    def _answer_plain(self, request: plain_get.PlainGet, listener, client, addr) -> None:
        """As gunicorn's `handle_request` runs a request: its hooks, its request count, its access log."""
        start = datetime.now()
        environ = plain_get.environ_of(request, self.plain[1], client, addr, self.servers[listener.fileno()])
        self.cfg.pre_request(self, request)
        self.nr += 1
        if self.nr >= self.max_requests:
            self.log.info("Autorestarting worker after current request.")
            self.alive = False
        answered = plain_get.Answered(environ["SERVER_PROTOCOL"])
        try:
            plain_get.answer(self.wsgi, environ, client, answered)
        except OSError as error:
            if error.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):    # as gunicorn's `handle`
                self.log.exception("Socket error processing request.")
        except Exception:
            self.log.exception("Error handling request %s", request.target)
            if not answered.head_sent:
                answered.status = "500 Internal Server Error"
                with contextlib.suppress(OSError):
                    util.write_error(client, 500, "Internal Server Error", "")
        finally:
            if self.plain_log and "HTTP_AUTHORIZATION" not in environ:
                self.log.access_log.info(plain_get.access_line(request, answered, environ))
            else:
                self.log.access(answered, request, environ, datetime.now() - start)
            self.cfg.post_request(self, request, environ, answered)

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
