"""The dataset: its VoID + DCAT description (`/dataset`, `/.well-known/void`) and its dumps (`/dumps/<name>`).

The build writes the description into the named graph `{base}dataset` (and `dist/void.ttl`), and the dumps
into `dist/dumps/`. Dumps are sent as files: media type from the formats table, Content-Length, ETag and
Last-Modified, byte ranges.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from flask import Blueprint, abort, render_template, send_file

from ..formats import rdf_format
from ..vocab import DCAT, DCTERMS, IANA_MEDIA, RDFS, SD, SPDX, VOID
from .context import names, settings
from .documents import serve_graph
from .embed import jsonld
from .graph import Index
from .view import View, best_literal

blueprint = Blueprint("dataset", __name__)
DUMP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+){1,2}$")



@blueprint.route("/dataset")
@blueprint.route("/dataset.<extension>")
@blueprint.route("/.well-known/void")
def dataset(extension: str | None = None):
    return serve_graph(names().dataset, "/dataset", extension, render_dataset)


def render_dataset(triples: list[ox.Triple]) -> str:
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
    graphs = []
    for subset in index.objects(ds, VOID + "subset"):
        graphs.append({"graph": subset, "triples": index.value(subset, VOID + "triples"),
                       "source": index.value(subset, DCTERMS + "source"),
                       "label": best_literal(index, subset, (RDFS + "label",))})
    graphs.sort(key=lambda g: str(g["graph"]))
    skip = (DCAT + "distribution", VOID + "dataDump", VOID + "subset", VOID + "classPartition",
            VOID + "propertyPartition")
    partitions = _partitions(index, ds, "classPartition", "class", "entities")
    properties = _partitions(index, ds, "propertyPartition", "property", "triples")
    return render_template(
        "dataset.html", view=view, ds=ds, rows=view.rows(ds, skip=skip), distributions=distributions,
        graphs=graphs, partitions=partitions, properties=properties, jsonld=jsonld(index.triples, ds.value),
        title=best_literal(index, ds, (DCTERMS + "title", RDFS + "label")) or settings().title,
        description=best_literal(index, ds, (DCTERMS + "description",)), sd=SD)


@blueprint.route("/dumps/<path:name>")
def dump(name: str):
    """One dump file of the build; nothing outside `dist/dumps` is ever reachable."""
    if not DUMP_NAME.match(name):
        abort(404, "no such dump: dump names are like lodpub.ttl or lodpub.nt.gz")
    folder = settings().dumps_dir.resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        abort(404, f"no dump named {name}")
    stem, _, extension = name.removesuffix(".gz").rpartition(".")
    try:
        media_type = "application/gzip" if name.endswith(".gz") else rdf_format(extension).media_type
    except KeyError:
        abort(404, f"no dump named {name}")
    response = send_file(path, mimetype=media_type, conditional=True, etag=True, max_age=None,
                         download_name=name, as_attachment=False)
    if name.endswith(".gz"):
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _partitions(index, ds, link: str, term: str, count: str) -> list[tuple]:
    """VoID partitions as (class or property, count), largest first."""
    found = []
    for part in index.objects(ds, VOID + link):
        key, n = index.value(part, VOID + term), index.value(part, VOID + count)
        if key is not None and n is not None:
            found.append((key, int(n.value)))
    return sorted(found, key=lambda p: (-p[1], p[0].value))
