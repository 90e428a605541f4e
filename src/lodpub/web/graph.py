"""A small read-only index over a list of triples, for building pages from a description."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def sort_key(t: ox.Triple) -> tuple[str, str, str]:
    return (str(t.subject), str(t.predicate), str(t.object))


class Index:
    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.triples = sorted(set(triples), key=sort_key)
        self._spo: dict = defaultdict(lambda: defaultdict(list))
        self._pos: dict = defaultdict(lambda: defaultdict(list))
        for t in self.triples:
            self._spo[t.subject][t.predicate].append(t.object)
            self._pos[t.predicate][t.object].append(t.subject)

    def properties(self, subject) -> dict[ox.NamedNode, list[Term]]:
        return self._spo.get(subject, {})

    def objects(self, subject, predicate: ox.NamedNode | str) -> list[Term]:
        if isinstance(predicate, str):
            predicate = ox.NamedNode(predicate)
        return self._spo.get(subject, {}).get(predicate, [])

    def value(self, subject, predicate: ox.NamedNode | str) -> Term | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: ox.NamedNode | str, obj: Term | str | None = None) -> list:
        if isinstance(predicate, str):
            predicate = ox.NamedNode(predicate)
        if isinstance(obj, str):
            obj = ox.NamedNode(obj)
        by_object = self._pos.get(predicate, {})
        if obj is None:
            seen: dict = {}
            for subjects in by_object.values():
                for s in subjects:
                    seen.setdefault(s, None)
            return list(seen)
        return by_object.get(obj, [])

    def has_subject(self, subject) -> bool:
        return subject in self._spo

    def rdf_list(self, head) -> list[Term]:
        """The members of an RDF collection (rdf:first / rdf:rest), guarding against cycles."""
        from ..vocab import RDF

        items, seen = [], set()
        while head is not None and head != ox.NamedNode(RDF + "nil") and head not in seen:
            seen.add(head)
            first = self.value(head, RDF + "first")
            if first is not None:
                items.append(first)
            head = self.value(head, RDF + "rest")
        return items
