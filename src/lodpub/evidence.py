"""Evidence per relation: which span of text supports one asserted triple.

An author annotates a triple in the document's Turtle with the RDF 1.2 annotation syntax:

    communication:x lpo:sender person:y {| lpo:supportedBy [ oa:exact "Y said that he sent" ] |} .

(or names the reifier: `... person:y ~ evidence:x-sender {| ... |}`). The parser gives a reifier with
`rdf:reifies <<( s p o )>>`. The published graph must load in every RDF 1.1 tool, so the build turns each
reifier into an `lpo:Evidence` resource, a standard RDF reification (`rdf:subject`, `rdf:predicate`,
`rdf:object`) of a triple the graph also asserts, with its own `lpo:supportedBy`. An author who prefers
RDF 1.1 Turtle writes that resource longhand. `rdf12_lines` turns it back into a reifier for the RDF 1.2 dump.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

from .vocab import RDF, RDFS, Names

__all__ = ["EVIDENCE", "from_annotations", "rdf12_lines"]

REIFIES = ox.NamedNode(RDF + "reifies")
TYPE = ox.NamedNode(RDF + "type")
STATEMENT = ox.NamedNode(RDF + "Statement")
SUBJECT = ox.NamedNode(RDF + "subject")
PREDICATE = ox.NamedNode(RDF + "predicate")
OBJECT = ox.NamedNode(RDF + "object")
LABEL = ox.NamedNode(RDFS + "label")
EVIDENCE = "Evidence"   # the class's local name in our ontology


def evidence_iri(names: Names, slug: str, triple: ox.Triple) -> ox.NamedNode:
    """A stable name for the evidence of one triple in one document: the same triple, the same IRI."""
    digest = hashlib.sha256(str(triple).encode("utf-8")).hexdigest()[:12]
    return ox.NamedNode(names.thing("evidence", f"{slug}-{digest}"))


def from_annotations(triples: list[ox.Triple], names: Names, slug: str) -> list[ox.Triple]:
    """The triples with every RDF 1.2 reifier rewritten as an RDF 1.1 `lpo:Evidence` resource."""
    reified = [t for t in triples if t.predicate == REIFIES]
    if not reified:
        return triples
    renamed: dict[ox.BlankNode, ox.NamedNode] = {}
    for t in reified:
        if isinstance(t.subject, ox.BlankNode) and isinstance(t.object, ox.Triple):
            renamed[t.subject] = evidence_iri(names, slug, t.object)
    labels = {t.subject: t.object.value for t in triples if t.predicate == LABEL and isinstance(t.object, ox.Literal)}
    evidence_class = ox.NamedNode(names.term(EVIDENCE))
    out: list[ox.Triple] = []
    seen: set[ox.Triple] = set()

    def add(t: ox.Triple) -> None:
        if t not in seen:
            seen.add(t)
            out.append(t)

    def rename(term):
        return renamed.get(term, term) if isinstance(term, ox.BlankNode) else term

    for t in triples:
        if t.predicate == REIFIES and isinstance(t.object, ox.Triple):
            node, (s, p, o) = rename(t.subject), (t.object.subject, t.object.predicate, t.object.object)
            add(ox.Triple(node, TYPE, evidence_class))
            add(ox.Triple(node, TYPE, STATEMENT))
            add(ox.Triple(node, SUBJECT, s))
            add(ox.Triple(node, PREDICATE, p))
            add(ox.Triple(node, OBJECT, o))
            if node not in labels:
                labels[node] = f"evidence: {_name(s, labels)} · {_local(p)} · {_name(o, labels)}"
                add(ox.Triple(node, LABEL, ox.Literal(labels[node], language="en")))
        else:
            add(ox.Triple(rename(t.subject), t.predicate, rename(t.object)))
    return out


def _local(iri: ox.NamedNode) -> str:
    return iri.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _name(term, labels: dict) -> str:
    if term in labels:
        return labels[term]
    if isinstance(term, ox.NamedNode):
        return _local(term)
    return term.value if isinstance(term, ox.Literal) else str(term)


def rdf12_lines(quads: Iterable[ox.Quad], evidence_class: str, plain: list[str] | None = None) -> Iterable[str]:
    """One graph's quads as TriG 1.2 statements: each evidence resource becomes the reifier of the triple it
    is evidence for, written as an annotation on that triple (`s p o ~ r {| ... |} .`). `plain`, when given,
    holds each quad's statement already written (its N-Triples line), used as it is where nothing changes."""
    quads = list(quads)
    evidence_type = ox.NamedNode(evidence_class)
    by_subject: dict = {}
    for q in quads:
        by_subject.setdefault(q.subject, []).append(q)
    reifiers = {q.subject for q in quads if q.predicate == TYPE and q.object == evidence_type}
    parts: dict = {}
    for r in reifiers:
        found = {q.predicate: q.object for q in by_subject[r] if q.predicate in (SUBJECT, PREDICATE, OBJECT)}
        if len(found) == 3:
            parts[r] = ox.Triple(found[SUBJECT], found[PREDICATE], found[OBJECT])
    annotations: dict[ox.Triple, list] = {}
    for r, triple in sorted(parts.items(), key=lambda item: str(item[0])):
        annotations.setdefault(triple, []).append(r)
    asserted = {q.triple for q in quads}

    def body(r) -> str:
        kept = [q for q in by_subject[r] if q.predicate not in (SUBJECT, PREDICATE, OBJECT)
                and not (q.predicate == TYPE and q.object == STATEMENT)]
        return " ; ".join(f"{q.predicate} {q.object}" for q in kept)

    for i, q in enumerate(quads):
        if q.subject in parts:
            continue
        t = q.triple
        if plain is not None and t not in annotations:
            yield plain[i]
            continue
        notes = "".join(f" ~ {r} {{| {body(r)} |}}" for r in annotations.get(t, ()))
        yield f"{t.subject} {t.predicate} {t.object}{notes} .\n"
    for r, triple in parts.items():
        if triple not in asserted:   # the shapes forbid this; kept readable rather than lost
            yield f"<< {triple.subject} {triple.predicate} {triple.object} ~ {r} >> {body(r)} .\n"
