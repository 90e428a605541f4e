"""Dereferencing a thing's IRI, as Cool URIs for the Semantic Web and the HTTP RFCs say a client may.

Every case runs over real HTTP against `lodpub serve` on a loopback port.
"""

from __future__ import annotations

import pytest
import rdflib
import requests

from lodpub.formats import GRAPH_FORMATS

from .conftest import BASE
from .linkeddata import ALL_TYPES, RDF_TYPES, get, links, media_type, mentions, parse, url_of

PERSON = BASE + "id/person/mike-pompeo"
DOC_PATH = "doc/person/mike-pompeo"
SCHEMA_PERSON = rdflib.URIRef("http://schema.org/Person")
FIRST_APPLICATION_FORMAT = next(f for f in GRAPH_FORMATS if f.media_type.startswith("application/"))
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def doc_url(server) -> str:
    return server.url + DOC_PATH


# --- 303 See Other ---------------------------------------------------------------------------------------

def test_a_thing_answers_303_see_other_to_its_document(server):
    response = get(url_of(server, PERSON), "text/turtle", allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"] in ("/" + DOC_PATH, server.url + DOC_PATH)


def test_acceptance_curl_L_with_turtle_gets_turtle_describing_the_person(server):
    """`curl -L -H 'Accept: text/turtle' {base}id/person/mike-pompeo`."""
    response = get(url_of(server, PERSON), "text/turtle")
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [303]
    assert media_type(response) == "text/turtle"
    graph = parse(response, "turtle")
    assert (rdflib.URIRef(PERSON), rdflib.RDF.type, SCHEMA_PERSON) in graph
    assert graph.value(rdflib.URIRef(PERSON), rdflib.RDFS.label) is not None


def test_acceptance_a_browser_gets_the_persons_page(server):
    response = get(url_of(server, PERSON), BROWSER)
    assert response.status_code == 200
    assert media_type(response) == "text/html"
    assert "Mike Pompeo" in response.text
    assert "<h1>Mike Pompeo</h1>" in response.text


def test_every_thing_of_the_data_redirects(server, sparql):
    rows = sparql(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{BASE}id/')) }} LIMIT 40")
    assert len(rows) >= 10
    for row in rows:
        response = get(url_of(server, row["s"]), "text/turtle", allow_redirects=False)
        assert response.status_code == 303, row["s"]
        assert response.headers["Location"].endswith(row["s"][len(BASE + "id/"):])


# --- Content negotiation ---------------------------------------------------------------------------------

# (Accept header, expected media type or None for 406): the negotiation matrix.
MATRIX = [
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/html", "text/html"),
    ("application/xhtml+xml", "text/html"),
    ("application/x-turtle", "text/turtle"),
    (BROWSER, "text/html"),
    ("*/*", "text/html"),
    (None, "text/html"),
    ("text/*", "text/html"),
    ("application/*", FIRST_APPLICATION_FORMAT.media_type),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("application/ld+json;q=0.1, text/turtle;q=0.9, text/html;q=0.5", "text/turtle"),
    ("application/rdf+xml;q=0.9, text/html;q=0.8", "application/rdf+xml"),
    ("text/html;q=0, */*", GRAPH_FORMATS[0].media_type),
    ("image/png, application/n-triples;q=0.2", "application/n-triples"),
    ("image/png", None),
    ("text/turtle;q=0", None),
    ("application/json-patch+json, image/*", None),
]


@pytest.mark.parametrize(("accept", "expected"), MATRIX, ids=[f"{a}->{e}" for a, e in MATRIX])
def test_content_negotiation_honours_accept_and_q_values(doc_url, accept, expected):
    response = get(doc_url, accept)
    assert "Accept" in response.headers.get("Vary", "")
    if expected is None:
        assert response.status_code == 406
        for fmt in ("text/html", *(f.media_type for f in GRAPH_FORMATS)):
            assert fmt in response.text, "406 lists every type on offer"
        return
    assert response.status_code == 200
    assert media_type(response) == expected


@pytest.mark.parametrize(("media", "extension", "parser"), RDF_TYPES, ids=[t[1] for t in RDF_TYPES])
def test_each_rdf_format_parses_and_describes_the_thing(doc_url, media, extension, parser):
    response = get(doc_url, media)
    assert response.status_code == 200
    graph = parse(response, parser)
    assert (rdflib.URIRef(PERSON), rdflib.RDF.type, SCHEMA_PERSON) in graph
    assert response.headers["Content-Location"] == f"/{DOC_PATH}.{extension}"


def test_content_location_names_the_html_document_too(doc_url):
    assert get(doc_url, "text/html").headers["Content-Location"] == f"/{DOC_PATH}.html"


@pytest.mark.parametrize(("media", "extension", "parser"), ALL_TYPES, ids=[t[1] for t in ALL_TYPES])
def test_an_extension_selects_the_format_whatever_the_accept_header(doc_url, media, extension, parser):
    response = get(f"{doc_url}.{extension}", "image/png")
    assert response.status_code == 200
    assert media_type(response) == media
    varies_on = [v.strip().lower() for v in response.headers.get("Vary", "").split(",")]
    assert "accept" not in varies_on, "the extension's answer does not vary by Accept"
    assert response.headers["Content-Location"] == f"/{DOC_PATH}.{extension}"
    if parser:
        assert mentions(parse(response, parser), PERSON)


def test_an_unknown_extension_is_not_found(doc_url):
    assert get(doc_url + ".xyz", "text/turtle").status_code == 404


def test_jsonld_has_a_context_with_our_prefixes(doc_url):
    body = get(doc_url, "application/ld+json").json()
    assert body["@context"]["schema"] == "http://schema.org/"
    assert body["@context"]["lpo"] == BASE + "ontology#"


def test_a_turtle_description_declares_the_prefixes_it_uses_and_no_other(doc_url):
    import re

    text = get(doc_url, "text/turtle").text
    declared = dict(re.findall(r"@prefix (\w*): <([^>]+)>", text))
    assert "schema" in declared and "lpo" in declared
    graph = rdflib.Graph().parse(data=text, format="turtle")
    iris = {str(term) for triple in graph for term in triple if isinstance(term, rdflib.URIRef)}
    iris |= {str(o.datatype) for o in graph.objects() if isinstance(o, rdflib.Literal) and o.datatype}
    unused = [p for p, ns in declared.items() if not any(iri.startswith(ns) for iri in iris)]
    assert unused == [], "declared but not used"


def test_link_header_lists_every_alternate_the_license_and_the_dataset(doc_url):
    response = get(doc_url, "text/turtle")
    found = links(response)
    alternates = {link["type"]: link["href"] for link in found if link.get("rel") == "alternate"}
    assert alternates == {media: f"/{DOC_PATH}.{ext}" for media, ext, _ in ALL_TYPES}
    licenses = [link["href"] for link in found if link.get("rel") == "license"]
    assert licenses and licenses[0].startswith("http")
    assert any(link["href"] == "/dataset" for link in found if link.get("rel", "").endswith("inDataset"))


def test_alternates_in_the_link_header_all_answer(server, doc_url):
    for link in links(get(doc_url, "text/turtle")):
        if link.get("rel") == "alternate":
            response = get(server.url + link["href"].lstrip("/"))
            assert response.status_code == 200
            assert media_type(response) == link["type"]


def test_406_names_the_extensions_and_still_links_the_alternates(doc_url):
    response = get(doc_url, "image/png")
    assert response.status_code == 406
    assert ".ttl" in response.text and ".jsonld" in response.text
    assert {link["type"] for link in links(response)} == {media for media, _, _ in ALL_TYPES}


# --- Not found -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["id/person/no-such-person", "doc/person/no-such-person",
                                  "doc/person/no-such-person.ttl", "id/nothing"])
