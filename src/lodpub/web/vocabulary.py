"""The ontology (`/ontology`, hash terms `/ontology#Letter`) and the SHACL shapes (`/shapes`).

Each is a named graph of the build, served whole with content negotiation like any description; the HTML
pages document every class and property (label, comment, alignments, domain, range), and every shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, render_template

from ..vocab import DCTERMS, OWL, RDF, RDFS, SH, SKOS, VANN
from .context import names
from .documents import serve_graph
from .embed import jsonld
from .graph import Index
from .view import View, best_literal

blueprint = Blueprint("vocabulary", __name__)

TYPE = RDF + "type"
ALIGNMENTS = (RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "equivalentClass", OWL + "equivalentProperty",
              OWL + "inverseOf", OWL + "sameAs", SKOS + "exactMatch", SKOS + "closeMatch", SKOS + "broadMatch",
              SKOS + "narrowMatch", SKOS + "relatedMatch", SKOS + "broader", SKOS + "inScheme")
CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
PROPERTY_TYPES = {OWL + "ObjectProperty": "object property", OWL + "DatatypeProperty": "datatype property",
                  OWL + "AnnotationProperty": "annotation property", RDF + "Property": "property"}



@blueprint.route("/ontology")
@blueprint.route("/ontology.<extension>")
def ontology(extension: str | None = None):
    return serve_graph(names().ontology, "/ontology", extension, lambda whole: render_ontology(whole()))


@blueprint.route("/shapes")
@blueprint.route("/shapes.<extension>")
def shapes(extension: str | None = None):
    return serve_graph(names().shapes, "/shapes", extension, lambda whole: render_shapes(whole()))


@dataclass
class Term:
    iri: ox.NamedNode
    anchor: str
    kind: str
    label: str
    comment: str | None
    alignments: list[tuple[ox.NamedNode, list]] = field(default_factory=list)   # (property, class expressions)
    domain: list = field(default_factory=list)
    range: list = field(default_factory=list)
    other: list = field(default_factory=list)                                   # rows not shown above


def class_expression(index: Index, term) -> dict:
    """A class or a class expression (owl:unionOf / owl:intersectionOf of classes), for a page to show."""
    if isinstance(term, ox.BlankNode):
        for key, word in ((OWL + "unionOf", "or"), (OWL + "intersectionOf", "and")):
            members = index.value(term, key)
            if members is not None:
                return {"join": word, "members": [class_expression(index, m) for m in index.rdf_list(members)]}
    return {"term": term}


def render_ontology(triples: list[ox.Triple]) -> str:
    index = Index(triples)
    view = View(index)
    namespace = names().lpo
    onto = ox.NamedNode(names().ontology)
    terms: list[Term] = []
    shown = {TYPE, RDFS + "label", RDFS + "comment", RDFS + "domain", RDFS + "range", RDFS + "isDefinedBy",
             *ALIGNMENTS}
    for subject in sorted({t.subject for t in index.triples if isinstance(t.subject, ox.NamedNode)},
                          key=lambda s: s.value):
        if not subject.value.startswith(namespace):
            continue
        types = {t.value for t in index.objects(subject, TYPE)}
        if types & CLASS_TYPES:
            kind = "class"
        elif types & set(PROPERTY_TYPES):
            kind = next(PROPERTY_TYPES[t] for t in PROPERTY_TYPES if t in types)
        else:
            kind = "individual"
        term = Term(subject, subject.value[len(namespace):], kind, view.label(subject),
                    best_literal(index, subject, (RDFS + "comment", SKOS + "definition")))
        for p in ALIGNMENTS:
            values = index.objects(subject, p)
            if values:
                term.alignments.append((ox.NamedNode(p), [class_expression(index, v) for v in values]))
        term.domain = [class_expression(index, v) for v in index.objects(subject, RDFS + "domain")]
        term.range = [class_expression(index, v) for v in index.objects(subject, RDFS + "range")]
        term.other = view.rows(subject, skip=tuple(shown))
        terms.append(term)
    groups = [(title, [t for t in terms if pick(t)]) for title, pick in (
        ("Classes", lambda t: t.kind == "class"),
        ("Object properties", lambda t: t.kind == "object property"),
        ("Datatype properties", lambda t: t.kind in ("datatype property", "annotation property", "property")),
        ("Individuals", lambda t: t.kind == "individual"))]
    return render_template(
        "ontology.html", view=view, onto=onto, groups=[g for g in groups if g[1]],
        jsonld=jsonld(index.triples, onto.value),
        title=best_literal(index, onto, (DCTERMS + "title", RDFS + "label")) or "Ontology",
        description=best_literal(index, onto, (DCTERMS + "description", RDFS + "comment")),
        rows=view.rows(onto, skip=(DCTERMS + "title", DCTERMS + "description", RDFS + "label")),
        prefix=best_literal(index, onto, (VANN + "preferredNamespacePrefix",)), namespace=namespace)


@dataclass
class Shape:
    node: ox.NamedNode | ox.BlankNode
    anchor: str | None
    label: str
    targets: list[tuple[ox.NamedNode, list]]
    constraints: list                          # rows of the node shape's own constraints
    properties: list[dict]


def path_text(view: View, index: Index, path, depth: int = 0) -> str:
    """A SHACL property path in SPARQL's path syntax, with prefixed names."""
    if isinstance(path, ox.NamedNode):
        return view.curie(path.value)
    if not isinstance(path, ox.BlankNode) or depth > 8:
        return "?"
    members = index.rdf_list(path) if index.value(path, RDF + "first") is not None else None
    if members:
        return " / ".join(path_text(view, index, m, depth + 1) for m in members)
    for key, form in ((SH + "inversePath", "^{}"), (SH + "zeroOrMorePath", "({})*"),
                      (SH + "oneOrMorePath", "({})+"), (SH + "zeroOrOnePath", "({})?")):
        inner = index.value(path, key)
        if inner is not None:
            return form.format(path_text(view, index, inner, depth + 1))
    alternatives = index.value(path, SH + "alternativePath")
    if alternatives is not None:
        return "(" + " | ".join(path_text(view, index, m, depth + 1) for m in index.rdf_list(alternatives)) + ")"
    return "?"


