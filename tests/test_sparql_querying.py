"""Querying the endpoint by the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), over real HTTP.

Section 2.1 of the Protocol: a query by GET (2.1.1), by POST of a form (2.1.2), by POST of the query itself
(2.1.3); the RDF dataset from default-graph-uri / named-graph-uri or from the query (2.1.4); the answers
(2.1.5, 2.1.6): 200 with the results, 400 for a malformed query. And what browsers and clients need around it:
content negotiation with q-values, a format parameter, CORS.
"""

from __future__ import annotations

import json

import pytest
import requests

from lodpub.store import Dataset

SCHEMA = "http://schema.org/"
JSON = "application/sparql-results+json"
PERSONS = f"SELECT ?person ?name WHERE {{ ?person a <{SCHEMA}Person> ; <{SCHEMA}name> ?name }} ORDER BY ?name"


@pytest.fixture(scope="module")
def persons(sparql) -> set[tuple[str, str]]:
    """What the store itself answers, to compare every protocol path against."""
    rows = {(row["person"], row["name"]) for row in sparql(PERSONS)}
    assert rows, "the data names at least one schema:Person"
    return rows


def bindings(response: requests.Response) -> set[tuple[str, ...]]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(JSON)
    document = response.json()
    variables = document["head"]["vars"]
    return {tuple(b[v]["value"] for v in variables if v in b) for b in document["results"]["bindings"]}


# --- 2.1 The three ways of sending a query ---------------------------------------------------------------

def test_a_query_by_get(endpoint, persons):
    response = requests.get(endpoint, params={"query": PERSONS}, headers={"Accept": JSON})
    assert bindings(response) == persons


def test_a_query_by_post_of_a_form(endpoint, persons):
    response = requests.post(endpoint, data={"query": PERSONS}, headers={"Accept": JSON})
    assert response.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert bindings(response) == persons


