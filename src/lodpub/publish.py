"""`lodpub publish`: load a build into an external store through the SPARQL 1.1 Graph Store HTTP Protocol.

Every named graph the embedded store holds (one per source document, plus the ontology, the shapes and the
dataset's VoID description) is sent as one `PUT {store}?graph={iri}` of N-Triples. A PUT replaces the graph
whole, and a conforming store applies it at once: a request that fails, or breaks off half-way, leaves the
graph as it was. The dataset's description goes last, so a client that sees the new VoID sees every graph
it describes. Then the graphs that the description published before listed (`void:subset`, under our base) and
this build no longer has are deleted: a document taken out of the data leaves the store too, and graphs that
are not ours are never touched.

Transient failures (connection errors, 429, 5xx other than 501 and 505) are retried with exponential backoff
(honouring Retry-After); anything else stops the publishing with a message naming the store and the status.
Credentials come from the environment (see `store.Credentials`) and appear in no message and no log line.

Library: `requests`, for streaming uploads with a known length, connection reuse across graphs and clear
exceptions; SPARQLWrapper (used for queries) does not speak the Graph Store Protocol.
"""

from __future__ import annotations

import logging
import random
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox
from tqdm import tqdm

from .config import Settings
from .dist import current, read_manifest
from .store import Credentials, EmbeddedStore, check_store_url, redact
from .vocab import VOID, Names

log = logging.getLogger("lodpub")

N_TRIPLES = "application/n-triples"
CHUNK = 256 * 1024


class PublishError(RuntimeError):
    """Publishing stopped; the message says where, why, and what the store holds now."""


@dataclass
class Published:
    graphs: list[str] = field(default_factory=list)
    triples: int = 0
    bytes: int = 0
    seconds: float = 0.0
    retries: int = 0
    dropped: list[str] = field(default_factory=list)


def graph_url(endpoint: str, graph: str) -> str:
    """The Graph Store Protocol's indirect graph identification: `?graph=<encoded IRI>`."""
    joiner = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return f"{endpoint}{joiner}graph={urllib.parse.quote(graph, safe='')}"


def publishing_order(graphs: list[str], names: Names) -> list[str]:
    """Documents first, then the ontology and the shapes, and the dataset's description last."""
    last = [names.ontology, names.shapes, names.dataset]
    return [g for g in graphs if g not in last] + [g for g in last if g in graphs]


def publish(settings: Settings, to: str, *, credentials: Credentials | None = None, retries: int = 5,
            backoff: float = 1.0, timeout: float = 600.0, progress: bool = False,
            on_retry: Callable[[str], None] | None = None) -> Published:
    """Replace each of the build's graphs in the store at `to` (a Graph Store Protocol endpoint).

    `retries` is how many times a transient failure is retried (per graph); `backoff` the first wait in
    seconds, doubled each time (at most 60 s). `timeout` bounds each wait on the store, e.g. while it
    loads a large graph. Raises PublishError.
    """
    import requests

    try:
        check_store_url(to)
    except ValueError as error:
        raise PublishError(f"{error}; give the URL of the store's Graph Store Protocol endpoint") from None
    settings = settings.replace(dist_dir=current(settings.dist_dir))   # the published build, as it is now
    manifest = read_manifest(settings.dist_dir)
    names = Names(manifest["base"])
    store = EmbeddedStore(settings.store_dir)
    graphs = publishing_order(store.graph_names(), names)
    headers = {"Content-Type": N_TRIPLES, "User-Agent": "lodpub publish"}
    if credentials:
        headers["Authorization"] = credentials.authorization()
    report = Published()
    started = time.monotonic()
    bar = tqdm(total=manifest.get("quads"), desc="publish", unit="triple", unit_scale=True,
               disable=not progress, mininterval=0.5)
    with requests.Session() as session, bar:
        session.trust_env = False    # no ~/.netrc credentials, no proxy from the environment: ours only
        _answer_digest_challenge(session, graph_url(to, names.dataset), headers, credentials, timeout)
        listed_before = _published_graphs(session, to, names, headers, timeout)
        for graph in graphs:
            triples = [q.triple for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            url = graph_url(to, graph)
            attempt = 0
            while True:
                upload = _Upload(body, len(triples), bar)
                try:
                    response = session.put(url, data=upload if body else b"", headers=headers, timeout=(10, timeout))
                except requests.RequestException as error:
                    upload.rewind()
                    problem = _connection_problem(error)
                    if attempt >= retries:
                        raise PublishError(_stopped(to, graph, report, graphs,
                                                    f"{problem} (after {attempt + 1} attempts)")) from None
                    wait = _wait(backoff, attempt, None)
                else:
                    if response.status_code in (200, 201, 204):
                        upload.finish()
                        break
                    upload.rewind()
                    status = response.status_code
                    if not _transient(status) or attempt >= retries:
                        raise PublishError(_stopped(to, graph, report, graphs, _http_problem(
                            to, response, credentials, attempt))) from None
                    problem = f"{status} {response.reason}"
                    wait = _wait(backoff, attempt, response.headers.get("Retry-After"))
                attempt += 1
                report.retries += 1
                message = f"{graph}: {problem}; retry {attempt} of {retries} in {wait:.1f} s"
                if on_retry:
                    on_retry(message)
                else:
                    log.warning("publish: %s", message)
                time.sleep(wait)
            report.graphs.append(graph)
            report.triples += len(triples)
            report.bytes += len(body)
        for graph in sorted(listed_before - set(graphs)):
            response = session.delete(graph_url(to, graph), headers=headers, timeout=(10, timeout))
            if response.status_code not in (200, 204, 404):
                raise PublishError(f"publishing to {redact(to)}: every graph of the build was replaced, but the "
                                   f"graph <{graph}>, which this build no longer has, could not be deleted: "
                                   f"{_http_problem(to, response, credentials, 0)}")
            report.dropped.append(graph)
    report.seconds = time.monotonic() - started
    return report


def _answer_digest_challenge(session, url: str, headers: dict[str, str], credentials: Credentials | None,
                             timeout: float) -> None:
    """A user and password go out as HTTP Basic, unless the store challenges for Digest (Virtuoso's Graph Store
    endpoint does): then the session answers with Digest, and every PUT carries it from the start."""
    import requests
    from requests.auth import HTTPDigestAuth

    if not credentials or credentials.token:
        return
    try:
        # Asked without credentials: Virtuoso refuses Basic with a 401 that names no scheme.
        plain = {k: v for k, v in headers.items() if k != "Authorization"}
        response = session.get(url, headers={**plain, "Accept": N_TRIPLES}, timeout=(10, timeout))
    except requests.RequestException:
        return     # the PUTs will say what is wrong with the store
    if response.status_code == 401 and "digest" in response.headers.get("WWW-Authenticate", "").lower():
        del headers["Authorization"]
        session.auth = HTTPDigestAuth(credentials.user, credentials.password)


def _published_graphs(session, to: str, names: Names, headers: dict[str, str], timeout: float) -> set[str]:
    """The graphs the dataset description in the store lists (an earlier publish put them there); none if it
    has no description of ours. Only graphs under our base count."""
    import requests

    try:
        response = session.get(graph_url(to, names.dataset), headers={**headers, "Accept": N_TRIPLES},
                               timeout=(10, timeout))
    except requests.RequestException:
        return set()   # the PUTs will say what is wrong with the store
    if response.status_code != 200:
        return set()
    try:
        triples = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
        return {t.object.value for t in triples if t.subject == ox.NamedNode(names.dataset)
                and t.predicate == ox.NamedNode(VOID + "subset") and isinstance(t.object, ox.NamedNode)
                and t.object.value.startswith(names.base)}
    except SyntaxError:
        return set()


def _transient(status: int) -> bool:
    return status == 429 or (500 <= status < 600 and status not in (501, 505))


def _wait(backoff: float, attempt: int, retry_after: str | None) -> float:
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after), 120.0)
    # Exponential, with a little jitter so that several publishers do not retry in step.
    return min(backoff * 2 ** attempt, 60.0) * random.uniform(0.8, 1.0)


