"""The Flask application factory: one blueprint per concern, configuration in one object.

Nothing happens at import time; `create_app(settings)` opens the store and wires the blueprints.
"""

from __future__ import annotations

import dataclasses
import hashlib

from flask import Flask

from ..config import Settings
from ..dist import ANSWERS, current, is_layout, read_manifest
from ..store import Credentials, EmbeddedStore, RemoteStore, StoreError, StoreTimeout
from ..vocab import Names
from . import errors


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


def create_app(settings: Settings | None = None, store=None) -> Flask:
    settings = settings or Settings.from_env()
    published = settings.dist_dir
    settings = settings.replace(dist_dir=current(published))    # this build, whatever is published later
    manifest = read_manifest(settings.dist_dir)
    if manifest["base"] != settings.base:
        # The data's IRIs are minted at build time; serving them under another base would break them.
        settings = settings.replace(base=manifest["base"])
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions["lodpub"] = {
        "settings": settings,
        "names": Names(settings.base),
        "store": store or open_store(settings),
        "manifest": manifest,
    }
    errors.register(app)
    app.register_error_handler(StoreError, _store_unavailable)
    from . import dataset, pages, resources, sparql, vocabulary

    for module in (resources, sparql, dataset, vocabulary, pages):
        app.register_blueprint(module.blueprint)
    if isinstance(app.extensions["lodpub"]["store"], EmbeddedStore):
        # Whole answers, before Flask: the embedded store never changes under a running process.
        # And the common SPARQL request, answered natively without Flask (web/sparql_direct.py).
        from .response_cache import ResponseCache
        from .sparql_direct import DirectSparql

        direct = DirectSparql(app.wsgi_app, app.extensions["lodpub"])
        app.wsgi_app = ResponseCache(direct, shared=_shared_answers(settings, manifest))
    if is_layout(published) and store is None:
        # The kept builds by version, from their own stores; over the embedded store, the published build
        # followed as it changes (web/builds.py).
        from .builds import Builds

        local = dataclasses.replace(settings, store_url=None)
        app.wsgi_app = Builds(app.wsgi_app, published, settings.dist_dir.name,
                              lambda folder: create_app(dataclasses.replace(local, dist_dir=folder)),
                              follow=not settings.store_url)
    return app


def _shared_answers(settings: Settings, manifest: dict):
    """The folder of answers shared by the processes serving this build with these settings, or None."""
    from .response_cache import SharedAnswers

    if settings.answer_cache_bytes <= 0:
        return None
    # Which build: its folder, its time (to the second) and its store folder's inode (new with every build).
    store = settings.store_dir.stat()
    build = f"{settings.dist_dir.resolve()}\0{manifest['built']}\0{store.st_ino}\0{store.st_mtime_ns}"
    served = hashlib.sha256(f"{build}\0{settings!r}".encode()).hexdigest()
    try:
        return SharedAnswers(settings.cache_dir / ANSWERS / served[:32], settings.answer_cache_bytes)
    except OSError as error:
        errors.log.warning("answers are not shared between processes: %s", error)
        return None
