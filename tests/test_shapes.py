"""The SHACL shapes: each one rejects what it must, with a message a data author understands.

Every test validates a small, valid made-up world (a document, its spans, a person, a communication, a quote,
times) plus one deliberate mistake, the way the build validates data: the shapes as the build loads them
(IRIs relative to the base, `sh:namespace` resolved), the graph enriched from the ontology, the ontology beside
it. Each case names the exact problem it must produce: message, focus node, path, severity and shape.
The project's real data and the made-up fixture document must produce no problem at all.
"""

from __future__ import annotations

import importlib.util
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.collection

from lodpub.enrich import Entailments
from lodpub.report import Problem
from lodpub.sources import discover_documents, folder_source, read_source
from lodpub.validate import ENGINES, Validator, resolve_shape_namespaces
from lodpub.vocab import Names

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://localhost:8080/"
NAMES = Names(BASE)
SHAPES = BASE + "shapes#"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
OA = "http://www.w3.org/ns/oa#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
LPO = NAMES.lpo

PREFIXES = """
@prefix lpo:           <ontology#> .
@prefix doc:           <id/document/> .
@prefix person:        <id/person/> .
@prefix agent:         <id/agent/> .
@prefix group:         <id/group/> .
@prefix organization:  <id/organization/> .
@prefix account:       <id/account/> .
@prefix role:          <id/role/> .
@prefix membership:    <id/membership/> .
@prefix place:         <id/place/> .
@prefix event:         <id/event/> .
@prefix communication: <id/communication/> .
@prefix letter:        <id/letter/> .
@prefix message:       <id/message/> .
@prefix post:          <id/post/> .
@prefix quote:         <id/quote/> .
@prefix claim:         <id/claim/> .
@prefix when:          <id/time/> .
@prefix inference:     <id/inference/> .
@prefix span:          <id/span/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema:  <http://schema.org/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
"""

# The made-up world's one source document. Offsets below are found in it, so they are right by construction.
TEXT = ("Mayor Ada Quill said on May 4: “We will fix the bridge.” In March 2020, she wrote to the Harbor "
        "Council, which appeared to agree.")


def lit(text: str) -> str:
    """A Turtle string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


SPANS: dict[str, str] = {}


def sp(fragment: str) -> str:
    """The span of the world's text that selects `fragment` (its first occurrence), as a prefixed name."""
    start = TEXT.index(fragment)
    end = start + len(fragment)
    name = f"span:w-{start}-{end}"
    SPANS[name] = f"""
{name} a lpo:TextSpan , oa:SpecificResource ;
    oa:hasSource doc:w ;
    oa:hasSelector [ a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} ] ,
                   [ a oa:TextQuoteSelector ; oa:exact {lit(fragment)} ] .
"""
    return name


WORLD = f"""
doc:w a lpo:SourceDocument ;
    schema:inLanguage "en" ;
    dcterms:title "A made-up council memo"@en ;
    schema:text {lit(TEXT)}@en .

person:ada a schema:Person , foaf:Person , prov:Agent ;
    schema:name "Ada Quill" ;
    lpo:supportedBy {sp("Ada Quill")} .

organization:council a schema:Organization , prov:Agent ;
    schema:name "Harbor Council" ;
    lpo:supportedBy {sp("Harbor Council")} .

role:mayor a lpo:Office ;
    rdfs:label "mayor"@en .

membership:ada-mayor a org:Membership ;
    org:member person:ada ;
    org:role role:mayor ;
    lpo:attestedAt when:may-4 ;
    lpo:supportedBy {sp("Mayor Ada Quill")} .

communication:remarks a lpo:Remarks ;
    lpo:sender person:ada ;
    lpo:medium lpo:SpokenRemarksMedium ;
    time:hasTime when:may-4 ;
    lpo:supportedBy {sp("Ada Quill said on May 4")} .

quote:fix a lpo:Quote ;
    schema:text "We will fix the bridge."@en ;
    prov:wasAttributedTo person:ada ;
    prov:wasGeneratedBy communication:remarks ;
    lpo:supportedBy {sp("“We will fix the bridge.”")} .

when:may-4 a lpo:TimeExpression ;
    lpo:phrase "May 4"@en ;
    lpo:precision lpo:precisionDay ;
    time:inDateTime [ a time:DateTimeDescription ; time:month "--05"^^xsd:gMonth ; time:day "---04"^^xsd:gDay ] ;
    lpo:inference inference:may-4-year ;
    lpo:supportedBy {sp("May 4")} .

inference:may-4-year a lpo:Inference ;
    lpo:inferredValue "2020-05-04"^^xsd:date ;
    lpo:basis when:march-2020 .

when:march-2020 a lpo:TimeExpression ;
    lpo:phrase "March 2020"@en ;
    lpo:precision lpo:precisionMonth ;
    time:inXSDgYearMonth "2020-03"^^xsd:gYearMonth ;
    lpo:supportedBy {sp("March 2020")} .

communication:letter a lpo:LetterSending ;
    lpo:sender person:ada ;
    lpo:addressee organization:council ;
    lpo:conveys letter:to-council ;
    time:hasTime when:march-2020 ;
    lpo:supportedBy {sp("she wrote to the Harbor Council")} .

letter:to-council a lpo:Letter ;
    rdfs:label "Ada Quill's letter to the Harbor Council"@en ;
    lpo:supportedBy {sp("she wrote to the Harbor Council")} .

claim:council-agrees a lpo:HedgedClaim ;
    lpo:claimedBy doc:w ;
    lpo:hedge "appeared to"@en ;
    schema:about letter:to-council ;
    lpo:assertsEvent communication:letter ;
    lpo:supportedBy {sp("which appeared to agree")} .
"""

# Spans that cases below refer to, registered before the world's spans are written out.
SP_ADA, SP_COUNCIL, SP_QUOTE, SP_MAY, SP_HEDGE = (sp("Ada Quill"), sp("Harbor Council"),
                                                 sp("“We will fix the bridge.”"), sp("May 4"),
                                                 sp("which appeared to agree"))
SP_MARCH, SP_WROTE = sp("March 2020"), sp("she wrote to the Harbor Council")


def world_turtle() -> str:
    return PREFIXES + WORLD + "".join(SPANS.values())


# --- the build's view of a graph ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes() -> list[ox.Triple]:
    source = folder_source(ROOT / "shapes", "shapes", NAMES.shapes)
    return resolve_shape_namespaces(read_source(source, NAMES), BASE)


@pytest.fixture(scope="module", params=ENGINES)
def validator(request, shapes) -> Validator:
    """Every case runs on both engines that read the shapes: pyshacl-turbo (the default) and pyshacl."""
    if request.param == "turbo" and importlib.util.find_spec("pyshacl_turbo") is None:
        pytest.skip("pyshacl-turbo is not installed here")
    return Validator(shapes, engine=request.param)


@pytest.fixture(scope="module")
def ontology() -> list[ox.Triple]:
    return read_source(folder_source(ROOT / "ontology", "ontology", NAMES.ontology), NAMES)


@pytest.fixture(scope="module")
def check(validator, ontology):
    """Problems of a Turtle text (with the world's prefixes), enriched and validated beside the ontology."""
    entailments = Entailments(ontology, NAMES.lpo)

    def run(turtle: str) -> list[Problem]:
        triples = list(ox.parse(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=BASE))
        return validator.check([*ontology, *entailments.enrich(triples)])

    return run


def shown(problems: list[Problem]) -> str:
    return "\n".join(p.render() for p in problems) or "no problems"


def test_the_world_the_cases_start_from_is_valid(check):
    assert check(world_turtle()) == []


# --- one case per mistake -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    turtle: str              # added to the valid world
    shape: str               # local name of the node shape under <shapes#>
    focus: str               # relative to the base
    message: str
    path: str | None = None  # full IRI, when the constraint has one
    severity: str = "Violation"


def span_turtle(name: str, start, end, exact: str, source: str = "doc:w", extra: str = "") -> str:
    return f"""
{name} a lpo:TextSpan , oa:SpecificResource ;
    oa:hasSource {source} ;
    oa:hasSelector [ a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} ] ,
                   [ a oa:TextQuoteSelector ; oa:exact {lit(exact)} {extra} ] .
"""


MADE_UP_DOC = 'doc:other a lpo:SourceDocument ; dcterms:title "Another"@en ; schema:inLanguage "en" ; schema:text "Hello."@en .'

