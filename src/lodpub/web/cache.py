"""The one answer cache of a serving process: whole answers in front of Flask, and the parts Flask computes.

A serving process serves one build: every answer to a GET is a function of the build, the path, the query
string, the representation the Accept header negotiates (web/negotiation.py) and whether Accept-Encoding
allows gzip (dumps are sent gzip-encoded then), and of nothing else (CORS is
`*` for every origin, so `Origin` changes nothing). So `CachedAnswers`, a WSGI middleware, keeps whole answers
under exactly that key and gives them again, byte for byte, without going through Flask; and `cached` keeps
what handlers compute (descriptions, indexes) for requests the middleware does not keep. Both live in one
least-recently-used map (cachetools) bounded by one byte budget; a key always starts with the build, so no
answer outlives the data it came from.

A kept answer with validators also answers a conditional GET (If-None-Match, else If-Modified-Since: RFC 9110,
13.2.2) with 304. Never kept: anything but GET and HEAD, requests with a cookie, credentials, a range or a
precondition (If-Match, If-Unmodified-Since), answers other than 200, 303 and 404, answers that set a cookie or
say no-store or private, and SPARQL answers cut short.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from cachetools import LRUCache
from werkzeug.http import parse_accept_header, parse_date, parse_etags, unquote_etag

from .negotiation import accept_class

__all__ = ["AnswerCache", "CachedAnswers", "app_cache", "cached"]

T = TypeVar("T")
KEPT_STATUSES = ("200", "303", "404")
NEVER_WITH = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
NOT_IN_304 = frozenset({"content-type", "content-length", "link"})
OVERHEAD = 512    # what an entry costs beyond its body, key and headers: the entry itself, the map's bookkeeping


class AnswerCache:
    """Values by key, least recently used out first once `max_bytes` is reached; safe across threads."""

    def __init__(self, build: str, max_bytes: int) -> None:
        self.build = build
        self.max_bytes = max(0, max_bytes)
        self._entries: LRUCache = LRUCache(maxsize=max(1, self.max_bytes), getsizeof=lambda entry: entry[1])
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            found = self._entries.get((self.build, key))
        return None if found is None else found[0]

    def put(self, key: Hashable, value, weight: int) -> None:
        if weight > self.max_bytes // 8:
            return    # too big to be worth keeping
        with self._lock:
            self._entries[(self.build, key)] = (value, weight)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T], size: Callable[[T], int] | None = None) -> T:
        found = self.get(key)
        if found is not None:
            return found
        value = compute()
        self.put(key, value, size(value) if size else sys.getsizeof(value))
        return value


def app_cache() -> AnswerCache:
    from flask import current_app

    return current_app.extensions["lodpub"]["cache"]


def cached(key: Hashable, compute: Callable[[], T], size: Callable[[T], int] | None = None) -> T:
    return app_cache().get_or_compute(key, compute, size)


class CachedAnswers:
    """WSGI middleware: whole answers to GET and HEAD from the cache, keyed by what decides them."""

    def __init__(self, app: Callable, cache: AnswerCache, max_body: int = 16 << 20) -> None:
        self.app = app
        self.cache = cache
        self.max_body = max_body

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or any(h in environ for h in NEVER_WITH):
            return self.app(environ, start_response)
        key = ("answer", environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
               environ.get("QUERY_STRING", ""), accept_class(environ.get("HTTP_ACCEPT")),
               _accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")))
        entry = self.cache.get(key)
        if entry is not None:
            status, headers, body = entry
            if status.startswith("200") and _not_modified(environ, headers):
                start_response("304 Not Modified", [h for h in headers if h[0].lower() not in NOT_IN_304])
                return [b""]
            start_response(status, list(headers))
            return [b""] if method == "HEAD" else [body]
        if method == "HEAD" or "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            return self.app(environ, start_response)
        return self._fill(key, environ, start_response)

    def _fill(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        seen: dict = {}

        def remember(status, headers, exc_info=None):
            seen["status"], seen["headers"], seen["error"] = status, headers, exc_info
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, remember)
        if not _keepable(seen):
            return result
        body = bytearray()
        try:
            for chunk in result:
                body += chunk
                if len(body) > self.max_body:    # too big to keep: what was read, then the rest as it comes
                    return _chain(bytes(body), result)
        except BaseException:
            _close(result)
            raise
        _close(result)
        entry = (seen["status"], list(seen["headers"]), bytes(body))
        self.cache.put(key, entry, _weight(key, entry))
        return [entry[2]]


def _weight(key: tuple, entry: tuple) -> int:
    """What a kept answer costs in memory: its body, its key (a query string can be long) and its headers, each
    Python object with its own overhead, so that the byte budget bounds what the process really holds."""
    _, headers, body = entry
    return (len(body) + sum(len(str(part)) + 60 for part in key)
            + sum(len(name) + len(value) + 2 * 60 + 64 for name, value in headers) + OVERHEAD)


def _accepts_gzip(header: str | None) -> bool:
    """Whether Accept-Encoding allows gzip: dumps are sent gzip-encoded only then, so an answer kept for one
    kind of client is never replayed to the other (a gzip body to rapper, say)."""
    return parse_accept_header(header)["gzip"] > 0 if header else False


def _not_modified(environ: dict, headers: list[tuple[str, str]]) -> bool:
    """Whether the client's copy is current: If-None-Match decides when sent (weak comparison), else
    If-Modified-Since against Last-Modified."""
    found = {name.lower(): value for name, value in headers}
    if "HTTP_IF_NONE_MATCH" in environ:
        etag = found.get("etag")
        if etag is None:
            return False
        tags = parse_etags(environ["HTTP_IF_NONE_MATCH"])
        return tags.star_tag or tags.contains_weak(unquote_etag(etag)[0])
    since, modified = environ.get("HTTP_IF_MODIFIED_SINCE"), found.get("last-modified")
    if since is None or modified is None:
        return False
    since_date, modified_date = parse_date(since), parse_date(modified)
    return since_date is not None and modified_date is not None and modified_date <= since_date


def _keepable(seen: dict) -> bool:
    if seen.get("error") or not str(seen.get("status", "")).startswith(KEPT_STATUSES):
        return False
    for name, value in seen.get("headers", ()):
        lower = name.lower()
        if lower == "set-cookie" or lower == "x-lodpub-truncated":    # a cut answer might not be cut next time
            return False
        if lower == "cache-control" and ("no-store" in value or "private" in value):
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
