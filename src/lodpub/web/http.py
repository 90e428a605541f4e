"""HTTP details every Linked Data answer shares: validators (ETag, Last-Modified, 304), CORS, Link headers."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, abort, request

from .context import manifest

EXPOSED = "Content-Location, Link, ETag, Last-Modified, Vary, Content-Length, Content-Range, Accept-Ranges"
MAX_PAGE = 1_000_000


def built_at() -> datetime:
    """When the served build was made: every document's Last-Modified."""
    return datetime.fromisoformat(manifest()["built"])


def etag_for(*parts: object) -> str:
    """A validator for one representation of one build: equal for equal representations in every worker."""
    digest = hashlib.sha256("\0".join(map(str, (manifest()["built"], *parts))).encode()).hexdigest()
    return digest[:32]


def conditional(response: Response, *etag_parts: object) -> Response:
    """Set ETag (weak: the same triples may serialize in another order) and Last-Modified, and answer 304
    when the client's copy is current (If-None-Match, else If-Modified-Since)."""
    response.set_etag(etag_for(*etag_parts), weak=True)
    response.last_modified = built_at()
    return response.make_conditional(request)


def allow_cors(response: Response) -> Response:
    """Any origin may read what we publish: it is public, read-only data."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, If-None-Match, If-Modified-Since, Range"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def link(target: str, rel: str, media_type: str | None = None, title: str | None = None) -> str:
    value = f'<{target}>; rel="{rel}"'
    if media_type:
        value += f'; type="{media_type}"'
    if title:
        value += f'; title="{title}"'
    return value


def page_argument() -> int:
    """`?page=N`: a positive whole number; anything else is the client's mistake (400)."""
    raw = request.args.get("page")
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 7 and 1 <= int(raw) <= MAX_PAGE):
        abort(400, f"page must be a whole number from 1 to {MAX_PAGE}, not {raw[:40]!r}")
    return int(raw)