CASES = [
    # --- source documents
    Case("document without text", 'doc:other a lpo:SourceDocument ; schema:inLanguage "en" ; dcterms:title "Another"@en .',
         "SourceDocumentShape", "id/document/other",
         "A source document needs its full text: put it beside the Turtle as data/<slug>.txt, named like the "
         "document's IRI <id/document/<slug>>.", SCHEMA + "text"),
    Case("document with two texts", MADE_UP_DOC + ' doc:other schema:text "Hi."@en .',
         "SourceDocumentShape", "id/document/other",
         "A source document has exactly one text: it comes from data/<slug>.txt alone.", SCHEMA + "text"),
    Case("document without language", 'doc:other a lpo:SourceDocument ; dcterms:title "Another"@en ; schema:text "Hi." .',
         "SourceDocumentShape", "id/document/other",
         "A source document states its language once, as schema:inLanguage with a BCP 47 tag such as \"en\".",
         SCHEMA + "inLanguage"),
    Case("document language not a tag", MADE_UP_DOC.replace('schema:inLanguage "en"', 'schema:inLanguage "English!"'),
         "SourceDocumentShape", "id/document/other",
         "A source document's schema:inLanguage is a plain string holding a BCP 47 language tag, such as \"en\".",
         SCHEMA + "inLanguage"),
    Case("document without title", 'doc:other a lpo:SourceDocument ; schema:inLanguage "en" ; schema:text "Hi."@en .',
         "SourceDocumentShape", "id/document/other",
         "A source document needs a title: dcterms:title when the source gives one, lpo:suppliedTitle when the "
         "editors supply it.", DCTERMS + "title"),
    Case("document title not tagged", MADE_UP_DOC.replace('"Another"@en', '"Another"'),
         "SourceDocumentShape", "id/document/other",
         "A source document's title is text tagged @en, at most one per language.", DCTERMS + "title"),

    # --- text spans
    Case("span without source",
         'span:w-0-5 a lpo:TextSpan ; oa:hasSelector [ a oa:TextPositionSelector ; oa:start 0 ; oa:end 5 ] , '
         '[ a oa:TextQuoteSelector ; oa:exact "Mayor" ] .',
         "TextSpanShape", "id/span/w-0-5",
         "A text span names exactly one source document it selects from (oa:hasSource).", OA + "hasSource"),
    Case("span whose source is not a document", span_turtle("span:w-0-5", 0, 5, "Mayor", source="person:ada"),
         "TextSpanShape", "id/span/w-0-5",
         "A text span's oa:hasSource is a source document (lpo:SourceDocument), such as <id/document/<slug>>.",
         OA + "hasSource"),
    Case("span without position selector",
         'span:w-0-5 a lpo:TextSpan ; oa:hasSource doc:w ; oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Mayor" ] .',
         "TextSpanShape", "id/span/w-0-5",
         "A text span has exactly one oa:TextPositionSelector (its 0-based oa:start and oa:end offsets).",
         OA + "hasSelector"),
    Case("span without quote selector",
         'span:w-0-5 a lpo:TextSpan ; oa:hasSource doc:w ; oa:hasSelector [ a oa:TextPositionSelector ; oa:start 0 ; oa:end 5 ] .',
         "TextSpanShape", "id/span/w-0-5",
         "A text span has exactly one oa:TextQuoteSelector (its oa:exact text).", OA + "hasSelector"),
    Case("span offsets out of order", span_turtle("span:w-5-0", 5, 0, "Mayor"),
         "TextSpanShape", "id/span/w-5-0",
         f"The span's offsets are out of order or outside its document's text: oa:start (5) must be below oa:end "
         f"(0), and oa:end at most the text's length in code points ({len(TEXT)})."),
    Case("span past the end of the text", span_turtle(f"span:w-120-{len(TEXT) + 1}", 120, len(TEXT) + 1, TEXT[120:]),
         "TextSpanShape", f"id/span/w-120-{len(TEXT) + 1}",
         f"The span's offsets are out of order or outside its document's text: oa:start (120) must be below oa:end "
         f"({len(TEXT) + 1}), and oa:end at most the text's length in code points ({len(TEXT)})."),
    Case("span exact text off by one", span_turtle("span:w-6-15", 6, 15, "da Quill "),
         "TextSpanShape", "id/span/w-6-15",
         "The span's exact text (oa:exact) is not the source text at its offsets [6, 15), which reads \"Ada Quill\": "
         "offsets count Unicode code points from 0, the end is exclusive, and the exact text keeps the source's own "
         "characters (curly quotes, apostrophes)."),
    Case("span exact text with straight quotes", span_turtle("span:w-31-56", 31, 56, '"We will fix the bridge."'),
         "TextSpanShape", "id/span/w-31-56",
         "The span's exact text (oa:exact) is not the source text at its offsets [31, 56), which reads "
         "\"“We will fix the bridge.”\": offsets count Unicode code points from 0, the end is exclusive, and the "
         "exact text keeps the source's own characters (curly quotes, apostrophes)."),
    Case("span prefix that is not before it", span_turtle("span:w-6-15", 6, 15, "Ada Quill", extra='; oa:prefix "Major "'),
         "TextSpanShape", "id/span/w-6-15",
         "The text before the span does not end with its oa:prefix \"Major \"."),
    Case("span suffix that is not after it", span_turtle("span:w-6-15", 6, 15, "Ada Quill", extra='; oa:suffix " wrote"'),
         "TextSpanShape", "id/span/w-6-15",
         "The text after the span does not begin with its oa:suffix \" wrote\"."),
    Case("span named for other offsets", span_turtle("span:ada", 6, 15, "Ada Quill"),
         "SpanNameShape", "id/span/ada",
         "The span's IRI does not end with its offsets: name it <id/span/<slug>-6-15> so that it says what it selects.",
         severity="Warning"),

    # --- selectors
    Case("position selector without start",
         'span:w-0-5 a lpo:TextSpan ; oa:hasSource doc:w ; oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Mayor" ] , _:p . '
         '_:p a oa:TextPositionSelector ; oa:end 5 .',
         "TextPositionSelectorShape", None,
         "A position selector has exactly one oa:start offset.", OA + "start"),
    Case("position selector with two ends", span_turtle("span:w-0-5", 0, "5 , 6", "Mayor"),
         "TextPositionSelectorShape", None,
         "A position selector has exactly one oa:end offset.", OA + "end"),
    Case("negative start", span_turtle("span:w--1-5", -1, 5, "Mayor"),
         "TextPositionSelectorShape", None,
         "oa:start is a non-negative integer (a 0-based Unicode code point offset), written as a bare number such "
         "as 42.", OA + "start"),
    Case("end given as a string", span_turtle("span:w-0-5", 0, '"5"', "Mayor"),
         "TextPositionSelectorShape", None,
         "oa:end is a non-negative integer (the code point offset just past the span), written as a bare number "
         "such as 57.", OA + "end"),
    Case("quote selector without exact text",
         'span:w-0-5 a lpo:TextSpan ; oa:hasSource doc:w ; oa:hasSelector [ a oa:TextPositionSelector ; oa:start 0 ; oa:end 5 ] , _:q . '
         '_:q a oa:TextQuoteSelector .',
         "TextQuoteSelectorShape", None, "A quote selector has exactly one oa:exact text.", OA + "exact"),
    Case("exact text that is empty", span_turtle("span:w-0-5", 0, 5, ""),
         "TextQuoteSelectorShape", None, "oa:exact is the span's text as a non-empty string literal.", OA + "exact"),
    Case("two prefixes", span_turtle("span:w-6-15", 6, 15, "Ada Quill", extra='; oa:prefix "Mayor " , "or "'),
         "TextQuoteSelectorShape", None,
         "A quote selector has at most one oa:prefix, a string literal.", OA + "prefix"),
    Case("suffix that is not a string", span_turtle("span:w-6-15", 6, 15, "Ada Quill", extra="; oa:suffix 7"),
         "TextQuoteSelectorShape", None,
         "A quote selector has at most one oa:suffix, a string literal.", OA + "suffix"),
    Case("supported by something that is not a span", "person:ada lpo:supportedBy doc:w .",
         "EvidenceShape", "id/document/w",
         "lpo:supportedBy points to a text span (lpo:TextSpan, <id/span/<slug>-<start>-<end>>) that is described "
         "with its source and selectors."),

    # --- agents
    Case("named person without a name", f"person:bob a schema:Person , prov:Agent ; lpo:supportedBy {SP_ADA} .",
         "NamedPersonShape", "id/person/bob",
         "A person needs a name (schema:name), as the source gives it; a person the source does not name is also "
         "typed lpo:UnnamedAgent and keeps the text's phrase (lpo:phrase) instead.", SCHEMA + "name"),
    Case("person's name not a string", 'person:ada schema:name person:ada .',
         "PersonShape", "id/person/ada", "A person's schema:name is a string literal.", SCHEMA + "name"),
    Case("person not typed as an agent", 'person:bob a foaf:Person ; schema:name "Bob" .',
         "AgentShape", "id/person/bob",
         "A person or organization is also typed prov:Agent, so that PROV-O clients find it.", RDF + "type"),
    Case("named organization without a name", "organization:x a org:Organization , prov:Agent .",
         "NamedOrganizationShape", "id/organization/x",
         "An organization needs a name (schema:name), as the source gives it; an organization the source does not "
         "name (\"Shiite militias\") is also typed lpo:UnnamedAgent and keeps the text's phrase (lpo:phrase) instead.",
         SCHEMA + "name"),
    Case("organization's name not a string", "organization:council schema:name 12 .",
         "OrganizationShape", "id/organization/council",
         "An organization's schema:name is a string literal.", SCHEMA + "name"),
    Case("armed group controlled by a literal", 'organization:guard a lpo:ArmedGroup ; schema:name "Guard" ; lpo:controlledBy "the mayor" .',
         "ArmedForceShape", "id/organization/guard",
         "lpo:controlledBy names an agent (prov:Agent) that controls the force or group.", LPO + "controlledBy"),
    Case("armed force of a place that is not a country",
         'organization:guard a lpo:ArmedForce ; schema:name "Guard" ; lpo:polity place:harbor . '
         'place:harbor a schema:Place ; schema:name "Harbor" .',
         "PolityShape", "id/organization/guard", "lpo:polity names a country (schema:Country).", LPO + "polity"),
    Case("group without label", f'group:residents a lpo:Group ; lpo:supportedBy {SP_COUNCIL} .',
         "GroupShape", "id/group/residents",
         "A group needs a label (rdfs:label), the text's own words for it, tagged @en.", RDFS + "label"),
    Case("group label in French", 'group:residents a lpo:Group ; rdfs:label "les habitants"@fr .',
         "GroupShape", "id/group/residents",
         "A group's rdfs:label is text tagged @en, one per language.", RDFS + "label"),
    Case("group member that is not an agent", 'group:residents a lpo:Group ; rdfs:label "residents"@en ; foaf:member place:x .',
         "GroupShape", "id/group/residents", "A group's foaf:member is an agent (prov:Agent).", FOAF + "member"),
    Case("unnamed agent without phrase", f"agent:aide a lpo:UnnamedAgent ; lpo:supportedBy {SP_ADA} .",
         "UnnamedAgentShape", "id/agent/aide",
         "An unnamed agent keeps the text's own referring phrase (lpo:phrase, e.g. \"an intermediary\"@en).",
         LPO + "phrase"),
    Case("unnamed agent's phrase not tagged", f'agent:aide a lpo:UnnamedAgent ; lpo:phrase "Ada" ; lpo:supportedBy {SP_ADA} .',
         "UnnamedAgentShape", "id/agent/aide",
         "An unnamed agent's lpo:phrase is the text's words tagged @en.", LPO + "phrase"),
    Case("unnamed agent given a name",
         f'agent:aide a lpo:UnnamedAgent ; lpo:phrase "Ada"@en ; schema:name "Ada Quill" ; lpo:supportedBy {SP_ADA} .',
         "UnnamedAgentShape", "id/agent/aide",
         "An unnamed agent has no name (schema:name): the text does not name it, and the dataset never names it "
         "from outside knowledge.", SCHEMA + "name"),
    Case("unnamed agent given a foaf name",
         f'agent:aide a lpo:UnnamedAgent ; lpo:phrase "Ada"@en ; foaf:name "Ada Quill" ; lpo:supportedBy {SP_ADA} .',
         "UnnamedAgentShape", "id/agent/aide",
         "An unnamed agent has no name (foaf:name): the text does not name it, and the dataset never names it "
         "from outside knowledge.", FOAF + "name"),
    Case("unnamed agent identified with someone",
         f'agent:aide a lpo:UnnamedAgent ; lpo:phrase "Ada"@en ; owl:sameAs person:ada ; lpo:supportedBy {SP_ADA} .',
         "UnnamedAgentShape", "id/agent/aide",
         "An unnamed agent is never identified with another resource (owl:sameAs): the text does not say who it is.",
         OWL + "sameAs"),
    Case("someone identified with an unnamed agent",
         f'agent:aide a lpo:UnnamedAgent ; lpo:phrase "Ada"@en ; lpo:supportedBy {SP_ADA} . person:ada owl:sameAs agent:aide .',
         "UnnamedAgentShape", "id/agent/aide",
         "Nothing is owl:sameAs an unnamed agent: the text does not say who it is.", "^" + OWL + "sameAs"),
    Case("unnamed agent identified through schema:sameAs",
         f'agent:aide a lpo:UnnamedAgent ; lpo:phrase "Ada"@en ; schema:sameAs person:ada ; lpo:supportedBy {SP_ADA} .',
         "UnnamedAgentShape", "id/agent/aide",
         "An unnamed agent is never identified with another resource (schema:sameAs): the text does not say who it is.",
         SCHEMA + "sameAs"),
    Case("unnamed agent the text does not mention", 'agent:aide a lpo:UnnamedAgent ; lpo:phrase "an aide"@en .',
         "UnnamedAgentShape", "id/agent/aide",
         "An unnamed agent exists only because the text mentions it: link the span that does (lpo:supportedBy).",
         LPO + "supportedBy"),
    Case("account without handle", "account:ada a lpo:SocialMediaAccount . person:ada foaf:account account:ada .",
         "SocialMediaAccountShape", "id/account/ada",
         "An account has exactly one handle (foaf:accountName), a plain string without the leading @, such as \"CIA\".",
         FOAF + "accountName"),
    Case("account handle with the @", 'account:ada a lpo:SocialMediaAccount ; foaf:accountName "@ada" . person:ada foaf:account account:ada .',
         "SocialMediaAccountShape", "id/account/ada",
         "An account has exactly one handle (foaf:accountName), a plain string without the leading @, such as \"CIA\".",
         FOAF + "accountName"),
    Case("account service given as a string",
         'account:ada a lpo:SocialMediaAccount ; foaf:accountName "ada" ; foaf:accountServiceHomepage "twitter" . '
         "person:ada foaf:account account:ada .",
         "SocialMediaAccountShape", "id/account/ada",
         "An account names at most one service (foaf:accountServiceHomepage), as an IRI such as <https://twitter.com/>, "
         "and only when the source names it.", FOAF + "accountServiceHomepage"),
    Case("account nobody holds", 'account:ada a lpo:SocialMediaAccount ; foaf:accountName "ada" .',
         "SocialMediaAccountShape", "id/account/ada",
         "An account is held by an agent: state <holder> foaf:account <account>.", "^" + FOAF + "account"),
    Case("account held by a place", 'account:ada a lpo:SocialMediaAccount ; foaf:accountName "ada" . place:x foaf:account account:ada .',
         "SocialMediaAccountShape", "id/account/ada",
         "An account's holder (the subject of foaf:account) is an agent (prov:Agent).", "^" + FOAF + "account"),

    # --- roles
    Case("membership without member", f"membership:x a org:Membership ; org:role role:mayor ; lpo:supportedBy {SP_ADA} .",
         "MembershipShape", "id/membership/x", "A membership names exactly one member (org:member).", ORG + "member"),
    Case("membership of a place", f"membership:x a org:Membership ; org:member place:x ; org:role role:mayor ; lpo:supportedBy {SP_ADA} .",
         "MembershipShape", "id/membership/x", "A membership's org:member is an agent (prov:Agent).", ORG + "member"),
    Case("membership without role", f"membership:x a org:Membership ; org:member person:ada ; lpo:supportedBy {SP_ADA} .",
         "MembershipShape", "id/membership/x",
         "A membership names exactly one role (org:role): an lpo:Office or an lpo:Rank.", ORG + "role"),
    Case("role given as a string", f'membership:x a org:Membership ; org:member person:ada ; org:role "mayor" ; lpo:supportedBy {SP_ADA} .',
         "MembershipShape", "id/membership/x",
         "A membership's org:role is an lpo:Office or lpo:Rank (an org:Role), not a string.", ORG + "role"),
    Case("membership in two organizations", "membership:ada-mayor org:organization organization:council , organization:other . "
         'organization:other a schema:Organization , prov:Agent ; schema:name "Other" .',
         "MembershipShape", "id/membership/ada-mayor",
         "A membership names at most one organization (org:organization).", ORG + "organization"),
    Case("membership in a person", "membership:ada-mayor org:organization person:ada .",
         "MembershipShape", "id/membership/ada-mayor",
         "A membership's org:organization is an organization (org:Organization, schema:Organization or "
         "foaf:Organization).", ORG + "organization"),
    Case("principal that is not an agent", "membership:ada-mayor lpo:principal place:x .",
         "MembershipShape", "id/membership/ada-mayor",
         "A membership's lpo:principal is an agent (prov:Agent), the person the role serves.", LPO + "principal"),
    Case("membership polity not a country", "membership:ada-mayor lpo:polity person:ada .",
         "PolityShape", "id/membership/ada-mayor", "lpo:polity names a country (schema:Country).", LPO + "polity"),
    Case("membership attested at a literal", 'membership:ada-mayor lpo:attestedAt "May 4" .',
         "MembershipShape", "id/membership/ada-mayor",
         "A membership's lpo:attestedAt is a time (an lpo:TimeExpression), not a literal.", LPO + "attestedAt"),
    Case("membership without evidence", "membership:x a org:Membership ; org:member person:ada ; org:role role:mayor .",
         "MembershipShape", "id/membership/x",
         "A role held rests on the text: link the span that attests it (lpo:supportedBy).", LPO + "supportedBy"),
    Case("office without label", "role:clerk a lpo:Office .",
         "RoleShape", "id/role/clerk", "An office or rank needs a label (rdfs:label), such as \"director\"@en.",
         RDFS + "label"),
    Case("rank label not tagged", 'role:captain a lpo:Rank ; rdfs:label "captain" .',
         "RoleShape", "id/role/captain",
         "An office or rank's rdfs:label is text tagged @en, one per language.", RDFS + "label"),

    # --- places
    Case("place without name", "place:x a schema:Place .",
         "PlaceShape", "id/place/x", "A place needs a name (schema:name), as the source gives it.", SCHEMA + "name"),
    Case("place contained in a person", 'place:x a schema:Place ; schema:name "X" ; schema:containedInPlace person:ada .',
         "PlaceShape", "id/place/x", "A place's schema:containedInPlace is a place (schema:Place).",
         SCHEMA + "containedInPlace"),

    # --- communications
    Case("communication without sender", f"communication:x a lpo:Communication ; lpo:supportedBy {SP_ADA} .",
         "CommunicationShape", "id/communication/x",
         "A communication needs its sender (lpo:sender): the agent who writes, speaks, posts or conveys it.",
         LPO + "sender"),
    Case("sender that is not an agent", "communication:remarks lpo:sender place:x .",
         "CommunicationShape", "id/communication/remarks",
         "A communication's lpo:sender is an agent (prov:Agent): a person, an organization, a group or an unnamed agent.",
         LPO + "sender"),
    Case("addressee that is not an agent", 'communication:remarks lpo:addressee "the council" .',
         "CommunicationShape", "id/communication/remarks",
         "A communication's lpo:addressee is an agent (prov:Agent).", LPO + "addressee"),
    Case("intermediary that is not an agent", "communication:remarks lpo:intermediary letter:to-council .",
         "CommunicationShape", "id/communication/remarks",
         "A communication's lpo:intermediary is an agent (prov:Agent).", LPO + "intermediary"),
    Case("two media", "communication:remarks lpo:medium lpo:InterviewMedium .",
         "CommunicationShape", "id/communication/remarks",
         "A communication has at most one medium (lpo:medium).", LPO + "medium"),
    Case("medium that is not a medium", "communication:remarks lpo:medium lpo:Sent .",
         "CommunicationShape", "id/communication/remarks",
         "A communication's lpo:medium is one of the ontology's media (lpo:Medium), such as lpo:LetterMedium.",
         LPO + "medium"),
    Case("occasion that is not an event", "communication:remarks lpo:occasion place:x .",
         "CommunicationShape", "id/communication/remarks",
         "A communication's lpo:occasion is an event (schema:Event).", LPO + "occasion"),
    Case("conveying something that is not a message", "communication:remarks lpo:conveys quote:fix .",
         "CommunicationShape", "id/communication/remarks",
         "What a communication conveys (lpo:conveys) is a message (lpo:Message: a letter, a post, a message passed on).",
         LPO + "conveys"),
    Case("status that is not a status", "communication:remarks lpo:status lpo:LetterMedium .",
         "StatusShape", "id/communication/remarks",
         "lpo:status is one of the ontology's statuses (lpo:Status), such as lpo:Sent or lpo:Planned.",
         LPO + "status"),
    Case("disputed status stated on the thing",
         "letter:to-council lpo:status lpo:Received . "
         f"claim:a a lpo:Claim ; lpo:claimedBy doc:w ; rdf:subject letter:to-council ; rdf:predicate lpo:status ; "
         f"rdf:object lpo:Received ; lpo:supportedBy {SP_HEDGE} . "
         f"claim:b a lpo:Claim ; lpo:claimedBy doc:w ; rdf:subject letter:to-council ; rdf:predicate lpo:status ; "
         f"rdf:object lpo:RefusedToOpen ; lpo:supportedBy {SP_HEDGE} .",
         "StatusShape", "id/letter/to-council",
         f"Claims disagree about this resource's status (<{LPO}Received>, <{LPO}RefusedToOpen>), so it is not stated "
         "on the resource itself: keep each status in the claim that gives it (rdf:predicate lpo:status)."),
    Case("after something that is not an act", "communication:letter lpo:after place:x .",
         "OrderShape", "id/communication/letter",
         "lpo:after names an act or event (prov:Activity) that this one follows.", LPO + "after"),
    Case("acts that come after each other",
         "communication:letter lpo:after communication:remarks . communication:remarks lpo:after communication:letter .",
         "OrderShape", "id/communication/letter",
         "This act comes, through lpo:after, after itself: the order the source gives has no cycles."),
    Case("reason that is not a claim", "communication:letter lpo:statedReason quote:fix .",
         "StatedReasonShape", "id/communication/letter",
         "A stated reason (lpo:statedReason) is a claim (lpo:Claim) with its claimant and evidence.",
         LPO + "statedReason"),
    Case("location that is not a place", "communication:remarks schema:location person:ada .",
         "CommunicationShape", "id/communication/remarks",
         "Where a communication takes place (schema:location) is a place (schema:Place).", SCHEMA + "location"),
    Case("time given as a bare literal", 'communication:remarks time:hasTime "2020-05-04"^^xsd:date .',
         "CommunicationShape", "id/communication/remarks",
         "When a communication takes place (time:hasTime) is a time expression (lpo:TimeExpression) that keeps the "
         "text's phrase and precision, not a bare literal.", TIME + "hasTime"),
    Case("communication without evidence", "communication:x a lpo:Remarks ; lpo:sender person:ada .",
         "CommunicationShape", "id/communication/x",
         "A communication rests on the text: link the span that reports it (lpo:supportedBy).", LPO + "supportedBy"),
    Case("letter sending without letter",
         f"communication:x a lpo:LetterSending ; lpo:sender person:ada ; lpo:addressee organization:council ; lpo:supportedBy {SP_WROTE} .",
         "LetterSendingShape", "id/communication/x",
         "Sending a letter conveys the letter: link an lpo:Letter with lpo:conveys.", LPO + "conveys"),
    Case("letter sending without addressee",
         f"communication:x a lpo:LetterSending ; lpo:sender person:ada ; lpo:conveys letter:to-council ; lpo:supportedBy {SP_WROTE} .",
         "LetterSendingShape", "id/communication/x",
         "A letter is sent to someone: name the addressee (lpo:addressee).", LPO + "addressee"),
    Case("letter sent as social media", "communication:letter lpo:medium lpo:SocialMediaMedium .",
         "LetterSendingShape", "id/communication/letter",
         "Sending a letter uses the letter medium (lpo:LetterMedium).", LPO + "medium"),
    Case("remarks through the letter medium", "communication:remarks lpo:medium lpo:LetterMedium .",
         "RemarksShape", "id/communication/remarks",
         "Remarks use the spoken-remarks medium (lpo:SpokenRemarksMedium).", LPO + "medium"),
]

