"""Rebuilding after an edit: only the document that changed is parsed and validated again."""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
import pytest
import rdflib
from bench import generate
from rdflib.compare import isomorphic

from lodpub.build import build
from lodpub.report import InputError

from .conftest import ROOT, project_settings


@pytest.fixture
def corpus(tmp_path):
    """Four made-up documents that conform to the shapes, and settings with a cache of their own."""
    data = tmp_path / "data"
    generate.generate(3000, data, seed=7)
    return project_settings(tmp_path / "dist", data_dir=data, cache_dir=tmp_path / "cache")


def data_description(settings) -> set:
    """VoID without the description of the builds (their versions and times differ from build to build, and a
    dist with earlier builds lists them too): what is said of the data, reached from the named resources."""
    triples = list(ox.parse(path=str(settings.dist_dir / "void.ttl"), format=ox.RdfFormat.TURTLE))

    def of_a_build(term) -> bool:
        return isinstance(term, ox.NamedNode) and "/builds/" in term.value

    version = ox.NamedNode("http://www.w3.org/ns/dcat#version")
    kept = {t for t in triples if isinstance(t.subject, ox.NamedNode) and t.predicate != version
            and not of_a_build(t.subject) and not of_a_build(t.object)}
    reached = {t.object for t in kept if isinstance(t.object, ox.BlankNode)}
    while reached:
        more = {t for t in triples if t.subject in reached} - kept
        kept |= more
        reached = {t.object for t in more if isinstance(t.object, ox.BlankNode)}
    return kept


def dumps_digest(settings) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(settings.dumps_dir.iterdir())}


def test_a_first_build_parses_and_validates_every_document(corpus):
    manifest = build(corpus)
    slugs = sorted(p.stem for p in corpus.data_dir.glob("*.ttl"))
    assert len(slugs) >= 2
    assert sorted(s for s in manifest["validated"] if not s.startswith("_")) == slugs
    assert sorted(s for s in manifest["parsed"] if not s.startswith("_")) == slugs


def test_a_rebuild_of_unchanged_inputs_validates_nothing_and_publishes_the_same_bytes(corpus):
    build(corpus)
    before = dumps_digest(corpus)
    manifest = build(corpus)
    assert manifest["parsed"] == [] and manifest["validated"] == []
    assert dumps_digest(corpus) == before


def test_a_rebuild_of_unchanged_inputs_leaves_the_published_build_as_it_is(corpus):
    """Nothing to do: not even a new folder (the published manifest is the same file, with the same time)."""
    first = build(corpus)
    published = (corpus.dist_dir / "build.json").stat().st_ino
    again = build(corpus)
    assert again["unchanged"] is True and again["built"] == first["built"]
    assert (corpus.dist_dir / "build.json").stat().st_ino == published
    ttl = sorted(corpus.data_dir.glob("*.ttl"))[0]
    ttl.write_text(ttl.read_text(encoding="utf-8") + "\n# an editor's note\n", encoding="utf-8")
    changed = build(corpus)
    assert changed["unchanged"] is False and changed["parsed"] == [ttl.stem]


def test_a_changed_title_is_a_change_that_is_published(corpus):
    build(corpus)
    retitled = build(corpus.replace(title="Another title"))
    assert retitled["unchanged"] is False
    assert "Another title" in (corpus.dist_dir / "void.ttl").read_text(encoding="utf-8")


def test_a_change_to_one_document_reparses_and_revalidates_that_document_alone(corpus):
    build(corpus)
    ttl = sorted(corpus.data_dir.glob("*.ttl"))[1]
    ttl.write_text(ttl.read_text(encoding="utf-8") + "\n# an editor's note\n", encoding="utf-8")
    manifest = build(corpus)
    assert manifest["parsed"] == [ttl.stem]
    assert manifest["validated"] == [ttl.stem]


def test_a_cached_build_publishes_what_a_fresh_build_does(corpus, tmp_path):
    build(corpus)
    ttl = sorted(corpus.data_dir.glob("*.ttl"))[0]
    for path in (ttl, ttl.with_suffix(".txt")):  # the same length, so every span keeps its offsets
        path.write_text(path.read_text(encoding="utf-8").replace("Report 0:", "Record 0:"), encoding="utf-8")
    incremental = build(corpus)
    fresh = corpus.replace(dist_dir=tmp_path / "fresh", cache_dir=tmp_path / "fresh-cache")
    build(fresh)
    assert incremental["validated"] == [ttl.stem]
    assert dumps_digest(corpus) == dumps_digest(fresh)


