"""Rebuilding after an edit: only the document that changed is parsed and validated again."""

from __future__ import annotations

import hashlib

import pytest
from bench import generate

from lodpub.build import build
from lodpub.report import InputError

from .conftest import ROOT, project_settings


@pytest.fixture
def corpus(tmp_path):
    """Four made-up documents that conform to the shapes, and settings with a cache of their own."""
    data = tmp_path / "data"
    generate.generate(3000, data, seed=7)
    return project_settings(tmp_path / "dist", data_dir=data, cache_dir=tmp_path / "cache")


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