def _connection_problem(error: Exception) -> str:
    import requests

    if isinstance(error, requests.Timeout):
        return "the store did not answer in time"
    text = str(error).lower()
    for hint in ("connection refused", "name or service not known", "nodename nor servname", "no route to host",
                 "connection reset", "connection aborted", "remote end closed", "broken pipe"):
        if hint in text:
            return f"the connection failed ({hint})"
    return f"the connection failed ({type(error).__name__})"


def _http_problem(to: str, response, credentials: Credentials | None, attempt: int) -> str:
    status = response.status_code
    where = redact(to)
    if status in (401, 403):
        sent = credentials.describe() if credentials else "no credentials"
        what = "refused the credentials" if status == 401 else "does not allow these credentials to write"
        return (f"{status} {response.reason}: the store at {where} {what} (sent {sent}); set "
                f"LODPUB_STORE_USER and LODPUB_STORE_PASSWORD, or LODPUB_STORE_TOKEN")
    if status == 404:
        return (f"404 Not Found: no Graph Store Protocol endpoint at {where} (Oxigraph: /store, Fuseki: "
                f"/<dataset>/data, GraphDB: /repositories/<id>/rdf-graphs/service)")
    if status in (405, 501):
        return f"{status} {response.reason}: the store at {where} does not accept PUT of a graph here"
    detail = " ".join(response.text.split())[:300]
    tries = f" (after {attempt + 1} attempts)" if _transient(status) else ""
    return f"{status} {response.reason}{tries}" + (f": {detail}" if detail else "")


def _stopped(to: str, graph: str, report: Published, graphs: list[str], problem: str) -> str:
    done = len(report.graphs)
    return (f"publishing to {redact(to)} stopped at graph <{graph}>: {problem}\n"
            f"{done} of {len(graphs)} graphs were replaced; <{graph}> and the {len(graphs) - done - 1} after it "
            f"are as they were in the store. Publishing again replaces them all.")


class _Upload:
    """A request body of known length, read in chunks, that moves the progress bar as it is sent."""

    def __init__(self, body: bytes, triples: int, bar: tqdm) -> None:
        self.body = body
        self.position = 0
        self.triples = triples
        self.bar = bar
        self.counted = 0.0

    def __len__(self) -> int:
        return len(self.body)

    def __iter__(self):
        while chunk := self.read(CHUNK):
            yield chunk

    def read(self, size: int = -1) -> bytes:
        end = len(self.body) if size is None or size < 0 else min(len(self.body), self.position + size)
        chunk = self.body[self.position:end]
        self.position = end
        self._count(self.triples * end / max(1, len(self.body)))
        return chunk

    def _count(self, reached: float) -> None:
        step = int(reached) - int(self.counted)
        if step:
            self.bar.update(step)
        self.counted = reached

    def finish(self) -> None:
        self._count(self.triples)

    def tell(self) -> int:
        return self.position

    def seek(self, position: int, whence: int = 0) -> int:
        """Back to the start: requests' Digest authentication sends the body again after a new challenge."""
        self.position = position
        self._count(self.triples * position / max(1, len(self.body)))
        return position

    def rewind(self) -> None:
        """A failed attempt: take back the progress it made."""
        self._count(0)
        self.position = 0