def test_shapes_that_change_revalidate_every_document_and_fail_the_build_without_publishing(corpus, tmp_path):
    build(corpus)
    before = dumps_digest(corpus)
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "strict.ttl").write_text(
        (ROOT / "shapes").joinpath(next(p.name for p in (ROOT / "shapes").glob("*.ttl"))).read_text(encoding="utf-8")
        + "\n<strict#NoNames> a <http://www.w3.org/ns/shacl#NodeShape> ;\n"
          "    <http://www.w3.org/ns/shacl#targetClass> <http://schema.org/Person> ;\n"
          "    <http://www.w3.org/ns/shacl#property> [ <http://www.w3.org/ns/shacl#path> "
          "<http://schema.org/name> ; <http://www.w3.org/ns/shacl#maxCount> 0 ] .\n",
        encoding="utf-8")
    with pytest.raises(InputError) as failed:
        build(corpus.replace(shapes_dir=shapes))
    files = {p.file for p in failed.value.problems}
    assert files == {str(p) for p in corpus.data_dir.glob("*.ttl")}
    assert dumps_digest(corpus) == before


def store_contents(settings) -> tuple[set, set]:
    """The store's quads of the data and shapes graphs, and its default graph less the VoID triples (VoID
    carries the build's time, so it differs between any two builds)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(settings.store_dir))
    try:
        void = ox.NamedNode(f"{settings.base}dataset")
        void_triples = {q.triple for q in store.quads_for_pattern(None, None, None, void)}
        named = {q for q in store.quads_for_pattern(None, None, None, None)
                 if not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name != void}
        default = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())} - void_triples
        return named, default
    finally:
        del store


def void_in_store(settings) -> rdflib.Graph:
    store = ox.Store.read_only(str(settings.store_dir))
    try:
        data = ox.serialize(store.quads_for_pattern(None, None, None, ox.NamedNode(f"{settings.base}dataset")),
                            format=ox.RdfFormat.N_QUADS)
    finally:
        del store
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format="nquads")
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def index_contents(settings, tmp_path) -> dict[str, set]:
    """The search index's rows, by IRI rather than by row number, without the builds VoID lists (a dist with
    earlier builds lists them too); its full-text tables checked against the rows they index."""
    import shutil
    import sqlite3

    copy = tmp_path / f"index-{settings.dist_dir.name}.sqlite"
    shutil.copyfile(settings.dist_dir / "search.sqlite", copy)
    db = sqlite3.connect(copy)
    try:
        db.execute("INSERT INTO passage_words(passage_words) VALUES ('integrity-check')")
        rows = {
            "things": "SELECT iri, label, is_span FROM things",
            "names": "SELECT t.iri, n.name, n.lower FROM names n JOIN things t ON t.id = n.thing",
            "name words": "SELECT t.iri, w.name FROM name_words w JOIN names n ON n.rowid = w.rowid "
                          "JOIN things t ON t.id = n.thing",
            "name grams": "SELECT t.iri, g.name FROM name_grams g JOIN names n ON n.rowid = g.rowid "
                          "JOIN things t ON t.id = n.thing",
            "types": "SELECT t.iri, y.type FROM types y JOIN things t ON t.id = y.thing",
            "passages": "SELECT owner, start, \"end\", text, facts FROM passages",
            "passage words": "SELECT p.owner, p.start FROM passage_words w JOIN passages p ON p.id = w.rowid "
                             "WHERE passage_words MATCH 'report OR said OR the'",
        }
        found = {name: {r for r in db.execute(sql) if "/builds/" not in r[0]} for name, sql in rows.items()}
        counts = {"name words": "SELECT count(*) FROM name_words", "names": "SELECT count(*) FROM names",
                  "name grams": "SELECT count(*) FROM name_grams"}
        assert len({db.execute(sql).fetchone()[0] for sql in counts.values()}) == 1, "one full-text row per name"
        return found
    finally:
        db.close()


def test_a_store_updated_in_place_holds_what_a_fresh_build_does(tmp_path):
    """One document changed, one removed, one added: the published store is copied and only those graphs are
    rewritten, and the result is the store a build from nothing makes, default graph (the union) included."""
    data = tmp_path / "data"
    generate.generate(5000, data, seed=11)
    documents = sorted(data.glob("*.ttl"))
    assert len(documents) >= 4
    held_back = tmp_path / "held"
    held_back.mkdir()
    for path in (documents[-1], documents[-1].with_suffix(".txt")):
        path.rename(held_back / path.name)
    settings = project_settings(tmp_path / "dist", data_dir=data, cache_dir=tmp_path / "cache")
    assert build(settings)["store"] == "filled"

    changed, removed = documents[0], documents[1]
    for path in (changed, changed.with_suffix(".txt")):   # the same length, so every span keeps its offsets
        path.write_text(path.read_text(encoding="utf-8").replace("Report 0:", "Record 0:"), encoding="utf-8")
    for path in (removed, removed.with_suffix(".txt")):
        path.unlink()
    for path in held_back.iterdir():
        path.rename(data / path.name)
    manifest = build(settings)
    assert manifest["store"] == "updated"
    assert sorted(manifest["parsed"]) == sorted([changed.stem, documents[-1].stem])

    fresh = settings.replace(dist_dir=tmp_path / "fresh", cache_dir=tmp_path / "fresh-cache")
    from_nothing = build(fresh)
    assert from_nothing["store"] == "filled"
    assert manifest["validation"] == from_nothing["validation"], "the same context, updated or collected afresh"
    updated_named, updated_default = store_contents(settings)
    fresh_named, fresh_default = store_contents(fresh)
    assert updated_named == fresh_named
    assert updated_default == fresh_default
    assert {q.triple for q in updated_named} == updated_default, "the default graph is the union"
    assert dumps_digest(settings) == dumps_digest(fresh)
    assert data_description(settings) == data_description(fresh), "VoID counts the same"
    assert isomorphic(void_in_store(settings), rdflib.Graph().parse(settings.dist_dir / "void.ttl")), \
        "the store's VoID, changed where it differs, is the VoID this build wrote"
    updated_index, fresh_index = index_contents(settings, tmp_path), index_contents(fresh, tmp_path)
    assert all(updated_index.values()), "every table of the index has rows"
    assert updated_index == fresh_index, "the index updated in place holds what a fresh build's does"
    nq = (settings.dumps_dir / "lodpub.nq").read_bytes().splitlines()
    nt = (settings.dumps_dir / "lodpub.nt").read_bytes().splitlines()
    union = {line[:line.rindex(b" <")] + b" ." for line in nq}
    assert len(union) < len(nq), "documents share triples: the repeats are tested"
    assert len(nt) == len(set(nt)) and set(nt) == union, "the N-Triples dump holds the union, each triple once"


def test_a_triple_the_first_of_two_documents_drops_stays_in_the_union(corpus, tmp_path):
    """A triple two documents state is written in the segment of the first; when that one goes, the next
    one's segment takes it over (the rebuild rewrites those two segments only)."""
    build(corpus)
    nq = (corpus.dumps_dir / "lodpub.nq").read_bytes().splitlines()
    holders: dict[bytes, list[bytes]] = {}
    for line in nq:
        cut = line.rindex(b" <")
        holders.setdefault(line[:cut] + b" .", []).append(line[cut + 1:])
    shared = sorted(t for t, graphs in holders.items() if len(graphs) > 1 and b"/graph/" in graphs[0])
    assert shared, "documents share triples"
    first = holders[shared[0]][0].split(b"/graph/")[1].split(b">")[0].decode()
    for path in corpus.data_dir.glob(f"{first}.*"):
        path.unlink()
    manifest = build(corpus)
    assert manifest["store"] == "updated"
    nt = set((corpus.dumps_dir / "lodpub.nt").read_bytes().splitlines())
    assert shared[0] in nt
    nq = (corpus.dumps_dir / "lodpub.nq").read_bytes().splitlines()
    assert nt == {line[:line.rindex(b" <")] + b" ." for line in nq}
    fresh = corpus.replace(dist_dir=tmp_path / "fresh", cache_dir=tmp_path / "fresh-cache")
    build(fresh)
    assert dumps_digest(corpus) == dumps_digest(fresh)
    assert data_description(corpus) == data_description(fresh), "VoID counts the same"


