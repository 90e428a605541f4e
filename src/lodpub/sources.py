"""Finding and reading the build's inputs: source documents (text + Turtle), the ontology, the shapes.

A source document is a pair under the data folder: `<slug>.txt` (the exact text) and `<slug>.ttl` (what it
says, as RDF with IRIs relative to the base). Each becomes its own named graph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .anchoring import anchor
from .evidence import from_annotations
from .literals import as_stored, changed_forms
from .locate import excerpt
from .report import InputError, Problem
from .vocab import SCHEMA, Names

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEXT = ox.NamedNode(SCHEMA + "text")
IN_LANGUAGE = ox.NamedNode(SCHEMA + "inLanguage")


@dataclass(frozen=True)
class Source:
    """One input file set that becomes one named graph."""

    slug: str
    graph: str                # the named graph's IRI
    turtle: tuple[Path, ...]  # Turtle files parsed into the graph
    text: Path | None = None  # the document's exact text, for source documents

    def digest(self) -> str:
        """A fingerprint of the inputs, for telling whether a source changed since the last build."""
        h = hashlib.sha256()
        for path in (*self.turtle, *([self.text] if self.text else [])):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        return h.hexdigest()


def discover_documents(data_dir: Path, names: Names) -> list[Source]:
    """Every `<slug>.ttl` under the data folder, with its `<slug>.txt` when there is one."""
    if not data_dir.is_dir():
        raise InputError([Problem(f"data folder {data_dir} does not exist", file=str(data_dir))])
    problems = []
    sources = []
    for ttl in sorted(data_dir.glob("*.ttl")):
        slug = ttl.stem
        if not SLUG.match(slug):
            problems.append(Problem(f"file name {ttl.name!r} is not a slug (lowercase letters, digits, "
                                    "hyphens): it names the document's IRI", file=str(ttl)))
            continue
        text = ttl.with_suffix(".txt")
        sources.append(Source(slug, names.graph(slug), (ttl,), text if text.exists() else None))
    for txt in sorted(data_dir.glob("*.txt")):
        if not txt.with_suffix(".ttl").exists():
            problems.append(Problem(f"{txt.name} has no {txt.stem}.ttl beside it: a source text needs the "
                                    "Turtle that says what it reports", file=str(txt)))
    if problems:
        raise InputError(problems)
    if not sources:
        raise InputError([Problem(f"no source documents (*.ttl) in {data_dir}", file=str(data_dir))])
    return sources


def folder_source(folder: Path, slug: str, graph: str) -> Source:
    """The ontology or the shapes: every Turtle file of a folder, into one graph."""
    files = tuple(sorted(folder.glob("*.ttl")))
    if not files:
        raise InputError([Problem(f"no Turtle files in {folder}", file=str(folder))])
    return Source(slug, graph, files)


def read_text(path: Path) -> str:
    """The exact text: no newline translation, since span offsets count its code points."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError as error:
        raise InputError([Problem(f"not UTF-8 at byte {error.start}: {error.reason}", file=str(path))]) from None


def parse_turtle(path: Path, base: str, bnode_prefix: str) -> list[ox.Triple]:
    """Parse one Turtle file, naming its blank nodes by order of appearance so that builds are repeatable, and
    writing each literal as the store will give it back (so that what is served equals what is dumped)."""
    labels: dict[str, ox.BlankNode] = {}
    literals: set[ox.Literal] = set()

    def stable(term):
        if isinstance(term, ox.BlankNode):
            node = labels.get(term.value)
            if node is None:
                node = labels[term.value] = ox.BlankNode(f"{bnode_prefix}b{len(labels)}")
            return node
        if isinstance(term, ox.Literal):
            literals.add(term)
        return term

    try:
        triples = [ox.Triple(stable(t.subject), t.predicate, stable(t.object))
                   for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base)]
    except SyntaxError as error:
        message = _syntax_message(error)
        shown = excerpt(path, error.lineno, error.offset, getattr(error, "end_lineno", None),
                        getattr(error, "end_offset", None), expected="expected" in message)
        raise InputError([Problem(f"Turtle syntax error: {message}{shown}", file=str(path),
                                  line=error.lineno, column=error.offset, severity="Error")]) from None
    except OSError as error:
        raise InputError([Problem(f"cannot read: {error}", file=str(path))]) from None
    changed = changed_forms(literals)     # the literals the store would give back in another form
    if not changed:
        return triples
    return [ox.Triple(t.subject, t.predicate, changed[o]) if (o := t.object) in changed else t for t in triples]


def _syntax_message(error: SyntaxError) -> str:
    message = str(error.msg if hasattr(error, "msg") else error)
    return message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message


def bnode_prefix(source: Source, path: Path) -> str:
    """Blank node labels unique to one file: a blank node in one file is never the same as one in another."""
    name = source.slug if path.stem == source.slug else f"{source.slug}-{path.stem}"
    return re.sub(r"[^A-Za-z0-9]", "_", name) + "_"


def read_source(source: Source, names: Names) -> list[ox.Triple]:
    """All triples of a source, with the document's text attached to the document resource."""
    triples: list[ox.Triple] = []
    for path in source.turtle:
        found = parse_turtle(path, names.base, bnode_prefix(source, path))
        if source.text is not None:
            anchored = anchor(found, read_text, names.document(source.slug), names, source.slug, path,
                              source.text, bnode_prefix(source, path))
            if anchored is not found:     # minted selectors: their offsets in the form the store gives back
                anchored = as_stored(anchored)
            found = anchored
        triples.extend(from_annotations(found, names, source.slug))
    if source.text is not None:
        triples.append(*as_stored([_text_triple(source, names, triples)]))
    return triples


def _text_triple(source: Source, names: Names, triples: Iterable[ox.Triple]) -> ox.Triple:
    document = ox.NamedNode(names.document(source.slug))
    language = None
    for t in triples:
        if t.subject == document and t.predicate == TEXT:
            raise InputError([Problem(f"{source.turtle[0].name} gives schema:text for {document.value}; the "
                                      f"text comes from {source.text.name} alone", file=str(source.turtle[0]))])
        if t.subject == document and t.predicate == IN_LANGUAGE and isinstance(t.object, ox.Literal):
            language = t.object.value
    if not any(t.subject == document for t in triples):
        raise InputError([Problem(f"{source.turtle[0].name} says nothing about {document.value}, the document "
                                  f"whose text is {source.text.name}", file=str(source.turtle[0]))])
    return ox.Triple(document, TEXT, ox.Literal(read_text(source.text), language=language))


def quads(triples: Iterable[ox.Triple], graph: str) -> Iterator[ox.Quad]:
    name = ox.NamedNode(graph)
    return (ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
