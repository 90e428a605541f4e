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
from collections.abc import Iterable
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from .vocab import DCAT, DCTERMS, RDF, RDFS, VOID, XSD, Names

SPDX = "http://spdx.org/rdf/terms#"
RDFC = "https://www.w3.org/TR/rdf-canon/"
BUILDS_PATH = "builds/"
DIGEST_COMMENT = ("SHA-256 of the lines '<graph IRI> <hex RDFC-1.0 hash of the graph>', one per named graph, "
                  "sorted, each ending with a line feed: the content hash in the version's name")


def canonical_lines(quads) -> list[bytes]:
    """The RDFC-1.0 canonical N-Quads lines of the quads given (any blank node labels), sorted."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True))


def _split(lines: Iterable[bytes]) -> tuple[list[bytes], list[bytes]]:
    """Lines without a blank node, and lines that may have one (`_:` anywhere, in a literal too)."""
    plain, blank = [], []
    for line in lines:
        (blank if b"_:" in line else plain).append(line)
    return plain, blank


def _canonical(lines: list[bytes]) -> list[bytes]:
    """Canonical lines of N-Quads lines written by pyoxigraph: only those with blank nodes are canonicalized.

    RDFC-1.0 labels blank nodes from the quads that mention them alone, and writes every other quad as it is:
    so the lines without one are already canonical, and the rest are given to pyoxigraph by themselves."""
    plain, blank = _split(lines)
    if blank:
        plain.extend(canonical_lines(ox.parse(b"".join(blank), format=ox.RdfFormat.N_QUADS)))
    return sorted(set(plain))


def graph_hash(quads_file: Path) -> tuple[str, bool]:
    """The RDFC-1.0 hash of one graph's triples (its name left out), from its N-Quads file as the build's cache
    writes it; and whether it has blank nodes."""
    lines = [_without_graph(line) for line in quads_file.read_bytes().splitlines(keepends=True)]
    canonical = _canonical(lines)
    return hashlib.sha256(b"".join(canonical)).hexdigest(), any(b"_:" in line for line in lines)


def dataset_hash(graph_files: list[Path], blank: bool) -> str:
    """The RDFC-1.0 hash of the whole (every graph's quads, as the N-Quads dump holds them: equal blank node
    labels in two files are one node there too). Without blank nodes, the graphs' sorted files merged."""
    digest = hashlib.sha256()
    with ExitStack() as stack:
        if blank:
            plain, with_blank = [], []
            for f in graph_files:
                p, b = _split(open(f, "rb"))
                plain.append(p)
                with_blank.extend(b)
            streams = [*plain, canonical_lines(ox.parse(b"".join(with_blank), format=ox.RdfFormat.N_QUADS))]
        else:
            streams = [stack.enter_context(open(f, "rb")) for f in graph_files]
        for line in heapq.merge(*streams):
            digest.update(line)
    return digest.hexdigest()


def _without_graph(line: bytes) -> bytes:
    """An N-Quads line of a named graph without its graph (an IRI, the last term on the line)."""
    return line[:line.rindex(b" <")] + b" .\n"


def graphs_digest(graph_hashes: dict[str, str]) -> str:
    """The content hash of a build: SHA-256 of one line `<graph IRI> <its RDFC-1.0 hash>` per named graph, sorted.
    It changes with any graph, costs nothing once the graphs are hashed, and anyone can compute it from a dump."""
    lines = sorted(f"<{g}> {h}\n" for g, h in graph_hashes.items())
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def version_name(built: datetime, content: str) -> str:
    """A build's version: when it was made (UTC, to the second) and the start of its content hash."""
    return f"{built.strftime('%Y%m%dT%H%M%SZ')}-{content[:12]}"


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

    def checksum(subject, value: str, label: str, comment: str | None = None) -> None:
        node = ox.BlankNode(f"rdfc_{label}")
        add(subject, SPDX + "checksum", node)
        add(node, RDF + "type", ox.NamedNode(SPDX + "Checksum"))
        add(node, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(node, SPDX + "checksumValue", ox.Literal(value, datatype=ox.NamedNode(XSD + "hexBinary")))
        if comment is None:
            add(node, DCTERMS + "conformsTo", ox.NamedNode(RDFC))
        else:
            add(node, RDFS + "comment", ox.Literal(comment, language="en"))

    def hashes(subject, rdfc: dict, label: str) -> None:
        if rdfc.get("dataset"):
            checksum(subject, rdfc["dataset"], label)
        if rdfc.get("digest"):
            checksum(subject, rdfc["digest"], f"{label}_graphs", DIGEST_COMMENT)

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
        hashes(node, manifest.get("rdfc", {}), f"version_{n}")
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
            if dump.get("sha256"):     # a dump kept as parts has none (lodpub.dumps)
                sha = ox.BlankNode(f"sha256_{n}_{dump['name'].replace('.', '_')}")
                add(dist, SPDX + "checksum", sha)
                add(sha, RDF + "type", ox.NamedNode(SPDX + "Checksum"))
                add(sha, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
                add(sha, SPDX + "checksumValue", ox.Literal(dump["sha256"],
                                                            datatype=ox.NamedNode(XSD + "hexBinary")))
        if version == current:
            add(dataset, DCAT + "hasCurrentVersion", node)
            add(dataset, DCAT + "version", ox.Literal(version))
            hashes(dataset, manifest.get("rdfc", {}), "dataset")
    return triples
