"""What the pages tell before the properties, read from the server's HTML: an agent's communications and
offices, claims by claimant, accounts that disagree side by side, claim-only marks, the network, the home
page's entry points; ranked search over the build's full-text index; JSON-LD in every page; what crawlers
ask for."""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET

import pytest
import rdflib

from .conftest import BASE
from .linkeddata import Page, get, media_type

LETTER = "doc/letter/2017-11-pompeo-letter-to-soleimani"


def html(server, path: str) -> tuple[Page, str]:
    response = get(server.url + path, "text/html")
    assert response.status_code == 200, path
    return Page(response.text), response.text


def section(raw: str, css_class: str) -> str:
    found = re.search(rf'<section class="{css_class}"[^>]*>(.*?)</section>', raw, re.S)
    assert found, css_class
    return found.group(1)


# --- An agent's page --------------------------------------------------------------------------------------

def test_a_person_page_leads_with_what_they_are_and_the_offices_the_text_gives(server, sparql):
    person, raw = html(server, "doc/person/mike-pompeo")
    header = raw.split('<header class="thing-head">', 1)[1].split("</header>", 1)[0]
    head = Page(header).text
    assert "A person." in head
    office = sparql(f"""SELECT ?org WHERE {{ ?m org:member <{BASE}id/person/mike-pompeo> ; org:role ?r ;
        org:organization ?o . ?o rdfs:label ?org }}""")[0]["org"]
    assert f"Director of {office} as of December 2" in head
    assert "year not stated" in head and "inferred year 2017" in head and "December 3, 2017" in head
    assert 'data-copy="http://localhost:8080/id/person/mike-pompeo"' in header, "a button copies the IRI"


def test_an_agents_communications_are_dated_with_counterpart_medium_and_claims(server, sparql):
    _, raw = html(server, "doc/person/qassem-soleimani")
    timeline = Page(section(raw, "communications"))
    rows = timeline.text
    for phrase in ("Qassem Soleimani → David Petraeus", "through the Iraqi official", "Mike Pompeo → Qassem Soleimani",
                   "refused to open", "refused to receive", "late November", "2008"):
        assert phrase in rows, phrase
    # Undated acts come last, and the dated ones in order: 2008 before November (inferred 2017).
    assert rows.index("2008") < rows.index("November") < rows.index("date not given")
    claimed = sparql(f"""SELECT DISTINCT ?e WHERE {{
        ?c lpo:assertsEvent ?e . ?e lpo:sender <{BASE}id/person/qassem-soleimani> }}""")
    marked = re.findall(r'<tr class="act claim-only[^"]*">.*?<span class="act-name"><a href="(/id/[^"]+)"', raw, re.S)
    assert {"/" + row["e"][len(BASE):] for row in claimed} <= set(marked)
    assert "<svg" in raw and 'class="edge claimed"' in raw, "a network, with claim-only edges dashed"


def test_claims_are_grouped_by_claimant(server, sparql):
    _, raw = html(server, "doc/person/qassem-soleimani")
    claims = section(raw, "claims")
    made = sparql(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c lpo:claimedBy <{BASE}id/person/qassem-soleimani> }}")
    assert f"Made by Qassem Soleimani ({made[0]['n']})" in Page(claims).text
    assert re.search(r"<h4><a href=\"/id/person/david-petraeus\">David Petraeus</a> \(\d+\)</h4>", claims)
    assert "the source text itself" in claims, "the source's own claims are named as such"


def test_the_letters_page_shows_the_two_accounts_side_by_side_with_their_sources(server):
    _, raw = html(server, LETTER)
    accounts = section(raw, "accounts")
    columns = re.findall(r'<div class="account">(.*?)</div>\s*(?=<div class="account">|</div>)', accounts, re.S)
    assert len(columns) == 2
    pompeo, golpayegani = sorted(columns, key=lambda c: "Golpayegani" in c.split("</h3>")[0])
    assert "Mike Pompeo" in pompeo.split("</h3>")[0] and "refused to open" in pompeo
    assert "Golpayegani" in golpayegani.split("</h3>")[0] and "refused to receive" in golpayegani
    assert "received" in golpayegani and "through" in golpayegani, "the receipt through an intermediary"
    for column in columns:
        assert re.search(r'href="/doc/document/pompeo-soleimani-letter#span-\d+-\d+"', column), "each with its span"


