"""Authoring by quoting: a span given as its exact text is anchored in the source text by the build.

In `data/<slug>.ttl` an author may write a span as the words it selects instead of their offsets:

    person:mike-pompeo lpo:supportedBy [ oa:exact "Mike Pompeo" ] .
    quote:x lpo:supportedBy [ oa:exact "I sent a note" ; oa:prefix "Iran. " ] .
    claim:y lpo:supportedBy [ oa:exact "ISIS" ; lpo:occurrence 2 ] .

That node is a quote selector in the sense of W3C Web Annotation's TextQuoteSelector: it matches where the
text holds `oa:exact`, directly preceded by `oa:prefix` and followed by `oa:suffix` when given; where several
places still match, `lpo:occurrence` (1-based, in text order) picks one. The build replaces the node by the
span it anchors to, `<id/span/<slug>-<start>-<end>>`, described as a hand-written span is (source, position
selector, quote selector), and fails naming every candidate position when the quote matches nowhere or more
than once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .report import InputError, Problem
from .vocab import OA, RDF, RDFS, XSD, Names

__all__ = ["Match", "anchor", "find", "span_description", "span_label"]

EXACT = ox.NamedNode(OA + "exact")
PREFIX = ox.NamedNode(OA + "prefix")
SUFFIX = ox.NamedNode(OA + "suffix")
HAS_SOURCE = ox.NamedNode(OA + "hasSource")
HAS_SELECTOR = ox.NamedNode(OA + "hasSelector")
TYPE = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
COUNT = ox.NamedNode(XSD + "nonNegativeInteger")
LABEL_CHARS = 60          # a span's label shows its text up to this many characters
# Characters an author's keyboard gives for the text's typographic ones: told apart in the hint of an error.
LOOKALIKES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


@dataclass(frozen=True)
class Match:
    start: int
    end: int


def find(text: str, exact: str, prefix: str = "", suffix: str = "") -> list[Match]:
    """Every place the quote selector matches, in text order (overlapping places included)."""
    found, at = [], text.find(exact)
    while at >= 0 and exact:
        end = at + len(exact)
        if text.endswith(prefix, 0, at) and text.startswith(suffix, end):
            found.append(Match(at, end))
        at = text.find(exact, at + 1)
    return found


def span_label(text: str, match: Match) -> str:
    exact = text[match.start:match.end]
    shown = exact if len(exact) <= LABEL_CHARS else exact[:LABEL_CHARS - 3] + "…"
    return f"characters {match.start}–{match.end}: “{shown}”"


def span_description(span: ox.NamedNode, document: ox.NamedNode, text: str, match: Match, lpo: str,
                     bnode_prefix: str, prefix: str = "", suffix: str = "", label: bool = True) -> list[ox.Triple]:
    """What a hand-written span says of itself: types, label (unless the author gave one), source, position
    and quote selectors."""
    exact = text[match.start:match.end]
    position = ox.BlankNode(f"{bnode_prefix}span_{match.start}_{match.end}_position")
    quote = ox.BlankNode(f"{bnode_prefix}span_{match.start}_{match.end}_quote")
    out = [
        ox.Triple(span, TYPE, ox.NamedNode(lpo + "TextSpan")),
        ox.Triple(span, TYPE, ox.NamedNode(OA + "SpecificResource")),
        ox.Triple(span, HAS_SOURCE, document),
        ox.Triple(span, HAS_SELECTOR, position),
        ox.Triple(span, HAS_SELECTOR, quote),
        ox.Triple(position, TYPE, ox.NamedNode(OA + "TextPositionSelector")),
        ox.Triple(position, ox.NamedNode(OA + "start"), ox.Literal(str(match.start), datatype=COUNT)),
        ox.Triple(position, ox.NamedNode(OA + "end"), ox.Literal(str(match.end), datatype=COUNT)),
        ox.Triple(quote, TYPE, ox.NamedNode(OA + "TextQuoteSelector")),
        ox.Triple(quote, EXACT, ox.Literal(exact)),
    ]
    if label:
        out.append(ox.Triple(span, LABEL, ox.Literal(span_label(text, match), language="en")))
    if prefix:
        out.append(ox.Triple(quote, PREFIX, ox.Literal(prefix)))
    if suffix:
        out.append(ox.Triple(quote, SUFFIX, ox.Literal(suffix)))
    return out


def anchor(triples: list[ox.Triple], read_text, document: str, names: Names, slug: str, turtle: Path,
           text_file: Path, bnode_prefix: str) -> list[ox.Triple]:
    """The triples with every quote node replaced by the span it anchors to; InputError names every quote that
    matches nowhere or in more than one place, with all the places it could mean. The text is read
    (`read_text(text_file)`) only when there is a quote to anchor."""
    selectors = {t.object for t in triples if t.predicate == HAS_SELECTOR}
    described = {t.subject for t in triples if t.predicate == HAS_SELECTOR}
    nodes: dict = {}
    for t in triples:
        if t.predicate == EXACT and t.subject not in selectors and t.subject not in described:
            nodes.setdefault(t.subject, {})
    if not nodes:
        return triples
    text = read_text(text_file)
    occurrence = ox.NamedNode(names.term("occurrence"))
    own = {EXACT, PREFIX, SUFFIX, HAS_SOURCE, occurrence}
    for t in triples:
        if t.subject in nodes and t.predicate in own:
            nodes[t.subject].setdefault(t.predicate, []).append(t.object)
    labelled = {t.subject for t in triples if t.predicate == LABEL}
    doc = ox.NamedNode(document)
    source = _Source(turtle, text_file, text)
    problems: list[Problem] = []
    spans: dict = {}
    extra: list[ox.Triple] = []
    for node, props in nodes.items():
        found = _anchor_one(props, text, doc, occurrence, source, problems)
        if found is None:
            continue
        match, prefix, suffix = found
        span = ox.NamedNode(names.thing("span", f"{slug}-{match.start}-{match.end}"))
        spans[node] = span
        if span not in described:
            described.add(span)
            extra.extend(span_description(span, doc, text, match, names.lpo, bnode_prefix, prefix, suffix,
                                          label=not ({node, span} & labelled)))
    if problems:
        raise InputError(problems)
    out = []
    for t in triples:
        if t.subject in spans and (t.predicate in own or (t.predicate == TYPE)):
            continue
        out.append(ox.Triple(spans.get(t.subject, t.subject), t.predicate, spans.get(t.object, t.object)))
    return out + extra


def _anchor_one(props: dict, text: str, doc: ox.NamedNode, occurrence: ox.NamedNode, source: _Source,
                problems: list[Problem]):
    def one(predicate) -> str:
        values = props.get(predicate, [])
        return values[0].value if values else ""

    exact, prefix, suffix = one(EXACT), one(PREFIX), one(SUFFIX)
    index = source.ordinal(exact)

    def where() -> dict:
        return {"file": str(source.turtle), "line": source.line_of(exact, index), "severity": "Error"}

    if len(props.get(EXACT, [])) > 1 or len(props.get(PREFIX, [])) > 1 or len(props.get(SUFFIX, [])) > 1:
        problems.append(Problem(f"the quote {_show(exact)} gives more than one oa:exact, oa:prefix or oa:suffix",
                                **where()))
        return None
    if props.get(HAS_SOURCE, [doc]) != [doc]:
        problems.append(Problem(f"the quote {_show(exact)} names another source ({props[HAS_SOURCE][0]}); a quote "
                                f"is anchored in its own document's text, {source.text_file.name}", **where()))
        return None
    nth = None
    if occurrence in props:
        raw = props[occurrence][0].value
        if not raw.isdigit() or int(raw) < 1:
            problems.append(Problem(f"lpo:occurrence of the quote {_show(exact)} is {raw!r}: it counts the "
                                    "matches in text order from 1", **where()))
            return None
        nth = int(raw)
    matches = find(text, exact, prefix, suffix)
    if nth is not None and nth <= len(matches):
        return matches[nth - 1], prefix, suffix
    if nth is None and len(matches) == 1:
        return matches[0], prefix, suffix
    context = " with" + "".join(f" oa:{n} {_show(v)}" for n, v in (("prefix", prefix), ("suffix", suffix)) if v) \
        if prefix or suffix else ""
    if nth is None and len(matches) > 1:
        problems.append(Problem(
            f"the quote {_show(exact)}{context} is ambiguous: it matches {len(matches)} places in "
            f"{source.text_file.name}, {source.places(matches)}. Add oa:prefix or oa:suffix (the words just before "
            "or after it), or lpo:occurrence N for the N-th of these", **where()))
    elif nth is not None:
        problems.append(Problem(
            f"lpo:occurrence {nth} of the quote {_show(exact)}{context}: it matches only {len(matches)} "
            f"place(s) in {source.text_file.name}" + (f", {source.places(matches)}" if matches else ""), **where()))
    else:
        loose = find(text, exact) if prefix or suffix else []
        hint = ""
        if loose:
            hint = f"; without the oa:prefix and oa:suffix it matches {source.places(loose)}"
        elif (alike := find(text.translate(LOOKALIKES), exact.translate(LOOKALIKES))):
            hint = (f"; the text has other quotation marks, apostrophes or dashes: {source.places(alike)}. "
                    "Copy the words from the text file")
        problems.append(Problem(f"the quote {_show(exact)}{context} is not in {source.text_file.name}{hint}",
                                **where()))
    return None


class _Source:
    """The author's files, for telling where things are: the Turtle line of a quote, the text's lines."""

    def __init__(self, turtle: Path, text_file: Path, text: str) -> None:
        self.turtle, self.text_file, self.text = turtle, text_file, text
        self.seen: dict[str, int] = {}
        self._turtle_text: str | None = None

    @property
    def turtle_text(self) -> str:
        if self._turtle_text is None:
            try:
                self._turtle_text = self.turtle.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._turtle_text = ""
        return self._turtle_text

    def ordinal(self, exact: str) -> int:
        """How many quotes of these words came before this one (quotes are met in the file's order)."""
        self.seen[exact] = self.seen.get(exact, 0) + 1
        return self.seen[exact] - 1

    def line_of(self, exact: str, index: int) -> int | None:
        """The line of the Turtle file where the `index`-th quote of these words is written."""
        written = '"' + exact.replace("\\", "\\\\").replace('"', '\\"') + '"'
        hits = [m.start() for m in re.finditer(re.escape(written), self.turtle_text)]
        if not hits:
            return None
        return self.turtle_text.count("\n", 0, hits[min(index, len(hits) - 1)]) + 1

    def places(self, matches: list[Match]) -> str:
        return "; ".join(f"characters {m.start}–{m.end} (line {self.text.count(chr(10), 0, m.start) + 1}: "
                         f"{self._around(m)})" for m in matches)

    def _around(self, m: Match) -> str:
        before = self.text[max(0, m.start - 20):m.start].split("\n")[-1]
        after = self.text[m.end:m.end + 20].split("\n")[0]
        return f"…{before}[{self.text[m.start:m.end]}]{after}…"


def _show(exact: str) -> str:
    return "“" + (exact if len(exact) <= LABEL_CHARS else exact[:LABEL_CHARS - 3] + "…") + "”"
