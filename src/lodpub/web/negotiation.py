"""Content negotiation: which representation a request gets, from its Accept header or its extension.

Every representation of a description is one `Representation`: HTML for people, and each graph format of the
formats table for machines. Accept is parsed by Werkzeug (`parse_accept_header` into a `MIMEAccept`), q-values
honoured, each distinct header matched once per process; when several offers tie, the first wins, so HTML
for browsers and `*/*`, then the table's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..formats import GRAPH_FORMATS, HTML_MEDIA_TYPE, RdfFormat


@dataclass(frozen=True)
class Representation:
    key: str
    label: str
    media_type: str
    extension: str
    rdf: RdfFormat | None = None   # None for HTML
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("+xml", "+json"))
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type

    @property
    def is_html(self) -> bool:
        return self.rdf is None


HTML = Representation("html", "HTML", HTML_MEDIA_TYPE, "html", None, ("application/xhtml+xml",))
REPRESENTATIONS: tuple[Representation, ...] = (HTML, *(
    Representation(f.key, f.label, f.media_type, f.extension, f, f.aliases) for f in GRAPH_FORMATS))
RDF_REPRESENTATIONS = tuple(r for r in REPRESENTATIONS if not r.is_html)

# Canonical media types first, then the aliases: a wildcard (`application/*`) picks a canonical type.
_BY_MEDIA_TYPE: dict[str, Representation] = {r.media_type: r for r in REPRESENTATIONS}
for _r in REPRESENTATIONS:
    for _type in _r.aliases:
        _BY_MEDIA_TYPE.setdefault(_type, _r)
_OFFERS = list(_BY_MEDIA_TYPE)
_BY_EXTENSION = {r.extension: r for r in REPRESENTATIONS}


def by_extension(extension: str) -> Representation | None:
    return _BY_EXTENSION.get(extension.lower())


def split_extension(path: str) -> tuple[str, Representation | None]:
    """`person/x.ttl` -> (`person/x`, Turtle); a path without a known extension comes back whole."""
    stem, dot, extension = path.rpartition(".")
    if dot and "/" not in extension:
        found = by_extension(extension)
        if found is not None:
            return stem, found
    return path, None


def negotiate(offers: tuple[Representation, ...] = REPRESENTATIONS) -> Representation | None:
    """The representation the request's Accept header prefers, None when it accepts none of them.

    A missing or unreadable Accept header accepts anything, so it gets the first offer.
    """
    header = request.headers.get("Accept", "")
    if len(header) > 1024:
        return _negotiate(header, offers)   # not worth remembering
    return _remembered(header, offers)


@lru_cache(maxsize=512)
def _remembered(header: str, offers: tuple[Representation, ...]) -> Representation | None:
    """Clients send a handful of distinct Accept headers: each is parsed and matched once per process."""
    return _negotiate(header, offers)


def _negotiate(header: str, offers: tuple[Representation, ...]) -> Representation | None:
    accept = parse_accept_header(header, MIMEAccept)
    if not accept:
        return offers[0]
    best = accept.best_match(_types(offers))
    return _BY_MEDIA_TYPE[best] if best else None


@lru_cache(maxsize=16)
def _types(offers: tuple[Representation, ...]) -> list[str]:
    return [t for t in _OFFERS if _BY_MEDIA_TYPE[t] in offers]


def wants_rdf(offers: tuple[Representation, ...] = REPRESENTATIONS) -> Representation | None:
    """For an error: the RDF format asked for, if the request prefers one over HTML and plain text."""
    chosen = negotiate(offers)
    return chosen if chosen is not None and not chosen.is_html else None


def available_types(offers: tuple[Representation, ...] = REPRESENTATIONS) -> list[str]:
    return [r.media_type for r in offers]
