"""Turning RDF terms into what a page shows: labels in place of IRIs, links that work on this server.

Templates get a `View` over the triples of a description and ask it for labels, links and property rows.
Everything it returns is plain text; the templates escape it (Jinja autoescape), nothing is marked safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..vocab import OA, OWL, RDF, RDFS, XSD, transitive_closure
from .cache import cached
from .context import names
from .describe import LABEL_PROPERTIES, TYPE, graph_triples
from .graph import Index
from .links import local, safe_href

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SUBCLASS = RDFS + "subClassOf"
SUBPROPERTY = RDFS + "subPropertyOf"
IGNORED_SUPERS = {OWL + "Thing", RDFS + "Resource"}


@dataclass
class Vocabulary:
    """What the ontology graph tells a page: labels, comments, and the superclasses and superproperties of
    our terms (so that the standard types and properties the build added can be shown folded under ours)."""

    labels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    superclasses: dict[str, set[str]] = field(default_factory=dict)
    superproperties: dict[str, set[str]] = field(default_factory=dict)


def vocabulary() -> Vocabulary:
    return cached(("vocabulary",), _load_vocabulary)


def _load_vocabulary() -> Vocabulary:
    index = Index(graph_triples(names().ontology))
    vocab = Vocabulary()
    for s in {t.subject for t in index.triples if isinstance(t.subject, ox.NamedNode)}:
        label = best_literal(index, s, LABEL_PROPERTIES)
        if label:
            vocab.labels[s.value] = label
        comment = best_literal(index, s, (RDFS + "comment",))
        if comment:
            vocab.comments[s.value] = comment
    for predicate, target in ((SUBCLASS, vocab.superclasses), (SUBPROPERTY, vocab.superproperties)):
        direct: dict[str, set[str]] = {}
        for t in index.triples:
            if (t.predicate.value == predicate and isinstance(t.subject, ox.NamedNode)
                    and isinstance(t.object, ox.NamedNode) and t.object.value not in IGNORED_SUPERS):
                direct.setdefault(t.subject.value, set()).add(t.object.value)
        target.update(transitive_closure(direct))
    return vocab


def best_literal(index: Index, subject, properties) -> str | None:
    """The first property that has a literal: English first, then untagged, then any language."""
    for p in properties:
        literals = [o for o in index.objects(subject, p) if isinstance(o, ox.Literal)]
        if literals:
            for wanted in ("en", None):
                for lit in literals:
                    if (lit.language or None) == wanted or (wanted == "en" and (lit.language or "").startswith("en-")):
                        return lit.value
            return literals[0].value
    return None


def humanize(curie: str) -> str:
    """`schema:familyName` -> `family name`: a readable name for a term whose vocabulary we do not hold."""
    prefix, colon, name = curie.partition(":")
    if not colon or not name or "/" in name or not name.replace("_", "").isalnum():
        return curie
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ")
    return words if words[:1].isupper() and not words[1:2].islower() else words.lower()


@dataclass
class Row:
    predicate: ox.NamedNode
    values: list
    also: list[ox.NamedNode] = field(default_factory=list)   # superproperties stating the same values
    total: int = 0                 # how many values it has, when more than are shown
    all_query: str | None = None   # then: a SPARQL query that lists them all


def _same(values: list) -> tuple:
    """What a reader sees of a list of values: literals by their text (a label in English and a plain name
    are the same words), other terms as they are."""
    return tuple(sorted(v.value if isinstance(v, ox.Literal) else str(v) for v in values))


def _merge_equal(rows: list[Row]) -> list[Row]:
    """Rows that show the same values become one, the others named beside it (rdfs:label, schema:name and
    foaf:name of one name)."""
    kept: dict[tuple, Row] = {}
    for row in rows:
        seen = kept.get(_same(row.values))
        if seen is None:
            kept[_same(row.values)] = row
        else:
            seen.also.append(row.predicate)
    return list(kept.values())


class View:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.vocab = vocabulary()
        self.prefixes = sorted(names().prefixes().items(), key=lambda kv: -len(kv[1]))

    # --- terms ---------------------------------------------------------------------------------------
    def curie(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    def label(self, term) -> str:
        if isinstance(term, ox.Literal):
            return term.value
        if isinstance(term, ox.BlankNode):
            found = best_literal(self.index, term, LABEL_PROPERTIES) or self._phrase_or_exact(term)
            if found:
                return found
            types = self.types(term)
            return f"a {self.label(types[0])}" if types else "an unnamed node"
        found = best_literal(self.index, term, LABEL_PROPERTIES) or self.vocab.labels.get(term.value)
        if found:
            return found
        found = self._phrase_or_exact(term)
        if found:
            return found
        rest = local(term.value)
        if rest is not None and rest.startswith("id/"):
            return rest.rsplit("/", 1)[-1]
        return humanize(self.curie(term.value))

    def type_label(self, term) -> str:
        """A class's own label, else its prefixed name (three "Person"s would not tell foaf from schema)."""
        found = best_literal(self.index, term, LABEL_PROPERTIES) or self.vocab.labels.get(term.value)
        return found or self.curie(term.value)

    def _phrase_or_exact(self, term) -> str | None:
        phrase = best_literal(self.index, term, (names().lpo + "phrase",))
        if phrase:
            return phrase
        for selector in self.index.objects(term, OA + "hasSelector"):
            exact = self.index.value(selector, OA + "exact")
            if isinstance(exact, ox.Literal):
                return f"“{exact.value}”"
        return None

    def node(self, iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def kind_label(self, term) -> str | None:
        """What a thing is, in words: the label of its most specific type, the dataset's own classes first."""
        types = self.types(term)
        if not types:
            return None
        order = (names().lpo, "http://schema.org/", "http://xmlns.com/foaf/0.1/")
        best = min(types, key=lambda t: next((i for i, ns in enumerate(order) if t.value.startswith(ns)), 9))
        found = best_literal(self.index, best, LABEL_PROPERTIES) or self.vocab.labels.get(best.value)
        return found or humanize(self.curie(best.value)).lower()

    def short_label(self, term) -> str:
        """A concept's preferred label ("letter") where its label explains more ("letter (medium)")."""
        found = best_literal(self.index, term, (SKOS_PREF,)) if isinstance(term, ox.NamedNode) else None
        return found or self.label(term)

    def is_source(self, term) -> bool:
        return any(t.value == names().lpo + "SourceDocument" for t in self.index.objects(term, TYPE))

    def claimant_label(self, term) -> str:
        """Who makes a claim: a source document speaking in its own voice is called so."""
        return "the source text itself" if self.is_source(term) else self.label(term)

    def href(self, term) -> str | None:
        return safe_href(term.value) if isinstance(term, ox.NamedNode) else None

    def kind(self, term) -> str:
        if isinstance(term, ox.NamedNode):
            return "iri"
        if isinstance(term, ox.BlankNode):
            return "blank"
        return "literal"

    def datatype(self, literal: ox.Literal) -> str | None:
        if literal.language or literal.datatype is None:
            return None
        if literal.datatype.value in (XSD + "string", RDF + "langString"):
            return None
        return self.curie(literal.datatype.value)

    def is_external(self, term) -> bool:
        return isinstance(term, ox.NamedNode) and local(term.value) is None

    # --- a resource's triples ------------------------------------------------------------------------
    def types(self, subject) -> list[ox.NamedNode]:
        """Its most specific types: those the build added from our ontology's axioms are left out."""
        found = [t for t in self.index.objects(subject, TYPE) if isinstance(t, ox.NamedNode)]
        implied: set[str] = set()
        for t in found:
            implied |= self.vocab.superclasses.get(t.value, set())
        return sorted((t for t in found if t.value not in implied), key=lambda t: self.label(t).lower())

    def implied_types(self, subject) -> list[ox.NamedNode]:
        shown = set(self.types(subject))
        return sorted((t for t in self.index.objects(subject, TYPE) if isinstance(t, ox.NamedNode) and t not in shown),
                      key=lambda t: self.curie(t.value))

    def rows(self, subject, skip: tuple[str, ...] = (), limit: int | None = None,
             totals: dict[str, int] | None = None) -> list[Row]:
        """Its properties, labelled, with the values a superproperty repeats folded into the subproperty; at most
        `limit` values of each shown (a hub is supported by thousands of spans), with a query for the rest.
        `totals` counts the values of the properties the index holds one page of."""
        totals = totals or {}
        props = {p: list(values) for p, values in self.index.properties(subject).items()
                 if p != TYPE and p.value not in skip}
        rows: dict[ox.NamedNode, Row] = {
            p: Row(p, sorted(values, key=lambda v: (self.label(v).lower(), str(v)))) for p, values in props.items()}
        for p, values in props.items():
            for sup in sorted(self.vocab.superproperties.get(p.value, ())):
                row = rows.get(ox.NamedNode(sup))
                if row is None:
                    continue
                remaining = [v for v in row.values if v not in values]
                if len(remaining) < len(row.values):
                    rows[p].also.append(row.predicate)
                    row.values = remaining
        merged = _merge_equal(sorted((r for r in rows.values() if r.values),
                                     key=lambda r: (self.label(r.predicate).lower(), r.predicate.value)))
        for row in merged:
            total = max(len(row.values), totals.get(row.predicate.value, 0))
            if (limit is not None and total > limit) or total > len(row.values):
                row.total, row.values = total, row.values[:limit]
                row.all_query = f"SELECT ?value WHERE {{ {subject} {row.predicate} ?value }}"
        return merged

    def list_items(self, term) -> list | None:
        """The members, when a blank node is the head of an RDF collection (rdf:first / rdf:rest)."""
        if isinstance(term, ox.BlankNode) and self.index.value(term, RDF + "first") is not None:
            return self.index.rdf_list(term)
        return None

    def value(self, subject, predicate: str):
        return self.index.value(subject, predicate)
