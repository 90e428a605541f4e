"""Compacted JSON-LD with one context: the dump (one `@graph` per named graph) and every entity document.

The context (`make_context`) maps the prefixes of the prefixes table, and each class and property of our
ontology to a term of its local name (`sender`, `Letter`); an object property's values are IRIs
(`"@type": "@id"`). The build writes it once into the published build (`context.jsonld`); the server reads it
from there once per process, publishes it at `/context.jsonld` and writes it into each document.

The writer compacts by these rules only, node by node, so that a dump streams at the speed of reading its
N-Quads (a general JSON-LD compaction of the whole dataset, e.g. rdflib's, holds it all in memory): keys are
terms, else compact IRIs, else IRIs; `rdf:type` is `@type`; an IRI value is `{"@id": ...}`, or a plain string
under an object property's term; a string is a plain JSON string (a value object under an object property's
term, which would read a string as an IRI); any other literal is a value object with its language or datatype.
Every JSON-LD 1.1 processor expands this back to exactly the triples written (tests/test_jsonld.py).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from typing import IO

import pyoxigraph as ox

__all__ = ["CONTEXT_FILE", "Compactor", "make_context"]

CONTEXT_FILE = "context.jsonld"
MEDIA_TYPE = "application/ld+json"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
TERM = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
OBJECT_PROPERTIES = {OWL + "ObjectProperty"}
OTHER_TERMS = {OWL + "DatatypeProperty", OWL + "AnnotationProperty", RDF + "Property", OWL + "Class",
               RDFS + "Class"}


def make_context(ontology: Iterable[ox.Triple], prefixes: dict[str, str], namespace: str) -> dict:
    """The context: every prefix, and a term for each class and property the ontology declares in
    `namespace` (its local name; a name taken by a prefix stays a compact IRI)."""
    kinds: dict[str, set[str]] = {}
    for t in ontology:
        if t.predicate.value == RDF_TYPE and isinstance(t.subject, ox.NamedNode) \
                and t.subject.value.startswith(namespace):
            kinds.setdefault(t.subject.value, set()).add(t.object.value)
    context: dict = dict(sorted(prefixes.items()))
    for iri, declared in sorted(kinds.items()):
        name = iri[len(namespace):]
        if not TERM.match(name) or name in context:
            continue
        if declared & OBJECT_PROPERTIES:
            context[name] = {"@id": iri, "@type": "@id"}
        elif declared & OTHER_TERMS:
            context[name] = iri
    return {"@context": context}


class Compactor:
    """Writes node objects compacted with one context (see the module's rules)."""

    def __init__(self, context: dict) -> None:
        self.context = context
        self.terms: dict[str, tuple[str, bool]] = {}    # IRI -> (term, its values are IRIs)
        self.namespaces: list[tuple[str, str]] = []     # (namespace, prefix), longest first
        for key, value in context["@context"].items():
            if isinstance(value, dict):
                self.terms[value["@id"]] = (key, value.get("@type") == "@id")
            elif value.endswith(("/", "#")):
                self.namespaces.append((value, key))
            else:
                self.terms[value] = (key, False)
        self.namespaces.sort(key=lambda n: -len(n[0]))
        self.stems: dict[str, tuple[str, str] | None] = {}   # IRI up to its last / or # -> its namespace

    def iri(self, iri: str) -> str:
        """A compact IRI where a prefix fits (never one that could read as something else), else the IRI."""
        stem = iri[:max(iri.rfind("/"), iri.rfind("#")) + 1]
        if stem not in self.stems:
            # A namespace ends in / or #, so one that starts the IRI starts its stem: looked up once per stem.
            self.stems[stem] = next(((ns, p) for ns, p in self.namespaces if stem.startswith(ns)), None)
        found = self.stems[stem]
        if found is not None:
            local = iri[len(found[0]):]
            if local and not local.startswith("//"):
                return f"{found[1]}:{local}"
        return iri

    def vocab(self, iri: str) -> str:
        """A property or class: its term, else a compact IRI."""
        found = self.terms.get(iri)
        return found[0] if found else self.iri(iri)

    def node_id(self, term) -> str:
        return f"_:{term.value}" if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, term, as_iri: bool):
        if isinstance(term, (ox.NamedNode, ox.BlankNode)):
            return self.node_id(term) if as_iri else {"@id": self.node_id(term)}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return {"@value": term.value} if as_iri else term.value
        return {"@value": term.value, "@type": self.iri(term.datatype.value)}

    def node(self, subject, triples: Iterable[ox.Triple]) -> dict:
        """One node object: @id, @type, then the properties in order of their keys."""
        types: list[str] = []
        properties: dict[str, list] = {}
        for t in triples:
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                types.append(self.vocab(t.object.value))
                continue
            term, as_iri = self.terms.get(t.predicate.value, (None, False))
            key = term or self.iri(t.predicate.value)
            properties.setdefault(key, []).append(self.value(t.object, as_iri))
        node: dict = {"@id": self.node_id(subject)}
        if types:
            node["@type"] = sorted(types)[0] if len(types) == 1 else sorted(types)
        for key in sorted(properties):
            values = properties[key]
            node[key] = values[0] if len(values) == 1 else values
        return node

    def nodes(self, triples: Iterable[ox.Triple], main: str | None = None) -> list[dict]:
        """The node objects of a graph: the main node first, then the others in order of their @id."""
        by_subject: dict = {}
        for t in triples:
            by_subject.setdefault(t.subject, []).append(t)
        order = sorted(by_subject, key=lambda s: (not (isinstance(s, ox.NamedNode) and s.value == main),
                                                  isinstance(s, ox.BlankNode), s.value))
        return [self.node(s, sorted(by_subject[s], key=lambda t: (t.predicate.value, str(t.object))))
                for s in order]

    def document(self, triples: Iterable[ox.Triple], main: str | None = None) -> bytes:
        """A description: the context written in, and its nodes, the thing described first."""
        body = {**self.context, "@graph": self.nodes(triples, main)}
        return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")

    def head(self) -> bytes:
        """What a dataset document starts with: the context, and the opening of the list of named graphs."""
        context = json.dumps(self.context["@context"], ensure_ascii=False, indent=1).encode("utf-8")
        return b'{\n "@context": ' + context + b',\n "@graph": ['

    SEPARATOR = b","
    TAIL = b"\n ]\n}\n"

    def write_graphs(self, quads: Iterable[ox.Quad], sink: IO[bytes]) -> None:
        """Named graphs as the members of a dataset document's `@graph` list, separated by `SEPARATOR`, from
        quads grouped by graph and, in each graph, by subject (as the build's sorted N-Quads are); streamed,
        one node at a time. A whole document is `head()`, these, and `TAIL`."""
        for i, (graph, in_graph) in enumerate(itertools.groupby(quads, key=lambda q: q.graph_name)):
            if isinstance(graph, ox.DefaultGraph):
                raise ValueError("the dump's quads are all in named graphs")
            sink.write((self.SEPARATOR if i else b"") + b'\n  {"@id": '
                       + json.dumps(self.node_id(graph), ensure_ascii=False).encode("utf-8") + b', "@graph": [')
            for j, (subject, triples) in enumerate(_by_subject(in_graph)):
                sink.write(b"\n   " if j == 0 else b",\n   ")
                sink.write(json.dumps(self.node(subject, triples), ensure_ascii=False).encode("utf-8"))
            sink.write(b"\n  ]}")


def _by_subject(quads: Iterable[ox.Quad]) -> Iterator[tuple[object, list[ox.Triple]]]:
    for subject, group in itertools.groupby(quads, key=lambda q: q.subject):
        yield subject, [q.triple for q in group]
