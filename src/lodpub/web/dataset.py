"""The dataset: its VoID + DCAT description (`/dataset`, `/.well-known/void`) and its dumps (`/dumps/<name>`).

The build writes the description into the named graph `{base}dataset` (and `dist/void.ttl`), and the dumps
into `dist/dumps/`. Dumps are sent as files: media type from the formats table, Content-Length, ETag and
Last-Modified, byte ranges; a dump kept as parts (dist.py) is sent the same way, its parts read as one file.
"""

from __future__ import annotations

import hashlib
import re

import pyoxigraph as ox
from flask import Blueprint, abort, render_template, request, send_file

from ..dist import PARTS, JoinedParts, dump_path
from ..formats import rdf_format
from ..jsonld import CONTEXT_FILE
from ..jsonld import MEDIA_TYPE as JSONLD_MEDIA_TYPE
from ..store import Solutions
from ..vocab import DCAT, DCTERMS, IANA_MEDIA, RDFS, SD, SPDX, VOID
from .context import names, settings
from .describe import construct, dataset_description, iri_ref, run, values
from .documents import serve_graph
from .embed import jsonld
from .graph import Index
from .view import View, best_literal

blueprint = Blueprint("dataset", __name__)
GZ = ".gz"
GZIP_MEDIA_TYPE = "application/gzip"
GENERIC_TYPES = ("application/xml", "text/xml", "application/json", "text/plain")
DUMP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+){1,2}$")



@blueprint.route("/dataset")
@blueprint.route("/dataset.<extension>")
@blueprint.route("/.well-known/void")
def dataset(extension: str | None = None):
    return serve_graph(names().dataset, "/dataset", extension, lambda whole: render_dataset())


def graphs_query(dataset: str) -> str:
    """The query a reader can run for every named graph of the dataset, when the page shows only the first."""
    return (f"PREFIX void: <{VOID}>\nSELECT ?graph ?triples WHERE {{\n  <{dataset}> void:subset ?graph\n"
            f"  OPTIONAL {{ ?graph void:triples ?triples }}\n}} ORDER BY ?graph")


def page_of_description(size: int) -> tuple[list[ox.Triple], int]:
    """What the dataset's page shows, and how many named graphs it has: the dataset, the blank nodes it
    reaches (partitions, checksums), its distributions, and the first `size` of its graphs by IRI. Not the
    whole description, which describes every document's graph."""
    ref = iri_ref(names().dataset)
    own = dataset_description(follow=(DCAT + "distribution",))
    if not own:
        abort(404, f"the build holds no graph {names().dataset}")
    found = run(f"SELECT ?g WHERE {{ GRAPH {ref} {{ {ref} void:subset ?g }} }}")
    assert isinstance(found, Solutions)
    subsets = sorted((row[0] for row in found.rows), key=str)
    first = [g for g in subsets[:size] if isinstance(g, ox.NamedNode)]
    if first:
        own += [ox.Triple(ox.NamedNode(names().dataset), ox.NamedNode(VOID + "subset"), g) for g in first]
        own += construct(f"CONSTRUCT {{ ?g ?p ?o }} WHERE {{ GRAPH {ref} {{ "
                         f"{values('?g', [g.value for g in first])} ?g ?p ?o }} }}")
    return own, len(subsets)


def render_dataset() -> str:
    triples, graphs_total = page_of_description(settings().page_size)
    index = Index(triples)
    view = View(index)
    ds = ox.NamedNode(names().dataset)
    distributions = []
    for node in index.objects(ds, DCAT + "distribution"):
        url = index.value(node, DCAT + "downloadURL")
        media = index.value(node, DCAT + "mediaType")
        size = index.value(node, DCAT + "byteSize")
        checksum = index.value(node, SPDX + "checksum")
        digest = index.value(checksum, SPDX + "checksumValue") if checksum is not None else None
        distributions.append({
            "title": best_literal(index, node, (DCTERMS + "title",)) or view.label(node),
            "url": view.href(url) if url is not None else None,
            "name": url.value.rsplit("/", 1)[-1] if url is not None else "",
            "media_type": media.value.removeprefix(IANA_MEDIA) if media is not None else "",
            "bytes": int(size.value) if isinstance(size, ox.Literal) else None,
            "sha256": digest.value if digest is not None else None,
            "anchor": node.value.partition("#")[2] if isinstance(node, ox.NamedNode) else None,
        })
    distributions.sort(key=lambda d: d["name"])
    # One page of the named graphs, by IRI: a large data set has one per document (the dataset's Turtle, and a
    # query, list them all).
    graphs = [{"graph": subset, "triples": index.value(subset, VOID + "triples"),
               "source": index.value(subset, DCTERMS + "source"),
               "label": best_literal(index, subset, (RDFS + "label",))}
              for subset in sorted(index.objects(ds, VOID + "subset"), key=str)]
    skip = (DCAT + "distribution", VOID + "dataDump", VOID + "subset", VOID + "classPartition",
            VOID + "propertyPartition")
    partitions = _partitions(index, ds, "classPartition", "class", "entities")
    properties = _partitions(index, ds, "propertyPartition", "property", "triples")
    return render_template(
        "dataset.html", view=view, ds=ds, rows=view.rows(ds, skip=skip), distributions=distributions,
        graphs=graphs, graphs_total=graphs_total, graphs_query=graphs_query(ds.value), partitions=partitions,
        properties=properties, jsonld=jsonld(index.triples, ds.value),
        title=best_literal(index, ds, (DCTERMS + "title", RDFS + "label")) or settings().title,
        description=best_literal(index, ds, (DCTERMS + "description",)), sd=SD)


