"""Which passage supports which relation: competency questions a fact-checker asks of one triple, not of a
whole resource, and the facts the text does not state kept out of the graph.

Evidence for a relation is an `lpo:Evidence` resource (standard RDF reification of a triple the graph
asserts) with `lpo:supportedBy` the spans that say it; one SPARQL query answers each question.
"""

from __future__ import annotations

import pytest

from .test_competency import TEXT, column, one, pairs

LETTER = "id/communication/pompeo-sends-letter-to-soleimani"
MESSAGE_2008 = "id/communication/2008-soleimani-message-to-petraeus"
EVIDENCE = """
    SELECT ?predicate ?object ?exact ?start ?end WHERE {{
      ?evidence a lpo:Evidence ; rdf:subject <{subject}> ; rdf:predicate ?predicate ; rdf:object ?object ;
                lpo:supportedBy ?span .
      ?span oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?exact ] ,
                           [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] .
    }}"""


def supports(sparql, subject: str) -> dict[tuple[str, str], set[str]]:
    """(predicate, object) -> the exact texts of the spans that support that relation of `subject`."""
    found: dict[tuple[str, str], set[str]] = {}
    for row in sparql(EVIDENCE.format(subject=subject)):
        assert TEXT[int(row["start"]):int(row["end"])] == row["exact"], row
        key = (row["predicate"].replace("http://localhost:8080/ontology#", "lpo:")
               .replace("http://www.w3.org/2006/time#", "time:"), row["object"])
        found.setdefault(key, set()).add(row["exact"])
    return {(p, o.replace("http://localhost:8080/", "")): texts for (p, o), texts in found.items()}


LETTER_RELATIONS = {
        ("lpo:sender", "id/person/mike-pompeo"): {
            "Mike Pompeo said that he sent a letter", "I sent a note to Qassem Soleimani", "DCIA Pompeo: Sent letter"},
        ("lpo:senderCapacity", "id/membership/mike-pompeo-director-cia"): {
            "Central Intelligence Agency Director Mike Pompeo said that he sent a letter", "DCIA Pompeo: Sent letter"},
        ("lpo:addressee", "id/person/qassem-soleimani"): {
            "he sent a letter to the commander of Iran’s Revolutionary Guards Qods Force, Major General Qassem "
            "Soleimani", "I sent a note to Qassem Soleimani", "Sent letter to General Soleimani"},
        ("lpo:medium", "ontology#LetterMedium"): {"he sent a letter", "Sent letter"},
        ("lpo:conveys", "id/letter/2017-11-pompeo-letter-to-soleimani"): {
            "he sent a letter", "I sent a note", "Sent letter"},
        ("lpo:status", "ontology#Sent"): {
            "Mike Pompeo said that he sent a letter", "I sent a note to Qassem Soleimani", "DCIA Pompeo: Sent letter"},
}
MESSAGE_2008_RELATIONS = {
        ("lpo:sender", "id/person/qassem-soleimani"): {"Soleimani conveyed a message", "I, Qassem Soleimani"},
        ("lpo:addressee", "id/person/david-petraeus"): {
            "to General David Petraeus", "General Petraeus, you should be aware"},
        ("lpo:intermediary", "id/person/iraqi-official-2008"): {"through an Iraqi official"},
        ("lpo:medium", "ontology#IntermediaryMedium"): {"conveyed a message through an Iraqi official"},
        ("lpo:occasion", "id/event/2008-fight-between-iraqi-security-forces-and-shiite-militias"): {
            "in the midst of a fight between Iraqi Security Forces and Iran-backed Shiite militias"},
        ("lpo:conveys", "id/message/2008-soleimani-message-to-petraeus"): {"conveyed a message"},
        ("time:hasTime", "id/time/2008"): {"In 2008"},
}


def test_which_passages_support_each_relation_of_the_letters_sending(sparql):
    assert supports(sparql, LETTER) == LETTER_RELATIONS