POSTING = f"""
account:ada a lpo:SocialMediaAccount ; foaf:accountName "ada" .
person:ada foaf:account account:ada .
post:p a lpo:SocialMediaPost ; lpo:supportedBy {SP_QUOTE} .
communication:post a lpo:Posting ; lpo:sender person:ada ; lpo:channel account:ada ; lpo:conveys post:p ;
    lpo:medium lpo:SocialMediaMedium ; lpo:supportedBy {SP_QUOTE} .
"""

CASES += [
    Case("the posting world is valid, but for an unheld channel", POSTING.replace("person:ada foaf:account account:ada .",
                                                                                  "organization:council foaf:account account:ada ."),
         "PostingShape", "id/communication/post",
         f"A posting's sender is the holder of the account it is posted from: state <sender> foaf:account <{BASE}id/account/ada>."),
    Case("posting without channel", POSTING.replace("lpo:channel account:ada ;", ""),
         "PostingShape", "id/communication/post", "A posting is made from exactly one account (lpo:channel).",
         LPO + "channel"),
    Case("posting from something that is not an account", POSTING.replace("lpo:channel account:ada", "lpo:channel organization:council"),
         "PostingShape", "id/communication/post",
         "A posting's lpo:channel is the social media account it is posted from (lpo:SocialMediaAccount).",
         LPO + "channel"),
    Case("posting without post", POSTING.replace("lpo:conveys post:p ;", "") .replace("post:p a lpo:SocialMediaPost", "post:p a schema:CreativeWork"),
         "PostingShape", "id/communication/post",
         "A posting publishes a post: link an lpo:SocialMediaPost with lpo:conveys.", LPO + "conveys"),
    Case("posting through the interview medium", POSTING.replace("lpo:SocialMediaMedium", "lpo:InterviewMedium"),
         "PostingShape", "id/communication/post",
         "A posting uses the social media medium (lpo:SocialMediaMedium).", LPO + "medium"),
    Case("post published by a letter", POSTING + "communication:letter lpo:conveys post:p .",
         "LetterSendingShape", "id/communication/letter",
         "Sending a letter conveys the letter: link an lpo:Letter with lpo:conveys.", LPO + "conveys"),
    Case("post with two addresses", POSTING + "post:p schema:url <https://example.org/1> , <https://example.org/2> .",
         "SocialMediaPostShape", "id/post/p", "A post has at most one schema:url, an IRI.", SCHEMA + "url"),
    Case("post nothing published", f"post:q a lpo:SocialMediaPost ; lpo:supportedBy {SP_QUOTE} .",
         "SocialMediaPostShape", "id/post/q",
         "A social media post is published by a posting (an lpo:Posting that lpo:conveys it).",
         "^" + LPO + "conveys"),
    Case("interview without addressee", f"communication:x a lpo:Interview ; lpo:sender person:ada ; lpo:supportedBy {SP_ADA} .",
         "InterviewShape", "id/communication/x",
         "An interview is given to someone: name the outlet or journalist as lpo:addressee.", LPO + "addressee"),
    Case("interview as a letter",
         f"communication:x a lpo:Interview ; lpo:sender person:ada ; lpo:addressee organization:council ; "
         f"lpo:medium lpo:LetterMedium ; lpo:supportedBy {SP_ADA} .",
         "InterviewShape", "id/communication/x",
         "An interview uses the interview medium (lpo:InterviewMedium).", LPO + "medium"),
    Case("press statement without outlet", f"communication:x a lpo:PressStatement ; lpo:sender person:ada ; lpo:supportedBy {SP_ADA} .",
         "PressStatementShape", "id/communication/x",
         "A statement to the press is given to a news outlet: name it as lpo:addressee.", LPO + "addressee"),
    Case("press statement as remarks",
         f"communication:x a lpo:PressStatement ; lpo:sender person:ada ; lpo:addressee organization:council ; "
         f"lpo:medium lpo:SpokenRemarksMedium ; lpo:supportedBy {SP_ADA} .",
         "PressStatementShape", "id/communication/x",
         "A statement to the press uses the news agency medium (lpo:NewsAgencyMedium).", LPO + "medium"),
    Case("message conveyance without intermediary",
         f"communication:x a lpo:MessageConveyance ; lpo:sender person:ada ; lpo:addressee organization:council ; lpo:supportedBy {SP_ADA} .",
         "MessageConveyanceShape", "id/communication/x",
         "A message conveyed through an intermediary names the intermediary (lpo:intermediary).", LPO + "intermediary"),
    Case("message conveyance without addressee",
         f"communication:x a lpo:MessageConveyance ; lpo:sender person:ada ; lpo:intermediary organization:council ; lpo:supportedBy {SP_ADA} .",
         "MessageConveyanceShape", "id/communication/x",
         "A message conveyed through an intermediary names its addressee (lpo:addressee).", LPO + "addressee"),
    Case("message conveyance as a post",
         f"communication:x a lpo:MessageConveyance ; lpo:sender person:ada ; lpo:intermediary organization:council ; "
         f"lpo:addressee organization:council ; lpo:medium lpo:SocialMediaMedium ; lpo:supportedBy {SP_ADA} .",
         "MessageConveyanceShape", "id/communication/x",
         "A message conveyed through an intermediary uses the intermediary medium (lpo:IntermediaryMedium).",
         LPO + "medium"),
    Case("indication no claim reports", f"communication:x a lpo:Indication ; lpo:sender person:ada ; lpo:supportedBy {SP_ADA} .",
         "IndicationShape", "id/communication/x",
         "An indication is known only as someone reports it: a claim (lpo:Claim) names it with lpo:assertsEvent.",
         "^" + LPO + "assertsEvent"),
    Case("praise of nobody", f"communication:x a lpo:Praise ; lpo:sender person:ada ; schema:about letter:to-council ; lpo:supportedBy {SP_ADA} .",
         "PraiseShape", "id/communication/x",
         "Praise is addressed to someone: name who is praised (lpo:addressee).", LPO + "addressee"),
    Case("praise for nothing", f"communication:x a lpo:Praise ; lpo:sender person:ada ; lpo:addressee organization:council ; lpo:supportedBy {SP_ADA} .",
         "PraiseShape", "id/communication/x",
         "Praise is for something: say what it is for (schema:about).", SCHEMA + "about"),
    Case("refusal of nothing", f"communication:x a lpo:Refusal ; lpo:sender organization:council ; lpo:supportedBy {SP_HEDGE} .",
         "RefusalShape", "id/communication/x",
         "A refusal says what message was refused (schema:object).", SCHEMA + "object"),
    Case("refusal of a person",
         f"communication:x a lpo:Refusal ; lpo:sender organization:council ; schema:object person:ada ; lpo:supportedBy {SP_HEDGE} .",
         "RefusalShape", "id/communication/x",
         "What a refusal refuses (schema:object) is a message (lpo:Message).", SCHEMA + "object"),
    Case("receipt of nothing", f"communication:r a lpo:Receipt ; schema:agent organization:council ; lpo:supportedBy {SP_HEDGE} .",
         "ReceiptShape", "id/communication/r",
         "A receipt says what message was received (schema:object).", SCHEMA + "object"),
    Case("receipt of a person",
         f"communication:r a lpo:Receipt ; schema:agent organization:council ; schema:object person:ada ; lpo:supportedBy {SP_HEDGE} .",
         "ReceiptShape", "id/communication/r",
         "What a receipt receives (schema:object) is a message (lpo:Message).", SCHEMA + "object"),
    Case("receipt by nobody", f"communication:r a lpo:Receipt ; schema:object letter:to-council ; lpo:supportedBy {SP_HEDGE} .",
         "ReceiptShape", "id/communication/r",
         "A receipt names who received the message (schema:agent), an agent.", SCHEMA + "agent"),
    Case("receipt through a letter",
         f"communication:r a lpo:Receipt ; schema:agent organization:council ; schema:object letter:to-council ; "
         f"lpo:intermediary letter:to-council ; lpo:supportedBy {SP_HEDGE} .",
         "ReceiptShape", "id/communication/r",
         "A receipt's lpo:intermediary is an agent (prov:Agent).", LPO + "intermediary"),
    Case("receipt without evidence",
         "communication:r a lpo:Receipt ; schema:agent organization:council ; schema:object letter:to-council .",
         "ReceiptShape", "id/communication/r",
         "A receipt rests on the text: link the span that reports it (lpo:supportedBy).", LPO + "supportedBy"),
    Case("message nothing conveys", f'message:m a lpo:Message ; rdfs:label "a message"@en ; lpo:supportedBy {SP_ADA} .',
         "MessageShape", "id/message/m",
         "A message is conveyed by a communication act: link the act to it with lpo:conveys (the act holds the "
         "sender, addressee and date).", "^" + LPO + "conveys"),
    Case("message conveyed by a person", f'message:m a lpo:Message ; lpo:supportedBy {SP_ADA} . person:ada lpo:conveys message:m .',
         "MessageShape", "id/message/m",
         "What conveys a message (the subject of lpo:conveys) is a communication act (lpo:Communication).",
         "^" + LPO + "conveys"),
    Case("letter that is posted, not sent", POSTING + "communication:post lpo:conveys letter:x . letter:x a lpo:Letter .",
         "LetterShape", "id/letter/x",
         "A letter is conveyed by the sending of a letter (an lpo:LetterSending that lpo:conveys it).",
         "^" + LPO + "conveys"),
    Case("event without name", f"event:x a schema:Event ; lpo:supportedBy {SP_ADA} .",
         "EventShape", "id/event/x",
         "An event needs a name (schema:name) or, when the text gives it none, a label (rdfs:label).",
         SCHEMA + "name|" + RDFS + "label"),
    Case("event located at a person", f'event:x a schema:Event ; schema:name "X" ; schema:location person:ada ; lpo:supportedBy {SP_ADA} .',
         "EventShape", "id/event/x",
         "Where an event takes place (schema:location) is a place (schema:Place).", SCHEMA + "location"),
    Case("event without evidence", 'event:x a schema:Event ; schema:name "X" .',
         "EventShape", "id/event/x",
         "An event rests on the text: link the span that mentions it (lpo:supportedBy).", LPO + "supportedBy"),

    # --- statements
    Case("statement without evidence", 'claim:x a lpo:Claim ; lpo:claimedBy doc:w ; schema:about person:ada .',
         "StatementShape", "id/claim/x",
         "A statement rests on the text: link the span that reports it (lpo:supportedBy).", LPO + "supportedBy"),
    Case("statement relayed by a place", "quote:fix lpo:reportedBy place:x .",
         "StatementShape", "id/quote/fix",
         "Who relays a statement (lpo:reportedBy) is an agent (prov:Agent).", LPO + "reportedBy"),
    Case("quote without text",
         f"quote:x a lpo:Quote ; prov:wasAttributedTo person:ada ; prov:wasGeneratedBy communication:remarks ; lpo:supportedBy {SP_QUOTE} .",
         "QuoteShape", "id/quote/x",
         "A quote has exactly one text (schema:text): the words between the quotation marks, verbatim.",
         SCHEMA + "text"),
    Case("quote text not tagged", 'quote:fix schema:text "We will fix the bridge." .',
         "QuoteShape", "id/quote/fix", "A quote's schema:text is tagged with its language, @en.", SCHEMA + "text"),
    Case("quote text in French", 'quote:fix schema:text "Nous réparerons le pont."@fr .',
         "QuoteShape", "id/quote/fix", "A quote's schema:text is tagged with its language, @en.", SCHEMA + "text"),
    Case("quote without speaker",
         f'quote:x a lpo:Quote ; schema:text "We will"@en ; prov:wasGeneratedBy communication:remarks ; lpo:supportedBy {SP_QUOTE} .',
         "QuoteShape", "id/quote/x", "A quote names its speaker (prov:wasAttributedTo).", PROV + "wasAttributedTo"),
    Case("quote spoken by a place", "quote:fix prov:wasAttributedTo place:x .",
         "QuoteShape", "id/quote/fix", "A quote's speaker (prov:wasAttributedTo) is an agent (prov:Agent).",
         PROV + "wasAttributedTo"),
    Case("quote said nowhere",
         f'quote:x a lpo:Quote ; schema:text "We will"@en ; prov:wasAttributedTo person:ada ; lpo:supportedBy {SP_QUOTE} .',
         "QuoteShape", "id/quote/x",
         "A quote names the one communication in which it was said (prov:wasGeneratedBy), which gives its occasion "
         "and date.", PROV + "wasGeneratedBy"),
    Case("quote generated by a letter, not an act", "quote:fix prov:wasGeneratedBy letter:to-council .",
         "QuoteShape", "id/quote/fix",
         "What a quote was said in (prov:wasGeneratedBy) is a communication act (lpo:Communication).",
         PROV + "wasGeneratedBy"),
    Case("quote with its quotation marks",
         f'quote:x a lpo:Quote ; schema:text "“We will fix the bridge.”"@en ; prov:wasAttributedTo person:ada ; '
         f"prov:wasGeneratedBy communication:remarks ; lpo:supportedBy {SP_QUOTE} .",
         "QuoteShape", "id/quote/x",
         "A quote's text begins or ends with a quotation mark: keep the words between the marks, not the marks "
         "themselves (unless the source's own words end so).", SCHEMA + "text", severity="Warning"),
    Case("quote text not in its span",
         f'quote:x a lpo:Quote ; schema:text "We shall fix the bridge."@en ; prov:wasAttributedTo person:ada ; '
         f"prov:wasGeneratedBy communication:remarks ; lpo:supportedBy {SP_QUOTE} .",
         "QuoteShape", "id/quote/x",
         "The quote's text does not occur in the source text of any span that supports it: a quote keeps the "
         "source's words character for character (curly quotes, apostrophes, grammar) and is supported by a span "
         "that contains them."),
    Case("quote supported by a span elsewhere in the text",
         f'quote:x a lpo:Quote ; schema:text "We will fix the bridge."@en ; prov:wasAttributedTo person:ada ; '
         f"prov:wasGeneratedBy communication:remarks ; lpo:supportedBy {SP_MARCH} .",
         "QuoteShape", "id/quote/x",
         "The quote's text does not occur in the source text of any span that supports it: a quote keeps the "
         "source's words character for character (curly quotes, apostrophes, grammar) and is supported by a span "
         "that contains them."),
    Case("claim by nobody", f"claim:x a lpo:Claim ; schema:about person:ada ; lpo:supportedBy {SP_HEDGE} .",
         "ClaimShape", "id/claim/x",
         "A claim names who makes it (lpo:claimedBy): an agent, or the source document itself when the claim is in "
         "the source's own voice.", LPO + "claimedBy"),
    Case("claim by a place", f"claim:x a lpo:Claim ; lpo:claimedBy place:x ; schema:about person:ada ; lpo:supportedBy {SP_HEDGE} .",
         "ClaimShape", "id/claim/x",
         "Who makes a claim (lpo:claimedBy) is an agent (prov:Agent) or a source document (lpo:SourceDocument).",
         LPO + "claimedBy"),
    Case("claim by an agent, not attributed to them",
         f"claim:x a lpo:Claim ; lpo:claimedBy person:ada ; schema:about letter:to-council ; lpo:supportedBy {SP_HEDGE} .",
         "ClaimShape", "id/claim/x",
         f"A claim made by an agent is also attributed to that agent: add prov:wasAttributedTo <{BASE}id/person/ada>."),
    Case("claim in a source's own voice, supported elsewhere",
         f"{MADE_UP_DOC} claim:x a lpo:Claim ; lpo:claimedBy doc:other ; schema:about person:ada ; lpo:supportedBy {SP_HEDGE} .",
         "ClaimShape", "id/claim/x",
         f"A claim in the source's own voice (lpo:claimedBy <{BASE}id/document/other>) is supported by a span of that "
         "source."),
    Case("claim with two subjects", "claim:council-agrees rdf:subject person:ada , organization:council ; "
         "rdf:predicate lpo:status ; rdf:object lpo:Received .",
         "ClaimShape", "id/claim/council-agrees",
         "A claim asserts at most one relation: at most one rdf:subject.", RDF + "subject"),
    Case("claim whose predicate is a string", 'claim:council-agrees rdf:subject person:ada ; rdf:predicate "status" ; rdf:object lpo:Received .',
         "ClaimShape", "id/claim/council-agrees",
         "A claim asserts at most one relation: at most one rdf:predicate, a property IRI.", RDF + "predicate"),
    Case("claim with two objects", "claim:council-agrees rdf:subject person:ada ; rdf:predicate lpo:status ; "
         "rdf:object lpo:Received , lpo:Sent .",
         "ClaimShape", "id/claim/council-agrees",
         "A claim asserts at most one relation: at most one rdf:object.", RDF + "object"),
    Case("claim expressed by a letter", "claim:council-agrees lpo:expressedBy letter:to-council .",
         "ClaimShape", "id/claim/council-agrees",
         "The quote a claim is made in (lpo:expressedBy) is an lpo:Quote.", LPO + "expressedBy"),
    Case("claim holding a letter responsible", "claim:council-agrees lpo:holdsResponsible letter:to-council .",
         "ClaimShape", "id/claim/council-agrees",
         "Whom a claim holds responsible (lpo:holdsResponsible) is an agent (prov:Agent).", LPO + "holdsResponsible"),
    Case("quality not tagged", 'claim:council-agrees lpo:attributesQuality "capable" .',
         "ClaimShape", "id/claim/council-agrees",
         "A quality a claim ascribes (lpo:attributesQuality) is the claimant's words tagged @en.",
         LPO + "attributesQuality"),
    Case("claim asserting a literal event", 'claim:council-agrees lpo:assertsEvent "they agreed" .',
         "ClaimShape", "id/claim/council-agrees",
         "What a claim says took place (lpo:assertsEvent) is an event or act described in the graph, not a literal.",
         LPO + "assertsEvent"),
    Case("claim asserting nothing", f"claim:x a lpo:Claim ; lpo:claimedBy doc:w ; lpo:supportedBy {SP_HEDGE} .",
         "ClaimContentShape", "id/claim/x",
         "A claim says in structure, not only in words, what it is about (schema:about) or what it asserts: a relation "
         "(rdf:subject, rdf:predicate, rdf:object), an event (lpo:assertsEvent), whom it holds responsible "
         "(lpo:holdsResponsible) or a quality (lpo:attributesQuality)."),
    Case("evidence for a relation the graph does not assert",
         f"<id/evidence/w-1> a lpo:Evidence ; rdf:subject communication:letter ; rdf:predicate lpo:addressee ; "
         f"rdf:object person:ada ; lpo:supportedBy {SP_WROTE} .",
         "RelationEvidenceShape", "id/evidence/w-1",
         "This is evidence for a relation the graph does not assert: a relation that only a claim reports belongs "
         "inside that claim (rdf:subject, rdf:predicate, rdf:object on the lpo:Claim), not in evidence."),
    Case("evidence without a span",
         "<id/evidence/w-2> a lpo:Evidence ; rdf:subject communication:letter ; rdf:predicate lpo:sender ; "
         "rdf:object person:ada .",
         "RelationEvidenceShape", "id/evidence/w-2",
         "Evidence for a relation links the span(s) of text that say it (lpo:supportedBy).", LPO + "supportedBy"),
    Case("evidence for two relations at once",
         f"<id/evidence/w-3> a lpo:Evidence ; rdf:subject communication:letter ; rdf:predicate lpo:sender , lpo:addressee ; "
         f"rdf:object person:ada ; lpo:supportedBy {SP_WROTE} .",
         "RelationEvidenceShape", "id/evidence/w-3",
         "Evidence for a relation names exactly one rdf:predicate, a property IRI.", RDF + "predicate"),
    Case("claim with half a relation", "claim:council-agrees rdf:subject letter:to-council ; rdf:predicate lpo:status .",
         "ClaimRelationShape", "id/claim/council-agrees",
         "A claim that asserts a relation gives all three of rdf:subject, rdf:predicate and rdf:object."),
    Case("hedged claim without hedge",
         f"claim:x a lpo:HedgedClaim ; lpo:claimedBy doc:w ; schema:about letter:to-council ; lpo:supportedBy {SP_HEDGE} .",
         "HedgedClaimShape", "id/claim/x",
         "A hedged claim keeps its hedge (lpo:hedge), the source's words such as \"appeared to\"@en.", LPO + "hedge"),
    Case("hedge not tagged", 'claim:council-agrees lpo:hedge "appeared" .',
         "HedgedClaimShape", "id/claim/council-agrees",
         "A hedge (lpo:hedge) is the source's words tagged @en.", LPO + "hedge"),
    Case("hedge not in the text",
         f'claim:x a lpo:HedgedClaim ; lpo:claimedBy doc:w ; lpo:hedge "seemed to"@en ; schema:about letter:to-council ; '
         f"lpo:supportedBy {SP_HEDGE} .",
         "HedgedClaimShape", "id/claim/x",
         "The hedge \"seemed to\" does not occur in the source text of any span that supports the claim: keep the "
         "source's own words."),

    # --- times
    Case("time without phrase", f"when:x a lpo:TimeExpression ; lpo:precision lpo:precisionYear ; "
         f'time:inXSDgYear "2020"^^xsd:gYear ; lpo:supportedBy {SP_MARCH} .',
         "TimeExpressionShape", "id/time/x",
         "A time keeps the text's own phrase for it (lpo:phrase), exactly once, such as \"late November\"@en.",
         LPO + "phrase"),
    Case("time phrase not tagged", 'when:march-2020 lpo:phrase "March" .',
         "TimeExpressionShape", "id/time/march-2020",
         "A time's lpo:phrase is the text's words tagged @en.", LPO + "phrase"),
    Case("time without precision", f'when:x a lpo:TimeExpression ; lpo:phrase "2020"@en ; '
         f'time:inXSDgYear "2020"^^xsd:gYear ; lpo:supportedBy {SP_MARCH} .',
         "TimeExpressionShape", "id/time/x",
         "A time states the precision the text gives it (lpo:precision), exactly once: lpo:precisionDay, "
         "lpo:precisionMonth, lpo:precisionPartOfMonth, lpo:precisionYear or lpo:precisionRelative.",
         LPO + "precision"),
    Case("precision that is not a precision", "when:march-2020 lpo:precision lpo:late .",
         "TimeExpressionShape", "id/time/march-2020",
         "A time's lpo:precision is one of lpo:precisionDay, lpo:precisionMonth, lpo:precisionPartOfMonth, "
         "lpo:precisionYear, lpo:precisionRelative.", LPO + "precision"),
    Case("impossible date", 'when:x a lpo:TimeExpression ; lpo:phrase "May 4"@en ; lpo:precision lpo:precisionDay ; '
         f'time:inXSDDate "2020-05-34"^^xsd:date ; lpo:supportedBy {SP_MAY} .',
         "TimeExpressionShape", "id/time/x",
         "A time has at most one time:inXSDDate, a valid xsd:date such as \"2017-12-03\"^^xsd:date.",
         TIME + "inXSDDate"),
    Case("month given as a string", 'when:march-2020 time:inXSDgYearMonth "2020-03" .',
         "TimeExpressionShape", "id/time/march-2020",
         "A time has at most one time:inXSDgYearMonth, a valid xsd:gYearMonth such as \"2017-11\"^^xsd:gYearMonth.",
         TIME + "inXSDgYearMonth"),
    Case("year given as an integer", 'when:x a lpo:TimeExpression ; lpo:phrase "2020"@en ; lpo:precision lpo:precisionYear ; '
         f'time:inXSDgYear 2020 ; lpo:supportedBy {SP_MARCH} .',
         "TimeExpressionShape", "id/time/x",
         "A time has at most one time:inXSDgYear, a valid xsd:gYear such as \"2008\"^^xsd:gYear.", TIME + "inXSDgYear"),
    Case("time with two date descriptions", 'when:may-4 time:inDateTime [ time:month "--05"^^xsd:gMonth ] .',
         "TimeExpressionShape", "id/time/may-4",
         "A time has at most one time:inDateTime, a time:DateTimeDescription holding the parts the text states.",
         TIME + "inDateTime"),
    Case("part of a month that is not one", "when:march-2020 lpo:partOfMonth lpo:precisionDay ; lpo:precision lpo:precisionPartOfMonth .",
         "TimeExpressionShape", "id/time/march-2020",
         "A time names at most one part of a month (lpo:partOfMonth): lpo:early, lpo:mid or lpo:late.",
         LPO + "partOfMonth"),
    Case("inference that is not an inference", "when:march-2020 lpo:inference person:ada .",
         "TimeExpressionShape", "id/time/march-2020",
         "A time has at most one inferred value (lpo:inference), an lpo:Inference with its value and basis.",
         LPO + "inference"),
    Case("time without evidence", 'when:x a lpo:TimeExpression ; lpo:phrase "2020"@en ; lpo:precision lpo:precisionYear ; '
         'time:inXSDgYear "2020"^^xsd:gYear .',
         "TimeExpressionShape", "id/time/x",
         "A time rests on the text: link the span that gives it (lpo:supportedBy).", LPO + "supportedBy"),
    Case("day precision without a day", f'when:x a lpo:TimeExpression ; lpo:phrase "March 2020"@en ; '
         f'lpo:precision lpo:precisionDay ; lpo:supportedBy {SP_MARCH} .',
         "TimeExpressionShape", "id/time/x",
         "The time is given to the day (lpo:precisionDay) but states no day: give time:inXSDDate, or time:inDateTime "
         "with time:month and time:day when the text omits the year."),
    Case("month precision without a month", f'when:x a lpo:TimeExpression ; lpo:phrase "March 2020"@en ; '
         f'lpo:precision lpo:precisionMonth ; lpo:supportedBy {SP_MARCH} .',
         "TimeExpressionShape", "id/time/x",
         "The time is given to the month (lpo:precisionMonth or lpo:precisionPartOfMonth) but states no month: give "
         "time:inXSDgYearMonth, or time:inDateTime with time:month when the text omits the year."),
    Case("year precision without a year", f'when:x a lpo:TimeExpression ; lpo:phrase "2020"@en ; '
         f'lpo:precision lpo:precisionYear ; lpo:supportedBy {SP_MARCH} .',
         "TimeExpressionShape", "id/time/x",
         "The time is given to the year (lpo:precisionYear) but states no year: give time:inXSDgYear."),
    Case("a day invented for a month", 'when:march-2020 time:inXSDDate "2020-03-01"^^xsd:date .',
         "TimeExpressionShape", "id/time/march-2020",
         f"The time states a value (2020-03-01) more precise than, or not matching, its precision <{LPO}precisionMonth>: "
         "a day is an xsd:date or a time:day, a month or part of one an xsd:gYearMonth or a time:month, a year an "
         "xsd:gYear; never invent precision the text does not give."),
    Case("a month given for a year", f'when:x a lpo:TimeExpression ; lpo:phrase "2020"@en ; lpo:precision lpo:precisionYear ; '
         f'time:inXSDgYear "2020"^^xsd:gYear ; time:inXSDgYearMonth "2020-03"^^xsd:gYearMonth ; lpo:supportedBy {SP_MARCH} .',
         "TimeExpressionShape", "id/time/x",
         f"The time states a value (2020-03) more precise than, or not matching, its precision <{LPO}precisionYear>: "
         "a day is an xsd:date or a time:day, a month or part of one an xsd:gYearMonth or a time:month, a year an "
         "xsd:gYear; never invent precision the text does not give."),
    Case("part of a month not named", "when:march-2020 lpo:precision lpo:precisionPartOfMonth .",
         "TimeExpressionShape", "id/time/march-2020",
         "A time given as a part of a month (lpo:precisionPartOfMonth) names that part with lpo:partOfMonth, and only "
         "such a time does."),
    Case("part of a month on a month", "when:march-2020 lpo:partOfMonth lpo:early .",
         "TimeExpressionShape", "id/time/march-2020",
         "A time given as a part of a month (lpo:precisionPartOfMonth) names that part with lpo:partOfMonth, and only "
         "such a time does."),
    Case("stated month as a string", 'when:x a lpo:TimeExpression ; lpo:phrase "March 2020"@en ; lpo:precision lpo:precisionMonth ; '
         f'time:inDateTime _:d ; lpo:supportedBy {SP_MARCH} . _:d time:month "03" .',
         "DateTimeDescriptionShape", None,
         "A date's stated month (time:month) is one xsd:gMonth such as \"--11\"^^xsd:gMonth.", TIME + "month"),
    Case("stated day as an integer", 'when:may-4 time:inDateTime _:d . _:d time:day 4 .',
         "DateTimeDescriptionShape", None,
         "A date's stated day (time:day) is one xsd:gDay such as \"---02\"^^xsd:gDay.", TIME + "day"),
    Case("stated year as a string", 'when:may-4 time:inDateTime _:d . _:d time:year "2020" .',
         "DateTimeDescriptionShape", None,
         "A date's stated year (time:year) is one xsd:gYear such as \"2017\"^^xsd:gYear.", TIME + "year"),
    Case("date description that states nothing", 'when:may-4 time:inDateTime _:d . _:d a time:DateTimeDescription .',
         "DateTimeDescriptionShape", None,
         "A date description (time:inDateTime) states at least one part: time:year, time:month or time:day.",
         TIME + "year|" + TIME + "month|" + TIME + "day"),

    # --- inferences
    Case("inference without value",
         "inference:x a lpo:Inference ; lpo:basis when:march-2020 . when:march-2020 lpo:inference inference:x .",
         "InferenceShape", "id/inference/x", "An inference has exactly one value (lpo:inferredValue).",
         LPO + "inferredValue"),
    Case("inferred value as a string", 'inference:may-4-year lpo:inferredValue "2020-05-04" .',
         "InferenceShape", "id/inference/may-4-year",
         "An inferred value (lpo:inferredValue) is a valid xsd:date, xsd:gYearMonth or xsd:gYear.",
         LPO + "inferredValue"),
    Case("inference without basis",
         'inference:x a lpo:Inference ; lpo:inferredValue "2020"^^xsd:gYear . when:y lpo:inference inference:x .',
         "InferenceShape", "id/inference/x",
         "An inference always carries its basis (lpo:basis): the resource or the span of text it rests on.",
         LPO + "basis"),
    Case("basis as a string", 'inference:may-4-year lpo:basis "the memo" .',
         "InferenceShape", "id/inference/may-4-year",
         "An inference's basis (lpo:basis) is a resource of the dataset or a text span, not a literal.", LPO + "basis"),
    Case("inference about nothing",
         'inference:x a lpo:Inference ; lpo:inferredValue "2020"^^xsd:gYear ; lpo:basis when:march-2020 .',
         "InferenceShape", "id/inference/x",
         "An inference is an inference about something: link it from what it is about with lpo:inference.",
         "^" + LPO + "inference"),
    Case("inferred day contradicting the stated day",
         'when:x a lpo:TimeExpression ; lpo:phrase "May 4"@en ; lpo:precision lpo:precisionDay ; '
         'time:inDateTime [ time:month "--05"^^xsd:gMonth ; time:day "---04"^^xsd:gDay ] ; lpo:inference inference:x ; '
         f'lpo:supportedBy {SP_MAY} . inference:x a lpo:Inference ; lpo:inferredValue "2020-05-05"^^xsd:date ; '
         "lpo:basis when:march-2020 .",
         "InferenceShape", "id/inference/x",
         "The inferred value 2020-05-05 contradicts what the text states (---04): an inference only adds what the "
         "text omits."),
    Case("inferred month contradicting the stated month",
         'when:x a lpo:TimeExpression ; lpo:phrase "May 4"@en ; lpo:precision lpo:precisionDay ; '
         'time:inDateTime [ time:month "--05"^^xsd:gMonth ; time:day "---04"^^xsd:gDay ] ; lpo:inference inference:x ; '
         f'lpo:supportedBy {SP_MAY} . inference:x a lpo:Inference ; lpo:inferredValue "2020-06-04"^^xsd:date ; '
         "lpo:basis when:march-2020 .",
         "InferenceShape", "id/inference/x",
         "The inferred value 2020-06-04 contradicts what the text states (--05): an inference only adds what the "
         "text omits."),
    Case("inferred value more precise than the time",
         'when:march-2020 lpo:inference inference:x . '
         'inference:x a lpo:Inference ; lpo:inferredValue "2020-03-02"^^xsd:date ; lpo:basis when:may-4 .',
         "InferenceShape", "id/inference/x",
         f"The inferred value 2020-03-02 is more or less precise than the time it is for (<{LPO}precisionMonth>): "
         "infer a day as xsd:date, a month or part of one as xsd:gYearMonth, a year as xsd:gYear."),

    # --- concepts and labels
    Case("status minted as a blank node", '[] a lpo:Status ; rdfs:label "lost"@en ; rdfs:isDefinedBy <ontology> .',
         "ConceptShape", None,
         "A precision, part of a month, status or medium is one of the ontology's named concepts (an IRI), not a "
         "blank node."),
    Case("medium without label", "<id/medium/pigeon> a lpo:Medium ; rdfs:isDefinedBy <ontology> .",
         "ConceptShape", "id/medium/pigeon", "A concept needs a label (rdfs:label), tagged @en.", RDFS + "label"),
    Case("medium with two English preferred labels",
         '<id/medium/pigeon> a lpo:Medium ; rdfs:label "pigeon"@en ; skos:prefLabel "pigeon"@en , "dove"@en ; '
         "rdfs:isDefinedBy <ontology> .",
         "ConceptShape", "id/medium/pigeon",
         "A concept's skos:prefLabel is tagged @en, at most one per language.", SKOS + "prefLabel"),
    Case("status minted in data", '<id/status/lost> a lpo:Status ; rdfs:label "lost"@en .',
         "ConceptShape", "id/status/lost",
         "A concept says where it is defined (rdfs:isDefinedBy <ontology>): use the ontology's concepts, do not "
         "mint new ones in data.", RDFS + "isDefinedBy"),
    Case("label without language", 'letter:to-council rdfs:label "the letter" .',
         "LabelShape", "id/letter/to-council", "An rdfs:label is text tagged @en.", RDFS + "label"),
    Case("two English labels", 'role:mayor rdfs:label "the mayor"@en .',
         "LabelShape", "id/role/mayor", "A resource has at most one rdfs:label per language.", RDFS + "label"),
    Case("phrase not in the text",
         f'agent:aide a lpo:UnnamedAgent ; lpo:phrase "an aide"@en ; lpo:supportedBy {SP_ADA} .',
         "PhraseShape", "id/agent/aide",
         "The phrase \"an aide\" does not occur in the source text of any span that supports this resource: lpo:phrase "
         "keeps the text's own words, and lpo:supportedBy links the span where they stand."),
]


