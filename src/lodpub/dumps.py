"""Dumps of the built dataset, and its VoID + DCAT description.

Dumps are streamed from the build's per-graph files, never held whole in memory:
- N-Quads is the graphs' sorted N-Quads files, concatenated in the order of their names;
- N-Triples is the union of the graphs: every line without its graph, sorted and without repeats (an external
  merge sort, in runs of bounded size);
- Turtle, JSON-LD and RDF/XML are streamed from that N-Triples file, TriG from the N-Quads file.
Blank nodes are already named by the order they appear in the inputs, and the gzipped copies carry no
timestamp: two builds of the same inputs are byte-identical.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import multiprocessing
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from .formats import RDF_FORMATS, RdfFormat
from .vocab import DCAT, DCTERMS, PROV, RDF, RDFS, SD, VOID, XSD, Names

DUMP_NAME = "lodpub"
SPDX = "http://spdx.org/rdf/terms#"
IANA_MEDIA = "http://www.iana.org/assignments/media-types/"
TYPE = ox.NamedNode(RDF + "type")
RUN_LINES = 2_000_000      # lines sorted in memory at once by the external merge sort
GZIP_LEVEL = 6             # zlib's default: 9 costs twice the time for a few percent
CHUNK = 1 << 20
PARALLEL_FROM = 50_000_000  # bytes of N-Quads from which dumps are written in one process per core


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


@dataclass
class Statistics:
    """What VoID says of the union of the graphs, counted while the dumps stream by."""

    triples: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    entities: int = 0
    classes: Counter = field(default_factory=Counter)
    properties: Counter = field(default_factory=Counter)
    graphs: dict[str, int] = field(default_factory=dict)

    def count(self, triples: Iterable[ox.Triple]) -> Iterator[ox.Triple]:
        """Pass the union's triples through (sorted by subject, without repeats), counting them."""
        last = None
        for t in triples:
            self.triples += 1
            if t.subject != last:
                last = t.subject
                self.distinct_subjects += 1
                self.entities += isinstance(t.subject, ox.NamedNode)
            self.properties[t.predicate.value] += 1
            if t.predicate == TYPE:
                self.classes[str(t.object)] += 1
            yield t


