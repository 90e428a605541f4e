"""Literals in the form a store keeps them, so that what is served equals what is dumped.

A store does not give back every literal as it was written. Oxigraph (the embedded store and Oxigraph server)
keeps a literal of a datatype it knows as its value: xsd:nonNegativeInteger and every other type derived from
xsd:integer come back as xsd:integer, numbers, booleans, dates and times in their canonical lexical form
("007" as "7"), and language tags in lower case. The value is the same; the RDF term is not, so the SPARQL
endpoint and every document would publish other triples than the dumps.

The build therefore writes every literal of its inputs in the form the store gives back, once, where the terms
enter the build (as the parser's blank nodes are renamed, in sources.py; and the VoID description): the store,
the dumps and the VoID description then hold the same terms, and a user who loads a dump into Oxigraph gets back
exactly the dump. The form is Oxigraph's own, asked of a scratch in-memory store once per distinct literal
rather than copied here, so it follows the engine the build runs on.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

__all__ = ["as_stored", "changed_forms"]

_PROBE = ox.NamedNode("urn:lodpub:literal")


def changed_forms(literals: Iterable[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """The literals a store gives back in another form, each with that form (one scratch store for all)."""
    listed = list(literals)
    scratch = ox.Store()
    scratch.bulk_extend(ox.Quad(ox.NamedNode(f"urn:lodpub:literal:{i}"), _PROBE, literal)
                        for i, literal in enumerate(listed))
    changed = {}
    for quad in scratch:
        written = listed[int(quad.subject.value.rsplit(":", 1)[1])]
        if quad.object != written:
            changed[written] = quad.object
    return changed


def as_stored(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples with each literal as an Oxigraph store gives it back."""
    listed = list(triples)
    changed = changed_forms({t.object for t in listed if isinstance(t.object, ox.Literal)})
    if not changed:
        return listed
    return [ox.Triple(t.subject, t.predicate, changed[t.object]) if t.object in changed else t for t in listed]
