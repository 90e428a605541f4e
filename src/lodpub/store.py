"""Where the built graph lives, behind one small interface the web layer uses.

Every backend answers `query()` with the same three shapes of result, whatever engine runs it:
`bool` (ASK), `Solutions` (SELECT) or `Triples` (CONSTRUCT, DESCRIBE), holding pyoxigraph terms.
The web layer speaks only this interface, so it serves the same over the embedded store and over a remote
SPARQL endpoint.

`EmbeddedStore` is the default: an on-disk Oxigraph store written by the build and opened read-only by every
server process, so a restart never re-parses the data. `RemoteStore` speaks the SPARQL 1.1 Protocol to any
external store (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever), so several lodpub processes can serve one.
"""

from __future__ import annotations

import ast
import base64
import http
import io
import logging
import math
import os
import re
import time
import urllib.error
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
log = logging.getLogger("lodpub")


@dataclass
class Solutions:
    """A SELECT result: variable names, and rows of terms in that order (None where unbound)."""

    variables: list[str]
    rows: Iterator[tuple[Term | None, ...]]


@dataclass
class Triples:
    """A CONSTRUCT or DESCRIBE result."""

    triples: Iterator[ox.Triple]


Result = bool | Solutions | Triples


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a query (SPARQL protocol's default-graph-uri / named-graph-uri).

    Empty `default` means the default graph is the union of all named graphs.
    """

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


UNION = Dataset()


def _options(dataset: Dataset, base_iri: str | None, prefixes: dict[str, str] | None) -> dict:
    """Keyword arguments of pyoxigraph's Store.query for a dataset (the default graph holds the union)."""
    options: dict = {"base_iri": base_iri, "prefixes": prefixes}
    if dataset.default:
        options["default_graph"] = [ox.NamedNode(g) for g in dataset.default]
    if dataset.named:
        options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named]
    return options


class _TooBig(Exception):
    pass


class _Bounded(io.RawIOBase):
    """A byte sink that gives up past a size, so that a long answer stops being written at once."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__()
        self.parts: list[bytes] = []
        self.left = max_bytes

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.left -= len(data)
        if self.left < 0:
            raise _TooBig
        self.parts.append(bytes(data))
        return len(data)


def with_union(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Each quad of a named graph, and its triple in the default graph.

    The build writes the union of the named graphs into the store's default graph, so that a query without a
    dataset reads one graph instead of merging every named graph as it goes (Oxigraph's union default graph
    removes duplicates across graphs on every pattern), which makes joins and ORDER BY over the whole dataset
    much faster (docs/benchmark.md). A cold build loads that copy in a pass of its own (build._load); this
    pairing serves updates in place and tests.
    """
    default = ox.DefaultGraph()
    for quad in quads:
        yield quad
        yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


class EmbeddedStore:
    """A read-only view of the store a build wrote; its default graph is the union of its named graphs."""

    def __init__(self, path: Path) -> None:
        if not (path / "CURRENT").exists():
            raise FileNotFoundError(f"no built store at {path}: run `lodpub build` first")
        self.path = path
        self.store = ox.Store.read_only(str(path))

    def query(self, sparql: str, dataset: Dataset = UNION, *, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None) -> Result:
        """Run a SPARQL query; raises SyntaxError (with line and column) for a malformed one."""
        result = self.store.query(sparql, **_options(dataset, base_iri, prefixes))
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            return Solutions(variables, (tuple(row) for row in result))
        return Triples(iter(result))

    def query_serialized(self, sparql: str, dataset: Dataset,
                         formats: Mapping[str, ox.QueryResultsFormat | ox.RdfFormat], max_bytes: int, *,
                         base_iri: str | None = None, prefixes: dict[str, str] | None = None
                         ) -> tuple[str, bytes] | None:
        """The answer as Oxigraph writes it, in the format `formats` gives for its kind ("results" for SELECT
        and ASK, "graph" for CONSTRUCT and DESCRIBE), with that kind; None if there is no format for its kind or
        once the answer grows past `max_bytes`.

        No Python object is made per term, which saves a third of a small query's time; the caller still
        counts what was written against the result cap, and falls back to `query` for a longer answer."""
        result = self.store.query(sparql, **_options(dataset, base_iri, prefixes))
        kind = "graph" if isinstance(result, ox.QueryTriples) else "results"
        fmt = formats.get(kind)
        if fmt is None:
            return None
        sink = _Bounded(max_bytes)
        try:
            result.serialize(sink, format=fmt)
        except _TooBig:
            return None
        return kind, b"".join(sink.parts)

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))


