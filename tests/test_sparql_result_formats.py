"""Reading the endpoint's answers with the real clients: SPARQLWrapper, in each of its return formats, and rdflib.

Every answer is compared with what the store itself says, so a format that loses or mangles a value fails.
The tricky values (a language tag, a datatype, a blank node, an unbound variable, quotes, commas, tabs,
line breaks and curly quotes in a literal) go through every format too.
"""

from __future__ import annotations

import csv
import io
import json
import warnings

import pytest
import rdflib
import requests
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper
from SPARQLWrapper import GET as WRAPPER_GET

SCHEMA = "http://schema.org/"
PERSONS = f"SELECT ?person ?name WHERE {{ ?person a <{SCHEMA}Person> ; <{SCHEMA}name> ?name }}"
PERSONS_GRAPH = f"CONSTRUCT {{ ?person <{SCHEMA}name> ?name }} WHERE {{ ?person a <{SCHEMA}Person> ; " \
                f"<{SCHEMA}name> ?name }}"
XSD = "http://www.w3.org/2001/XMLSchema#"
TRICKY_TEXT = 'He said, "we don’t have\tanything in common"\nfor discussion; 50% — ok'
TRICKY_LITERAL = json.dumps(TRICKY_TEXT, ensure_ascii=False)   # a SPARQL string: the same escapes as JSON here
TRICKY = f"""SELECT ?iri ?text ?tagged ?number ?date ?blank ?unbound WHERE {{
  VALUES (?iri ?text ?tagged ?number ?date) {{
    (<http://localhost:8080/id/person/x> {TRICKY_LITERAL} "رسالة"@ar 42 "2017-12-02"^^<{XSD}date>)
  }}
  BIND(BNODE() AS ?blank)
  OPTIONAL {{ ?iri <urn:x:nothing> ?unbound }}
}}"""


@pytest.fixture(scope="module")
def persons(sparql) -> set[tuple[str, str]]:
    rows = {(row["person"], row["name"]) for row in sparql(PERSONS)}
    assert rows
    return rows


def wrapper(endpoint: str, query: str, fmt: str, method: str = WRAPPER_GET, request_method: str = URLENCODED):
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = client.query()
        converted = response.convert()
    # SPARQLWrapper warns when the answer is not in the format it asked for, or in one it does not know.
    complaints = [str(w.message) for w in caught if "has been returned" in str(w.message)
                  or "unknown response content type" in str(w.message)]
    assert not complaints, complaints
    return response, converted


