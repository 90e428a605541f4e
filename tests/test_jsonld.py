"""JSON-LD worth reading: the dump is compacted with a context of our terms and prefixes, one `@graph` per
named graph, and loads as it is in rdflib and pyoxigraph to exactly the N-Quads dump's graphs; entity documents
carry the same context, published at /context.jsonld, with the thing described first."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
import requests

from lodpub.terms import from_rdflib

from .conftest import BASE
from .linkeddata import links, url_of

RDFC = ox.CanonicalizationAlgorithm.RDFC_1_0
LPO = BASE + "ontology#"
POMPEO = BASE + "id/person/mike-pompeo"


def canonical(quads) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(RDFC)
    return set(dataset)


def rdflib_quads(data: bytes) -> set[ox.Quad]:
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="json-ld")
    return {ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o),
                    ox.NamedNode(str(g)) if g is not None and str(g) != str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)
                    else ox.DefaultGraph())
            for s, p, o, g in dataset.quads((None, None, None, None))}


@pytest.fixture(scope="module")
def dump(built) -> bytes:
    return (built.dumps_dir / "lodpub.jsonld").read_bytes()


def test_the_dump_is_compacted_with_a_context_of_terms_and_prefixes(dump):
    document = json.loads(dump)
    context = document["@context"]
    assert context["schema"] == "http://schema.org/" and context["lpo"] == LPO
    assert context["Letter"] == LPO + "Letter"                               # a class
    assert context["sender"] == {"@id": LPO + "sender", "@type": "@id"}      # an object property
    keys = {key for graph in document["@graph"] for node in graph["@graph"] for key in node}
    assert "sender" in keys and "schema:name" in keys
    assert not [k for k in keys if k.startswith("http")], "every key is a term or a compact IRI"


def test_the_dump_has_one_graph_per_named_graph_equal_to_the_nquads_dump_in_pyoxigraph_and_rdflib(built, dump):
    nquads = list(ox.parse(path=str(built.dumps_dir / "lodpub.nq"), format=ox.RdfFormat.N_QUADS))
    graphs = [g["@id"] for g in json.loads(dump)["@graph"]]
    assert sorted(graphs) == sorted({q.graph_name.value for q in nquads})
    want = canonical(nquads)
    read_by_pyoxigraph = list(ox.parse(dump, format=ox.RdfFormat.JSON_LD))
    assert canonical(read_by_pyoxigraph) == want
    assert canonical(rdflib_quads(dump)) == want


def test_the_context_is_published_and_is_the_one_of_the_dump(server, dump):
    response = requests.get(server.url + "context.jsonld", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/ld+json")
    assert response.json() == {"@context": json.loads(dump)["@context"]}


def test_an_entity_document_uses_the_context_and_puts_the_thing_first(server):
    response = requests.get(url_of(server, POMPEO), headers={"Accept": "application/ld+json"}, timeout=30)
    assert response.status_code == 200
    document = response.json()
    published = requests.get(server.url + "context.jsonld", timeout=30).json()
    assert document["@context"] == published["@context"]
    assert any(link["href"].endswith("/context.jsonld") and link["rel"] == "http://www.w3.org/ns/json-ld#context"
               for link in links(response))
    assert document["@graph"][0]["@id"] == POMPEO
    assert "Person" in document["@graph"][0]["@type"] or "schema:Person" in document["@graph"][0]["@type"]
    # Read as it is, it states exactly what the N-Triples document states.
    nt = requests.get(url_of(server, POMPEO), headers={"Accept": "application/n-triples"}, timeout=30)
    want = canonical(ox.parse(nt.content, format=ox.RdfFormat.N_QUADS))
    assert canonical(ox.parse(response.content, format=ox.RdfFormat.JSON_LD)) == want
    assert canonical(rdflib_quads(response.content)) == want