def path_of(problem: Problem, shapes_graph: rdflib.Graph) -> str | None:
    """A result's path as written in the shapes: an IRI, `^IRI` for an inverse path, `a|b` for alternatives."""
    if problem.path is None or not problem.path.startswith("_:"):
        return problem.path
    node = rdflib.BNode(problem.path[2:])
    inverse = shapes_graph.value(node, SH.inversePath)
    if inverse is not None:
        return f"^{inverse}"
    alternatives = shapes_graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "|".join(str(a) for a in rdflib.collection.Collection(shapes_graph, alternatives))
    return problem.path


def matches(problem: Problem, case: Case, shapes_graph: rdflib.Graph) -> bool:
    return (problem.message == case.message
            and (case.focus is None or problem.focus == BASE + case.focus)
            and path_of(problem, shapes_graph) == case.path
            and problem.severity == case.severity
            and (problem.shape or "").split(" ")[0] == SHAPES + case.shape)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_mistake_gets_the_message_its_shape_promises(check, validator, case):
    problems = check(world_turtle() + PREFIXES + case.turtle)
    assert any(matches(p, case, validator.shapes) for p in problems), f"expected:\n{case}\ngot:\n{shown(problems)}"


def test_cases_have_unique_names():
    assert len({c.id for c in CASES}) == len(CASES)


