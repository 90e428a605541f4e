"""A tiny real HTTP server on a loopback port, whose answers a test scripts: a store that refuses, stalls,
fails, or stands in front of a real Oxigraph server and breaks off half-way."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def params(self) -> dict[str, list[str]]:
        query = urlsplit(self.path).query
        form = self.body.decode("utf-8", "replace") \
            if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded") else ""
        merged: dict[str, list[str]] = parse_qs(query)
        for key, values in parse_qs(form).items():
            merged.setdefault(key, []).extend(values)
        return merged


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LoopbackServer

    def log_message(self, *args) -> None:   # quiet
        pass

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        with self.server.lock:
            self.server.seen.append(seen)
        self.server.respond(self, seen)

    do_GET = do_POST = do_PUT = do_DELETE = _any

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, respond: Callable[[Handler, Seen], None]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.respond = respond
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.released = threading.Event()   # a stalling handler waits on this; stop() sets it
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.released.set()
        self.shutdown()
        self.server_close()


@dataclass
class Forwarder:
    """Forward a request to a real server and relay its answer."""

    target: str                                   # e.g. http://127.0.0.1:PORT/
    forwarded: list[str] = field(default_factory=list)

    def __call__(self, handler: Handler, seen: Seen) -> None:
        parts = urlsplit(self.target)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = {k: v for k, v in seen.headers.items() if k in ("content-type", "accept", "authorization")}
        connection.request(seen.method, seen.path, body=seen.body or None, headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        connection.close()
        self.forwarded.append(seen.path)
        handler.reply(answer.status, body, {"Content-Type": answer.getheader("Content-Type") or "text/plain"})
