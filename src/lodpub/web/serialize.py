"""Writing a description in one of the formats of the table.

Turtle, N-Triples and RDF/XML come from pyoxigraph's serializers (with our prefixes where the format has
them); JSON-LD from rdflib's, which writes a compact document with an `@context` of our prefixes, so that a
JSON client reads `schema:name` rather than full IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..formats import RdfFormat
from ..terms import rdflib_graph
from .context import names
from .describe import HYDRA

PREFIXED = ("turtle", "rdfxml")


def prefixes() -> dict[str, str]:
    return {**names().prefixes(), "hydra": HYDRA}


def serialize(triples: Iterable[ox.Triple], fmt: RdfFormat) -> bytes:
    if fmt.key == "jsonld":
        graph = rdflib_graph(triples)
        context = dict(sorted(prefixes().items()))
        return graph.serialize(format="json-ld", context=context, indent=1).encode("utf-8")
    return ox.serialize(list(triples), format=fmt.oxigraph,
                        prefixes=dict(sorted(prefixes().items())) if fmt.key in PREFIXED else None)