def test_without_its_cache_a_rebuild_fills_a_new_store_and_publishes_the_same(corpus):
    """The published store is updated only with what it was made from at hand; else it is made again."""
    import shutil

    build(corpus)
    before = dumps_digest(corpus)
    shutil.rmtree(corpus.cache_dir)
    manifest = build(corpus)
    assert manifest["store"] == "filled"
    assert dumps_digest(corpus) == before
    touched = sorted(corpus.data_dir.glob("*.ttl"))[0]
    touched.write_text(touched.read_text(encoding="utf-8") + "\n# an editor's note\n", encoding="utf-8")
    assert build(corpus)["store"] == "updated"


def test_a_dropped_graph_leaves_the_union_only_the_triples_no_other_graph_holds():
    """A graph replaced by nothing (the shapes and VoID before an update, a document gone): its triples leave
    the default graph (the union) unless another graph states them too; blank nodes included."""
    from lodpub.build import replace_graphs
    from lodpub.store import with_union

    ex = "http://example.org/"
    void, data = ox.NamedNode(ex + "void"), ox.NamedNode(ex + "data")
    shared = ox.Triple(ox.NamedNode(ex + "s"), ox.NamedNode(ex + "p"), ox.Literal("both"))
    only_void = ox.Triple(ox.BlankNode("b1"), ox.NamedNode(ex + "p"), ox.Literal("void alone"))
    only_data = ox.Triple(ox.NamedNode(ex + "t"), ox.NamedNode(ex + "p"), ox.NamedNode(ex + "o"))
    store = ox.Store()
    store.extend(with_union([ox.Quad(*shared, void), ox.Quad(*only_void, void),
                             ox.Quad(*shared, data), ox.Quad(*only_data, data)]))
    replace_graphs(store, {void.value: []})
    assert {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())} == {shared, only_data}
    assert not list(store.quads_for_pattern(None, None, None, void))
    assert {q.triple for q in store.quads_for_pattern(None, None, None, data)} == {shared, only_data}