def test_which_passages_support_each_relation_of_the_2008_message(sparql):
    assert supports(sparql, MESSAGE_2008) == MESSAGE_2008_RELATIONS


PREFIXES = {"lpo:": "http://localhost:8080/ontology#", "time:": "http://www.w3.org/2006/time#"}
ONE_RELATION = [(act, p, o, texts)
                for act, relations in ((LETTER, LETTER_RELATIONS), (MESSAGE_2008, MESSAGE_2008_RELATIONS))
                for (p, o), texts in relations.items()]


@pytest.mark.parametrize("act, predicate, obj, texts", ONE_RELATION,
                         ids=[f"{a.rsplit('/', 1)[-1]}-{p}" for a, p, _, _ in ONE_RELATION])
def test_one_query_returns_exactly_the_spans_of_one_relation(sparql, act, predicate, obj, texts):
    """The fact-checker's question, for one relation at a time: which passages say it?"""
    full = PREFIXES[predicate.split(":")[0] + ":"] + predicate.split(":", 1)[1]
    rows = sparql(f"""
        SELECT ?span ?exact WHERE {{
          ?e rdf:subject <{act}> ; rdf:predicate <{full}> ; rdf:object <{obj}> ; lpo:supportedBy ?span .
          ?span oa:hasSelector/oa:exact ?exact .
        }}""")
    assert column(rows, "exact") == texts
    assert len(rows) == len(texts)


def test_which_sentence_says_pompeo_sent_it_as_cia_director(sparql):
    rows = sparql(f"""
        SELECT ?exact ?office ?org WHERE {{
          <{LETTER}> lpo:senderCapacity ?m .
          ?m org:role/skos:prefLabel ?office ; org:organization ?org .
          ?e rdf:subject <{LETTER}> ; rdf:predicate lpo:senderCapacity ; rdf:object ?m ;
             lpo:supportedBy/oa:hasSelector/oa:exact ?exact .
        }}""")
    assert {(r["exact"], r["office"]) for r in rows} == {
        ("Central Intelligence Agency Director Mike Pompeo said that he sent a letter", "Director"),
        ("DCIA Pompeo: Sent letter", "Director")}
    assert column(rows, "org") == {"id/organization/cia"}


def test_which_sentence_ties_petraeus_remarks_to_the_washington_post(sparql):
    rows = sparql("""
        SELECT ?exact WHERE {
          ?quote prov:wasAttributedTo <id/person/david-petraeus> ; prov:wasGeneratedBy ?act .
          ?e rdf:subject ?act ; rdf:predicate lpo:addressee ; rdf:object <id/organization/the-washington-post> ;
             lpo:supportedBy/oa:hasSelector/oa:exact ?exact .
        }""")
    assert column(rows, "exact") == {"in an interview with The Washington Post"}


def test_which_passages_attest_pompeo_as_cia_director_and_when(sparql):
    rows = sparql("""
        SELECT ?time ?exact WHERE {
          ?m org:member <id/person/mike-pompeo> ; org:organization <id/organization/cia> ; lpo:attestedAt ?time .
          ?e rdf:subject ?m ; rdf:predicate lpo:attestedAt ; rdf:object ?time ;
             lpo:supportedBy/oa:hasSelector/oa:exact ?exact .
        }""")
    assert pairs(rows, "time", "exact") == {
        ("id/time/december-2", "On December 2, Central Intelligence Agency Director Mike Pompeo"),
        ("id/time/2017-12-03", "DCIA Pompeo"),
        ("id/time/2017-12-03", "— CIA (@CIA) December 3, 2017"),
    }


def test_every_evidence_is_for_a_relation_the_graph_asserts(sparql):
    assert sparql("SELECT (COUNT(*) AS ?n) WHERE { ?e a lpo:Evidence }")[0]["n"] != "0"
    assert sparql("""
        SELECT ?e WHERE {
          ?e a lpo:Evidence ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          FILTER NOT EXISTS { ?s ?p ?o }
        }""") == []


