"""Answering for a document in whichever representation was chosen: the one way every description is served.

A handler finds what a request names and hands over a `Document` (its triples, and how to render its page);
this module writes the chosen representation, with `Content-Location`, `Vary`, `Link` alternates, license
and dataset links, paging links, validators, and the 404 and 406 answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Response, abort, request

from ..vocab import FOAF, RDF, RDFS, VOID
from .cache import cached
from .context import names, settings
from .http import etag_for, last_modified, link, not_modified
from .links import document_iri, href, with_extension, with_page
from .negotiation import REPRESENTATIONS, Representation, available_types, wants_rdf
from .serialize import serialize


@dataclass
class Document:
    path: str                          # the format-neutral document, from the server's root: /doc/person/x
    key: tuple                         # names this document (and page) in the cache and in its ETag
    triples: list[ox.Triple]
    html: Callable[[], str]            # renders the page for people
    topic: str | None = None           # the IRI of the thing it describes, when that is not the document
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class Prepared:
    """One representation of one document, ready to send: computed once per build and process."""

    body: bytes
    headers: tuple[tuple[str, str], ...]     # sent with 200
    validators: tuple[tuple[str, str], ...]  # sent with 200 and with 304
    etag: str


def prepare(document: Document, chosen: Representation) -> Prepared:
    if chosen.is_html:
        body = document.html().encode("utf-8")
    else:
        body = serialize(document.triples, chosen.rdf, focus(document))
    etag = etag_for(document.key, chosen.key)
    validators = (
        ("Content-Location", with_page(with_extension(document.path, chosen.extension), document.page)),
        ("ETag", f'W/"{etag}"'),
        ("Last-Modified", last_modified()),
        ("Cache-Control", "public, no-cache"),
    )
    headers = (("Content-Type", chosen.content_type), ("Link", ", ".join(links(document))))
    return Prepared(body, headers, validators, etag)


def focus(document: Document) -> str:
    """The IRI a document is about: its topic, or the document itself (the ontology, the dataset...)."""
    return document.topic or names().base + document.path.lstrip("/")


def answer_prepared(prepared: Prepared, negotiated: bool) -> Response:
    """200 with the prepared representation, or 304 when the client's copy is current."""
    vary = (("Vary", "Accept"),) if negotiated else ()
    if not_modified(prepared.etag):
        return Response(status=304, headers=[*prepared.validators, *vary])
    return Response(prepared.body, status=200, headers=[*prepared.headers, *prepared.validators, *vary])


def answer(document: Document, chosen: Representation, negotiated: bool) -> Response:
    """The chosen representation of the document (or 304), with every header a Linked Data client reads.
    (Not kept here: the answer cache in front of the application keeps the whole answer, and answers 304.)"""
    return answer_prepared(prepare(document, chosen), negotiated)


def links(document: Document) -> list[str]:
    out = [link(with_page(with_extension(document.path, r.extension), document.page), "alternate", r.media_type)
           for r in REPRESENTATIONS]
    out.append(link(settings().license, "license"))
    out.append(link(href(names().dataset), VOID + "inDataset"))
    # The JSON-LD context each JSON-LD document carries, published on its own.
    out.append(link(href(names().base + "context.jsonld"), "http://www.w3.org/ns/json-ld#context",
                    "application/ld+json"))
    if document.topic:
        out.append(link(href(document.topic), FOAF + "primaryTopic"))
    if document.pages > 1:
        out.append(link(with_page(document.path, 1), "first"))
        out.append(link(with_page(document.path, document.pages), "last"))
        if document.page > 1:
            out.append(link(with_page(document.path, document.page - 1), "prev"))
        if document.page < document.pages:
            out.append(link(with_page(document.path, document.page + 1), "next"))
    return out


def not_acceptable(path: str | None = None) -> Response:
    """406, listing what is on offer (and the extension URLs that select each directly)."""
    offered = ", ".join(available_types())
    extensions = ", ".join(f".{r.extension}" for r in REPRESENTATIONS)
    body = (f"406 Not Acceptable: nothing in the Accept header ({request.headers.get('Accept', '')[:200]!r}) "
            f"is available here. Available types: {offered}. Or add an extension to the URL: {extensions}.\n")
    response = Response(body, status=406, content_type="text/plain; charset=utf-8")
    response.vary.add("Accept")
    if path:
        response.headers["Link"] = ", ".join(
            link(with_extension(path, r.extension), "alternate", r.media_type) for r in REPRESENTATIONS)
    return response


def not_found(iri: str, chosen: Representation | None) -> Response:
    """404 for an IRI nothing is known about: RDF when RDF was asked for, else a page or plain text."""
    rdf = chosen if chosen is not None and not chosen.is_html else None
    if rdf is None and chosen is None:
        rdf = wants_rdf()
    if rdf is None:
        abort(404, f"nothing is known about {iri} in this dataset")
    doc = ox.NamedNode(document_iri(iri))
    triples = [
        ox.Triple(doc, ox.NamedNode(RDFS + "comment"),
                  ox.Literal(f"Nothing is known about {iri} in this dataset.", language="en")),
        ox.Triple(doc, ox.NamedNode(RDF + "type"), ox.NamedNode(FOAF + "Document")),
        ox.Triple(doc, ox.NamedNode(VOID + "inDataset"), ox.NamedNode(names().dataset)),
    ]
    response = Response(serialize(triples, rdf.rdf), status=404, content_type=rdf.content_type)
    response.vary.add("Accept")
    return response


def choose(extension: Representation | None) -> tuple[Representation | None, bool]:
    """The representation: the extension's if there is one, else the Accept header's; and whether negotiated."""
    if extension is not None:
        return extension, False
    from .negotiation import negotiate

    return negotiate(), True


def serve_graph(graph: str, path: str, extension: str | None,
                html: Callable[[Callable[[], list[ox.Triple]]], str]) -> Response:
    """A document that is a whole named graph (the ontology, the shapes, the dataset's description),
    served at its own IRI's path with content negotiation, and at `path.ext` for each format. `html` renders
    the page, given how to read the whole graph: a page that shows a part of a large graph reads only that."""
    from .describe import graph_triples
    from .negotiation import by_extension

    if extension is not None:
        chosen = by_extension(extension)
        if chosen is None:
            abort(404, f"no format has the extension .{extension[:20]}")
        negotiated = False
    else:
        chosen, negotiated = choose(None)
    if chosen is None:
        return not_acceptable(path)

    def whole() -> list[ox.Triple]:
        triples = cached(("graph-triples", graph), lambda: graph_triples(graph), lambda t: 300 * len(t))
        if not triples:
            abort(404, f"the build holds no graph {graph}")
        return triples

    document = Document(path, ("graph", graph), [] if chosen.is_html else whole(), lambda: html(whole))
    return answer(document, chosen, negotiated)
