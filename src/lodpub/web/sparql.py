"""The SPARQL 1.1 endpoint at /sparql: the Protocol, content negotiation, the Service Description, the query page.

One request goes through small steps, each a function here or a module of `lodpub.sparql`:

    CORS preflight -> read the operation (SPARQL 1.1 Protocol, 2.1) -> no query: service description or page
    -> inspect (policy) -> dataset -> run (a query process, under the time limit and the result cap) -> write

The default graph is the union of the named graphs (the service description says so); `default-graph-uri`,
`named-graph-uri`, FROM and FROM NAMED may name any graph: one the store does not hold is empty, never fetched.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, NotAcceptable, UnsupportedMediaType

from ..formats import GRAPH_FORMATS, RESULT_FORMATS
from ..sparql import description, examples, guards, limits, policy, results
from ..sparql.limits import Answer, Busy, QueryTimeout
from ..sparql.policy import Refused
from ..sparql.processes import EngineFailed
from ..store import StoreError, StoreTimeout
from . import context
from .errors import render_error
from .links import safe_href
from .negotiation import HTML, SPARQL_OFFERS, Representation, choose

blueprint = Blueprint("sparql", __name__)
log = logging.getLogger("lodpub")

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
CAP_HEADER = "X-Lodpub-Result-Cap"
RETRY_AFTER = "5"


# --- Negotiation: the one table of web/negotiation.py, offered per kind of answer ---------------------------

OFFERS = SPARQL_OFFERS
ANSWER_OFFERS = {"solutions": "results", "boolean": "results", "graph": "graph"}
FORM_OFFERS = {"SELECT": "results", "ASK": "results", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
GRAPH_KEYS = {f.key: f for f in GRAPH_FORMATS}


def negotiate(kind: str, params: MultiDict) -> Representation:
    """The offer a `format` (or `output`) parameter names, else the best by Accept (q-values), else the first."""
    offers = OFFERS[kind]
    names = [n.strip().lower() for n in (*params.getlist("format"), *params.getlist("output")) if n.strip()]
    for name in names:
        for offer in offers:
            if name in offer.names:
                return offer
    if names:
        raise NotAcceptable(f"format={names[0]} is not offered for this answer; the formats are: "
                            + ", ".join(o.key for o in offers))
    chosen = choose(request.headers.get("Accept"), offers)
    if chosen is None:
        raise NotAcceptable("none of the media types in Accept is offered for this answer; the types are: "
                            + ", ".join(o.media_type for o in offers))
    return chosen


# --- Reading the operation: SPARQL 1.1 Protocol, section 2.1 -----------------------------------------------

@dataclass
class Operation:
    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    params: MultiDict


def parameters(encoded: bytes | str, where: str) -> MultiDict:
    """Percent-encoded parameters, read as UTF-8 (as the Protocol and RFC 3986 say); anything else is refused
    rather than guessed at."""
    try:
        text = encoded.decode("utf-8") if isinstance(encoded, bytes) else encoded
        return MultiDict(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict"))
    except UnicodeDecodeError as error:
        raise Refused(400, f"the {where} is not percent-encoded UTF-8 (byte {error.start}: "
                           f"{error.object[error.start:error.start + 8]!r}); encode the query as UTF-8") from None


def read_operation() -> Operation:
    """The query and its dataset, from GET (or HEAD), a form POST or a direct POST; refuse updates and the rest."""
    params = parameters(request.query_string, "query string")
    if request.method in ("GET", "HEAD"):
        queries = params.getlist("query")
    elif request.mimetype == FORM:
        body = request.get_data(cache=False)    # reading enforces the size limit: 413
        for key, values in parameters(body, "form body").lists():
            params.setlist(key, params.getlist(key) + values)
        queries = params.getlist("query")
    elif request.mimetype == DIRECT:
        if "query" in params:
            raise Refused(400, "a query sent as application/sparql-query is the request body; the URL may not "
                               "carry another query parameter")
        charset = request.mimetype_params.get("charset", "utf-8")
        if charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise Refused(415, f"a query sent as {DIRECT} is UTF-8 (SPARQL 1.1 Protocol, 2.1.3), not {charset}")
        try:
            queries = [request.get_data(cache=False).decode("utf-8")]
        except UnicodeDecodeError as error:
            raise Refused(400, f"the query is not UTF-8 text: {error}") from None
    elif request.mimetype == UPDATE:
        raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
    else:
        raise UnsupportedMediaType(f"a SPARQL query is sent by GET, or by POST as {FORM} or as {DIRECT}; "
                                   f"not as {request.mimetype or 'a body without a Content-Type'}")
    if "update" in params:
        raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")
    if len(queries) > 1:
        raise Refused(400, f"a request carries exactly one query; this one has {len(queries)}")
    if not queries and request.method == "POST":
        raise Refused(400, "the request carries no query parameter")
    return Operation(queries[0] if queries else None, params.getlist("default-graph-uri"),
                     params.getlist("named-graph-uri"), params)


# --- The endpoint ------------------------------------------------------------------------------------------

@blueprint.route("/sparql", methods=["GET", "HEAD", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint():
    if request.method == "OPTIONS":
        return preflight()
    try:
        operation = read_operation()
        if operation.query is None:
            return service_description(operation.params)
        return run(operation)
    except Refused as refused:
        return refusal(refused.status, refused.message)
    except StoreError as error:
        log.error("the store failed under /sparql: %s", error)
        return unavailable("the store behind this endpoint could not answer; try again later")


ALLOWED = "GET, HEAD, POST, OPTIONS"


def preflight() -> Response:
    """CORS preflight: any origin may GET and POST queries, with any Content-Type and Accept."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = ALLOWED
    response.headers["Access-Control-Allow-Headers"] = (request.headers.get("Access-Control-Request-Headers")
                                                        or "Accept, Content-Type")
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Allow"] = ALLOWED
    return response


