"""Sending bad requests: odd paths, huge or malformed headers, bad parameters. Each gets a 4xx with a
message (or, for headers we may ignore, a normal answer), never a 500 and never a trace."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
import requests

from .linkeddata import get

DOC = "doc/person/mike-pompeo"


def raw_request(server, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (no client tidies them up) and read the status code and the answer."""
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split(b" ", 2)[1]), answer


def no_trace(body: bytes) -> None:
    assert b"Traceback" not in body and b'File "' not in body


ODD_PATHS = [
    "/id/", "/doc/", "/id//", "/doc//person//mike-pompeo", "/id/person/mike%20pompeo", "/id/%3Cscript%3E",
    "/id/a%22b", "/id/a%7Bb%7D", "/id/%00", "/doc/%00.ttl", "/doc/person/mike-pompeo%0d%0aX-Evil:%201",
    "/id/" + "a" * 5000, "/doc/person/" + "%F0%9F%98%80" * 50, "/id/%ff%fe", "/doc/person/mike-pompeo.",
    "/doc/person/mike-pompeo..ttl", "/doc/.ttl", "/id/../../etc/passwd", "/doc/person/mike-pompeo/../../x",
    "/ontology.xyz", "/ontology.", "/dataset.exe", "/list?class=%00", "/list?class=" + "x" * 5000,
    "/list?class=http://schema.org/Person&page=0", "/list?class=http://x.org/%3E%20%7D", "/search?q=%00",
    "/search?q=" + "%22" * 100, "/search?page=-1&q=a", "/nothing-here", "/static/../build.json",
    "/doc/person/mike-pompeo?page=%00", "/doc/person/mike-pompeo?page=1e3", "/.well-known/void.ttl",
]


@pytest.mark.parametrize("path", ODD_PATHS, ids=[p[:40] for p in ODD_PATHS])
def test_odd_paths_and_parameters_are_4xx_never_500(server, path):
    status, answer = raw_request(server, f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/turtle\r\n"
                                         f"Connection: close\r\n\r\n".encode())
    if path.startswith("/search?q=%22"):
        assert status == 200, "a search for quote marks is a fine search"
    else:
        assert 300 <= status < 500, (path, status)
    no_trace(answer)


@pytest.mark.parametrize("accept", ["", ";;;", "text/turtle;q=abc", "*/*;q=", "text/turtle;q=0.5;q=2",
                                    "a" * 4000, "text/turtle, " * 300, "\x01\x02", "text/html;level=1;q=0.2",
                                    "text/turtle;q=-1", "text/turtle;q=1e9", "/", "text/", "*/html"])
def test_malformed_accept_headers_get_an_answer_never_a_500(server, accept):
    status, answer = raw_request(server, f"GET /{DOC} HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\n"
                                         f"Connection: close\r\n\r\n".encode("latin-1"))
    assert status in (200, 400, 406), (accept, status)
    no_trace(answer)


@pytest.mark.parametrize("header", ["If-None-Match: garbage", 'If-None-Match: W/"', "If-None-Match: *,*,*",
                                    "If-Modified-Since: yesterday", "If-Modified-Since: 99999999999",
                                    "If-Modified-Since: Mon, 99 Foo 2020 99:99:99 GMT", "Range: bytes=abc",
                                    "Range: bytes=5-1", "Range: bytes=-0", "Range: lines=1-2",
                                    "Range: bytes=" + ",".join(f"{i}-{i}" for i in range(500)),
                                    "Accept-Encoding: \x7f", "Origin: \x00", "Cookie: " + "a=b; " * 1000])
@pytest.mark.parametrize("path", [DOC, "dumps/lodpub.nt"])
def test_malformed_conditional_and_range_headers_are_never_500(server, header, path):
    status, answer = raw_request(server, f"GET /{path} HTTP/1.1\r\nHost: x\r\n{header}\r\n"
                                         f"Connection: close\r\n\r\n".encode("latin-1"))
    assert status < 500, (header, status)
    no_trace(answer)


def test_a_huge_header_is_refused_with_4xx(server):
    status, answer = raw_request(server, b"GET /" + DOC.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Big: "
                                 + b"a" * 100_000 + b"\r\nConnection: close\r\n\r\n")
    assert 400 <= status < 500
    no_trace(answer)


def test_too_many_headers_are_refused_with_4xx(server):
    headers = "".join(f"X-H{i}: v\r\n" for i in range(500))
    status, _ = raw_request(server, f"GET /{DOC} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n".encode())
    assert 400 <= status < 500


def test_a_huge_request_line_is_refused_with_4xx(server):
    status, _ = raw_request(server, b"GET /id/" + b"x" * 20_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert 400 <= status < 500


@pytest.mark.parametrize("request_bytes", [
    b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBroken header line\r\nConnection: close\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nConnection: close\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
])
def test_malformed_requests_are_refused_with_4xx(server, request_bytes):
    status, answer = raw_request(server, request_bytes)
    assert 400 <= status < 500, status
    no_trace(answer)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_writing_methods_on_a_description_are_405(server, method):
    response = requests.request(method, server.url + DOC, data=b"x", timeout=30)
    assert response.status_code == 405
    assert "GET" in response.headers.get("Allow", "")


def test_an_error_page_escapes_what_it_repeats(server):
    response = get(server.url + "id/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "text/html")
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.text


def test_the_server_still_answers_after_all_that(server):
    assert get(server.url + DOC, "text/turtle").status_code == 200
