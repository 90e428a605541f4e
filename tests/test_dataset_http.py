"""Finding and downloading the dataset: VoID + DCAT at /dataset and /.well-known/void, and the dumps."""

from __future__ import annotations

import gzip
import hashlib

import pytest
import rdflib
import requests

from lodpub.formats import RDF_FORMATS

from .conftest import BASE, LiveServer
from .linkeddata import Page, get, media_type, parse

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
DATASET = rdflib.URIRef(BASE + "dataset")


@pytest.fixture(scope="module")
def void(server) -> rdflib.Graph:
    return parse(get(server.url + "dataset", "text/turtle"), "turtle")


@pytest.mark.parametrize("path", ["dataset", ".well-known/void"])
def test_the_dataset_is_described_with_void_and_dcat(server, path):
    graph = parse(get(server.url + path, "text/turtle"), "turtle")
    assert (DATASET, rdflib.RDF.type, VOID.Dataset) in graph
    assert (DATASET, rdflib.RDF.type, DCAT.Dataset) in graph
    assert graph.value(DATASET, VOID.triples) is not None
    assert graph.value(DATASET, VOID.sparqlEndpoint) is not None


def test_well_known_void_negotiates_like_the_dataset(server):
    response = get(server.url + ".well-known/void", "application/ld+json")
    assert response.status_code == 200
    assert media_type(response) == "application/ld+json"
    assert response.headers["Content-Location"] == "/dataset.jsonld"


INTEGER_SUBTYPES = {rdflib.XSD.nonNegativeInteger, rdflib.XSD.positiveInteger, rdflib.XSD.nonPositiveInteger,
                    rdflib.XSD.negativeInteger, rdflib.XSD.long, rdflib.XSD.int}


def integers_as_stored(graph: rdflib.Graph) -> rdflib.Graph:
    """Oxigraph's store keeps xsd:nonNegativeInteger and the other integer subtypes as xsd:integer (same value)."""
    out = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.datatype in INTEGER_SUBTYPES:
            o = rdflib.Literal(str(o), datatype=rdflib.XSD.integer)
        out.add((s, p, o))
    return out


def test_the_served_description_is_the_one_the_build_wrote(server, built, void):
    written = rdflib.Graph().parse(built.dist_dir / "void.ttl", format="turtle")
    assert len(written) == len(void)
    assert rdflib.compare.isomorphic(integers_as_stored(written), integers_as_stored(void))


def test_the_dataset_page_links_every_download(server, void):
    response = get(server.url + "dataset", "text/html")
    assert response.status_code == 200
    for url in void.objects(DATASET, VOID.dataDump):
        assert f'href="/{str(url)[len(BASE):]}"' in response.text


def test_the_dataset_page_lists_one_page_of_graphs_and_a_query_for_all(built):
    """A large data set has a named graph per document: the page lists the first, by IRI, and a query lists all."""
    live = LiveServer(built, env={"LODPUB_PAGE_SIZE": "1"})
    try:
        void = parse(get(live.url + "dataset", "text/turtle"), "turtle")
        graphs = sorted(str(g) for g in void.objects(DATASET, VOID.subset))
        assert len(graphs) > 1
        html = get(live.url + "dataset", "text/html").text
        page = Page(html)
        table = html[html.index("<h2>Named graphs</h2>"):]
        table = table[:table.index("</table>")]
        assert table.count("<tr><td>") == 1 and f'href="/{graphs[0][len(BASE):]}"' in table
        assert f"The first 1 of {len(graphs)} named graphs are shown" in page.text
        query = next(href for href, text in page.anchors if text == "this query")
        answer = requests.get(live.url + query.lstrip("/"), headers={"Accept": "application/sparql-results+json"},
                              timeout=30).json()
        assert [b["graph"]["value"] for b in answer["results"]["bindings"]] == graphs
    finally:
        live.stop()


def dumps(void: rdflib.Graph) -> list[tuple[str, rdflib.URIRef]]:
    found = [(str(url)[len(BASE):], dist) for dist in void.objects(DATASET, DCAT.distribution)
             for url in void.objects(dist, DCAT.downloadURL)]
    assert len(found) == 2 * len(RDF_FORMATS) + 2   # and the RDF 1.2 TriG dump, plain and gzipped
    return sorted(found)


