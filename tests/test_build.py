"""Building the dataset: what a publisher runs, and what a user downloads."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from lodpub.build import build
from lodpub.formats import RDF_FORMATS
from lodpub.vocab import VOID

from .conftest import FIXTURES, ROOT, project_settings

SPDX = "http://spdx.org/rdf/terms#"


def lodpub(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lodpub.cli", *args], cwd=cwd, capture_output=True, text=True)


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def void_graph(dist: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(dist / "void.ttl", format="turtle")


def stated_triples(dist: Path) -> int:
    graph = void_graph(dist)
    dataset = next(graph.subjects(rdflib.RDF.type, rdflib.URIRef(VOID + "Dataset")))
    for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef(VOID + "Dataset")):
        if str(s).endswith("/dataset"):
            dataset = s
    return int(graph.value(dataset, rdflib.URIRef(VOID + "triples")))


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A copy of the project's inputs that a test may break."""
    for folder in ("data", "ontology", "shapes"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_validate_passes_on_the_project_data():
    result = lodpub("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("valid: 1 source document(s)")


def test_two_builds_of_the_same_inputs_give_byte_identical_dumps(built, tmp_path):
    again = project_settings(tmp_path / "dist")
    build(again)
    first, second = tree_digest(built.dumps_dir), tree_digest(again.dumps_dir)
    assert len(first) == 2 * len(RDF_FORMATS) + 2   # and the RDF 1.2 TriG dump, plain and gzipped
    assert first == second
    # The descriptions differ only in what names the build itself: its version, which carries its time.
    versioned = re.compile(rb'[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}|"[0-9T:+-]{25}"|"[0-9T:-]{19}Z"')
    first_void, second_void = ((d / "void.ttl").read_bytes() for d in (built.dist_dir, again.dist_dir))
    assert versioned.sub(b"", first_void) == versioned.sub(b"", second_void)


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.key)
def test_every_dump_reparses_with_rdflib_to_the_stated_count(built, fmt):
    path = built.dumps_dir / f"lodpub.{fmt.extension}"
    if fmt.datasets or fmt.key == "jsonld":     # the JSON-LD dump keeps the named graphs too
        dataset = rdflib.Dataset()
        dataset.parse(path, format=fmt.rdflib)
        union = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
        assert len(union) == stated_triples(built.dist_dir)
    else:
        graph = rdflib.Graph().parse(path, format=fmt.rdflib)
        assert len(graph) == stated_triples(built.dist_dir)


def test_the_turtle_dump_loads_into_oxigraph_with_the_stated_count(built):
    store = ox.Store()
    store.load(path=str(built.dumps_dir / "lodpub.ttl"), format=ox.RdfFormat.TURTLE)
    assert len(store) == stated_triples(built.dist_dir)


def test_the_nquads_dump_keeps_one_named_graph_per_source(built):
    store = ox.Store()
    store.load(path=str(built.dumps_dir / "lodpub.nq"), format=ox.RdfFormat.N_QUADS)
    graphs = sorted(g.value for g in store.named_graphs())
    assert graphs == ["http://localhost:8080/id/graph/pompeo-soleimani-letter", "http://localhost:8080/ontology"]
    void = void_graph(built.dist_dir)
    for graph in graphs:
        stated = void.value(rdflib.URIRef(graph), rdflib.URIRef(VOID + "triples"))
        in_graph = list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        assert stated is not None and int(stated) == len(in_graph)


def test_void_states_size_media_type_and_checksum_of_every_dump(built):
    void = void_graph(built.dist_dir)
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    seen = set()
    for dist in void.subjects(rdflib.RDF.type, dcat.Distribution):
        url = str(void.value(dist, dcat.downloadURL))
        path = built.dumps_dir / url.rsplit("/", 1)[1]
        data = path.read_bytes()
        assert int(void.value(dist, dcat.byteSize)) == len(data)
        checksum = void.value(dist, rdflib.URIRef(SPDX + "checksum"))
        assert str(void.value(checksum, rdflib.URIRef(SPDX + "checksumValue"))) == hashlib.sha256(data).hexdigest()
        media = str(void.value(dist, dcat.mediaType))
        assert media.endswith("/application/gzip") if path.suffix == ".gz" else "/media-types/" in media
        seen.add(path.name)
    assert seen == {p.name for p in built.dumps_dir.iterdir()}


def test_void_partitions_count_classes_and_properties(built, sparql):
    void = void_graph(built.dist_dir)
    people = sparql("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:Person }")[0]["n"]
    V = rdflib.Namespace(VOID)
    partitions = {str(void.value(part, V["class"])): int(void.value(part, V.entities))
                  for part in void.objects(None, V.classPartition)}
    assert partitions["http://schema.org/Person"] == int(people)
    names = sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s schema:name ?o }")[0]["n"]
    properties = {str(void.value(part, V.property)): int(void.value(part, V.triples))
                  for part in void.objects(None, V.propertyPartition)}
    assert properties["http://schema.org/name"] == int(names)


def test_a_turtle_syntax_error_is_reported_with_file_and_line(data_copy):
    ttl = data_copy / "data" / "pompeo-soleimani-letter.ttl"
    lines = ttl.read_text(encoding="utf-8").splitlines()
    at = len(lines) // 2
    lines.insert(at, "this is not turtle .")
    ttl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = lodpub("validate", "--data", "data", "--ontology", "ontology", "--shapes", "shapes", cwd=data_copy)
    assert result.returncode == 1
    assert f"pompeo-soleimani-letter.ttl:{at + 1}:" in result.stderr
    assert "Turtle syntax error" in result.stderr