@blueprint.route("/context.jsonld")
def jsonld_context():
    """The JSON-LD context of the dump and of every JSON-LD document (written into each of them as well)."""
    path = settings().dist_dir / CONTEXT_FILE
    if not path.is_file():
        abort(404, "this build has no JSON-LD context")
    return send_file(path, mimetype=JSONLD_MEDIA_TYPE, conditional=True, etag=True, max_age=None)


@blueprint.route("/dumps/<path:name>")
def dump(name: str):
    """One dump file of the build; nothing outside `dist/dumps` is ever reachable.

    Each dump is stored plain and gzipped. Whichever URL is asked, an RDF client gets the RDF, sent from the
    gzipped copy with `Content-Encoding: gzip` when it accepts gzip (HTTP libraries, browsers and RDF tools
    decode it as it comes), else plain. The `.gz` URL is the compressed file to download (`application/gzip`,
    an attachment, never decoded on the way) unless the client's Accept header asks for the dump's RDF
    format itself, as raptor's rapper does, rather than for anything at all (curl, wget, a browser)."""
    if not DUMP_NAME.match(name):
        abort(404, "no dump named like this: dump names are like lodpub.ttl or lodpub.nt.gz")
    folder = settings().dumps_dir.resolve()
    gz_url = name.endswith(GZ)
    try:
        fmt = rdf_format(name.removesuffix(GZ).rpartition(".")[2])
    except KeyError:
        abort(404, f"no dump named {name}")
    plain, packed = dump_path(folder, name.removesuffix(GZ)), dump_path(folder, name.removesuffix(GZ) + GZ)
    if (packed if gz_url else plain) is None:
        abort(404, f"no dump named {name}")
    if gz_url and not _asks_for(fmt):
        response = _send(packed, GZIP_MEDIA_TYPE, name, as_attachment=True)
    else:
        encode = request.accept_encodings["gzip"] > 0 and packed is not None
        response = _send(packed if encode else plain, fmt.media_type, name.removesuffix(GZ), as_attachment=False)
        if encode:
            response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if gz_url:
        response.vary.add("Accept")
    return response


def _send(path, media_type: str, download_name: str, as_attachment: bool):
    """A dump's file, or its parts read as one file (`path` as `dump_path` found it), with its length,
    validators and byte ranges."""
    if not path.name.endswith(PARTS):
        return send_file(path, mimetype=media_type, conditional=True, etag=True, max_age=None,
                         download_name=download_name, as_attachment=as_attachment)
    joined = JoinedParts(path)
    response = send_file(joined, mimetype=media_type, conditional=False, etag=False, max_age=None,
                         download_name=download_name, as_attachment=as_attachment)
    stat = path.stat()     # the folder is made once, by the build that owns it
    response.content_length = joined.size
    response.last_modified = stat.st_mtime
    response.set_etag(hashlib.sha256(f"{path}:{stat.st_mtime_ns}:{joined.size}".encode()).hexdigest()[:32])
    return response.make_conditional(request, accept_ranges=True, complete_length=joined.size)


def _asks_for(fmt) -> bool:
    """Whether the Accept header names the format (not through a wildcard or a generic XML, JSON or text
    type) above the gzip file."""
    accept = request.accept_mimetypes
    named = [q for value, q in accept if value in (fmt.media_type, *fmt.aliases) and value not in GENERIC_TYPES]
    return bool(named) and max(named) > accept.quality(GZIP_MEDIA_TYPE)


def _partitions(index, ds, link: str, term: str, count: str) -> list[tuple]:
    """VoID partitions as (class or property, count), largest first."""
    found = []
    for part in index.objects(ds, VOID + link):
        key, n = index.value(part, VOID + term), index.value(part, VOID + count)
        if key is not None and n is not None:
            found.append((key, int(n.value)))
    return sorted(found, key=lambda p: (-p[1], p[0].value))
