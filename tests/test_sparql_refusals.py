"""What the endpoint refuses, and that it never reaches out: read-only, no SERVICE, no LOAD, FROM never fetched.

Oxigraph really does send a SERVICE clause to its endpoint (the control test below shows it), so the endpoint
must refuse such a query before it runs. The proof over HTTP: a test listens on a loopback port, sends queries
that name it every way we know, and asserts that nothing ever connected.

The lexer-level check (lodpub.sparql.policy) is tested here too, on tricky queries that Oxigraph's own parser
accepts (each is shown to parse), so that the check sees at least what the parser sees.
"""

from __future__ import annotations

import select
import socket
import threading

import pyoxigraph as ox
import pytest
import requests

from lodpub.sparql.policy import Refused, inspect
from lodpub.vocab import Names

BASE = "http://localhost:8080/"
JSON = "application/sparql-results+json"
NAMES = Names(BASE)


@pytest.fixture
def listener():
    """A loopback port that records any connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock
    sock.close()


def connected(sock: socket.socket, wait: float) -> bool:
    readable, _, _ = select.select([sock], [], [], wait)
    return bool(readable)


def fetching_queries(port: int) -> list[str]:
    """Queries that would make an engine reach http://127.0.0.1:{port}/, in every spelling we know of."""
    url = f"http://127.0.0.1:{port}/"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}sparql> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o .SERVICE<{url}sparql>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?o) ?s ?p 1SERVICE <{url}sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}> SELECT * WHERE {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
        f"PREFIX : <{url}> SELECT * WHERE {{ BIND(1 AS ?o) FILTER(?o<'>') SERVICE:sparql {{ ?s ?p ?o }} #'\n}}",
        f"SELECT * WHERE {{ SERVICE#comment\n<{url}sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/\\u0073parql> {{ ?s ?p ?o }} }}",
        f"LOAD <{url}data.ttl>",
        f"LOAD <{url}data.ttl> INTO GRAPH <{BASE}id/graph/x>",
    ]


