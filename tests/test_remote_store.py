"""Serving from an external store: RemoteStore speaks the SPARQL 1.1 Protocol to a real Oxigraph server and
answers exactly as the embedded store does; our checks run before anything is forwarded; a store that
refuses, stalls or fails gives a clear error, and credentials are sent but never shown."""

from __future__ import annotations

import base64

import pyoxigraph as ox
import pytest
import requests

from lodpub.publish import publish
from lodpub.store import Credentials, Dataset, RemoteStore, Solutions, StoreError, StoreTimeout, Triples
from lodpub.vocab import Names

from .conftest import BASE, LiveServer, OxigraphServer
from .loopback import LoopbackServer

NAMES = Names(BASE)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(scope="module")
def remote(oxigraph) -> RemoteStore:
    return RemoteStore(oxigraph.query_url, BASE, timeout=10)


def rows(result) -> set[tuple]:
    assert isinstance(result, Solutions)
    return {tuple(row) for row in result.rows}


def number(result) -> int:
    (row,) = rows(result)
    return int(row[0].value)


def canonical(triples) -> ox.Dataset:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


# --- The same answers as the embedded store -----------------------------------------------------------------

def test_select_gives_the_same_terms_as_the_embedded_store(store, remote):
    # Every IRI and literal of the data: languages, datatypes and exact lexical forms must survive the trip.
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }"
    embedded = rows(store.query(query))
    assert len(embedded) > 1000
    assert rows(remote.query(query)) == embedded
    languages = {o.language for _, _, o in embedded if isinstance(o, ox.Literal) and o.language}
    datatypes = {o.datatype.value for _, _, o in embedded if isinstance(o, ox.Literal)}
    assert languages and len(datatypes) >= 3, "the comparison covers tagged and typed literals"


def test_unbound_variables_stay_unbound(store, remote):
    query = ("SELECT ?s ?label WHERE { ?s a <http://schema.org/Person> OPTIONAL { ?s <http://example.org/none> "
             "?label } }")
    answer = remote.query(query)
    assert answer.variables == ["s", "label"]
    found = rows(answer)
    assert found == rows(store.query(query))
    assert found and all(label is None for _, label in found)


def test_each_graph_constructed_is_the_same_graph_blank_nodes_included(store, remote):
    for graph in store.graph_names():
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        embedded, served = store.query(query), remote.query(query)
        assert isinstance(served, Triples)
        assert canonical(served.triples) == canonical(embedded.triples), graph


def test_ask_answers_a_boolean(remote):
    assert remote.query(f"ASK {{ <{NAMES.dataset}> ?p ?o }}") is True
    assert remote.query("ASK { <http://example.org/nothing> ?p ?o }") is False


def test_prefixes_and_base_are_declared_as_the_embedded_store_takes_them(store, remote):
    query = "SELECT ?o WHERE { <dataset> dcterms:title ?o }"
    answer = rows(remote.query(query, base_iri=BASE, prefixes=NAMES.prefixes()))
    assert answer and answer == rows(store.query(query, base_iri=BASE, prefixes=NAMES.prefixes()))
    # A prefix the query declares itself wins over ours, as with the embedded store.
    own = "PREFIX dcterms: <http://example.org/not-dcterms/> SELECT ?o WHERE { <dataset> dcterms:title ?o }"
    assert rows(remote.query(own, base_iri=BASE, prefixes=NAMES.prefixes())) == set()
    assert rows(store.query(own, base_iri=BASE, prefixes=NAMES.prefixes())) == set()


def test_graph_names_are_lodpubs_graphs(store, remote):
    assert remote.graph_names() == store.graph_names()
    assert {NAMES.ontology, NAMES.shapes, NAMES.dataset} <= set(remote.graph_names())


# --- The default graph: the union of the named graphs, however the store is set up --------------------------

@pytest.mark.parametrize("union", ["native", "explicit"])
def test_the_default_graph_is_the_union_of_the_named_graphs(store, oxigraph, union):
    remote = RemoteStore(oxigraph.query_url, BASE, union=union)
    assert number(remote.query(COUNT)) == number(store.query(COUNT))
    assert rows(remote.query(COUNT_GRAPHS)) == rows(store.query(COUNT_GRAPHS))


@pytest.mark.parametrize("union", ["native", "explicit"])
def test_a_querys_own_dataset_is_honoured(store, oxigraph, union):
    remote = RemoteStore(oxigraph.query_url, BASE, union=union)
    first, second = store.graph_names()[:2]
    for dataset in (Dataset(default=(first,)), Dataset(default=(first, second)), Dataset(named=(second,)),
                    Dataset(default=(first,), named=(second,))):
        assert number(remote.query(COUNT, dataset)) == number(store.query(COUNT, dataset)), dataset
        assert rows(remote.query(COUNT_GRAPHS, dataset)) == rows(store.query(COUNT_GRAPHS, dataset)), dataset


