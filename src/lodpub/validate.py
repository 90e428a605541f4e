"""Checking inputs before anything is published: SHACL (pyshacl) over the documents' graphs.

The documents are validated together, so that a link to a person described in another document still
satisfies `sh:class`; each problem is then told against the file that describes its focus node.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pyoxigraph as ox
import pyshacl
import rdflib

from .report import Problem
from .terms import rdflib_graph
from .vocab import SH, XSD

SH_NS = rdflib.Namespace(SH)
NAMESPACE = ox.NamedNode(SH + "namespace")


def resolve_shape_namespaces(triples: list[ox.Triple], base: str) -> list[ox.Triple]:
    """`sh:namespace` must be a literal, which Turtle cannot resolve: resolve relative ones against the base."""
    out = []
    for t in triples:
        if t.predicate == NAMESPACE and isinstance(t.object, ox.Literal) and ":" not in t.object.value:
            t = ox.Triple(t.subject, t.predicate, ox.Literal(base + t.object.value,
                                                             datatype=ox.NamedNode(XSD + "anyURI")))
        out.append(t)
    return out


class Validator:
    """SHACL validation against one shapes graph, parsed once."""

    def __init__(self, shapes: Iterable[ox.Triple]) -> None:
        self.shapes = rdflib_graph(shapes)
        # A property shape is usually a blank node: name it by the node shape that holds it, and its path.
        self.shape_names: dict[str, str] = {}
        for holder, prop in self.shapes.subject_objects(SH_NS.property):
            path = self.shapes.value(prop, SH_NS.path)
            self.shape_names[_show(prop)] = f"{_show(holder)} (property {_show(path)})"

    def check(self, triples: Iterable[ox.Triple], files: dict[str, str] | None = None) -> list[Problem]:
        """Problems of one graph; `files` tells which file describes a focus node (by its N-Triples form)."""
        data = rdflib_graph(triples)
        conforms, results, _ = pyshacl.validate(data, shacl_graph=self.shapes, inference="none",
                                                advanced=True, allow_warnings=True)
        if conforms:
            return []
        found = [dataclasses.replace(p, shape=self.shape_names.get(p.shape, p.shape))
                 for p in _problems(results, files or {})]
        return sorted(found, key=lambda p: (p.file or "", p.focus or "", p.path or "", p.message))


def _problems(results: rdflib.Graph, files: dict[str, str]) -> Iterable[Problem]:
    for result in results.subjects(rdflib.RDF.type, SH_NS.ValidationResult):
        def one(prop, result=result):
            value = results.value(result, prop)
            return None if value is None else _show(value)
        severity = results.value(result, SH_NS.resultSeverity)
        messages = sorted(str(m) for m in results.objects(result, SH_NS.resultMessage))
        focus = results.value(result, SH_NS.focusNode)
        yield Problem(
            message="; ".join(messages) or f"violates {one(SH_NS.sourceConstraintComponent)}",
            file=files.get(focus.n3()) if focus is not None else None,
            focus=one(SH_NS.focusNode),
            path=one(SH_NS.resultPath),
            value=one(SH_NS.value),
            shape=one(SH_NS.sourceShape),
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        )


def _show(term) -> str:
    if isinstance(term, rdflib.Literal):
        return term.n3()
    if isinstance(term, rdflib.BNode):
        return "_:" + str(term)
    return str(term)
