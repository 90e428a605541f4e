"""Dereferencing things: `/id/...` answers 303 to `/doc/...`, which describes the thing in every format.

`{base}id/{kind}/{slug}` names a thing (a person, a letter, a quote); `{base}doc/{kind}/{slug}` is the
document about it, negotiated (HTML, Turtle, N-Triples, JSON-LD, RDF/XML), or chosen by an extension
(`/doc/person/x.ttl`). See `documents.py` for the headers every answer carries.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request

from .cache import cached
from .describe import Description, NotAnIri, describe, exists
from .documents import Document, answer, choose, not_acceptable, not_found
from .http import page_argument
from .links import DOC, ID, encode_path, iri_of_path, is_safe_iri
from .negotiation import split_extension

blueprint = Blueprint("resources", __name__)



def known(iri: str) -> bool:
    try:
        return cached(("exists", iri), lambda: exists(iri))
    except NotAnIri:
        return False


@blueprint.route("/id/<path:rest>")
def thing(rest: str):
    """303 See Other to the document about the thing; 404 when nothing is known about it."""
    iri = iri_of_path("/" + ID + rest)
    if not known(iri):
        return not_found(iri, None) if is_safe_iri(iri) else abort(404)
    target = "/" + DOC + encode_path(rest)
    if request.query_string:
        target += "?" + request.query_string.decode("ascii", "replace")
    return redirect(target, code=303)


@blueprint.route("/doc/<path:rest>")
def document(rest: str):
    """The description of `{base}id/<rest>`, in the representation asked for by extension or Accept."""
    stem, extension = split_extension(rest)
    iri = iri_of_path("/" + ID + stem)
    if extension is not None and not known(iri):
        # A thing whose own name ends like an extension: `/doc/x.rdf` describing `{base}id/x.rdf`.
        whole = iri_of_path("/" + ID + rest)
        if known(whole):
            stem, extension, iri = rest, None, whole
    chosen, negotiated = choose(extension)
    if chosen is None:
        return not_acceptable("/" + DOC + stem)
    if not known(iri):
        return not_found(iri, chosen) if is_safe_iri(iri) else abort(404)
    page = page_argument()
    described: Description = cached(("describe", iri, page), lambda: describe(iri, page),
                                    lambda d: 2048 + 300 * len(d.triples))
    if page > described.pages:
        abort(404, f"the description of {iri} has {described.pages} page(s), not {page}")

    def html() -> str:
        from .thing import render

        return render(described)

    doc = Document("/" + DOC + stem, ("doc", iri, page), described.triples, html, topic=iri, page=page,
                   pages=described.pages)
    return answer(doc, chosen, negotiated)
