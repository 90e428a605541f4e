"""The SPARQL 1.1 endpoint at /sparql: the Protocol, content negotiation, the Service Description, the query page.

One request goes through small steps, each a function here or a module of `lodpub.sparql`:

    CORS preflight -> read the operation (SPARQL 1.1 Protocol, 2.1) -> no query: service description or page
    -> run_limited( inspect (policy) -> dataset -> store.query -> collect up to the cap ) -> write the answer

The default graph is the union of the named graphs (the service description says so); `default-graph-uri`,
`named-graph-uri`, FROM and FROM NAMED may name any of our graphs and nothing else.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.datastructures import MIMEAccept, MultiDict
from werkzeug.exceptions import HTTPException, NotAcceptable, UnsupportedMediaType
from werkzeug.http import parse_accept_header

from ..formats import GRAPH_FORMATS, HTML_MEDIA_TYPE, RESULT_FORMATS
from ..sparql import description, examples, guards, limits, policy, results
from ..sparql.limits import Answer, QueryTimeout
from ..sparql.policy import Refused
from ..store import StoreError, StoreTimeout
from . import context
from .cache import cached
from .errors import render_error
from .links import safe_href

blueprint = Blueprint("sparql", __name__)
log = logging.getLogger("lodpub")

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
EXPOSED_HEADERS = "X-Lodpub-Truncated, X-Lodpub-Result-Cap, Warning, Content-Type, Content-Length"
CORS_HEADERS = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED_HEADERS))
CAP_HEADER = "X-Lodpub-Result-Cap"
# Set in the WSGI environ by web/sparql_direct.py when it ran the query natively and found the answer too long.
NATIVE_TRIED = "lodpub.native_tried"


# --- Negotiation: one list of offers per kind of answer, built from the formats table ----------------------

@dataclass(frozen=True)
class Offer:
    key: str                        # our format key, or "html"
    media_type: str                 # the Content-Type it is served with
    accepts: tuple[str, ...]        # media types in Accept that select it, best first
    names: tuple[str, ...]          # values of ?format= (or ?output=) that select it


# Media types and format names other clients use for our formats (SPARQLWrapper sends format=n3, rdf+xml,
# json-ld; N3 clients accept Turtle, which is N3; a JSON client of a CONSTRUCT gets JSON-LD).
EXTRA_ACCEPTS = {"turtle": ("application/turtle", "text/n3", "application/n3", "text/rdf+n3"),
                 "jsonld": ("application/x-json+ld", "application/json"),
                 "json": ("text/javascript", "application/javascript")}
EXTRA_NAMES = {"turtle": ("n3",), "rdfxml": ("xml", "rdf+xml"), "jsonld": ("json", "json-ld")}

HTML = Offer("html", HTML_MEDIA_TYPE, (HTML_MEDIA_TYPE, "application/xhtml+xml"), ("html", "htm"))


def _offers(formats) -> tuple[Offer, ...]:
    return (*(Offer(f.key, f.media_type, (f.media_type, *f.aliases, *EXTRA_ACCEPTS.get(f.key, ())),
                    (f.key, f.extension, f.media_type, *EXTRA_NAMES.get(f.key, ()))) for f in formats), HTML)


# Offers by kind of answer: results (SELECT, ASK) and graphs (CONSTRUCT, DESCRIBE).
OFFERS = {"results": _offers(RESULT_FORMATS), "graph": _offers(GRAPH_FORMATS)}
ANSWER_OFFERS = {"solutions": "results", "boolean": "results", "graph": "graph"}
FORM_OFFERS = {"SELECT": "results", "ASK": "results", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
GRAPH_KEYS = {f.key: f for f in GRAPH_FORMATS}


def negotiate(kind: str, params: MultiDict) -> Offer:
    """The offer a `format` (or `output`) parameter names, else the best by Accept (q-values), else the first."""
    names = tuple(n.strip().lower() for n in (*params.getlist("format"), *params.getlist("output")) if n.strip())
    chosen = choose_offer(kind, request.headers.get("Accept"), names)
    if isinstance(chosen, str):
        raise NotAcceptable(chosen)
    return chosen


@functools.lru_cache(maxsize=512)
def choose_offer(kind: str, accept_header: str | None, names: tuple[str, ...]) -> Offer | str:
    """An offer, or why none is acceptable; cached, since clients send the same few Accept headers."""
    offers = OFFERS[kind]
    for name in names:
        for offer in offers:
            if name in offer.names:
                return offer
    if names:
        return f"format={names[0]} is not offered for this answer; the formats are: " + \
            ", ".join(o.key for o in offers)
    accept = parse_accept_header(accept_header, MIMEAccept)
    if not accept:
        return offers[0]
    by_type = {media_type: offer for offer in offers for media_type in offer.accepts}
    best = accept.best_match(list(by_type))
    if best is None:
        return "none of the media types in Accept is offered for this answer; the types are: " + \
            ", ".join(o.media_type for o in offers)
    return by_type[best]


# --- Reading the operation: SPARQL 1.1 Protocol, section 2.1 -----------------------------------------------

@dataclass
class Operation:
    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]
    params: MultiDict


def read_operation() -> Operation:
    """The query and its dataset, from GET, a form POST or a direct POST; refuse updates and the unknown."""
    if request.method == "GET":
        params = request.args
        queries = params.getlist("query")
    elif request.mimetype == FORM:
        params = MultiDict(request.args)
        for key, values in request.form.lists():   # reading the form enforces the size limit: 413
            params.setlist(key, params.getlist(key) + values)
        queries = params.getlist("query")
    elif request.mimetype == DIRECT:
        params = request.args
        if "query" in params:
            raise Refused(400, "a query sent as application/sparql-query is the request body; the URL may not "
                               "carry another query parameter")
        charset = request.mimetype_params.get("charset", "utf-8")
        try:
            queries = [request.get_data(cache=False).decode(charset)]
        except (UnicodeDecodeError, LookupError) as error:
            raise Refused(400, f"the query is not text in {charset}: {error}") from None
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

@blueprint.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
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
        return store_unavailable("the store behind this endpoint could not answer; try again later")


def preflight() -> Response:
    """CORS preflight: any origin may GET and POST queries, with any Content-Type and Accept."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = (request.headers.get("Access-Control-Request-Headers")
                                                        or "Accept, Content-Type")
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Allow"] = "GET, POST, OPTIONS"
    return response


