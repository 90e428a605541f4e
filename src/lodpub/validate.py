"""Checking inputs before anything is published: SHACL over each source document's graph.

The shapes in `shapes/` are the one definition of what valid means; two engines read them:
- `pyshacl-turbo` (the default): a Rust SHACL engine that passes pySHACL's own regression suite and the W3C
  suite. It validates a document of a few thousand triples in tens of milliseconds, where pyshacl takes
  seconds (and minutes when `sh:sparql` constraints run over a long text).
- `pyshacl`: the reference, used when turbo is not installed (Python 3.10) or when asked for
  (`LODPUB_SHACL_ENGINE=pyshacl`).

A document is validated with its context: the types and labels that other documents (and the ontology) give
the resources it mentions, so that a link to a person described elsewhere still satisfies `sh:class`. Context
resources are not validated here: only results whose focus node the document itself describes are kept (each
resource is validated, with its own context, in the documents that describe it).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from .report import Problem
from .terms import from_rdflib, rdflib_graph, to_rdflib
from .vocab import FOAF, RDF, RDFS, SCHEMA, SH, SKOS, XSD

SH_NS = rdflib.Namespace(SH)
NAMESPACE = ox.NamedNode(SH + "namespace")
ENGINES = ("turbo", "pyshacl")

# What a document may take from the rest of the dataset about a resource it mentions.
CONTEXT_PREDICATES = tuple(ox.NamedNode(p) for p in (
    RDF + "type", RDFS + "label", RDFS + "subClassOf", SCHEMA + "name", FOAF + "name", SKOS + "prefLabel"))


def resolve_shape_namespaces(triples: list[ox.Triple], base: str) -> list[ox.Triple]:
    """`sh:namespace` must be a literal, which Turtle cannot resolve: resolve relative ones against the base."""
    out = []
    for t in triples:
        if t.predicate == NAMESPACE and isinstance(t.object, ox.Literal) and ":" not in t.object.value:
            t = ox.Triple(t.subject, t.predicate, ox.Literal(base + t.object.value,
                                                             datatype=ox.NamedNode(XSD + "anyURI")))
        out.append(t)
    return out


def default_engine() -> str:
    wanted = os.environ.get("LODPUB_SHACL_ENGINE", "turbo")
    if wanted not in ENGINES:
        raise ValueError(f"LODPUB_SHACL_ENGINE={wanted!r} is not one of {', '.join(ENGINES)}")
    if wanted == "turbo":
        try:
            import pyshacl_turbo  # noqa: F401
        except ImportError:
            return "pyshacl"
    return wanted


class OxigraphQueryGraph(rdflib.Graph):
    """An rdflib graph whose SPARQL queries Oxigraph answers.

    pyshacl evaluates each SHACL-SPARQL constraint once per focus node. rdflib's engine orders a basic graph
    pattern without knowing that `$this` will be bound, so a constraint can cross-join every node of a class
    for every focus node (minutes on a 5,000-triple graph). Oxigraph answers the same query, with `$this`
    pre-bound by substitution (the SHACL semantics), in about a millisecond. Everything else pyshacl does
    (triples, len) stays on rdflib's fast in-memory store.
    """

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        super().__init__()
        self.engine = ox.Store()
        triples = list(triples)
        self.engine.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        for t in triples:
            self.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
        if not isinstance(query_object, str) or kwargs:
            return super().query(query_object, processor, result, initNs, initBindings, use_store_provided,
                                 **kwargs)
        answer = self.engine.query(
            query_object,
            prefixes={str(k): str(v) for k, v in (initNs or {}).items()},
            substitutions={ox.Variable(str(k)): from_rdflib(v) for k, v in (initBindings or {}).items()},
        )
        out = rdflib.query.Result("ASK" if isinstance(answer, ox.QueryBoolean) else "SELECT")
        if isinstance(answer, ox.QueryBoolean):
            out.askAnswer = bool(answer)
            return out
        if not isinstance(answer, ox.QuerySolutions):
            return super().query(query_object, processor, result, initNs, initBindings, use_store_provided)
        out.vars = [rdflib.Variable(v.value) for v in answer.variables]
        out.bindings = [{var: to_rdflib(term) for var, term in zip(out.vars, row, strict=True) if term is not None}
                        for row in answer]
        return out


class Validator:
    """SHACL validation against one shapes graph, compiled once."""

    def __init__(self, shapes: Iterable[ox.Triple], engine: str | None = None) -> None:
        shapes = list(shapes)
        self.engine = engine or default_engine()
        self.shapes = rdflib_graph(shapes)
        # A property shape is usually a blank node: name it by the node shape that holds it, and its path.
        self.shape_names: dict[str, str] = {}
        for holder, prop in self.shapes.subject_objects(SH_NS.property):
            path = self.shapes.value(prop, SH_NS.path)
            self.shape_names[_show(prop)] = f"{_show(holder)} (property {_path(self.shapes, path)})"
        self._compiled = None
        if self.engine == "turbo":
            import pyshacl_turbo

            # Handed over as N-Triples with its blank node labels kept, so that a result's sh:sourceShape
            # is the same blank node as in our shapes graph, and shape_names finds it.
            self._compiled = pyshacl_turbo.compile_shapes(_turbo_input(shapes), advanced=True)

    def check(self, triples: Iterable[ox.Triple], files: dict[str, str] | None = None) -> list[Problem]:
        """Problems of one graph, every focus node included; `files` tells which file describes a focus node
        (by its N-Triples form)."""
        return self._check(list(triples), files or {}, keep=None)

    def check_text(self, nt: bytes, subjects: set[str], file: str) -> list[Problem]:
        """Problems of one document validated with its context, from N-Triples (the document's lines, then its
        context's); only results on these subjects (N-Triples forms), the document's own, are kept."""
        if self._compiled is None:
            triples = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
            return self._check(triples, {s: file for s in subjects}, keep=subjects)
        from pyshacl_turbo.rdf import Input

        results = self._compiled.validate(Input(nt.decode("utf-8"), "nt", None, {}, preserve_ids=True))[1]
        return self._report(results, {s: file for s in subjects}, subjects)

    def _check(self, triples: list[ox.Triple], files: dict[str, str], keep: set[str] | None) -> list[Problem]:
        if self._compiled is not None:
            results = self._compiled.validate(_turbo_input(triples))[1]
        else:
            import pyshacl

            # `conforms` is not used: with allow_warnings, pyshacl conforms when there are only warnings.
            _, results, _ = pyshacl.validate(OxigraphQueryGraph(triples), shacl_graph=self.shapes, inference="none",
                                             advanced=True, allow_warnings=True, inplace=True)
        return self._report(results, files, keep)

    def _report(self, results: rdflib.Graph, files: dict[str, str], keep: set[str] | None) -> list[Problem]:
        found = [dataclasses.replace(p, shape=self.shape_names.get(p.shape, p.shape))
                 for key, p in _problems(results, files) if keep is None or key in keep]
        return sorted(found, key=lambda p: (p.file or "", p.focus or "", p.path or "", p.message))


def _turbo_input(triples: list[ox.Triple]):
    """N-Triples text in pyshacl-turbo's native input, which its Rust parser reads without going through rdflib
    (ten times faster than handing it an rdflib graph) and which keeps blank node labels."""
    from pyshacl_turbo.rdf import Input

    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return Input(text, "nt", None, {}, preserve_ids=True)


def _problems(results: rdflib.Graph, files: dict[str, str]) -> Iterable[tuple[str | None, Problem]]:
    """Each result, with its focus node's N-Triples form."""
    for result in results.subjects(rdflib.RDF.type, SH_NS.ValidationResult):
        def one(prop, result=result):
            value = results.value(result, prop)
            return None if value is None else _show(value)
        severity = results.value(result, SH_NS.resultSeverity)
        messages = sorted({str(m) for m in results.objects(result, SH_NS.resultMessage)})
        focus = results.value(result, SH_NS.focusNode)
        key = focus.n3() if focus is not None else None
        yield key, Problem(
            message="; ".join(messages) or f"violates {one(SH_NS.sourceConstraintComponent)}",
            file=files.get(key) if key is not None else None,
            focus=one(SH_NS.focusNode),
            path=_path(results, results.value(result, SH_NS.resultPath)),
            value=one(SH_NS.value),
            shape=one(SH_NS.sourceShape),
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        )


PATH_SUFFIXES = {SH_NS.zeroOrMorePath: "*", SH_NS.oneOrMorePath: "+", SH_NS.zeroOrOnePath: "?"}


def _path(graph: rdflib.Graph, path, nested: bool = False) -> str | None:
    """A SHACL path as a person reads it: an IRI, or SPARQL property path syntax for a complex one."""
    if path is None:
        return None
    if not isinstance(path, rdflib.BNode):
        return str(path)
    if (path, rdflib.RDF.first, None) in graph:
        steps = "/".join(_path(graph, step, True) or "?" for step in rdflib.collection.Collection(graph, path))
        return f"({steps})" if nested else steps
    if (inverse := graph.value(path, SH_NS.inversePath)) is not None:
        return f"^{_path(graph, inverse, True)}"
    if (alternatives := graph.value(path, SH_NS.alternativePath)) is not None:
        branches = rdflib.collection.Collection(graph, alternatives)
        options = "|".join(_path(graph, step, True) or "?" for step in branches)
        return f"({options})" if nested else options
    for predicate, suffix in PATH_SUFFIXES.items():
        if (inner := graph.value(path, predicate)) is not None:
            return f"{_path(graph, inner, True)}{suffix}"
    return _show(path)


def _show(term) -> str:
    if isinstance(term, rdflib.Literal):
        return term.n3()
    if isinstance(term, rdflib.BNode):
        return "_:" + str(term)
    return str(term)
