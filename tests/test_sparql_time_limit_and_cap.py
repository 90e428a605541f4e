"""Every query has a time limit and a result cap: a long query is stopped and answered with 503 while the other
requests go on being served, and a result cut at the cap says so, in every format.

These run against a server of their own, started as a user would with `--query-timeout 1 --result-cap 5`.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import rdflib
import requests

from lodpub.config import Settings

from .conftest import LiveServer

CAP = 5
WORKERS = 3   # LiveServer's --workers
SLOTS = Settings.query_slots
SCHEMA = "http://schema.org/"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MANY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
MANY_TRIPLES = "CONSTRUCT WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def limited(built):
    live = LiveServer(built, "--query-timeout", "1", "--result-cap", str(CAP))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def endpoint(limited) -> str:
    return limited.url + "sparql"


def query_processes(server: LiveServer) -> set[int]:
    """The query processes (python -m lodpub.sparql.processes) under the server, and the worker processes."""
    from .test_serving import descendants

    found = set()
    for pid in descendants(server.process.pid):
        try:
            if b"lodpub.sparql.processes" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def raw_request(port: int, path: str) -> tuple[socket.socket, float]:
    """Send a GET over a socket of our own, so that we know when it has been sent."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n"
                 "Connection: close\r\n\r\n".encode())
    return sock, time.monotonic()


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    sock.close()
    return b"".join(chunks)


# --- The time limit ------------------------------------------------------------------------------------------

@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads query processes from /proc")
def test_a_long_query_is_stopped_at_the_limit_while_others_are_answered(limited, endpoint):
    """The engine's work really stops: the query process that ran it is gone once the 503 is sent, and the
    server's workers, and every other request, go on."""
    deadline = time.monotonic() + 120     # every worker's query processes started
    while len(query_processes(limited)) < WORKERS * SLOTS and time.monotonic() < deadline:
        time.sleep(0.2)
    workers_before = set(children(limited.process.pid))
    long_query, sent = raw_request(limited.port, "/sparql?" + urlencode({"query": CARTESIAN}))
    running: set[int] = set()
    answer: dict = {}

    def wait_for_the_long_one() -> None:
        answer["raw"] = read_all(long_query)
        answer["at"] = time.monotonic()

    waiting = threading.Thread(target=wait_for_the_long_one)
    waiting.start()
    answered_meanwhile = []
    n = 0
    while waiting.is_alive():
        running |= {pid for pid in query_processes(limited) if alive(pid)}
        started = time.monotonic()
        n += 1
        response = requests.get(endpoint, params={"query": f"ASK {{ ?s ?p ?o }} # {n}"},
                                headers={"Accept": "application/sparql-results+json"})
        if "at" not in answer:
            answered_meanwhile.append((started, response.status_code, response.json()["boolean"]))
    waiting.join()

    head, _, body = answer["raw"].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503"), head
    assert b"time limit of 1 s" in body
    headers = {line.split(b":", 1)[0].lower(): line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")[1:]}
    assert headers[b"content-type"].startswith(b"text/plain") and headers[b"access-control-allow-origin"] == b"*"
    assert headers[b"retry-after"].isdigit()
    assert int(headers[b"content-length"]) == len(body)
    assert any(started > sent and status == 200 and value is True for started, status, value in answered_meanwhile)
    # The process that ran the long query was killed before the 503 was sent; the workers are the same.
    assert running and any(not alive(pid) for pid in running)
    assert set(children(limited.process.pid)) == workers_before
    assert requests.get(endpoint, params={"query": "ASK {}"}).status_code == 200


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_the_time_limit_is_said_in_the_page_for_browsers(endpoint):
    response = requests.get(endpoint, params={"query": CARTESIAN, "format": "html"})
    assert response.status_code == 503
    assert "text/html" in response.headers["Content-Type"]
    assert "time limit of 1 s" in response.text
    assert "?a ?b ?c" in response.text      # the query stays in the editor


# --- The result cap --------------------------------------------------------------------------------------------

def assert_cut(response: requests.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["X-Lodpub-Truncated"] == "true"
    assert response.headers["X-Lodpub-Result-Cap"] == str(CAP)
    assert response.headers["Warning"].startswith("199 ")
    assert f"first {CAP}" in response.headers["Warning"]


def get(endpoint: str, query: str, accept: str) -> requests.Response:
    return requests.get(endpoint, params={"query": query}, headers={"Accept": accept})


def test_a_result_at_the_cap_is_not_cut(endpoint):
    response = get(endpoint, MANY + f" LIMIT {CAP}", "application/sparql-results+json")
    assert len(response.json()["results"]["bindings"]) == CAP
    assert "link" not in response.json()["head"]
    assert "X-Lodpub-Truncated" not in response.headers
    assert response.headers["X-Lodpub-Result-Cap"] == str(CAP)


@pytest.mark.parametrize("fmt, media_type", [("json", "application/sparql-results+json"),
                                             ("xml", "application/sparql-results+xml"),
                                             ("tsv", "text/tab-separated-values"), ("csv", "text/csv")])
def test_a_cut_select_says_so_and_stays_valid(endpoint, fmt, media_type):
    response = get(endpoint, MANY, media_type)
    assert_cut(response)
    again = get(endpoint, MANY, media_type)      # answered from the cache now: it still says so
    assert_cut(again)
    assert again.content == response.content
    assert len(rdflib.query.Result.parse(io.BytesIO(response.content), format=fmt).bindings) == CAP
    if fmt == "xml":   # a link in the head, and a comment
        assert "<!-- result truncated" in response.text
        assert '<link href="http://localhost:8080/sparql#result-cap"/>' in response.text
    if fmt == "json":
        assert response.json()["head"]["link"] == ["http://localhost:8080/sparql#result-cap"]
    assert 'rel="describedby"' in response.headers["Link"]


@pytest.mark.parametrize("media_type, rdflib_format, comment", [
    ("text/turtle", "turtle", "# result truncated"), ("application/n-triples", "nt", "# result truncated"),
    ("application/rdf+xml", "xml", "<!-- result truncated"), ("application/ld+json", "json-ld", None),
])
def test_a_cut_graph_says_so_and_stays_valid(endpoint, media_type, rdflib_format, comment):
    response = get(endpoint, MANY_TRIPLES, media_type)
    assert_cut(response)
    assert len(rdflib.Graph().parse(data=response.content, format=rdflib_format)) == CAP
    if comment:
        assert comment in response.text


def test_a_cut_result_says_so_in_the_page(endpoint):
    response = requests.get(endpoint, params={"query": MANY, "format": "html"})
    assert_cut(response)
    assert "result truncated" in response.text
    assert response.text.count("<tr><td>") == CAP


def test_the_service_description_states_the_limits(endpoint):
    response = requests.get(endpoint, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    service = rdflib.URIRef("http://localhost:8080/sparql")
    assert graph.value(service, rdflib.URIRef(str(service) + "#resultCap")).toPython() == CAP
    assert float(graph.value(service, rdflib.URIRef(str(service) + "#queryTimeout"))) == 1.0
