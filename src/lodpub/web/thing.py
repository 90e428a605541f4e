"""The page about a thing: label, types, properties, evidence, quotes, incoming links, and a source's text.

It reads the description (`describe.py`) plus, for people, two questions more: the quotes around the thing
(with speaker, date, occasion and span) and, for a source document, the spans annotated on its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import render_template

from ..vocab import FOAF, OA, ORG, PROV, RDF, SCHEMA
from . import story
from .context import names, settings
from .describe import Description, annotations, labels_and_types, quotes_about, quotes_around
from .embed import jsonld
from .graph import Index
from .links import document_path, with_extension, with_page
from .negotiation import REPRESENTATIONS
from .network import layout
from .view import View

TEXT = SCHEMA + "text"
AGENT_TYPES = {PROV + "Agent", FOAF + "Agent", SCHEMA + "Person", SCHEMA + "Organization"}


@dataclass
class Story:
    """What the page tells before the properties (see story.py)."""

    agent: bool = False
    act: story.Act | None = None                 # the thing itself, when it is a communication
    roles: list = field(default_factory=list)
    more_roles: bool = False
    timeline: list = field(default_factory=list)
    more_acts: bool = False
    claims: story.Claims | None = None
    disputes: list = field(default_factory=list)
    events: dict = field(default_factory=dict)     # asserted event -> Act, for the accounts side by side
    vouched_by: list = field(default_factory=list)  # claims that alone vouch for the thing

    @property
    def mentioned(self) -> set:
        terms: set = set()
        for a in [*self.timeline, *self.events.values(), *([self.act] if self.act else [])]:
            terms |= a.mentioned
        for r in self.roles:
            terms |= {r.membership, r.role, *r.organizations, *r.principals, *r.polities}
            for w in r.when:
                terms |= {w.inference, *w.basis}
        if self.claims:
            terms |= self.claims.mentioned
        for d in self.disputes:
            terms.add(d.predicate)
            for account in d.accounts:
                terms.add(account.claimant)
                for claim, value, events in account.claims:
                    terms |= {claim, value, *events}
        for claim, claimant in self.vouched_by:
            terms |= {claim, claimant}
        return {t for t in terms if isinstance(t, ox.NamedNode)}


def tell(iri: str, types: set[str], shown: int) -> Story:
    """The story of a thing, in a bounded number of bounded queries."""
    lpo = _lpo()
    thing = ox.NamedNode(iri)
    told = Story(agent=bool(types & AGENT_TYPES))
    if types & {lpo + c for c in story.ACT_CLASSES}:
        told.act = next(iter(story.acts([thing])), None)
    if told.agent:
        roles = story.roles_of(iri, shown + 1)
        told.more_roles = len(roles) > shown
        told.roles = roles[:shown]
        terms = story.act_terms_of(iri, shown + 1)
        told.more_acts = len(terms) > shown
        told.timeline = story.acts(terms[:shown])
    told.claims = story.claims_around(iri, shown)
    told.disputes = story.accounts_of(iri, 4 * shown)
    events = {e for d in told.disputes for a in d.accounts for _, _, es in a.claims for e in es}
    told.events = {a.term: a for a in story.acts(sorted(events, key=str))}
    told.vouched_by = story.vouched_by([thing]).get(thing, [])
    return told


def span_anchor(start: int, end: int) -> str:
    return f"span-{start}-{end}"


def span_href(source, start, end) -> str | None:
    """Where a span is shown: its offsets highlighted on the source document's page."""
    if not isinstance(source, ox.NamedNode) or start is None or end is None:
        return None
    path = document_path(source.value)
    return f"{path}#{span_anchor(start, end)}" if path else None


def as_int(term) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


@dataclass
class Evidence:
    span: ox.NamedNode | ox.BlankNode
    exact: str | None
    source: ox.NamedNode | None
    start: int | None
    end: int | None

    @property
    def href(self) -> str | None:
        return span_href(self.source, self.start, self.end)


def evidence(index: Index, thing: ox.NamedNode, lpo: str) -> list[Evidence]:
    """The spans supporting the thing or its blank nodes, read from the description's own triples."""
    holders = [thing] + [o for os_ in index.properties(thing).values() for o in os_ if isinstance(o, ox.BlankNode)]
    found: dict = {}
    for holder in holders:
        for span in index.objects(holder, lpo + "supportedBy"):
            if span in found or isinstance(span, ox.Literal):
                continue
            exact = start = end = None
            for selector in index.objects(span, OA + "hasSelector"):
                exact = exact or _literal(index.value(selector, OA + "exact"))
                start = start if start is not None else as_int(index.value(selector, OA + "start"))
                end = end if end is not None else as_int(index.value(selector, OA + "end"))
            source = index.value(span, OA + "hasSource")
            found[span] = Evidence(span, exact, source if isinstance(source, ox.NamedNode) else None, start, end)
    return sorted(found.values(), key=lambda e: (e.start if e.start is not None else -1, str(e.span)))


