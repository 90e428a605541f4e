"""Writing a document's evidence by quoting it: the build anchors each quote in the text (W3C Web Annotation's
TextQuoteSelector: exact, prefix, suffix) and fails, naming every candidate place, when a quote is ambiguous or
absent. `lodpub new` and `lodpub draft` start a document."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from lodpub.anchoring import find
from lodpub.authoring import to_quoting_form
from lodpub.report import InputError
from lodpub.sources import Source, read_source
from lodpub.vocab import Names

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://localhost:8080/"
NAMES = Names(BASE)
TEXT = "Ada Quill wrote to the council. The council said no. Ada Quill wrote again, and the council said “no.”\n"
HEAD = """@prefix lpo: <ontology#> . @prefix doc: <id/document/> . @prefix person: <id/person/> .
@prefix oa: <http://www.w3.org/ns/oa#> . @prefix schema: <http://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
doc:memo a lpo:SourceDocument ; lpo:suppliedTitle "A memo"@en ; schema:inLanguage "en" .
"""


def write(folder: Path, body: str, text: str = TEXT) -> Source:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "memo.txt").write_text(text, encoding="utf-8")
    (folder / "memo.ttl").write_text(HEAD + body, encoding="utf-8")
    return Source("memo", NAMES.graph("memo"), (folder / "memo.ttl",), folder / "memo.txt")


def spans_of(triples: list[ox.Triple], subject: str) -> list[str]:
    return sorted(t.object.value.rsplit("/", 1)[-1] for t in triples
                  if t.subject == ox.NamedNode(BASE + subject) and t.predicate.value.endswith("#supportedBy"))


def test_the_selector_semantics_exact_prefix_suffix():
    assert [(m.start, m.end) for m in find(TEXT, "Ada Quill")] == [(0, 9), (53, 62)]
    assert [(m.start, m.end) for m in find(TEXT, "Ada Quill", prefix="no. ")] == [(53, 62)]
    assert [(m.start, m.end) for m in find(TEXT, "the council", suffix=" said “")] == [(80, 91)]
    assert find(TEXT, "Ada Quill", suffix=" sang") == []
    assert [(m.start, m.end) for m in find("aaa", "aa")] == [(0, 2), (1, 3)]


def test_a_span_given_by_its_words_is_anchored_with_its_offsets(tmp_path):
    source = write(tmp_path, """
person:ada a schema:Person ; schema:name "Ada Quill" ;
    lpo:supportedBy [ oa:exact "Ada Quill" ; lpo:occurrence 2 ] , [ oa:exact "wrote to the council" ] ,
        [ oa:exact "the council" ; oa:prefix "and " ] .
""")
    triples = read_source(source, NAMES)
    assert spans_of(triples, "id/person/ada") == ["memo-10-30", "memo-53-62", "memo-80-91"]
    span = ox.NamedNode(BASE + "id/span/memo-80-91")
    said = {(t.predicate.value.rsplit("#", 1)[-1], t.object.value) for t in triples
            for sel in [t.subject] if any(x.subject == span and x.object == sel for x in triples)}
    assert {("start", "80"), ("end", "91"), ("exact", "the council"), ("prefix", "and ")} <= said
    assert not any(t.predicate.value.endswith("#occurrence") for t in triples)


def test_a_quote_that_occurs_twice_fails_naming_both_places_and_its_line(tmp_path):
    source = write(tmp_path, 'person:ada a schema:Person ;\n    lpo:supportedBy [ oa:exact "Ada Quill" ] .\n')
    with pytest.raises(InputError) as caught:
        read_source(source, NAMES)
    (problem,) = caught.value.problems
    assert problem.file.endswith("memo.ttl") and problem.line == 6
    assert "ambiguous: it matches 2 places in memo.txt" in problem.message
    assert "characters 0–9 (line 1: …[Ada Quill] wrote to the counci…)" in problem.message
    assert "characters 53–62 (line 1: …he council said no. [Ada Quill] wrote again, and th…)" in problem.message
    assert "lpo:occurrence" in problem.message and "oa:prefix" in problem.message


def test_an_absent_quote_fails_and_says_what_nearly_matches(tmp_path):
    source = write(tmp_path, """
