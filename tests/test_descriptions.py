"""Reading a description: the thing's own triples and blank nodes, its neighbours' labels and types, the
links into it a page at a time, and the spans of source text that support it."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic

from .conftest import BACKENDS, BASE, SMALL_PAGE, LiveServer, store_arguments
from .linkeddata import Page, get, links, parse, url_of

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
LPO = rdflib.Namespace(BASE + "ontology#")
SCHEMA = rdflib.Namespace("http://schema.org/")


def doc_url(server, iri: str) -> str:
    return url_of(server, iri).replace("/id/", "/doc/", 1)


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == str(rdflib.XSD.string):
        return rdflib.Literal(term.value)  # as rdflib parses a plain literal
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def store_closure(store, iri: str) -> rdflib.Graph:
    """The thing's triples and those of every blank node they reach, straight from the store."""
    graph = rdflib.Graph()
    todo, seen = [ox.NamedNode(iri)], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in store.store.quads_for_pattern(node, None, None, None):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
            if isinstance(quad.object, ox.BlankNode):
                todo.append(quad.object)
    return graph


def document_closure(graph: rdflib.Graph, iri: str) -> rdflib.Graph:
    out = rdflib.Graph()
    todo, seen = [rdflib.URIRef(iri)], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in graph.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, rdflib.BNode):
                todo.append(o)
    return out


@pytest.fixture(scope="module")
def with_blank_nodes(sparql) -> list[str]:
    """Things whose description reaches blank nodes (a span's selectors, a role, a time)."""
    rows = sparql(f"""SELECT DISTINCT ?s WHERE {{ ?s ?p ?b FILTER(isIRI(?s) && isBlank(?b)
        && STRSTARTS(STR(?s), "{BASE}id/")) }} ORDER BY ?s LIMIT 8""")
    assert rows, "the data has blank nodes hanging off things"
    return [row["s"] for row in rows]


def test_a_description_holds_the_things_triples_and_their_blank_node_closure(server, store, with_blank_nodes):
    for iri in with_blank_nodes:
        graph = parse(get(url_of(server, iri), "text/turtle"), "turtle")
        expected = store_closure(store, iri)
        assert len(expected) > 0
        assert isomorphic(document_closure(graph, iri), expected), iri


def test_a_description_gives_the_labels_and_types_of_what_it_links_to(server, sparql):
    person = BASE + "id/person/mike-pompeo"
    graph = parse(get(url_of(server, person), "application/n-triples"), "nt11")
    linked = sparql(f"""SELECT DISTINCT ?o ?label ?type WHERE {{ <{person}> ?p ?o FILTER(isIRI(?o) && ?p != rdf:type)
        OPTIONAL {{ ?o rdfs:label ?label }} OPTIONAL {{ ?o a ?type }} }}""")
    assert linked
    for row in linked:
        if "label" in row:
            assert (rdflib.URIRef(row["o"]), rdflib.RDFS.label, None) in graph, row["o"]
        if "type" in row:
            assert (rdflib.URIRef(row["o"]), rdflib.RDF.type, rdflib.URIRef(row["type"])) in graph, row["o"]
    incoming = sparql(f"SELECT DISTINCT ?s WHERE {{ ?s ?p <{person}> FILTER(isIRI(?s)) ?s rdfs:label ?l }} LIMIT 20")
    assert incoming
    for row in incoming:
        assert (rdflib.URIRef(row["s"]), rdflib.RDFS.label, None) in graph, row["s"]


def test_a_description_carries_the_evidence_for_its_facts(server, sparql):
    """Each supporting span comes with its source, offsets and exact text, and they agree with the text."""
    rows = sparql(f"""SELECT DISTINCT ?s WHERE {{ ?s lpo:supportedBy ?span FILTER(STRSTARTS(STR(?s), "{BASE}id/")) }}
        ORDER BY ?s LIMIT 10""")
    assert rows
    for row in rows:
        graph = parse(get(url_of(server, row["s"]), "text/turtle"), "turtle")
        spans = list(graph.objects(rdflib.URIRef(row["s"]), LPO.supportedBy))
        assert spans, row["s"]
        for span in spans:
            source = graph.value(span, OA.hasSource)
            assert source is not None, span
            selectors = list(graph.objects(span, OA.hasSelector))
            starts = [graph.value(s, OA.start) for s in selectors if graph.value(s, OA.start) is not None]
            exacts = [graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact) is not None]
            ends = [graph.value(s, OA.end) for s in selectors if graph.value(s, OA.end) is not None]
            assert starts and ends and exacts, span
            text = sparql(f"SELECT ?t WHERE {{ <{source}> schema:text ?t }}")[0]["t"]
            assert text[int(starts[0]):int(ends[0])] == str(exacts[0])


