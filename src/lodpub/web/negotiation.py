"""Content negotiation: ONE table of representations, for documents and for /sparql alike.

Every representation is a `Representation`: HTML for people, each graph format (documents, CONSTRUCT, DESCRIBE)
and each results format (SELECT, ASK) of the formats table. A request picks one by extension, by `?format=`
(SPARQL), or by its Accept header, parsed by Werkzeug (`MIMEAccept`), q-values honoured (`q=.5` too).

Rules (RFC 9110, 12.5.1): the most specific media range that matches an offer gives its quality (so
`text/turtle;q=0` refuses Turtle even under `*/*`); the highest quality wins, then the most specific match, then
the order of the offers (HTML first for documents, so browsers and `*/*` get a page; the machine formats first
for SPARQL answers). A wildcard (`text/*`, `application/*`, `*/*`) matches an offer's own media type only, never
an alias: an alias is a media type some clients send for a format (`application/json` for JSON-LD on a document,
`text/n3` for Turtle), honoured when named exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..formats import GRAPH_FORMATS, HTML_MEDIA_TYPE, RESULT_FORMATS, RdfFormat, ResultFormat

__all__ = ["DOCUMENTS", "ERRORS", "HTML", "REPRESENTATIONS", "SPARQL_OFFERS", "Representation", "accept_class",
           "by_extension", "choose", "negotiate", "split_extension", "wants_rdf"]


@dataclass(frozen=True)
class Representation:
    key: str
    label: str
    media_type: str
    extension: str
    rdf: RdfFormat | None = None          # a graph format
    results: ResultFormat | None = None   # a SPARQL results format
    aliases: tuple[str, ...] = ()         # other media types that select it, when named exactly
    names: tuple[str, ...] = ()           # values of ?format= (or ?output=) that select it

    @property
    def content_type(self) -> str:
        """With `charset` where the media type defines it (text, XML); JSON is UTF-8 by definition (RFC 8259)."""
        textual = self.media_type.startswith("text/") or self.media_type.endswith("+xml")
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type

    @property
    def is_html(self) -> bool:
        return self.rdf is None and self.results is None


# Media types and format names other clients use for our formats (SPARQLWrapper sends format=n3, rdf+xml,
# json-ld; N3 clients accept Turtle, which is N3; a JSON client of a graph gets JSON-LD).
EXTRA_ACCEPTS = {"turtle": ("application/turtle", "text/n3", "application/n3", "text/rdf+n3"),
                 "jsonld": ("application/json", "application/x-json+ld")}
EXTRA_NAMES = {"turtle": ("n3",), "rdfxml": ("xml", "rdf+xml"), "jsonld": ("json", "json-ld")}


def _representation(f: RdfFormat | ResultFormat) -> Representation:
    graph = isinstance(f, RdfFormat)
    return Representation(f.key, f.label, f.media_type, f.extension, f if graph else None, None if graph else f,
                          (*f.aliases, *(EXTRA_ACCEPTS.get(f.key, ()) if graph else ())),
                          (f.key, f.extension, f.media_type, *(EXTRA_NAMES.get(f.key, ()) if graph else ())))


HTML = Representation("html", "HTML", HTML_MEDIA_TYPE, "html", aliases=("application/xhtml+xml",),
                      names=("html", "htm"))
GRAPHS = tuple(_representation(f) for f in GRAPH_FORMATS)
RESULTS = tuple(_representation(f) for f in RESULT_FORMATS)

# Who is offered what, in order of preference.
DOCUMENTS: tuple[Representation, ...] = (HTML, *GRAPHS)
REPRESENTATIONS = DOCUMENTS
SPARQL_OFFERS = {"results": (*RESULTS, HTML), "graph": (*GRAPHS, HTML)}
# Errors: plain text, unless HTML is asked for by name (a browser says text/html; curl's */* gets text).
PLAIN_TEXT = Representation("text", "plain text", "text/plain", "txt")
ERRORS = (PLAIN_TEXT, HTML)

_BY_EXTENSION = {r.extension: r for r in DOCUMENTS}
_SHORT_Q = re.compile(r"(;\s*q\s*=\s*)\.(?=\d)", re.IGNORECASE)


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


def _specificity(media_range: str, offer: Representation) -> int:
    """How closely a media range of Accept names an offer: 3 exactly, 2 by `type/*`, 1 by `*/*`, 0 not."""
    if media_range == offer.media_type or media_range in offer.aliases:
        return 3
    if media_range in ("*/*", "*"):
        return 1
    kind, _, sub = media_range.partition("/")
    return 2 if sub == "*" and offer.media_type.startswith(kind + "/") else 0


@lru_cache(maxsize=1024)
def choose(header: str | None, offers: tuple[Representation, ...]) -> Representation | None:
    """The offer an Accept header prefers, None when it accepts none; a missing or unreadable header accepts
    anything, so it gets the first offer. Each distinct header is read once per offer list and process."""
    accept = parse_accept_header(_SHORT_Q.sub(r"\g<1>0.", header or ""), MIMEAccept)
    ranges = [(value.split(";", 1)[0].strip().lower(), quality) for value, quality in accept]
    if not ranges:
        return offers[0]
    best, best_rank = None, (0.0, 0)
    for offer in offers:
        matched = [(spec, quality) for media_range, quality in ranges if (spec := _specificity(media_range, offer))]
        if not matched:
            continue
        spec, quality = max(matched)     # the most specific range decides
        if quality > 0 and (quality, spec) > best_rank:
            best, best_rank = offer, (quality, spec)
    return best


def negotiate(offers: tuple[Representation, ...] = DOCUMENTS) -> Representation | None:
    """The representation the request's Accept header prefers among `offers`, None when it accepts none."""
    header = request.headers.get("Accept", "")
    return choose(header, offers) if len(header) <= 1024 else choose.__wrapped__(header, offers)


def accept_class(header: str | None) -> tuple[str | None, ...]:
    """What an Accept header decides anywhere in the application: the representation it picks for a document,
    a SPARQL results answer, a SPARQL graph answer and an error. Two headers of one class get the same answers, so the
    answer cache keys on this instead of on the header."""
    if header is not None and len(header) > 1024:
        return (header,)
    return tuple(None if (r := choose(header, offers)) is None else r.key
                 for offers in (DOCUMENTS, *SPARQL_OFFERS.values(), ERRORS))


def wants_rdf(offers: tuple[Representation, ...] = DOCUMENTS) -> Representation | None:
    """For an error: the RDF format asked for, if the request prefers one over HTML and plain text."""
    chosen = negotiate(offers)
    return chosen if chosen is not None and not chosen.is_html else None


def available_types(offers: tuple[Representation, ...] = DOCUMENTS) -> list[str]:
    return [r.media_type for r in offers]
