"""The RDF 1.2 dump: the same dataset, with each piece of evidence as the reifier of the triple it supports.

pyoxigraph reads RDF 1.2; rdflib and pySHACL read the RDF 1.1 dumps, where the same evidence is standard
reification (`lpo:Evidence` with rdf:subject, rdf:predicate, rdf:object).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from lodpub.vocab import RDF

BASE = "http://localhost:8080/"
LPO = BASE + "ontology#"


def count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))[0].value)


@pytest.fixture(scope="module")
def rdf12(built) -> ox.Store:
    store = ox.Store()
    store.load(path=str(built.dumps_dir / "lodpub-rdf12.trig"), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def rdf11(built) -> ox.Store:
    store = ox.Store()
    store.load(path=str(built.dumps_dir / "lodpub.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def test_as_many_reifiers_as_evidence_statements(rdf12, rdf11):
    evidence = count(rdf11, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH ?g {{ ?e a <{LPO}Evidence> }} }}")
    reifiers = count(rdf12, f"SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH ?g {{ ?r <{RDF}reifies> ?t }} }}")
    assert evidence > 20
    assert reifiers == evidence
    # The same dataset otherwise: each reification's three triples and its rdf:Statement type give way to
    # one rdf:reifies.
    assert len(rdf12) == len(rdf11) - 3 * evidence


def test_each_reifier_reifies_an_asserted_triple_with_its_spans(rdf12):
    assert count(rdf12, f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{
        ?r <{RDF}reifies> <<( ?s ?p ?o )>> . FILTER NOT EXISTS {{ ?s ?p ?o }} }} }}""") == 0
    assert count(rdf12, f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{
        ?r <{RDF}reifies> ?t . FILTER NOT EXISTS {{ ?r <{LPO}supportedBy> ?span }} }} }}""") == 0
    assert count(rdf12, f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{
        ?r <{RDF}subject> ?s ; a <{LPO}Evidence> }} }}""") == 0


def test_which_span_supports_the_2008_intermediary_in_rdf_1_2(rdf12):
    rows = list(rdf12.query(f"""
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?exact WHERE {{ GRAPH ?g {{
          ?r <{RDF}reifies> <<( <{BASE}id/communication/2008-soleimani-message-to-petraeus> <{LPO}intermediary>
                                <{BASE}id/person/iraqi-official-2008> )>> ;
             <{LPO}supportedBy>/oa:hasSelector/oa:exact ?exact .
        }} }}"""))
    assert [r["exact"].value for r in rows] == ["through an Iraqi official"]


def test_rdf_1_1_tools_read_the_other_dumps_with_the_same_evidence(built):
    graph = rdflib.Dataset()
    graph.parse(built.dumps_dir / "lodpub.trig", format="trig")
    found = set(graph.query(f"""
        SELECT ?e WHERE {{ GRAPH ?g {{ ?e a <{LPO}Evidence> ; <{RDF}subject> ?s ; <{RDF}predicate> ?p ;
                                           <{RDF}object> ?o . ?s ?p ?o }} }}"""))
    assert len(found) > 20


def test_the_rdf_1_2_dump_is_listed_among_the_distributions(built):
    void = rdflib.Graph().parse(built.dist_dir / "void.ttl", format="turtle")
    urls = {str(o) for o in void.objects(None, rdflib.URIRef("http://www.w3.org/ns/dcat#downloadURL"))}
    assert BASE + "dumps/lodpub-rdf12.trig" in urls and BASE + "dumps/lodpub-rdf12.trig.gz" in urls
