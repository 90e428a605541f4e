"""Citing a build: two builds of different data are two versions, each with its RDFC-1.0 hashes and its own
dumps, and a document can be fetched as an earlier build served it (Memento, RFC 7089)."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import pyoxigraph as ox
import pytest
import rdflib
import requests
from bench import generate

from lodpub import dist
from lodpub.build import build

from .conftest import BASE, LiveServer, project_settings
from .published import wait_served

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
RDFC = rdflib.URIRef("https://www.w3.org/TR/rdf-canon/")
DATASET = rdflib.URIRef(BASE + "dataset")
DOCUMENT = "doc/document/report-0000000"    # in both builds' data, with other text in each
LINK = re.compile(r'<([^>]*)>((?:\s*;\s*[a-z]+="[^"]*")*)')


@dataclass
class Builds:
    settings: object
    server: LiveServer
    first: str
    second: str
    first_turtle: bytes      # the document as the first build served it, fetched then


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("versions")
    settings = project_settings(root / "dist", data_dir=root / "data", cache_dir=root / "cache")
    generate.generate(2000, settings.data_dir, seed=1)
    build(settings)
    first = dist.current_version(settings.dist_dir)
    server = LiveServer(settings)
    try:
        first_turtle = requests.get(server.url + DOCUMENT, headers={"Accept": "text/turtle"}, timeout=30).content
        time.sleep(1.1)     # Memento datetimes are to the second: two builds, two datetimes
        generate.generate(2000, settings.data_dir, seed=2)
        build(settings)
        second = dist.current_version(settings.dist_dir)
        wait_served(server, second)     # the same server process moved to the new build
        yield Builds(settings, server, first, second, first_turtle)
    finally:
        server.stop()


def get(builds: Builds, path: str, accept: str = "text/turtle", **headers) -> requests.Response:
    url = builds.server.url + path.removeprefix(BASE).lstrip("/")
    return requests.get(url, headers={"Accept": accept, **headers}, timeout=60, allow_redirects=False)


def described(builds: Builds, path: str = "dataset") -> rdflib.Graph:
    response = get(builds, path)
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.content, format="turtle")


def version_node(graph: rdflib.Graph, version: str) -> rdflib.URIRef:
    found = [v for v in graph.objects(DATASET, DCAT.hasVersion) if str(graph.value(v, DCAT.version)) == version]
    assert len(found) == 1, f"no one dcat:hasVersion with dcat:version {version}"
    return found[0]


def rdfc_hash(data: bytes, fmt: ox.RdfFormat, as_graph: bool = False) -> str:
    """What a client computes: RDFC-1.0 (pyoxigraph), canonical N-Quads in code point order, SHA-256."""
    quads = ox.parse(data, format=fmt)
    if as_graph:
        quads = (ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return hashlib.sha256(b"".join(sorted(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS)
                                          .splitlines(keepends=True)))).hexdigest()


def rdfc_checksum(graph: rdflib.Graph, subject) -> str:
    for checksum in graph.objects(subject, SPDX.checksum):
        if (checksum, DCTERMS.conformsTo, RDFC) in graph:
            return str(graph.value(checksum, SPDX.checksumValue))
    raise AssertionError(f"{subject} has no RDFC-1.0 checksum")


def links(response: requests.Response) -> list[tuple[str, dict]]:
    """The Link header's (target, parameters) pairs."""
    return parse_links(", ".join(v for k, v in response.raw.headers.items() if k.lower() == "link"))


def parse_links(text: str) -> list[tuple[str, dict]]:
    return [(m.group(1), dict(re.findall(r'([a-z]+)="([^"]*)"', m.group(2)))) for m in LINK.finditer(text)]