# --- things that must pass ----------------------------------------------------------------------------


def test_an_unnamed_person_needs_no_name_and_a_named_one_keeps_it(check):
    unnamed = (f'person:aide a lpo:UnnamedAgent , schema:Person , foaf:Person ; lpo:phrase "Ada"@en ; '
               f"lpo:supportedBy {SP_ADA} .")
    assert check(world_turtle() + PREFIXES + unnamed) == []


def test_a_part_of_a_month_with_its_part_and_month_is_valid(check):
    late = (f'when:late-march a lpo:TimeExpression ; lpo:phrase "March"@en ; lpo:precision lpo:precisionPartOfMonth ; '
            f'lpo:partOfMonth lpo:late ; time:inDateTime [ time:month "--03"^^xsd:gMonth ] ; lpo:inference inference:lm ; '
            f'lpo:supportedBy {SP_MARCH} . inference:lm a lpo:Inference ; lpo:inferredValue "2020-03"^^xsd:gYearMonth ; '
            f"lpo:basis when:march-2020 .")
    assert check(world_turtle() + PREFIXES + late) == []


def documents(folder: Path) -> list:
    return discover_documents(folder, NAMES)


def test_the_project_data_and_the_made_up_document_are_valid(validator, ontology):
    started = time.monotonic()
    entailments = Entailments(ontology, NAMES.lpo)
    sources = [*documents(ROOT / "data"), *documents(ROOT / "tests" / "fixtures" / "data")]
    assert len(sources) >= 2
    triples = list(ontology)
    for source in sources:
        triples.extend(entailments.enrich(read_source(source, NAMES)))
    assert shown(validator.check(triples)) == "no problems"
    assert time.monotonic() - started < 20