def test_every_dump_downloads_with_its_media_type_size_and_checksum(server, void):
    """Byte for byte, as a client that takes no gzip transfer gets it (test_dump_clients covers gzip)."""
    for path, dist in dumps(void):
        response = get(server.url + path, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, path
        expected_type = "application/gzip" if path.endswith(".gz") else next(
            f.media_type for f in RDF_FORMATS if path.endswith("." + f.extension))
        assert media_type(response) == expected_type, path
        assert int(response.headers["Content-Length"]) == len(response.content) == int(void.value(dist, DCAT.byteSize))
        checksum = void.value(void.value(dist, SPDX.checksum), SPDX.checksumValue)
        assert hashlib.sha256(response.content).hexdigest() == str(checksum), path
        assert response.headers["ETag"] and response.headers["Last-Modified"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("fmt", [f for f in RDF_FORMATS if not f.datasets], ids=lambda f: f.key)
def test_a_dump_parses_to_the_stated_number_of_triples(server, void, fmt):
    body = gzip.decompress(get(f"{server.url}dumps/lodpub.{fmt.extension}.gz").content)
    if fmt.key == "jsonld":     # one @graph per named graph: their union
        dataset = rdflib.Dataset()
        dataset.parse(data=body, format=fmt.rdflib)
        graph = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    else:
        graph = rdflib.Graph().parse(data=body, format=fmt.rdflib)
    assert len(graph) == int(void.value(DATASET, VOID.triples))


def test_a_dump_answers_range_requests(server):
    """Ranges of the file as stored (a gzip transfer's ranges are of the gzipped bytes)."""
    plain = {"Accept-Encoding": "identity"}
    full = get(server.url + "dumps/lodpub.nt", headers=plain).content
    part = get(server.url + "dumps/lodpub.nt", headers={"Range": "bytes=10-109", **plain})
    assert part.status_code == 206
    assert part.content == full[10:110]
    assert part.headers["Content-Range"] == f"bytes 10-109/{len(full)}"
    assert part.headers.get("Accept-Ranges") == "bytes" or get(server.url + "dumps/lodpub.nt").headers.get(
        "Accept-Ranges") == "bytes"


def test_a_range_past_the_end_is_416(server):
    plain = {"Accept-Encoding": "identity"}
    size = len(get(server.url + "dumps/lodpub.nt", headers=plain).content)
    response = get(server.url + "dumps/lodpub.nt", headers={"Range": f"bytes={size + 10}-{size + 20}", **plain})
    assert response.status_code == 416


def test_a_dump_answers_304_to_its_etag(server):
    first = get(server.url + "dumps/lodpub.ttl")
    again = get(server.url + "dumps/lodpub.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_head_on_a_dump_gives_its_length(server):
    head = requests.head(server.url + "dumps/lodpub.ttl.gz", timeout=30)
    assert head.status_code == 200
    assert int(head.headers["Content-Length"]) == len(get(server.url + "dumps/lodpub.ttl.gz").content)


@pytest.mark.parametrize("path", ["dumps/../build.json", "dumps/..%2Fbuild.json", "dumps/%2e%2e/build.json",
                                  "dumps/../../etc/passwd", "dumps/..", "dumps/store/CURRENT",
                                  "dumps/lodpub.ttl/..", "dumps/.%2e/void.ttl", "dumps/nope.ttl",
                                  "dumps/lodpub.exe", "dumps/%00", "dumps/lodpub.ttl%00.gz"])
def test_nothing_outside_the_dumps_can_be_downloaded(server, path):
    # Sent as is, without the client normalising the dots away.
    session = requests.Session()
    request = requests.Request("GET", server.url + path).prepare()
    request.url = server.url + path
    response = session.send(request, timeout=30)
    assert 400 <= response.status_code < 500, path
    assert b'"base"' not in response.content and b"root:" not in response.content


def test_a_gzip_answer_is_never_replayed_to_a_client_that_did_not_ask_for_gzip(server):
    """The server keeps whole answers: a dump sent gzip-encoded to one client must not reach the next one,
    which takes no gzip (as rapper), from that cache."""
    url = server.url + "dumps/lodpub.ttl"
    for _ in range(2):     # the second round is answered from the cache
        packed = requests.get(url, headers={"Accept": "text/turtle", "Accept-Encoding": "gzip"}, timeout=30,
                              stream=True)
        assert packed.headers.get("Content-Encoding") == "gzip"
        assert packed.raw.read(2) == b"\x1f\x8b"
        plain = requests.get(url, headers={"Accept": "text/turtle", "Accept-Encoding": "identity"}, timeout=30,
                             stream=True)
        assert "Content-Encoding" not in plain.headers
        assert plain.raw.read(7) == b"@prefix"
