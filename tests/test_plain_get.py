"""A plain GET read and answered by the worker itself (lodpub.plain_get), every other request by gunicorn.

What is plain is checked against requests gunicorn must keep (malformed, with a body, from a proxy); the environ
and the bytes of the answer are compared with gunicorn's own, for the same request bytes, over a socket pair
(gunicorn's parser, `wsgi.create` and `Response`, as its sync worker runs them); and the live server is asked the
same request twice, once whole (plain) and once with its head sent in two parts (gunicorn reads those).
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.http import get_parser, wsgi
from gunicorn.sock import TCPSocket

from lodpub import plain_get
from lodpub.server import WokenAlone

from .conftest import LiveServer

CFG = Config()
REFUSED = plain_get.ALWAYS_REFUSED | {name.upper() for name in CFG.secure_scheme_headers}
REMOTE = ("127.0.0.1", 50123)
SERVER = ("127.0.0.1", "8080")

PLAIN = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /sparql?query=ASK+%7B%7D HTTP/1.1\r\nHost: localhost:8080\r\nAccept: application/sparql-results+json"
    b"\r\nUser-Agent: curl/8\r\nAccept-Encoding: gzip, deflate\r\nConnection: close\r\n\r\n",
    b"GET /id/person/caf%C3%A9?x=1&y=%20 HTTP/1.0\r\nAccept:text/turtle;q=0.9 ,  */*;q=0.1  \r\n\r\n",
    b"GET /doc/a HTTP/1.1\r\nHost: x\r\nReferer: http://example.org/\r\nX-Forwarded-For: 10.0.0.1\r\n"
    b"If-None-Match: \"abc\"\r\nOrigin: null\r\n\r\n",
]

NOT_PLAIN = {
    "a POST": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    "a HEAD": b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
    "a lower-case method": b"get / HTTP/1.1\r\nHost: x\r\n\r\n",
    "HTTP/2.0": b"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
    "HTTP/9.9": b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    "no version": b"GET /\r\n\r\n",
    "garbage": b"GARBAGE\r\n\r\n",
    "a target that is not a path": b"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",
    "a target starting with //": b"GET //x/y HTTP/1.1\r\nHost: x\r\n\r\n",
    "a fragment": b"GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n",
    "a space in the target": b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
    "a NUL in the target": b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    "a field without a colon": b"GET / HTTP/1.1\r\nHost: x\r\nBroken header line\r\n\r\n",
    "a space before the colon": b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    "an underscore in a name": b"GET / HTTP/1.1\r\nHost: x\r\nX_Forwarded_For: 1.2.3.4\r\n\r\n",
    "a field twice": b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    "a field twice in other cases": b"GET / HTTP/1.1\r\nAccept: a/b\r\naccept: c/d\r\n\r\n",
    "a body's length": b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    "a zero length": b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    "a chunked body": b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "an expectation": b"GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
    "an upgrade": b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n",
    "a proxy's scheme": b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n\r\n",
    "a byte outside ASCII": b"GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\xc3\xa9\r\n\r\n",
    "a control character": b"GET / HTTP/1.1\r\nHost: x\r\nX-Name: a\x01b\r\n\r\n",
    "a bare LF": b"GET / HTTP/1.1\nHost: x\n\n",
    "a bare CR": b"GET / HTTP/1.1\rHost: x\r\n\r\n",
    "an obsolete line folding": b"GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n",
    "a head not yet whole": b"GET / HTTP/1.1\r\nHost: x\r\n",
    "a second request after it": b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "a head over the limit": b"GET /" + b"a" * plain_get.MAX_HEAD + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "more fields than the limit": b"GET / HTTP/1.1\r\n"
                                  + b"".join(b"X-H%d: v\r\n" % i for i in range(plain_get.MAX_FIELDS + 1)) + b"\r\n",
}


@pytest.mark.parametrize("head", PLAIN)
def test_a_plain_get_is_read(head):
    assert plain_get.read_plain(head, REFUSED) is not None


@pytest.mark.parametrize("case", NOT_PLAIN)
def test_every_other_request_is_left_to_gunicorn(case):
    assert plain_get.read_plain(NOT_PLAIN[case], REFUSED) is None, case


def test_at_the_limits_a_request_is_still_plain():
    fields = b"".join(b"X-H%d: v\r\n" % i for i in range(plain_get.MAX_FIELDS))
    assert plain_get.read_plain(b"GET / HTTP/1.1\r\n" + fields + b"\r\n", REFUSED) is not None
    line = b"GET /" + b"a" * (plain_get.MAX_HEAD - 20) + b" HTTP/1.1\r\n\r\n"
    assert len(line) <= plain_get.MAX_HEAD and plain_get.read_plain(line, REFUSED) is not None


# --- The same request, read and answered by gunicorn and by plain_get ----------------------------------------

def by_gunicorn(head: bytes, app) -> tuple[dict, bytes]:
    """gunicorn's environ for the request, and the bytes it writes for the application's answer."""
    ours, theirs = socket.socketpair()
    with ThreadPoolExecutor(1) as reader, theirs, ours:    # on a failure, `ours` closes first: the reader ends
        theirs.sendall(head)
        answer = reader.submit(read_all, theirs)
        request = next(get_parser(CFG, ours, REMOTE))
        response, environ = wsgi.create(request, ours, REMOTE, SERVER, CFG)
        response.force_close()
        body = app(environ, response.start_response)
        if isinstance(body, environ["wsgi.file_wrapper"]):
            response.write_file(body)
        else:
            for part in body:
                response.write(part)
        response.close()
        getattr(body, "close", lambda: None)()
        ours.shutdown(socket.SHUT_WR)
        return environ, answer.result(timeout=30)


def by_plain(head: bytes, app) -> tuple[dict, bytes]:
    ours, theirs = socket.socketpair()
    with ThreadPoolExecutor(1) as reader, theirs, ours:
        answer = reader.submit(read_all, theirs)
        request = plain_get.read_plain(head, REFUSED)
        environ = plain_get.environ_of(request, wsgi.base_environ(CFG), ours, REMOTE, SERVER)
        plain_get.answer(app, environ, ours, plain_get.Answered(environ["SERVER_PROTOCOL"]))
        ours.shutdown(socket.SHUT_WR)
        return environ, answer.result(timeout=30)


def read_all(connection: socket.socket) -> bytes:
    parts = []
    while part := connection.recv(65536):
        parts.append(part)
    return b"".join(parts)


def undated(answer: bytes) -> bytes:
    return re.sub(rb"\r\nDate: [^\r]*\r\n", b"\r\nDate: -\r\n", answer, count=1)


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "6")])
    return [b"hello\n"]


def streamed(environ, start_response):
    """No length given: chunked over HTTP/1.1, as it comes over HTTP/1.0."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return (part for part in (b"one ", b"", b"two ", b"three"))


