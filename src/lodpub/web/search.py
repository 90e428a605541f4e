"""Search: things by their names (ranked), and passages of the source texts and quotes, from the full-text index
the build wrote (lodpub.fulltext). Without an index (a build older than it), names are searched in the store.
"""

from __future__ import annotations

import threading

import pyoxigraph as ox
from flask import Blueprint, abort, current_app, render_template, request, url_for

from ..fulltext import Hit, Searcher
from ..vocab import RDF, SCHEMA
from .cache import cached
from .context import names, settings
from .describe import LABEL_PROPERTIES, select, values
from .graph import Index
from .http import allow_cors, page_argument
from .links import document_path, is_safe_iri
from .view import View

blueprint = Blueprint("search", __name__)
MAX_QUERY = 200
_lock = threading.Lock()


def searcher() -> Searcher | None:
    """This process's reader of the build's index, or None when the build wrote none."""
    state = current_app.extensions["lodpub"]
    if "searcher" not in state:
        with _lock:
            path = settings().search_index
            state.setdefault("searcher", Searcher(path) if path.exists() else None)
    return state["searcher"]


def sparql_string(text: str) -> str:
    """A SPARQL string literal holding exactly this text (quotes, backslashes and line ends escaped)."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def _in_store(query: str, size: int, offset: int) -> list[Hit]:
    """Names that contain the words, from the store: the reference the index replaces."""
    props = values("?p", LABEL_PROPERTIES)
    rows = select(f"""
SELECT ?s (MIN(STR(?l)) AS ?label) WHERE {{
  {props} ?s ?p ?l FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?l)), LCASE({sparql_string(query)})))
}} GROUP BY ?s ORDER BY LCASE(?label) ?s LIMIT {size} OFFSET {offset}""")
    return [Hit(row["s"].value, row["label"].value, 3, False) for row in rows if "s" in row]


def _reader_type(iri: str) -> bool:
    """A type a reader filters by: the dataset's own classes and schema.org's."""
    return iri.startswith((names().lpo, SCHEMA))


@blueprint.get("/search")
def search():
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY:
        abort(400, f"a search is at most {MAX_QUERY} characters")
    if any(ord(c) < 32 and c not in "\t" for c in query):
        abort(400, "a search cannot hold control characters")
    type_iri = request.args.get("type") or None
    if type_iri is not None and not is_safe_iri(type_iri):
        abort(400, "filter by a type given as its full IRI, e.g. type=http://schema.org/Person")
    query = " ".join(query.split())
    page = page_argument()
    size = settings().page_size
    offset = (page - 1) * size
    hits: list[Hit] = []
    facets: list = []
    passages: list = []
    total = passage_total = 0
    index = searcher()
    if query:
        if index is not None:
            hits, total, facets = cached(("search", query, type_iri, page),
                                         lambda: index.things(query, type_iri, size, offset))
            if type_iri is None:
                passages, passage_total = cached(("passages", query, page),
                                                 lambda: index.passages(query, size, offset))
        else:
            hits = cached(("search-store", query, page), lambda: _in_store(query, size + 1, offset))
            total = offset + len(hits)
            hits = hits[:size]
        if page > 1 and not hits and not passages:
            abort(404, f"no page {page} of results for {query!r}")
    named = {h.iri for h in hits} | {f for p in passages for f in p.facts} | {p.owner for p in passages}
    labels = index.labels(sorted(named)) if index is not None else {}
    triples = []
    for h in hits:
        subject = ox.NamedNode(h.iri)
        triples.append(ox.Triple(subject, ox.NamedNode(LABEL_PROPERTIES[0]), ox.Literal(h.label)))
        triples += [ox.Triple(subject, ox.NamedNode(RDF + "type"), ox.NamedNode(t)) for t in h.types]
    triples += [ox.Triple(ox.NamedNode(i), ox.NamedNode(LABEL_PROPERTIES[0]), ox.Literal(label))
                for i, label in labels.items()]
    view = View(Index(triples))
    more = offset + len(hits) < total or offset + len(passages) < passage_total

    def page_url(n: int) -> str:
        args = {"q": query, **({"type": type_iri} if type_iri else {}), **({"page": n} if n > 1 else {})}
        return url_for("search.search", **args)

    def passage_href(p) -> str:
        """Where a passage is shown: its span on the source's page, or the page of the quote or post it is."""
        path = document_path(p.owner) or p.owner
        return f"{path}#span-{p.start}-{p.end}" if p.start is not None else path

    def type_url(t: str | None) -> str:
        return url_for("search.search", q=query, **({"type": t} if t else {}))

    page_data = {"@context": {"schema": "http://schema.org/"}, "@type": "schema:SearchResultsPage",
                 "schema:name": f"Search: {query}" if query else "Search",
                 "schema:hasPart": [{"@id": h.iri} for h in hits]}
    return render_template(
        "search.html", jsonld=page_data, view=view, search_query=query, hits=hits, total=total, passages=passages,
        passage_total=passage_total, facets=[(ox.NamedNode(t), n) for t, n in facets if _reader_type(t)][:24],
        type_iri=type_iri,
        page=page, more=more, first=offset + 1, page_url=page_url, type_url=type_url, passage_href=passage_href,
        indexed=index is not None,
        ox=ox)


@blueprint.after_request
def cors(response):
    return allow_cors(response)
