"""Dumps of the built dataset, and its VoID + DCAT description.

Dumps are streamed from the build's per-graph files, never held whole in memory:
- N-Quads is the graphs' sorted N-Quads files, concatenated in the order of their names;
- N-Triples is the union of the graphs: their segments (each line once, in the segment of the first graph
  that holds it: see segments.py), concatenated in the same order;
- Turtle and RDF/XML are pieces, one per segment, between a head and a tail; TriG and JSON-LD (compacted, one
  @graph per named graph) likewise, one piece per graph. Pieces are kept in the cache beside their files, so a
  rebuild writes only those of what changed, and concatenates.
Blank nodes are already named by the order they appear in the inputs, and the gzipped copies carry no
timestamp: two builds of the same inputs are byte-identical.

A dump of at least `parts_from` bytes is not written whole: its parts (head, pieces, tail) are linked into a
folder beside where it would be (dist.py), and the server sends them as one file. A rebuild then writes only
the pieces of what changed, where writing the dump again would read and write all of it. Such a dump has no
checksum in the description: a checksum would have to read it all.
"""

from __future__ import annotations

import hashlib
import io
import logging
import multiprocessing
import os
import shutil
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from .dist import PARTS
from .evidence import EVIDENCE, rdf12_lines
from .formats import RDF_FORMATS, RdfFormat, rdf_format
from .jsonld import Compactor
from .segments import Segments, gz_member, triple_line, write_atomically
from .vocab import DCAT, DCTERMS, IANA_MEDIA, PROV, RDF, RDFS, SCHEMA, SD, SPDX, VOID, XSD, Names

log = logging.getLogger("lodpub")
DUMP_NAME = "lodpub"
TYPE = ox.NamedNode(RDF + "type")
CHUNK = 1 << 20
PARALLEL_FROM = 50_000_000  # bytes of N-Quads from which dumps are written in one process per core


@dataclass(frozen=True)
class Distribution:
    path: Path
    fmt: RdfFormat
    gzipped: bool
    byte_size: int
    sha256: str | None      # None for a dump kept as parts

    @property
    def media_type(self) -> str:
        return "application/gzip" if self.gzipped else self.fmt.media_type


@dataclass
class Statistics:
    """What VoID says of the union of the graphs: counts that add up over its segments, and distinct terms."""

    triples: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    entities: int = 0
    classes: Counter = field(default_factory=Counter)
    properties: Counter = field(default_factory=Counter)
    graphs: dict[str, int] = field(default_factory=dict)


def write_dumps(graph_files: list[Path], segment_files: list[Path], out_dir: Path, prefixes: dict[str, str],
                work_dir: Path, progress: bool = False, context: dict | None = None,
                parts_from: int | None = None) -> list[Distribution]:
    """Every format of the table, plain and gzipped, from the graphs' sorted N-Quads files and the union's
    segments (both in dump order: see segments.py).

    N-Quads and N-Triples are concatenations of those files, and their gzipped copies concatenations of the
    files' gzip members, so no line is parsed, sorted or compressed again for them. The other formats are
    written piece by piece (`PIECES`): each segment or graph serialized once, kept beside its file with its
    gzip member, and the pieces concatenated between a head and a tail; a rebuild serializes only the pieces
    of what changed. Pieces are written in one process per core when the dataset is big enough to be worth
    it. JSON-LD is compacted with `context` (jsonld.py), one `@graph` per named graph."""
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    prefixes = dict(sorted(prefixes.items()))
    context = context or {"@context": prefixes}
    paths = {fmt.key: out_dir / f"{DUMP_NAME}.{fmt.extension}" for fmt in RDF_FORMATS}
    bar = tqdm(total=len(RDF_FORMATS), desc="   dumps", unit="format", disable=not progress, dynamic_ncols=True)
    written: dict[str, list[tuple]] = {}
    sources = {"graphs": graph_files, "segments": segment_files}
    for key, files in (("nquads", graph_files), ("ntriples", segment_files)):
        written[key] = _concatenate(files, paths[key], parts_from)
        bar.update(1)
    tag = hashlib.sha256(repr((prefixes, context, PIECES_VERSION)).encode("utf-8")).hexdigest()[:12]
    cores = os.cpu_count() or 1
    jobs = [(key, [str(f) for f in sources[source][i::cores]], prefixes, context, tag)
            for key, source in PIECES.items() for i in range(cores)]
    pieces: dict[str, dict[str, str]] = {key: {} for key in PIECES}
    if written["nquads"][0][2] > PARALLEL_FROM and cores > 1:
        with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_pieces, jobs))
    else:
        results = [_pieces(job) for job in jobs]
    for job, result in zip(jobs, results, strict=True):
        pieces[job[0]].update(zip(job[1], result, strict=True))
    for key, source in PIECES.items():
        head, separator, tail = _frame(key, prefixes, context, work_dir, tag)
        listed = [Path(pieces[key][str(f)]) for f in sources[source]]
        listed = [piece for piece in listed if piece.stat().st_size]
        between = [part for i, piece in enumerate(listed)
                   for part in ([separator, piece] if i and separator.stat().st_size else [piece])]
        written[key] = _concatenate([head, *between, tail], paths[key], parts_from)
        bar.update(1)
    bar.close()
    return [Distribution(Path(path), fmt, gzipped, size, sha) for fmt in RDF_FORMATS
            for path, gzipped, size, sha in written[fmt.key]] + write_rdf12_trig(
        graph_files, out_dir / f"{DUMP_NAME}-rdf12.trig", prefixes["lpo"] + EVIDENCE, work_dir, parts_from)