def test_two_builds_of_different_data_are_two_versions_of_the_dataset(builds):
    assert builds.first != builds.second
    assert builds.first.split("-")[-1] != builds.second.split("-")[-1]     # the content hashes differ
    graph = described(builds)
    first, second = version_node(graph, builds.first), version_node(graph, builds.second)
    assert graph.value(DATASET, DCAT.hasCurrentVersion) == second
    assert str(graph.value(DATASET, DCAT.version)) == builds.second
    assert graph.value(second, DCAT.previousVersion) == first
    assert (first, DCTERMS.isVersionOf, DATASET) in graph and (second, DCTERMS.isVersionOf, DATASET) in graph
    assert graph.value(first, DCTERMS.issued).toPython() < graph.value(second, DCTERMS.issued).toPython()


def test_the_dumps_of_every_kept_version_are_still_downloadable_as_described(builds):
    graph = described(builds)
    nquads = {}
    for version in (builds.first, builds.second):
        node = version_node(graph, version)
        distributions = list(graph.objects(node, DCAT.distribution))
        files = {p.name for p in (builds.settings.dist_dir / "builds" / version / "dumps").iterdir()}
        assert {str(graph.value(d, DCAT.downloadURL)).rsplit("/", 1)[1] for d in distributions} == files
        assert len(distributions) >= 12
        for d in distributions:
            url = str(graph.value(d, DCAT.downloadURL))
            assert url.startswith(f"{BASE}builds/{version}/dumps/")
            response = get(builds, url, "*/*")
            assert response.status_code == 200, url
            assert len(response.content) == int(graph.value(d, DCAT.byteSize))
            checksum = graph.value(graph.value(d, SPDX.checksum), SPDX.checksumValue)
            assert hashlib.sha256(response.content).hexdigest() == str(checksum)
            if url.endswith("/lodpub.nq"):
                nquads[version] = response.content
    assert nquads[builds.first] != nquads[builds.second]
    # The current build's dumps are also at their plain paths, as before.
    assert get(builds, "dumps/lodpub.nq", "*/*").content == nquads[builds.second]


def per_graph_hashes(nquads: bytes) -> dict[str, str]:
    graphs: dict[str, list[ox.Triple]] = {}
    for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(q.graph_name.value, []).append(ox.Triple(q.subject, q.predicate, q.object))
    return {g: rdfc_hash(ox.serialize(t, format=ox.RdfFormat.N_TRIPLES), ox.RdfFormat.N_TRIPLES, as_graph=True)
            for g, t in graphs.items()}


def test_each_version_states_the_rdfc_hash_a_client_computes_from_its_dump(builds):
    graph = described(builds)
    for version in (builds.first, builds.second):
        dump = get(builds, f"builds/{version}/dumps/lodpub.nq", "*/*").content
        node = version_node(graph, version)
        assert rdfc_checksum(graph, node) == rdfc_hash(dump, ox.RdfFormat.N_QUADS)
        # The content hash in the version's name: the digest of the graphs' RDFC-1.0 hashes, also stated.
        lines = sorted(f"<{g}> {h}\n" for g, h in per_graph_hashes(dump).items())
        digest = hashlib.sha256("".join(lines).encode()).hexdigest()
        assert version.endswith("-" + digest[:12])
        stated = {str(graph.value(c, SPDX.checksumValue)) for c in graph.objects(node, SPDX.checksum)}
        assert digest in stated
    assert rdfc_checksum(graph, DATASET) == rdfc_checksum(graph, version_node(graph, builds.second))


def named_graphs(graph: rdflib.Graph) -> list[rdflib.URIRef]:
    subsets = list(graph.objects(DATASET, rdflib.URIRef("http://rdfs.org/ns/void#subset")))
    assert len(subsets) >= 2
    return subsets


def test_each_named_graph_states_the_rdfc_hash_of_its_triples_in_the_dump(builds):
    graph = described(builds)
    dump = list(ox.parse(get(builds, "dumps/lodpub.nq", "*/*").content, format=ox.RdfFormat.N_QUADS))
    for subset in named_graphs(graph):
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in dump if q.graph_name.value == str(subset)]
        assert triples
        nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert rdfc_checksum(graph, subset) == rdfc_hash(nt, ox.RdfFormat.N_TRIPLES, as_graph=True)