def test_an_unknown_thing_is_404_in_rdf_when_rdf_is_asked(server, path):
    response = get(server.url + path, "text/turtle")
    assert response.status_code == 404
    assert media_type(response) == "text/turtle"
    parse(response, "turtle")


@pytest.mark.parametrize("path", ["id/person/no-such-person", "doc/person/no-such-person"])
def test_an_unknown_thing_is_404_as_a_page_for_a_browser(server, path):
    response = get(server.url + path, BROWSER)
    assert response.status_code == 404
    assert media_type(response) == "text/html"
    assert "404" in response.text and "no-such-person" in response.text


def test_an_unknown_thing_is_404_in_json_ld_when_json_ld_is_asked(server):
    response = get(server.url + "id/person/no-such-person", "application/ld+json")
    assert response.status_code == 404
    assert media_type(response) == "application/ld+json"
    parse(response, "json-ld")


# --- HEAD ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("media", "extension", "parser"), ALL_TYPES, ids=[t[1] for t in ALL_TYPES])
def test_head_gives_the_headers_of_get_without_a_body(doc_url, media, extension, parser):
    full = get(doc_url, media)
    head = requests.head(doc_url, headers={"Accept": media}, timeout=30)
    assert head.status_code == 200
    assert head.content == b""
    for header in ("Content-Type", "Content-Location", "ETag", "Last-Modified", "Vary", "Link"):
        assert head.headers[header] == full.headers[header], header
    assert int(head.headers["Content-Length"]) == len(full.content)


