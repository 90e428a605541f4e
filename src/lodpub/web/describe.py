"""What the description of a thing holds, in a few SPARQL queries through the store interface.

A description of `<x>` is:
- its own triples, with the closure of the blank nodes they reach (a role, a time, a selector...);
- the spans of source text that support it or its blank nodes (`lpo:supportedBy`), with their selectors;
- a property with more values than a page holds (a hub is supported by thousands of spans), one page of its
  values at a time, with its count, each value with its blank nodes and, for evidence, its span's triples;
- the incoming links, one page at a time (`settings.page_size`), with counts per property; a blank node that
  links in comes with its own triples, since it has no page of its own;
- the labels and types of every resource it links to or is linked from;
- a few triples about the document itself: its topic, license, dataset, and where the next page is (Hydra).

A few queries make it, whatever its size: the count of values per property, the closure of the others, the
count of links in per property (again, less the subproperties' links, for a superproperty whose subproperties
link in too), the labels; one more per long property (a page of its values) and per property of links in
that the page reaches (a page of its subjects), each page in the store's own order and sorted here, and one
per property by which blank nodes of the page link in. Only one page of a hub's values and links is closed,
labelled and shown. The property hierarchy the counts need is read once per process.
Only `query()` is used, so a remote SPARQL store serves the same descriptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ..store import Solutions, Triples
from ..vocab import DCTERMS, FOAF, OA, RDF, RDFS, SCHEMA, SKOS, VOID, XSD
from .cache import app_cache
from .context import manifest, names, settings, store
from .graph import sort_key
from .links import document_iri, is_safe_iri, with_page

HYDRA = "http://www.w3.org/ns/hydra/core#"
TYPE = ox.NamedNode(RDF + "type")
# Properties that name a resource, in the order a page prefers them.
LABEL_PROPERTIES: tuple[str, ...] = (
    RDFS + "label", SKOS + "prefLabel", SCHEMA + "name", FOAF + "name", DCTERMS + "title", SCHEMA + "headline")
CLOSURE_DEPTH = 4   # blank nodes reached through at most this many blank nodes


class NotAnIri(ValueError):
    """A request named something that cannot be an IRI in our store."""


def iri_ref(iri: str) -> str:
    if not is_safe_iri(iri):
        raise NotAnIri(iri)
    return f"<{iri}>"


def values(variable: str, iris) -> str:
    """`VALUES (?v) { (<a>) (<b>) }`: one IRI per row, each in its own parentheses (the long form keeps
    every IRI after a `(`, where no query inspector can take its `<` for a less-than)."""
    rows = " ".join(f"({iri_ref(i)})" for i in iris)
    return f"VALUES ({variable}) {{ {rows} }}"


def run(sparql: str):
    return store().query(sparql, prefixes=names().prefixes())


def construct(sparql: str) -> list[ox.Triple]:
    result = run(sparql)
    assert isinstance(result, Triples)
    return list(result.triples)


def select(sparql: str) -> list[dict[str, object]]:
    result = run(sparql)
    assert isinstance(result, Solutions)
    return [{v: t for v, t in zip(result.variables, row, strict=True) if t is not None} for row in result.rows]


def ask(sparql: str) -> bool:
    result = run(sparql)
    assert isinstance(result, bool)
    return result


@dataclass
class Incoming:
    """One page of the links into a thing."""

    links: list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode]]   # (subject, predicate), this page
    counts: dict[str, int]                                           # predicate IRI -> linking subjects
    page: int
    page_size: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.links else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.page_size + len(self.links)


@dataclass
class Description:
    iri: str
    triples: list[ox.Triple]
    incoming: Incoming
    document: str                              # the document's IRI (without the page)
    totals: dict[str, int] = field(default_factory=dict)   # property IRI -> values, where more than a page

    @property
    def pages(self) -> int:
        """Pages of the longest list: page n shows the n-th page of every list that is longer than one."""
        size = self.incoming.page_size
        return max([self.incoming.pages, *(-(-n // size) for n in self.totals.values())])


def exists(iri: str) -> bool:
    """Whether the dataset says anything about or pointing to this IRI."""
    ref = iri_ref(iri)
    return ask(f"ASK {{ {{ {ref} ?p ?o }} UNION {{ ?s ?p {ref} }} }}")


def _closure_query(ref: str, follow: tuple[str, ...], long: tuple[str, ...] = ()) -> str:
    """The thing's triples, its blank nodes' and its evidence, leaving out the `long` properties (paged apart).

    The paths into blank nodes start from the properties to `follow` (the thing's own, less the long ones),
    given as VALUES: each is then one lookup, where a filter on every property read all of a hub's values
    once per branch."""
    starts = f"VALUES ?h1 {{ {' '.join(iri_ref(p) for p in follow)} }} "
    branches = [f"{{ VALUES ?s {{ {ref} }} ?s ?p ?o"
                + (f" FILTER(?p NOT IN ({', '.join(iri_ref(p) for p in long)}))" if long else "") + " }"]
    for depth in range(1, CLOSURE_DEPTH + 1):
        hops, previous = [], ref
        for i in range(1, depth + 1):
            node = "?s" if i == depth else f"?b{i}"
            hops.append(f"{previous} ?h{i} {node} FILTER(isBlank({node}))")
            previous = node
        branches.append("{ " + starts + " ".join(hops) + " ?s ?p ?o }")
    # The evidence: spans supporting the thing or one of its blank nodes, and their (blank) selectors.
    # (The span is bound as ?s directly where it is the subject: Virtuoso 7.2's compiler fails on a BIND in a
    # UNION beside a VALUES branch.)
    holders = [f"{starts}{ref} ?h1 ?eb FILTER(isBlank(?eb)) ?eb lpo:supportedBy"]
    if names().lpo + "supportedBy" not in long:
        holders.insert(0, f"{ref} lpo:supportedBy")
    for holder in holders:
        branches.append(f"{{ {holder} ?s FILTER(isIRI(?s)) ?s ?p ?o }}")
        branches.append(f"{{ {holder} ?span FILTER(isIRI(?span)) ?span ?e1 ?s FILTER(isBlank(?s)) ?s ?p ?o }}")
    return "CONSTRUCT { ?s ?p ?o } WHERE {\n  " + "\n  UNION ".join(branches) + "\n}"


def _value_counts(ref: str) -> dict[str, int]:
    """How many values the thing has of each property."""
    rows = select(f"SELECT ?p (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {ref} ?p ?o }} GROUP BY ?p")
    return {row["p"].value: int(row["n"].value) for row in rows}


def _page_of_values(ref: str, predicate: str, page: int, size: int) -> list[ox.Triple]:
    """One page of a long property's values, each with its blank nodes two levels deep; a span supporting the
    thing comes with its own triples, as the closure gives them.

    The pages follow the store's own order, and each is ordered here: over a hub's thousands of spans, Oxigraph's
    ORDER BY, or reading them all to sort them, took longer than a page may. Blank nodes cannot be named in a
    later query, so a page with blank nodes among its values is read again with their triples, by one query."""
    prop = iri_ref(predicate)
    evidence = predicate == names().lpo + "supportedBy"
    page_query = f"SELECT DISTINCT ?o WHERE {{ {ref} {prop} ?o }} LIMIT {size} OFFSET {(page - 1) * size}"
    result = run(page_query)
    assert isinstance(result, Solutions)
    found = [row[0] for row in result.rows]
    if any(isinstance(o, ox.BlankNode) for o in found):
        reach = "" if evidence else "FILTER(isBlank(?o)) "
        return construct(f"""
CONSTRUCT {{ {ref} {prop} ?o . ?o ?q ?v . ?v ?r ?w }} WHERE {{
  {{ {page_query} }}
  OPTIONAL {{ {reach}?o ?q ?v OPTIONAL {{ ?v ?r ?w FILTER(isBlank(?v)) }} }}
}}""")
    shown = sorted(found, key=lambda o: (isinstance(o, ox.Literal), o.value))
    thing, link = ox.NamedNode(ref[1:-1]), ox.NamedNode(predicate)
    out = [ox.Triple(thing, link, o) for o in shown]
    spans = [o.value for o in shown if isinstance(o, ox.NamedNode)]
    if evidence and spans:
        out += construct(f"""
CONSTRUCT {{ ?o ?q ?v . ?v ?r ?w }} WHERE {{
  {values("?o", spans)} ?o ?q ?v OPTIONAL {{ ?v ?r ?w FILTER(isBlank(?v)) }}
}}""")
    return out


# An incoming link the build added because our ontology makes its property a superproperty of the one the
# data states (lpo:sender -> schema:agent, prov:wasAssociatedWith) repeats that link: count and show it once.
# The pairs (subproperty, superproperty) are read once per process; the check is a MINUS of the subproperties'
# links (Virtuoso 7.2's compiler fails on the same check as a FILTER NOT EXISTS over VALUES).
def _implying(present: set[str]) -> dict[str, list[str]]:
    """Each of these properties that has subproperties among them, with those subproperties."""
    subs: dict[str, list[str]] = {}
    for sub, sup in subproperty_pairs():
        if sub in present and sup in present:
            subs.setdefault(sup, []).append(sub)
    return subs


def _stated_links(ref: str, prop: str, subs: list[str]) -> str:
    """The pattern of the things linking in by `prop` and by none of its subproperties `subs`."""
    minus = " UNION ".join(f"{{ ?s {iri_ref(sub)} {ref} }}" for sub in subs)
    return f"?s {iri_ref(prop)} {ref}" + (f" MINUS {{ {minus} }}" if subs else "")


def subproperty_pairs() -> list[tuple[str, str]]:
    """Every (subproperty, superproperty) pair of the dataset's property hierarchy, transitively."""
    from .cache import cached

    def read() -> list[tuple[str, str]]:
        # The direct pairs, closed here: Virtuoso 7.2 refuses a property path with neither end given
        # ("transitive start not given"), and the hierarchy is small.
        rows = select("SELECT DISTINCT ?sub ?super WHERE { ?sub rdfs:subPropertyOf ?super "
                      "FILTER(isIRI(?sub) && isIRI(?super)) }")
        supers: dict[str, set[str]] = {}
        for row in rows:
            supers.setdefault(row["sub"].value, set()).add(row["super"].value)
        pairs = set()
        for sub in supers:
            seen, todo = set(), list(supers[sub])
            while todo:
                up = todo.pop()
                if up not in seen:
                    seen.add(up)
                    todo.extend(supers.get(up, ()))
            pairs.update((sub, up) for up in seen if up != sub)
        return sorted(pairs)

    return cached("subproperty pairs", read, lambda pairs: 200 * len(pairs) + 64)


def _incoming(ref: str, page: int, size: int) -> tuple[dict[str, int], list[ox.Triple]]:
    """The number of things linking in per property, and the page's links with the triples of the blank nodes
    among them (two levels deep).

    The store counts the links (a hub has tens of thousands, and reading them into Python took far longer than
    counting them there); only the properties the page reaches are read, one page of each in the store's own
    order, sorted here with blank nodes first as SPARQL orders them: Oxigraph's ORDER BY, or reading them all to
    sort them, took longer than a page may."""
    rows = select(f"SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p {ref} }} GROUP BY ?p")
    counts = {row["p"].value: int(row["n"].value) for row in rows}
    implying = _implying(set(counts))
    for prop, subs in implying.items():
        stated = select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {_stated_links(ref, prop, subs)} }}")
        counts[prop] = int(stated[0]["n"].value)
    counts = {prop: n for prop, n in counts.items() if n}
    start, end, shown, before = (page - 1) * size, page * size, [], 0
    for prop in sorted(counts):     # `before`: the links of the properties before this one
        if before + counts[prop] > start and before < end:
            skip = max(0, start - before)
            found = run(f"SELECT DISTINCT ?s WHERE {{ {_stated_links(ref, prop, implying.get(prop, []))} }} "
                        f"LIMIT {min(end - before, counts[prop]) - skip} OFFSET {skip}")
            assert isinstance(found, Solutions)
            subjects = sorted((row[0] for row in found.rows), key=lambda s: (isinstance(s, ox.NamedNode), s.value))
            predicate = ox.NamedNode(prop)
            shown += [(s, predicate) for s in subjects]
        before += counts[prop]
    thing = ox.NamedNode(ref[1:-1])
    out = [ox.Triple(s, p, thing) for s, p in shown]
    blank = {s for s, _ in shown if isinstance(s, ox.BlankNode)}
    for p in sorted({p.value for s, p in shown if s in blank}):
        # Blank nodes cannot be named in a query: read those of this property, keep the page's.
        found = construct(f"""
CONSTRUCT {{ ?s ?q ?o . ?o ?r ?v }} WHERE {{
  ?s {iri_ref(p)} {ref} FILTER(isBlank(?s)) ?s ?q ?o OPTIONAL {{ ?o ?r ?v FILTER(isBlank(?o)) }}
}}""")
        first = [t for t in found if t.subject in blank]
        reached = {t.object for t in first if isinstance(t.object, ox.BlankNode)}
        out += first + [t for t in found if t.subject in reached and t.subject not in blank]
    return counts, out