def test_a_query_by_post_of_the_query_itself(endpoint, persons):
    response = requests.post(endpoint, data=PERSONS.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": JSON})
    assert bindings(response) == persons


def test_a_direct_post_is_utf8_and_may_say_so(endpoint):
    """SPARQL 1.1 Protocol, 2.1.3: the body of a direct POST is UTF-8; another charset is refused."""
    query = 'SELECT ?text WHERE { BIND("Qods Force’s commander" AS ?text) }'
    response = requests.post(endpoint, data=query.encode("utf-8"), headers={
        "Content-Type": "application/sparql-query; charset=UTF-8", "Accept": JSON})
    assert bindings(response) == {("Qods Force’s commander",)}
    response = requests.post(endpoint, data=query.encode("utf-16"), headers={
        "Content-Type": "application/sparql-query; charset=utf-16", "Accept": JSON})
    assert response.status_code == 415
    assert "UTF-8" in response.text


def test_the_query_is_read_as_utf8(endpoint):
    query = 'SELECT ?text WHERE { BIND("Iran’s “Qods” Force" AS ?text) }'
    for response in (requests.get(endpoint, params={"query": query}, headers={"Accept": JSON}),
                     requests.post(endpoint, data={"query": query}, headers={"Accept": JSON}),
                     requests.post(endpoint, data=query.encode(), headers={
                         "Content-Type": "application/sparql-query", "Accept": JSON})):
        assert bindings(response) == {("Iran’s “Qods” Force",)}


def test_a_request_carries_exactly_one_query(endpoint):
    response = requests.get(endpoint, params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400
    assert "exactly one query" in response.text
    response = requests.post(endpoint, data={"default-graph-uri": "x"})
    assert response.status_code == 400
    assert "no query" in response.text


def test_a_direct_post_carries_no_second_query_in_the_url(endpoint):
    response = requests.post(endpoint, params={"query": "ASK {}"}, data=b"ASK {}",
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400


def test_other_bodies_are_unsupported_media_types(endpoint):
    response = requests.post(endpoint, data=b'{"query": "ASK {}"}', headers={"Content-Type": "application/json"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_other_methods_are_not_allowed(endpoint):
    response = requests.put(endpoint, data=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_a_malformed_query_is_a_bad_request_with_the_parsers_message_and_position(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "error at 1:25" in response.text          # Oxigraph's line:column
    assert "SELECT * WHERE { ?s ?p }\n" + " " * 24 + "^" in response.text


# --- 2.1.4 The RDF dataset ------------------------------------------------------------------------------

COUNT_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(endpoint: str, query: str = COUNT, **params) -> int:
    response = requests.get(endpoint, params={"query": query, **params}, headers={"Accept": JSON})
    (row,) = bindings(response)
    return int(row[0])


@pytest.fixture(scope="module")
def graph_sizes(store) -> dict[str, int]:
    sizes = {}
    for name in store.graph_names():
        (row,) = store.query(COUNT, Dataset(default=(name,))).rows
        sizes[name] = int(row[0].value)
    assert len(sizes) >= 2, "the dataset has several named graphs"
    return sizes


def test_the_default_graph_is_the_union_of_the_named_graphs(endpoint, store, graph_sizes):
    union = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert count(endpoint) == int(next(iter(union))[0].value)
    assert count(endpoint) >= max(graph_sizes.values())


def test_default_graph_uri_chooses_the_default_graph(endpoint, graph_sizes):
    for name, size in graph_sizes.items():
        assert count(endpoint, **{"default-graph-uri": name}) == size
    first, second = sorted(graph_sizes)[:2]
    both = requests.get(endpoint, params=[("query", COUNT), ("default-graph-uri", first),
                                          ("default-graph-uri", second)], headers={"Accept": JSON})
    (row,) = bindings(both)
    assert int(row[0]) <= graph_sizes[first] + graph_sizes[second]
    assert int(row[0]) >= max(graph_sizes[first], graph_sizes[second])


def test_named_graph_uri_chooses_the_named_graphs(endpoint, graph_sizes):
    name = sorted(graph_sizes)[0]
    response = requests.get(endpoint, params={"query": COUNT_GRAPHS, "named-graph-uri": name},
                            headers={"Accept": JSON})
    assert bindings(response) == {(name, str(graph_sizes[name]))}
    # The named graphs alone make the dataset: its default graph is empty.
    assert count(endpoint, **{"named-graph-uri": name}) == 0


def test_the_graph_parameters_work_in_a_form_post_and_in_the_url_of_a_direct_post(endpoint, graph_sizes):
    name, size = sorted(graph_sizes.items())[0]
    form = requests.post(endpoint, data={"query": COUNT, "default-graph-uri": name}, headers={"Accept": JSON})
    direct = requests.post(endpoint, params={"default-graph-uri": name}, data=COUNT.encode(),
                           headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    assert bindings(form) == bindings(direct) == {(str(size),)}


def test_from_and_from_named_in_the_query_choose_the_dataset(endpoint, graph_sizes):
    name, size = sorted(graph_sizes.items())[0]
    assert count(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{name}> WHERE {{ ?s ?p ?o }}") == size
    response = requests.get(endpoint, params={"query": f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{name}> "
                                                       "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
                            headers={"Accept": JSON})
    assert bindings(response) == {(name, str(size))}


def test_a_dataset_of_default_graphs_only_has_no_named_graph_for_graph_to_reach(endpoint, graph_sizes):
    """SPARQL 1.1 Query, 13.2: FROM without FROM NAMED (or default-graph-uri alone) leaves no named graph."""
    name = sorted(graph_sizes)[0]
    reach = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    from_clause = requests.get(endpoint, params={"query": reach.replace("WHERE", f"FROM <{name}> WHERE")},
                               headers={"Accept": JSON})
    parameter = requests.get(endpoint, params={"query": reach, "default-graph-uri": name}, headers={"Accept": JSON})
    assert bindings(from_clause) == bindings(parameter) == set()
    assert count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": name}) \
        == graph_sizes[name], "the default graph is still the one named"


@pytest.mark.deviates("virtuoso", "Virtuoso 7.2 merges the query's FROM with the protocol's default-graph-uri; "
                       "the SPARQL 1.1 Protocol says the protocol's dataset replaces it")
def test_the_protocol_parameters_win_over_the_querys_from(endpoint, graph_sizes):
    (first, first_size), (second, second_size) = sorted(graph_sizes.items())[:2]
    query = f"SELECT (COUNT(*) AS ?n) FROM <{first}> WHERE {{ ?s ?p ?o }}"
    assert count(endpoint, query, **{"default-graph-uri": second}) == second_size


def test_relative_iris_resolve_against_the_base(endpoint, graph_sizes):
    name = sorted(graph_sizes)[0]
    assert name.startswith("http://localhost:8080/")
    relative = name.removeprefix("http://localhost:8080/")
    assert count(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{relative}> WHERE {{ ?s ?p ?o }}") == graph_sizes[name]


# --- 2.1.5/2.1.6 Answers: content negotiation ---------------------------------------------------------------

@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9, application/sparql-results+json;q=0.1",
     "application/sparql-results+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
])
def test_select_results_are_negotiated_with_q_values(endpoint, accept, media_type):
    response = requests.get(endpoint, params={"query": PERSONS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]


def test_without_accept_select_answers_sparql_json(endpoint):
    response = requests.get(endpoint, params={"query": PERSONS}, headers={"Accept": None})
    assert response.headers["Content-Type"] == JSON


@pytest.mark.parametrize("accept, media_type", [
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("*/*", "text/turtle"),
    ("application/ld+json;q=0.2, application/n-triples;q=0.7", "application/n-triples"),
])
def test_construct_results_are_negotiated_with_q_values(endpoint, accept, media_type):
    query = f"CONSTRUCT WHERE {{ ?person a <{SCHEMA}Person> }}"
    response = requests.get(endpoint, params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_an_unacceptable_accept_is_406(endpoint):
    response = requests.get(endpoint, params={"query": PERSONS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    response = requests.get(endpoint, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                            headers={"Accept": "text/csv"})
    assert response.status_code == 406


@pytest.mark.parametrize("fmt, media_type", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("html", "text/html"),
])
def test_a_format_parameter_chooses_the_format_over_accept(endpoint, fmt, media_type):
    response = requests.get(endpoint, params={"query": PERSONS, "format": fmt},
                            headers={"Accept": "application/sparql-results+xml;q=0.1"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_an_unknown_format_parameter_is_refused(endpoint):
    response = requests.get(endpoint, params={"query": PERSONS, "format": "yaml"})
    assert response.status_code == 406
    assert "yaml" in response.text


def test_ask_answers_a_boolean(endpoint):
    yes = requests.get(endpoint, params={"query": f"ASK {{ ?p a <{SCHEMA}Person> }}"}, headers={"Accept": JSON})
    no = requests.get(endpoint, params={"query": "ASK { <urn:x:nothing> ?p ?o }"}, headers={"Accept": JSON})
    assert (yes.json(), no.json()) == ({"head": {}, "boolean": True}, {"head": {}, "boolean": False})


def test_the_usual_prefixes_are_declared(endpoint, persons):
    query = "SELECT ?person ?name WHERE { ?person a schema:Person ; schema:name ?name }"
    assert bindings(requests.get(endpoint, params={"query": query}, headers={"Accept": JSON})) == persons


# --- CORS, for queries from web pages on other origins ---------------------------------------------------------

def test_any_origin_may_read_the_answers(endpoint):
    response = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"x-lodpub-truncated", "warning"} <= exposed


def test_a_preflight_allows_posting_a_query(endpoint):
    response = requests.options(endpoint, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


def test_errors_carry_cors_headers_too(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT"}, headers={"Origin": "https://example.org"})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_answer_is_valid_json_that_a_browser_may_fetch(endpoint):
    response = requests.post(endpoint, data={"query": PERSONS}, headers={"Accept": JSON,
                                                                         "Origin": "https://example.org"})
    assert json.loads(response.content)["head"]["vars"] == ["person", "name"]
