"""GET /sparql answered before Flask, for the request that makes most of an endpoint's traffic.

A query sent by GET with `query=` as the URL's only parameter, asking (by Accept) for a format the embedded
store writes itself (SPARQL JSON results, N-Triples), with a short answer: this middleware answers it without
Flask, and runs the query in the request's own thread. Measured on a point lookup at 1M triples (issue 5): in
process, the application's path took 0.45 ms where reading the URL, the policy and the engine took 0.2; under
gunicorn, handing the query to a query thread and back added 0.06-0.14 ms, and the engine's own work took
0.3-0.5 ms.

Only queries the policy has nothing to inspect in are taken (`policy.harmless`: no SERVICE, LOAD or FROM
anywhere, no escape); they run over the union of our graphs, as the application runs them. Everything else
goes on to the application as it came: other parameters, POSTs, HTML, refused and malformed queries (the
application words their errors), answers too long or over the result cap (the application writes those;
`NATIVE_TRIED` tells it not to try the native writer again). The negotiation (`sparql.choose_offer`) and the
native writer (`sparql.native`) are the application's own, and the headers are `sparql.answer_headers`;
tests/test_sparql_direct.py asks both the same questions and compares the answers.

The time limit is kept by `limits.run_watched`: past it, the watchdog answers 503 on the request's socket and
the worker process ends, as with the application's query thread. That needs the socket, and one request at a
time per process: gunicorn's sync worker, which `lodpub serve` runs. Under any other server the application
answers every request.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from email.utils import formatdate
from urllib.parse import unquote_plus

from ..sparql import limits, policy
from ..sparql.limits import QueryTimeout
from ..store import UNION
from . import sparql
from .errors import PLAIN, plain_text

ONLY_QUERY = "query="


class DirectSparql:
    """WSGI middleware over the application, for the embedded store (see the module's docstring)."""

    def __init__(self, app: Callable, lodpub: dict) -> None:
        self.app = app
        self.store = lodpub["store"]
        self.base = lodpub["names"].base
        self.prefixes = lodpub["names"].prefixes()
        self.cap = lodpub["settings"].result_cap
        self.seconds = lodpub["settings"].query_timeout

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        client = environ.get("gunicorn.socket")
        if environ.get("PATH_INFO") == "/sparql" and environ.get("REQUEST_METHOD") == "GET" \
                and client is not None and not environ.get("wsgi.multithread"):
            written = self._answer(environ, client)
            if written is not None:
                start_response("200 OK", sparql.answer_headers(written.content_type, len(written.body), self.cap))
                return [written.body]
        return self.app(environ, start_response)

    def _answer(self, environ: dict, client: socket.socket) -> sparql.Written | None:
        """The answer, or None for the application to give."""
        query = only_query(environ.get("QUERY_STRING", ""))
        if query is None or not policy.harmless(query):
            return None
        offers = {kind: sparql.choose_offer(kind, environ.get("HTTP_ACCEPT"), ()) for kind in sparql.OFFERS}

        def work() -> sparql.Written | None:
            try:
                return sparql.native(self.store, query, UNION, offers, self.base, self.prefixes, self.cap)
            except (SyntaxError, OSError):    # the application words the error
                return None

        written = limits.run_watched(work, self.seconds, lambda: answer_overdue(client, self.seconds))
        if written is None:
            environ[sparql.NATIVE_TRIED] = True
        return written


def only_query(query_string: str) -> str | None:
    """The query of a URL whose one parameter is `query`, else None. (A query's own '&' is sent as %26; text
    that is not UTF-8 is left to the application, which says so.)"""
    if not query_string.startswith(ONLY_QUERY) or "&" in query_string:
        return None
    query = unquote_plus(query_string[len(ONLY_QUERY):])
    return None if "\ufffd" in query else query


def answer_overdue(client: socket.socket, seconds: float) -> None:
    """The 503 of a query over the time limit, as the application words it for a client that is not a browser,
    written on the socket by the watchdog thread."""
    body = plain_text(503, "Service Unavailable", str(QueryTimeout(seconds))).encode("utf-8")
    head = ["HTTP/1.1 503 Service Unavailable", f"Date: {formatdate(usegmt=True)}", "Connection: close",
            f"Content-Type: {PLAIN}", f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in sparql.CORS_HEADERS), "Vary: Accept"]
    client.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
    client.shutdown(socket.SHUT_RDWR)