def labels_and_types(resources: set[ox.NamedNode], with_types: bool = True) -> list[ox.Triple]:
    """The labels (and types) of these resources, as triples.

    Each resource's are kept in the answer cache: the people and organizations that pages mention most are
    hubs, and looking up a hub's labels reads all of its triples (a FILTER on the property; a lookup per
    property was no faster over a page's mix of resources)."""
    cache = app_cache()
    found: list[ox.Triple] = []
    missing = []
    for r in sorted(r.value for r in resources if is_safe_iri(r.value)):
        known = cache.get(("labels", with_types, r))
        if known is None:
            missing.append(r)
        else:
            found += known
    if not missing:
        return found
    properties = [*LABEL_PROPERTIES, names().lpo + "phrase", *([RDF + "type"] if with_types else [])]
    # The properties as a FILTER, not a second VALUES: with two VALUES Oxigraph joins them first and scans
    # every quad (seconds for a page of neighbours); this way each ?r is looked up.
    wanted = ", ".join(iri_ref(p) for p in properties)
    read = construct(f"CONSTRUCT {{ ?r ?p ?o }} WHERE {{ {values('?r', missing)} ?r ?p ?o FILTER(?p IN ({wanted})) }}")
    by_subject: dict[str, list[ox.Triple]] = {r: [] for r in missing}
    for t in read:
        by_subject[t.subject.value].append(t)
    for r, triples in by_subject.items():
        cache.put(("labels", with_types, r), triples, 200 + sum(len(str(t)) for t in triples))
    return found + read


