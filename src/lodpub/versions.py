"""What makes a build citable: its version, the RDFC-1.0 hashes of its graphs and of the whole, and the DCAT
description of the versions kept (each with its own dumps, under `{base}builds/<version>/`).

A hash here is the SHA-256 of the RDF Dataset Canonicalization (RDFC-1.0) of the data, serialized as canonical
N-Quads, one line per quad, in code point order: what anyone can compute from a dump with any RDFC-1.0
implementation.
- a named graph's hash is that of its triples as an RDF graph (the graph's name left out), so it can be checked
  against `CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <g> { ?s ?p ?o } }` as well as against the dump;
- the whole's hash is that of the N-Quads dump: every named graph of the data (not the shapes and not this
  description, which are published beside it).
"""

from __future__ import annotations

import hashlib
import heapq
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from .vocab import DCAT, DCTERMS, RDF, VOID, XSD, Names

SPDX = "http://spdx.org/rdf/terms#"
RDFC = "https://www.w3.org/TR/rdf-canon/"
BUILDS_PATH = "builds/"


def canonical_hash(quads) -> str:
    """SHA-256 of the RDFC-1.0 canonical N-Quads of the quads given (any blank node labels)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    return hashlib.sha256(b"".join(sorted(lines))).hexdigest()


def graph_hash(quads_file: Path) -> tuple[str, bool]:
    """The RDFC-1.0 hash of one graph's triples, from its sorted N-Quads file; and whether it has blank nodes.

    Without blank nodes the canonical form is the lines themselves (written by the same serializer), without
    the graph, in order: no canonicalization to run."""
    data = quads_file.read_bytes()
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    blank = any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads)
    triples = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    if blank:
        return canonical_hash(triples), True
    lines = ox.serialize(triples, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    return hashlib.sha256(b"".join(sorted(set(lines)))).hexdigest(), False


def dataset_hash(graph_files: list[Path], nquads_dump: Path, blank: bool) -> str:
    """The RDFC-1.0 hash of the whole: the graphs' sorted files merged when no graph has blank nodes, else
    the N-Quads dump (where equal labels in two graphs are one node, as in every store that loads it)
    canonicalized."""
    if blank:
        return canonical_hash(ox.parse(path=str(nquads_dump), format=ox.RdfFormat.N_QUADS))
    digest = hashlib.sha256()
    with ExitStack() as stack:
        handles = [stack.enter_context(open(f, "rb")) for f in graph_files]
        for line in heapq.merge(*handles):
            digest.update(line)
    return digest.hexdigest()


def version_name(built: datetime, whole: str) -> str:
    """A build's version: when it was made (UTC, to the second) and the start of its content hash."""
    return f"{built.strftime('%Y%m%dT%H%M%SZ')}-{whole[:12]}"


def version_iri(names: Names, version: str) -> str:
    return f"{names.base}{BUILDS_PATH}{version}/dataset"


def describe_versions(names: Names, current: str, versions: list[tuple[str, dict]],
                      graph_hashes: dict[str, str]) -> list[ox.Triple]:
    """DCAT 3 versions of the dataset: the kept builds (oldest first, as (version, manifest)), each a
    dcat:Dataset with its version, time, RDFC-1.0 hash and its own dumps; and the hash of each named graph."""
    dataset = ox.NamedNode(names.dataset)
    triples: list[ox.Triple] = []

    def add(s, p, o):
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def checksum(subject, value: str, label: str) -> None:
        node = ox.BlankNode(f"rdfc_{label}")
        add(subject, SPDX + "checksum", node)
        add(node, RDF + "type", ox.NamedNode(SPDX + "Checksum"))
        add(node, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(node, SPDX + "checksumValue", ox.Literal(value, datatype=ox.NamedNode(XSD + "hexBinary")))
        add(node, DCTERMS + "conformsTo", ox.NamedNode(RDFC))

    for i, (graph, value) in enumerate(sorted(graph_hashes.items())):
        checksum(ox.NamedNode(graph), value, f"graph_{i}")
    previous = None
    for n, (version, manifest) in enumerate(versions):
        node = ox.NamedNode(version_iri(names, version))
        add(dataset, DCAT + "hasVersion", node)
        add(node, RDF + "type", ox.NamedNode(DCAT + "Dataset"))
        add(node, DCTERMS + "isVersionOf", dataset)
        add(node, DCAT + "version", ox.Literal(version))
        add(node, DCTERMS + "issued", ox.Literal(manifest["built"], datatype=ox.NamedNode(XSD + "dateTime")))
        if previous is not None:
            add(node, DCAT + "previousVersion", previous)
        previous = node
        whole = manifest.get("rdfc", {}).get("dataset")
        if whole:
            checksum(node, whole, f"version_{n}")
        for dump in manifest.get("distributions", []):
            url = ox.NamedNode(f"{names.base}{BUILDS_PATH}{version}/dumps/{dump['name']}")
            dist = ox.NamedNode(f"{node.value}#dump-{dump['name'].replace('.', '-')}")
            add(node, DCAT + "distribution", dist)
            add(node, VOID + "dataDump", url)
            add(dist, RDF + "type", ox.NamedNode(DCAT + "Distribution"))
            add(dist, DCTERMS + "title", ox.Literal(f"{dump['title']} dump of version {version}", language="en"))
            add(dist, DCAT + "downloadURL", url)
            add(dist, DCAT + "accessURL", url)
            add(dist, DCAT + "mediaType", ox.NamedNode("http://www.iana.org/assignments/media-types/"
                                                       + dump["media_type"]))
            add(dist, DCAT + "byteSize", ox.Literal(str(dump["bytes"]),
                                                    datatype=ox.NamedNode(XSD + "nonNegativeInteger")))
            sha = ox.BlankNode(f"sha256_{n}_{dump['name'].replace('.', '_')}")
            add(dist, SPDX + "checksum", sha)
            add(sha, RDF + "type", ox.NamedNode(SPDX + "Checksum"))
            add(sha, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
            add(sha, SPDX + "checksumValue", ox.Literal(dump["sha256"], datatype=ox.NamedNode(XSD + "hexBinary")))
        if version == current:
            add(dataset, DCAT + "hasCurrentVersion", node)
            add(dataset, DCAT + "version", ox.Literal(version))
            if whole:
                checksum(dataset, whole, "dataset")
    return triples