@blueprint.after_request
def cors(response: Response) -> Response:
    headers = response.headers
    for name, value in CORS_HEADERS:
        headers[name] = value
    vary = headers.get("Vary")
    if not vary:
        headers["Vary"] = "Accept"
    elif "accept" not in {v.strip().lower() for v in vary.split(",")}:
        headers["Vary"] = vary + ", Accept"
    return response


def refusal(status: int, message: str, operation: Operation | None = None):
    titles = {400: "Bad Request", 403: "Forbidden", 406: "Not Acceptable", 413: "Payload Too Large",
              415: "Unsupported Media Type", 503: "Service Unavailable"}
    if operation is not None and operation.query is not None and _wants_page(operation.params):
        return page(operation.query, error=message), status
    return render_error(status, titles.get(status, "Error"), message)


def store_unavailable(message: str, operation: Operation | None = None) -> Response:
    """503 for a remote store that failed or was slow: a passing trouble, so the client is told when to retry.
    (A query over our own time limit gets no Retry-After: it would run as long again.)"""
    response = current_app.make_response(refusal(503, message, operation))
    response.headers["Retry-After"] = "5"
    return response


def _wants_page(params: MultiDict) -> bool:
    try:
        return negotiate("results", params) is HTML
    except HTTPException:
        return False