def describe(iri: str, page: int = 1) -> Description:
    """The description of a thing: see the module's docstring. Raises NotAnIri for an unusable IRI."""
    ref = iri_ref(iri)
    size = settings().page_size
    per_property = _value_counts(ref)
    totals = {p: n for p, n in per_property.items() if n > size and p != RDF + "type"}
    follow = tuple(sorted(p for p in per_property if p not in totals))
    own = construct(_closure_query(ref, follow, tuple(sorted(totals)))) if follow else []
    for predicate in sorted(totals):
        own += _page_of_values(ref, predicate, page, size)
    counts, incoming_triples = _incoming(ref, page, size)
    thing = ox.NamedNode(iri)
    links = sorted({(t.subject, t.predicate) for t in incoming_triples if t.object == thing},
                   key=lambda sp: (sp[1].value, str(sp[0])))
    incoming = Incoming(links, counts, page, size)

    triples = set(own) | set(incoming_triples)
    neighbours = {term for t in triples for term in (t.subject, t.object)
                  if isinstance(term, ox.NamedNode) and term != thing}
    triples |= set(labels_and_types(neighbours))
    doc = document_iri(iri)
    described = Description(iri, [], incoming, doc, totals)
    triples |= set(_about_document(described, page))
    described.triples = sorted(triples, key=sort_key)
    return described


