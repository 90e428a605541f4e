"""Query results as bytes: the four SPARQL 1.1 result formats over `Solutions`, and graphs via Oxigraph.

Written here rather than left to the engine so that the endpoint serves the same answers over any backend and
can stop at the result cap. Over the embedded store, SPARQL JSON and N-Triples answers of up to a megabyte are
written by Oxigraph itself (`NATIVE_RESULTS`, `NATIVE_GRAPHS`): no Python object per term.
Each writer follows its W3C recommendation:

- SPARQL 1.1 Query Results JSON Format  https://www.w3.org/TR/sparql11-results-json/
- SPARQL Query Results XML Format       https://www.w3.org/TR/rdf-sparql-XMLres/
- SPARQL 1.1 Query Results CSV and TSV  https://www.w3.org/TR/sparql11-results-csv-tsv/

CSV and TSV define no ASK result; like Jena, they write a `_askResult` column. A note (the result cap was
reached) goes where a format has a place for it: a link in SPARQL JSON's `head.link` and XML's `<link>`, a
comment in XML, Turtle, N-Triples and RDF/XML; CSV, TSV and JSON-LD have none (the headers say it).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..formats import RdfFormat

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

Row = Sequence["ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None"]
# Characters XML 1.0 cannot carry at all, not even as references.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Unrepresentable(ValueError):
    """The result holds what the chosen format cannot carry (a control character in XML 1.0)."""


# --- SPARQL JSON -------------------------------------------------------------------------------------------

def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    encoded = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
        if term.direction is not None:
            encoded["its:dir"] = "rtl" if term.direction == ox.BaseDirection.RTL else "ltr"
    elif term.datatype.value != XSD_STRING:
        encoded["datatype"] = term.datatype.value
    return encoded


def json_solutions(variables: list[str], rows: list[Row], note: str | None = None,
                   link: str | None = None) -> bytes:
    bindings = [{name: _json_term(term) for name, term in zip(variables, row, strict=True) if term is not None}
                for row in rows]
    head: dict = {"vars": variables}
    if note and link:
        head["link"] = [link]     # the format's place for metadata about the results: here, why they stop
    document = {"head": head, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_boolean(value: bool, note: str | None = None, link: str | None = None) -> bytes:
    return json.dumps({"head": {}, "boolean": value}).encode("utf-8")


# --- SPARQL XML --------------------------------------------------------------------------------------------

def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _checked_xml(text: str) -> str:
    found = NOT_XML.search(text)
    if found:
        raise Unrepresentable(f"the result holds the character U+{ord(found.group()):04X}, which XML 1.0 cannot "
                              "carry: ask for JSON, CSV or TSV (or N-Triples, Turtle, JSON-LD for a graph)")
    return text


def _xml_comment(note: str | None) -> str:
    return f"<!-- {note.replace('--', '- -')} -->\n" if note else ""


def xml_solutions(variables: list[str], rows: list[Row], note: str | None = None,
                  link: str | None = None) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', _xml_comment(note), f'<sparql xmlns="{RESULTS_NS}">\n<head>']
    out.extend(f"<variable name={quoteattr(name)}/>" for name in variables)
    if note and link:
        out.append(f"<link href={quoteattr(link)}/>")
    out.append("</head>\n<results>\n")
    for row in rows:
        out.append("<result>")
        out.extend(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
                   for name, term in zip(variables, row, strict=True) if term is not None)
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return _checked_xml("".join(out)).encode("utf-8")


def xml_boolean(value: bool, note: str | None = None, link: str | None = None) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{_xml_comment(note)}<sparql xmlns="{RESULTS_NS}">\n'
            f"<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n").encode()


# --- CSV and TSV -------------------------------------------------------------------------------------------

def _csv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return f"<< {term} >>"
    return term.value


def csv_solutions(variables: list[str], rows: list[Row], note: str | None = None, link: str | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([_csv_term(term) for term in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def csv_boolean(value: bool, note: str | None = None, link: str | None = None) -> bytes:
    return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()


def _tsv_term(term) -> str:
    # Oxigraph writes terms in N-Triples syntax, which escapes tabs and line breaks as TSV requires.
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<< {term} >>"
    return str(term)


def tsv_solutions(variables: list[str], rows: list[Row], note: str | None = None, link: str | None = None) -> bytes:
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines.extend("\t".join(_tsv_term(term) for term in row) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def tsv_boolean(value: bool, note: str | None = None, link: str | None = None) -> bytes:
    return f"?_askResult\n{'true' if value else 'false'}\n".encode()


@dataclass(frozen=True)
class ResultWriter:
    """Writes solutions or a boolean, with the note and link of a cut result where the format has a place:
    JSON's head.link and XML's <link> (plus a comment); CSV and TSV have none, so the headers say it."""

    solutions: Callable[[list[str], list[Row], str | None, str | None], bytes]
    boolean: Callable[[bool, str | None, str | None], bytes]


# One writer per result format, keyed like formats.RESULT_FORMATS.
RESULT_WRITERS: dict[str, ResultWriter] = {
    "json": ResultWriter(json_solutions, json_boolean),
    "xml": ResultWriter(xml_solutions, xml_boolean),
    "csv": ResultWriter(csv_solutions, csv_boolean),
    "tsv": ResultWriter(tsv_solutions, tsv_boolean),
}


# --- Answers Oxigraph writes itself -----------------------------------------------------------------------

@dataclass(frozen=True)
class Native:
    """A format the embedded store writes faster than the writers here, how to count the rows or triples of what
    it wrote, and a cheap upper bound of that count (for the result cap: most answers are far below it)."""

    format: ox.QueryResultsFormat | ox.RdfFormat
    count: Callable[[bytes], int]
    at_most: Callable[[bytes], int]

    def within(self, data: bytes, cap: int) -> bool:
        return self.at_most(data) <= cap or self.count(data) <= cap


def _json_rows(data: bytes) -> int:
    return len(json.loads(data).get("results", {}).get("bindings", ()))


def _lines(data: bytes) -> int:
    return data.count(b"\n")


# Keyed like formats.RESULT_FORMATS and GRAPH_FORMATS: the formats most clients ask for, with a count that
# cannot be fooled by the data (JSON is parsed; N-Triples escapes line breaks inside literals). Each JSON row
# opens a brace at least: counting braces (a twelfth of parsing's time on 4 KB and on 225 KB) bounds the rows.
NATIVE_RESULTS = {"json": Native(ox.QueryResultsFormat.JSON, _json_rows, lambda data: data.count(b"{"))}
NATIVE_GRAPHS = {"ntriples": Native(ox.RdfFormat.N_TRIPLES, _lines, _lines)}


# --- Graphs (CONSTRUCT, DESCRIBE) --------------------------------------------------------------------------

def _hash_comment(data: bytes, note: str) -> bytes:
    return f"# {note}\n".encode() + data


def _xml_declaration_comment(data: bytes, note: str) -> bytes:
    declaration, newline, rest = data.partition(b"\n")
    if not declaration.startswith(b"<?xml"):
        return _xml_comment(note).encode() + data
    return declaration + newline + _xml_comment(note).encode() + rest


# What a graph format cannot carry.
GRAPH_CHECKS: dict[str, Callable[[bytes], object]] = {"rdfxml": lambda data: _checked_xml(data.decode("utf-8"))}

# Where a graph format can say that the result was cut (JSON-LD cannot).
GRAPH_NOTES: dict[str, Callable[[bytes, str], bytes]] = {
    "turtle": _hash_comment,
    "ntriples": _hash_comment,
    "rdfxml": _xml_declaration_comment,
}


def graph(triples: list[ox.Triple], fmt: RdfFormat, prefixes: dict[str, str], note: str | None = None) -> bytes:
    data = ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes)
    if fmt.key in GRAPH_CHECKS:
        GRAPH_CHECKS[fmt.key](data)
    if note and fmt.key in GRAPH_NOTES:
        data = GRAPH_NOTES[fmt.key](data, note)
    return data
