"""What the endpoint refuses before a query runs, and which RDF dataset a query runs over.

The endpoint is read-only and never fetches anything because of a request. Engines do fetch: Oxigraph sends a
`SERVICE` clause's pattern to its endpoint over HTTP, and `LOAD` reads a URL. So every query passes `inspect()`
first, which refuses, with a message and before anything runs:

- SPARQL Update (INSERT, DELETE, CLEAR, ...): 403, the endpoint is read-only;
- `SERVICE` and `LOAD`: 400, they would make the server fetch;

A `FROM` / `FROM NAMED` (or the protocol's `default-graph-uri` / `named-graph-uri`) that names a graph the store
does not hold names an empty graph (SPARQL 1.1 Query, 13.2): `dataset_for` puts `EMPTY_GRAPH` in its place, so
that no store is ever asked to fetch it.

The check is lexical, not a parse: one pass of a regular-expression lexer over SPARQL's terminals (strings,
IRIs, comments, variables, prefixed names, words), so it costs microseconds and point lookups stay fast. A
lexer can disagree with the parser where SPARQL is ambiguous to a lexer, and it must never see less than the
parser does. The cases, each proved against Oxigraph's parser in tests/test_sparql_refusals.py:

- keywords glued to what precedes or follows them (`?o 1SERVICE <x> {}`, `?o trueSERVICE:x {}`, `SERVICEx:y {}`,
  `FROMNAMED <g>`): Oxigraph matches a keyword without a word boundary and backtracks out of a prefixed name
  whose prefix is not declared. A word that *contains* a watched keyword is refused (no valid query has one),
  and so is a prefixed name whose prefix contains SERVICE or FROM;
- `<` is an IRI's start or a less-than. `FILTER(?o<'>') SERVICE ... #'` is a comparison to the string '>' for
  the parser but an IRI `<'>` for a lexer, which would then take the rest for a string. An IRI-shaped token
  after an operand (where `<` may compare) that holds `'` or `#` is *ambiguous*: a watched keyword inside it,
  or hidden in a string, comment or IRI after it (after `'`; after `#`, only in a long string opened on the same
  line), is refused, since the endpoint cannot tell what the parser will see;
- `\\uXXXX` escapes: SPARQL allows them before parsing; if the query holds one, its unescaped text is checked too.

Everything here is independent of the backend: a remote store forwards a query only after it passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urljoin

from ..config import Settings
from ..store import UNION, Dataset
from . import guards
from .guards import Refused

# A graph of ours never has this name, so it stands for "none": the default graph of a dataset that names only
# named graphs (`FROM NAMED`, `named-graph-uri`), and the named graphs of one that names only default graphs
# (`FROM`, `default-graph-uri`). SPARQL 1.1 Query, 13.2: both are then empty.
EMPTY_GRAPH = "urn:x-lodpub:empty-default-graph"

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
PROLOGUE_KEYWORDS = frozenset({"PREFIX", "BASE", "VERSION"})
# Keywords the lexer watches for anywhere: the two that fetch, and FROM, whose graphs it reads.
WATCHED = re.compile(r"service|load|from", re.IGNORECASE)
# Where the parser may read a keyword the lexer does not see (hidden by an ambiguous '<', or inside a prefixed
# name's prefix), only SERVICE and FROM matter: LOAD is an update, which no query can hold and which the
# engine's query parser rejects. So `download:` stays a fine prefix.
HIDDEN = re.compile(r"service|from", re.IGNORECASE)
# Inside an ambiguous IRI-like token, the parser's reading can hold a live SERVICE or FROM only where it stands
# alone (no name character before it: `sparql-service-description` holds none) and is followed by what may
# follow it without a space, '<' and '{' being impossible in the token: a variable, a prefixed name with the
# empty prefix (`SERVICE:x`), or a comment that carries the rest to the next line (`FILTER(?o<?x)SERVICE?v#>`
# then `{...}`).
LIVE_IN_IRI = re.compile(r"(?<![A-Za-z0-9_\-:])(?:service(?=[?$#:])|from(?=[#:]))", re.IGNORECASE)
FETCHING = {"SERVICE": "SERVICE would make the server query another endpoint",
            "LOAD": "LOAD would make the server fetch a document"}

# SPARQL 1.1 terminals (https://www.w3.org/TR/sparql11-query/#grammar), as character classes.
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_RUN = "[^\\s'\"<#?$:@\\\\)" + _CHARS + ".]"
_PN_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

TOKEN = re.compile("|".join((
    # Punctuation in runs (a run ends at ')', after which '<' may be a less-than); whitespace is skipped.
    f"(?P<punct>{_RUN}*\\)|{_RUN}+)",
    f"(?P<var>[?$][{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)",
    f"(?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)",
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
    f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
    # Keywords, function names, numbers, and any other run of name characters: one class, since all the
    # lexer asks of them is whether they are, or contain, a keyword.
    f"(?P<word>[{_CHARS}.]+)",
    r"(?P<lstring>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\")",
    r"(?P<string>'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\")",
    r"(?P<comment>#[^\n\r]*)",
    r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    r"(?P<escape>\\.)",
    r"(?P<other><+(?=<)|\S)",
)), re.DOTALL)

SKIPPED = frozenset({"lstring", "string", "iri", "comment"})
# Tokens after which `<` may be a less-than rather than an IRI's start.
OPERANDS = frozenset({"var", "string", "lstring", "iri", "pname", "bnode", "lang"})
Graphs = Iterable[str] | Callable[[], Iterable[str]]
UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Inspection:
    """What the lexer learned of a query that passed."""

    form: str | None                     # SELECT, ASK, CONSTRUCT, DESCRIBE; None if it could not tell
    default: tuple[str, ...] = ()        # graphs of its FROM clauses
    named: tuple[str, ...] = ()          # graphs of its FROM NAMED clauses


class _Token(NamedTuple):
    kind: str
    text: str
    start: int


def _tokens(text: str) -> Iterator[_Token]:
    return (_Token(m.lastgroup, m.group(), m.start()) for m in TOKEN.finditer(text))


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def _unescape(text: str) -> str:
    return UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _mentions_watched(text: str) -> bool:
    """WATCHED.search(text), in a fraction of the time for ASCII text,
    where ignoring case is lowering ASCII letters (the regular expression's Unicode case-insensitivity also
    matches 'ſ' for 's', which ASCII text lacks)."""
    if text.isascii():
        lowered = text.lower()
        return "service" in lowered or "load" in lowered or "from" in lowered
    return WATCHED.search(text) is not None


DEFAULT_LIMITS = guards.Limits.of(Settings())


def inspect(query: str, *, base: str, prefixes: dict[str, str], graphs: Graphs = (),
            limits: guards.Limits | None = None) -> Inspection:
    """Refuse (raise `Refused`) what the endpoint will not run; else say what kind of query it is.

    `base` and `prefixes` are those the engine resolves the query with. (`graphs` is not read: a FROM may name
    any graph, and `dataset_for` makes one we do not hold empty.) First of all, a query too deep or too big for
    the engine is refused (`guards.check`): every query goes through here before any parser sees it, whichever
    store runs it.
    """
    guards.check(query, limits or DEFAULT_LIMITS)
    inspection = _scan(query, base, prefixes)
    if "\\u" in query or "\\U" in query:
        _scan(_unescape(query), base, prefixes)
    return inspection


def _scan(text: str, base: str, default_prefixes: dict[str, str]) -> Inspection:
    watched = _mentions_watched(text)
    prefixes: dict[str, str | tuple[str, str]] = dict(default_prefixes)   # declared ones: (base, IRI)
    form: str | None = None
    from_default: list[str] = []
    from_named: list[str] = []
    hazard_from = len(text) + 1      # from here on, a watched keyword hidden in a skipped token is refused
    hash_line_end = -1               # end of the line of an ambiguous IRI holding '#'
    previous: _Token | None = None   # the last token that is not a comment
    state: str | None = None         # what the tokens just read expect next (a prologue's or FROM's parts)
    prefix_name = ""
    from_keyword: _Token | None = None

    for token in _tokens(text):
        kind, upper = token.kind, token.text.upper()

        if kind == "iri" and state != "prefix-iri" and previous is not None and _operand(previous) \
                and ("'" in token.text or "#" in token.text):
            # `<` here may be a less-than: what the lexer takes for an IRI the parser may read as code.
            if watched and LIVE_IN_IRI.search(token.text):
                raise Refused(400, f"the IRI-like {token.text} at {_where(text, token.start)} holds a keyword "
                                   "and may be read as a comparison: put spaces around '<' where it compares")
            if "'" in token.text:
                hazard_from = min(hazard_from, token.start)
            else:
                hash_line_end = max(hash_line_end, _line_end(text, token.start))
        if kind == "lstring" and token.start < hash_line_end:
            hazard_from = min(hazard_from, token.start)
        if kind in SKIPPED and watched and token.start >= hazard_from:
            hidden = HIDDEN.search(token.text)
            if hidden:
                raise Refused(400, f"{hidden.group().upper()} at {_where(text, token.start + hidden.start())} may "
                                   "be read as a keyword or not, depending on an ambiguous '<' before it (a "
                                   "less-than or an IRI's start): put spaces around '<' where it compares")
        if kind == "comment":
            continue

        if kind == "word":
            if upper in FETCHING:
                raise Refused(400, f"{FETCHING[upper]} (at {_where(text, token.start)}); this endpoint makes no "
                                   "outbound request, so it refuses SERVICE and LOAD")
            glued = WATCHED.search(token.text) if watched and upper not in ("FROM",) else None
            if glued:
                raise Refused(400, f"{token.text!r} at {_where(text, token.start)} holds the keyword "
                                   f"{glued.group().upper()} glued to other characters; separate it with a space")
        elif kind == "pname" and watched:
            glued = HIDDEN.search(token.text.split(":", 1)[0])
            if glued:
                raise Refused(400, f"the prefix of {token.text!r} at {_where(text, token.start)} holds the keyword "
                                   f"{glued.group().upper()}, which the parser may read as one: rename the prefix")
        previous = token

        # The few parts of the grammar the endpoint needs: prologue declarations, the form, FROM clauses.
        if state == "prefix-name":
            state, prefix_name = ("prefix-iri", token.text[:-1]) if kind == "pname" and upper.endswith(":") \
                else (None, "")
            continue
        if state == "prefix-iri":
            if kind == "iri":
                # Resolved only if a FROM uses it: urljoin is a good part of a point lookup's inspection.
                prefixes[prefix_name] = (base, token.text[1:-1])
            state = None
            continue
        if state == "base-iri":
            if kind == "iri":
                base = urljoin(base, token.text[1:-1])
            state = None
            continue
        if state == "version":
            state = None
            continue
        if state in ("from", "from-named"):
            if state == "from" and kind == "word" and upper == "NAMED":
                state = "from-named"
                continue
            iri = _resolve(token, base, prefixes, text, from_keyword)
            (from_named if state == "from-named" else from_default).append(iri)
            state = None
            continue
        if kind != "word":
            continue
        if form is None:
            if upper in PROLOGUE_KEYWORDS:
                state = {"PREFIX": "prefix-name", "BASE": "base-iri", "VERSION": "version"}[upper]
                continue
            if upper in UPDATE_KEYWORDS:
                raise Refused(403, f"this endpoint is read-only: SPARQL Update ({upper}) is refused")
            form = upper if upper in QUERY_FORMS else ""
            if not watched:
                break
        elif upper == "FROM":
            state, from_keyword = "from", token

    if form is None:    # nothing but a prologue, or nothing at all: no store is asked to make sense of it
        raise Refused(400, "the query is empty: it needs SELECT, ASK, CONSTRUCT or DESCRIBE")
    if state in ("from", "from-named"):
        raise Refused(400, f"FROM at {_where(text, from_keyword.start)} must be followed by the IRI of one of "
                           "our graphs")
    return Inspection(form or None, tuple(from_default), tuple(from_named))


def _operand(token: _Token) -> bool:
    """Whether `<` after this token may be a less-than (after an operand) rather than an IRI's start."""
    return token.kind in OPERANDS or token.text.endswith(")") \
        or (token.kind == "word" and (token.text[0] in "0123456789." or token.text.lower() in ("true", "false")))


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _resolve(token: _Token, base: str, prefixes: dict[str, str | tuple[str, str]], text: str,
             keyword: _Token) -> str:
    """The IRI a FROM clause names."""
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1])
    if token.kind == "pname":
        prefix, local = token.text.split(":", 1)
        if prefix in prefixes:
            declared = prefixes[prefix]
            namespace = urljoin(*declared) if isinstance(declared, tuple) else declared
            return namespace + re.sub(r"\\(.)", r"\1", local)
        raise Refused(400, f"FROM {token.text} (at {_where(text, keyword.start)}) uses the undeclared prefix "
                           f"{prefix}:")
    raise Refused(400, f"FROM at {_where(text, keyword.start)} must be followed by the IRI of one of our graphs")


def _listed(graphs: Graphs) -> Iterable[str]:
    return graphs() if callable(graphs) else graphs


def dataset_for(inspection: Inspection, default_graph_uris: list[str], named_graph_uris: list[str],
                graphs: Graphs) -> Dataset:
    """The RDF dataset of a query, per the SPARQL 1.1 Protocol (section 2.1.4).

    The protocol's `default-graph-uri` / `named-graph-uri` win over the query's FROM / FROM NAMED; without
    either, the default graph is the union of all our named graphs, and every named graph is available to GRAPH.
    A dataset that names only named graphs has an empty default graph, and one that names only default graphs
    has no named graph for GRAPH to reach, as SPARQL says. A graph we do not hold is empty (`EMPTY_GRAPH`
    stands for every such graph, and for none).
    """
    default, named = tuple(default_graph_uris), tuple(named_graph_uris)
    if not (default or named):
        default, named = inspection.default, inspection.named
    if not (default or named):
        return UNION
    known = set(_listed(graphs))
    return Dataset(default=_held(default, known), named=_held(named, known))


def _held(iris: tuple[str, ...], known: set[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(iri if iri in known else EMPTY_GRAPH for iri in iris)) or (EMPTY_GRAPH,)
