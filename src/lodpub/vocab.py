"""The vocabularies lodpub speaks, and the prefixes used wherever RDF is written or queried."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

K = TypeVar("K")

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
DCTERMS = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"
VANN = "http://purl.org/vocab/vann/"
SPDX = "http://spdx.org/rdf/terms#"
IANA_MEDIA = "http://www.iana.org/assignments/media-types/"

STANDARD_PREFIXES: dict[str, str] = {
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "schema": SCHEMA,
    "prov": PROV, "foaf": FOAF, "org": ORG, "time": TIME, "dcterms": DCTERMS, "oa": OA,
    "void": VOID, "dcat": DCAT, "sd": SD, "sh": SH, "vann": VANN,
}


class Names:
    """The IRIs lodpub mints under a base: one place that knows the URI policy."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.ontology = base + "ontology"
        self.lpo = base + "ontology#"
        self.shapes = base + "shapes"
        self.dataset = base + "dataset"
        self.sparql = base + "sparql"

    def thing(self, kind: str, slug: str) -> str:
        return f"{self.base}id/{kind}/{slug}"

    def document(self, slug: str) -> str:
        return self.thing("document", slug)

    def graph(self, slug: str) -> str:
        return self.thing("graph", slug)

    def term(self, local: str) -> str:
        return self.lpo + local

    def prefixes(self) -> dict[str, str]:
        """Prefixes for writing and querying: the standard ones plus our ontology's."""
        return {**STANDARD_PREFIXES, "lpo": self.lpo}


def transitive_closure(direct: Mapping[K, set[K]]) -> dict[K, set[K]]:
    """Everything each key reaches through `direct` (a subclass or subproperty hierarchy), itself excluded."""
    closed: dict[K, set[K]] = {}
    for start in direct:
        found: set[K] = set()
        stack = list(direct[start])
        while stack:
            node = stack.pop()
            if node not in found and node != start:
                found.add(node)
                stack.extend(direct.get(node, ()))
        closed[start] = found
    return closed
