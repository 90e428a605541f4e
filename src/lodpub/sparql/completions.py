"""What the query editor completes, from our own data: the prefixes we declare, and the classes and properties
the data set uses (its VoID partitions) or the ontology defines. Never a remote service."""

from __future__ import annotations

from ..vocab import Names

__all__ = ["completions"]

TERMS = """
SELECT DISTINCT ?term ?kind WHERE {
  { ?partition void:class ?term . BIND("class" AS ?kind) }
  UNION { ?partition void:property ?term . BIND("property" AS ?kind) }
  UNION { ?term rdfs:isDefinedBy ?ontology ; a owl:Class . BIND("class" AS ?kind) }
  UNION { ?term rdfs:isDefinedBy ?ontology ; a ?type .
          FILTER(?type IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty, rdf:Property))
          BIND("property" AS ?kind) }
  FILTER(isIRI(?term))
}
"""


def completions(store, names: Names) -> dict:
    """{"prefixes": {prefix: namespace}, "classes": [IRI, ...], "properties": [IRI, ...]}, sorted."""
    query = TERMS.replace("?ontology", f"<{names.ontology}>")
    found: dict[str, set[str]] = {"class": set(), "property": set()}
    result = store.query(query, base_iri=names.base, prefixes=names.prefixes())
    for term, kind in result.rows:
        found[kind.value].add(term.value)
    return {"prefixes": names.prefixes(), "classes": sorted(found["class"]),
            "properties": sorted(found["property"])}
