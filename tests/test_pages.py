"""Browsing the pages for people: home, class lists, search, a person, a quote, the source's text, the
ontology and the shapes. Server-side HTML, readable without JavaScript."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import BASE, SMALL_PAGE
from .linkeddata import Page, get, media_type, url_of

PERSON = BASE + "id/person/mike-pompeo"
TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "lodpub" / "web" / "templates"
WEB = TEMPLATES.parent


def page(server, path: str) -> tuple[Page, str]:
    response = get(server.url + path.lstrip("/"), "text/html")
    assert response.status_code == 200, path
    assert media_type(response) == "text/html"
    return Page(response.text), response.text


def hrefs_to(page_: Page, path_prefix: str) -> list[str]:
    return [href for href, _ in page_.anchors if urlsplit(href).path.startswith(path_prefix)]


# --- Home, lists, search -----------------------------------------------------------------------------------

def test_home_shows_the_dataset_and_its_classes_with_counts(server, sparql):
    home, raw = page(server, "/")
    title = sparql(f"SELECT ?t WHERE {{ <{BASE}dataset> <http://purl.org/dc/terms/title> ?t }}")[0]["t"]
    assert title in home.text
    quotes = int(sparql("SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE { ?q a lpo:Quote }")[0]["n"])
    assert quotes > 0
    assert any("class=" in href and href.endswith("Quote") for href in home.hrefs), "it links the quote class"
    assert re.search(rf"lpo:Quote\s+{quotes}\b", home.text), "with its count"
    assert 'action="/search"' in raw
    # Its JSON-LD is the dataset's summary, partitions included, and not the list of every document's graph,
    # which grows with the data.
    embedded = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S)[1])
    assert embedded["@id"] == BASE + "dataset"
    assert embedded["void:classPartition"] and "void:subset" not in embedded


def test_a_class_list_pages_through_its_members(small_pages, sparql):
    members = {r["s"] for r in sparql("SELECT DISTINCT ?s WHERE { ?s a schema:Person FILTER(isIRI(?s)) }")}
    assert len(members) > SMALL_PAGE
    url = "/list?class=http%3A%2F%2Fschema.org%2FPerson"
    found: set[str] = set()
    while url:
        current, _ = page(small_pages, url)
        listed = {BASE + h.lstrip("/") for h in hrefs_to(current, "/id/")}
        assert 0 < len(listed) <= SMALL_PAGE
        found |= listed
        nexts = [href for href, text in current.anchors if text.startswith("Next")]
        url = nexts[0] if nexts else None
    assert found == members


def test_a_class_list_without_a_class_is_400(server):
    assert get(server.url + "list", "text/html").status_code == 400
    assert get(server.url + "list?class=not%20an%20iri", "text/html").status_code == 400


def test_search_by_label_finds_the_person(server):
    results, _ = page(server, "/search?q=pompeo")
    assert ("/id/person/mike-pompeo", "Mike Pompeo") in results.anchors


def test_search_is_case_insensitive_and_says_when_nothing_matches(server):
    upper, _ = page(server, "/search?q=MIKE%20POMPEO")
    assert ("/id/person/mike-pompeo", "Mike Pompeo") in upper.anchors
    nothing, _ = page(server, "/search?q=zzqxj-nothing")
    assert "Nothing has a label containing" in nothing.text


def test_search_shows_what_was_asked_escaped(server):
    evil = '<script>alert("x")</script>\\"} UNION { ?s ?p ?o'
    response = get(server.url + "search", "text/html", params={"q": evil})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(" in response.text
    assert "/id/" not in "".join(h for h, _ in Page(response.text).anchors), "the quote did not break out"


def test_a_too_long_search_is_400(server):
    assert get(server.url + "search", "text/html", params={"q": "x" * 1000}).status_code == 400


# --- A person, a quote, the source text ------------------------------------------------------------------

def test_a_persons_page_has_label_types_properties_and_links(server):
    person, raw = page(server, "/doc/person/mike-pompeo")
    assert "<h1>Mike Pompeo</h1>" in raw
    assert 'class="type"' in raw
    assert "Properties" in person.text and "Links to Mike Pompeo" in person.text
    # Labels, not IRIs, in the table: no bare IRI of ours is a link's text.
    for href, text in person.anchors:
        assert not text.startswith(BASE + "id/") or href == "/id/person/mike-pompeo", (href, text)
    # Every IRI of ours in the description is a link.
    assert len(hrefs_to(person, "/id/")) > 5


def test_a_persons_page_shows_their_quotes_with_speaker_date_occasion_and_span(server, sparql):
    quote = sparql(f"""SELECT ?q ?occasion ?time WHERE {{ ?q a lpo:Quote ; prov:wasAttributedTo <{PERSON}> ;
        prov:wasGeneratedBy ?act . ?act lpo:occasion ?occasion ; time:hasTime ?time }} ORDER BY ?q LIMIT 1""")
    assert quote, "the data has a quote of Pompeo's with an occasion and a time"
    person, raw = page(server, "/doc/person/mike-pompeo")
    assert 'class="quote"' in raw
    figure = raw.split('<figure class="quote">', 1)[1].split("</figure>", 1)[0]
    figure_page = Page(figure)
    assert any(h == "/id/person/mike-pompeo" for h, _ in figure_page.anchors), "speaker"
    assert any("#span-" in h for h, _ in figure_page.anchors), "a link to the quote's span"
    occasions = {r["occasion"] for r in sparql(f"""SELECT ?occasion WHERE {{ ?q prov:wasAttributedTo <{PERSON}> ;
        prov:wasGeneratedBy/lpo:occasion ?occasion }}""")}
    assert any(BASE + h.lstrip("/") in occasions for h in hrefs_to(person, "/id/")), "occasion"
    assert 'class="date"' in raw


def test_a_quotes_page_shows_its_words_and_links_to_its_span(server, sparql):
    row = sparql("SELECT ?q ?text WHERE { ?q a lpo:Quote ; schema:text ?text } ORDER BY ?q LIMIT 1")[0]
    quote, raw = page(server, url_of(server, row["q"])[len(server.url):])
    assert row["text"] in quote.text
    span_links = [h for h, _ in quote.anchors if "#span-" in h]
    assert span_links
    target, fragment = span_links[0].split("#")
    document, _ = page(server, target)
    assert fragment in document.ids


def test_the_source_documents_page_highlights_every_span_and_links_it(server, sparql):
    doc = sparql("SELECT ?d ?text WHERE { ?d a lpo:SourceDocument ; schema:text ?text } LIMIT 1")[0]
    spans = sparql(f"""SELECT DISTINCT ?start ?end WHERE {{ ?span oa:hasSource <{doc['d']}> ; oa:hasSelector ?s .
        ?s oa:start ?start ; oa:end ?end }}""")
    assert spans
    document, raw = page(server, url_of(server, doc["d"])[len(server.url):])
    for span in spans:
        assert f"span-{span['start']}-{span['end']}" in document.ids
    text_div = raw.split('<div class="text" id="text">', 1)[1].split("</div>", 1)[0]
    assert Page(text_div).raw_text.strip("\n") == doc["text"], "the whole text, exactly"
    # Every highlighted piece knows its offsets, and every span is listed with what it supports.
    marks = re.findall(r'<mark class="seg[^"]*" data-s="(\d+)" data-e="(\d+)"', text_div)
    pieces = [(int(s), int(e)) for s, e in marks]
    assert pieces and all(doc["text"][s:e] for s, e in pieces)
    listed = re.findall(r'<li data-start="(\d+)" data-end="(\d+)" class="layer-(\w+)">', raw)
    assert {(int(s), int(e)) for s, e, _ in listed} == {(int(s["start"]), int(s["end"])) for s in spans}
    assert {layer for _, _, layer in listed} >= {"quote", "claim", "agent"}


# --- Ontology and shapes -----------------------------------------------------------------------------------

def test_the_ontology_page_documents_every_term_with_an_anchor(server, sparql):
    terms = sparql(f"""SELECT ?t ?label ?comment WHERE {{ GRAPH <{BASE}ontology> {{
        ?t a ?kind ; rdfs:label ?label . OPTIONAL {{ ?t rdfs:comment ?comment }}
        VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty }} }} }}""")
    assert len(terms) > 20
    onto, raw = page(server, "/ontology")
    for term in terms:
        local = term["t"].split("#", 1)[1]
        assert local in onto.ids, local
        assert term["label"] in onto.text
        if "comment" in term:
            assert " ".join(term["comment"].split()) in onto.text


def test_the_ontology_page_gives_domain_range_and_alignments(server, sparql):
    prop = sparql(f"""SELECT ?p ?domain ?range WHERE {{ GRAPH <{BASE}ontology> {{ ?p a owl:ObjectProperty ;
        rdfs:domain ?domain ; rdfs:range ?range FILTER(isIRI(?domain) && isIRI(?range)) }} }} LIMIT 1""")[0]
    _, raw = page(server, "/ontology")
    local = prop["p"].split("#", 1)[1]
    section = raw.split(f'id="{local}"', 1)[1].split("</section>", 1)[0]
    assert "<dt>domain</dt>" in section and "<dt>range</dt>" in section
    section_page = Page(section)
    for iri in (prop["domain"], prop["range"]):
        expected = "/" + iri[len(BASE):] if iri.startswith(BASE) else iri
        assert expected in section_page.hrefs
    aligned = sparql(f"""SELECT ?c ?super WHERE {{ GRAPH <{BASE}ontology> {{ ?c rdfs:subClassOf ?super
        FILTER(isIRI(?super) && !STRSTARTS(STR(?super), "{BASE}")) }} }} LIMIT 1""")[0]
    section = raw.split(f'id="{aligned["c"].split("#", 1)[1]}"', 1)[1].split("</section>", 1)[0]
    assert aligned["super"] in Page(section).hrefs


def test_the_shapes_page_lists_every_node_shape(server, sparql):
    shapes = sparql(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{BASE}shapes> {{ ?s a sh:NodeShape }} FILTER(isIRI(?s)) }}")
    shapes_page, _ = page(server, "/shapes")
    for row in shapes:
        assert row["s"].split("#", 1)[-1] in shapes_page.ids


# --- Finish: one stylesheet, phone-ready, escaped ----------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/doc/person/mike-pompeo", "/ontology", "/shapes", "/dataset",
                                  "/search?q=iran"])
def test_every_page_is_phone_ready_with_one_stylesheet(server, path):
    _, raw = page(server, path)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in raw
    assert raw.count('rel="stylesheet"') == 1
    # Readable without JavaScript: scripts only enhance, come from our own static folder, and none is inline
    # (a Content-Security-Policy without 'unsafe-inline' allows them); JSON-LD data blocks are data.
    for tag in re.findall(r"<script[^>]*>", raw):
        assert re.search(r'src="/static/[\w.-]+\.js"', tag) or 'type="application/ld+json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", raw), "no inline event handlers"


def test_the_stylesheet_is_served_and_adapts_to_small_screens(server):
    response = get(server.url + "static/style.css")
    assert response.status_code == 200
    assert "@media (max-width" in response.text


def test_no_template_marks_data_as_safe():
    for path in TEMPLATES.glob("*.html"):
        if path.name.startswith("sparql"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), path.name
        assert "autoescape false" not in text, path.name
    for path in WEB.glob("*.py"):
        if path.name.startswith("sparql"):
            continue
        assert "Markup(" not in path.read_text(encoding="utf-8"), path.name