def test_evidence_is_standard_reification_an_rdf_1_1_client_reads(sparql):
    assert sparql("""ASK {
        ?e a rdf:Statement , prov:Entity ; rdf:subject <id/communication/pompeo-sends-letter-to-soleimani> ;
           rdf:predicate lpo:sender ; rdf:object <id/person/mike-pompeo> ; rdfs:label ?label .
    }""")


# --- Only what the text says --------------------------------------------------------------------------------

def test_no_refusal_has_an_addressee_the_text_does_not_give(sparql):
    assert sparql("SELECT ?r ?a WHERE { ?r a lpo:Refusal ; lpo:addressee ?a }") == []
    assert sparql("SELECT ?r ?a WHERE { ?r a lpo:Refusal ; schema:recipient ?a }") == []


def test_iranian_leaders_are_an_addressee_only_in_the_cia_posts_claim(sparql):
    assert sparql("ASK { ?act lpo:addressee <id/group/iranian-leaders> }") is False
    assert sparql("ASK { ?letter schema:recipient <id/group/iranian-leaders> }") is False
    row = one(sparql("""
        SELECT ?claim ?claimant ?relay ?exact WHERE {
          ?claim rdf:subject <id/communication/pompeo-sends-letter-to-soleimani> ; rdf:predicate lpo:addressee ;
                 rdf:object <id/group/iranian-leaders> ; lpo:claimedBy ?claimant ; lpo:reportedBy ?relay ;
                 lpo:supportedBy/oa:hasSelector/oa:exact ?exact .
        }"""))
    assert row == {"claim": "id/claim/cia-letter-also-to-iranian-leaders", "claimant": "id/person/mike-pompeo",
                   "relay": "id/organization/cia", "exact": "Sent letter to General Soleimani & Iranian leaders"}


def test_pompeos_own_account_names_soleimani_alone_as_addressee(sparql):
    rows = sparql("""
        SELECT DISTINCT ?addressee WHERE {
          ?quote prov:wasAttributedTo <id/person/mike-pompeo> ;
                 prov:wasGeneratedBy <id/communication/pompeo-remarks-at-reagan-national-defense-forum> .
          <id/communication/pompeo-remarks-at-reagan-national-defense-forum> schema:about ?letter .
          ?act lpo:conveys ?letter ; lpo:addressee ?addressee .
        }""")
    assert column(rows, "addressee") == {"id/person/qassem-soleimani"}


def test_which_iranian_effort_continues_to_increase(sparql):
    rows = sparql("""
        SELECT ?effort ?exact WHERE {
          ?claim lpo:claimedBy <id/person/mike-pompeo> ; rdf:subject ?effort ; rdf:predicate lpo:trend ;
                 rdf:object lpo:Increasing ; lpo:supportedBy/oa:hasSelector/oa:exact ?exact .
        }""")
    assert pairs(rows, "effort", "exact") == {(
        "id/event/iranian-effort-to-be-hegemonic-power",
        "to see the Iranians’ effort to be the hegemonic power throughout the Middle East continues to increase")}


def test_one_claim_per_proposition_about_the_iranians(sparql):
    rows = sparql("""
        SELECT ?claim (COUNT(?event) AS ?n) WHERE {
          ?claim lpo:claimedBy <id/person/mike-pompeo> ; schema:about <id/group/the-iranians> ;
                 lpo:assertsEvent ?event .
        } GROUP BY ?claim""")
    assert pairs(rows, "claim", "n") == {
        ("id/claim/pompeo-iranians-exert-influence-in-iraq", "1"),
        ("id/claim/pompeo-iranian-hegemonic-effort-increasing", "1")}


def test_where_pompeo_says_the_news_story_drew_attention(sparql):
    row = one(sparql("""
        SELECT ?place ?how WHERE {
          ?claim lpo:claimedBy <id/person/mike-pompeo> ; rdf:subject <id/work/news-story-mentioned-by-pompeo> ;
                 rdf:predicate lpo:drewAttentionIn ; rdf:object ?place ; lpo:attributesQuality ?how .
        }"""))
    assert row == {"place": "id/place/iran", "how": "a lot"}


