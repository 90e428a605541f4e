"""One table of the formats lodpub reads and writes: media type, file extension, engine names.

Everything that negotiates, serializes or names a file looks formats up here, never in an `if` of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    key: str                  # our short name, also accepted as ?format=
    label: str
    media_type: str
    extension: str            # without the dot
    oxigraph: ox.RdfFormat
    rdflib: str               # rdflib's parser/serializer plugin name
    aliases: tuple[str, ...] = ()  # other media types clients send for it
    datasets: bool = False    # carries named graphs


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "Turtle", "text/turtle", "ttl", ox.RdfFormat.TURTLE, "turtle",
              ("application/x-turtle",)),
    RdfFormat("ntriples", "N-Triples", "application/n-triples", "nt", ox.RdfFormat.N_TRIPLES, "nt11",
              ("text/plain",)),
    RdfFormat("jsonld", "JSON-LD", "application/ld+json", "jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
    RdfFormat("rdfxml", "RDF/XML", "application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, "xml",
              ("application/xml", "text/xml")),
    RdfFormat("nquads", "N-Quads", "application/n-quads", "nq", ox.RdfFormat.N_QUADS, "nquads",
              ("text/x-nquads",), datasets=True),
    RdfFormat("trig", "TriG", "application/trig", "trig", ox.RdfFormat.TRIG, "trig", ("application/x-trig",),
              datasets=True),
)

# The formats a single description (a graph, not a dataset) is offered in, in order of preference.
GRAPH_FORMATS: tuple[RdfFormat, ...] = tuple(f for f in RDF_FORMATS if not f.datasets)


@dataclass(frozen=True)
class ResultFormat:
    key: str
    label: str
    media_type: str
    extension: str
    oxigraph: ox.QueryResultsFormat
    aliases: tuple[str, ...] = ()


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "SPARQL JSON", "application/sparql-results+json", "srj",
                 ox.QueryResultsFormat.JSON, ("application/json",)),
    ResultFormat("xml", "SPARQL XML", "application/sparql-results+xml", "srx",
                 ox.QueryResultsFormat.XML, ("application/xml", "text/xml")),
    ResultFormat("csv", "CSV", "text/csv", "csv", ox.QueryResultsFormat.CSV),
    ResultFormat("tsv", "TSV", "text/tab-separated-values", "tsv", ox.QueryResultsFormat.TSV),
)

HTML_MEDIA_TYPE = "text/html"


def rdf_format(name: str) -> RdfFormat:
    """Look a format up by key, extension or any of its media types."""
    name = name.lower()
    for fmt in RDF_FORMATS:
        if name in (fmt.key, fmt.extension, fmt.media_type, *fmt.aliases):
            return fmt
    raise KeyError(name)
