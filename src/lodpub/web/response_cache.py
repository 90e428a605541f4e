"""A response cache in front of the application, for a server over a build that never changes under it.

The embedded store is read-only and opened once per process: every answer to a GET is a function of the request
alone, for as long as the process lives (a new build is served by a new process). So a worker may keep the
answers it gave and give them again, byte for byte, without going through Flask: that is what lets an entity
document be served faster than Flask's own "hello" (see bench/).

What is kept: GET and HEAD answers with status 200, 303 or 404 and a body under `max_body` bytes, keyed by the
path, the query string and the request headers the answers vary on (Accept, Accept-Encoding, Accept-Language,
Origin). What is never kept: anything with a cookie or an Authorization header, conditional requests, answers
that set a cookie, answers whose Cache-Control says no-store or private, and SPARQL answers that were cut short.
Least recently used answers go first once `max_bytes` is reached. A remote store can change under the server, so
create_app uses this cache only over the embedded store. (web/cache.py caches inside Flask, for every backend.)

The worker processes of one server share what they rendered through `SharedAnswers`, a folder of answer files
per build: a page rendered by one worker is read from its file rather than rendered again (0.9 s for the
biggest hub of the 1M bench corpus) by the next worker asked for it, and by the same server after a restart.
Only answers to document URLs go there (no query string but `page=N`), so the folder is bounded by the dataset,
and by a byte budget besides.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

KEPT_STATUSES = ("200", "303", "404")
VARY_ON = ("HTTP_ACCEPT", "HTTP_ACCEPT_ENCODING", "HTTP_ACCEPT_LANGUAGE", "HTTP_ORIGIN")
NEVER_WITH = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE",
              "HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


Entry = tuple[str, list[tuple[str, str]], bytes]    # status, headers, body
SHAREABLE_QUERY = re.compile(r"(page=[1-9][0-9]{0,8})?")


class SharedAnswers:
    """Answers on disk, one file each, for every process serving the same build; bounded by `max_bytes`.

    A file is written whole and renamed into place, so a reader never sees half of one. Each process counts
    what is in the folder when it starts and what it writes itself, and stops writing past the budget."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        folder.mkdir(parents=True, exist_ok=True)
        self.size = sum(e.stat().st_size for e in os.scandir(folder) if e.is_file())

    def _path(self, key: tuple) -> Path:
        return self.folder / hashlib.sha256(json.dumps(key).encode("utf-8")).hexdigest()

    def get(self, key: tuple) -> Entry | None:
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        head, _, body = data.partition(b"\n")
        status, headers = json.loads(head)
        return status, [tuple(h) for h in headers], body

    def put(self, key: tuple, entry: Entry) -> None:
        status, headers, body = entry
        data = json.dumps([status, headers]).encode("utf-8") + b"\n" + body
        if self.size + len(data) > self.max_bytes:
            return
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self._path(key))
        except OSError:
            return   # a full or read-only disk costs the sharing, never the answer
        self.size += len(data)


class ResponseCache:
    """WSGI middleware: an LRU of whole answers, per process, in front of the answers shared on disk."""

    def __init__(self, app: Callable, max_bytes: int = 64 << 20, max_body: int = 16 << 20,
                 shared: SharedAnswers | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_body = max_body
        self.shared = shared
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
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
        elif self._shareable(key) and (entry := self.shared.get(key)) is not None:
            self._keep(key, entry)
        if entry is not None:
            self.hits += 1
            status, headers, body = entry
            start_response(status, list(headers))
            return [b""] if method == "HEAD" else [body]
        self.misses += 1
        return self._fill(key, method, environ, start_response)

    def _shareable(self, key: tuple) -> bool:
        return self.shared is not None and SHAREABLE_QUERY.fullmatch(key[1]) is not None

    def _keep(self, key: tuple, entry: Entry) -> None:
        self.entries[key] = entry
        self.size += len(entry[2]) + 512
        while self.size > self.max_bytes and self.entries:
            _, (_, _, old) = self.entries.popitem(last=False)
            self.size -= len(old) + 512

    def _fill(self, key: tuple, method: str, environ: dict, start_response: Callable) -> Iterable[bytes]:
        seen: dict = {}

        def remember(status, headers, exc_info=None):
            seen["status"], seen["headers"], seen["error"] = status, headers, exc_info
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, remember)
        if method == "HEAD" or not self._keepable(seen):
            return result
        if isinstance(result, list):    # whole already (web/sparql_direct.py): kept as it is, not copied
            body = b"".join(result)
            if len(body) > self.max_body:
                return result
        else:
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
        entry = (seen["status"], list(seen["headers"]), bytes(body))
        self._keep(key, entry)
        if self._shareable(key) and not entry[0].startswith("404"):   # any path can be a 404: not bounded
            self.shared.put(key, entry)
        return [entry[2]]

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
