"""Dumps kept as parts (`dump_parts_from`): the parts of each are its bytes, the server sends them as the one
file they make (length, validators, byte ranges, gzip), the description gives each size and no checksum, and a
rebuild that changes one document links again the parts of what did not change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import rdflib
import requests
from bench import generate

from lodpub.build import build
from lodpub.dist import PARTS, open_dump

from .conftest import LiveServer, project_settings

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")


@pytest.fixture(scope="module")
def parted(tmp_path_factory):
    """The project's data built with every dump kept as parts."""
    settings = project_settings(tmp_path_factory.mktemp("parted") / "dist", dump_parts_from=0)
    build(settings)
    return settings


@pytest.fixture(scope="module")
def parted_site(parted):
    live = LiveServer(parted)
    yield live
    live.stop()


def whole_dumps(built) -> list:
    return sorted(built.dumps_dir.iterdir())


def test_every_dump_is_kept_as_parts_that_make_the_whole_file(built, parted):
    for whole in whole_dumps(built):
        assert not (parted.dumps_dir / whole.name).exists()
        parts = parted.dumps_dir / (whole.name + PARTS)
        assert len(list(parts.iterdir())) > 1, f"{whole.name} has more than one part"
        with open_dump(parted.dumps_dir / whole.name) as joined:
            assert joined.read() == whole.read_bytes(), f"{whole.name}: the parts in order are the dump"


def test_the_description_gives_each_parted_dumps_size_and_no_checksum(parted):
    void = rdflib.Graph().parse(parted.dist_dir / "void.ttl", format="turtle")
    distributions = list(void.subjects(rdflib.RDF.type, DCAT.Distribution))
    assert distributions
    for distribution in distributions:
        name = str(void.value(distribution, DCAT.downloadURL)).rsplit("/", 1)[1]
        with open_dump(parted.dumps_dir / name) as joined:
            assert int(void.value(distribution, DCAT.byteSize)) == len(joined.read())
        assert void.value(distribution, SPDX.checksum) is None, "a checksum would read the whole dump"


@pytest.mark.parametrize("name", ["lodpub.nq", "lodpub.ttl", "lodpub.jsonld", "lodpub.rdf", "lodpub-rdf12.trig"])
def test_a_parted_dump_is_sent_as_the_whole_file(built, parted_site, name):
    response = requests.get(parted_site.url + "dumps/" + name, headers={"Accept-Encoding": "identity"}, timeout=30)
    assert response.status_code == 200
    assert response.content == (built.dumps_dir / name).read_bytes()
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    gzipped = requests.get(parted_site.url + "dumps/" + name, timeout=30)
    assert gzipped.headers["Content-Encoding"] == "gzip" and gzipped.content == response.content
    download = requests.get(parted_site.url + "dumps/" + name + ".gz", headers={"Accept-Encoding": "identity"},
                            timeout=30)
    assert download.content == (built.dumps_dir / (name + ".gz")).read_bytes()
    assert "attachment" in download.headers["Content-Disposition"]


def test_byte_ranges_of_a_parted_dump_cross_its_parts(built, parted, parted_site):
    whole = (built.dumps_dir / "lodpub.nq").read_bytes()
    first = sorted((parted.dumps_dir / ("lodpub.nq" + PARTS)).iterdir())[0].stat().st_size
    url = parted_site.url + "dumps/lodpub.nq"
    for start, end in ((first - 10, first + 9), (0, 0), (first, first), (len(whole) - 5, len(whole) - 1)):
        response = requests.get(url, headers={"Range": f"bytes={start}-{end}", "Accept-Encoding": "identity"},
                                timeout=30)
        assert response.status_code == 206
        assert response.content == whole[start:end + 1]
        assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(whole)}"
    tail = requests.get(url, headers={"Range": "bytes=-100", "Accept-Encoding": "identity"}, timeout=30)
    assert tail.status_code == 206 and tail.content == whole[-100:]
    beyond = requests.get(url, headers={"Range": f"bytes={len(whole)}-", "Accept-Encoding": "identity"}, timeout=30)
    assert beyond.status_code == 416


def test_a_parted_dump_answers_conditional_requests(parted_site):
    url = parted_site.url + "dumps/lodpub.ttl"
    first = requests.get(url, timeout=30)
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
    assert again.status_code == 304 and not again.content
    head = requests.head(url, headers={"Accept-Encoding": "identity"}, timeout=30)
    assert head.status_code == 200 and not head.content
    assert int(head.headers["Content-Length"]) == len(first.content)


def test_a_rebuild_links_again_the_parts_of_what_did_not_change(tmp_path):
    data = tmp_path / "data"
    generate.generate(3000, data, seed=7)
    settings = project_settings(tmp_path / "dist", data_dir=data, cache_dir=tmp_path / "cache", dump_parts_from=0)
    build(settings)
    before = {p.stat().st_ino for p in (settings.dumps_dir / ("lodpub.nq" + PARTS)).iterdir()}
    ttl = sorted(data.glob("*.ttl"))[0]
    for path in (ttl, ttl.with_suffix(".txt")):  # the same length, so every span keeps its offsets
        path.write_text(path.read_text(encoding="utf-8").replace("Report 0:", "Record 0:"), encoding="utf-8")
    build(settings)
    after = [p.stat().st_ino for p in sorted((settings.dumps_dir / ("lodpub.nq" + PARTS)).iterdir())]
    assert len(after) == len(before) >= 3
    assert len(set(after) - before) == 1, "the changed document's part is new, the others are the same files"
    fresh = project_settings(tmp_path / "fresh", data_dir=data, cache_dir=tmp_path / "fresh-cache")
    build(fresh)
    for whole in sorted(fresh.dumps_dir.iterdir()):
        with open_dump(settings.dumps_dir / whole.name) as joined:
            assert joined.read() == whole.read_bytes(), f"{whole.name} as a fresh build writes it whole"
    assert os.path.samefile(settings.dumps_dir, settings.dist_dir / "current" / "dumps")


def test_parts_are_copied_with_a_warning_where_the_cache_is_on_another_file_system(built, tmp_path, caplog):
    import shutil
    import tempfile

    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system (/dev/shm) to put the cache on")
    cache = Path(tempfile.mkdtemp(prefix="lodpub-cache-", dir=shm))
    try:
        settings = project_settings(tmp_path / "dist", cache_dir=cache, dump_parts_from=0)
        with caplog.at_level("WARNING", logger="lodpub"):
            build(settings)
        assert any("copied, not linked" in r.getMessage() for r in caplog.records)
        for whole in whole_dumps(built):
            with open_dump(settings.dumps_dir / whole.name) as joined:
                assert joined.read() == whole.read_bytes()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