def test_the_document_says_what_it_is_about_and_under_which_license(server):
    person = BASE + "id/person/mike-pompeo"
    graph = parse(get(url_of(server, person), "text/turtle"), "turtle")
    doc = rdflib.URIRef(BASE + "doc/person/mike-pompeo")
    assert (doc, rdflib.FOAF.primaryTopic, rdflib.URIRef(person)) in graph
    assert graph.value(doc, rdflib.DCTERMS.license) is not None
    assert (doc, rdflib.VOID.inDataset, rdflib.URIRef(BASE + "dataset")) in graph


# --- Incoming links, a page at a time ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def popular(sparql) -> tuple[str, set[str]]:
    """The thing with the most (named) things linking to it, and those things."""
    row = sparql(f"""SELECT ?o (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && ?p != rdf:type
        && STRSTARTS(STR(?o), "{BASE}id/")) }} GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1""")[0]
    subjects = {r["s"] for r in sparql(f"SELECT DISTINCT ?s WHERE {{ ?s ?p <{row['o']}> FILTER(isIRI(?s)) }}")}
    assert len(subjects) > 2 * SMALL_PAGE
    return row["o"], subjects


def walk_pages(server, iri: str):
    """Every page of the thing's description as Turtle, by the `next` links, each checked against its Hydra view:
    (the page's graph, each paged list's total by what it manages: a property IRI, or "incoming")."""
    url, pages = url_of(server, iri), 0
    while url:
        response = get(url, "text/turtle")
        assert response.status_code == 200
        graph = parse(response, "turtle")
        assert (rdflib.URIRef(iri), None, None) in graph, "every page still describes the thing"
        totals = {}
        for collection in graph.subjects(rdflib.RDF.type, HYDRA.Collection):
            block = graph.value(collection, HYDRA.manages)
            key = "incoming" if graph.value(block, HYDRA.object) == rdflib.URIRef(iri) else \
                str(graph.value(block, HYDRA.property))
            assert key not in totals, "one collection per list"
            totals[key] = int(graph.value(collection, HYDRA.totalItems))
        views = list(graph.subjects(rdflib.RDF.type, HYDRA.PartialCollectionView))
        assert len(views) == 1
        nexts = [link["href"] for link in links(response) if link.get("rel") == "next"]
        rdf_next = graph.value(views[0], HYDRA.next)
        if nexts:
            assert str(rdf_next) == BASE + nexts[0].lstrip("/")
            url = server.url + nexts[0].lstrip("/")
        else:
            assert rdf_next is None
            url = None
        yield graph, totals
        pages += 1
        assert pages < 1000
    assert pages > 1


def test_incoming_links_are_paged_with_counts_and_next_links_in_rdf(small_pages, popular):
    iri, subjects = popular
    seen_subjects: set[str] = set()
    seen_links: set[tuple] = set()
    totals = set()
    for graph, collections in walk_pages(small_pages, iri):
        page_links = {(s, p) for s, p in graph.subject_predicates(rdflib.URIRef(iri))
                      if isinstance(s, rdflib.URIRef) and p != rdflib.FOAF.primaryTopic}
        assert len(page_links) <= SMALL_PAGE
        assert not page_links & seen_links, "no link is on two pages"
        seen_links |= page_links
        seen_subjects |= {str(s) for s, _ in page_links}
        totals.add(collections["incoming"])
    assert seen_subjects == subjects
    assert totals == {len(seen_links)}


def test_a_link_the_build_repeats_under_a_superproperty_is_listed_and_counted_once(small_pages, sparql):
    """lpo:sender is stated; the build adds schema:agent and prov:wasAssociatedWith from the ontology. The links
    in list and count the stated one only."""
    iri = BASE + "id/person/mike-pompeo"
    stated = {(r["s"], r["p"]) for r in sparql(f"""SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER NOT EXISTS {{
        ?s ?sub <{iri}> . ?sub rdfs:subPropertyOf+ ?p FILTER(?sub != ?p) }} }}""")}
    every = {(r["s"], r["p"]) for r in sparql(f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }}")}
    assert len(stated) < len(every), "the person is linked to under superproperties too"
    shown: set[tuple[str, str]] = set()
    for graph, totals in walk_pages(small_pages, iri):
        assert totals["incoming"] == len(stated)
        shown |= {(str(s), str(p)) for s, p in graph.subject_predicates(rdflib.URIRef(iri))
                  if p != rdflib.FOAF.primaryTopic}
    assert {link for link in shown if link in every} == stated


