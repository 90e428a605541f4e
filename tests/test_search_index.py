"""The full-text index the build writes: into the build's own folder, kept as it is by a rebuild that
changes nothing, written anew when the data changes."""

from __future__ import annotations

import shutil

from lodpub.build import build
from lodpub.fulltext import Searcher

from .conftest import ROOT, project_settings


def test_a_rebuild_keeps_the_index_until_the_data_changes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    settings = project_settings(tmp_path / "dist", data_dir=data, cache_dir=tmp_path / "cache")
    build(settings)
    first = settings.search_index.stat()
    hits, _, _ = Searcher(settings.search_index).things("soleimani", None, 5, 0)
    assert hits[0].label == "Qassem Soleimani"

    build(settings)
    again = settings.search_index.stat()
    assert (again.st_ino, again.st_size) == (first.st_ino, first.st_size), "nothing changed: the same index"

    turtle = next(data.glob("*.ttl"))
    turtle.write_text(turtle.read_text(encoding="utf-8").replace(
        'rdfs:label "Mike Pompeo"@en ;', 'rdfs:label "Mike Pompeo"@en ; skos:altLabel "Michael Richard Pompeo"@en ;',
        1), encoding="utf-8")
    build(settings)
    assert settings.search_index.stat().st_ino != first.st_ino
    hits, _, _ = Searcher(settings.search_index).things("Michael Richard", None, 5, 0)
    assert [h.iri.rsplit("/", 1)[1] for h in hits] == ["mike-pompeo"]
    assert not list((tmp_path / "dist" / "builds").glob(".*")), "nothing left of a staging folder"