def write_dumps(graph_files: list[Path], out_dir: Path, prefixes: dict[str, str], work_dir: Path,
                progress: bool = False, union: Path | None = None) -> tuple[list[Distribution], Statistics]:
    """Every format of the table, plain and gzipped, from the graphs' sorted N-Quads files (in dump order).

    Graph formats get the union of the graphs (`union`, if it was written already: see `write_union`);
    dataset formats the quads. The serializations and their compression run in one process per core when the
    dataset is big enough to be worth it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    prefixes = dict(sorted(prefixes.items()))
    paths = {fmt.key: out_dir / f"{DUMP_NAME}.{fmt.extension}" for fmt in RDF_FORMATS}
    bar = tqdm(total=len(RDF_FORMATS) + 1, desc="   dumps", unit="step", disable=not progress, dynamic_ncols=True)
    _concatenate(graph_files, paths["nquads"])
    if union is not None and union.exists():
        union.replace(paths["ntriples"])
    else:
        write_union(graph_files, paths["ntriples"], work_dir)
    bar.update(1)
    sources = {"turtle": "ntriples", "jsonld": "ntriples", "rdfxml": "ntriples", "trig": "nquads"}
    jobs = [(key, str(paths[key]), str(paths[sources[key]]) if key in sources else None,
             prefixes if key in ("turtle", "trig") else None) for key in
            ("turtle", "jsonld", "rdfxml", "trig", "nquads", "ntriples")]
    big = paths["nquads"].stat().st_size > PARALLEL_FROM and (os.cpu_count() or 1) > 1
    written: dict[str, tuple[list[tuple], Statistics | None]] = {}
    if big:
        with ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("spawn")) as pool:
            for key, result in zip([j[0] for j in jobs], pool.map(_dump_job, jobs), strict=True):
                written[key] = result
                bar.update(1)
    else:
        for job in jobs:
            written[job[0]] = _dump_job(job)
            bar.update(1)
    bar.close()
    stats = written["turtle"][1]
    return [Distribution(Path(path), fmt, gzipped, size, sha) for fmt in RDF_FORMATS
            for path, gzipped, size, sha in written[fmt.key][0]], stats


def _dump_job(job) -> tuple[list[tuple], Statistics | None]:
    """Serialize one format from its source file (if it is not the source itself), then gzip and hash it."""
    key, path, source, prefixes = job
    fmt = next(f for f in RDF_FORMATS if f.key == key)
    stats = None
    if source is not None:
        if source.endswith(".nt"):
            items = ox.parse(path=source, format=ox.RdfFormat.N_TRIPLES)
        else:
            items = ox.parse(path=source, format=ox.RdfFormat.N_QUADS)
        if key == "turtle":
            stats = Statistics()
            items = stats.count(items)
        ox.serialize(items, path, format=fmt.oxigraph, prefixes=prefixes)
    # Plain values only: what crosses a process boundary must pickle (pyoxigraph's formats do not).
    return [(str(d.path), d.gzipped, d.byte_size, d.sha256) for d in _finish(Path(path), fmt)], stats


def _concatenate(files: list[Path], out: Path) -> None:
    with open(out, "wb") as sink:
        for path in files:
            with open(path, "rb") as source:
                shutil.copyfileobj(source, sink, CHUNK)


def _triple_line(quad_line: bytes) -> bytes:
    """An N-Quads line of a named graph without its graph (an IRI, the last term on the line)."""
    return quad_line[:quad_line.rindex(b" <")] + b" .\n"


def _term(nt: str):
    """A class, from its N-Triples form (an IRI, or rarely a blank node)."""
    return ox.NamedNode(nt[1:-1]) if nt.startswith("<") else ox.BlankNode(nt[2:])


def write_union(files: list[Path], out: Path, work_dir: Path) -> None:
    """The union of the graphs as sorted N-Triples without repeats, in runs of at most RUN_LINES lines."""
    work_dir.mkdir(parents=True, exist_ok=True)
    runs: list[Path] = []
    lines: set[bytes] = set()

    def spill() -> None:
        run = work_dir / f"run-{len(runs)}.nt"
        run.write_bytes(b"".join(sorted(lines)))
        runs.append(run)
        lines.clear()

    for path in files:
        with open(path, "rb") as source:
            lines.update(_triple_line(line) for line in source)
        if len(lines) >= RUN_LINES:
            spill()
    if lines or not runs:
        spill()
    if len(runs) == 1:
        runs[0].replace(out)
        return
    handles = [open(run, "rb") for run in runs]
    try:
        with open(out, "wb") as sink:
            last = None
            for line in heapq.merge(*handles):
                if line != last:
                    sink.write(line)
                    last = line
    finally:
        for handle in handles:
            handle.close()
        for run in runs:
            run.unlink(missing_ok=True)


def _finish(path: Path, fmt: RdfFormat) -> list[Distribution]:
    """Hash the plain file, and write its gzipped copy (no name, no timestamp), in one pass."""
    plain = hashlib.sha256()
    gz_path = path.with_name(path.name + ".gz")
    with open(path, "rb") as source, open(gz_path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0) as sink:
            while chunk := source.read(CHUNK):
                plain.update(chunk)
                sink.write(chunk)
    packed = hashlib.sha256()
    with open(gz_path, "rb") as source:
        while chunk := source.read(CHUNK):
            packed.update(chunk)
    return [Distribution(path, fmt, False, path.stat().st_size, plain.hexdigest()),
            Distribution(gz_path, fmt, True, gz_path.stat().st_size, packed.hexdigest())]


def describe_dataset(names: Names, stats: Statistics, graphs: dict[str, str],
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
    add(dataset, VOID + "triples", count(stats.triples))
    add(dataset, VOID + "distinctSubjects", count(stats.distinct_subjects))
    add(dataset, VOID + "distinctObjects", count(stats.distinct_objects))
    add(dataset, VOID + "properties", count(len(stats.properties)))
    add(dataset, VOID + "entities", count(stats.entities))

    classes = stats.classes
    add(dataset, VOID + "classes", count(len(classes)))
    for i, (cls, n) in enumerate((_term(c), n) for c, n in sorted(classes.items())):
        part = ox.BlankNode(f"class_partition_{i}")
        add(dataset, VOID + "classPartition", part)
        add(part, VOID + "class", cls)
        add(part, VOID + "entities", count(n))
    properties = stats.properties
    for i, (prop, n) in enumerate((ox.NamedNode(p), n) for p, n in sorted(properties.items())):
        part = ox.BlankNode(f"property_partition_{i}")
        add(dataset, VOID + "propertyPartition", part)
        add(part, VOID + "property", prop)
        add(part, VOID + "triples", count(n))

    per_graph = stats.graphs
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