def test_an_event_only_a_claim_vouches_for_says_so_on_its_own_page(server):
    _, raw = html(server, "doc/event/soleimani-receives-pompeo-letter")
    banner = re.search(r'<p class="vouch-banner">(.*?)</p>', raw, re.S)
    assert banner and "Mohammad Mohammadi Golpayegani" in banner.group(1)


def test_equal_values_show_once_and_links_in_once_per_resource(server):
    person, raw = html(server, "doc/person/mike-pompeo")
    properties = section(raw, "properties")
    assert properties.count(">Mike Pompeo<") == 1, "rdfs:label, schema:name and foaf:name: one row"
    assert "schema:name" in properties and "foaf:name" in properties
    incoming = section(raw, "incoming")
    subjects = re.findall(r"<tr><td><a href=\"([^\"]+)\"", incoming)
    assert subjects and len(subjects) == len(set(subjects)), "one row per resource that links in"


# --- Home ---------------------------------------------------------------------------------------------------

def test_home_leads_with_people_organizations_places_sources_and_the_communications(server, sparql):
    home, raw = html(server, "")
    text = home.text
    for heading in ("People", "Organizations", "Places", "Source documents", "Who communicated what to whom"):
        assert heading in text
    headings = re.findall(r"<h2>(.*?)</h2>", raw, re.S)
    order = [next(i for i, h in enumerate(headings) if word in h) for word in ("People", "Who communicated", "Classes")]
    assert order == sorted(order), "entry points first, the ontology's classes last"
    acts = sparql("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { VALUES ?c { lpo:Communication lpo:Receipt } ?a a ?c }")
    rows = re.findall(r'<tr class="act', section(raw, "communications"))
    assert len(rows) == int(acts[0]["n"])
    svg = section(raw, "communications").split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count('class="node') >= 8 and 'href="/id/person/qassem-soleimani"' in svg
    assert "letter · late November" in svg, "edges labelled with medium and date"


# --- Search -------------------------------------------------------------------------------------------------

def ranked(server, query: str, **params) -> list[str]:
    response = get(server.url + "search", "text/html", params={"q": query, **params})
    assert response.status_code == 200
    hits = response.text.split('<ol class="members hits"', 1)
    return re.findall(r'<li class="hit[^"]*"><a href="([^"]+)"', hits[1]) if len(hits) > 1 else []


def test_search_ranks_the_exact_name_first_and_things_before_spans(server):
    hits = ranked(server, "soleimani")
    assert hits[0] == "/id/person/qassem-soleimani"
    spans = [i for i, h in enumerate(hits) if h.startswith("/id/span/")]
    things = [i for i, h in enumerate(hits) if not h.startswith("/id/span/")]
    assert not spans or max(things) < min(spans)
    assert ranked(server, "Mike Pompeo")[0] == "/id/person/mike-pompeo"
    assert ranked(server, "pomp")[0].startswith("/id/"), "a prefix finds"
    assert ranked(server, "ompe"), "a substring finds"


def test_search_filters_by_type(server, sparql):
    people = ranked(server, "soleimani", type="http://schema.org/Person")
    assert people[0] == "/id/person/qassem-soleimani"
    persons = {"/" + r["p"][len(BASE):] for r in sparql("SELECT ?p WHERE { ?p a schema:Person }")}
    assert set(people) <= persons and len(people) < len(ranked(server, "soleimani"))
    response = get(server.url + "search", "text/html", params={"q": "soleimani"})
    assert 'type=http://schema.org/Person' in response.text