def _literal(term) -> str | None:
    return term.value if isinstance(term, ox.Literal) else None


@dataclass
class Quote:
    quote: ox.NamedNode | ox.BlankNode
    text: str | None = None
    speakers: list = field(default_factory=list)
    acts: list = field(default_factory=list)
    occasions: list = field(default_factory=list)
    times: list[tuple] = field(default_factory=list)   # (term, its phrase or value)
    spans: list[Evidence] = field(default_factory=list)


def quotes(iri: str, limit: int) -> tuple[list[Quote], set[ox.NamedNode]]:
    by_quote: dict = {}
    mentioned: set[ox.NamedNode] = set()
    for row in quotes_about(iri, limit):
        q = by_quote.setdefault(row["q"], Quote(row["q"]))
        if "text" in row and q.text is None:
            q.text = row["text"].value
        time = row.get("time")
        if time is not None and all(time != t for t, _ in q.times):
            label = row.get("timeLabel")
            q.times.append((time, label.value if label is not None else time.value if isinstance(time, ox.Literal)
                            else None))
        for key, bucket in (("speaker", q.speakers), ("act", q.acts), ("occasion", q.occasions)):
            term = row.get(key)
            if term is not None and term not in bucket:
                bucket.append(term)
                if isinstance(term, ox.NamedNode):
                    mentioned.add(term)
        if "span" in row:
            span = Evidence(row["span"], None, row.get("source"), as_int(row.get("start")), as_int(row.get("end")))
            if all(s.span != span.span for s in q.spans):
                q.spans.append(span)
    # A quote is shown by its text; its label only stands in for a missing text.
    mentioned |= {q.quote for q in by_quote.values() if q.text is None and isinstance(q.quote, ox.NamedNode)}
    ordered = sorted(by_quote.values(), key=lambda q: (min((s.start or 0 for s in q.spans), default=0), str(q.quote)))
    return ordered, mentioned


# The layers of a source's highlights, by what a span supports: (key, legend, classes), first match wins.
LAYERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("quote", "quotes", ("lpo:Quote", SCHEMA + "Quotation")),
    ("claim", "claims", ("lpo:Claim",)),
    ("communication", "communications and messages", ("lpo:Communication", "lpo:Receipt", "lpo:Message")),
    ("event", "events and actions", (SCHEMA + "Event", SCHEMA + "Action", PROV + "Activity")),
    ("time", "times", ("lpo:TimeExpression", "lpo:Inference")),
    ("agent", "people, organizations and roles", (PROV + "Agent", FOAF + "Agent", SCHEMA + "Person",
                                                  SCHEMA + "Organization", ORG + "Membership", ORG + "Role")),
    ("place", "places", (SCHEMA + "Place",)),
    ("other", "other resources", ()),
)


def layer_of(view: View, supports: list) -> str:
    """The layer of a span: the first of LAYERS that a resource it supports belongs to."""
    types = set()
    for term in supports:
        for t in view.index.objects(term, RDF + "type"):
            types.add(t.value)
            types |= view.vocab.superclasses.get(t.value, set())
    for key, _, classes in LAYERS:
        if any((_lpo() + c[4:] if c.startswith("lpo:") else c) in types for c in classes):
            return key
    return "other"


@dataclass
class Annotation:
    start: int
    end: int
    exact: str | None
    supports: list                      # terms: the resources the span supports (or their holders)
    layer: str = "other"

    @property
    def anchor(self) -> str:
        return span_anchor(self.start, self.end)


@dataclass
class Segment:
    text: str
    start: int
    end: int
    anchors: list[str]                  # ids of the spans that start here
    innermost: Annotation | None = None
    depth: int = 0                      # how many spans cover it


def annotated_text(text: str, iri: str) -> tuple[list[Segment], list[Annotation], set[ox.NamedNode]]:
    """The text cut at every span boundary; each piece knows the spans over it and what they support."""
    spans: dict[tuple[int, int], Annotation] = {}
    mentioned: set[ox.NamedNode] = set()
    for row in annotations(iri):
        start, end = as_int(row.get("start")), as_int(row.get("end"))
        if start is None or end is None or not 0 <= start < end <= len(text):
            continue
        note = spans.setdefault((start, end), Annotation(start, end, _literal(row.get("exact")), []))
        supported = row.get("owner") or row.get("r")
        if supported is not None and supported not in note.supports:
            note.supports.append(supported)
            if isinstance(supported, ox.NamedNode):
                mentioned.add(supported)
    notes = sorted(spans.values(), key=lambda a: (a.start, -a.end))
    cuts = sorted({0, len(text), *(a.start for a in notes), *(a.end for a in notes)})
    segments = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        over = [a for a in notes if a.start <= left and right <= a.end]
        innermost = min(over, key=lambda a: a.end - a.start) if over else None
        segments.append(Segment(text[left:right], left, right, [a.anchor for a in notes if a.start == left],
                                innermost, len(over)))
    return segments, notes, mentioned


