"""GET /sparql answered before Flask (web/sparql_direct.py), driven as gunicorn's sync worker drives it.

The middleware must answer exactly as the application would, and leave to it every request it does not take. So
each test asks both: the middleware, over the real application (wrapped to count how often it is asked), and the
application itself. The time limit's watchdog (sparql/limits.run_watched) runs in a process of its own, since it
ends the process; the live server's time limit is tested in test_sparql_time_limit_and_cap.py.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from urllib.parse import urlencode

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from lodpub.web import create_app
from lodpub.web.sparql import NATIVE_TRIED
from lodpub.web.sparql_direct import DirectSparql, only_query

from .conftest import BASE

JSON = "application/sparql-results+json"
NAME = "<http://schema.org/name>"
PERSON = "<http://schema.org/Person>"


class Counted:
    """The application's own WSGI callable (Flask's, without the middleware), counting the requests it gets."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return Flask.wsgi_app(self.app, environ, start_response)


@pytest.fixture(scope="module")
def client_socket():
    ours, theirs = socket.socketpair()
    yield ours
    ours.close()
    theirs.close()


def middleware(settings):
    app = create_app(settings)
    counted = Counted(app)
    return DirectSparql(counted, app.extensions["lodpub"]), counted


def environ(query_string: str, accept: str | None, client, method: str = "GET", **extra) -> dict:
    headers = {"Accept": accept} if accept else {}
    built = EnvironBuilder(path="/sparql", method=method, query_string=query_string, headers=headers,
                           **extra).get_environ()
    if client is not None:
        built["gunicorn.socket"] = client       # as gunicorn's sync worker sets them
    built["wsgi.multithread"] = False
    return built


def call(app, env: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    body = b"".join(app(env, start_response))
    return seen["status"], list(seen["headers"]), body


@pytest.mark.parametrize("query, accept", [
    (f"SELECT ?s ?name WHERE {{ ?s a {PERSON} ; {NAME} ?name }} ORDER BY ?s", JSON),
    ("ASK { ?s ?p ?o }", JSON),
    (f"SELECT ?s WHERE {{ ?s a {PERSON} }} ORDER BY ?s", None),           # no Accept: JSON, the first offer
    (f"SELECT ?s WHERE {{ ?s a {PERSON} }} ORDER BY ?s", "*/*"),
    (f"CONSTRUCT {{ ?s {NAME} ?name }} WHERE {{ ?s a {PERSON} ; {NAME} ?name }}", "application/n-triples"),
    (f"SELECT ?p ?o WHERE {{ <{BASE}id/person/mike-pompeo> ?p ?o }}", "application/json, */*;q=0.5"),
])
def test_the_common_request_is_answered_before_flask_as_flask_answers_it(built, client_socket, query, accept):
    direct, application = middleware(built)
    found = call(direct, environ(urlencode({"query": query}), accept, client_socket))
    assert application.calls == 0, "answered before Flask"
    status, headers, body = found
    assert status == "200 OK" and len(body) > 20
    assert found == call(application, environ(urlencode({"query": query}), accept, client_socket))


@pytest.mark.parametrize("case, query_string, accept, status", [
    ("another parameter", urlencode({"query": "ASK {}", "format": "json"}), None, "200"),
    ("a browser", urlencode({"query": "ASK {}"}), "text/html", "200"),
    ("a format Oxigraph does not write", urlencode({"query": "ASK {}"}), "application/sparql-results+xml", "200"),
    ("a FROM, for the policy to read", urlencode({"query": f"ASK FROM <{BASE}id/graph/pompeo-soleimani-letter> "
                                                           "{ ?s ?p ?o }"}), JSON, "200"),
    ("a SERVICE", urlencode({"query": "ASK { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}), JSON, "400"),
    ("an update", urlencode({"query": "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"}), JSON, "403"),
    ("a malformed query", urlencode({"query": "SELECT ?s WHERE { ?s"}), JSON, "400"),
    ("no query: the service description, not in JSON", "", JSON, "406"),
    ("an escape that may spell a keyword", urlencode({"query": "ASK { ?s ?p '\\u0053ERVICE' }"}), JSON, "200"),
])
def test_every_other_request_goes_to_the_application(built, client_socket, case, query_string, accept, status):
    direct, application = middleware(built)
    found = call(direct, environ(query_string, accept, client_socket))
    assert application.calls == 1, case
    assert found[0].startswith(status), (case, found)
    assert found == call(application, environ(query_string, accept, client_socket)), case


def test_a_post_and_a_server_without_the_socket_go_to_the_application(built, client_socket):
    direct, application = middleware(built)
    call(direct, environ("", JSON, client_socket, method="POST", data={"query": "ASK {}"}))
    call(direct, environ(urlencode({"query": "ASK {}"}), JSON, None))
    assert application.calls == 2


def test_an_answer_over_the_cap_is_left_to_the_application_which_cuts_it(built, client_socket):
    direct, application = middleware(built.replace(result_cap=3))
    env = environ(urlencode({"query": f"SELECT ?s WHERE {{ ?s a {PERSON} }}"}), JSON, client_socket)
    status, headers, body = call(direct, env)
    assert application.calls == 1 and env[NATIVE_TRIED], "tried natively once, then the application's way"
    assert status == "200 OK" and ("X-Lodpub-Truncated", "true") in headers


@pytest.mark.parametrize("query_string, query", [
    ("query=ASK+%7B%7D", "ASK {}"),
    ("query=SELECT%20%2A%20WHERE%20%7B%3Fs%20%3Fp%20%27a%26b%27%7D", "SELECT * WHERE {?s ?p 'a&b'}"),
    ("query=ASK+%7B%7D&format=json", None),
    ("format=json&query=ASK+%7B%7D", None),
    ("query=%FF", None),                      # not UTF-8: the application says so
    ("", None),
])
def test_only_a_url_whose_one_parameter_is_the_query_is_taken(query_string, query):
    assert only_query(query_string) == query


# --- The watchdog, in a process of its own (it ends the process) -------------------------------------------

WATCHED = textwrap.dedent("""
    import sys, time
    from lodpub.sparql import limits
    work = {"quick": lambda: "done", "slow": lambda: time.sleep(30)}[sys.argv[1]]
    print(limits.run_watched(work, 0.5, lambda: print("overdue", flush=True)), flush=True)
    print("the process went on", flush=True)
""")


def test_the_watchdog_answers_and_ends_the_process_past_the_limit():
    """The work sleeps 30 s, past the limit of 0.5 s: `overdue` is called and the process ends, so that the
    work's value is never printed (subprocess.run's timeout only keeps a broken watchdog from hanging the suite)."""
    slow = subprocess.run([sys.executable, "-c", WATCHED, "slow"], capture_output=True, text=True, timeout=120)
    assert slow.stdout == "overdue\n" and slow.returncode == 0, slow
    assert "time limit" in slow.stderr


def test_the_watchdog_lets_work_within_the_limit_return():
    quick = subprocess.run([sys.executable, "-c", WATCHED, "quick"], capture_output=True, text=True, timeout=20)
    assert quick.stdout == "done\nthe process went on\n" and quick.returncode == 0, quick