# --- the shapes graph itself --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes_graph(validator) -> rdflib.Graph:
    return validator.shapes


NODE_LEVEL = (SH["class"], SH.datatype, SH.nodeKind, SH["or"], SH["and"], SH["not"], SH.xone, SH["in"],
              SH.hasValue, SH.pattern, SH.node, SH.closed)


def node_shapes(graph: rdflib.Graph) -> set:
    return set(graph.subjects(rdflib.RDF.type, SH.NodeShape))


def test_every_constraint_has_a_message(shapes_graph):
    missing = []
    shapes = node_shapes(shapes_graph)
    for holder, prop in shapes_graph.subject_objects(SH.property):
        # (property shapes inside a node-level sh:or are parts of one constraint, told by the node shape's message)
        if holder in shapes and shapes_graph.value(prop, SH.message) is None:
            missing.append(f"property shape on {shapes_graph.value(prop, SH.path)}")
    for constraint in shapes_graph.objects(None, SH.sparql):
        if shapes_graph.value(constraint, SH.message) is None:
            missing.append(f"SPARQL constraint {shapes_graph.value(constraint, SH.select)[:80]}")
    for shape in node_shapes(shapes_graph):
        if any(shapes_graph.value(shape, p) is not None for p in NODE_LEVEL) and shapes_graph.value(shape, SH.message) is None:
            missing.append(f"node shape {shape}")
    assert missing == []