def render(description: Description) -> str:
    thing = ox.NamedNode(description.iri)
    lpo = _lpo()
    # Each list shows `settings.section_rows` rows and says how to get the rest. One quote more than is shown
    # tells whether there are more; the evidence is all in the description already.
    shown = settings().section_rows
    found_quotes, mentioned = quotes(description.iri, shown + 1)
    base_index = Index(description.triples)
    text_literal = base_index.value(thing, TEXT)
    segments, notes = None, None
    is_source = any(t.value == lpo + "SourceDocument" for t in base_index.objects(thing, ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")))
    if isinstance(text_literal, ox.Literal) and not _is_quote(base_index, thing, lpo):
        segments, notes, more = annotated_text(text_literal.value, description.iri)
        mentioned |= more
        if not notes and not is_source:
            segments = notes = None
    types = {t.value for t in base_index.objects(thing, RDF + "type")}
    told = tell(description.iri, types, shown)
    mentioned |= told.mentioned
    described = {t.subject for t in description.triples}
    extra = labels_and_types(mentioned - described)
    index = Index([*description.triples, *extra])
    view = View(index)
    for note in notes or ():
        note.layer = layer_of(view, note.supports)
    own_quote = next((q for q in found_quotes if q.quote == thing), None)
    other_quotes = [q for q in found_quotes if q.quote != thing]
    spans = evidence(index, thing, lpo)
    # Where the thing has more supporting spans than a page, the description holds this page of them.
    evidence_total = len(spans)
    if lpo + "supportedBy" in description.totals:
        direct = set(index.objects(thing, lpo + "supportedBy"))
        evidence_total += description.totals[lpo + "supportedBy"] - len(direct)
    incoming = description.incoming
    incoming_rows = linking(view, incoming.links)
    path = document_path(description.iri)
    alternates = [(r, with_page(with_extension(path, r.extension), incoming.page)) for r in REPRESENTATIONS
                  if not r.is_html]
    return render_template(
        "thing.html", view=view, thing=thing, iri=description.iri, description=description,
        rows=view.rows(thing, skip=(TEXT,) if segments is not None else (), limit=settings().page_size,
                       totals=description.totals),
        evidence=spans[:shown], evidence_total=evidence_total, evidence_query=evidence_query(description.iri),
        own_quote=own_quote,
        quotes=other_quotes[:shown], more_quotes=len(other_quotes) > shown,
        quotes_query=quotes_query(description.iri),
        segments=segments, annotations=notes, layers=[(k, t) for k, t, _ in LAYERS if any(
            n.layer == k for n in notes or ())], incoming=incoming, incoming_rows=incoming_rows, story=told,
        network=layout(told.timeline, view, thing) if told.timeline else None,
        jsonld=jsonld(description.triples, description.iri),
        senders=base_index.objects(thing, SCHEMA + "sender") or base_index.objects(thing, SCHEMA + "author"),
        recipients=base_index.objects(thing, SCHEMA + "recipient"),
        claimants=base_index.objects(thing, lpo + "claimedBy"), hedges=base_index.objects(thing, lpo + "hedge"),
        alternates=alternates, path=path, with_page=with_page, with_extension=with_extension)


def linking(view: View, links) -> list[tuple]:
    """One row per resource that links in, with the properties it links by: a property's superproperties
    that repeat it are left out (a claim's lpo:claimedBy and prov:wasAttributedTo show once, as one row)."""
    by_subject: dict = {}
    for subject, predicate in links:
        by_subject.setdefault(subject, []).append(predicate)
    rows = []
    for subject, predicates in by_subject.items():
        implied = set()
        for p in predicates:
            implied |= view.vocab.superproperties.get(p.value, set())
        shown = [p for p in predicates if p.value not in implied]
        shown.sort(key=lambda p: (not p.value.startswith(_lpo()), view.label(p).lower()))
        rows.append((subject, shown))
    return sorted(rows, key=lambda r: (view.label(r[1][0]).lower(), view.label(r[0]).lower()))


def quotes_query(iri: str) -> str:
    """The SPARQL query a reader can run for every quote around the thing, when the page shows only the first."""
    return f"""PREFIX lpo: <{_lpo()}>
PREFIX schema: <http://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?quote ?text WHERE {{
  {quotes_around(f"<{iri}>", "?quote")}
  OPTIONAL {{ ?quote schema:text ?text }}
}} ORDER BY ?quote"""


def evidence_query(iri: str) -> str:
    """The SPARQL query a reader can run for every span that supports the thing, with its text."""
    return f"""SELECT ?span ?exact WHERE {{
  <{iri}> <{_lpo()}supportedBy> ?span
  OPTIONAL {{ ?span <{OA}hasSelector> ?selector . ?selector <{OA}exact> ?exact }}
}} ORDER BY ?span"""


def _is_quote(index: Index, thing, lpo: str) -> bool:
    types = {t.value for t in index.objects(thing, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")}
    return bool(types & {lpo + "Quote", SCHEMA + "Quotation"})


def _lpo() -> str:
    return names().lpo