def graph_naming_queries(port: int) -> list[str]:
    """Queries whose dataset names a graph at http://127.0.0.1:{port}/: an empty graph, never fetched."""
    url = f"http://127.0.0.1:{port}/"
    return [f"SELECT * FROM <{url}graph> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{url}graph> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"PREFIX remote: <{url}> SELECT * FROM remote:graph WHERE {{ ?s ?p ?o }}"]


def test_oxigraph_itself_would_connect_to_a_service(listener):
    """The control: without the endpoint's check, the engine does reach out."""
    port = listener.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"

    def run() -> None:
        try:
            list(ox.Store().query(query))
        except OSError:
            pass

    threading.Thread(target=run, daemon=True).start()
    assert connected(listener, 10)


def test_no_request_makes_the_server_connect_anywhere(endpoint, listener):
    port = listener.getsockname()[1]
    for query in fetching_queries(port):
        for response in (requests.get(endpoint, params={"query": query}),
                         requests.post(endpoint, data={"query": query}),
                         requests.post(endpoint, data=query.encode(),
                                       headers={"Content-Type": "application/sparql-query"})):
            assert response.status_code == 400, (query, response.status_code, response.text)
            assert response.text.strip(), query
    for query in graph_naming_queries(port):
        response = requests.get(endpoint, params={"query": query}, headers={"Accept": JSON})
        assert response.status_code == 200, (query, response.text)
        assert response.json()["results"]["bindings"] == []
    for parameter in ("default-graph-uri", "named-graph-uri"):
        response = requests.get(endpoint, headers={"Accept": JSON},
                                params={"query": "ASK { ?s ?p ?o }", parameter: f"http://127.0.0.1:{port}/graph"})
        assert response.status_code == 200
        assert response.json()["boolean"] is False
    # Any fetch would have happened while the query ran, before its answer: nothing may be waiting now.
    assert not connected(listener, 0.5)


@pytest.mark.parametrize("keyword, query", [
    ("SERVICE", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
    ("LOAD", "LOAD <http://example.org/data.ttl>"),
])
def test_a_refusal_says_why(endpoint, keyword, query):
    response = requests.get(endpoint, params={"query": query})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert keyword in response.text
    assert "fetch" in response.text or "outbound" in response.text


# --- Read-only ------------------------------------------------------------------------------------------

UPDATE = f"PREFIX ex: <http://example.org/> INSERT DATA {{ GRAPH <{BASE}id/graph/x> {{ ex:a ex:b ex:c }} }}"


def test_an_update_is_refused_however_it_is_sent(endpoint):
    for response in (
        requests.post(endpoint, data={"update": UPDATE}),
        requests.post(endpoint, data=UPDATE.encode(), headers={"Content-Type": "application/sparql-update"}),
        requests.get(endpoint, params={"update": UPDATE}),
        requests.get(endpoint, params={"query": UPDATE}),
        requests.post(endpoint, data={"query": "DELETE WHERE { ?s ?p ?o }"}),
        requests.post(endpoint, data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 403, response.text
        assert "read-only" in response.text


def test_the_data_is_unchanged_after_an_update_was_refused(endpoint):
    ask = {"query": "ASK { <http://example.org/a> ?p ?o }"}
    requests.post(endpoint, data={"update": UPDATE})
    requests.post(endpoint, data={"query": UPDATE})
    assert requests.get(endpoint, params=ask, headers={"Accept": "application/sparql-results+json"}).json()[
        "boolean"] is False


# --- Size ------------------------------------------------------------------------------------------------

def test_an_oversized_request_is_413(endpoint, built):
    padding = "#" + "x" * built.max_request_bytes + "\n"
    form = requests.post(endpoint, data={"query": padding + "ASK {}"})
    direct = requests.post(endpoint, data=(padding + "ASK {}").encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert (form.status_code, direct.status_code) == (413, 413)
    assert requests.post(endpoint, data={"query": "#" + "x" * 1000 + "\nASK {}"}).status_code == 200


def test_an_oversized_url_is_refused(endpoint):
    response = requests.get(endpoint, params={"query": "#" + "x" * 20_000 + "\nASK {}"})
    assert response.status_code == 414


# --- The check itself, against Oxigraph's parser -----------------------------------------------------------

def parses(query: str) -> bool:
    """Whether Oxigraph accepts the query (it runs on an empty store; port 1 is refused by Oxigraph itself)."""
    try:
        result = ox.Store().query(query, base_iri=BASE, prefixes=NAMES.prefixes())
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except SyntaxError:
        return False
    except (OSError, RuntimeError):
        return True   # parsed, then failed to reach the service
    return True


def check(query: str):
    return inspect(query, base=BASE, prefixes=NAMES.prefixes(), graphs=[BASE + "id/graph/a"])


ENDPOINT = "<http://127.0.0.1:1/sparql>"
P = "PREFIX : <http://127.0.0.1:1/> "
TRICKS = {
    "lowercase": "select * where { service " + ENDPOINT + " { ?s ?p ?o } }",
    "after a dot": "SELECT * WHERE { ?s ?p ?o .SERVICE" + ENDPOINT + "{ ?s ?p ?o } }",
    "after a brace": "SELECT * WHERE { {?s ?p ?o}SERVICE" + ENDPOINT + "{ ?s ?p ?o } }",
    "glued to a number": "SELECT * WHERE { ?s ?p 1SERVICE " + ENDPOINT + " { ?s ?p ?o } }",
    "glued to true": "SELECT * WHERE { ?s ?p trueSERVICE " + ENDPOINT + " { ?s ?p ?o } }",
    "a prefixed name's prefix": P + "SELECT * WHERE { ?s ?p ?o . SERVICE:x{ ?s ?p ?o } }",
    "after true, a prefixed name": P + "SELECT * WHERE { ?s ?p trueSERVICE:x{ ?s ?p ?o } }",
    "inside a prefix": "PREFIX x: <http://127.0.0.1:1/> SELECT * WHERE { SERVICEx:y { ?s ?p ?o } }",
    "less-than a string": "SELECT * WHERE { ?s ?p ?o FILTER(?o<'>') SERVICE " + ENDPOINT + " { ?s ?p ?o } #'\n}",
    "less-than, then a comment": P + "SELECT * WHERE { ?s ?p ?o FILTER(?o<1)SERVICE:x#>\n{ ?s ?p ?o } }",
    "less-than, a comment, a long string": P + "SELECT * WHERE { ?s ?p ?o FILTER(?o<1#>'''\n) SERVICE:x "
                                               "{ ?s ?p ?o } #'''\n}",
    "an escaped quote in a local name": "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a\\'b ?o . SERVICE "
                                        + ENDPOINT + " { ?s ?p ?o } #'\n}",
    "a comment between": "SELECT * WHERE { SERVICE#c\n" + ENDPOINT + " { ?s ?p ?o } }",
    "a variable endpoint": "SELECT * WHERE { VALUES ?e { " + ENDPOINT + " } SERVICE ?e { ?s ?p ?o } }",
    "FROM NAMED glued": "SELECT * FROMNAMED <http://e/g> WHERE { ?s ?p ?o }",
    "less-than, a variable endpoint, a comment": "SELECT * WHERE { VALUES ?v { " + ENDPOINT + " } ?s ?p ?o "
                                                 "FILTER(?o<?x)SERVICE?v#>\n{ ?s ?p ?o } }",
    "less-than, a comment, the endpoint": "SELECT * WHERE { ?s ?p ?o FILTER(?o<?x).SERVICE#>\n" + ENDPOINT
                                          + " { ?s ?p ?o } }",
}


@pytest.mark.parametrize("name", TRICKS)
def test_the_check_refuses_what_the_parser_reads_as_a_fetch(name):
    query = TRICKS[name]
    assert parses(query), "the trick must be a query Oxigraph accepts"
    with pytest.raises(Refused) as refused:
        check(query)
    assert refused.value.status == 400


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p \"SERVICE <http://e/> { ?s ?p ?o }\" }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://e/> { } LOAD <http://e/> FROM <http://e/>",
    "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> SELECT * WHERE { ?s a sd:Service }",
    "SELECT ?service ?from WHERE { ?service schema:serviceType ?from ; schema:fromLocation ?load }",
    "PREFIX download: <http://example.org/> SELECT * WHERE { ?s download:url ?o }",
    "SELECT * WHERE { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?t FILTER(CONTAINS(?t, 'from')) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 'service') }",
    f"SELECT * FROM <{BASE}id/graph/a> FROM NAMED <id/graph/a> WHERE {{ ?s ?p ?o }}",
    "PREFIX g: <http://localhost:8080/id/graph/> SELECT * FROM g:a WHERE { ?s ?p ?o }",
    # IRIs that hold the words after another IRI, where '<' could compare: no live keyword can hide in them.
    "SELECT * WHERE { VALUES ?x { <http://a/> <http://www.w3.org/ns/sparql-service-description#NamedGraph> } }",
    f"SELECT * WHERE {{ <{BASE}sparql> <http://www.w3.org/ns/sparql-service-description#endpoint> ?e }}",
    "SELECT * WHERE { ?s <http://e/p#load> <http://e/q#from> }",
])
def test_the_check_passes_queries_that_only_mention_the_keywords(query):
    assert parses(query)
    assert check(query).form == "SELECT"


def test_the_check_reads_the_querys_dataset():
    inspection = check(f"BASE <{BASE}id/> SELECT * FROM <graph/a> FROM NAMED <{BASE}id/graph/a> WHERE {{ }}")
    assert (inspection.default, inspection.named) == ((BASE + "id/graph/a",), (BASE + "id/graph/a",))


@pytest.mark.parametrize("query, form", [
    ("PREFIX ex: <http://e/> BASE <http://b/> ASK {}", "ASK"), ("construct where { ?s ?p ?o }", "CONSTRUCT"),
    ("# a comment\nDESCRIBE <http://e/x>", "DESCRIBE"),
])
def test_the_check_tells_the_query_form(query, form):
    assert check(query).form == form


def test_a_hostile_query_gets_an_answer_not_a_failure(endpoint):
    for hostile in ("(" * 500_000, "'''" + "''x" * 100_000, "SELECT " + "?from " * 100_000, "<" * 500_000):
        response = requests.post(endpoint, data=hostile.encode(), headers={"Content-Type": "application/sparql-query"})
        assert 400 <= response.status_code < 500 or response.status_code == 503, response.status_code


def test_the_quick_keyword_check_finds_what_the_regular_expression_finds():
    """policy._mentions_watched lowers ASCII text instead of running WATCHED: each ASCII character in each
    place of each keyword, and texts that are not ASCII (where 'ſ' stands for 's'), must be judged alike."""
    from lodpub.sparql.policy import WATCHED, _mentions_watched

    texts = [word[:i] + chr(c) + word[i + 1:] for word in ("service", "load", "from", "SeRvIcE")
             for i in range(len(word)) for c in range(128)]
    texts += ["ſervice", "ſ", "Ｆrom", "select * where { ?s ?p 'ünïcode' }", "LOAD", "fRoM", ""]
    for text in texts:
        assert _mentions_watched(text) == (WATCHED.search(text) is not None), text
