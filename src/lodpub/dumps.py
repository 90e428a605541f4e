"""Dumps of the built dataset, and its VoID + DCAT description.

Dumps are written from quads sorted in one canonical order, with blank nodes already named by the order
they appear in the inputs, and gzipped without a timestamp: two builds of the same inputs are byte-identical.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .formats import RDF_FORMATS, RdfFormat
from .vocab import DCAT, DCTERMS, PROV, RDF, RDFS, SD, VOID, XSD, Names

DUMP_NAME = "lodpub"
SPDX = "http://spdx.org/rdf/terms#"
IANA_MEDIA = "http://www.iana.org/assignments/media-types/"
TYPE = ox.NamedNode(RDF + "type")


@dataclass(frozen=True)
class Distribution:
    path: Path
    fmt: RdfFormat
    gzipped: bool
    byte_size: int
    sha256: str

    @property
    def media_type(self) -> str:
        return "application/gzip" if self.gzipped else self.fmt.media_type


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return sorted(set(quads), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The default graph of the dumps: every named graph merged, without repeats, in canonical order."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def write_dumps(quads: list[ox.Quad], out_dir: Path, prefixes: dict[str, str]) -> list[Distribution]:
    """Every format of the table, plain and gzipped. Graph formats get the union; dataset formats the quads."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ordered = canonical(quads)
    triples = union_triples(ordered)
    prefixes = dict(sorted(prefixes.items()))
    written = []
    for fmt in RDF_FORMATS:
        data = ox.serialize(ordered if fmt.datasets else triples, format=fmt.oxigraph,
                            prefixes=prefixes if fmt.key in ("turtle", "trig") else None)
        path = out_dir / f"{DUMP_NAME}.{fmt.extension}"
        written.append(_write(path, data, fmt, gzipped=False))
        written.append(_write(path.with_name(path.name + ".gz"), _gzip(data), fmt, gzipped=True))
    return written


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _write(path: Path, data: bytes, fmt: RdfFormat, gzipped: bool) -> Distribution:
    path.write_bytes(data)
    return Distribution(path, fmt, gzipped, len(data), hashlib.sha256(data).hexdigest())


def describe_dataset(names: Names, quads: list[ox.Quad], graphs: dict[str, str],
                     distributions: list[Distribution], title: str, license: str) -> list[ox.Triple]:
    """VoID + DCAT for the dataset: counts, partitions, named-graph subsets, and every distribution."""
    dataset = ox.NamedNode(names.dataset)
    triples: list[ox.Triple] = []

    def add(s, p, o):
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def lit(value, datatype=None):
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype) if datatype else None)

    def count(value):
        return lit(value, XSD + "integer")

    union = union_triples(quads)
    for cls in (VOID + "Dataset", DCAT + "Dataset"):
        add(dataset, RDF + "type", ox.NamedNode(cls))
    add(dataset, DCTERMS + "title", ox.Literal(title, language="en"))
    add(dataset, RDFS + "label", ox.Literal(title, language="en"))
    add(dataset, DCTERMS + "description", ox.Literal(
        "Who communicated what to whom, as reported in source documents; every fact is traced to the span "
        "of source text that supports it.", language="en"))
    add(dataset, DCTERMS + "license", ox.NamedNode(license))
    add(dataset, VOID + "sparqlEndpoint", ox.NamedNode(names.sparql))
    add(dataset, VOID + "uriSpace", lit(names.base + "id/"))
    add(dataset, VOID + "vocabulary", ox.NamedNode(names.ontology))
    add(dataset, VOID + "triples", count(len(union)))
    add(dataset, VOID + "distinctSubjects", count(len({t.subject for t in union})))
    add(dataset, VOID + "distinctObjects", count(len({t.object for t in union})))
    add(dataset, VOID + "properties", count(len({t.predicate for t in union})))
    entities = {t.subject for t in union if isinstance(t.subject, ox.NamedNode)}
    add(dataset, VOID + "entities", count(len(entities)))

    classes = Counter(t.object for t in union if t.predicate == TYPE)
    add(dataset, VOID + "classes", count(len(classes)))
    for i, (cls, n) in enumerate(sorted(classes.items(), key=lambda kv: kv[0].value)):
        part = ox.BlankNode(f"class_partition_{i}")
        add(dataset, VOID + "classPartition", part)
        add(part, VOID + "class", cls)
        add(part, VOID + "entities", count(n))
    properties = Counter(t.predicate for t in union)
    for i, (prop, n) in enumerate(sorted(properties.items(), key=lambda kv: kv[0].value)):
        part = ox.BlankNode(f"property_partition_{i}")
        add(dataset, VOID + "propertyPartition", part)
        add(part, VOID + "property", prop)
        add(part, VOID + "triples", count(n))

    per_graph = Counter(q.graph_name.value for q in set(quads))
    for graph, source in sorted(graphs.items()):
        node = ox.NamedNode(graph)
        add(dataset, VOID + "subset", node)
        add(node, RDF + "type", ox.NamedNode(VOID + "Dataset"))
        add(node, RDF + "type", ox.NamedNode(SD + "NamedGraph"))
        add(node, SD + "name", node)
        add(node, RDFS + "label", ox.Literal(f"Named graph of {source.rsplit('/', 1)[-1]}", language="en"))
        add(node, VOID + "triples", count(per_graph.get(graph, 0)))
        add(node, PROV + "wasDerivedFrom", ox.NamedNode(source))
        add(node, DCTERMS + "source", ox.NamedNode(source))

    for dist in distributions:
        url = ox.NamedNode(f"{names.base}dumps/{dist.path.name}")
        node = ox.NamedNode(f"{names.dataset}#dump-{dist.path.name.replace('.', '-')}")
        add(dataset, DCAT + "distribution", node)
        add(dataset, VOID + "dataDump", url)
        add(node, RDF + "type", ox.NamedNode(DCAT + "Distribution"))
        label = dist.fmt.label + (" (gzip)" if dist.gzipped else "")
        add(node, DCTERMS + "title", ox.Literal(f"{label} dump", language="en"))
        add(node, DCAT + "downloadURL", url)
        add(node, DCAT + "accessURL", url)
        add(node, DCAT + "mediaType", ox.NamedNode(IANA_MEDIA + dist.media_type))
        if dist.gzipped:
            add(node, DCAT + "compressFormat", ox.NamedNode(IANA_MEDIA + "application/gzip"))
            add(node, DCAT + "packageFormat", ox.NamedNode(IANA_MEDIA + dist.fmt.media_type))
        add(node, DCTERMS + "format", lit(dist.fmt.media_type))
        add(node, DCAT + "byteSize", lit(dist.byte_size, XSD + "nonNegativeInteger"))
        add(node, DCTERMS + "license", ox.NamedNode(license))
        checksum = ox.BlankNode(f"checksum_{dist.path.name.replace('.', '_')}")
        add(node, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", ox.NamedNode(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", lit(dist.sha256, XSD + "hexBinary"))
    add(dataset, RDFS + "seeAlso", ox.NamedNode(names.ontology))
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