def test_where_soleimani_often_traveled(sparql):
    row = one(sparql("""
        SELECT ?destination ?name ?war WHERE {
          ?trip a schema:TravelAction ; schema:agent <id/person/qassem-soleimani> ; schema:toLocation ?destination ;
                schema:superEvent ?war .
          ?destination a schema:Place ; schema:name ?name .
        }"""))
    assert row == {"destination": "id/place/front-lines-of-the-fight-against-isis",
                   "name": "front lines of the fight against ISIS", "war": "id/event/fight-against-isis"}


def test_a_schema_org_client_finds_the_evidence_through_the_ontology(sparql):
    """Evidence is attached to the relation as authored (lpo:addressee); the schema:recipient the build entails
    from it shares that evidence through rdfs:subPropertyOf, which the published ontology states."""
    rows = sparql(f"""
        SELECT ?exact WHERE {{
          <{LETTER}> schema:recipient ?who .
          ?e rdf:subject <{LETTER}> ; rdf:predicate ?p ; rdf:object ?who ;
             lpo:supportedBy/oa:hasSelector/oa:exact ?exact .
          ?p rdfs:subPropertyOf* schema:recipient .
        }}""")
    assert column(rows, "exact") == {
        "he sent a letter to the commander of Iran’s Revolutionary Guards Qods Force, Major General Qassem Soleimani",
        "I sent a note to Qassem Soleimani", "Sent letter to General Soleimani"}


def test_every_act_the_article_reports_has_evidence_for_its_sender(sparql):
    rows = sparql("""
        SELECT ?act ?sender ?exact WHERE {
          VALUES ?act { <id/communication/pompeo-sends-letter-to-soleimani>
                        <id/communication/pompeo-remarks-at-reagan-national-defense-forum>
                        <id/communication/cia-posts-2017-12-03> <id/communication/press-tv-posts-2017-11-16>
                        <id/communication/golpayegani-statement-to-fars-news-agency>
                        <id/communication/soleimani-sends-letter-to-khamenei>
                        <id/communication/rouhani-praises-soleimani>
                        <id/communication/2008-soleimani-message-to-petraeus>
                        <id/communication/2015-petraeus-interview-with-the-washington-post> }
          ?act lpo:sender ?sender .
          OPTIONAL { ?e rdf:subject ?act ; rdf:predicate lpo:sender ; rdf:object ?sender ;
                        lpo:supportedBy/oa:hasSelector/oa:exact ?exact }
        }""")
    assert len(column(rows, "act")) == 9
    assert [r for r in rows if "exact" not in r] == []
    assert ("id/person/mohammad-mohammadi-golpayegani", "he told Fars News Agency") in pairs(rows, "sender", "exact")


def test_which_passage_says_whose_chief_of_staff_golpayegani_is(sparql):
    row = one(sparql("""
        SELECT ?principal ?exact WHERE {
          ?m org:member <id/person/mohammad-mohammadi-golpayegani> ; lpo:principal ?principal .
          ?e rdf:subject ?m ; rdf:predicate lpo:principal ; rdf:object ?principal ;
             lpo:supportedBy/oa:hasSelector/oa:exact ?exact .
        }"""))
    assert row == {"principal": "id/person/ali-khamenei",
                   "exact": "Supreme Leader Ayatollah Ali Khamenei’s chief of staff"}


def test_where_press_tv_says_soleimani_traveled(sparql):
    row = one(sparql("""
        SELECT ?trip ?to ?claimant WHERE {
          ?trip a schema:TravelAction ; schema:agent <id/person/qassem-soleimani> ; schema:toLocation ?to .
          ?claim lpo:assertsEvent ?trip ; lpo:claimedBy ?claimant .
        }"""))
    assert row == {"trip": "id/event/soleimani-visit-to-abu-kamal", "to": "id/place/abu-kamal",
                   "claimant": "id/organization/press-tv"}