def test_every_message_is_english_text(shapes_graph):
    for message in shapes_graph.objects(None, SH.message):
        assert message.language == "en", message


def test_every_node_shape_is_named_labelled_and_tested(shapes_graph):
    tested = {SHAPES + c.shape for c in CASES}
    for shape in node_shapes(shapes_graph):
        assert str(shape).startswith(SHAPES), f"{shape} is not named under <shapes#>, so it does not dereference"
        assert shapes_graph.value(shape, rdflib.RDFS.label) is not None, f"{shape} has no rdfs:label"
        assert shapes_graph.value(shape, rdflib.RDFS.comment) is not None, f"{shape} has no rdfs:comment"
        assert str(shape) in tested, f"{shape} has no negative test"


def test_the_shapes_graph_describes_itself_and_imports_the_ontology(shapes_graph):
    shapes = rdflib.URIRef(NAMES.shapes)
    assert (shapes, rdflib.RDF.type, rdflib.OWL.Ontology) in shapes_graph
    assert (shapes, rdflib.OWL.imports, rdflib.URIRef(NAMES.ontology)) in shapes_graph
    assert shapes_graph.value(shapes, rdflib.RDFS.label) is not None
    declared = {str(shapes_graph.value(d, SH.prefix)): str(shapes_graph.value(d, SH.namespace))
                for d in shapes_graph.objects(shapes, SH.declare)}
    assert declared["lpo"] == NAMES.lpo, "the relative sh:namespace resolves against the base"


def test_every_class_the_data_uses_has_a_shape(shapes_graph):
    """Each lpo class (and each selector class) that the project's data or the fixture types a resource with is
    the target of a shape of its own."""
    targeted = {str(c) for c in shapes_graph.objects(None, SH.targetClass)}
    used = set()
    for source in [*documents(ROOT / "data"), *documents(ROOT / "tests" / "fixtures" / "data")]:
        for t in read_source(source, NAMES):
            if t.predicate.value == RDF + "type" and (t.object.value.startswith(LPO) or t.object.value.startswith(OA)):
                used.add(t.object.value)
    used.discard(OA + "SpecificResource")   # every span is one; TextSpanShape targets lpo:TextSpan
    assert sorted(used - targeted) == []


def test_no_shape_mentions_the_default_base():
    """The base is a build setting: the shapes are written with relative IRIs only."""
    for path in (ROOT / "shapes").glob("*.ttl"):
        assert "localhost:8080" not in re.sub(r"^#.*$", "", path.read_text(encoding="utf-8"), flags=re.M), path