def _about_document(description: Description, page: int) -> list[ox.Triple]:
    """What the document says about itself: topic, license, dataset, build time, and its lists in pages (Hydra):
    the links into the thing, and each property with more values than a page holds."""
    n = names()
    iri, doc, incoming = description.iri, description.document, description.incoming
    out: list[ox.Triple] = []

    def add(s: str, p: str, o) -> None:
        out.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o if not isinstance(o, str) else ox.NamedNode(o)))

    if doc != iri:
        add(doc, RDF + "type", FOAF + "Document")
        add(doc, FOAF + "primaryTopic", iri)
        add(doc, DCTERMS + "license", settings().license)
        add(doc, VOID + "inDataset", n.dataset)
        add(doc, DCTERMS + "modified", ox.Literal(manifest()["built"], datatype=ox.NamedNode(XSD + "dateTime")))
    size, pages = incoming.page_size, description.pages
    # Each list is a Hydra collection whose `manages` block names the triples it pages: <thing> <p> ?value,
    # or ?subject ?p <thing> for the links in.
    collections = [(f"{doc}#values-{i}", f"The values of <{p}> of {iri}, {size} a page.", total,
                    [(HYDRA + "subject", iri), (HYDRA + "property", p)])
                   for i, (p, total) in enumerate(sorted(description.totals.items()), start=1)]
    if incoming.total > size:
        collections.append((doc + "#incoming", f"The links into {iri}, {size} a page.", incoming.total,
                            [(HYDRA + "object", iri)]))
    view = with_page(doc, page)
    for i, (collection, comment, total, managed) in enumerate(collections):
        add(collection, RDF + "type", HYDRA + "Collection")
        add(collection, RDFS + "comment", ox.Literal(comment, language="en"))
        add(collection, HYDRA + "totalItems", ox.Literal(str(total), datatype=ox.NamedNode(XSD + "integer")))
        add(collection, HYDRA + "view", view)
        block = ox.BlankNode(f"manages{i}")     # a fixed label: two renderings of a page are the same bytes
        out.append(ox.Triple(ox.NamedNode(collection), ox.NamedNode(HYDRA + "manages"), block))
        out += [ox.Triple(block, ox.NamedNode(p), ox.NamedNode(o)) for p, o in managed]
    if collections:
        add(view, RDF + "type", HYDRA + "PartialCollectionView")
        add(view, HYDRA + "first", with_page(doc, 1))
        add(view, HYDRA + "last", with_page(doc, pages))
        if page > 1:
            add(view, HYDRA + "previous", with_page(doc, page - 1))
        if page < pages:
            add(view, HYDRA + "next", with_page(doc, page + 1))
    return out