def test_head_on_a_thing_is_303(server):
    response = requests.head(url_of(server, PERSON), timeout=30)
    assert response.status_code == 303


# --- Validators: ETag, Last-Modified, 304 ----------------------------------------------------------------

def test_etag_and_last_modified_are_given(doc_url):
    response = get(doc_url, "text/turtle")
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"].endswith("GMT")


def test_each_format_has_its_own_etag(doc_url):
    tags = {media: get(doc_url, media).headers["ETag"] for media, _, _ in ALL_TYPES}
    assert len(set(tags.values())) == len(ALL_TYPES)


def test_the_etag_is_the_same_from_every_worker(doc_url):
    tags = {get(doc_url, "application/ld+json").headers["ETag"] for _ in range(12)}
    assert len(tags) == 1


@pytest.mark.parametrize("media", ["text/turtle", "text/html", "application/ld+json"])
def test_if_none_match_gives_304(doc_url, media):
    first = get(doc_url, media)
    again = get(doc_url, media, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_if_none_match_with_another_tag_gives_200(doc_url):
    assert get(doc_url, "text/turtle", headers={"If-None-Match": 'W/"not-this-one"'}).status_code == 200


def test_if_none_match_from_another_format_gives_200(doc_url):
    turtle_tag = get(doc_url, "text/turtle").headers["ETag"]
    assert get(doc_url, "application/ld+json", headers={"If-None-Match": turtle_tag}).status_code == 200


def test_if_modified_since_the_build_gives_304(doc_url):
    first = get(doc_url, "text/turtle")
    again = get(doc_url, "text/turtle", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 304


def test_if_modified_since_before_the_build_gives_200(doc_url):
    response = get(doc_url, "text/turtle", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert response.status_code == 200
    assert response.content


def test_if_none_match_wins_over_if_modified_since(doc_url):
    first = get(doc_url, "text/turtle")
    response = get(doc_url, "text/turtle", headers={"If-None-Match": 'W/"stale"',
                                                    "If-Modified-Since": first.headers["Last-Modified"]})
    assert response.status_code == 200


# --- CORS ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [DOC_PATH, DOC_PATH + ".jsonld", "ontology", "dataset", "shapes"])
def test_get_is_open_to_every_origin(server, path):
    response = get(server.url + path, "application/ld+json", headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert "Link" in exposed and "Content-Location" in exposed


def test_a_cors_preflight_is_answered(doc_url):
    response = requests.options(doc_url, headers={"Origin": "https://example.org",
                                                  "Access-Control-Request-Method": "GET",
                                                  "Access-Control-Request-Headers": "If-None-Match"}, timeout=30)
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_the_303_is_open_to_every_origin(server):
    response = get(url_of(server, PERSON), "text/turtle", allow_redirects=False, headers={"Origin": "https://x.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- The ontology, the shapes and the dataset dereference like any thing -------------------------------------

@pytest.mark.parametrize("name", ["ontology", "shapes", "dataset"])
@pytest.mark.parametrize(("media", "extension", "parser"), RDF_TYPES, ids=[t[1] for t in RDF_TYPES])
def test_the_ontology_shapes_and_dataset_negotiate(server, name, media, extension, parser):
    response = get(server.url + name, media)
    assert response.status_code == 200
    assert media_type(response) == media
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Content-Location"] == f"/{name}.{extension}"
    assert mentions(parse(response, parser), BASE + name)
    by_extension = get(f"{server.url}{name}.{extension}")
    assert by_extension.status_code == 200 and media_type(by_extension) == media


def test_a_hash_term_of_the_ontology_is_described_in_the_ontology_document(server, sparql):
    rows = sparql(f"SELECT ?c WHERE {{ GRAPH <{BASE}ontology> {{ ?c a <http://www.w3.org/2002/07/owl#Class> }} "
                  f"FILTER(STRSTARTS(STR(?c), '{BASE}ontology#')) }} LIMIT 1")
    term = rows[0]["c"]
    graph = parse(get(server.url + "ontology", "text/turtle"), "turtle")
    assert graph.value(rdflib.URIRef(term), rdflib.RDFS.label) is not None
    assert graph.value(rdflib.URIRef(term), rdflib.RDFS.comment) is not None
