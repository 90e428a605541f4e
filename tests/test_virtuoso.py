"""Virtuoso as a second external store: `lodpub publish` into its Graph Store endpoint with HTTP Digest
authentication, graph by graph, and what it refuses. (The Linked Data and SPARQL suites run over it through the
`server` fixture's "virtuoso" backend; see conftest.)"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from lodpub.publish import PublishError, publish
from lodpub.store import Credentials

from . import virtuoso as v


def graph_sizes(query_url: str) -> dict[str, int]:
    response = requests.post(query_url, data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                                                       "GROUP BY ?g"},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200
    return {b["g"]["value"]: int(b["n"]["value"]) for b in response.json()["results"]["bindings"]}


def test_publish_puts_every_graph_whole_through_digest_authentication(virtuoso, built, store):
    want = {g: sum(1 for _ in store.store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
            for g in store.graph_names()}
    got = graph_sizes(virtuoso.query_url)
    assert {g: got.get(g) for g in want} == want
    # Publishing again replaces each graph whole: nothing doubles.
    report = publish(built, virtuoso.store_url, credentials=Credentials(user=v.USER, password=v.PASSWORD))
    assert sorted(report.graphs) == sorted(want)
    assert {g: graph_sizes(virtuoso.query_url).get(g) for g in want} == want


def test_the_graph_store_endpoint_asks_for_digest_and_refuses_a_wrong_password_by_name(virtuoso, built):
    challenge = requests.get(virtuoso.store_url, timeout=10)
    assert challenge.status_code == 401
    assert challenge.headers["WWW-Authenticate"].lower().startswith("digest")
    with pytest.raises(PublishError) as refused:
        publish(built, virtuoso.store_url, credentials=Credentials(user=v.USER, password="not-the-password"),
                retries=0)
    message = str(refused.value)
    assert "401" in message and virtuoso.store_url in message and "LODPUB_STORE_PASSWORD" in message
    assert "not-the-password" not in message