def graph_triples(graph: str) -> list[ox.Triple]:
    """Every triple of one named graph (the ontology, the shapes, the dataset's description)."""
    return sorted(construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}"),
                  key=sort_key)


def dataset_description(follow: tuple[str, ...] = ()) -> list[ox.Triple]:
    """The dataset's own description: the dataset node, the blank nodes it reaches (its partitions, its
    checksum) and the nodes it links to by the properties to `follow`, with their blank nodes. Not the
    description of every document's graph (void:subset), which grows with the data.
    One query, so that a remote store's blank node labels hold across the parts."""
    ref = iri_ref(names().dataset)

    def reached(node: str) -> str:
        return f"{ref} ?link {node} FILTER(" + " || ".join([f"isBlank({node})",
                                                            *(f"?link = {iri_ref(p)}" for p in follow)]) + ")"

    return construct(f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ref} {{
  {{ VALUES ?s {{ {ref} }} ?s ?p ?o FILTER(?p != void:subset) }}
  UNION {{ {reached("?s")} ?s ?p ?o }}
  UNION {{ {reached("?b")} ?b ?more ?s FILTER(isBlank(?s)) ?s ?p ?o }} }} }}""")


def annotations(document: str) -> list[dict]:
    """The spans of a source document's text: offsets, exact text, and the resources each one supports."""
    ref = iri_ref(document)
    return select(f"""
SELECT DISTINCT ?span ?start ?end ?exact ?r ?owner WHERE {{
  ?span <{OA}hasSource> {ref} ; <{OA}hasSelector> ?sel .
  ?sel <{OA}start> ?start ; <{OA}end> ?end .
  OPTIONAL {{ ?span <{OA}hasSelector> ?qs . ?qs <{OA}exact> ?exact }}
  OPTIONAL {{ ?r lpo:supportedBy ?span OPTIONAL {{ ?owner ?op ?r FILTER(isBlank(?r) && isIRI(?owner)) }} }}
}} ORDER BY ?start ?end""")