person:ada a schema:Person ; lpo:supportedBy [ oa:exact "the council said \\"no.\\"" ] ,
    [ oa:exact "Ada Quill" ; oa:prefix "Mayor " ] , [ oa:exact "Ada Quill" ; lpo:occurrence 3 ] .
""")
    with pytest.raises(InputError) as caught:
        read_source(source, NAMES)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 3
    assert any("is not in memo.txt; the text has other quotation marks" in m and "characters 80–102" in m
               for m in messages)
    assert any("with oa:prefix “Mayor ” is not in memo.txt; without the oa:prefix and oa:suffix it matches "
               "characters 0–9" in m for m in messages)
    assert any("lpo:occurrence 3 of the quote “Ada Quill”: it matches only 2 place(s)" in m for m in messages)


def lodpub(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LODPUB_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "lodpub.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_build_fails_on_an_ambiguous_quote_and_publishes_nothing(tmp_path):
    write(tmp_path / "data", 'person:ada a schema:Person ;\n    lpo:supportedBy [ oa:exact "the council" ] .\n')
    result = lodpub("build", "--data", "data", "--ontology", str(ROOT / "ontology"), "--shapes",
                    str(ROOT / "shapes"), "--dist", "dist", cwd=tmp_path)
    assert result.returncode == 1
    assert "memo.ttl:6: Error: the quote “the council” is ambiguous: it matches 2 places" in result.stderr
    for place in ("characters 19–30", "characters 80–91"):
        assert place in result.stderr
    dist = tmp_path / "dist"
    assert not (dist / "current").exists()
    assert not any((dist / "builds").iterdir()), "a failed build leaves no folder behind"


def test_the_quoting_form_gives_the_same_graph(tmp_path):
    """A document written with offsets, and the same document given by quoting, build to the same graph."""
    folder, slug = ROOT / "tests" / "fixtures" / "data", "fairhaven-bridge-memo"
    text = (folder / f"{slug}.txt").read_text(encoding="utf-8")
    quoted = to_quoting_form((folder / f"{slug}.ttl").read_text(encoding="utf-8"), text, slug)
    assert "oa:TextPositionSelector" not in quoted and "oa:exact" in quoted
    (tmp_path / f"{slug}.ttl").write_text(quoted, encoding="utf-8")
    (tmp_path / f"{slug}.txt").write_text(text, encoding="utf-8")

    def canonical(ttl: Path, txt: Path) -> set:
        triples = read_source(Source(slug, NAMES.graph(slug), (ttl,), txt), NAMES)
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return set(dataset)

    before = canonical(folder / f"{slug}.ttl", folder / f"{slug}.txt")
    assert len(before) > 400
    assert canonical(tmp_path / f"{slug}.ttl", tmp_path / f"{slug}.txt") == before


def test_new_scaffolds_a_document_that_validates_and_draft_lists_its_quotations(tmp_path):
    (tmp_path / "memo.txt").write_text(TEXT, encoding="utf-8")
    args = ("--ontology", str(ROOT / "ontology"), "--shapes", str(ROOT / "shapes"))
    assert lodpub("new", "town-memo", "--text", "memo.txt", cwd=tmp_path).returncode == 0
    assert (tmp_path / "data" / "town-memo.txt").read_text(encoding="utf-8") == TEXT
    result = lodpub("validate", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    again = lodpub("new", "town-memo", "--text", "memo.txt", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr
    drafted = lodpub("draft", "town-memo", cwd=tmp_path)
    assert drafted.returncode == 0
    # “no.” is a quotation; its words also occur earlier ("said no."), so the draft says which occurrence.
    assert 'schema:text "no."@en' in drafted.stdout and '[ oa:exact "no." ; lpo:occurrence 2 ]' in drafted.stdout
    assert lodpub("draft", "town-memo", "--append", cwd=tmp_path).returncode == 0
    failing = lodpub("validate", *args, cwd=tmp_path)
    assert failing.returncode == 1
    assert "A quote names its speaker (prov:wasAttributedTo)." in failing.stderr
