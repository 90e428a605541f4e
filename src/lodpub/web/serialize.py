"""Writing a description in one of the formats of the table.

Turtle, N-Triples and RDF/XML come from pyoxigraph's serializers (with our prefixes where the format has
them); JSON-LD compacted with the build's context (jsonld.py: our ontology's terms and the prefixes), written
into each document so that any processor reads it without fetching anything, the thing described first.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from ..formats import RdfFormat
from ..jsonld import CONTEXT_FILE, Compactor
from .context import names, settings
from .describe import HYDRA

PREFIXED = ("turtle", "rdfxml")


def prefixes() -> dict[str, str]:
    return {**names().prefixes(), "hydra": HYDRA}


def used(triples: list[ox.Triple], known: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of the triples is in, in order: a description declares those only."""
    iris = {term.value for t in triples for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    # Each IRI up to its last '/' or '#': a few dozen stems for thousands of IRIs. A namespace ending in one of
    # those is in use when a stem starts with it; any other namespace is looked for in every IRI.
    stems = {iri[:max(iri.rfind("/"), iri.rfind("#")) + 1] for iri in iris}
    return {p: ns for p, ns in sorted(known.items())
            if any(x.startswith(ns) for x in (stems if ns.endswith(("/", "#")) else iris))}


def compactor() -> Compactor:
    """The build's JSON-LD context, read once per process."""
    return _compactor(str(settings().dist_dir / CONTEXT_FILE))


@functools.lru_cache(maxsize=4)
def _compactor(path: str) -> Compactor:
    try:
        return Compactor(json.loads(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError:      # a build from before there was a context: the prefixes alone
        return Compactor({"@context": prefixes()})


def serialize(triples: Iterable[ox.Triple], fmt: RdfFormat, main: str | None = None) -> bytes:
    """The triples in the format; `main` is the IRI of the thing described, which JSON-LD writes first."""
    listed = list(triples)
    if fmt.key == "jsonld":
        return compactor().document(listed, main)
    return ox.serialize(listed, format=fmt.oxigraph, prefixes=used(listed, prefixes()) if fmt.key in PREFIXED else None)
