"""Asking the endpoint what it is: the SPARQL 1.1 Service Description
(https://www.w3.org/TR/sparql11-service-description/), returned at the endpoint by GET without a query.
"""

from __future__ import annotations

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
SERVICE = rdflib.URIRef("http://localhost:8080/sparql")


def description(endpoint: str, accept: str = "text/turtle", rdflib_format: str = "turtle") -> rdflib.Graph:
    response = requests.get(endpoint, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == accept
    return rdflib.Graph().parse(data=response.content, format=rdflib_format)


@pytest.fixture(scope="module")
def sd(endpoint) -> rdflib.Graph:
    return description(endpoint)


@pytest.mark.parametrize("accept, rdflib_format", [
    ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
])
def test_the_description_is_negotiated(endpoint, sd, accept, rdflib_format):
    assert isomorphic(description(endpoint, accept, rdflib_format), sd)


def test_a_client_that_accepts_anything_gets_turtle(endpoint):
    for headers in ({"Accept": "*/*"}, {"Accept": None}):
        response = requests.get(endpoint, headers=headers)
        assert response.headers["Content-Type"].split(";")[0] == "text/turtle"


def test_a_format_parameter_chooses_the_descriptions_format(endpoint, sd):
    response = requests.get(endpoint, params={"format": "jsonld"})
    assert response.headers["Content-Type"] == "application/ld+json"
    assert isomorphic(rdflib.Graph().parse(data=response.content, format="json-ld"), sd)


def test_a_browser_gets_the_query_page(endpoint):
    response = requests.get(endpoint, headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<form" in response.text


def test_an_unacceptable_accept_is_406(endpoint):
    assert requests.get(endpoint, headers={"Accept": "image/png"}).status_code == 406


def test_it_describes_a_sparql_11_query_service_at_this_endpoint(sd):
    assert (SERVICE, rdflib.RDF.type, SD.Service) in sd
    assert (SERVICE, SD.endpoint, SERVICE) in sd
    assert set(sd.objects(SERVICE, SD.supportedLanguage)) == {SD.SPARQL11Query}   # no Update
    assert (SERVICE, SD.defaultEntailmentRegime, rdflib.URIRef("http://www.w3.org/ns/entailment/Simple")) in sd


def test_it_lists_every_result_format_served(sd):
    assert set(sd.objects(SERVICE, SD.resultFormat)) == {
        FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV, FORMATS.Turtle, FORMATS["N-Triples"], FORMATS["JSON-LD"], FORMATS.RDF_XML}


def test_it_says_the_default_graph_is_the_union_of_the_named_graphs(sd):
    assert (SERVICE, SD.feature, SD.UnionDefaultGraph) in sd
    dataset = sd.value(SERVICE, SD.defaultDataset)
    assert (dataset, rdflib.RDF.type, SD.Dataset) in sd
    default_graph = sd.value(dataset, SD.defaultGraph)
    assert "union" in str(sd.value(default_graph, rdflib.RDFS.comment))


def test_it_names_every_named_graph(sd, store):
    dataset = sd.value(SERVICE, SD.defaultDataset)
    named = {str(sd.value(g, SD.name)) for g in sd.objects(dataset, SD.namedGraph)}
    assert named == set(store.graph_names())
    for g in sd.objects(dataset, SD.namedGraph):
        assert (g, rdflib.RDF.type, SD.NamedGraph) in sd


def test_it_states_the_limits(sd, built):
    assert float(sd.value(SERVICE, rdflib.URIRef(f"{SERVICE}#queryTimeout"))) == 3.0   # --query-timeout 3
    assert sd.value(SERVICE, rdflib.URIRef(f"{SERVICE}#resultCap")).toPython() == built.result_cap
    words = str(sd.value(SERVICE, rdflib.RDFS.comment))
    assert "read-only" in words and "SERVICE" in words and "3 s" in words and str(built.result_cap) in words
    for term in ("queryTimeout", "resultCap", "maxRequestBytes"):
        assert sd.value(rdflib.URIRef(f"{SERVICE}#{term}"), rdflib.RDFS.label) is not None


def test_the_description_carries_cors(endpoint):
    response = requests.get(endpoint, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