@blueprint.after_request
def vary(response: Response) -> Response:
    """Every answer here is negotiated."""
    response.vary.add("Accept")
    return response


def refusal(status: int, message: str, operation: Operation | None = None):
    titles = {400: "Bad Request", 403: "Forbidden", 406: "Not Acceptable", 413: "Payload Too Large",
              415: "Unsupported Media Type", 500: "Internal Server Error", 503: "Service Unavailable"}
    if operation is not None and operation.query is not None and _wants_page(operation.params):
        return page(operation.query, error=message), status
    return render_error(status, titles.get(status, "Error"), message)


def unavailable(message: str, operation: Operation | None = None) -> Response:
    """503 for what may pass: a query over the time limit, every query slot taken, a remote store that failed
    or was slow. The client is told when to try again."""
    response = current_app.make_response(refusal(503, message, operation))
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def _wants_page(params: MultiDict) -> bool:
    try:
        return negotiate("results", params) is HTML
    except HTTPException:
        return False


def graph_names() -> list[str]:
    """Our graphs, as the store says now (a remote store caches them)."""
    return context.store().graph_names()


@dataclass(frozen=True)
class Written:
    """An answer ready to send: the bytes of a format, or the answer itself for the HTML page."""

    content_type: str
    body: bytes | None = None
    answer: Answer | None = None
    note: str | None = None


def run(operation: Operation):
    settings, names, store = context.settings(), context.names(), context.store()
    prefixes = names.prefixes()
    query = operation.query
    try:
        # Negotiated and inspected before the query runs, so that a refused request costs nothing.
        chosen: dict[str, Representation | HTTPException] = {}
        for kind in OFFERS:
            try:
                chosen[kind] = negotiate(kind, operation.params)
            except HTTPException as error:
                chosen[kind] = error
        inspection = policy.inspect(query, base=names.base, prefixes=prefixes, graphs=store.graph_names,
                                    limits=guards.Limits.of(settings))
        expected = chosen.get(FORM_OFFERS.get(inspection.form or "", ""))
        if isinstance(expected, HTTPException):
            raise expected
        dataset = policy.dataset_for(inspection, operation.default_graphs, operation.named_graphs,
                                     store.graph_names)
        written = execute(store, query, dataset, chosen)
    except Refused as refused:
        return refusal(refused.status, refused.message, operation)
    except SyntaxError as error:
        return refusal(400, "malformed query: " + _syntax_message(query, error), operation)
    except NotAcceptable as error:
        return refusal(406, error.description or "not acceptable", operation)
    except results.Unrepresentable as error:
        return refusal(406, str(error), operation)
    except (QueryTimeout, StoreTimeout):
        return unavailable(str(QueryTimeout(settings.query_timeout)), operation)
    except Busy:
        return unavailable("every query slot of this server is taken by other queries; try again shortly",
                           operation)
    except EngineFailed:
        return refusal(500, "the query engine failed on this query and was restarted; other queries are not "
                            "affected", operation)
    except StoreError as error:
        log.error("the store failed on a SPARQL query: %s", error)
        return unavailable("the store behind this endpoint could not answer; try again later", operation)
    return respond(written, query)


def execute(store, query: str, dataset, chosen: dict[str, Representation | HTTPException]) -> Written:
    """Run the query: over the embedded store in a killable query process (sparql/processes.py), over a remote
    store in this thread (the store keeps the time limit: its HTTP timeout raises StoreTimeout)."""
    settings, names = context.settings(), context.names()
    processes = current_app.extensions["lodpub"].get("queries")
    if processes is None:
        with current_app.extensions["lodpub"]["slots"].held(settings.query_timeout):
            result = store.query(query, dataset, base_iri=names.base, prefixes=names.prefixes())
            done = limits.collect(result, settings.result_cap)
    else:
        native = {kind: offer.key for kind, offer in chosen.items() if isinstance(offer, Representation)}
        done = processes.run(query, dataset, native, names.base, names.prefixes(), settings.result_cap,
                             settings.query_timeout)
    if isinstance(done, tuple):
        kind, body = done
        return Written(chosen[kind].content_type, body=body)
    offer = chosen[ANSWER_OFFERS[done.kind]]
    if isinstance(offer, HTTPException):
        raise offer
    return serialize(done, offer)


