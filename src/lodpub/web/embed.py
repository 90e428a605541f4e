"""A page's description as JSON-LD for its `<script type="application/ld+json">` block: the thing's own
triples (and the blank nodes they reach), written by the same serializer as the .jsonld documents, with the
schema.org types first in every `@type` so that a crawler that reads only the first sees a schema.org type.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from ..formats import rdf_format
from .serialize import serialize

SCHEMA_PREFIXES = ("schema:", "http://schema.org/", "https://schema.org/")


def own_triples(triples: list[ox.Triple], iri: str) -> list[ox.Triple]:
    """The triples about the thing and the blank nodes it reaches."""
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    out, todo, seen = [], [ox.NamedNode(iri)], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for t in by_subject.get(subject, ()):
            out.append(t)
            if isinstance(t.object, ox.BlankNode):
                todo.append(t.object)
    return out


def _schema_first(node) -> None:
    if isinstance(node, dict):
        types = node.get("@type")
        if isinstance(types, list):
            node["@type"] = sorted(types, key=lambda t: not str(t).startswith(SCHEMA_PREFIXES))
        for value in node.values():
            _schema_first(value)
    elif isinstance(node, list):
        for item in node:
            _schema_first(item)


def jsonld(triples: list[ox.Triple], iri: str) -> object:
    """The JSON-LD of the thing's own triples, as a value for Jinja's `tojson` (which escapes it for HTML)."""
    data = json.loads(serialize(own_triples(triples, iri), rdf_format("jsonld")))
    _schema_first(data)
    return data