def not_modified(environ, start_response):
    start_response("304 NOT MODIFIED", [("ETag", '"x"')])
    return []


def with_hop_by_hop(environ, start_response):
    start_response("404 NOT FOUND", [("Content-Type", "text/plain"), ("Content-Length", "2"),
                                     ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
                                     ("X-Padded", "  value\t"), ("X_Underscored", "kept")])
    return iter([b"no"])


def split_response(environ, start_response):
    """A header value that would end the head and start another: gunicorn refuses it, and so does plain_get."""
    start_response("200 OK", [("Content-Length", "2"), ("X-Evil", "a\r\n\r\nHTTP/1.1 200 OK")])
    return [b"ok"]


def test_a_header_that_would_split_the_answer_is_refused():
    with pytest.raises(ValueError):
        by_plain(PLAIN[0], split_response)
    with pytest.raises(Exception, match="X-Evil"):
        by_gunicorn(PLAIN[0], split_response)


def legacy_write(environ, start_response):
    write = start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "11")])
    write(b"hello ")
    return [b"world"]


def a_file(environ, start_response):
    data = tempfile.TemporaryFile()
    data.write(b"x" * 300_000 + b"end")
    data.seek(0)
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", "300003")])
    return environ["wsgi.file_wrapper"](data, 8192)


def echo_environ(environ, start_response):
    shown = sorted((k, v) for k, v in environ.items() if isinstance(v, str))
    body = repr(shown).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.mark.parametrize("head", PLAIN)
def test_the_environ_is_gunicorns(head):
    theirs, _ = by_gunicorn(head, hello)
    ours, _ = by_plain(head, hello)
    objects = ("wsgi.input", "wsgi.errors", "gunicorn.socket", "wsgi.early_hints")
    assert {k: v for k, v in ours.items() if k not in objects} == \
           {k: v for k, v in theirs.items() if k not in objects}
    assert ours["wsgi.input"].read() == theirs["wsgi.input"].read() == b""
    assert set(ours) - {"wsgi.early_hints"} == set(theirs) - {"wsgi.early_hints"}


@pytest.mark.parametrize("app", [hello, streamed, not_modified, with_hop_by_hop, legacy_write, a_file, echo_environ])
@pytest.mark.parametrize("head", [PLAIN[1], PLAIN[2]], ids=["HTTP/1.1", "HTTP/1.0"])
def test_the_answer_is_written_as_gunicorn_writes_it(head, app):
    _, theirs = by_gunicorn(head, app)
    _, ours = by_plain(head, app)
    assert undated(ours) == undated(theirs)
    assert b"\r\nDate: " in ours


