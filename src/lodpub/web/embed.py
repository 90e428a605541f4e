"""A page's description as JSON-LD for its `<script type="application/ld+json">` block.

The thing's own triples (and the blank nodes they reach), compacted with the data set's prefixes, schema.org
types first in every `@type` so that a crawler that reads only the first sees a schema.org type. A property
with very many values (a hub's evidence) carries the first `limit` of them: the page's .jsonld alternate has
them all. Written here rather than through rdflib, which took a tenth of a second for a hub's page.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..vocab import RDF, XSD
from .serialize import prefixes

SCHEMA_PREFIXES = ("schema:", "http://schema.org/", "https://schema.org/")
PLAIN = {XSD + "string", RDF + "langString"}


def own_triples(triples: list[ox.Triple], iri: str) -> dict:
    """subject -> its triples, for the thing and the blank nodes it reaches."""
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    out: dict = {}
    todo = [ox.NamedNode(iri)]
    while todo:
        subject = todo.pop()
        if subject in out:
            continue
        out[subject] = by_subject.get(subject, [])
        todo += [t.object for t in out[subject] if isinstance(t.object, ox.BlankNode)]
    return out


class _Compactor:
    def __init__(self) -> None:
        self.known = sorted(prefixes().items(), key=lambda kv: -len(kv[1]))
        self.used: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        for prefix, namespace in self.known:
            rest = iri[len(namespace):]
            if iri.startswith(namespace) and rest and ":" not in rest and "/" not in rest:
                self.used[prefix] = namespace
                return f"{prefix}:{rest}"
        return iri


def jsonld(triples: list[ox.Triple], iri: str, limit: int = 50) -> dict:
    """The JSON-LD of the thing's own triples, as a value for Jinja's `tojson` (which escapes it for HTML)."""
    nodes = own_triples(triples, iri)
    names = _Compactor()

    def node(subject, depth: int = 0) -> dict:
        out: dict = {"@id": subject.value} if isinstance(subject, ox.NamedNode) else {}
        types = [names.iri(t.object.value) for t in nodes.get(subject, ()) if t.predicate.value == RDF + "type"
                 and isinstance(t.object, ox.NamedNode)]
        if types:
            out["@type"] = sorted(types, key=lambda t: (not t.startswith(SCHEMA_PREFIXES), t))
        for t in nodes.get(subject, ()):
            if t.predicate.value == RDF + "type":
                continue
            values = out.setdefault(names.iri(t.predicate.value), [])
            if len(values) < limit:
                values.append(value(t.object, depth))
        return out

    def value(term, depth: int):
        if isinstance(term, ox.NamedNode):
            return {"@id": term.value}
        if isinstance(term, ox.BlankNode):
            return node(term, depth + 1) if depth < 6 else {}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype is not None and term.datatype.value not in PLAIN:
            return {"@value": term.value, "@type": names.iri(term.datatype.value)}
        return term.value

    main = node(ox.NamedNode(iri))
    for key, values in list(main.items()):
        if isinstance(values, list) and len(values) == 1 and key != "@type":
            main[key] = values[0]
    return {"@context": dict(sorted(names.used.items())), **main}
