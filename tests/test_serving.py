"""What a client of `lodpub serve` meets at the HTTP level: slow clients, huge bodies, HEAD and OPTIONS, the
charset and percent-encoding the SPARQL Protocol asks for, one content negotiation, and fairness between heavy
SPARQL and entity documents. Real processes, real sockets; outcomes, never durations."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from .conftest import LiveServer

WORKERS = 2
# Each worker runs this many queries at once. Granian hands a connection to whichever worker accepts it, so every
# heavy query of a test may land on one worker: one fewer heavy queries than its slots leaves a lookup a slot there.
SLOTS = 3
JSON = "application/sparql-results+json"
LIMIT = 1_000_000          # Settings.max_request_bytes
# Heavy enough to run past any test: the cartesian product of the seed data with itself, three times.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def live(built):
    server = LiveServer(built, "--workers", str(WORKERS), "--query-slots", str(SLOTS), "--query-timeout", "60",
                        "--no-access-log")
    yield server
    server.stop()


def raw(port: int, head: bytes, body_chunks=(), read: bool = True) -> bytes:
    """One request over a socket of our own: the head, then each chunk as sent; the whole answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    try:
        sock.sendall(head)
        for chunk in body_chunks:
            try:
                sock.sendall(chunk)
            except OSError:    # the server answered and closed before reading it all: what it said counts
                break
        answer = b""
        while read and (data := sock.recv(65536)):
            answer += data
        return answer
    finally:
        sock.close()


def chunked(data: bytes, size: int = 65536):
    for start in range(0, len(data), size):
        piece = data[start:start + size]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


# --- Slow clients -------------------------------------------------------------------------------------------

