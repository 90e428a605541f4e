"""Enrichment: state the standard types and properties that our ontology's axioms entail.

A client that knows only schema.org, FOAF or PROV-O should still find the people, messages and quotations.
So for each of our classes and properties, its superclasses and superproperties (transitively, as the
ontology's rdfs:subClassOf / rdfs:subPropertyOf say) are added to the data. Only axioms whose subject is one
of our own terms are used: we do not reason over other vocabularies we have not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import pyoxigraph as ox

from .vocab import OWL, RDF, RDFS, transitive_closure

TYPE = ox.NamedNode(RDF + "type")
SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
SUBPROPERTY = ox.NamedNode(RDFS + "subPropertyOf")
IGNORED = {OWL + "Thing", RDFS + "Resource"}
K = TypeVar("K")


class Entailments:
    """The superclass and superproperty closure of our own terms, read once from the ontology."""

    def __init__(self, ontology: Iterable[ox.Triple], namespace: str) -> None:
        direct: dict[ox.NamedNode, dict[ox.NamedNode, set[ox.NamedNode]]] = {SUBCLASS: {}, SUBPROPERTY: {}}
        for t in ontology:
            if (t.predicate in direct and isinstance(t.subject, ox.NamedNode)
                    and isinstance(t.object, ox.NamedNode) and t.subject.value.startswith(namespace)
                    and t.object.value not in IGNORED):
                direct[t.predicate].setdefault(t.subject, set()).add(t.object)
        self.superclasses = _closure(direct[SUBCLASS])
        self.superproperties = _closure(direct[SUBPROPERTY])

    def enrich(self, triples: list[ox.Triple]) -> list[ox.Triple]:
        """The triples, followed by the entailed ones they do not already contain, in a repeatable order."""
        seen = set(triples)
        added: list[ox.Triple] = []
        for t in triples:
            if t.predicate == TYPE:
                extra = [ox.Triple(t.subject, TYPE, c) for c in self.superclasses.get(t.object, ())]
            else:
                extra = [ox.Triple(t.subject, p, t.object) for p in self.superproperties.get(t.predicate, ())]
            for e in extra:
                if e not in seen:
                    seen.add(e)
                    added.append(e)
        return triples + added


def _closure(direct: dict[ox.NamedNode, set[ox.NamedNode]]) -> dict[ox.NamedNode, list[ox.NamedNode]]:
    """The closure in a repeatable order, so that enriched triples come out the same in every build."""
    return {start: sorted(found, key=lambda n: n.value) for start, found in transitive_closure(direct).items()}