# The RDF 1.2 dump: not in the formats table (nothing negotiates it), served as TriG from /dumps/.
TRIG_12 = RdfFormat("trig12", "TriG 1.2 (evidence as RDF 1.2 reifiers)", "application/trig", "trig",
                    ox.RdfFormat.TRIG, "trig", (), datasets=True)


def write_rdf12_trig(graph_files: list[Path], out: Path, evidence_class: str, work_dir: Path,
                     parts_from: int | None = None) -> list[Distribution]:
    """The dataset as TriG 1.2, from the graphs' sorted N-Quads files: the same quads, except that each evidence
    resource (an RDF 1.1 reification) is the reifier of the triple it supports, written as an annotation on it
    (`s p o ~ r {| ... |} .`).

    pyoxigraph and Oxigraph 0.5 read it (tested); RDF 1.1 tools (rdflib, pySHACL, rapper) do not, and read the
    other dumps, which carry the same evidence as reification. Written like the other formats, one piece per
    graph kept beside its file; a graph without evidence is copied as it is, its graph term cut from the end of
    each line (an N-Quads line without its graph is a TriG statement); only graphs with evidence are parsed."""
    tag = hashlib.sha256(repr((evidence_class, PIECES_VERSION)).encode("utf-8")).hexdigest()[:12]
    head = work_dir / f"head-{tag}.rdf12.trig"
    write_atomically(head, b"# lodpub dataset in TriG 1.2: evidence for a relation is the reifier of its triple.\n")
    pieces = [_rdf12_piece(path, evidence_class, tag) for path in graph_files]
    written = _concatenate([head, *(piece for piece in pieces if piece.stat().st_size)], out, parts_from)
    return [Distribution(Path(path), TRIG_12, gzipped, size, sha) for path, gzipped, size, sha in written]


def _rdf12_piece(path: Path, evidence_class: str, tag: str) -> Path:
    piece = path.with_name(f"{path.name}.{tag}.rdf12.trig")
    if not piece.exists():
        marker = f"<{evidence_class}>".encode()
        data = path.read_bytes()
        body = b""
        if data:
            first = data[:data.index(b"\n") + 1]
            graph = first[first.rindex(b" <") + 1:].removesuffix(b"\n").removesuffix(b".").rstrip()
            if marker in data:
                lines = data.splitlines(keepends=True)
                # One quad per line, in order: the cached N-Quads files have no blank or comment lines.
                quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
                plain = [triple_line(line).decode("utf-8") for line in lines]
                statements = "".join(rdf12_lines(quads, evidence_class, plain)).encode("utf-8")
            else:
                statements = data.replace(b" " + graph + b" .\n", b" .\n")
            body = graph + b" {\n" + statements + b"}\n"
        write_atomically(piece, body)
    gz_member(piece)
    return piece


def segment_statistics(segment_files: list[Path]) -> Statistics:
    """What VoID says of the union that adds up over its segments (triples, properties, classes)."""
    stats = Statistics()
    for path in segment_files:
        counts = Segments.counts(path)
        stats.triples += counts["triples"]
        stats.properties.update(counts["properties"])
        stats.classes.update(counts["classes"])
    return stats


# The formats written piece by piece, and what their pieces are made from: the union's segments (one piece per
# segment) or the graphs' N-Quads files (one per graph). A piece is the format's text without its head and tail.
PIECES = {"turtle": "segments", "trig": "graphs", "rdfxml": "segments", "jsonld": "graphs"}
PIECES_VERSION = 2    # part of every piece's name: a change to how pieces are written makes them anew
READ_AS = {"segments": ox.RdfFormat.N_TRIPLES, "graphs": ox.RdfFormat.N_QUADS}
XML_ROOT, XML_END = b"<rdf:RDF", b"</rdf:RDF>"


def _pieces(job) -> list[str]:
    """The pieces of one format for some of its sources (one job of a process pool: plain values only)."""
    key, sources, prefixes, context, tag = job
    return [str(_piece(Path(source), key, prefixes, context, tag)) for source in sources]


