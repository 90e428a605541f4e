"""Writing a description in one of the formats of the table.

Turtle comes from lodpub.turtle (the described thing first, a prefix per kind of thing, blank nodes nested);
N-Triples and RDF/XML from pyoxigraph's serializers (with our prefixes where the format has them); JSON-LD
compacted with the build's context (jsonld.py: our ontology's terms and the prefixes), written into each
document so that any processor reads it without fetching anything, the thing described first.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .. import turtle
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


def serialize(triples: Iterable[ox.Triple], fmt: RdfFormat, focus: str | None = None) -> bytes:
    """The triples in the format; `focus`, the thing they describe, comes first where the format lets us."""
    listed = list(triples)
    if fmt.key == "turtle":
        known = prefixes()
        iris = {term.value for t in listed for term in (t.subject, t.object) if isinstance(term, ox.NamedNode)}
        return turtle.write(listed, {**known, **turtle.dataset_prefixes(names().base, iris, known)}, focus)
    if fmt.key == "jsonld":
        return compactor().document(listed, focus)
    return ox.serialize(listed, format=fmt.oxigraph, prefixes=used(listed, prefixes()) if fmt.key in PREFIXED else None)
