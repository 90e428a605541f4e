"""Query guards: refuse a query too deep or too big for the engine, before any parser sees it.

Oxigraph's parser and evaluator recurse once per level of a query's tree, on the stack of the thread that runs
them; a query deep enough (nested groups, parentheses, function calls, `!`, chains of UNION or `||`, which the
engine nests as a left-deep tree) or big enough (a flat group of triple patterns, which the optimizer joins
one by one) overflows it, and the process dies: a worker of ours, or the Oxigraph server behind `--store`.
So `check(query, limits)` scans the text once, in linear time and without recursion, and raises `TooComplex`
(a `Refused`, answered 400) naming the limit and the line:column where the query passed it.

It is a scanner, not a parser. It skips strings, IRIs and comments as the grammar does, and where a lexer
cannot tell what the parser will see (a `<` after an operand may be a less-than or an IRI's start), it counts
what both readings hold, so that it never sees less of the query than the parser does. What it measures:

- depth: open groups `{}`, brackets `[]`, parentheses (expressions, collections, paths), a function call one
  more, each pending unary operator (`!`, `^`, unary `-`/`+`), and each element of a chain (UNION, OPTIONAL,
  MINUS, FILTER, BIND, `||`, `&&`, comparisons, arithmetic, `/` and `|` of paths) at every enclosing level:
  a chain of n is n deep in the engine, and chains inside chains add up;
- chain: elements of one such chain, in one group or one parenthesis;
- triple patterns: separators `.`, `;`, `,` and open groups and brackets in a pattern context, and two per
  element of a collection (its `rdf:first` and `rdf:rest`);
- terms: variables, IRIs, prefixed names, literals, blank nodes, in the whole query.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["Limits", "Refused", "TooComplex", "check"]


class Refused(Exception):
    """A query the endpoint will not run; `status` is the HTTP status to answer with (`policy` refuses more)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Limits:
    depth: int
    chain: int
    patterns: int
    terms: int

    @classmethod
    def of(cls, settings) -> Limits:
        """The limits a `config.Settings` sets."""
        return cls(settings.query_max_depth, settings.query_max_chain, settings.query_max_patterns,
                   settings.query_max_terms)


class TooComplex(Refused):
    """A query over one of the limits: 400, with the limit's name, its value and the position."""

    def __init__(self, message: str, limit: str, offset: int) -> None:
        super().__init__(400, message)
        self.limit, self.offset = limit, offset


