"""The Flask application factory: one blueprint per concern, configuration in one object.

Nothing happens at import time; `create_app(settings)` opens the store and wires the blueprints.
"""

from __future__ import annotations

import dataclasses
import io
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request

from ..config import Settings
from ..dist import build_id, current, is_layout, read_manifest
from ..sparql.limits import Slots
from ..store import Credentials, EmbeddedStore, RemoteStore, StoreError, StoreTimeout
from ..vocab import Names
from . import errors, security
from .cache import AnswerCache, CachedAnswers
from .http import allow_cors


def open_store(settings: Settings):
    """The backend named by the settings: the embedded store the build wrote (the default), or a remote
    SPARQL 1.1 store (`store_url`), with credentials from the environment."""
    if settings.store_url:
        return RemoteStore(settings.store_url, settings.base, timeout=settings.query_timeout,
                           union=settings.store_union, credentials=Credentials.from_env())
    return EmbeddedStore(settings.store_dir)


def _store_unavailable(error: StoreError):
    """A remote store that failed: 503 to the client, which may retry; the details (store, status) go to the
    log only, since the store's address is not the public's business."""
    errors.log.error("remote store: %s", error)
    if isinstance(error, StoreTimeout):
        message = "the store behind this server did not answer within the time limit; try again later"
    else:
        message = "the store behind this server is unavailable; try again later"
    response = errors.render_error(503, "Service Unavailable", message)
    return response[0], 503, {**(response[2] if len(response) > 2 else {}), "Retry-After": "5"}


MAX_URL = 8190    # as common servers and proxies: a longer query is sent by POST


def _utf8_query_string():
    """A query string whose percent-encoding is not UTF-8 is refused, never guessed at (RFC 3986, 2.5); and a
    URL too long for proxies and caches on the way is refused (414)."""
    raw = request.query_string
    if len(raw) + len(request.environ.get("PATH_INFO", "")) > MAX_URL:
        return errors.render_error(414, "URI Too Long", f"the URL is longer than {MAX_URL} characters; send a "
                                                        "long SPARQL query by POST")
    if b"%" in raw or not raw.isascii():
        try:
            unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError as error:
            return errors.render_error(400, "Bad Request", f"the query string is not percent-encoded UTF-8 "
                                                           f"(at byte {error.start} of its decoded form)")
    return None


def _bounded_body():
    """A body over the size limit is 413 before anything runs, announced (Content-Length) or chunked: a
    chunked body is read here up to the limit (Werkzeug's own limit stops reading there without a word, and
    what was cut would run)."""
    limit = request.max_content_length
    if limit is None:
        return
    environ = request.environ
    length = request.content_length
    if length is not None:
        if length > limit:
            abort(413, f"the request body ({length} bytes) is over this server's limit of {limit} bytes")
        return
    if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    data = environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        abort(413, f"the request body is over this server's limit of {limit} bytes")
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def create_app(settings: Settings | None = None, store=None, start_queries: bool = True) -> Flask:
    """The WSGI application: any WSGI server runs it (`lodpub serve` runs it under granian). With
    `start_queries` false, query processes are started only when a query comes (an older build's app)."""
    settings = settings or Settings.from_env()
    published = settings.dist_dir
    settings = settings.replace(dist_dir=current(published))    # this build, whatever is published later
    manifest = read_manifest(settings.dist_dir)
    if manifest["base"] != settings.base:
        # The data's IRIs are minted at build time; serving them under another base would break them.
        settings = settings.replace(base=manifest["base"])
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    given_store = store is not None
    store = store or open_store(settings)
    cache = AnswerCache(build_id(manifest), settings.answer_cache_bytes)
    app.extensions["lodpub"] = {
        "settings": settings,
        "names": Names(settings.base),
        "store": store,
        "manifest": manifest,
        "cache": cache,
        "queries": _query_processes(store, settings, start_queries),
        "slots": Slots(settings.query_slots),    # fairness for a remote store's queries
    }
    errors.register(app)
    security.register(app)
    app.register_error_handler(StoreError, _store_unavailable)
    app.before_request(_bounded_body)
    app.before_request(_utf8_query_string)
    app.after_request(allow_cors)
    from . import crawl, dataset, pages, query_page, resources, search, sparql, vocabulary

    for module in (resources, sparql, query_page, dataset, vocabulary, pages, search, crawl):
        app.register_blueprint(module.blueprint)
    if settings.answer_cache_bytes > 0:
        app.wsgi_app = CachedAnswers(app.wsgi_app, cache)
    if is_layout(published) and not given_store:
        # The kept builds by version, from their own stores; over the embedded store, the published build
        # followed as it changes (web/builds.py). An app of an older build starts no query processes (its
        # Mementos are documents and dumps); an app that stops being used stops its own (retire_app).
        from .builds import Builds

        local = dataclasses.replace(settings, store_url=None)
        inner = app.wsgi_app

        def make_app(folder, is_current: bool):
            return create_app(dataclasses.replace(local, dist_dir=folder), start_queries=is_current)

        def retire(old) -> None:
            retire_app(app if old is inner else old)

        app.wsgi_app = Builds(inner, published, settings.dist_dir.name, make_app,
                              follow=not settings.store_url, retire=retire)
    return app


def _query_processes(store, settings: Settings, start: bool = True):
    """Killable query processes over the embedded store (a remote store keeps its own time limit)."""
    if not isinstance(store, EmbeddedStore):
        return None
    from ..sparql.processes import QueryProcesses

    processes = QueryProcesses(store.path, settings.query_slots)
    if start:
        processes.start()
    return processes


def retire_app(app) -> None:
    """An application no longer served (a build replaced or dropped): its query processes end, each once its
    query (if any) is answered, so that they do not pile up build after build."""
    extensions = getattr(app, "extensions", {}).get("lodpub") or {}
    if extensions.get("queries") is not None:
        extensions["queries"].retire()
