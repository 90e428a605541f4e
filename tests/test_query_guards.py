"""The query guards read a query's text as SPARQL's grammar does: what sits in strings, IRIs and comments is not
counted, ordinary queries pass, and a refusal names the limit and the line:column where the query passed it."""

from __future__ import annotations

import pytest

from lodpub.config import Settings
from lodpub.sparql import examples, guards
from lodpub.vocab import Names

from .conftest import BASE

LIMITS = guards.Limits.of(Settings())
SMALL = guards.Limits(depth=10, chain=5, patterns=8, terms=40)


def refused(query: str, limits: guards.Limits = LIMITS) -> guards.TooComplex | None:
    try:
        guards.check(query, limits)
    except guards.TooComplex as error:
        return error
    return None


@pytest.mark.parametrize("example", examples.examples(Names(BASE)))
def test_every_example_query_passes(example):
    assert refused(example.query) is None


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p '" + "{(" * 5000 + "' }",                       # in a string
    'SELECT * WHERE { ?s ?p """' + "{\n(" * 5000 + '""" }',                  # in a long string, over lines
    "SELECT * WHERE { ?s ?p ?o } # " + "{(" * 5000,                          # in a comment
    "SELECT * WHERE { ?s ?p <http://example.org/" + "((" * 5000 + "> }",    # in an IRI
    "SELECT * WHERE { ?s ?p 'it\\'s " + "{" * 5000 + "' }",                  # after an escaped quote
])
def test_what_strings_iris_and_comments_hold_is_not_counted(query):
    assert refused(query) is None


def test_a_refusal_names_the_limit_its_value_and_the_position():
    error = refused("SELECT * WHERE {\n  ?s ?p ?o FILTER(" + "(" * 300 + "true" + ")" * 300 + ")\n}")
    assert error is not None and error.limit == "depth"
    assert "over the limit of 200 (depth) at 2:" in error.message


@pytest.mark.parametrize("query, limit", [
    ("SELECT * WHERE " + "{" * 11 + "}" * 11, "depth"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 11 + "true) }", "depth"),
    ("SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 7) + " }", "chain"),
    ("SELECT * WHERE { " + " ".join(f"?s ?p ?o{i} ." for i in range(9)) + " }", "patterns"),
    ("SELECT * WHERE { ?s ?p " + ", ".join(f"?o{i}" for i in range(9)) + " }", "patterns"),
    ("SELECT * WHERE { ?s ?p (" + " 1" * 5 + " ) }", "patterns"),
    ("SELECT * WHERE { VALUES ?x { " + " ".join(map(str, range(41))) + " } }", "terms"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o<?a" + "&&?o" * 6 + ">?b) }", "chain"),
    ("SELECT * WHERE " + "\\u007B" * 11 + "}" * 11, "depth"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o<'x>' ) }", "ambiguity"),
])
def test_each_measure_is_counted(query, limit):
    error = refused(query, SMALL)
    assert error is not None and error.limit == limit, error


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ", ".join(map(str, range(30))) + ")) }",
    "SELECT * WHERE { VALUES (?a ?b) { " + " ".join(f"({i} -{i})" for i in range(15)) + " } }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > -1) }",
    "SELECT * WHERE { ?s <http://x/a>/<http://x/b>* ?o }",
    "SELECT * WHERE { ?s ?p \"x\"^^<http://www.w3.org/2001/XMLSchema#string> }",
])
def test_ordinary_shapes_stay_within_small_limits(query):
    assert refused(query, SMALL) is None


def test_two_hundred_triple_patterns_pass_the_defaults():
    query = "SELECT * WHERE { " + " ".join(f"?s <http://x/p{i}> ?o{i} ." for i in range(200)) + " }"
    assert refused(query) is None
