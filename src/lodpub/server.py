"""Running the application under gunicorn: pre-forked worker processes, each with its own read-only store."""

from __future__ import annotations

import multiprocessing

from gunicorn.app.base import BaseApplication

from .config import Settings
from .sparql import limits


class LodpubServer(BaseApplication):
    """gunicorn driven from our own settings instead of its command line."""

    def __init__(self, settings: Settings, host: str, port: int, workers: int | None = None) -> None:
        self.settings = settings
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers or max(2, multiprocessing.cpu_count() * 2),
            "worker_class": "sync",
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


def serve(settings: Settings, host: str, port: int, workers: int | None = None, dev: bool = False) -> None:
    if dev:
        from .web import create_app

        create_app(settings).run(host=host, port=port, debug=True, use_reloader=True)
        return
    LodpubServer(settings, host, port, workers).run()