# The properties by which an act gives its time, most specific first.
TIME_PROPERTIES: tuple[str, ...] = (
    "http://www.w3.org/2006/time#hasTime", "http://www.w3.org/ns/prov#atTime",
    "http://www.w3.org/ns/prov#startedAtTime", SCHEMA + "startTime", SCHEMA + "startDate",
    SCHEMA + "dateCreated", SCHEMA + "datePublished", SCHEMA + "dateSent", DCTERMS + "date",
    DCTERMS + "created", DCTERMS + "issued", SCHEMA + "temporalCoverage",
)


def quotes_around(ref: str, var: str) -> str:
    """The graph pattern of the quotes that are, or are said by, in, on the occasion of, or about `ref`."""
    # The thing itself by BIND after its type: Virtuoso 7.2 answers nothing for a UNION with a branch that is only
    # a VALUES. The candidates are found in a subquery and joined with the quote classes after it: as a FILTER
    # EXISTS on each link, Oxigraph took five times as long over a hub's tens of thousands of links.
    return (f"{{ SELECT DISTINCT {var} WHERE {{ "
            f"{{ {ref} a ?c0 . VALUES ?c0 {{ lpo:Quote schema:Quotation }} BIND({ref} AS {var}) }} UNION "
            f"{{ {var} ?link {ref} }} UNION "
            f"{{ {var} prov:wasGeneratedBy ?act . ?act lpo:occasion {ref} }} }} }} "
            f"{var} a ?class . VALUES ?class {{ lpo:Quote schema:Quotation }}")


def quotes_about(iri: str, limit: int) -> list[dict]:
    """A page of the quotes that are, or are said by, in, on the occasion of, or about this thing, with their
    context: the first `limit` that the store finds, in its own order.

    Three queries: which quotes, what those say and when, and the spans that support them.
    The page's quotes are not ordered in the store: Oxigraph's ORDER BY, or reading a hub's thousands of
    quotes to sort them, cost more than a page may take, where a LIMIT stops at the page. Each branch checks
    its own candidates' types with a FILTER: a VALUES of the classes made Oxigraph read every quote of the
    dataset first. As one query with nested OPTIONALs, Oxigraph evaluated the spans' selectors for every row.
    `quotes_around` gives them all, for a reader's query.
    """
    ref = iri_ref(iri)
    quote = "?q a ?class FILTER(?class IN (lpo:Quote, schema:Quotation))"
    found = sorted(row["q"].value for row in select(f"""
SELECT DISTINCT ?q WHERE {{
  {{ {ref} a ?class FILTER(?class IN (lpo:Quote, schema:Quotation)) BIND({ref} AS ?q) }}
  UNION {{ ?q ?link {ref} . {quote} }}
  UNION {{ ?act lpo:occasion {ref} . ?q prov:wasGeneratedBy ?act . {quote} }}
  FILTER(isIRI(?q))
}} LIMIT {int(limit)}"""))
    if not found:
        return []
    quotes = values("?q", found)
    times = values("?tp", TIME_PROPERTIES)
    said = select(f"""
SELECT DISTINCT ?q ?text ?speaker ?act ?occasion ?time ?timeLabel WHERE {{
  {quotes}
  OPTIONAL {{ ?q schema:text ?text }}
  OPTIONAL {{ ?q prov:wasAttributedTo ?speaker }}
  OPTIONAL {{ ?q prov:wasGeneratedBy ?act
             OPTIONAL {{ ?act lpo:occasion ?occasion }}
             OPTIONAL {{ {times} ?act ?tp ?time
                        OPTIONAL {{ ?time lpo:phrase|rdfs:label ?timeLabel }} }} }}
}}""")
    spans = select(f"""
SELECT DISTINCT ?q ?span ?source ?start ?end WHERE {{
  {quotes}
  ?q lpo:supportedBy ?span . ?span oa:hasSource ?source ; oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end
}}""")
    return said + spans
