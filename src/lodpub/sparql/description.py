"""The SPARQL 1.1 Service Description of the endpoint (https://www.w3.org/TR/sparql11-service-description/).

It says what a client needs before it asks: the endpoint, the language (SPARQL 1.1 Query; no Update), the result
formats, that the default graph is the union of the named graphs (`sd:UnionDefaultGraph`), the named graphs,
and this endpoint's limits: the time limit and the result cap, as properties defined in the description itself
(`{endpoint}#queryTimeout`, `{endpoint}#resultCap`, `{endpoint}#maxRequestBytes`) and in words.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..config import Settings
from ..formats import GRAPH_FORMATS, RESULT_FORMATS
from ..vocab import DCTERMS, RDF, RDFS, SD, VOID, XSD, Names

FORMATS = "http://www.w3.org/ns/formats/"
# The W3C's IRIs for the formats the endpoint writes (https://www.w3.org/ns/formats/), by our format key.
W3C_FORMAT_IRIS = {
    "json": FORMATS + "SPARQL_Results_JSON", "xml": FORMATS + "SPARQL_Results_XML",
    "csv": FORMATS + "SPARQL_Results_CSV", "tsv": FORMATS + "SPARQL_Results_TSV",
    "turtle": FORMATS + "Turtle", "ntriples": FORMATS + "N-Triples", "jsonld": FORMATS + "JSON-LD",
    "rdfxml": FORMATS + "RDF_XML",
}
SIMPLE_ENTAILMENT = "http://www.w3.org/ns/entailment/Simple"
PREFIXES = {"sd": SD, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "void": VOID, "dcterms": DCTERMS}


def describe(names: Names, settings: Settings, graphs: list[str]) -> list[ox.Triple]:
    service = ox.NamedNode(names.sparql)
    dataset = ox.NamedNode(names.sparql + "#dataset")
    default_graph = ox.NamedNode(names.sparql + "#default-graph")
    timeout = ox.NamedNode(names.sparql + "#queryTimeout")
    cap = ox.NamedNode(names.sparql + "#resultCap")
    max_bytes = ox.NamedNode(names.sparql + "#maxRequestBytes")

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def text(value: str) -> ox.Literal:
        return ox.Literal(value, language="en")

    def typed(value, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=iri(XSD + datatype))

    a, label, comment = iri(RDF + "type"), iri(RDFS + "label"), iri(RDFS + "comment")
    triples = [
        (service, a, iri(SD + "Service")),
        (service, label, text("SPARQL endpoint of " + settings.title)),
        (service, iri(SD + "endpoint"), service),
        (service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        (service, iri(SD + "feature"), iri(SD + "UnionDefaultGraph")),
        (service, iri(SD + "defaultEntailmentRegime"), iri(SIMPLE_ENTAILMENT)),
        (service, iri(SD + "defaultDataset"), dataset),
        (service, comment, text(
            "A read-only SPARQL 1.1 Query endpoint (no Update). Query by GET, by POST of a form, or by POST of "
            "application/sparql-query. The default graph is the union of all named graphs; FROM, FROM NAMED, "
            "default-graph-uri and named-graph-uri may name any of them. SERVICE, LOAD, and FROM naming a graph "
            "that is not one of ours are refused: the endpoint makes no outbound request. "
            f"Every query may run for {settings.query_timeout:g} s (then it is stopped and answered with 503) and "
            f"returns at most {settings.result_cap} rows or triples; a cut result says so in the "
            "X-Lodpub-Truncated and Warning headers, and in a comment where the format has comments.")),
        (service, timeout, typed(f"{settings.query_timeout:g}", "decimal")),
        (service, cap, typed(settings.result_cap, "integer")),
        (service, max_bytes, typed(settings.max_request_bytes, "integer")),
        (timeout, a, iri(RDF + "Property")),
        (timeout, label, text("query time limit (seconds)")),
        (timeout, comment, text("The seconds a query may run before it is stopped and answered with 503.")),
        (timeout, iri(RDFS + "isDefinedBy"), service),
        (cap, a, iri(RDF + "Property")),
        (cap, label, text("result cap")),
        (cap, comment, text("The most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) a query returns; a "
                            "result cut at the cap carries the header X-Lodpub-Truncated: true.")),
        (cap, iri(RDFS + "isDefinedBy"), service),
        (max_bytes, a, iri(RDF + "Property")),
        (max_bytes, label, text("largest request (bytes)")),
        (max_bytes, comment, text("The largest request body accepted; a larger one is answered with 413.")),
        (max_bytes, iri(RDFS + "isDefinedBy"), service),
        (dataset, a, iri(SD + "Dataset")),
        (dataset, iri(RDFS + "seeAlso"), iri(names.dataset)),
        (dataset, iri(SD + "defaultGraph"), default_graph),
        (default_graph, a, iri(SD + "Graph")),
        (default_graph, comment, text("The union of all the named graphs of the dataset.")),
    ]
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        triples.append((service, iri(SD + "resultFormat"), iri(W3C_FORMAT_IRIS[fmt.key])))
    for name in graphs:
        named_graph = ox.BlankNode()
        triples += [(dataset, iri(SD + "namedGraph"), named_graph), (named_graph, a, iri(SD + "NamedGraph")),
                    (named_graph, iri(SD + "name"), iri(name))]
    triples.append((dataset, iri(DCTERMS + "description"),
                    text("Every named graph of the dataset; the default graph is their union.")))
    triples.append((dataset, iri(VOID + "sparqlEndpoint"), service))
    return [ox.Triple(*t) for t in triples]
