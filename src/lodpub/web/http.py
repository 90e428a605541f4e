"""HTTP details every Linked Data answer shares: validators (ETag, Last-Modified, 304), CORS, Link headers."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, abort, request
from werkzeug.http import http_date

from .context import manifest

EXPOSED = ("Content-Location, Link, ETag, Last-Modified, Vary, Content-Type, Content-Length, Content-Range, "
           "Accept-Ranges, X-Lodpub-Truncated, X-Lodpub-Result-Cap, Warning, Retry-After")
MAX_PAGE = 1_000_000


def built_at() -> datetime:
    """When the served build was made: every document's Last-Modified."""
    return datetime.fromisoformat(manifest()["built"])


def last_modified() -> str:
    return http_date(built_at())


def etag_for(*parts: object) -> str:
    """A validator for one representation of one build: equal for equal representations in every worker.

    Weak (`W/"..."`) where it is sent: the same triples may be serialized in another order by another worker."""
    digest = hashlib.sha256("\0".join(map(str, (manifest()["built"], *parts))).encode()).hexdigest()
    return digest[:32]


def not_modified(etag: str) -> bool:
    """Whether a GET or HEAD may be answered 304 (RFC 9110, 13.2.2): If-None-Match, when sent, decides
    (weak comparison); otherwise If-Modified-Since against the build's time."""
    if request.method not in ("GET", "HEAD"):
        return False
    if "If-None-Match" in request.headers:
        tags = request.if_none_match
        return tags.star_tag or tags.contains_weak(etag)
    since = request.if_modified_since
    return since is not None and built_at().replace(microsecond=0) <= since


CORS_HEADERS = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED))


def allow_cors(response: Response) -> Response:
    """Any origin may read what we publish: it is public, read-only data. (The one CORS hook: every answer.)"""
    headers = response.headers
    for name, value in CORS_HEADERS:
        headers[name] = value
    if request.method == "OPTIONS":
        headers.setdefault("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        headers.setdefault("Access-Control-Allow-Headers", "Accept, If-None-Match, If-Modified-Since, Range")
        headers.setdefault("Access-Control-Max-Age", "86400")
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