@pytest.mark.parametrize("head", PLAIN)
def test_the_access_log_line_is_gunicorns_in_its_default_format(head):
    log = Logger(CFG)
    request = plain_get.read_plain(head, REFUSED)
    environ = plain_get.environ_of(request, wsgi.base_environ(CFG), None, REMOTE, SERVER)
    answered = plain_get.Answered(request.protocol)
    answered.start("404 NOT FOUND", [("Content-Type", "text/plain"), ("Content-Length", "9")])
    answered.sent = 9
    atoms = log.atoms_wrapper_class(log.atoms(answered, request, environ, timedelta(milliseconds=3)))
    assert CFG.access_log_format == plain_get.COMBINED
    theirs = CFG.access_log_format % atoms
    ours = plain_get.access_line(request, answered, environ)
    assert re.sub(r"\[[^]]+\]", "[t]", ours, count=1) == re.sub(r"\[[^]]+\]", "[t]", theirs, count=1)


# --- The worker: which requests it answers itself --------------------------------------------------------------

def test_the_worker_answers_a_plain_get_itself_and_leaves_every_other_request_to_gunicorn():
    """gunicorn's environ has `wsgi.early_hints`, plain_get's has not: that tells who read each request."""
    read_by_gunicorn = []

    def app(environ, start_response):
        read_by_gunicorn.append("wsgi.early_hints" in environ)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    cfg = Config()
    log = Logger(cfg)
    listener = TCPSocket(("127.0.0.1", 0), cfg, log)
    worker = WokenAlone(0, os.getpid(), [listener], None, 30, cfg, log)
    worker.wsgi = app
    worker.prepare_plain()
    heads = [PLAIN[0], NOT_PLAIN["a HEAD"], NOT_PLAIN["a zero length"], PLAIN[2], NOT_PLAIN["a proxy's scheme"]]
    try:
        for head in heads:
            with socket.create_connection(listener.getsockname(), timeout=30) as client, \
                    ThreadPoolExecutor(1) as serving:
                client.sendall(head)
                connection, address = listener.accept()
                connection.setblocking(True)
                served = serving.submit(worker.handle, listener, connection, address)
                answer = read_all(client)
                client.close()
                served.result(timeout=30)
            assert answer.startswith((b"HTTP/1.1 200 OK", b"HTTP/1.0 200 OK")), answer
    finally:
        listener.close()
    assert read_by_gunicorn == [False, True, True, False, True]


# --- The live server ----------------------------------------------------------------------------------------

def ask(server: LiveServer, head: bytes, split: bool) -> bytes:
    """The answer's bytes; with `split`, the head is sent in two parts, so that the worker's peek sees half of
    it and gunicorn reads the request."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        if split:
            connection.sendall(head[:10])
            time.sleep(0.2)
            connection.sendall(head[10:])
        else:
            connection.sendall(head)
        return read_all(connection)


@pytest.mark.parametrize("target, accept", [
    ("/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Chttp%3A%2F%2Fschema.org%2FPerson%3E%20%7D%20"
     "ORDER%20BY%20%3Fs", "application/sparql-results+json"),
    ("/doc/person/mike-pompeo", "text/turtle"),
    ("/doc/person/mike-pompeo", "text/html"),
    ("/id/person/mike-pompeo", "text/html"),
    ("/no/such/thing", "text/html"),
    ("/dumps/lodpub.nt", "*/*"),
])
def test_the_live_server_answers_a_plain_get_as_gunicorn_does(server, target, accept):
    head = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\nUser-Agent: plain-test\r\n\r\n"
    by_gunicorn_answer = ask(server, head.encode(), split=True)
    plain_answer = ask(server, head.encode(), split=False)
    assert undated(plain_answer) == undated(by_gunicorn_answer)
    assert plain_answer.startswith((b"HTTP/1.1 200", b"HTTP/1.1 303", b"HTTP/1.1 404"))


def test_a_plain_get_is_in_the_access_log(server):
    ask(server, b"GET /?logged=plain HTTP/1.1\r\nHost: x\r\nReferer: http://r/\r\nUser-Agent: ua/1\r\n\r\n", False)
    deadline = time.monotonic() + 10
    pattern = re.compile(r'127\.0\.0\.1 - - \[[^]]+\] "GET /\?logged=plain HTTP/1\.1" 200 \d+ "http://r/" "ua/1"')
    while not pattern.search(open(server.log.name).read()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pattern.search(open(server.log.name).read())
