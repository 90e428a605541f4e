"""Builds over time: a server serves the kept builds by version, speaks Memento (RFC 7089) for documents and
dumps, and over the embedded store follows the published build.

- The published build (embedded store): each server process looks at `dist/current` (one readlink) at most
  once a second, and on a new version opens that build as an application of its own (its store, caches and
  manifest); requests under way finish on the build they started with. No restart and no signal.
- `/builds/<version>/<path>`: the document or dump at `<path>` as build `<version>` served it: a Memento, with
  `Memento-Datetime` (the build's time) and links to the original and its TimeMap; the links in its headers
  point into the same build. Each kept build is read from its own store, whatever store serves the current data.
- `/<path>` with `Accept-Datetime`: 302 to the Memento of the build that was published at that time (the
  original is its own TimeGate); without it, the current state, with `Link`s to the TimeGate and TimeMap.
- `/timemap/<path>`: the TimeMap of `<path>` (application/link-format): the kept builds that have it.

The current document carries no `Memento-Datetime`: it changes with the next build. Its fixed copy in the
published build is `/builds/<current version>/<path>`, linked as the last memento.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from werkzeug.http import http_date, parse_date
from werkzeug.test import EnvironBuilder

from ..dist import Build, Parsed, current_version, kept_builds

__all__ = ["Builds"]

log = logging.getLogger("lodpub")
FOLLOW_EVERY = 1.0          # seconds between two looks at dist/current, per process
PREFIX = "/builds/"
TIMEMAP = "/timemap/"
LINK_FORMAT = "application/link-format"
# What has Mementos: documents (and the things that redirect to them), the dataset, ontology, shapes, dumps.
HAS_MEMENTOS = re.compile(r"/(?:doc/.+|id/.+|dataset(?:\.\w+)?|\.well-known/void|ontology(?:\.\w+)?"
                          r"|shapes(?:\.\w+)?|dumps/.+)")
VERSIONED = re.compile(r"/builds/([A-Za-z0-9][A-Za-z0-9_-]{0,80})(/.*)")
TARGET = re.compile(r"<([^>]*)>")
CORS = ("Access-Control-Allow-Origin", "*")
VARY_DATETIME = ("Vary", "Accept-Datetime")     # a field line of its own: Vary is a list (RFC 9110)
EXPOSE = ("Access-Control-Expose-Headers", "Link, Memento-Datetime, Vary, Location, Content-Location")


class Builds:
    """WSGI middleware over the application of the published build (see the module's docstring)."""

    def __init__(self, app: Callable, dist: Path, version: str, make_app: Callable[[Path, bool], Callable],
                 follow: bool = True, retire: Callable[[Callable], None] = lambda app: None) -> None:
        """`make_app(folder, is_current)` opens a build; `retire(app)` is told of an app no longer served."""
        self.dist = dist
        self.retire = retire
        self.following = follow
        self.make_app = make_app
        self.current: tuple[str, Callable] = (version, app)
        self.checked = time.monotonic()
        self.others: OrderedDict[str, Callable] = OrderedDict()    # apps of older builds, least recent first
        self.known: OrderedDict[tuple[str, str], bool] = OrderedDict()   # (version, path) -> has it
        self.listed: tuple[str, float, list[Build]] | None = None
        self.parsed: Parsed = {}
        self.extra: tuple[str, dict[str, tuple]] = ("", {})     # per path: what original_headers adds
        self.lock = threading.Lock()

    # --- the published build ---------------------------------------------------------------------------------

    def follow(self) -> tuple[str, Callable]:
        now = time.monotonic()
        if not self.following or now - self.checked < FOLLOW_EVERY:
            return self.current
        self.checked = now
        version = current_version(self.dist)
        if version is None or version == self.current[0]:
            return self.current
        with self.lock:
            if version != self.current[0]:
                try:
                    app = self.others.pop(version, None) or self.make_app(self.dist / "builds" / version, True)
                except Exception:   # a build removed under us, say: keep serving the one we have
                    log.exception("could not open build %s; still serving %s", version, self.current[0])
                    return self.current
                self.retire(self.current[1])
                self.current = (version, app)
        return self.current

    def builds(self) -> list[Build]:
        """The kept builds, oldest first: read again once the published build changes, or a second later."""
        version, now = self.current[0], time.monotonic()
        listed = self.listed
        if listed is None or listed[0] != version or now - listed[1] >= FOLLOW_EVERY:
            builds = kept_builds(self.dist, self.parsed)
            listed = self.listed = (version, now, builds)
            kept = {b.version for b in builds}
            with self.lock:
                for gone in [v for v in self.others if v not in kept]:
                    self.retire(self.others.pop(gone))   # its store is closed once its requests end
        return listed[2]

    def app_of(self, build: Build) -> Callable:
        version, app = self.current
        if build.version == version:
            return app
        room = max(2, len(self.builds()))    # read before the lock: builds() may take it
        with self.lock:
            app = self.others.get(build.version)
            if app is None:
                app = self.others[build.version] = self.make_app(build.folder, False)
                while len(self.others) > room:
                    self.retire(self.others.popitem(last=False)[1])
            else:
                self.others.move_to_end(build.version)
        return app

    # --- requests ----------------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        _, app = self.follow()
        if environ.get("REQUEST_METHOD") == "HEAD":
            start_response = _without_body(start_response)
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            return self.memento(environ, start_response, path)
        if path.startswith(TIMEMAP):
            return self.timemap(environ, start_response, path[len(TIMEMAP) - 1:])
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not HAS_MEMENTOS.fullmatch(path):
            return app(environ, start_response)
        if "HTTP_ACCEPT_DATETIME" in environ:
            return self.timegate(environ, start_response, path)

        def original(status, headers, exc_info=None):
            if status.startswith(("200", "206", "304")):
                headers = [*headers, *self.original_headers(path)]
            else:
                headers = [*headers, VARY_DATETIME]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return app(environ, original)

    def original_headers(self, path: str) -> tuple[tuple[str, str], ...]:
        """What the current state of a path adds: its TimeGate and TimeMap, and the published build's copy as
        the last memento (made once per path and build)."""
        latest = self.builds()[-1:]
        key = latest[0].version if latest else ""
        if self.extra[0] != key:
            self.extra = (key, {})
        found = self.extra[1].get(path)
        if found is None:
            links = [*_original_links(path)]
            links += [f'<{PREFIX}{b.version}{path}>; rel="last memento"; datetime="{_date(b)}"' for b in latest]
            found = (VARY_DATETIME, ("Link", ", ".join(links)))
            if len(self.extra[1]) < 100_000:
                self.extra[1][path] = found
        return found

    def memento(self, environ: dict, start_response: Callable, path: str) -> Iterable[bytes]:
        match = VERSIONED.fullmatch(path)
        if match is None or not HAS_MEMENTOS.fullmatch(match.group(2)):
            return _plain(start_response, "404 Not Found", "a build's documents are at /builds/<version>/doc/..., "
                          "its dumps at /builds/<version>/dumps/<name>; see /dataset for the versions kept")
        version, rest = match.groups()
        build = next((b for b in self.builds() if b.version == version), None)
        if build is None:
            kept = ", ".join(b.version for b in self.builds()) or "none"
            return _plain(start_response, "404 Not Found", f"no build {version} is kept here; kept: {kept}")
        inner = {k: v for k, v in environ.items() if k != "HTTP_ACCEPT_DATETIME"}
        inner["PATH_INFO"] = rest
        prefix = PREFIX + version

        def answer(status, headers, exc_info=None):
            headers = [(k, _into_build(v, prefix) if k.lower() in ("location", "content-location", "link") else v)
                       for k, v in headers]
            if not status.startswith(("4", "5")):
                headers.append(("Memento-Datetime", _date(build)))
                headers.append(("Link", ", ".join(_original_links(rest))))
                if not any(k.lower() == "access-control-allow-origin" for k, _ in headers):
                    headers.append(CORS)
                headers.append(EXPOSE)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.app_of(build)(inner, answer)

    def timegate(self, environ: dict, start_response: Callable, path: str) -> Iterable[bytes]:
        wanted = parse_date(environ["HTTP_ACCEPT_DATETIME"])
        if wanted is None:
            return _plain(start_response, "400 Bad Request", "Accept-Datetime must be an HTTP date (RFC 7089), "
                          "e.g. Accept-Datetime: Thu, 03 Dec 2026 10:00:00 GMT", [("Vary", "Accept-Datetime")])
        if wanted.tzinfo is None:
            wanted = wanted.replace(tzinfo=timezone.utc)
        having = [b for b in self.builds() if self.has(b, path)]
        if not having:
            return self.current[1](environ, start_response)
        chosen = next((b for b in reversed(having) if b.built <= wanted), having[0])
        query = environ.get("QUERY_STRING", "")
        location = f"{PREFIX}{chosen.version}{path}" + (f"?{query}" if query else "")
        return _plain(start_response, "302 Found", f"the state of {path} at {http_date(wanted)}: {location}",
                      [("Location", location), ("Vary", "Accept-Datetime"),
                       ("Link", ", ".join(_original_links(path)))])

    def timemap(self, environ: dict, start_response: Callable, path: str) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", "a TimeMap is read with GET",
                          [("Allow", "GET, HEAD")])
        if not HAS_MEMENTOS.fullmatch(path):
            return _plain(start_response, "404 Not Found", "TimeMaps are at /timemap/doc/..., /timemap/dataset, "
                          "/timemap/ontology, /timemap/shapes and /timemap/dumps/<name>")
        having = [b for b in self.builds() if self.has(b, path)]
        if not having:
            return _plain(start_response, "404 Not Found", f"no kept build has {path}")
        lines = [f'<{path}>; rel="original timegate"',
                 f'<{TIMEMAP.rstrip("/")}{path}>; rel="self"; type="{LINK_FORMAT}"; '
                 f'from="{_date(having[0])}"; until="{_date(having[-1])}"']
        for i, b in enumerate(having):
            rel = " ".join(r for r, on in (("first", i == 0), ("last", i == len(having) - 1)) if on)
            lines.append(f'<{PREFIX}{b.version}{path}>; rel="{(rel + " ") if rel else ""}memento"; '
                         f'datetime="{_date(b)}"')
        body = (",\n".join(lines) + "\n").encode("utf-8")
        start_response("200 OK", [("Content-Type", LINK_FORMAT), ("Content-Length", str(len(body))), CORS, EXPOSE,
                                  ("Cache-Control", "public, no-cache")])
        return [b"" if getattr(start_response, "head", False) else body]

    def has(self, build: Build, path: str) -> bool:
        """Whether a build answers for the path (asked as a HEAD of its own application), remembered."""
        key = (build.version, path)
        found = self.known.get(key)
        if found is None:
            seen: dict = {}
            environ = EnvironBuilder(path=path, method="HEAD",
                                     headers={"Accept": "application/n-triples, */*;q=0.1"}).get_environ()
            result = self.app_of(build)(environ, lambda status, headers, exc_info=None: seen.update(s=status))
            for _ in result:
                pass
            getattr(result, "close", lambda: None)()
            found = self.known[key] = seen.get("s", "500")[:1] in ("2", "3")
            while len(self.known) > 10_000:
                self.known.popitem(last=False)
        return found