def graph_names() -> list[str]:
    """Our graphs, as the store says now (a few microseconds embedded; a remote store caches them)."""
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
    # Negotiated before the query runs, so that an unacceptable request costs nothing.
    chosen: dict[str, Offer | HTTPException] = {}
    for kind in OFFERS:
        try:
            chosen[kind] = negotiate(kind, operation.params)
        except HTTPException as error:
            chosen[kind] = error

    try_native = not request.environ.get(NATIVE_TRIED)

    def work() -> Written | tuple[Answer, Offer]:
        graphs = store.graph_names
        inspection = policy.inspect(query, base=names.base, prefixes=prefixes, graphs=graphs,
                                    limits=guards.Limits.of(settings))
        expected = chosen.get(FORM_OFFERS.get(inspection.form or "", ""))
        if isinstance(expected, HTTPException):
            raise expected
        dataset = policy.dataset_for(inspection, operation.default_graphs, operation.named_graphs, graphs)
        written = native(store, query, dataset, chosen, names.base, prefixes, settings.result_cap) \
            if try_native else None
        if written is not None:
            return written
        result = store.query(query, dataset, base_iri=names.base, prefixes=prefixes)
        answer = limits.collect(result, settings.result_cap)
        offer = chosen[ANSWER_OFFERS[answer.kind]]
        if isinstance(offer, HTTPException):
            raise offer
        return answer, offer

    def answer() -> Written:
        # A remote store keeps its own time limit (its HTTP timeout raises StoreTimeout), and nothing of the
        # query runs here meanwhile: no thread to abandon, no worker to recycle.
        remote = getattr(store, "keeps_time_limit", False)
        done = work() if remote else limits.run_limited(work, settings.query_timeout)
        return done if isinstance(done, Written) else serialize(*done)

    # The same query over the same build gives the same bytes: answers are cached per build (web/cache.py),
    # all but the HTML page and failures.
    key = ("sparql", query, tuple(operation.default_graphs), tuple(operation.named_graphs),
           *(o.key if isinstance(o, Offer) else repr(o) for o in chosen.values()))
    try:
        if HTML in chosen.values():
            written = answer()
        else:
            written = cached(key, answer, lambda w: len(w.body or b"") + 512)
    except Refused as refused:
        return refusal(refused.status, refused.message, operation)
    except SyntaxError as error:
        return refusal(400, "malformed query: " + _syntax_message(query, error), operation)
    except NotAcceptable as error:
        return refusal(406, error.description or "not acceptable", operation)
    except results.Unrepresentable as error:
        return refusal(406, str(error), operation)
    except QueryTimeout:
        return refusal(503, str(QueryTimeout(settings.query_timeout)), operation)
    except StoreTimeout:
        return store_unavailable(str(QueryTimeout(settings.query_timeout)), operation)
    except StoreError as error:
        log.error("the store failed on a SPARQL query: %s", error)
        return store_unavailable("the store behind this endpoint could not answer; try again later", operation)
    return respond(written, query)


NATIVE_MAX_BYTES = 1 << 20
NATIVE = {"results": results.NATIVE_RESULTS, "graph": results.NATIVE_GRAPHS}


def native(store, query: str, dataset, offers: dict[str, Offer | HTTPException | str], base: str,
           prefixes: dict[str, str], cap: int) -> Written | None:
    """The answer as the embedded store writes it, when it writes the format chosen for the query's kind of
    answer (`offers`, by "results" and "graph"; what is not an Offer stands for none) and the answer is short
    (at most NATIVE_MAX_BYTES, within the result cap); else None, and the query runs again the general way.
    It may run in the query thread, outside the application context: everything it needs is passed in."""
    serialized = getattr(store, "query_serialized", None)
    found = {kind: writer for kind, offer in offers.items()
             if isinstance(offer, Offer) and (writer := NATIVE[kind].get(offer.key))}
    if serialized is None or not found:
        return None
    done = serialized(query, dataset, {kind: f.format for kind, f in found.items()}, NATIVE_MAX_BYTES,
                      base_iri=base, prefixes=prefixes)
    if done is None or not found[done[0]].within(done[1], cap):
        return None
    kind, data = done
    return Written(_content_type(offers[kind].media_type), body=data)


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


def serialize(answer: Answer, offer: Offer) -> Written:
    settings, names = context.settings(), context.names()
    note = _note(answer, settings.result_cap)
    if offer is HTML:
        return Written(offer.media_type, answer=answer, note=note)
    if answer.kind == "graph":
        body = results.graph(answer.triples, GRAPH_KEYS[offer.key], names.prefixes(), note)
    elif answer.kind == "solutions":
        body = results.RESULT_WRITERS[offer.key].solutions(answer.variables, answer.rows, note, cap_link())
    else:
        body = results.RESULT_WRITERS[offer.key].boolean(answer.boolean, note, cap_link())
    return Written(_content_type(offer.media_type), body=body, note=note)


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


def answer_headers(content_type: str, length: int, cap: int) -> list[tuple[str, str]]:
    """The headers of a whole answer in a format, as `respond` and `cors` set them: what web/sparql_direct.py
    sends for the answers it writes before Flask (a test compares the two)."""
    return [("Content-Type", content_type), ("Content-Length", str(length)), (CAP_HEADER, str(cap)),
            *CORS_HEADERS, ("Vary", "Accept")]


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


# --- The service description, and the page for browsers ----------------------------------------------------

def service_description(params: MultiDict):
    offer = negotiate("graph", params)
    if offer is HTML:
        return page(None)
    names = context.names()
    triples = description.describe(names, context.settings(), graph_names())
    body = results.graph(triples, GRAPH_KEYS[offer.key], description.PREFIXES)
    return Response(body, content_type=_content_type(offer.media_type))


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