# Kinds of level: a group `{}` (patterns), a blank node's property list `[]`, a collection `()` in a pattern,
# an expression's parentheses, a VALUES block and its rows (data: terms only), a pending unary operator.
# The root is the query's top level, whose chain is its projections, ORDER BY and GROUP BY expressions.
# A quoted triple or triple term `<< >>` (RDF 1.2) is a level of its own.
GROUP, BNODE, COLLECTION, EXPRESSION, DATA, ROW, UNARY, ROOT, QUOTED = range(9)
PATTERN_LEVELS = (GROUP, BNODE, COLLECTION)
# Keywords that chain the elements of a group into a left-deep tree.
GROUP_CHAIN = frozenset({"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "VALUES", "GRAPH", "SERVICE"})
# Bare words that are terms: `a` (rdf:type) and the two boolean literals. Any other is a keyword or a function.
TERM_WORDS = frozenset({"A", "TRUE", "FALSE"})
# Binary operators that chain (SPARQL's relational operators do not: `a = b = c` is not a query).
CHAINING = frozenset({"||", "&&", "+", "-", "*", "/", "|"})
# Inside a `<...>` that may be a comparison, these would make the two readings disagree on what is code.
NOT_IN_AMBIGUOUS = frozenset("()[]'")
# Keywords and punctuation are read too: a text of a million of them costs the scan, not only the engine.
TOKENS_PER_TERM = 3
DEPTH_WHAT = ("its nesting depth (groups, brackets, parentheses, function calls, unary operators and chained "
              "UNION, OPTIONAL, ||, ... taken together)")

# The terminals the scan tells apart, after SPARQL 1.1's grammar. Whatever matches none (whitespace) is skipped;
# an unterminated string or a lone quote is skipped as one character, so the text after it is still counted.
TOKEN = re.compile("|".join((
    r"(?P<comment>#[^\n\r]*)",
    r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\""
    r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\")",
    r"(?P<quoted><<|>>)",
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
    r"(?P<term>[?$]\w+|_:[\w\-.]*\w|(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|(?:[^\W\d_][\w\-.]*)?:(?:[\w\-:%]|\\.|\.(?=[\w\-:%\\.]))*)",
    r"(?P<word>[^\W\d_]\w*)",
    r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
    r"(?P<open>[{\[(])",
    r"(?P<close>[}\])])",
    r"(?P<sep>[.;,])",
    r"(?P<op>\|\||&&|!=|<=|>=|[|&=!<>+\-*/^])",
)), re.DOTALL)
UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


class _Scan:
    """One pass over the tokens. The stack holds one [kind, chain, weight] per open level: `weight` is the
    depth of that level with its chain; `self.weight` is the innermost one's."""

    def __init__(self, text: str, limits: Limits) -> None:
        self.text, self.limits = text, limits
        self.stack: list[list[int]] = [[ROOT, 0, 0]]
        self.weight = 0
        self.patterns = 0
        self.terms = 0
        self.operand = False     # the last token ends an operand: a `<` after it may be a less-than
        self.last_word = ""      # the previous token, upper-cased, when it is a bare word
        self.call_next = False   # the previous token is an IRI or name right after FILTER: a function call
        self.values_pending = False

    def refuse(self, limit: str, value: int, what: str, offset: int) -> None:
        raise TooComplex(f"the query is too complex for this endpoint: {what} is over the limit of {value} "
                         f"({limit}) at {_where(self.text, offset)}; simplify or split the query", limit, offset)

    # --- levels ---------------------------------------------------------------------------------------------

    def open(self, kind: int, offset: int, extra: int = 0) -> None:
        self.weight += 1 + extra
        self.stack.append([kind, 0, self.weight])
        if self.weight > self.limits.depth:
            self.refuse("depth", self.limits.depth, DEPTH_WHAT, offset)

    def close(self) -> None:
        """A closing bracket ends the unary operators above its level, then the level itself."""
        stack = self.stack
        while stack[-1][0] == UNARY:
            stack.pop()
        if len(stack) > 1:
            stack.pop()
        self.weight = stack[-1][2]
        self.end_operand()

    def end_operand(self) -> None:
        """An operand is complete: the unary operators waiting for it apply, and their levels end."""
        stack = self.stack
        if stack[-1][0] == UNARY:
            while stack[-1][0] == UNARY:
                stack.pop()
            self.weight = stack[-1][2]
        self.operand = True

    def chain(self, offset: int) -> None:
        """One more element of the innermost level's chain, which deepens everything after it."""
        top = self.stack[-1]
        top[1] += 1
        top[2] += 1
        self.weight += 1
        if top[1] > self.limits.chain:
            self.refuse("chain", self.limits.chain, "a chain of UNION, OPTIONAL, MINUS, FILTER, BIND, ||, &&, "
                        "arithmetic or path steps in one group or parenthesis", offset)
        if self.weight > self.limits.depth:
            self.refuse("depth", self.limits.depth, DEPTH_WHAT, offset)

    def kind(self) -> int | None:
        for level in reversed(self.stack):
            if level[0] != UNARY:
                return None if level[0] == ROOT else level[0]
        return None

    def pattern(self, offset: int, count: int = 1) -> None:
        self.patterns += count
        if self.patterns > self.limits.patterns:
            self.refuse("patterns", self.limits.patterns, "its number of triple patterns", offset)

    def term(self, offset: int) -> None:
        self.terms += 1
        if self.terms > self.limits.terms:
            self.refuse("terms", self.limits.terms, "its number of terms (variables, IRIs, names, literals)",
                        offset)
        if self.stack[-1][0] == COLLECTION:
            self.pattern(offset, 2)
        self.end_operand()

    # --- the pass -------------------------------------------------------------------------------------------

    def run(self) -> None:
        tokens, most = 0, TOKENS_PER_TERM * self.limits.terms
        for match in TOKEN.finditer(self.text):
            kind, offset = match.lastgroup, match.start()
            if kind == "comment":
                continue
            tokens += 1
            if tokens > most:
                self.refuse("tokens", most, f"its number of tokens ({TOKENS_PER_TERM} times the limit on terms)",
                            offset)
            word, call = "", False
            if kind == "term":
                call = self.last_word == "FILTER"
                self.term(offset)
            elif kind == "word":
                word = match.group().upper()
                self.word(word, offset)
            elif kind == "open":
                self.bracket(match.group(), offset)
            elif kind == "close":
                self.close()
            elif kind == "sep":
                if self.kind() in (GROUP, BNODE):
                    self.pattern(offset)
                self.operand = False
            elif kind == "op":
                self.operator(match.group(), offset)
            elif kind == "iri":
                call = self.angle(match.group(), offset)
            elif kind == "quoted":
                self.quoted(match.group(), offset)
            elif kind == "string":
                self.term(offset)
            self.last_word = word
            self.call_next = call

    def angle(self, token: str, offset: int) -> bool:
        """An IRI, unless `<` comes after an operand in an expression, where it may also be a less-than: then
        both readings are counted. Whether it is a function called by FILTER."""
        if not (self.operand and self.kind() == EXPRESSION):
            self.term(offset)
            return self.last_word == "FILTER"
        inside = token[1:-1]
        if NOT_IN_AMBIGUOUS.intersection(inside):
            raise TooComplex(f"the '<' at {_where(self.text, offset)} may start an IRI or compare, and what "
                             "follows it holds a bracket or a quote: put spaces around '<' where it compares",
                             "ambiguity", offset)
        # The reading as comparisons: `<`, the inside as code (no brackets, no strings), `>`. It can only add
        # chain elements, unary operators and terms to the innermost level, so the scan goes on from its state.
        self.operand = False
        inner = _Scan(inside.replace("#", " "), self.limits)
        inner.stack, inner.weight, inner.patterns, inner.terms = self.stack, self.weight, self.patterns, self.terms
        try:
            inner.run()
        except TooComplex as error:
            at = offset + 1 + error.offset
            raise TooComplex(str(error).replace(f" at {_where(inside, error.offset)};",
                                                f" at {_where(self.text, at)};"), error.limit, at) from None
        self.stack, self.weight, self.terms = inner.stack, inner.weight, inner.terms
        self.term(offset)
        return False

    def quoted(self, token: str, offset: int) -> None:
        """`<<` opens a quoted triple or a triple term; `>>` closes one, and is nothing else in a query."""
        if token == "<<":
            self.open(QUOTED, offset)
            self.operand = False
        elif self.kind() == QUOTED:
            self.close()

    def word(self, upper: str, offset: int) -> None:
        if upper in TERM_WORDS:
            self.term(offset)
            return
        if upper in GROUP_CHAIN and self.kind() in (GROUP, BNODE):
            self.chain(offset)
        if upper == "VALUES":
            self.values_pending = True
        self.operand = upper == "UNDEF"

    def bracket(self, bracket: str, offset: int) -> None:
        level = self.kind()
        self.operand = False
        if bracket == "{":
            if self.values_pending:
                self.values_pending = False
                self.open(DATA, offset)
                return
            if level in (GROUP, BNODE):
                self.pattern(offset)
                if self.last_word not in GROUP_CHAIN and self.last_word != "EXISTS":
                    self.chain(offset)   # a group after a group is joined to it (UNION, OPTIONAL: counted)
            elif level is None:
                self.pattern(offset)     # a group's last pattern has no separator after it: counted here
            self.open(GROUP, offset)
            return
        if bracket == "[":
            if level in PATTERN_LEVELS:
                self.pattern(offset)
            self.open(BNODE, offset)
            return
        if level in (DATA, ROW):
            self.open(ROW, offset)
            return
        if level is None:
            self.chain(offset)       # each (expression AS ?v), GROUP BY (expression), ORDER BY key nests
        if self.call_next or (self.last_word and self.last_word not in TERM_WORDS):
            # A function call, or a keyword's parentheses (FILTER, BIND, IN, ...): a call is one level more.
            self.open(EXPRESSION, offset, extra=1)
        elif level in PATTERN_LEVELS:
            self.open(COLLECTION, offset)
        else:
            self.open(EXPRESSION, offset)

    def operator(self, op: str, offset: int) -> None:
        level = self.kind()
        if level in (DATA, ROW):
            return                  # the sign of a number in VALUES
        if op in "!^" or (op in "+-" and not self.operand and level == EXPRESSION):
            self.open(UNARY, offset)
        elif op in "+*" and level in PATTERN_LEVELS:
            return                  # a path's modifier
        elif op in CHAINING:
            self.chain(offset)
        self.operand = False


def check(query: str, limits: Limits) -> None:
    """Raise TooComplex if the query is over a limit; else return. Linear in the length of the query, and
    remembered for short queries, which clients send again and again."""
    verdict = _verdict(query, limits) if len(query) <= REMEMBERED_LENGTH else _judge(query, limits)
    if verdict is not None:
        raise TooComplex(*verdict)


REMEMBERED_LENGTH = 8192


@functools.lru_cache(maxsize=4096)
def _verdict(query: str, limits: Limits) -> tuple[str, str, int] | None:
    return _judge(query, limits)


def _judge(query: str, limits: Limits) -> tuple[str, str, int] | None:
    """None, or what TooComplex is raised with. SPARQL lets a query spell any character as \\uXXXX before it
    is parsed: a query that holds such an escape is judged as written and as the parser reads it."""
    try:
        _Scan(query, limits).run()
        if "\\u" in query or "\\U" in query:
            _Scan(UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query), limits).run()
    except TooComplex as error:
        return error.message, error.limit, error.offset
    return None