def _piece(source: Path, key: str, prefixes: dict[str, str], context: dict, tag: str) -> Path:
    """A segment's or graph's piece of a format, beside its source, with its gzip member; `tag` names the
    prefixes and context it was written with."""
    fmt = rdf_format(key)
    out = source.with_name(f"{source.name}.{tag}.{fmt.extension}")
    if not out.exists():
        quads = ox.parse(path=source, format=READ_AS[PIECES[key]], lenient=True)
        if key == "jsonld":
            sink = io.BytesIO()
            Compactor(context).write_graphs(quads, sink)
            body = sink.getvalue()
        else:
            body = _without_frame(ox.serialize(quads, format=fmt.oxigraph, prefixes=prefixes), key)
        write_atomically(out, body)
    gz_member(out)
    return out


def _without_frame(text: bytes, key: str) -> bytes:
    """A serialization without what every piece repeats: the prefixes, or RDF/XML's declaration and root."""
    if key == "rdfxml":
        start = text.index(b">", text.index(XML_ROOT)) + 1
        return text[start:text.rindex(XML_END)]
    body = text
    while body.startswith(b"@prefix "):
        body = body[body.index(b"\n") + 1:]
    return body


def _frame(key: str, prefixes: dict[str, str], context: dict, work_dir: Path, tag: str) -> tuple[Path, ...]:
    """The head, the separator between pieces and the tail of a format, as files (with gzip members)."""
    if key == "jsonld":
        compactor = Compactor(context)
        parts = (compactor.head(), compactor.SEPARATOR, compactor.TAIL)
    else:
        fmt = rdf_format(key)
        one = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> "
        one += b".\n" if PIECES[key] == "segments" else b"<http://example.org/g> .\n"
        text = ox.serialize(ox.parse(one, format=READ_AS[PIECES[key]]), format=fmt.oxigraph, prefixes=prefixes)
        body = _without_frame(text, key)
        start = text.index(body)
        parts = (text[:start], b"", text[start + len(body):] + (b"\n" if key == "rdfxml" else b""))
    files = tuple(work_dir / f"{name}-{tag}.{key}" for name in ("head", "separator", "tail"))
    for path, part in zip(files, parts, strict=True):
        write_atomically(path, part)
    return files


def _concatenate(files: list[Path], out: Path, parts_from: int | None = None) -> list[tuple]:
    """The files one after the other, and their gzip members likewise: (path, gzipped, size, sha256) of both.
    From `parts_from` bytes, the files are linked as the dump's parts instead (no sha256)."""
    packed = [gz_member(f) for f in files]
    gz_out = out.with_name(out.name + ".gz")
    if parts_from is not None:
        sizes = [os.stat(f).st_size for f in files]
        if sum(sizes) >= parts_from:
            # An empty file is no part; its gzip member (a header) is, as it is in the file written whole.
            plain = [f for f, size in zip(files, sizes, strict=True) if size]
            return [(str(out), False, _link_parts(plain, out.with_name(out.name + PARTS)), None),
                    (str(gz_out), True, _link_parts(packed, gz_out.with_name(gz_out.name + PARTS)), None)]
    found = []
    for target, parts in ((out, files), (gz_out, packed)):
        digest = hashlib.sha256()
        with open(target, "wb") as sink:
            for path in parts:
                with open(path, "rb") as source:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        sink.write(chunk)
        found.append((str(target), target != out, target.stat().st_size, digest.hexdigest()))
    return found


def _link_parts(files: list[Path], folder: Path) -> int:
    """The files as a dump's parts, named in their order: hard links, so the build's folder keeps them whatever
    the cache forgets later (copies where the cache is on another file system). Their bytes in all."""
    folder.mkdir()
    size = copied = 0
    for i, path in enumerate(files):
        part = os.path.join(folder, f"{i:07d}")
        try:
            os.link(path, part)
        except OSError:      # another file system, or a file linked as often as the file system allows
            shutil.copyfile(path, part)
            copied += 1
        size += os.stat(part).st_size
    if copied:
        log.warning("%d of the %d parts of %s were copied, not linked (is the cache on another file system?): "
                    "a rebuild writes them again", copied, len(files), folder.name)
    return size


def _term(nt: str):
    """A class, from its N-Triples form (an IRI, or rarely a blank node)."""
    return ox.NamedNode(nt[1:-1]) if nt.startswith("<") else ox.BlankNode(nt[2:])


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

    for cls in (VOID + "Dataset", DCAT + "Dataset", SCHEMA + "Dataset"):
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
        if dist.sha256 is None:
            continue
        checksum = ox.BlankNode(f"checksum_{dist.path.name.replace('.', '_')}")
        add(node, SPDX + "checksum", checksum)
        add(checksum, RDF + "type", ox.NamedNode(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", lit(dist.sha256, XSD + "hexBinary"))
    add(dataset, RDFS + "seeAlso", ox.NamedNode(names.ontology))
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
