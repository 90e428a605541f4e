"""Reading a Turtle document as a person would: the described thing first, the data set's own namespaces as
prefixes (`person:mike-pompeo`), and a span's selectors nested as `[ ]` rather than labelled blank nodes.

And as a machine would: every thing's Turtle document parses, with rdflib and with pyoxigraph, to the same
graph as its N-Triples document.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

from .conftest import BASE
from .linkeddata import get

PREFIX = re.compile(r"@prefix ([\w-]*): <([^>]+)> \.")


def statements(text: str) -> list[str]:
    """The statements of a Turtle document as this writer lays them out: blocks after the prefixes."""
    body = "\n".join(line for line in text.splitlines() if not PREFIX.fullmatch(line))
    return [block.strip() for block in body.split("\n\n") if block.strip()]


def test_a_persons_document_starts_with_the_person(server):
    text = get(server.url + "doc/person/mike-pompeo", "text/turtle").text
    first = statements(text)[0]
    assert first.startswith("person:mike-pompeo a "), first[:200]
    assert "schema:Person" in first.split(" ;")[0]
    # The page's own description (license, topic) comes after.
    assert any(s.startswith("<" + BASE + "doc/person/mike-pompeo>") for s in statements(text)[1:])


def test_the_data_sets_own_namespaces_have_prefixes(server):
    text = get(server.url + "doc/person/mike-pompeo", "text/turtle").text
    declared = dict(PREFIX.findall(text))
    assert declared["person"] == BASE + "id/person/"
    assert declared["span"] == BASE + "id/span/"
    assert declared["lpo"] == BASE + "ontology#"
    written_in_full = "<" + BASE + "id/"
    assert written_in_full not in "\n".join(statements(text)), "an IRI of ours in full where a prefix names its kind"


def test_a_spans_selectors_are_nested_blank_nodes(server, sparql):
    span = sparql("SELECT ?s WHERE { ?s a lpo:TextSpan } LIMIT 1")[0]["s"]
    text = get(server.url + "doc/" + span[len(BASE + "id/"):], "text/turtle").text
    first = statements(text)[0]
    assert first.startswith("span:"), first[:200]
    assert re.search(r"oa:hasSelector \[\n\s+a oa:TextPositionSelector", first), first
    assert "oa:start " in first and "oa:exact " in first
    assert "_:" not in text, "a labelled blank node"


def test_every_things_turtle_reads_back_as_its_n_triples(server, sparql):
    things = sorted({row["s"] for row in sparql("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
                     if row["s"].startswith(BASE + "id/")})
    assert len(things) > 100
    for thing in things:
        url = server.url + "doc/" + thing[len(BASE + "id/"):]
        turtle = get(url + ".ttl")
        assert turtle.status_code == 200, url
        nt = get(url + ".nt").text
        expected = rdflib.Graph().parse(data=nt, format="nt")
        graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
        assert isomorphic(graph, expected), url
        assert len(list(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE))) == len(expected), url
        assert statements(turtle.text)[0].split(" ", 1)[0] != "<" + url + ">", url
