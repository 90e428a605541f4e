"""IRIs and the paths that serve them: one place that knows the URI policy of the web layer.

The IRI of a request is the build's base + the request's path, whatever host and port the server listens on.
Links the server writes (in pages and in `Location` / `Content-Location` / `Link` headers) are paths from
the server's root for IRIs under the base, so that they work wherever the server is browsed; other IRIs stay
absolute.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pyoxigraph as ox

from .context import names

# Characters of a decoded request path that an IRI cannot hold as they are (RFC 3987: space, controls,
# `<>"{}|\^` and the backtick), plus `%` itself, which must come back as `%25`.
_UNSAFE = re.compile(r'[\x00-\x20<>"{}|\\^`%\x7f]')
# What SPARQL's IRIREF excludes, after the above has been percent-encoded: a safety net before a query.
_IRIREF_BAD = re.compile(r'[\x00-\x20<>"{}|\\^`]')

ID = "id/"
DOC = "doc/"


def encode_path(path: str) -> str:
    """A decoded request path, back in IRI form: characters an IRI may hold stay as they are."""
    return _UNSAFE.sub(lambda m: quote(m.group(0), safe=""), path)


def iri_of_path(path: str) -> str:
    """The IRI a request path names, e.g. `/id/person/x` -> `{base}id/person/x`."""
    return names().base + encode_path(path.lstrip("/"))


def is_safe_iri(iri: str) -> bool:
    """A valid absolute IRI (RFC 3987) that can be written between `<` and `>` in SPARQL and Turtle as it is."""
    if not iri or len(iri) > 4096 or _IRIREF_BAD.search(iri) is not None:
        return False
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def local(iri: str) -> str | None:
    """The part of an IRI after the base, or None for an IRI elsewhere."""
    base = names().base
    return iri[len(base):] if iri.startswith(base) else None


def href(iri: str) -> str:
    """Where a page links for an IRI: a path from the server's root under the base, else the IRI."""
    rest = local(iri)
    return "/" + rest if rest is not None else iri


# The only schemes an IRI from the data may be linked with; anything else (javascript:, data:, vbscript:,
# file:, ...) is shown as text. Compared case-insensitively, as browsers do.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Characters a browser strips from an href (C0 controls and space at the ends; tab and newlines anywhere)
# before it reads the scheme, and the C1 controls: an IRI holding any of them is never a link.
_NOT_IN_LINK = re.compile(r"[\x00-\x20\x7f-\x9f]")


def safe_href(iri: str) -> str | None:
    """Where a page may link for an IRI from the data, or None to show it as text: the one place that decides.
    Ours become paths from the server's root; others only with an http, https or mailto scheme."""
    rest = local(iri)
    if rest is not None and _NOT_IN_LINK.search(rest) is None:
        return "/" + rest
    if _NOT_IN_LINK.search(iri) is not None:
        return None
    scheme, colon, _ = iri.partition(":")
    return iri if colon and scheme.lower() in LINK_SCHEMES else None


def document_path(iri: str) -> str | None:
    """The path of the document that describes a thing, `/doc/...` for `{base}id/...`; None elsewhere."""
    rest = local(iri)
    if rest is None:
        return None
    rest = rest.split("#", 1)[0]
    if rest.startswith(ID):
        return "/" + DOC + rest[len(ID):]
    return "/" + rest


def document_iri(iri: str) -> str:
    """The IRI of the document that describes a thing (`{base}doc/...` for `{base}id/...`)."""
    path = document_path(iri)
    return names().base + path.lstrip("/") if path is not None else iri


def with_extension(path: str, extension: str | None) -> str:
    return f"{path}.{extension}" if extension else path


def with_page(path: str, page: int) -> str:
    return path if page == 1 else f"{path}?page={page}"