def test_search_finds_passages_of_the_source_with_the_words_marked_and_the_facts_they_support(server):
    response = get(server.url + "search", "text/html", params={"q": "refused to open"})
    passages = section(response.text, "passages")
    assert "<mark>refused</mark>" in passages and "<mark>open</mark>" in passages
    assert re.search(r'href="/doc/document/pompeo-soleimani-letter#span-\d+-\d+"', passages)
    assert 'href="/id/claim/pompeo-soleimani-refused-to-open-letter"' in passages


@pytest.mark.embedded_only(reason="reads the index file of the build")
def test_the_build_writes_the_full_text_index_into_its_output(built):
    db = sqlite3.connect(built.search_index)
    assert db.execute("SELECT COUNT(*) FROM things").fetchone()[0] > 100
    assert db.execute("SELECT COUNT(*) FROM passage_words WHERE passage_words MATCH 'intermediary'").fetchone()[0]


# --- For machines and crawlers -----------------------------------------------------------------------------

@pytest.mark.parametrize("path, schema_type", [
    ("doc/person/mike-pompeo", "Person"), ("doc/organization/cia", "GovernmentOrganization"),
    ("doc/place/abu-kamal", "Place"), ("doc/quote/pompeo-rndf-2", "Quotation"),
    ("doc/claim/pompeo-sent-letter", "Claim"), ("doc/document/pompeo-soleimani-letter", "Article"), ("", "Dataset")])
def test_every_page_embeds_its_description_as_json_ld_schema_org_types_first(server, path, schema_type):
    _, raw = html(server, path)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    nodes = data.get("@graph", [data]) if isinstance(data, dict) else data
    iri = BASE + (path.replace("doc/", "id/", 1) if path else "dataset")
    node = next(n for n in nodes if n.get("@id") == iri)
    types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
    assert types[0] in (f"schema:{schema_type}", f"http://schema.org/{schema_type}"), types
    # A JSON-LD processor reads the same statements the Turtle document makes about the thing.
    embedded = rdflib.Graph().parse(data=blocks[0], format="json-ld")
    turtle = rdflib.Graph().parse(data=get(server.url + (path or "dataset") + ".ttl").text, format="turtle")
    subject = rdflib.URIRef(iri)
    assert (subject, rdflib.RDF.type, rdflib.URIRef(f"http://schema.org/{schema_type}")) in embedded
    named = {(p, o) for p, o in embedded.predicate_objects(subject) if not isinstance(o, rdflib.BNode)}
    assert named and named <= set(turtle.predicate_objects(subject))


def test_robots_names_the_sitemap_which_lists_every_document_page(server, sparql):
    robots = get(server.url + "robots.txt")
    assert robots.status_code == 200 and media_type(robots) == "text/plain"
    sitemap_url = re.search(r"^Sitemap: (\S+)$", robots.text, re.M).group(1)
    sitemap = get(sitemap_url)
    assert sitemap.status_code == 200
    locs = {e.text for e in ET.fromstring(sitemap.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    people = sparql("SELECT DISTINCT ?p WHERE { ?p a schema:Person FILTER(isIRI(?p)) }")
    for row in people:
        assert server.url + "doc/" + row["p"][len(BASE + "id/"):] in locs


def test_a_favicon_and_a_404_page_with_search(server):
    icon = get(server.url + "favicon.ico")
    assert icon.status_code == 200 and icon.content.startswith(b"<svg")
    missing = get(server.url + "id/person/nobody-at-all", "text/html")
    assert missing.status_code == 404
    assert 'action="/search"' in missing.text and 'id="missing-search"' in missing.text


@pytest.mark.parametrize("path", ["ontology", "shapes", "dataset", "list?class=http://schema.org/Person",
                                  "search?q=letter"])
def test_the_other_pages_embed_json_ld_too(server, path):
    _, raw = html(server, path)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S)
    assert len(blocks) == 1
    assert len(rdflib.Graph().parse(data=blocks[0], format="json-ld")) > 0
