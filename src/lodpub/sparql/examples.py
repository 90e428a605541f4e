"""Example queries for the query page: questions a reader of the article could ask, in SPARQL.

They use the standard vocabularies the data carries (schema.org, PROV-O, OWL-Time, Web Annotation) and our
ontology (lpo:), and declare every prefix, so that they run as they are in any SPARQL client.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vocab import Names


@dataclass(frozen=True)
class Example:
    slug: str
    question: str
    query: str


def _prologue(names: Names, *prefixes: str) -> str:
    known = names.prefixes()
    return "".join(f"PREFIX {p}: <{known[p]}>\n" for p in prefixes)


def examples(names: Names) -> list[Example]:
    p = _prologue
    return [
        Example("letter-to-soleimani", "Who sent the letter to Soleimani, and when?",
                p(names, "lpo", "schema", "time", "rdfs") + """
# The text gives no date for the sending: what it does say is that Pompeo spoke of the letter on December 2
# (lpo:after), so ?when is "before" that, and ?whenBasis says which way it was found.
SELECT ?sender ?senderName ?addressee ?addresseeName ?when ?whenBasis ?sending WHERE {
  ?sending a lpo:LetterSending ;
           lpo:sender ?sender ;
           lpo:addressee ?addressee .
  ?addressee schema:name ?addresseeName .
  FILTER(CONTAINS(STR(?addresseeName), "Soleimani"))
  OPTIONAL { ?sender schema:name ?senderName }
  OPTIONAL { ?sending time:hasTime/lpo:phrase ?stated }
  OPTIONAL { ?later lpo:after ?sending ;
                    rdfs:label ?laterLabel ;
                    time:hasTime/lpo:phrase ?laterPhrase }
  BIND(COALESCE(?stated, CONCAT("before ", STR(?laterPhrase))) AS ?when)
  BIND(IF(BOUND(?stated), "the date the text gives",
          CONCAT("the text gives no date; it came before: ", STR(?laterLabel))) AS ?whenBasis)
}"""),
        Example("quotes", "Every quote, word for word, with its speaker", p(names, "schema", "prov") + """
SELECT ?speakerName ?text ?quote ?speaker WHERE {
  ?quote a schema:Quotation ;
         schema:text ?text .
  OPTIONAL {
    ?quote prov:wasAttributedTo ?speaker .
    OPTIONAL { ?speaker schema:name ?speakerName }
  }
}
ORDER BY ?speakerName ?text"""),
        Example("communications-by-date", "Every communication, by date (a year the text omits is inferred, "
                "and marked so; timeline)", p(names, "lpo", "rdfs", "time") + """
SELECT ?date ?inferred ?when ?communication ?label WHERE {
  ?communication a lpo:Communication .
  OPTIONAL { ?communication rdfs:label ?label }
  OPTIONAL {
    ?communication time:hasTime ?time .
    OPTIONAL { ?time lpo:phrase ?when }
    OPTIONAL { ?time time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?stated }
    OPTIONAL { ?time lpo:inference/lpo:inferredValue ?inferredValue }
  }
  BIND(COALESCE(?stated, ?inferredValue) AS ?date)
  BIND(!BOUND(?stated) && BOUND(?inferredValue) AS ?inferred)
}
ORDER BY (!BOUND(?date)) STR(?date) ?when"""),
        Example("who-to-whom", "Who communicated with whom, through whom, by what medium and when? (network)",
                p(names, "lpo", "schema", "rdfs", "time") + """
SELECT ?sender ?senderName ?addressee ?addresseeName ?medium ?mediumLabel ?when ?intermediary
       ?intermediaryName ?communication
WHERE {
  ?communication a lpo:Communication ;
                 lpo:sender ?sender ;
                 lpo:addressee ?addressee .
  OPTIONAL { ?sender schema:name ?senderName }
  OPTIONAL { ?addressee schema:name ?name }
  OPTIONAL { ?addressee rdfs:label ?label }           # a group the text names by what it is
  BIND(COALESCE(?name, ?label) AS ?addresseeName)
  OPTIONAL { ?communication lpo:medium ?medium . OPTIONAL { ?medium rdfs:label ?mediumLabel } }
  OPTIONAL { ?communication time:hasTime/lpo:phrase ?when }
  OPTIONAL { ?communication lpo:intermediary ?intermediary .
             OPTIONAL { ?intermediary schema:name ?named }
             OPTIONAL { ?intermediary lpo:phrase ?phrase }     # an agent the text does not name
             BIND(COALESCE(?named, ?phrase) AS ?intermediaryName) }
}
ORDER BY ?senderName ?addresseeName"""),
        Example("people", "The people the article names", p(names, "schema") + """
SELECT ?person ?name WHERE {
  ?person a schema:Person ;
          schema:name ?name .
}
ORDER BY ?name"""),
        Example("evidence", "The words of the article behind each fact", p(names, "lpo", "oa", "rdfs") + """
SELECT ?thing ?label ?exact ?start ?end WHERE {
  ?thing lpo:supportedBy ?span .
  OPTIONAL { ?thing rdfs:label ?label }
  ?span oa:hasSelector ?selector .
  ?selector oa:exact ?exact .
  OPTIONAL { ?span oa:hasSelector/oa:start ?start ; oa:hasSelector/oa:end ?end }
}
LIMIT 100"""),
        Example("refused", "Did anyone refuse a letter? (ASK)", p(names, "lpo") + """
ASK { ?refusal a lpo:Refusal }"""),
        Example("letters-graph", "The letters and who sent them, as a graph (CONSTRUCT)", p(names, "lpo", "rdfs") + """
CONSTRUCT {
  ?sending lpo:sender ?sender ; lpo:addressee ?addressee ; lpo:conveys ?letter .
  ?letter rdfs:label ?label .
} WHERE {
  ?sending a lpo:LetterSending ; lpo:sender ?sender .
  OPTIONAL { ?sending lpo:addressee ?addressee }
  OPTIONAL { ?sending lpo:conveys ?letter . OPTIONAL { ?letter rdfs:label ?label } }
}"""),
        Example("graphs", "The named graphs and their sizes", """SELECT ?graph (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
}
GROUP BY ?graph
ORDER BY DESC(?triples)"""),
    ]
