"""A response cache in front of the application, for a server over a build that never changes under it.

The embedded store is read-only and opened once per process: every answer to a GET is a function of the request
alone, for as long as the process lives (a new build is served by a new process). So a worker may keep the
answers it gave and give them again, byte for byte, without going through Flask: that is what lets an entity
document be served faster than Flask's own "hello" (see bench/).

What is kept: GET and HEAD answers with status 200, 303 or 404 and a body under `max_body` bytes, keyed by the
path, the query string and the request headers the answers vary on (Accept, Accept-Language, Origin). What is
never kept: anything with a cookie or an Authorization header, conditional requests, answers that set a cookie,
answers whose Cache-Control says no-store or private, and SPARQL answers that were cut short. Least recently
used answers go first once `max_bytes` is reached. A remote store can change under the server, so create_app
uses this cache only over the embedded store. (web/cache.py caches inside Flask, for every backend.)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable

KEPT_STATUSES = ("200", "303", "404")
VARY_ON = ("HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_ORIGIN")
NEVER_WITH = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
              "HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


class ResponseCache:
    """WSGI middleware: an LRU of whole answers, per process."""

    def __init__(self, app: Callable, max_bytes: int = 64 << 20, max_body: int = 1 << 20) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_body = max_body
        self.entries: OrderedDict[tuple, tuple[str, list[tuple[str, str]], bytes]] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or any(h in environ for h in NEVER_WITH):
            return self.app(environ, start_response)
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
               *(environ.get(h, "") for h in VARY_ON))
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
            self.hits += 1
            status, headers, body = entry
            start_response(status, list(headers))
            return [b""] if method == "HEAD" else [body]
        self.misses += 1
        return self._fill(key, method, environ, start_response)

    def _fill(self, key: tuple, method: str, environ: dict, start_response: Callable) -> Iterable[bytes]:
        seen: dict = {}

        def remember(status, headers, exc_info=None):
            seen["status"], seen["headers"], seen["error"] = status, headers, exc_info
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, remember)
        if method == "HEAD" or not self._keepable(seen):
            return result
        body = bytearray()
        try:
            for chunk in result:
                body += chunk
                if len(body) > self.max_body:
                    # Too big to keep: hand over what was read, then the rest as it comes.
                    return _chain(bytes(body), result)
        except BaseException:
            _close(result)
            raise
        _close(result)
        data = bytes(body)
        self.entries[key] = (seen["status"], list(seen["headers"]), data)
        self.size += len(data) + 512
        while self.size > self.max_bytes and self.entries:
            _, (_, _, old) = self.entries.popitem(last=False)
            self.size -= len(old) + 512
        return [data]

    @staticmethod
    def _keepable(seen: dict) -> bool:
        if seen.get("error") or not str(seen.get("status", "")).startswith(KEPT_STATUSES):
            return False
        for name, value in seen.get("headers", ()):
            lower = name.lower()
            if lower == "set-cookie":
                return False
            if lower == "cache-control" and ("no-store" in value or "private" in value):
                return False
            if lower == "x-lodpub-truncated":   # cut by a time limit, it might not be cut next time
                return False
        return True


def _chain(first: bytes, rest: Iterable[bytes]) -> Iterable[bytes]:
    try:
        yield first
        yield from rest
    finally:
        _close(rest)


def _close(result) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()
