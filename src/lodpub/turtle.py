"""Turtle for people to read: the described thing first, prefixed names, blank nodes nested as `[ ]`.

pyoxigraph's writer keeps the order it is given and labels every blank node (`_:b0`); rdflib's nests blank
nodes but orders subjects by its own rule. A description is small, so this writer groups it by subject and
lays it out the same way whatever order the store gave: the focus first, then the other named subjects by IRI,
each with `a` and its label first, then its predicates by prefixed name, objects sorted; a blank node used once
as an object is written inside `[ ]` where it is used; integers and booleans in their short forms. Literals are
quoted by pyoxigraph (escaping stays its business); an IRI becomes a prefixed name only when its local part is
plainly valid in Turtle, else it stays in `< >`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from .vocab import RDF, RDFS, XSD

__all__ = ["dataset_prefixes", "write"]

TYPE = RDF + "type"
FIRST = {TYPE: 0, RDFS + "label": 1}
XSD_STRING = XSD + "string"
# A conservative subset of Turtle's PN_LOCAL: no escapes, no '%', no ':' and no trailing '.'.
LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
INDENT = "    "
# Literals Turtle writes bare when the lexical form is canonical enough to read back as the same value.
BARE = {XSD + "integer": re.compile(r"[+-]?[0-9]+"), XSD + "boolean": re.compile(r"true|false")}


def dataset_prefixes(base: str, iris: Iterable[str], taken: Iterable[str]) -> dict[str, str]:
    """A prefix per kind of thing among the IRIs (`person:` for `{base}id/person/`), as the data's own
    Turtle files declare them; a kind whose name is a prefix already taken gets `-id` after it."""
    taken = set(taken)
    root = base + "id/"
    found: dict[str, str] = {}
    for iri in iris:
        if iri.startswith(root):
            kind, slash, _ = iri[len(root):].partition("/")
            if slash and LOCAL.fullmatch(kind) and "." not in kind:
                found.setdefault(kind if kind not in taken else f"{kind}-id", f"{root}{kind}/")
    return dict(sorted(found.items()))


def write(triples: Iterable[ox.Triple], prefixes: dict[str, str], focus: str | None = None) -> bytes:
    """The triples as Turtle, declaring only the prefixes used."""
    listed = list(triples)
    if any(isinstance(term, ox.Triple) for t in listed for term in (t.subject, t.object)):
        # RDF 1.2 triple terms: leave them to pyoxigraph's writer.
        return ox.serialize(listed, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return _Writer(listed, prefixes, focus).text().encode("utf-8")


class _Writer:
    def __init__(self, triples: list[ox.Triple], prefixes: dict[str, str], focus: str | None) -> None:
        self.by_subject: dict[ox.NamedNode | ox.BlankNode, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        uses: dict[ox.BlankNode, int] = defaultdict(int)
        seen: set[ox.Triple] = set()
        for t in triples:
            if t in seen:
                continue
            seen.add(t)
            self.by_subject[t.subject][t.predicate.value].append(t.object)
            if isinstance(t.object, ox.BlankNode):
                uses[t.object] += 1
        # Longest namespace first, so that `person:` wins over a shorter namespace that also matches.
        self.namespaces = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        self.used: set[str] = set()
        self.names: dict[str, tuple[str, str | None]] = {}
        self.nested = {node for node in self.by_subject if isinstance(node, ox.BlankNode) and uses[node] == 1}
        self.labelled: set[ox.BlankNode] = set()
        self.written: set = set()
        self.focus = ox.NamedNode(focus) if focus else None

    def text(self) -> str:
        subjects = sorted(self.by_subject, key=lambda node: (isinstance(node, ox.BlankNode), node.value))
        if self.focus in self.by_subject:
            subjects.remove(self.focus)
            subjects.insert(0, self.focus)
        named = [s for s in subjects if isinstance(s, ox.NamedNode)]
        blank = [s for s in subjects if isinstance(s, ox.BlankNode) and s not in self.nested]
        blocks = [self.statement(s) for s in (*named, *blank)]
        # Blank nodes used once, but only from one another in a cycle: give one a label to start from.
        for node in subjects:
            if node not in self.written:
                self.labelled.add(node)
                blocks.append(self.statement(node))
        head = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.namespaces) if p in self.used)
        return head + ("\n" if head else "") + "\n\n".join(blocks) + ("\n" if blocks else "")

    def statement(self, subject) -> str:
        self.written.add(subject)
        return f"{self.term(subject)} {self.predicates(subject, INDENT)} ."

    def predicates(self, subject, indent: str) -> str:
        properties = self.by_subject[subject]
        order = sorted(properties, key=lambda p: (FIRST.get(p, 2), self.iri(p)))
        parts = []
        for predicate in order:
            verb = "a" if predicate == TYPE else self.iri(predicate)
            # Sorted as written, so that a description reads the same whatever order the store gave it.
            objects = ", ".join(sorted(self.object(o, indent) for o in properties[predicate]))
            parts.append(f"{verb} {objects}")
        return f" ;\n{indent}".join(parts)

    def object(self, node, indent: str) -> str:
        if isinstance(node, ox.BlankNode) and node in self.nested and node not in self.labelled \
                and node not in self.written:
            self.written.add(node)
            inner = indent + INDENT
            return f"[\n{inner}{self.predicates(node, inner)}\n{indent}]"
        return self.term(node)

    def term(self, node) -> str:
        if isinstance(node, ox.NamedNode):
            return self.iri(node.value)
        if isinstance(node, ox.BlankNode):
            return str(node)
        if isinstance(node, ox.Literal):
            text = str(ox.Literal(node.value))
            if node.language:
                return f"{text}@{node.language}"
            if node.datatype.value == XSD_STRING:
                return text
            bare = BARE.get(node.datatype.value)
            if bare and bare.fullmatch(node.value):
                return node.value
            return f"{text}^^{self.iri(node.datatype.value)}"
        return str(node)

    def iri(self, value: str) -> str:
        known = self.names.get(value)
        if known is None:
            known = self.names[value] = self.name(value)
        if known[1]:
            self.used.add(known[1])
        return known[0]

    def name(self, value: str) -> tuple[str, str | None]:
        """The IRI's prefixed name and its prefix, or the IRI in `< >` and None."""
        for prefix, namespace in self.namespaces:
            if value.startswith(namespace):
                local = value[len(namespace):]
                if local == "" or LOCAL.fullmatch(local):
                    return f"{prefix}:{local}", prefix
        return f"<{value}>", None