def test_each_named_graph_states_the_rdfc_hash_of_what_the_endpoint_gives_for_it(builds):
    graph = described(builds)
    for subset in named_graphs(graph):
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{subset}> {{ ?s ?p ?o }} }}"
        response = requests.get(builds.server.url + "sparql", params={"query": query},
                                headers={"Accept": "application/n-triples"}, timeout=60)
        assert response.status_code == 200
        assert rdfc_checksum(graph, subset) == rdfc_hash(response.content, ox.RdfFormat.N_TRIPLES, as_graph=True)


def test_a_document_links_its_timemap_which_lists_a_memento_from_each_build(builds):
    response = get(builds, DOCUMENT)
    assert response.status_code == 200
    assert "Memento-Datetime" not in response.headers     # the current document changes with the next build
    assert "accept-datetime" in response.headers["Vary"].lower()
    found = {params.get("rel"): target for target, params in links(response)}
    assert found["original timegate"] == "/" + DOCUMENT
    timemap = get(builds, found["timemap"], "application/link-format")
    assert timemap.status_code == 200
    assert timemap.headers["Content-Type"].startswith("application/link-format")
    entries = parse_links(timemap.text)
    mementos = [(target, params) for target, params in entries if "memento" in params.get("rel", "").split()]
    assert [t for t, _ in mementos] == [f"/builds/{v}/{DOCUMENT}" for v in (builds.first, builds.second)]
    assert mementos[0][1]["rel"] == "first memento" and mementos[1][1]["rel"] == "last memento"
    bodies = []
    for target, params in mementos:
        memento = get(builds, target)
        assert memento.status_code == 200
        assert memento.headers["Memento-Datetime"] == params["datetime"]
        rels = {p.get("rel"): t for t, p in links(memento)}
        assert rels["original timegate"] == "/" + DOCUMENT
        assert memento.headers["Content-Location"].startswith(target.rsplit("/", 1)[0])
        bodies.append(rdflib.Graph().parse(data=memento.content, format="turtle"))
    first_served = rdflib.Graph().parse(data=builds.first_turtle, format="turtle")
    assert rdflib.compare.isomorphic(bodies[0], first_served)     # as the first build served it
    assert not rdflib.compare.isomorphic(bodies[0], bodies[1])


def test_the_dataset_description_of_an_earlier_build_is_served_as_it_was(builds):
    old = get(builds, f"builds/{builds.first}/dataset")
    assert old.status_code == 200
    assert "Memento-Datetime" in old.headers
    graph = rdflib.Graph().parse(data=old.content, format="turtle")
    assert str(graph.value(DATASET, DCAT.version)) == builds.first
    assert builds.second not in old.text


def test_accept_datetime_leads_to_the_build_published_at_that_time(builds):
    timemap = parse_links(get(builds, "timemap/" + DOCUMENT, "application/link-format").text)
    times = [parsedate_to_datetime(p["datetime"]) for _, p in timemap if "datetime" in p]
    for moment, version in ((times[0].timestamp() - 3600, builds.first), (times[0].timestamp() + 0.5, builds.first),
                            (times[1].timestamp(), builds.second), (times[1].timestamp() + 86400, builds.second)):
        asked = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(moment))
        response = get(builds, DOCUMENT, **{"Accept-Datetime": asked})
        assert response.status_code == 302, asked
        assert response.headers["Location"] == f"/builds/{version}/{DOCUMENT}"
        assert "accept-datetime" in response.headers["Vary"].lower()
    bad = get(builds, DOCUMENT, **{"Accept-Datetime": "yesterday"})
    assert bad.status_code == 400
    assert "Accept-Datetime" in bad.text


def test_unknown_versions_and_paths_are_404_with_a_message(builds):
    missing = get(builds, f"builds/19990101T000000Z-000000000000/{DOCUMENT}")
    assert missing.status_code == 404
    assert builds.second in missing.text
    assert get(builds, f"builds/{builds.first}/sparql").status_code == 404
    assert get(builds, "timemap/doc/document/no-such-report", "application/link-format").status_code == 404