def _original_links(path: str) -> list[str]:
    return [f'<{path}>; rel="original timegate"', f'<{TIMEMAP.rstrip("/")}{path}>; rel="timemap"; type="{LINK_FORMAT}"']


def _date(build: Build) -> str:
    return _http_date(build.manifest["built"])


@functools.lru_cache(maxsize=256)
def _http_date(iso: str) -> str:
    built = datetime.fromisoformat(iso)
    return http_date(built if built.tzinfo else built.replace(tzinfo=timezone.utc))


def _into_build(value: str, prefix: str) -> str:
    """Header links to documents and dumps, made to point into the same build."""
    def one(target: str) -> str:
        return prefix + target if target.startswith("/") and HAS_MEMENTOS.fullmatch(target.split("?")[0]) else target

    if value.startswith("/") and "<" not in value:
        return one(value)
    return TARGET.sub(lambda m: f"<{one(m.group(1))}>", value)


class _without_body:
    """A start_response for HEAD: the answers written here drop their body (the application's do already)."""

    def __init__(self, start_response: Callable) -> None:
        self.start_response = start_response
        self.head = True

    def __call__(self, status, headers, exc_info=None):
        return self.start_response(status, headers, exc_info) if exc_info else self.start_response(status, headers)


def _plain(start_response: Callable, status: str, message: str,
           headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    body = f"{status}: {message}\n".encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            CORS, EXPOSE, *(headers or [])])
    return [b""] if getattr(start_response, "head", False) else [body]