def test_slow_header_connections_do_not_hold_the_site(live):
    """4 x workers connections that send their headers a line at a time, and a normal request is answered."""
    stop = threading.Event()
    slow: list[socket.socket] = []
    for _ in range(4 * WORKERS):
        sock = socket.create_connection(("127.0.0.1", live.port))
        sock.sendall(b"GET /doc/person/mike-pompeo HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        slow.append(sock)

    def trickle() -> None:
        n = 0
        while not stop.wait(0.5):
            n += 1
            for sock in slow:
                try:
                    sock.sendall(f"X-Slow-{n}: a\r\n".encode())
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        for accept in ("text/turtle", "text/html", "application/ld+json"):
            response = requests.get(live.url + "doc/person/mike-pompeo", headers={"Accept": accept}, timeout=30)
            assert response.status_code == 200
        response = requests.get(live.url + "sparql", params={"query": "ASK { ?s ?p ?o }"},
                                headers={"Accept": JSON}, timeout=30)
        assert response.json()["boolean"] is True
    finally:
        stop.set()
        thread.join()
        for sock in slow:
            sock.close()


# --- Bodies over the limit ------------------------------------------------------------------------------------

def over_limit_query() -> bytes:
    """A query that, cut at the limit, would still parse and run as another query (LIMIT 1 for LIMIT 1000)."""
    head = b"SELECT ?s WHERE { ?s ?p ?o } #"
    return head + b"x" * (LIMIT - len(head) - 8) + b"\nLIMIT 1000"


@pytest.mark.parametrize("content_type, body", [
    ("application/sparql-query", over_limit_query()),
    ("application/x-www-form-urlencoded", b"query=" + over_limit_query()),
])
def test_a_chunked_body_over_the_limit_is_413_and_nothing_runs(live, content_type, body):
    assert len(body) > LIMIT
    head = (f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nAccept: {JSON}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    answer = raw(live.port, head, chunked(body))
    assert status_of(answer) == 413, answer[:300]
    assert b"limit" in answer.partition(b"\r\n\r\n")[2]
    assert b"bindings" not in answer


def test_a_body_over_the_limit_with_its_length_is_413(live):
    response = requests.post(live.url + "sparql", data=over_limit_query(),
                             headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    assert response.status_code == 413


def test_a_chunked_body_within_the_limit_runs(live):
    head = (f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            f"Accept: {JSON}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    answer = raw(live.port, head, chunked(b"SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", size=7))
    assert status_of(answer) == 200
    assert answer.count(b'"s":') == 3


# --- HEAD and OPTIONS -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["sparql", "sparql?" + urlencode({"query": "ASK {}"}), "doc/person/mike-pompeo",
                                  "ontology", "dataset", ""])
def test_head_answers_every_get_resource_without_a_body(live, path):
    got = requests.get(live.url + path, headers={"Accept": "text/turtle, application/sparql-results+json"})
    head = requests.head(live.url + path, headers={"Accept": "text/turtle, application/sparql-results+json"})
    assert got.status_code == 200 and head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"]


@pytest.mark.parametrize("path", ["sparql", "doc/person/mike-pompeo"])
def test_options_lists_head(live, path):
    response = requests.options(live.url + path, headers={"Origin": "https://example.org",
                                                         "Access-Control-Request-Method": "GET"})
    assert response.status_code in (200, 204)
    allowed = response.headers.get("Allow") or response.headers["Access-Control-Allow-Methods"]
    assert "HEAD" in {m.strip() for m in allowed.split(",")}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- Charset and percent-encoding -----------------------------------------------------------------------------

def test_a_direct_post_in_another_charset_is_refused(live):
    response = requests.post(live.url + "sparql", data="ASK { ?s ?p 'é' }".encode("latin-1"),
                             headers={"Content-Type": "application/sparql-query; charset=iso-8859-1"})
    assert response.status_code == 415
    assert "UTF-8" in response.text


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_percent_encoding_that_is_not_utf8_is_refused(live, method):
    encoded = "query=ASK%20%7B%20%3Fs%20%3Fp%20%27%E9%27%20%7D"    # 'é' in Latin-1: %E9
    if method == "GET":
        response = requests.get(live.url + "sparql?" + encoded, headers={"Accept": JSON})
    else:
        response = requests.post(live.url + "sparql", data=encoded, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": JSON})
    assert response.status_code == 400
    assert "UTF-8" in response.text


def test_utf8_percent_encoding_is_read(live):
    response = requests.get(live.url + "sparql?query=ASK%20%7B%20FILTER(%27%C3%A9%27%20%3D%20%27%C3%A9%27)%20%7D",
                            headers={"Accept": JSON})
    assert response.json()["boolean"] is True


# --- One negotiation -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, accept, media_type", [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/*", "text/csv"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/*", "application/n-triples"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/csv;q=.5, application/sparql-results+xml;q=0.4", "text/csv"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "application/json", JSON),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/json", "application/ld+json"),
])
def test_sparql_answers_follow_the_one_negotiation_table(live, query, accept, media_type):
    response = requests.get(live.url + "sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type


@pytest.mark.parametrize("accept, media_type", [
    ("text/turtle;q=.5, application/ld+json;q=0.4", "text/turtle"),
    ("application/ld+json;q=.5, text/turtle;q=.4", "application/ld+json"),
    ("application/json", "application/ld+json"),
    ("text/n3", "text/turtle"),
    ("text/*", "text/html"),
    ("text/html;q=0, */*", "text/turtle"),
])
def test_documents_follow_the_one_negotiation_table(live, accept, media_type):
    response = requests.get(live.url + "doc/person/mike-pompeo", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_the_answer_cache_keys_on_the_negotiated_representation_not_on_headers(built):
    """CORS is the same for every origin, and Accept headers that choose the same representation are one key:
    fifty origins and spellings are one cached answer each, never fifty."""
    from lodpub.web import create_app

    app = create_app(built)
    try:
        client, cache = app.test_client(), app.extensions["lodpub"]["cache"]
        first = client.get("/doc/person/mike-pompeo", headers={"Accept": "text/turtle, text/plain;q=0.5"})
        kept = len(cache._entries)
        for n in range(50):
            response = client.get("/doc/person/mike-pompeo", headers={
                "Accept": f"text/turtle;q=0.{n % 9 + 1}, text/plain;q=0.0{n % 9 + 1}",
                "Origin": f"https://site-{n}.example", "User-Agent": f"agent {n}"})
            assert response.data == first.data
            assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert len(cache._entries) == kept
        client.get("/doc/person/mike-pompeo", headers={"Accept": "application/ld+json"})
        assert len(cache._entries) > kept     # another representation is another answer
    finally:
        app.extensions["lodpub"]["queries"].close()


# --- Fairness -------------------------------------------------------------------------------------------------

def test_heavy_queries_leave_documents_and_lookups_answered(live):
    """Heavy queries that keep the CPUs busy, wherever they land: documents and a lookup are answered while they
    run."""
    heavy_at_once = SLOTS - 1
    answers: list[int] = []

    def heavy(n: int) -> None:
        try:
            response = requests.get(live.url + "sparql", params={"query": f"{HEAVY} # {n}"},
                                    headers={"Accept": JSON}, timeout=120)
            answers.append(response.status_code)
        except requests.RequestException:
            answers.append(0)

    threads = [threading.Thread(target=heavy, args=(n,), daemon=True) for n in range(heavy_at_once)]
    for thread in threads:
        thread.start()
    assert wait_for_query_processes(live, heavy_at_once), "the heavy queries never started"
    paths = ["doc/person/mike-pompeo.html", "doc/person/qassem-soleimani.ttl", "ontology.ttl"]
    for path in paths:
        assert requests.get(live.url + path, timeout=60).status_code == 200
    lookup = requests.get(live.url + "sparql", timeout=60, headers={"Accept": JSON}, params={
        "query": "SELECT ?p ?o WHERE { <http://localhost:8080/id/person/mike-pompeo> ?p ?o } # fair"})
    assert lookup.status_code == 200 and lookup.json()["results"]["bindings"]
    assert not answers, "the heavy queries were still running while the others were answered"


def test_a_query_process_that_dies_costs_only_its_own_request(live):
    """As if the engine crashed on a query: its process dies; that request gets a 500 that says so, the
    others are answered, and the next query finds a fresh process."""
    import os
    import signal

    outcome: dict = {}

    def heavy() -> None:
        outcome["response"] = requests.get(live.url + "sparql", params={"query": f"{HEAVY} # crash"},
                                           headers={"Accept": JSON}, timeout=120)

    thread = threading.Thread(target=heavy, daemon=True)
    before = set(busy_query_processes(live))
    thread.start()
    deadline = time.monotonic() + 60
    while not (running := set(busy_query_processes(live)) - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert running, "the heavy query never started"
    for pid in running:
        os.kill(pid, signal.SIGKILL)
    thread.join(60)
    response = outcome["response"]
    assert response.status_code == 500
    assert "engine" in response.text and "Traceback" not in response.text
    assert requests.get(live.url + "doc/person/mike-pompeo.ttl").status_code == 200
    after = requests.get(live.url + "sparql", params={"query": "ASK { ?s ?p ?o } # after the crash"},
                         headers={"Accept": JSON})
    assert after.json()["boolean"] is True


def busy_query_processes(server: LiveServer) -> list[int]:
    """Query processes (python -m lodpub.sparql.processes) under the server that are using the CPU now."""
    found = []
    for pid in descendants(server.process.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"lodpub.sparql.processes" in cmdline and state == "R":
            found.append(pid)
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found.extend(children)
            todo.extend(children)
    return found


def wait_for_query_processes(server: LiveServer, count: int) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(busy_query_processes(server)) >= count:
            return True
        time.sleep(0.1)
    return False


# --- The house ------------------------------------------------------------------------------------------------

def test_the_server_does_not_import_the_build_pipeline():
    import subprocess
    import sys

    pipeline = ["lodpub.build", "lodpub.dumps", "lodpub.validate", "lodpub.sources", "lodpub.enrich"]
    code = ("import sys, lodpub.server, lodpub.web, lodpub.web.sparql, lodpub.sparql.processes; "
            f"print([m for m in {pipeline!r} if m in sys.modules])")
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert imported.stdout.strip() == "[]"


def test_nothing_in_src_writes_to_a_socket():
    """HTTP is the server's: no module of ours opens or writes a socket."""
    source = Path(__file__).resolve().parent.parent / "src" / "lodpub"
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import socket" not in text and ".sendall(" not in text, path


# --- Datasets in the protocol ------------------------------------------------------------------------------------

ELSEWHERE = "http://example.org/not-a-graph-of-ours"


@pytest.mark.parametrize("query, params", [
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"default-graph-uri": ELSEWHERE}),
    (f"SELECT (COUNT(*) AS ?n) FROM <{ELSEWHERE}> WHERE {{ ?s ?p ?o }}", {}),
    ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": ELSEWHERE}),
    (f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ELSEWHERE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
])
def test_a_graph_the_store_does_not_hold_is_empty(live, query, params):
    """SPARQL 1.1 Query 13.2, Protocol 2.1.4: an empty graph, never an error and never fetched."""
    response = requests.get(live.url + "sparql", params={"query": query, **params}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"


def test_the_protocols_dataset_overrides_from(live):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ELSEWHERE}> WHERE {{ ?s ?p ?o }}"
    graphs = requests.get(live.url + "sparql", headers={"Accept": JSON}, params={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}).json()["results"]["bindings"]
    ours = graphs[0]["g"]["value"]
    response = requests.get(live.url + "sparql", params={"query": query, "default-graph-uri": ours},
                            headers={"Accept": JSON})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 0
