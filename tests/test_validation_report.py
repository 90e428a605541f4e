"""What a data author reads when the data is wrong: the problem, where, and which rule says so."""

from __future__ import annotations

import pyoxigraph as ox

from lodpub.validate import Validator

SHAPES = b"""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:LetterShape a sh:NodeShape ; sh:targetClass ex:Letter ;
  sh:property [ sh:path ( ex:sentBy [ sh:alternativePath ( ex:name ex:label ) ] ) ; sh:minCount 1 ;
                sh:message "a letter's sender has a name or a label" ] ;
  sh:property [ sh:path [ sh:inversePath ex:answers ] ; sh:maxCount 1 ; sh:message "at most one reply" ] .
"""
DATA = b"""
@prefix ex: <http://example.org/> .
ex:letter a ex:Letter ; ex:sentBy ex:anon .
ex:reply1 ex:answers ex:letter . ex:reply2 ex:answers ex:letter .
"""


def problems():
    shapes = list(ox.parse(SHAPES, format=ox.RdfFormat.TURTLE))
    data = list(ox.parse(DATA, format=ox.RdfFormat.TURTLE))
    return Validator(shapes).check(data, {"<http://example.org/letter>": "letters.ttl"})


def test_a_violation_names_the_file_focus_node_message_and_shape():
    found = {p.message: p for p in problems()}
    sender = found["a letter's sender has a name or a label"]
    assert sender.file == "letters.ttl"
    assert sender.focus == "http://example.org/letter"
    assert sender.shape == ("http://example.org/LetterShape (property http://example.org/sentBy/"
                            "(http://example.org/name|http://example.org/label))")


def test_complex_paths_read_as_sparql_property_paths():
    paths = sorted(p.path for p in problems())
    assert paths == ["^http://example.org/answers",
                     "http://example.org/sentBy/(http://example.org/name|http://example.org/label)"]
    rendered = next(p for p in problems() if p.path.startswith("^")).render()
    assert rendered.startswith("letters.ttl: Violation: at most one reply\n    focus node: http://example.org/letter")