def test_auto_finds_a_union_default_graph(oxigraph):
    remote = RemoteStore(oxigraph.query_url, BASE)
    remote.query("ASK {}")
    assert remote.union == "native"


def test_auto_names_the_graphs_where_the_default_graph_is_not_the_union(store, built, tmp_path):
    plain = OxigraphServer(tmp_path, union=False, persistent=False)
    try:
        publish(built, plain.store_url)
        # A graph that is not lodpub's: not listed, and not in lodpub's default graph.
        requests.put(plain.store_url, params={"graph": "http://example.org/other"}, data=b"<x:a> <x:b> <x:c> .",
                     headers={"Content-Type": "application/n-triples"}).raise_for_status()
        remote = RemoteStore(plain.query_url, BASE)
        assert number(remote.query(COUNT)) == number(store.query(COUNT))
        assert remote.union == "explicit"
        assert remote.graph_names() == store.graph_names()
        # Without our dataset's graph in it, the store holds no lodpub data: say so.
        with pytest.raises(StoreError, match="holds no lodpub dataset.*lodpub publish"):
            RemoteStore(plain.query_url, "http://elsewhere.example/").query("ASK {}")
    finally:
        plain.stop()


# --- Our checks first; the store's refusals and failures -----------------------------------------------------

def empty_results(handler, seen) -> None:
    handler.reply(200, b'{"head":{"vars":["g"]},"results":{"bindings":[]}}',
                  {"Content-Type": "application/sparql-results+json"})


@pytest.mark.parametrize("query, status", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", 400),
    ("SELECT * WHERE { ?s ?p ?o .SERVICE<http://127.0.0.1:1/sparql> { ?s ?p ?o } }", 400),
    ("INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }", 403),
    ("LOAD <http://127.0.0.1:1/data.ttl>", 400),
    ("SELECT * WHERE " + "{" * 2500 + "}" * 2500, 400),
    ("SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o = 1"] * 50_000) + ") }", 400),
])
def test_a_refused_query_is_never_forwarded(built, loopback, query, status):
    """The endpoint inspects a query once, before any store sees it: a remote store gets only what passed."""
    store = loopback(empty_results)
    live = LiveServer(built, "--store", store.url + "query", "--store-union", "native")
    try:
        response = requests.post(live.url + "sparql", data={"query": query})   # a form: no URL length limit
    finally:
        live.stop()
    assert response.status_code == status
    forwarded = [q for seen in store.seen for q in seen.params.get("query", [])]
    assert not any(word in q for q in forwarded for word in ("SERVICE", "INSERT", "LOAD", "{{{", "||")), forwarded


def test_a_graph_the_store_does_not_hold_is_never_named_to_it(built, loopback):
    """FROM a graph that is not ours is an empty graph: the store is asked about an empty one instead."""
    store = loopback(empty_results)
    live = LiveServer(built, "--store", store.url + "query", "--store-union", "native")
    try:
        response = requests.get(live.url + "sparql", params={
            "query": "SELECT * FROM <http://example.org/remote-graph> WHERE { ?s ?p ?o }"})
    finally:
        live.stop()
    assert response.status_code == 200
    sent = [seen for seen in store.seen if "query" in seen.params]
    assert sent and all("http://example.org/remote-graph" not in v for seen in sent
                        for key in ("default-graph-uri", "named-graph-uri") for v in seen.params.get(key, []))


def test_a_malformed_query_is_reported_where_the_embedded_store_reports_it(store, remote):
    multiline = "PREFIX ex: <http://e/>\nSELECT ?x WHERE {\n  ?x ex:p ?y .\n  FILTER(\n}"
    for query in ("SELECT * WHERE { ?s ?p }", multiline):
        with pytest.raises(SyntaxError) as embedded:
            store.query(query, base_iri=BASE, prefixes=NAMES.prefixes())
        with pytest.raises(SyntaxError) as served:
            remote.query(query, base_iri=BASE, prefixes=NAMES.prefixes())
        assert str(served.value) == str(embedded.value)