def test_a_timemap_that_opens_older_builds_answers_when_the_list_of_builds_goes_stale_meanwhile(builds,
                                                                                                 monkeypatch):
    """The middleware lists the kept builds again once a second has passed. A listing gone stale while a TimeMap
    opened an older build's store (slow under load) once deadlocked the process; here every listing is stale."""
    import threading

    from lodpub.web import builds as middleware
    from lodpub.web import create_app

    monkeypatch.setattr(middleware, "FOLLOW_EVERY", 0.0)
    client = create_app(builds.settings, start_queries=False).test_client()
    answers: list = []
    asking = threading.Thread(target=lambda: answers.append(client.get("/timemap/" + DOCUMENT)), daemon=True)
    asking.start()
    asking.join(60)
    assert answers, "the TimeMap request never returned: the process is stuck"
    assert answers[0].status_code == 200
    assert len(re.findall(r'rel="[a-z ]*memento"', answers[0].get_data(as_text=True))) == 2


def test_builds_beyond_the_kept_number_are_removed_and_no_longer_served(builds):
    settings = builds.settings.replace(keep_builds=2)
    for seed in (3, 4):
        time.sleep(1.1)
        generate.generate(2000, settings.data_dir, seed=seed)
        build(settings)
    kept = [b.version for b in dist.kept_builds(settings.dist_dir)]
    assert len(kept) == 2 and builds.first not in kept and builds.second not in kept
    wait_served(builds.server, kept[-1])
    gone = get(builds, f"builds/{builds.first}/{DOCUMENT}")
    assert gone.status_code == 404
    timemap = parse_links(get(builds, "timemap/" + DOCUMENT, "application/link-format").text)
    assert [t for t, p in timemap if "memento" in p.get("rel", "")] == [f"/builds/{v}/{DOCUMENT}" for v in kept]
    graph = described(builds)
    assert sorted(str(graph.value(v, DCAT.version)) for v in graph.objects(DATASET, DCAT.hasVersion)) == sorted(kept)


def test_above_the_limit_the_whole_is_not_canonicalized_but_every_graph_is(tmp_path):
    settings = project_settings(tmp_path / "dist", cache_dir=tmp_path / "cache", rdfc_whole_limit=10)
    manifest = build(settings)
    assert manifest["rdfc"]["dataset"] is None
    assert manifest["version"].endswith("-" + manifest["rdfc"]["digest"][:12])
    graph = rdflib.Graph().parse(settings.dist_dir / "void.ttl", format="turtle")
    assert all((c, DCTERMS.conformsTo, RDFC) not in graph for c in graph.objects(DATASET, SPDX.checksum))
    for g, value in manifest["rdfc"]["graphs"].items():
        assert rdfc_checksum(graph, rdflib.URIRef(g)) == value


def test_a_server_parses_a_kept_builds_manifest_again_only_when_its_file_changes(tmp_path):
    """A server lists the kept builds every second; it keeps their parsed manifests, and notices a changed or
    removed one."""
    builds = tmp_path / dist.BUILDS
    for version, sequence in (("a", 1), ("b", 2)):
        (builds / version).mkdir(parents=True)
        (builds / version / dist.MANIFEST).write_text(
            f'{{"built": "2026-01-0{sequence}T00:00:00+00:00", "sequence": {sequence}}}')
    (tmp_path / dist.CURRENT).symlink_to(f"{dist.BUILDS}/b")
    parsed: dist.Parsed = {}
    first = dist.kept_builds(tmp_path, parsed)
    assert [b.version for b in first] == ["a", "b"] and len(parsed) == 2
    assert dist.kept_builds(tmp_path, parsed)[0].manifest is first[0].manifest     # not parsed again
    (builds / "a" / dist.MANIFEST).write_text('{"built": "2026-01-01T00:00:00+00:00", "sequence": 1, "x": 1}')
    assert dist.kept_builds(tmp_path, parsed)[0].manifest["x"] == 1
    (builds / "a" / dist.MANIFEST).unlink()
    (builds / "a").rmdir()
    assert [b.version for b in dist.kept_builds(tmp_path, parsed)] == ["b"] and len(parsed) == 1