def test_incoming_links_are_paged_in_html_too(small_pages, popular):
    iri, subjects = popular
    response = get(url_of(small_pages, iri), "text/html")
    page = Page(response.text)
    nexts = [href for href, _ in page.anchors if "page=2" in href]
    assert nexts, "the first page links to the second"
    assert "showing 1–5" in page.text
    second = get(small_pages.url + nexts[0].lstrip("/").split("#")[0], "text/html")
    assert second.status_code == 200
    assert "showing 6–10" in Page(second.text).text


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "99999999999999999999", "", "٣"])
def test_a_bad_page_number_is_400(small_pages, popular, page):
    response = get(doc_url(small_pages, popular[0]) + f"?page={page}", "text/turtle")
    assert response.status_code == 400


def test_a_page_past_the_last_is_404(small_pages, popular):
    assert get(doc_url(small_pages, popular[0]) + "?page=100000", "text/turtle").status_code == 404


def test_a_page_asked_of_the_thing_is_kept_through_the_303(small_pages, popular):
    response = get(url_of(small_pages, popular[0]) + "?page=2", "text/turtle", allow_redirects=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("?page=2")


TINY_PAGE = 2


@pytest.fixture(scope="module")
def tiny_pages(built):
    """A server that pages lists and links two at a time: the article quotes nobody more than three times."""
    live = LiveServer(built, env={"LODPUB_PAGE_SIZE": str(TINY_PAGE), "LODPUB_SECTION_ROWS": str(TINY_PAGE)})
    yield live
    live.stop()


def test_a_page_lists_one_page_of_quotes_and_says_how_to_get_them_all(tiny_pages, sparql):
    """A thing quoted more often than a page holds shows the first quotes and links a query for all of them."""
    row = sparql(f"""SELECT ?o (COUNT(DISTINCT ?q) AS ?n) WHERE {{ ?q a <{BASE}ontology#Quote> ; ?p ?o
        FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{BASE}id/person/")) }} GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1""")[0]
    assert int(row["n"]) > TINY_PAGE, "the article quotes someone more than a tiny page holds"
    page = Page(get(url_of(tiny_pages, row["o"]), "text/html").text)
    assert f"{TINY_PAGE} of its quotes are shown" in page.text
    query = [href for href, text in page.anchors if text == "this query"]
    assert len(query) == 1
    answer = get(tiny_pages.url + query[0].lstrip("/"), "application/sparql-results+json")
    assert answer.status_code == 200
    listed = {b["quote"]["value"] for b in answer.json()["results"]["bindings"]}
    assert len(listed) >= int(row["n"]) > TINY_PAGE
    shown = {tiny_pages.url + href.lstrip("/") for href, text in page.anchors if text == "the quote"}
    assert len(shown) == TINY_PAGE
    assert {iri.replace(BASE, tiny_pages.url) for iri in listed} >= shown, "the page shows quotes the query lists"


def test_a_page_with_more_roles_than_a_list_holds_says_so(built, small_pages, sparql):
    """An agent with more memberships than a page's list shows lists as many as it holds and says where the
    rest are; with room for all, it lists them all and says nothing more."""
    row = sparql("""SELECT ?a (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m <http://www.w3.org/ns/org#member> ?a }
        GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT 1""")[0]
    held = int(row["n"])
    assert 1 < held <= SMALL_PAGE, "someone in the article holds two offices, fewer than a small page"
    more = "of its roles are shown"

    def roles(html: str) -> int:
        return html.split('<ul class="roles">', 1)[1].split("</ul>", 1)[0].count("<li>")

    live = LiveServer(built, env={"LODPUB_SECTION_ROWS": "1"})
    try:
        one = get(url_of(live, row["a"]), "text/html").text
    finally:
        live.stop()
    assert roles(one) == 1 and f"1 {more}" in Page(one).text
    every = get(url_of(small_pages, row["a"]), "text/html").text
    assert roles(every) == held and more not in Page(every).text


def test_a_page_lists_one_page_of_evidence_and_counts_the_rest(tiny_pages, sparql):
    row = sparql(f"""SELECT ?s (COUNT(DISTINCT ?span) AS ?n) WHERE {{ ?s <{BASE}ontology#supportedBy> ?span
        FILTER(isIRI(?s)) }} GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1""")[0]
    total = int(row["n"])
    assert total > TINY_PAGE, "something in the article rests on more spans than a tiny page holds"
    page = Page(get(url_of(tiny_pages, row["s"]), "text/html").text)
    assert f"{total} passages support it; {TINY_PAGE} are listed here, by position" in page.text
    queries = [href for href, text in page.anchors if text == "this query" and "?exact" in unquote_plus(href)]
    answer = get(tiny_pages.url + queries[0].lstrip("/"), "application/sparql-results+json")
    assert len({b["span"]["value"] for b in answer.json()["results"]["bindings"]}) == total


def test_incoming_links_from_blank_nodes_come_with_their_blank_node_details(tmp_path):
    """The article has no blank node linking to a thing, so a store of a few made-up triples stands in: a
    page of incoming links holds the blank subjects' triples and those of the blank nodes they reach."""
    from lodpub.web.describe import describe

    ex, org = "http://example.org/", "http://www.w3.org/ns/org#"
    person = ox.NamedNode(f"{BASE}id/person/x")
    triples = [ox.Triple(ox.BlankNode(f"m{i}"), ox.NamedNode(org + "member"), person) for i in range(3)]
    triples += [ox.Triple(ox.BlankNode(f"m{i}"), ox.NamedNode(ex + "during"), ox.BlankNode(f"t{i}")) for i in range(3)]
    triples += [ox.Triple(ox.BlankNode(f"t{i}"), ox.NamedNode(ex + "year"), ox.Literal(str(2020 + i)))
                for i in range(3)]
    triples += [ox.Triple(ox.NamedNode(f"{BASE}id/person/y{i}"), ox.NamedNode(ex + "knows"), person) for i in range(4)]
    with made_up_app(tmp_path, triples).app_context():
        pages = [describe(person.value, page) for page in (1, 2, 3, 4)]
    links = [link for d in pages for link in d.incoming.links]
    assert len(links) == 7 and len(set(links)) == 7, "every link once, over the pages"
    first = pages[0]
    assert [p.value for _, p in first.incoming.links] == [ex + "knows"] * 2, "by property, then subject"
    members = [d for d in pages if any(p.value == org + "member" for _, p in d.incoming.links)]
    for d in members:
        for subject, _ in d.incoming.links:
            if isinstance(subject, ox.BlankNode):
                during = [t.object for t in d.triples if t.subject == subject and t.predicate.value == ex + "during"]
                assert len(during) == 1, "the blank subject's own triples are there"
                assert any(t.subject == during[0] and t.predicate.value == ex + "year" for t in d.triples), \
                    "and those of the blank node it reaches"


# --- A property with many values, a page at a time ------------------------------------------------------------

@pytest.fixture(scope="module")
def many_valued(sparql) -> tuple[str, str, int]:
    """The named thing with the most values of one property (other than rdf:type): a hub's supporting spans."""
    row = sparql(f"""SELECT ?s ?p (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && ?p != rdf:type
        && STRSTARTS(STR(?s), "{BASE}id/")) }} GROUP BY ?s ?p ORDER BY DESC(?n) ?s ?p LIMIT 1""")[0]
    assert int(row["n"]) > SMALL_PAGE
    return row["s"], row["p"], int(row["n"])


def test_a_property_with_more_values_than_a_page_shows_one_page_and_a_query_for_all(small_pages, many_valued):
    iri, predicate, total = many_valued
    page = Page(get(url_of(small_pages, iri), "text/html").text)
    assert f"{SMALL_PAGE} of {total} shown" in page.text
    assert any("page=2#properties" in href for href, _ in page.anchors), "the page links to the next values"
    queries = [href for href, text in page.anchors if text == "this query" and "sparql?query=" in href]
    assert queries
    answers = [requests.get(small_pages.url + href.lstrip("/"), headers={"Accept": "application/sparql-results+json"},
                            timeout=30).json()["results"]["bindings"] for href in queries]
    assert any(len(a) == total for a in answers), "one of the page's queries lists every value of the property"


@pytest.fixture(scope="module", params=BACKENDS)
def small_pages_on(request, built):
    """A server that pages lists five at a time, over each backend: the paging queries run on every store."""
    live = LiveServer(built, *store_arguments(request, request.param), env={"LODPUB_PAGE_SIZE": str(SMALL_PAGE)})
    yield live
    live.stop()


def test_a_property_with_more_values_than_a_page_is_paged_in_rdf(small_pages_on, many_valued, sparql):
    """Each page holds one page of the property's values: over the pages, every value once, as many as the
    page's Hydra collection for the property counts."""
    iri, predicate, total = many_valued
    expected = {row["o"] for row in sparql(f"SELECT ?o WHERE {{ <{iri}> <{predicate}> ?o }}")}
    seen: list[str] = []
    for graph, collections in walk_pages(small_pages_on, iri):
        values = [str(o) for o in graph.objects(rdflib.URIRef(iri), rdflib.URIRef(predicate))]
        assert len(values) <= SMALL_PAGE
        assert collections[predicate] == total
        seen += values
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == expected


def test_a_page_of_evidence_comes_with_each_spans_selectors(tiny_pages, sparql):
    """The spans of a paged property come with their own triples and their blank selectors."""
    iri = sparql(f"""SELECT ?s WHERE {{ ?s <{LPO.supportedBy}> ?span FILTER(isIRI(?s)) }}
        GROUP BY ?s HAVING (COUNT(DISTINCT ?span) > {TINY_PAGE}) ORDER BY ?s LIMIT 1""")[0]["s"]
    graph = parse(get(url_of(tiny_pages, iri), "text/turtle"), "turtle")
    spans = list(graph.objects(rdflib.URIRef(iri), LPO.supportedBy))
    assert len(spans) == TINY_PAGE
    for span in spans:
        assert graph.value(span, OA.hasSource) is not None
        selectors = list(graph.objects(span, OA.hasSelector))
        assert selectors and all(list(graph.predicate_objects(s)) for s in selectors)


def test_a_long_property_of_blank_nodes_is_paged_with_their_details(tmp_path):
    """The article has no property with more blank values than a page, so a few made-up triples stand in: over
    the pages every blank value comes once, with its own triples and those of the blank node it reaches."""
    from lodpub.web.describe import describe

    ex = "http://example.org/"
    person = ox.NamedNode(f"{BASE}id/person/x")
    role, during, year = ox.NamedNode(ex + "role"), ox.NamedNode(ex + "during"), ox.NamedNode(ex + "year")
    triples = [ox.Triple(person, role, ox.BlankNode(f"r{i}")) for i in range(5)]
    triples += [ox.Triple(ox.BlankNode(f"r{i}"), during, ox.BlankNode(f"t{i}")) for i in range(5)]
    triples += [ox.Triple(ox.BlankNode(f"t{i}"), year, ox.Literal(str(2020 + i))) for i in range(5)]
    with made_up_app(tmp_path, triples).app_context():
        first = describe(person.value, 1)
        pages = [first] + [describe(person.value, page) for page in range(2, first.pages + 1)]
    assert first.totals == {ex + "role": 5} and first.pages == 3
    years = []
    for d in pages:
        roles = [t.object for t in d.triples if t.subject == person and t.predicate == role]
        assert 1 <= len(roles) <= 2
        for r in roles:
            (t,) = [x.object for x in d.triples if x.subject == r and x.predicate == during]
            years += [x.object.value for x in d.triples if x.subject == t and x.predicate == year]
    assert sorted(years) == [str(2020 + i) for i in range(5)], "every value once, with what it reaches"


def made_up_app(tmp_path, triples: list[ox.Triple]):
    """The application over a store of a few made-up triples in one graph, paging lists two at a time."""
    import json

    from lodpub.config import Settings
    from lodpub.store import EmbeddedStore, with_union
    from lodpub.web import create_app

    graph = ox.NamedNode(f"{BASE}id/graph/made-up")
    store = ox.Store(str(tmp_path / "store"))
    store.extend(with_union(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples))
    store.flush()
    del store
    (tmp_path / "build.json").write_text(json.dumps({"base": BASE, "built": "2026-01-01T00:00:00+00:00",
                                                     "graphs": [graph.value]}), encoding="utf-8")
    settings = Settings(base=BASE, dist_dir=tmp_path, page_size=2, answer_cache_bytes=0)
    return create_app(settings, store=EmbeddedStore(tmp_path / "store"))