def render_shapes(triples: list[ox.Triple]) -> str:
    index = Index(triples)
    view = View(index)
    shapes_iri = ox.NamedNode(names().shapes)
    node_shapes = set(index.subjects(TYPE, SH + "NodeShape"))
    for key in (SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf"):
        node_shapes |= set(index.subjects(key))
    targets_keys = (SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf", SH + "targetObjectsOf")
    found = []
    prefix = names().shapes + "#"
    for node in sorted(node_shapes, key=lambda n: str(n)):
        props = []
        for prop in index.objects(node, SH + "property"):
            path = index.value(prop, SH + "path")
            props.append({"node": prop, "path": path_text(view, index, path) if path is not None else "?",
                          "path_term": path if isinstance(path, ox.NamedNode) else None,
                          "rows": view.rows(prop, skip=(SH + "path",))})
        props.sort(key=lambda p: p["path"])
        anchor = node.value[len(prefix):] if isinstance(node, ox.NamedNode) and node.value.startswith(prefix) else None
        found.append(Shape(node, anchor, view.label(node),
                           [(ox.NamedNode(k), index.objects(node, k)) for k in targets_keys if index.objects(node, k)],
                           view.rows(node, skip=(TYPE, SH + "property", *targets_keys)), props))
    return render_template(
        "shapes.html", view=view, shapes_iri=shapes_iri, shapes=found, jsonld=jsonld(index.triples, shapes_iri.value),
        title=best_literal(index, shapes_iri, (DCTERMS + "title", RDFS + "label")) or "Shapes",
        description=best_literal(index, shapes_iri, (RDFS + "comment", DCTERMS + "description")),
        rows=view.rows(shapes_iri, skip=(DCTERMS + "title", RDFS + "label", RDFS + "comment", SH + "declare")))