def test_a_shape_violation_names_focus_node_path_and_message(data_copy):
    ttl = data_copy / "data" / "pompeo-soleimani-letter.ttl"
    before = ttl.read_text(encoding="utf-8")
    ttl.write_text(before + "\n<id/person/nobody> a <http://schema.org/Person> , "
                   "<http://www.w3.org/ns/prov#Agent> .\n", encoding="utf-8")
    result = lodpub("validate", "--data", "data", "--ontology", "ontology", "--shapes", "shapes", cwd=data_copy)
    assert result.returncode == 1
    # The line of the focus node, and its name in the file's own prefixes (person: is declared there).
    assert f"pompeo-soleimani-letter.ttl:{before.count(chr(10)) + 2}: Violation:" in result.stderr
    assert "focus node: person:nobody" in result.stderr
    assert "path: " in result.stderr and "shape: " in result.stderr


def test_a_failed_build_leaves_the_published_data_as_it_was(data_copy):
    settings = dict(data_dir=data_copy / "data", ontology_dir=data_copy / "ontology",
                    shapes_dir=data_copy / "shapes")
    dist = data_copy / "dist"
    result = lodpub("build", "--data", "data", "--ontology", "ontology", "--shapes", "shapes", cwd=data_copy)
    assert result.returncode == 0, result.stderr
    before = tree_digest(dist)
    (settings["data_dir"] / "pompeo-soleimani-letter.ttl").write_text("@prefix broken", encoding="utf-8")
    result = lodpub("build", "--data", "data", "--ontology", "ontology", "--shapes", "shapes", cwd=data_copy)
    assert result.returncode == 1
    assert "dist is unchanged" in result.stderr
    assert tree_digest(dist) == before
    # Nothing is left behind but the build cache (made by the first, successful build).
    assert sorted(p.name for p in data_copy.iterdir() if p.name != ".lodpub-cache") == [
        "data", "dist", "ontology", "shapes"]


def test_a_text_file_without_turtle_is_refused(data_copy):
    (data_copy / "data" / "orphan.txt").write_text("Nobody said anything.", encoding="utf-8")
    result = lodpub("validate", "--data", "data", "--ontology", "ontology", "--shapes", "shapes", cwd=data_copy)
    assert result.returncode == 1
    assert "orphan.txt has no orphan.ttl beside it" in result.stderr


def test_a_second_document_builds_with_no_code_change(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    for path in (FIXTURES / "data").iterdir():
        shutil.copy(path, data / path.name)
    settings = project_settings(tmp_path / "dist", data_dir=data)
    manifest = build(settings)
    slugs = sorted(p.stem for p in (FIXTURES / "data").glob("*.ttl"))
    assert slugs, "tests/fixtures/data holds a made-up document"
    for slug in slugs:
        assert f"http://localhost:8080/id/graph/{slug}" in manifest["graphs"]
    store = ox.Store()
    store.load(path=str(settings.dumps_dir / "lodpub.nq"), format=ox.RdfFormat.N_QUADS)
    graph = ox.NamedNode(f"http://localhost:8080/id/graph/{slugs[0]}")
    text = next(store.quads_for_pattern(ox.NamedNode(f"http://localhost:8080/id/document/{slugs[0]}"),
                                        ox.NamedNode("http://schema.org/text"), None, graph))
    assert text.object.value == (FIXTURES / "data" / f"{slugs[0]}.txt").read_text(encoding="utf-8")


def test_the_n_triples_dump_is_the_union_of_the_graphs_each_triple_once(built):
    nq = (built.dumps_dir / "lodpub.nq").read_bytes().splitlines()
    nt = (built.dumps_dir / "lodpub.nt").read_bytes().splitlines()
    union = {line[:line.rindex(b" <")] + b" ." for line in nq}
    assert len(nt) == len(set(nt)), "no triple twice"
    assert set(nt) == union


def test_gzipped_copies_hold_the_same_bytes_as_the_plain_dumps(built):
    import gzip

    for fmt in RDF_FORMATS:
        plain = built.dumps_dir / f"lodpub.{fmt.extension}"
        assert gzip.decompress(plain.with_name(plain.name + ".gz").read_bytes()) == plain.read_bytes()


def test_blank_nodes_of_two_files_in_one_folder_stay_apart(tmp_path):
    from lodpub.sources import folder_source, read_source
    from lodpub.vocab import Names

    for name, label in (("a", "first"), ("b", "second")):
        (tmp_path / f"{name}.ttl").write_text(f'<x> <p> [ <label> "{label}" ] .\n', encoding="utf-8")
    names = Names("http://localhost:8080/")
    triples = read_source(folder_source(tmp_path, "shapes", names.shapes), names)
    holders = {t.subject for t in triples if t.predicate.value.endswith("label")}
    assert len(holders) == 2


def test_the_stores_default_graph_is_the_union_of_its_named_graphs(built):
    """Queried without a dataset, the store reads its default graph: it must hold every named graph's triples,
    once each, and a blank node there must be the same node as in its named graph."""
    store = ox.Store.read_only(str(built.dist_dir / "store"))
    try:
        default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        named = {q.triple for q in store.quads_for_pattern(None, None, None, None)
                 if not isinstance(q.graph_name, ox.DefaultGraph)}
        assert default == named
        assert any(isinstance(t.subject, ox.BlankNode) for t in default), "the data has blank nodes to compare"
        joined = store.query("ASK { GRAPH ?g { ?thing ?p ?node } ?node ?q ?value FILTER(isBlank(?node)) }")
        assert bool(joined), "a blank node of a named graph is found again in the default graph"
    finally:
        del store