METHODS = [(WRAPPER_GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]


# --- SELECT with SPARQLWrapper ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method, request_method", METHODS)
def test_sparqlwrapper_reads_json(endpoint, persons, method, request_method):
    _, document = wrapper(endpoint, PERSONS, JSON, method, request_method)
    assert {(b["person"]["value"], b["name"]["value"]) for b in document["results"]["bindings"]} == persons


@pytest.mark.parametrize("method, request_method", METHODS)
def test_sparqlwrapper_reads_xml(endpoint, persons, method, request_method):
    _, document = wrapper(endpoint, PERSONS, XML, method, request_method)
    rows = set()
    for result in document.getElementsByTagName("result"):
        values = {b.getAttribute("name"): b.firstChild.firstChild.data for b in result.getElementsByTagName("binding")}
        rows.add((values["person"], values["name"]))
    assert rows == persons


@pytest.mark.parametrize("method, request_method", METHODS)
def test_sparqlwrapper_reads_csv(endpoint, persons, method, request_method):
    _, data = wrapper(endpoint, PERSONS, CSV, method, request_method)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["person", "name"]
    assert {tuple(r) for r in rows[1:]} == persons


@pytest.mark.parametrize("method, request_method", METHODS)
def test_sparqlwrapper_reads_tsv(endpoint, persons, method, request_method):
    _, data = wrapper(endpoint, PERSONS, TSV, method, request_method)
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == "?person\t?name"
    rows = {tuple(line.split("\t")) for line in lines[1:]}
    assert rows == {(f"<{iri}>", json.dumps(name, ensure_ascii=False)) for iri, name in persons}


def test_sparqlwrapper_reads_ask_in_json_and_xml(endpoint):
    query = f"ASK {{ ?p a <{SCHEMA}Person> }}"
    assert wrapper(endpoint, query, JSON)[1]["boolean"] is True
    document = wrapper(endpoint, query, XML)[1]
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"


# --- CONSTRUCT and DESCRIBE with SPARQLWrapper -----------------------------------------------------------------

def persons_in(graph: rdflib.Graph) -> set[tuple[str, str]]:
    return {(str(s), str(o)) for s, o in graph.subject_objects(rdflib.URIRef(SCHEMA + "name"))}


@pytest.mark.parametrize("method, request_method", METHODS)
@pytest.mark.parametrize("fmt, parse_as", [(TURTLE, "turtle"), (N3, "n3")])
def test_sparqlwrapper_reads_turtle_and_n3(endpoint, persons, method, request_method, fmt, parse_as):
    response, data = wrapper(endpoint, PERSONS_GRAPH, fmt, method, request_method)
    assert persons_in(rdflib.Graph().parse(data=data.decode("utf-8"), format=parse_as)) == persons


@pytest.mark.parametrize("method, request_method", METHODS)
@pytest.mark.parametrize("fmt", [RDFXML, XML, JSONLD, JSON])
def test_sparqlwrapper_reads_rdfxml_and_jsonld(endpoint, persons, method, request_method, fmt):
    _, graph = wrapper(endpoint, PERSONS_GRAPH, fmt, method, request_method)
    assert persons_in(graph) == persons


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_reads_describe(endpoint, persons, fmt):
    person = sorted(persons)[0][0]
    response, converted = wrapper(endpoint, f"DESCRIBE <{person}>", fmt)
    graph = converted if isinstance(converted, rdflib.Graph) else \
        rdflib.Graph().parse(data=converted.decode("utf-8"), format="turtle")
    assert (rdflib.URIRef(person), rdflib.RDF.type, rdflib.URIRef(SCHEMA + "Person")) in graph


# --- rdflib reads every result format, values intact ----------------------------------------------------------

RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}


def fetch(endpoint: str, query: str, media_type: str) -> bytes:
    response = requests.get(endpoint, params={"query": query}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    return response.content


NO_BNODE_IN_VIRTUOSO = pytest.mark.deviates(
    "virtuoso", "BNODE() is not implemented in Virtuoso 7.2 (the query of these tests makes a blank node with it)")


@NO_BNODE_IN_VIRTUOSO
@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_rdflib_reads_typed_results_with_every_value_intact(endpoint, fmt):
    result = rdflib.query.Result.parse(io.BytesIO(fetch(endpoint, TRICKY, RESULT_TYPES[fmt])), format=fmt)
    assert [str(v) for v in result.vars] == ["iri", "text", "tagged", "number", "date", "blank", "unbound"]
    (row,) = list(result)
    assert row.iri == rdflib.URIRef("http://localhost:8080/id/person/x")
    assert row.text == rdflib.Literal(TRICKY_TEXT)
    assert row.tagged == rdflib.Literal("رسالة", lang="ar")
    assert row.number == rdflib.Literal("42", datatype=rdflib.XSD.integer)
    assert row.date == rdflib.Literal("2017-12-02", datatype=rdflib.XSD.date)
    assert isinstance(row.blank, rdflib.BNode)
    assert row.unbound is None


@NO_BNODE_IN_VIRTUOSO
def test_rdflib_reads_csv_with_every_lexical_value_intact(endpoint):
    result = rdflib.query.Result.parse(io.BytesIO(fetch(endpoint, TRICKY, RESULT_TYPES["csv"])), format="csv")
    (row,) = list(result)
    assert str(row.iri) == "http://localhost:8080/id/person/x"
    assert str(row.text) == TRICKY_TEXT
    assert (str(row.tagged), str(row.number), str(row.date)) == ("رسالة", "42", "2017-12-02")
    assert row.unbound is None


@NO_BNODE_IN_VIRTUOSO
def test_csv_and_tsv_follow_their_recommendation(endpoint):
    csv_body = fetch(endpoint, TRICKY, "text/csv").decode("utf-8")
    assert csv_body.startswith("iri,text,tagged,number,date,blank,unbound\r\n")
    assert csv_body.endswith("\r\n")
    tsv_body = fetch(endpoint, TRICKY, "text/tab-separated-values").decode("utf-8")
    header, row, end = tsv_body.split("\n")
    assert header == "?iri\t?text\t?tagged\t?number\t?date\t?blank\t?unbound"
    assert end == ""
    fields = row.split("\t")
    assert fields[0] == "<http://localhost:8080/id/person/x>"
    assert fields[2] == '"رسالة"@ar'
    assert fields[6] == ""


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_rdflib_reads_ask_results(endpoint, fmt):
    body = fetch(endpoint, f"ASK {{ ?p a <{SCHEMA}Person> }}", RESULT_TYPES[fmt])
    if fmt in ("json", "xml"):
        assert rdflib.query.Result.parse(io.BytesIO(body), format=fmt).askAnswer is True
    else:
        assert body.decode().split() == [("?" if fmt == "tsv" else "") + "_askResult", "true"]


@pytest.mark.parametrize("media_type, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
])
def test_rdflib_reads_every_graph_format(endpoint, persons, media_type, rdflib_format):
    graph = rdflib.Graph().parse(data=fetch(endpoint, PERSONS_GRAPH, media_type), format=rdflib_format)
    assert persons_in(graph) == persons


