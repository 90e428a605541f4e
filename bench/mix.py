"""What the benchmark asks: a SPARQL query mix and a dereference mix, with parameters from the corpus.

Each query is a template; each request of a run fills it with the next parameter of a fixed list (different
entities, the same sequence for every server) and ends with the sample's number in a comment, so that no server
is asked the same text twice and none answers from a cache of its own (lodpub keeps whole answers).
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES = """PREFIX lpo: <{base}ontology#>
PREFIX schema: <http://schema.org/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@dataclass(frozen=True)
class Query:
    key: str
    label: str
    template: str           # {x} is the parameter (an IRI), {word} a word, {i} the sample's number
    parameter: str          # which list of params.json fills {x}
    heavy: bool = False     # scans much of the data: fewer samples

    def texts(self, params: dict, base: str, count: int) -> list[str]:
        # Distinct values: every sample is a new question, so no server answers from a cache of its own.
        values = list(dict.fromkeys(params[self.parameter])) if self.parameter else [None]
        words = params["words"]
        out = []
        for i in range(count):
            x = values[i % len(values)]
            word = words[(i * 7) % len(words)]
            text = self.template.format(x=f"<{base}{x}>" if x else "", word=word, base=base, i=i)
            # The sample's number, so that no text comes twice when there are more samples than parameters.
            out.append(PREFIXES.format(base=base) + text + f"\n# sample {i}")
        return out


MIX: tuple[Query, ...] = (
    Query("point", "point lookup (one entity's triples)",
          "SELECT ?p ?o WHERE {{ {x} ?p ?o }}", "people"),
    Query("incoming", "incoming links (LIMIT 1000)",
          "SELECT ?s ?p WHERE {{ ?s ?p {x} }} LIMIT 1000", "people"),
    Query("by_date", "a sender's communications ordered by date",
          "SELECT ?c ?date WHERE {{ ?c lpo:sender {x} ; time:hasTime/time:inXSDDate ?date }} ORDER BY ?date",
          "people"),
    Query("join", "three-pattern join (sender, addressee, name)",
          "SELECT ?c ?to ?name WHERE {{ ?c lpo:sender {x} . ?c lpo:addressee ?to . ?to schema:name ?name }}",
          "people"),
    Query("regex", "text filter: REGEX over every quote",
          'SELECT ?q ?text WHERE {{ ?q a lpo:Quote ; schema:text ?text . FILTER(REGEX(?text, "^{word} ", "i")) }}',
          "", heavy=True),
    Query("group", "GROUP BY count: communications per sender, top 10·i",
          "SELECT ?sender (COUNT(?c) AS ?n) WHERE {{ ?c lpo:sender ?sender }} GROUP BY ?sender "
          "ORDER BY DESC(?n) ?sender LIMIT {i}0", "", heavy=True),
    Query("construct", "CONSTRUCT of one communication",
          "CONSTRUCT {{ {x} ?p ?o }} WHERE {{ {x} ?p ?o }}", "communications"),
    Query("optional", "OPTIONAL: a sender's communications, message and status if any",
          "SELECT ?c ?msg ?status WHERE {{ ?c lpo:sender {x} . OPTIONAL {{ ?c lpo:conveys ?msg }} "
          "OPTIONAL {{ ?c lpo:status ?status }} }}", "people"),
    Query("page", "LIMIT/OFFSET page of people by name (OFFSET 100·i)",
          "SELECT ?s ?name WHERE {{ ?s a schema:Person ; schema:name ?name }} ORDER BY ?name ?s "
          "LIMIT 50 OFFSET {i}00", "", heavy=True),
)


def entity_paths(params: dict, extension: str = "") -> list[str]:
    """Documents about people, organizations and communications: /doc/{kind}/{slug}[.ext]."""
    things = params["people"][:100] + params["organizations"][:25] + params["communications"][:75]
    return list(dict.fromkeys(f"/doc/{iri.removeprefix('id/')}{extension}" for iri in things))
