"""Publishing a build into an external store (SPARQL 1.1 Graph Store HTTP Protocol), as a user runs it:
`lodpub publish --to URL`. One named graph per source, plus ontology, shapes and dataset, each replaced whole;
transient failures retried; a failure says where and why, names the store and status, never the secret, and
leaves no graph half-loaded. And the dumps load into a store as they are."""

from __future__ import annotations

import base64
import csv
import io
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import rdflib
import requests

from lodpub.publish import publishing_order
from lodpub.store import EmbeddedStore
from lodpub.vocab import VOID, Names

from .conftest import BASE, ROOT, OxigraphServer, oxigraph_binary
from .loopback import Forwarder

NAMES = Names(BASE)
JSON = "application/sparql-results+json"
MARKER = b"<urn:lodpub:test> <urn:lodpub:old> \"the graph as it was\" .\n"


def lodpub(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LODPUB_STORE_")}
    return subprocess.run([sys.executable, "-m", "lodpub.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**environment, **(env or {})}, timeout=300)


def select(query_url: str, query: str) -> list[dict[str, str]]:
    response = requests.post(query_url, data={"query": query}, headers={"Accept": JSON})
    response.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def graph_sizes(query_url: str) -> dict[str, int]:
    rows = select(query_url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: int(row["n"]) for row in rows}


def expected_sizes(store: EmbeddedStore) -> dict[str, int]:
    sizes = {}
    for graph in store.graph_names():
        (row,) = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows
        sizes[graph] = int(row[0].value)
    return sizes


def stated_triples(dist: Path) -> int:
    void = rdflib.Graph().parse(dist / "void.ttl", format="turtle")
    return int(void.value(rdflib.URIRef(NAMES.dataset), rdflib.URIRef(VOID + "triples")))


def put(store_url: str, graph: str, body: bytes) -> None:
    requests.put(store_url, params={"graph": graph}, data=body,
                 headers={"Content-Type": "application/n-triples"}).raise_for_status()


@pytest.fixture
def fresh(tmp_path):
    """An empty Oxigraph server of its own (in memory), for a test that changes what a store holds."""
    server = OxigraphServer(tmp_path, persistent=False)
    yield server
    server.stop()


# --- What a publish loads ------------------------------------------------------------------------------------

def test_one_graph_per_source_plus_ontology_shapes_and_dataset_each_whole(oxigraph, store):
    sizes = graph_sizes(oxigraph.query_url)
    assert sizes == expected_sizes(store)
    assert {NAMES.ontology, NAMES.shapes, NAMES.dataset} <= set(sizes)
    assert any(graph.startswith(BASE + "id/graph/") for graph in sizes), "a graph per source document"


def test_the_published_data_holds_the_triples_void_states(oxigraph, built):
    data_graphs = " ".join(f"<{g}>" for g in graph_sizes(oxigraph.query_url)
                           if g not in (NAMES.shapes, NAMES.dataset))
    (row,) = select(oxigraph.query_url, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
                                        f"VALUES ?g {{ {data_graphs} }} GRAPH ?g {{ ?s ?p ?o }} }} }}")
    assert int(row["n"]) == stated_triples(built.dist_dir)


def test_publishing_replaces_each_graph_whole_and_leaves_other_graphs_alone(fresh, built, store):
    some_graph = store.graph_names()[0]
    put(fresh.store_url, some_graph, MARKER)                       # what an earlier publish left
    put(fresh.store_url, "http://example.org/not-ours", MARKER)     # someone else's graph
    result = lodpub("publish", "--to", fresh.store_url, "--dist", str(built.dist_dir))
    assert result.returncode == 0, result.stderr
    assert f"published {len(store.graph_names())} graphs" in result.stdout
    sizes = graph_sizes(fresh.query_url)
    assert sizes == {**expected_sizes(store), "http://example.org/not-ours": 1}
    assert select(fresh.query_url, f"SELECT ?o WHERE {{ GRAPH <{some_graph}> {{ ?s <urn:lodpub:old> ?o }} }}") == []


def test_a_graph_the_new_build_no_longer_has_is_deleted_and_no_one_elses(fresh, built, store, tmp_path):
    """Publish a build with two documents, then one without the second: its graph leaves the store."""
    import shutil

    from lodpub.build import build

    from .conftest import FIXTURES, project_settings

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    for path in (FIXTURES / "data").iterdir():
        shutil.copy(path, data / path.name)
    bigger = project_settings(tmp_path / "dist", data_dir=data, cache_dir=tmp_path / "cache")
    build(bigger)
    extra = sorted(set(EmbeddedStore(bigger.store_dir).graph_names()) - set(store.graph_names()))
    assert extra, "the fixture document brings a graph of its own"
    put(fresh.store_url, "http://example.org/not-ours", MARKER)
    assert lodpub("publish", "--to", fresh.store_url, "--dist", str(bigger.dist_dir)).returncode == 0
    assert set(extra) <= set(graph_sizes(fresh.query_url))

    result = lodpub("publish", "--to", fresh.store_url, "--dist", str(built.dist_dir))
    assert result.returncode == 0, result.stderr
    assert f"deleted {len(extra)} graphs this build no longer has" in result.stdout
    assert graph_sizes(fresh.query_url) == {**expected_sizes(store), "http://example.org/not-ours": 1}


def test_the_turtle_dump_loads_with_oxigraph_load_and_with_rdflib_to_the_count_void_states(built, tmp_path):
    dump = built.dumps_dir / "lodpub.ttl"
    stated = stated_triples(built.dist_dir)
    location = tmp_path / "loaded"
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(dump)], check=True,
                   capture_output=True, timeout=120)
    counted = subprocess.run([oxigraph_binary(), "query", "--location", str(location), "--query",
                              "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--results-format", "csv"],
                             check=True, capture_output=True, text=True, timeout=120)
    (row,) = list(csv.DictReader(io.StringIO(counted.stdout)))
    assert int(row["n"]) == stated
    assert len(rdflib.Graph().parse(dump, format="turtle")) == stated


def test_the_nquads_dump_loads_with_oxigraph_load_one_graph_per_source(built, store, tmp_path):
    location = tmp_path / "loaded"
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file",
                    str(built.dumps_dir / "lodpub.nq")], check=True, capture_output=True, timeout=120)
    counted = subprocess.run([oxigraph_binary(), "query", "--location", str(location), "--query",
                              "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                              "--results-format", "csv"], check=True, capture_output=True, text=True, timeout=120)
    loaded = {row["g"]: int(row["n"]) for row in csv.DictReader(io.StringIO(counted.stdout))}
    # The dump holds the data graphs (sources and ontology); the store also holds shapes and dataset description.
    expected = {g: n for g, n in expected_sizes(store).items() if g not in (NAMES.shapes, NAMES.dataset)}
    assert loaded == expected


# --- Failures: clear, retried when transient, never half-loaded ---------------------------------------------

def test_a_store_that_cannot_be_reached_is_named_after_the_retries(built):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/store"   # bound, not listening: refused
        result = lodpub("publish", "--to", url, "--dist", str(built.dist_dir), "--retries", "2", "--backoff", "0")
    assert result.returncode == 1
    assert f"publishing to {url} stopped" in result.stderr
    assert "connection refused" in result.stderr and "after 3 attempts" in result.stderr
    assert result.stderr.count("retrying:") == 2
    assert "0 of" in result.stderr and "Traceback" not in result.stderr


def test_a_url_that_is_no_graph_store_says_so(oxigraph, built):
    url = oxigraph.url + "no-such-endpoint"
    result = lodpub("publish", "--to", url, "--dist", str(built.dist_dir), "--retries", "0")
    assert result.returncode == 1
    assert "404" in result.stderr and url in result.stderr and "Graph Store Protocol" in result.stderr
    not_http = lodpub("publish", "--to", "ftp://example.org/store", "--dist", str(built.dist_dir))
    assert not_http.returncode == 1 and "not an http(s) URL" in not_http.stderr


def test_credentials_in_the_url_are_refused_and_not_repeated(built):
    result = lodpub("publish", "--to", "http://editor:hunter2-in-url@127.0.0.1:1/store", "--dist",
                    str(built.dist_dir))
    assert result.returncode == 1 and "LODPUB_STORE_USER" in result.stderr
    assert "hunter2-in-url" not in result.stdout + result.stderr
    served = lodpub("serve", "--dist", str(built.dist_dir), "--store", "http://editor:hunter2-in-url@127.0.0.1:1/q")
    assert served.returncode == 2 and "LODPUB_STORE_USER" in served.stderr
    assert "hunter2-in-url" not in served.stdout + served.stderr


@pytest.mark.parametrize("status, env, sent", [
    (401, {"LODPUB_STORE_USER": "editor", "LODPUB_STORE_PASSWORD": "correct-horse-battery"},
     "Basic " + base64.b64encode(b"editor:correct-horse-battery").decode()),
    (403, {"LODPUB_STORE_TOKEN": "tok-3f9a8b7c"}, "Bearer tok-3f9a8b7c"),
])
def test_refused_credentials_name_the_url_and_status_never_the_secret(built, loopback, status, env, sent):
    store = loopback(lambda handler, seen: handler.reply(status, b"no"))
    url = store.url + "store"
    result = lodpub("publish", "--to", url, "--dist", str(built.dist_dir), "--backoff", "0", env=env)
    assert result.returncode == 1
    assert f"{status} " in result.stderr and url in result.stderr
    puts = [seen for seen in store.seen if seen.method == "PUT"]
    assert len(puts) == 1, "an authentication failure is not retried"
    assert all(seen.headers["authorization"] == sent for seen in puts), "the credentials were sent"
    # A user and password are first offered to no one: a GET without them asks which scheme the store wants.
    assert all(seen.headers.get("authorization") in (None, sent) for seen in store.seen)
    secret = env.get("LODPUB_STORE_PASSWORD") or env["LODPUB_STORE_TOKEN"]
    assert secret not in result.stdout + result.stderr
    assert base64.b64encode(secret.encode()).decode() not in result.stdout + result.stderr


def test_transient_failures_are_retried_until_the_store_takes_the_graph(fresh, built, store, loopback):
    forward = Forwarder(fresh.url)
    answers = iter([(503, {}), (429, {"Retry-After": "0"}), (502, {})])

    def flaky(handler, seen):
        status = next(answers, None) if seen.method == "PUT" else None
        if status is None:
            return forward(handler, seen)
        handler.reply(status[0], b"busy", status[1])

    proxy = loopback(flaky)
    result = lodpub("publish", "--to", proxy.url + "store", "--dist", str(built.dist_dir), "--backoff", "0")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("retrying:") == 3
    assert "503" in result.stderr and "429" in result.stderr and "502" in result.stderr
    assert graph_sizes(fresh.query_url) == expected_sizes(store)


def test_a_store_failing_mid_way_leaves_no_graph_half_loaded(fresh, built, store, loopback):
    graphs = publishing_order(store.graph_names(), NAMES)
    assert len(graphs) >= 3
    for graph in graphs:
        put(fresh.store_url, graph, MARKER)
    broken = graphs[1]
    cut: list[tuple[int, int]] = []
    forward = Forwarder(fresh.url)

    def cut_half_way(handler, seen):
        if unquote(seen.path).endswith("graph=" + broken):
            # Send the store the headers and half the body, then break off, as a failing network does.
            with socket.create_connection(("127.0.0.1", fresh.port)) as upstream:
                upstream.sendall(f"PUT {seen.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                 f"application/n-triples\r\nContent-Length: {len(seen.body)}\r\n\r\n".encode())
                upstream.sendall(seen.body[:len(seen.body) // 2])
            cut.append((len(seen.body) // 2, len(seen.body)))
            return handler.reply(502, b"upstream connection lost")
        return forward(handler, seen)

    proxy = loopback(cut_half_way)
    result = lodpub("publish", "--to", proxy.url + "store", "--dist", str(built.dist_dir), "--retries", "1",
                    "--backoff", "0")
    assert result.returncode == 1
    assert f"stopped at graph <{broken}>" in result.stderr and "502" in result.stderr
    assert f"1 of {len(graphs)} graphs were replaced" in result.stderr
    assert cut and all(0 < sent < total for sent, total in cut), "the store did get half a graph, twice"

    expected, held = expected_sizes(store), graph_sizes(fresh.query_url)
    old = select(fresh.query_url, "SELECT ?g WHERE { GRAPH ?g { ?s <urn:lodpub:old> ?o } }")
    still_old = {row["g"] for row in old}
    assert held[graphs[0]] == expected[graphs[0]] and graphs[0] not in still_old, "the first graph is new"
    for graph in graphs[1:]:
        assert held[graph] == 1 and graph in still_old, f"{graph} is as it was, not half-loaded"