def test_rdflib_reads_a_describe_of_every_person(endpoint, store, persons):
    for person, _ in persons:
        graph = rdflib.Graph().parse(data=fetch(endpoint, f"DESCRIBE <{person}>", "application/n-triples"),
                                     format="nt")
        own = store.query(f"CONSTRUCT {{ <{person}> ?p ?o }} WHERE {{ <{person}> ?p ?o }}").triples
        assert {(str(t.predicate.value), str(t.object.value)) for t in own} <= \
               {(str(p), str(o)) for p, o in graph.predicate_objects(rdflib.URIRef(person))}


def test_a_result_xml_cannot_carry_is_refused_in_xml_and_given_in_json(endpoint):
    select = 'SELECT ?x WHERE { BIND("bell\\u0007" AS ?x) }'
    construct = 'CONSTRUCT { <urn:x:s> <urn:x:p> ?x } WHERE { BIND("bell\\u0007" AS ?x) }'
    for query, media_type in ((select, "application/sparql-results+xml"), (construct, "application/rdf+xml")):
        response = requests.get(endpoint, params={"query": query}, headers={"Accept": media_type})
        assert response.status_code == 406
        assert "U+0007" in response.text
    response = requests.get(endpoint, params={"query": select}, headers={"Accept": "application/sparql-results+json"})
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "bell\a"


def _without_blank_labels(data: bytes) -> dict:
    document = json.loads(data)
    for row in document.get("results", {}).get("bindings", []):
        for value in row.values():
            if value["type"] == "bnode":
                value["value"] = "_"
    return document


@pytest.mark.parametrize("query", [PERSONS, TRICKY, "ASK { ?s ?p ?o }"], ids=["persons", "tricky", "ask"])
def test_oxigraphs_own_json_says_what_our_writer_says(store, query):
    """Over the embedded store a short JSON answer is written by Oxigraph (sparql/results.NATIVE_RESULTS)."""
    from lodpub.sparql import limits, results
    from lodpub.store import UNION

    kind, native = store.query_serialized(query, UNION, {"results": results.NATIVE_RESULTS["json"].format}, 1 << 20)
    assert kind == "results"
    answer = limits.collect(store.query(query), 10_000)
    ours = (results.json_boolean(answer.boolean) if answer.kind == "boolean"
            else results.json_solutions(answer.variables, answer.rows))
    assert _without_blank_labels(native) == _without_blank_labels(ours)
    assert results.NATIVE_RESULTS["json"].count(native) == len(answer.rows)
    assert results.NATIVE_RESULTS["json"].at_most(native) >= len(answer.rows)


def test_a_native_answer_is_given_up_past_its_size(store):
    from lodpub.sparql import results
    from lodpub.store import UNION

    formats = {"results": results.NATIVE_RESULTS["json"].format}
    assert store.query_serialized(PERSONS, UNION, formats, 1 << 20) is not None
    assert store.query_serialized(PERSONS, UNION, formats, 64) is None
    assert store.query_serialized(PERSONS, UNION, {"graph": results.NATIVE_GRAPHS["ntriples"].format}, 1 << 20) \
        is None, "no format for a SELECT's kind of answer"