# --- A remote SPARQL 1.1 store -------------------------------------------------------------------------------

class StoreError(RuntimeError):
    """The remote store could not answer: unreachable, refused our credentials, or failed.

    The message names the store and the HTTP status (never a credential); the web layer logs it and answers
    503 without showing the store's address to the public.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class StoreTimeout(StoreError, TimeoutError):
    """The remote store did not answer within our time limit."""


@dataclass(frozen=True)
class Credentials:
    """How lodpub authenticates to a remote store: HTTP Basic (user, password) or a bearer token.

    Read from the environment only (LODPUB_STORE_USER / LODPUB_STORE_PASSWORD, or LODPUB_STORE_TOKEN), never
    from options, so they stay out of shell history and process lists; never printed (see __repr__).
    """

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        env = os.environ if environ is None else environ
        user, password, token = (env.get(f"LODPUB_STORE_{k}") or None for k in ("USER", "PASSWORD", "TOKEN"))
        if token:
            return cls(token=token)
        if user:
            return cls(user=user, password=password or "")
        return None

    def authorization(self) -> str:
        """The value of the Authorization header."""
        if self.token:
            return f"Bearer {self.token}"
        raw = f"{self.user}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def describe(self) -> str:
        """Which credentials were sent, for an error message: the kind and the user, never the secret."""
        return "a bearer token (LODPUB_STORE_TOKEN)" if self.token else f"user {self.user!r} (LODPUB_STORE_USER)"


def redact(url: str) -> str:
    """The URL without any user:password@ it may carry, fit for a message or a log line."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