EXCERPT = 40       # characters of the query shown on each side of a syntax error
MESSAGE = 300      # characters of the parser's own message


def _syntax_message(query: str, error: SyntaxError) -> str:
    """The parser's message, and a short excerpt of the line it points at with a caret under the column:
    never more of the query than that."""
    message = str(error)
    if len(message) > MESSAGE:
        message = message[:MESSAGE] + "…"
    where = re.search(r"at (\d+):(\d+)", message)
    if not where:
        return message
    line, column = int(where.group(1)), int(where.group(2))
    lines = query.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return message
    text = lines[line - 1]
    at = min(column, len(text) + 1) - 1
    start, end = max(0, at - EXCERPT), min(len(text), at + EXCERPT)
    excerpt = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    return f"{message}\n{excerpt}\n{' ' * (at - start + (1 if start else 0))}^"


def cap_link() -> str:
    """Where a cut result points (SPARQL JSON head.link, XML <link>, a Link header): the query page's words
    on the cap, under the build's base (never the request's Host, since answers are cached)."""
    return context.names().base + "sparql#result-cap"


def _note(answer: Answer, cap: int) -> str | None:
    if not answer.truncated:
        return None
    unit = "rows" if answer.kind == "solutions" else "triples"
    return (f"result truncated: only the first {cap} {unit} are given (this endpoint's result cap); "
            "use LIMIT and OFFSET to page through the rest")


def serialize(answer: Answer, offer: Representation) -> Written:
    settings, names = context.settings(), context.names()
    note = _note(answer, settings.result_cap)
    if offer is HTML:
        return Written(offer.content_type, answer=answer, note=note)
    if answer.kind == "graph":
        body = results.graph(answer.triples, GRAPH_KEYS[offer.key], names.prefixes(), note)
    elif answer.kind == "solutions":
        body = results.RESULT_WRITERS[offer.key].solutions(answer.variables, answer.rows, note, cap_link())
    else:
        body = results.RESULT_WRITERS[offer.key].boolean(answer.boolean, note, cap_link())
    return Written(offer.content_type, body=body, note=note)


def respond(written: Written, query: str) -> Response:
    if written.body is None:
        response = current_app.make_response(page(query, answer=written.answer, note=written.note))
    else:
        response = Response(written.body, content_type=written.content_type)
    response.headers[CAP_HEADER] = str(context.settings().result_cap)
    if written.note:
        response.headers["X-Lodpub-Truncated"] = "true"
        response.headers.add("Link", f'<{cap_link()}>; rel="describedby"')
        response.headers["Warning"] = f'199 lodpub "{written.note}"'
    return response


# --- The service description, and the page for browsers ----------------------------------------------------

def service_description(params: MultiDict):
    offer = negotiate("graph", params)
    if offer is HTML:
        return page(None)
    names = context.names()
    triples = description.describe(names, context.settings(), graph_names())
    body = results.graph(triples, GRAPH_KEYS[offer.key], description.PREFIXES)
    return Response(body, content_type=offer.content_type)


def page(query: str | None, answer: Answer | None = None, note: str | None = None, error: str | None = None) -> str:
    names, settings = context.names(), context.settings()
    listed = examples.examples(names)
    return render_template(
        "sparql.html", query=query if query is not None else listed[0].query, ran=query is not None,
        answer=answer, note=note, error=error, examples=listed, settings=settings, graphs=graph_names(),
        cell=Cells(names.base, names.prefixes(), request.script_root),
        result_formats=RESULT_FORMATS, graph_formats=GRAPH_FORMATS)


class Cells:
    """How a term shows in an HTML table: IRIs link to their pages (ours on this server), literals as text."""

    def __init__(self, base: str, prefixes: dict[str, str], root: str) -> None:
        self.base, self.root = base, root
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def __call__(self, term) -> dict:
        if term is None:
            return {"kind": "unbound", "text": ""}
        if isinstance(term, ox.NamedNode):
            return {"kind": "iri", "text": self.short(term.value), "title": term.value, "href": self.href(term.value)}
        if isinstance(term, ox.BlankNode):
            return {"kind": "bnode", "text": f"_:{term.value}"}
        if isinstance(term, ox.Triple):
            return {"kind": "triple", "text": f"<< {term} >>"}
        suffix = f"@{term.language}" if term.language else (
            "" if term.datatype.value == results.XSD_STRING else f"^^{self.short(term.datatype.value)}")
        return {"kind": "literal", "text": term.value, "suffix": suffix}

    def href(self, iri: str) -> str | None:
        link = safe_href(iri)    # never a link to javascript: or any other scheme
        return self.root + link if link is not None and link.startswith("/") else link

    def short(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            local = iri[len(namespace):]
            if iri.startswith(namespace) and local.replace("-", "").replace("_", "").isalnum():
                return f"{prefix}:{local}"
        if iri.startswith(self.base):
            return f"<{iri[len(self.base):]}>"
        return iri
