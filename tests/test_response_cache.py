"""The answer cache in front of the application (web/response_cache.py), driven as a WSGI server drives it.

The application behind it is a small real WSGI app that counts how often it is asked, so a test can tell an
answer given again from one computed again.
"""

from __future__ import annotations

import pytest
import requests

from lodpub.web.response_cache import ResponseCache, SharedAnswers


class Counting:
    """A WSGI application: 200 with a body naming the path, or the status and headers a test sets."""

    def __init__(self, status: str = "200 OK", headers: list[tuple[str, str]] | None = None) -> None:
        self.calls = 0
        self.status = status
        self.headers = headers or [("Content-Type", "text/plain")]

    def __call__(self, environ, start_response):
        self.calls += 1
        start_response(self.status, list(self.headers))
        return [f"{environ['PATH_INFO']}?{environ.get('QUERY_STRING', '')} #{self.calls}".encode()]


def ask(app, path: str = "/doc/person/x", query: str = "", **headers) -> tuple[str, bytes]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_ACCEPT": "text/html",
               **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"] = status

    body = b"".join(app(environ, start_response))
    return seen["status"], body


def test_an_answer_is_given_again_without_asking_the_application():
    inner = Counting()
    cache = ResponseCache(inner)
    first = ask(cache)
    assert ask(cache) == first
    assert inner.calls == 1
    ask(cache, accept="text/turtle")
    assert inner.calls == 2, "another Accept is another answer"


def test_answers_that_must_not_be_kept_are_computed_each_time():
    for inner, headers in ((Counting("500 INTERNAL SERVER ERROR"), {}),
                           (Counting(headers=[("Set-Cookie", "a=b")]), {}),
                           (Counting(headers=[("Cache-Control", "private")]), {}),
                           (Counting(), {"cookie": "a=b"}),
                           (Counting(), {"authorization": "Bearer x"})):
        cache = ResponseCache(inner)
        ask(cache, **headers)
        ask(cache, **headers)
        assert inner.calls == 2, (inner.status, inner.headers, headers)


class Streaming(Counting):
    """The same, answering with an iterator, as Flask does (Counting answers with a whole list)."""

    def __call__(self, environ, start_response):
        return iter(super().__call__(environ, start_response))


@pytest.mark.parametrize("kind", [Counting, Streaming])
def test_an_answer_over_the_body_limit_is_given_whole_and_not_kept(kind):
    inner = kind()
    cache = ResponseCache(inner, max_body=8)
    first, second = ask(cache), ask(cache)
    assert inner.calls == 2
    assert first[1].endswith(b"#1") and second[1].endswith(b"#2"), "given whole, each time"
    small = ResponseCache(kind(), max_body=1 << 20)
    assert ask(small) == ask(small), "kept when under the limit"


def test_processes_of_one_build_share_what_they_rendered(tmp_path):
    """Two caches over one folder stand for two worker processes: what one rendered, the other reads."""
    first_inner, second_inner = Counting(), Counting()
    first = ResponseCache(first_inner, shared=SharedAnswers(tmp_path, 1 << 20))
    second = ResponseCache(second_inner, shared=SharedAnswers(tmp_path, 1 << 20))
    answer = ask(first)
    assert ask(second) == answer
    assert (first_inner.calls, second_inner.calls) == (1, 0)
    page = ask(first, query="page=2")
    assert ask(second, query="page=2") == page
    assert (first_inner.calls, second_inner.calls) == (2, 0), "a page of a document is shared too"
    assert len(list(tmp_path.iterdir())) == 2


def test_only_document_urls_are_shared_so_the_folder_stays_bounded(tmp_path):
    cache = ResponseCache(Counting(), shared=SharedAnswers(tmp_path, 1 << 20))
    ask(cache, "/sparql", "query=SELECT+*+%7B%3Fs+%3Fp+%3Fo%7D")
    ask(cache, "/doc/person/x", "anything=1")
    assert list(tmp_path.iterdir()) == []


def test_the_shared_folder_stops_growing_at_its_budget(tmp_path):
    shared = SharedAnswers(tmp_path, 200)
    cache = ResponseCache(Counting(), shared=shared)
    for n in range(20):
        ask(cache, f"/doc/person/p{n}")
    kept = sum(p.stat().st_size for p in tmp_path.iterdir())
    assert 0 < kept <= 200
    assert SharedAnswers(tmp_path, 200).size == kept, "a process starting later counts what is there"


@pytest.mark.embedded_only("a remote store may change under the server, so nothing is kept")
def test_a_live_server_shares_rendered_pages_through_its_cache_folder(server, built):
    answers = built.dist_dir.parent / "cache" / "answers"
    before = {p for p in answers.rglob("*") if p.is_file()} if answers.exists() else set()
    # An Accept header no other test sends: an answer no worker can have kept yet.
    accept = "text/turtle, application/x-lodpub-test-shared;q=0.1"
    response = requests.get(server.url + "doc/person/mike-pompeo", headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    new = {p for p in answers.rglob("*") if p.is_file()} - before
    assert len(new) == 1
    assert new.pop().read_bytes().endswith(response.content)


def test_a_not_found_is_not_shared_since_any_path_can_be_one(tmp_path):
    inner = Counting("404 NOT FOUND")
    cache = ResponseCache(inner, shared=SharedAnswers(tmp_path, 1 << 20))
    ask(cache, "/doc/person/made-up")
    ask(cache, "/doc/person/made-up")
    assert inner.calls == 1, "kept in the process"
    assert list(tmp_path.iterdir()) == []