@pytest.mark.parametrize("status", [401, 403])
def test_a_store_refusing_our_credentials_names_itself_and_the_status_never_the_secret(loopback, status):
    store = loopback(lambda handler, seen: handler.reply(status, b"go away"))
    secret = "s3cr3t-pa55word"
    remote = RemoteStore(store.url + "query", BASE, credentials=Credentials(user="alice", password=secret))
    with pytest.raises(StoreError) as error:
        remote.query("ASK {}")
    message = str(error.value)
    assert str(status) in message and store.url in message and "alice" in message
    assert secret not in message and secret not in repr(remote) and secret not in repr(remote.credentials)
    sent = store.seen[0].headers["authorization"]
    assert sent == "Basic " + base64.b64encode(f"alice:{secret}".encode()).decode()


def test_a_token_is_sent_as_a_bearer(loopback):
    store = loopback(lambda handler, seen: handler.reply(401))
    with pytest.raises(StoreError, match="401 Unauthorized with a bearer token"):
        RemoteStore(store.url, BASE, credentials=Credentials.from_env({"LODPUB_STORE_TOKEN": "t0k"})).query("ASK {}")
    assert store.seen[0].headers["authorization"] == "Bearer t0k"


def test_an_unreachable_store_is_a_store_error():
    closed = LoopbackServer(empty_results)
    closed.stop()
    with pytest.raises(StoreError, match=f"could not reach the store at {closed.url}"):
        RemoteStore(closed.url, BASE).query("ASK {}")


def test_a_store_that_does_not_answer_in_time_is_a_timeout(loopback):
    store = loopback(lambda handler, seen: handler.server.released.wait(30))
    with pytest.raises(StoreTimeout):
        RemoteStore(store.url, BASE, timeout=1).query("ASK {}")


def test_a_store_that_stalls_half_way_through_its_answer_is_a_timeout(loopback):
    def stall(handler, seen):
        if "GRAPH ?g" in seen.params["query"][0]:
            return empty_results(handler, seen)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/sparql-results+json")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        handler.wfile.write(b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://e/1"}},')
        handler.wfile.flush()
        handler.server.released.wait(30)

    store = loopback(stall)
    answer = RemoteStore(store.url, BASE, timeout=1, union="native").query("SELECT ?s WHERE { ?s ?p ?o }")
    with pytest.raises(StoreTimeout):
        list(answer.rows)


def test_a_store_answering_in_a_format_we_do_not_read_is_a_store_error(loopback):
    store = loopback(lambda handler, seen: handler.reply(200, b"<html></html>", {"Content-Type": "text/html"}))
    with pytest.raises(StoreError, match="answered in text/html"):
        RemoteStore(store.url, BASE).query("ASK {}")


# --- Serving over a store that fails -------------------------------------------------------------------------

def test_a_server_over_a_failing_store_answers_503_and_keeps_the_store_to_itself(built, loopback, monkeypatch):
    secret = "pa55-w0rd-never-shown"
    store = loopback(lambda handler, seen: handler.reply(401, b"bad credentials"))
    monkeypatch.setenv("LODPUB_STORE_USER", "lodpub")
    monkeypatch.setenv("LODPUB_STORE_PASSWORD", secret)
    live = LiveServer(built, "--store", store.url + "query")
    try:
        for path, accept in (("doc/person/mike-pompeo", "text/turtle"),
                             ("sparql?query=ASK%20%7B%7D", "application/sparql-results+json")):
            response = requests.get(live.url + path, headers={"Accept": accept})
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert store.url not in response.text and secret not in response.text
        page = requests.get(live.url + "doc/person/mike-pompeo")
        assert page.status_code == 503 and page.headers["Retry-After"], "a client may come back later"
        query = requests.get(live.url + "sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert query.status_code == 503 and query.headers["Retry-After"]
        assert store.seen, "the server did ask the store"
        assert all(seen.headers["authorization"].startswith("Basic ") for seen in store.seen)
    finally:
        live.stop()
    log = open(live.log.name).read()
    assert "401" in log and store.url in log, "the log says which store failed, and how"
    assert secret not in log


def test_a_slow_store_is_a_503_and_the_worker_serves_on(built, loopback):
    """The remote store's own time limit ends the query; the worker that asked is not recycled for it."""
    def slow(handler, seen):
        if "GRAPH ?g" in seen.params.get("query", [""])[0]:
            return empty_results(handler, seen)
        handler.server.released.wait(30)

    store = loopback(slow)
    live = LiveServer(built, "--store", store.url + "query", "--query-timeout", "1", "--store-union", "native")
    try:
        response = requests.get(live.url + "sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"},
                                headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "time limit" in response.text
    finally:
        store.released.set()
        live.stop()
    assert "exits after answering" not in open(live.log.name).read(), "no worker was recycled"