def check_store_url(url: str) -> None:
    """An http(s) URL without credentials in it (they would end up in logs and process lists)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"store URL {redact(url)!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"store URL {redact(url)!r} carries credentials: set LODPUB_STORE_USER and "
                         "LODPUB_STORE_PASSWORD (or LODPUB_STORE_TOKEN) instead")


# What we ask a store for: SPARQL JSON results for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE, and
# the other standard formats as fallbacks for stores that lack those two. Each kind of query asks for its own
# kind of format only: offered both, Virtuoso answers a CONSTRUCT in SPARQL JSON results (s, p, o bindings).
REMOTE_ACCEPT = {
    "results": "application/sparql-results+json, application/sparql-results+xml;q=0.8, "
               "text/tab-separated-values;q=0.5",
    "graph": "application/n-triples, text/turtle;q=0.7, application/rdf+xml;q=0.6, text/plain;q=0.4",
}
UNION_MODES = ("auto", "native", "explicit")
_PREFIXED = re.compile(r"(?<![\w<\-.:?$])([A-Za-z][\w\-.]*)?:")


class RemoteStore:
    """Any SPARQL 1.1 store, spoken to through the SPARQL 1.1 Protocol with SPARQLWrapper.

    Answers have the same three shapes as the embedded store's, holding pyoxigraph terms: SELECT and ASK are
    read from SPARQL JSON (or XML/TSV) results, CONSTRUCT and DESCRIBE from N-Triples (or Turtle, RDF/XML),
    each parsed by pyoxigraph as the answer streams in, so a consumer that stops early stops the download.

    The default graph. lodpub's default graph is the union of its named graphs. `union` says how a remote
    store is made to see the same:
    - "native": the store's own default graph already is that union (Oxigraph `--union-default-graph`,
      Fuseki `tdb2:unionDefaultGraph true`, GraphDB, Virtuoso, QLever); queries go out as they are.
    - "explicit": every query names the dataset in the protocol: a `default-graph-uri` and a
      `named-graph-uri` for each of lodpub's graphs (those under the base). Works on any conforming store,
      costs a longer request; the graph list is refreshed every `graph_ttl` seconds.
    - "auto" (the default): ask the store once, on first use, whether `{base}dataset` is seen in its default
      graph; "native" if so, else "explicit" (with a warning that says how to configure the store).
    A query that names its own dataset (`Dataset` with default or named graphs) always goes out explicit.
    """

    # Every query ends by `timeout` (the HTTP client's), so the endpoint runs none in a thread of its own.
    keeps_time_limit = True

    def __init__(self, url: str, base: str, *, timeout: float = 30.0, union: str = "auto",
                 credentials: Credentials | None = None, graph_ttl: float = 30.0) -> None:
        if union not in UNION_MODES:
            raise ValueError(f"union mode {union!r} is not one of {', '.join(UNION_MODES)}")
        check_store_url(url)
        self.url = url
        self.base = base
        self.timeout = timeout
        self.union = union
        self.credentials = credentials
        self.graph_ttl = graph_ttl
        self._graphs: tuple[float, list[str]] | None = None

    def __repr__(self) -> str:
        return f"RemoteStore({redact(self.url)!r}, union={self.union!r})"

    # -- the store interface --

    def query(self, sparql: str, dataset: Dataset = UNION, *, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None, timeout: float | None = None) -> Result:
        """Run a SPARQL query on the store.

        The endpoint inspected the query before (sparql/policy.py): nothing that would make the store fetch or
        write comes here. Raises SyntaxError when the store
        refuses the query (400), StoreTimeout past the time limit (`timeout`, else this store's), StoreError
        when the store cannot be reached or fails.
        """
        if dataset == UNION:
            default, named = self._union_dataset()
        else:
            every = None if dataset.default and dataset.named else self.graph_names()
            default, named = list(dataset.default or every), list(dataset.named or every)
        try:
            return self._send(_with_prologue(sparql, base_iri, prefixes), default, named,
                              self.timeout if timeout is None else timeout)
        except SyntaxError:
            # Our prologue moved the store's line numbers: the embedded engine's parser says where, exactly
            # as the embedded store would; if it finds nothing, the store's own message stands.
            _parse_locally(sparql, base_iri, prefixes)
            raise

    def graph_names(self) -> list[str]:
        """lodpub's named graphs in the store: those under the base (a shared store may hold others)."""
        now = time.monotonic()
        if self._graphs is None or now - self._graphs[0] > self.graph_ttl:
            found = self._graphs_matching("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
            if not found:
                # Virtuoso 7.2 matches no graph with an empty pattern (SPARQL 1.1 matches every named graph); it
                # answers GROUP BY ?g in milliseconds where DISTINCT ?g over the same pattern takes seconds.
                found = self._graphs_matching("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            self._graphs = (now, sorted(g for g in found if g.startswith(self.base)))
        return list(self._graphs[1])

    def _graphs_matching(self, query: str) -> set[str]:
        result = self._send(query, [], [], self.timeout)
        assert isinstance(result, Solutions)
        return {row[0].value for row in result.rows if isinstance(row[0], ox.NamedNode)}

    # -- the default graph --

    def _union_dataset(self) -> tuple[list[str], list[str]]:
        if self.union == "auto":
            self.union = self._detect_union()
        if self.union == "native":
            return [], []
        graphs = self.graph_names()
        return graphs, graphs

    def _detect_union(self) -> str:
        dataset = f"<{self.base}dataset>"
        if self._send(f"ASK {{ {dataset} ?p ?o }}", [], [], self.timeout):
            return "native"
        if self._send(f"ASK {{ GRAPH {dataset} {{ {dataset} ?p ?o }} }}", [], [], self.timeout):
            log.warning("the default graph of the store at %s is not the union of its named graphs: every query "
                        "will name lodpub's graphs (default-graph-uri); configure the store's union default "
                        "graph to spare that (see docs/stores.md)", redact(self.url))
            return "explicit"
        raise StoreError(f"the store at {redact(self.url)} holds no lodpub dataset for base {self.base} "
                         f"(no graph <{self.base}dataset>): publish it with `lodpub publish --to <its Graph Store "
                         f"URL>`")

    # -- the protocol --

    def _send(self, text: str, default: list[str], named: list[str], timeout: float) -> Result:
        from SPARQLWrapper import BASIC, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        wrapper = SPARQLWrapper(self.url, agent=f"lodpub/{_version()} (SPARQLWrapper)")
        wrapper.setMethod(POST)          # long queries and long graph lists fit; form-encoded, per the protocol
        wrapper.setOnlyConneg(True)      # content negotiation only: no format=/output= parameters
        wrapper.setQuery(text)
        if wrapper.isSparqlUpdateRequest():
            raise SyntaxError("SPARQL Update is not accepted: this is a read-only query service")
        for graph in default:
            wrapper.addDefaultGraph(graph)
        for graph in named:
            wrapper.addNamedGraph(graph)
        kind = "graph" if wrapper.queryType in ("CONSTRUCT", "DESCRIBE") else "results"
        wrapper.addCustomHttpHeader("Accept", REMOTE_ACCEPT[kind])
        if self.credentials and self.credentials.token:
            wrapper.addCustomHttpHeader("Authorization", self.credentials.authorization())
        elif self.credentials:
            wrapper.setHTTPAuth(BASIC)
            wrapper.setCredentials(self.credentials.user, self.credentials.password)
        # SPARQLWrapper takes whole seconds; the socket's limit holds for each wait on the store.
        wrapper.setTimeout(max(1, math.ceil(timeout)))
        deadline = time.monotonic() + timeout
        try:
            response = wrapper.query().response
        except SPARQLWrapperException as error:
            raise self._refusal(error, _status_of(error), _body_of(error)) from None
        except urllib.error.HTTPError as error:
            raise self._refusal(error, error.code, _read_error_body(error)) from None
        except (urllib.error.URLError, OSError) as error:
            raise self._unreachable(error, timeout) from None
        return _read_answer(response, wrapper.queryType, deadline, timeout, redact(self.url))

    def _refusal(self, error: Exception, status: int, body: str) -> Exception:
        where = redact(self.url)
        if status == 400:
            return SyntaxError(f"the store refused the query: {body or 'bad request'}")
        if status in (401, 403):
            sent = self.credentials.describe() if self.credentials else "no credentials"
            return StoreError(f"the store at {where} answered {status} {_reason(status)} with {sent}: set "
                              f"LODPUB_STORE_USER and LODPUB_STORE_PASSWORD, or LODPUB_STORE_TOKEN", status)
        if status in (408, 504) or "timeout" in body.lower() or "timed out" in body.lower():
            return StoreTimeout(f"the store at {where} gave up on the query ({status} {_reason(status)}): "
                                f"{body[:200]}", status)
        return StoreError(f"the store at {where} answered {status} {_reason(status)}: {body[:300]}", status)

    def _unreachable(self, error: Exception, timeout: float) -> StoreError:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            return StoreTimeout(f"the store at {redact(self.url)} did not answer within {timeout:g} s")
        return StoreError(f"could not reach the store at {redact(self.url)}: {reason}")


def _version() -> str:
    from . import __version__

    return __version__


_OWN_BASE = re.compile(r"(?:\s|#[^\n]*\n)*BASE\s*<([^>]*)>", re.IGNORECASE)


def _with_prologue(sparql: str, base_iri: str | None, prefixes: dict[str, str] | None) -> str:
    """The query after BASE and PREFIX declarations standing in for pyoxigraph's base_iri and prefixes arguments.

    Only the prefixes the query text seems to use are declared; a declaration of the query's own comes after
    ours and wins, as the query's own declarations win over pyoxigraph's defaults. A query that opens with its
    own BASE keeps it first, in place of ours: Virtuoso refuses a second BASE, and a BASE after a PREFIX.
    """
    own_base = _OWN_BASE.match(sparql)
    if own_base:    # resolved against ours, as the engine would
        base_iri = urllib.parse.urljoin(base_iri, own_base.group(1)) if base_iri else own_base.group(1)
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    if prefixes:
        used = {m.group(1) or "" for m in _PREFIXED.finditer(sparql)}
        lines += [f"PREFIX {p}: <{iri}>" for p, iri in prefixes.items() if p in used]
    return "".join(line + "\n" for line in lines) + (sparql[own_base.end():] if own_base else sparql)


_EMPTY: ox.Store | None = None


def _parse_locally(sparql: str, base_iri: str | None, prefixes: dict[str, str] | None) -> None:
    """Raise the SyntaxError Oxigraph's parser gives for this query, if any (over an empty store, so that
    nothing is read; an ASK is evaluated there, on no data)."""
    global _EMPTY
    if _EMPTY is None:
        _EMPTY = ox.Store()
    _EMPTY.query(sparql, base_iri=base_iri, prefixes=prefixes)


def _status_of(error: Exception) -> int:
    from SPARQLWrapper.SPARQLExceptions import (
        EndPointInternalError,
        EndPointNotFound,
        QueryBadFormed,
        Unauthorized,
        URITooLong,
    )

    for cls, status in ((QueryBadFormed, 400), (Unauthorized, 401), (EndPointNotFound, 404), (URITooLong, 414),
                        (EndPointInternalError, 500)):
        if isinstance(error, cls):
            return status
    return 0


def _body_of(error: Exception) -> str:
    """The store's own message, which SPARQLWrapper keeps only inside its exception's text."""
    text = str(error)
    if "Response:\n" not in text:
        return ""
    raw = text.split("Response:\n", 1)[1]
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw.strip()
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).strip()


def _read_error_body(error: urllib.error.HTTPError) -> str:
    try:
        return error.read(4096).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _read_answer(response, query_type: str | None, deadline: float, timeout: float, where: str) -> Result:
    """Parse the store's answer by its media type, as it streams in."""
    from .formats import RDF_FORMATS, RESULT_FORMATS

    media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    source = _DeadlineReader(response, deadline, timeout, where)
    expects_results = query_type in ("SELECT", "ASK")
    results = next((f.oxigraph for f in RESULT_FORMATS if media == f.media_type
                    or (expects_results and media in f.aliases)), None)
    if results is not None and results != ox.QueryResultsFormat.CSV:
        try:
            answer = ox.parse_query_results(source, format=results)
        except SyntaxError as error:
            response.close()
            raise StoreError(f"the store at {where} sent results lodpub cannot read: {error}") from None
        if isinstance(answer, ox.QueryBoolean):
            response.close()
            return bool(answer)
        return Solutions([v.value for v in answer.variables],
                         _guarded(((tuple(row) for row in answer)), response, where))
    graph = next((f.oxigraph for f in RDF_FORMATS if not f.datasets
                  and (media == f.media_type or media in f.aliases)), None)
    if graph is not None:
        quads = ox.parse(source, format=graph)
        return Triples(_guarded((q.triple for q in quads), response, where))
    response.close()
    raise StoreError(f"the store at {where} answered in {media or 'no media type'}, which lodpub does not read")


def _guarded(items: Iterator, response, where: str) -> Iterator:
    """Yield from a streaming parse; a broken answer becomes a StoreError, and the connection is closed."""
    try:
        yield from items
    except SyntaxError as error:
        raise StoreError(f"the answer of the store at {where} broke off: {error}") from None
    finally:
        response.close()


class _DeadlineReader(io.RawIOBase):
    """The response body, read against the query's deadline: past it, the read fails with StoreTimeout."""

    def __init__(self, response, deadline: float, timeout: float, where: str) -> None:
        self.response = response
        self.deadline = deadline
        self.timeout = timeout
        self.where = where

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if time.monotonic() > self.deadline:
            raise StoreTimeout(f"the store at {self.where} did not send its answer within {self.timeout:g} s")
        try:
            # read1: what has arrived (one read of the socket), so rows reach the parser as they come.
            chunk = self.response.read1(len(buffer))
        except TimeoutError:
            raise StoreTimeout(f"the store at {self.where} stalled past {self.timeout:g} s") from None
        buffer[:len(chunk)] = chunk
        return len(chunk)
