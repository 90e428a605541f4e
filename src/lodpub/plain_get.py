"""A plain GET, read and answered by the worker itself; gunicorn reads and answers every other request.

Why (issue 5): gunicorn's reading of a request, its environ and its response object were most of what a light
SPARQL query cost above the engine. Side by side on the bench machine (2 workers, access log on), a WSGI app
that answers "hello" took 0.38-0.40 ms a request this way against 0.46-0.54 ms through gunicorn's own path,
and Flask's "hello" went from 4,206 to 6,667 requests/s at concurrency 4. uWSGI, which reads requests in C,
answered in 0.34-0.40 ms, but it closes the connection on a malformed request without answering, where the
brief wants a 4xx that says what is wrong.

What is plain: the whole head in the first read (at most MAX_HEAD bytes, nothing after it); the request line
`GET <path and query> HTTP/1.1` (or 1.0); at most MAX_FIELDS header fields, each `name: value` of visible
ASCII, none twice, and none of those that change how the request is read or whom it comes from
(Content-Length, Content-Type, Transfer-Encoding, Expect, Upgrade, a name with '_', the scheme headers gunicorn
trusts from its proxies). Everything else, malformed requests included, goes to gunicorn as it came: the worker only
peeks at the head, so gunicorn's limits and its 400s stand.

The environ is built as gunicorn builds it, and the answer is written as gunicorn writes one on a connection it
closes: tests/test_plain_get.py asks both and compares.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate

from gunicorn.http.message import TOKEN_RE
from gunicorn.http.wsgi import HEADER_VALUE_RE, FileWrapper
from gunicorn.util import unquote_to_wsgi_str

MAX_HEAD = 8190       # gunicorn's limit on the request line, so that no plain request is one gunicorn refuses
MAX_FIELDS = 100      # gunicorn's limit on header fields, as lodpub.server sets it

_TOKEN = rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+"     # RFC 9110's token; a name with '_' is then refused by read_plain
HEAD = re.compile(rb"GET (/(?!/)[!\"$-~]*) HTTP/1\.([01])\r\n((?:" + _TOKEN + rb":[\t -~]*\r\n){0,%d})\r\n"
                  % MAX_FIELDS)
FIELD = re.compile(rb"(" + _TOKEN + rb"):[\t ]*([\t -~]*?)[\t ]*\r\n")
OWS = " \t"
# Fields of one connection, not of the answer: gunicorn drops them from what the application gives;
# gunicorn writes its own Server and Date.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
                        "transfer-encoding", "upgrade", "server", "date"})
ALWAYS_REFUSED = frozenset({"CONTENT-LENGTH", "TRANSFER-ENCODING", "EXPECT", "UPGRADE", "CONTENT-TYPE"})


class PlainGet:
    """A request read as plain; `headers` as gunicorn keeps them (upper-case names), for its access log."""

    __slots__ = ("target", "protocol", "headers")
    method = "GET"

    def __init__(self, target: str, protocol: str, headers: list[tuple[str, str]]) -> None:
        self.target, self.protocol, self.headers = target, protocol, headers

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]


def read_plain(head: bytes, refused: frozenset[str]) -> PlainGet | None:
    """The request, if `head` is a whole plain GET (see the module's docstring); else None."""
    if len(head) > MAX_HEAD:
        return None
    found = HEAD.fullmatch(head)
    if found is None:
        return None
    target, minor, fields = found.groups()
    headers = [(name.decode("ascii").upper(), value.decode("ascii")) for name, value in FIELD.findall(fields)]
    names = {name for name, _ in headers}
    if len(names) < len(headers) or names & refused or any("_" in name for name in names):
        return None
    return PlainGet(target.decode("ascii"), "HTTP/1." + chr(minor[0]), headers)


def environ_of(request: PlainGet, base: dict, client, remote: tuple, server: tuple[str, str]) -> dict:
    """The WSGI environ gunicorn would build for the request (`base` is gunicorn's `base_environ`)."""
    path, _, query = request.target.partition("?")
    environ = base.copy()
    environ.update({
        "wsgi.input": io.BytesIO(), "gunicorn.socket": client, "wsgi.url_scheme": "http",
        "REQUEST_METHOD": "GET", "QUERY_STRING": query, "RAW_URI": request.target,
        "SERVER_PROTOCOL": request.protocol, "REMOTE_ADDR": remote[0], "REMOTE_PORT": str(remote[1]),
        "SERVER_NAME": server[0], "SERVER_PORT": server[1], "SCRIPT_NAME": "", "PATH_INFO": unquote_to_wsgi_str(path),
    })
    for name, value in request.headers:
        environ["HTTP_" + name.replace("-", "_")] = value
    return environ


class Answered:
    """What was answered, as gunicorn's access log reads a response (status, headers, bytes of body sent), and how
    its body is framed: chunked, cut at its length, or left out (HEAD is never plain; 1xx, 204, 304)."""

    __slots__ = ("protocol", "status", "headers", "sent", "head_sent", "chunked", "length", "no_body")

    def __init__(self, protocol: str) -> None:
        self.protocol, self.status, self.headers = protocol, "500 Internal Server Error", []
        self.sent, self.head_sent, self.chunked, self.length, self.no_body = 0, False, False, None, False

    def start(self, status: str, headers: list[tuple[str, str]]) -> None:
        """Take the application's status and headers as gunicorn's Response does: a header that could end the
        head early is refused, hop-by-hop ones are dropped, and 1xx and 204 have no Content-Length."""
        code = int(status[:3])
        self.status, self.no_body = status, code in (204, 304) or 100 <= code < 200
        no_length = code == 204 or 100 <= code < 200
        self.headers, self.length = [], None
        for name, value in headers:
            if TOKEN_RE.fullmatch(name) is None or HEADER_VALUE_RE.fullmatch(value) is None:
                raise ValueError(f"invalid response header {name!r}")
            lower = name.lower()
            if lower in HOP_BY_HOP or (no_length and lower == "content-length"):
                continue
            value = value.strip(OWS)
            if lower == "content-length":
                self.length = int(value)
            self.headers.append((name, value))
        self.chunked = self.length is None and self.protocol == "HTTP/1.1" and not self.no_body

    def head(self) -> bytes:
        lines = [f"{self.protocol} {self.status}", "Server: gunicorn", f"Date: {http_date()}", "Connection: close",
                 *(["Transfer-Encoding: chunked"] if self.chunked else []),
                 *(f"{name}: {value}" for name, value in self.headers)]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def framed(self, data: bytes) -> bytes:
        """The bytes of `data` to write: none past the length, none for an answer without a body."""
        if self.no_body or not data:
            return b""
        if self.length is not None:
            data = data[:max(0, self.length - self.sent)]
        self.sent += len(data)
        return b"%x\r\n%s\r\n" % (len(data), data) if self.chunked and data else data


def answer(app: Callable, environ: dict, client, answered: Answered) -> None:
    """Run the application and write its answer on `client` (closed by the caller) as gunicorn writes it: the
    same head, chunked when HTTP/1.1 and no length, a file by sendfile. The head goes in one write with the
    first part of the body. `answered` keeps what was written, for the access log (also when this raises)."""

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> Callable[[bytes], None]:
        if exc_info is not None and answered.head_sent:
            raise exc_info[1].with_traceback(exc_info[2])
        answered.start(status, headers)
        return write

    def write(data: bytes) -> None:
        if answered.head_sent:
            if framed := answered.framed(data):
                client.sendall(framed)
        else:
            client.sendall(answered.head() + answered.framed(data))
            answered.head_sent = True

    body: Iterable[bytes] = app(environ, start_response)
    try:
        if isinstance(body, FileWrapper) and hasattr(body.filelike, "fileno") \
                and not (answered.chunked or answered.no_body):
            write(b"")
            answered.sent += client.sendfile(body.filelike, count=answered.length)
        else:
            for part in body:
                write(part)
            if not answered.head_sent:
                write(b"")
            if answered.chunked:
                client.sendall(b"0\r\n\r\n")
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


COMBINED = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'    # gunicorn's default access log format


def access_line(request: PlainGet, answered: Answered, environ: dict) -> str:
    """gunicorn's access log line in its default format (COMBINED), written without the dict of every field
    that gunicorn builds for any format: that took 46 µs a request. Not for a request with credentials (the
    user is in the line): gunicorn's own logger writes that one."""
    return (f'{environ["REMOTE_ADDR"]} - - {log_time()} "GET {request.target} {request.protocol}" '
            f'{answered.status.split(None, 1)[0]} {answered.sent} "{environ.get("HTTP_REFERER", "-")}" '
            f'"{environ.get("HTTP_USER_AGENT", "-")}"')


class EverySecond:
    """A time formatted once a second, not once a request."""

    def __init__(self, format_time: Callable[[int], str]) -> None:
        self.format_time, self.second, self.text = format_time, -1, ""

    def __call__(self) -> str:
        now = int(time.time())
        if now != self.second:
            self.second, self.text = now, self.format_time(now)
        return self.text


http_date = EverySecond(lambda now: formatdate(now, usegmt=True))
log_time = EverySecond(lambda now: time.strftime("[%d/%b/%Y:%H:%M:%S %z]", time.localtime(now)))
