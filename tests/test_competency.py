"""Competency questions: what a reader of the article can answer, asked of the graph in SPARQL.

Each test is one question a newsroom data team, a researcher or a fact-checker would ask of
data/pompeo-soleimani-letter.txt. The answer must come from the graph's structure (resources and
the links between them), never from reading a string literal, and each assertion names the exact
expected answer so that it fails if the data drifts.

The `sparql` fixture (tests/conftest.py) runs a query over the built graph: the default graph is the
union of the named graphs, relative IRIs resolve against http://localhost:8080/, and the usual
prefixes (schema, prov, foaf, org, time, oa, lpo, ...) are declared.
"""

from __future__ import annotations

from pathlib import Path

BASE = "http://localhost:8080/"
DOC = "pompeo-soleimani-letter"
TEXT = (Path(__file__).resolve().parent.parent / "data" / f"{DOC}.txt").read_text(encoding="utf-8")


def short(value: str) -> str:
    """An IRI under the base without the base (`id/person/mike-pompeo`); other values unchanged."""
    return value[len(BASE):] if value.startswith(BASE) else value


def column(rows: list[dict[str, str]], name: str) -> set[str]:
    return {short(row[name]) for row in rows if name in row}


def pairs(rows: list[dict[str, str]], a: str, b: str) -> set[tuple[str, str]]:
    return {(short(row[a]), short(row[b])) for row in rows}


def one(rows: list[dict[str, str]]) -> dict[str, str]:
    assert len(rows) == 1, rows
    return {k: short(v) for k, v in rows[0].items()}


# ---------------------------------------------------------------------------
# Agents and roles
# ---------------------------------------------------------------------------

def test_who_is_the_director_of_the_cia(sparql):
    rows = sparql("""
        SELECT ?who WHERE {
          ?m a org:Membership ; org:member ?who ; org:organization <id/organization/cia> ; org:role ?role .
          ?role skos:prefLabel "Director"@en .
        }""")
    assert column(rows, "who") == {"id/person/mike-pompeo"}


def test_which_offices_and_ranks_soleimani_holds_and_where(sparql):
    rows = sparql("""
        SELECT ?role ?org WHERE {
          ?m org:member <id/person/qassem-soleimani> ; org:role ?role .
          OPTIONAL { ?m org:organization ?org }
        }""")
    assert {(short(r["role"]), short(r.get("org", "-"))) for r in rows} == {
        ("id/role/commander", "id/organization/qods-force"),
        ("id/role/major-general", "-"),
    }


def test_ranks_are_told_apart_from_offices(sparql):
    ranks = sparql("SELECT ?r WHERE { ?r a lpo:Rank }")
    offices = sparql("SELECT ?r WHERE { ?r a lpo:Office }")
    assert column(ranks, "r") == {"id/role/major-general", "id/role/general", "id/role/ayatollah"}
    assert column(offices, "r") == {"id/role/director", "id/role/commander", "id/role/supreme-leader",
                                    "id/role/chief-of-staff", "id/role/president", "id/role/official"}


def test_the_qods_force_is_a_unit_of_the_revolutionary_guards_of_iran(sparql):
    rows = sparql("""
        SELECT ?parent ?polity WHERE {
          <id/organization/qods-force> org:subOrganizationOf ?parent .
          ?parent lpo:polity ?polity .
        }""")
    assert pairs(rows, "parent", "polity") == {("id/organization/irgc", "id/place/iran")}


def test_golpayegani_is_chief_of_staff_to_khamenei(sparql):
    rows = sparql("""
        SELECT ?principal WHERE {
          ?m org:member <id/person/mohammad-mohammadi-golpayegani> ; org:role <id/role/chief-of-staff> ;
             lpo:principal ?principal .
        }""")
    assert column(rows, "principal") == {"id/person/ali-khamenei"}


def test_as_of_when_pompeo_is_attested_as_cia_director(sparql):
    rows = sparql("""
        SELECT ?phrase WHERE {
          <id/membership/mike-pompeo-director-cia> lpo:attestedAt ?t . ?t lpo:phrase ?phrase .
        }""")
    assert column(rows, "phrase") == {"December 2", "December 3, 2017"}


def test_petraeus_was_a_general_in_2008(sparql):
    rows = sparql("""
        SELECT ?year WHERE {
          ?m org:member <id/person/david-petraeus> ; org:role <id/role/general> ; lpo:attestedAt ?t .
          ?t time:inXSDgYear ?year .
        }""")
    assert column(rows, "year") == {"2008"}


def test_social_media_accounts_are_held_by_their_owners(sparql):
    rows = sparql("""
        SELECT ?owner ?name WHERE { ?owner foaf:account ?account . ?account a lpo:SocialMediaAccount ;
                                                                   foaf:accountName ?name . }""")
    assert pairs(rows, "owner", "name") == {("id/organization/cia", "CIA"),
                                            ("id/organization/press-tv", "PressTV")}


def test_which_news_outlets_the_article_names(sparql):
    rows = sparql("SELECT ?o WHERE { ?o a schema:NewsMediaOrganization }")
    assert column(rows, "o") == {"id/organization/fars-news-agency", "id/organization/the-washington-post"}


def test_armed_forces_and_armed_groups(sparql):
    forces = sparql("SELECT ?o ?polity WHERE { ?o a lpo:ArmedForce ; lpo:polity ?polity }")
    groups = sparql("SELECT ?o WHERE { ?o a lpo:ArmedGroup }")
    assert pairs(forces, "o", "polity") == {
        ("id/organization/irgc", "id/place/iran"),
        ("id/organization/qods-force", "id/place/iran"),
        ("id/organization/iraqi-security-forces", "id/place/iraq"),
        ("id/organization/us-forces", "id/place/united-states"),
        ("id/organization/syrian-army", "id/place/syria"),
    }
    assert column(groups, "o") == {"id/organization/isis", "id/organization/daesh",
                                   "id/organization/shiite-militias",
                                   "id/organization/iran-backed-shiite-militias"}


def test_the_named_people_as_schema_and_foaf_clients_see_them(sparql):
    rows = sparql("""SELECT ?name WHERE { ?p a schema:Person , foaf:Person ; schema:name ?name }""")
    assert column(rows, "name") == {"Mike Pompeo", "Qassem Soleimani", "Ali Khamenei",
                                    "Mohammad Mohammadi Golpayegani", "Hassan Rouhani", "David Petraeus"}


def test_the_unnamed_agents_and_how_the_text_refers_to_them(sparql):
    rows = sparql("SELECT ?a ?phrase WHERE { ?a a lpo:UnnamedAgent ; lpo:phrase ?phrase }")
    assert pairs(rows, "a", "phrase") == {
        ("id/agent/intermediary-for-pompeo-letter", "an intermediary"),
        ("id/person/iraqi-official-2008", "an Iraqi official"),
        ("id/person/his-commander", "His commander"),
        ("id/group/iranian-leaders", "Iranian leaders"),
        ("id/group/iranian-leaders", "the leadership in Iran"),
        ("id/group/the-iranians", "the Iranians"),
        ("id/group/forces-under-soleimani-control", "forces under his control"),
        ("id/group/forces-under-soleimani-control", "forces that are under their control"),
        ("id/group/top-us-officials", "top U.S. officials"),
        ("id/group/syrian-army-allies", "its allies"),
        ("id/organization/shiite-militias", "Shiite militias in Iraq and Syria"),
        ("id/organization/iran-backed-shiite-militias", "Iran-backed Shiite militias"),
    }


def test_who_backs_the_shiite_militias_of_2008(sparql):
    rows = sparql("SELECT ?s WHERE { <id/organization/iran-backed-shiite-militias> schema:sponsor ?s }")
    assert column(rows, "s") == {"id/place/iran"}


# ---------------------------------------------------------------------------
# Communications: sender, addressee, intermediary, medium, occasion, place, date, status
# ---------------------------------------------------------------------------

def test_who_sent_the_letter_and_to_whom(sparql):
    rows = sparql("""
        SELECT ?sender ?addressee WHERE {
          ?act lpo:conveys <id/letter/2017-11-pompeo-letter-to-soleimani> ;
               lpo:sender ?sender ; lpo:addressee ?addressee .
        }""")
    assert pairs(rows, "sender", "addressee") == {
        ("id/person/mike-pompeo", "id/person/qassem-soleimani"),
    }


def test_the_sending_is_an_act_and_the_letter_an_artefact(sparql):
    assert sparql("""ASK {
        <id/communication/pompeo-sends-letter-to-soleimani> a lpo:LetterSending , prov:Activity ;
            lpo:conveys ?letter ; lpo:medium lpo:LetterMedium .
        ?letter a lpo:Letter , schema:Message , prov:Entity .
        FILTER NOT EXISTS { ?letter a prov:Activity }
        FILTER NOT EXISTS { <id/communication/pompeo-sends-letter-to-soleimani> a schema:Message }
    }""")


def test_where_and_when_pompeo_made_his_remarks(sparql):
    row = one(sparql("""
        SELECT ?occasion ?place ?region ?phrase WHERE {
          <id/communication/pompeo-remarks-at-reagan-national-defense-forum>
              lpo:sender <id/person/mike-pompeo> ; lpo:occasion ?occasion ; schema:location ?place ;
              time:hasTime ?t ; lpo:medium lpo:SpokenRemarksMedium .
          ?place schema:containedInPlace ?region .
          ?t lpo:phrase ?phrase .
        }"""))
    assert row == {"occasion": "id/event/reagan-national-defense-forum", "place": "id/place/simi-valley",
                   "region": "id/place/california", "phrase": "December 2"}


def test_the_article_gives_only_excerpts_of_the_remarks(sparql):
    rows = sparql("SELECT ?s WHERE { <id/communication/pompeo-remarks-at-reagan-national-defense-forum> lpo:status ?s }")
    assert column(rows, "s") == {"ontology#Excerpted"}


def test_the_cia_post_its_account_and_date(sparql):
    row = one(sparql("""
        SELECT ?sender ?account ?holder ?date ?post WHERE {
          ?act a lpo:Posting ; lpo:sender ?sender ; lpo:channel ?account ; lpo:conveys ?post ; time:hasTime ?t .
          ?holder foaf:account ?account .
          ?t time:inXSDDate ?date .
          FILTER (?sender = <id/organization/cia>)
        }"""))
    assert row == {"sender": "id/organization/cia", "account": "id/account/cia-twitter",
                   "holder": "id/organization/cia", "date": "2017-12-03", "post": "id/tweet/cia-2017-12-03"}


def test_the_press_tv_post_and_its_date(sparql):
    rows = sparql("""
        SELECT ?account ?date WHERE {
          ?act lpo:sender <id/organization/press-tv> ; lpo:channel ?account ;
               lpo:conveys <id/tweet/press-tv-2017-11-16> ; time:hasTime/time:inXSDDate ?date .
        }""")
    assert pairs(rows, "account", "date") == {("id/account/press-tv-twitter", "2017-11-16")}


def test_to_whom_golpayegani_gave_his_statement(sparql):
    rows = sparql("""
        SELECT ?addressee ?quote WHERE {
          ?act a lpo:PressStatement ; lpo:sender <id/person/mohammad-mohammadi-golpayegani> ;
               lpo:addressee ?addressee .
          ?quote a lpo:Quote ; prov:wasGeneratedBy ?act .
        }""")
    assert pairs(rows, "addressee", "quote") == {
        ("id/organization/fars-news-agency", "id/quote/golpayegani-to-fars-news-agency")}


def test_the_2008_message_went_through_an_iraqi_official(sparql):
    row = one(sparql("""
        SELECT ?sender ?addressee ?intermediary ?polity ?occasion ?year WHERE {
          <id/communication/2008-soleimani-message-to-petraeus> lpo:sender ?sender ; lpo:addressee ?addressee ;
              lpo:intermediary ?intermediary ; lpo:occasion ?occasion ; time:hasTime/time:inXSDgYear ?year .
          ?m org:member ?intermediary ; lpo:polity ?polity .
        }"""))
    assert row == {"sender": "id/person/qassem-soleimani", "addressee": "id/person/david-petraeus",
                   "intermediary": "id/person/iraqi-official-2008", "polity": "id/place/iraq",
                   "occasion": "id/event/2008-fight-between-iraqi-security-forces-and-shiite-militias",
                   "year": "2008"}


def test_soleimani_wrote_to_khamenei_in_late_november(sparql):
    row = one(sparql("""
        SELECT ?addressee ?letter ?part ?precision WHERE {
          ?act a lpo:LetterSending ; lpo:sender <id/person/qassem-soleimani> ; lpo:addressee ?addressee ;
               lpo:conveys ?letter ; time:hasTime ?t .
          ?t lpo:partOfMonth ?part ; lpo:precision ?precision .
        }"""))
    assert row == {"addressee": "id/person/ali-khamenei", "letter": "id/letter/soleimani-letter-to-khamenei",
                   "part": "ontology#late", "precision": "ontology#precisionPartOfMonth"}


def test_rouhani_praised_soleimani_for_the_campaign_against_isis(sparql):
    row = one(sparql("""
        SELECT ?addressee ?about WHERE {
          ?act a lpo:Praise ; lpo:sender <id/person/hassan-rouhani> ; lpo:addressee ?addressee ; schema:about ?about .
        }"""))
    assert row == {"addressee": "id/person/qassem-soleimani", "about": "id/event/campaign-against-isis"}


def test_petraeus_interview_with_the_washington_post_in_2015_came_later(sparql):
    row = one(sparql("""
        SELECT ?outlet ?year ?about ?earlier WHERE {
          ?act a lpo:Interview ; lpo:sender <id/person/david-petraeus> ; lpo:addressee ?outlet ;
               schema:about ?about ; time:hasTime/time:inXSDgYear ?year ; lpo:after ?earlier .
        }"""))
    assert row == {"outlet": "id/organization/the-washington-post", "year": "2015",
                   "about": "id/person/qassem-soleimani",
                   "earlier": "id/communication/2008-soleimani-message-to-petraeus"}


def test_which_communications_used_a_letter(sparql):
    rows = sparql("SELECT ?sender ?addressee WHERE { ?c lpo:medium lpo:LetterMedium ; lpo:sender ?sender ; lpo:addressee ?addressee }")
    assert pairs(rows, "sender", "addressee") == {
        ("id/person/mike-pompeo", "id/person/qassem-soleimani"),
        ("id/person/qassem-soleimani", "id/person/ali-khamenei"),
    }


def test_the_letter_was_sent_and_before_the_remarks(sparql):
    assert sparql("""ASK {
        <id/communication/pompeo-sends-letter-to-soleimani> lpo:status lpo:Sent .
        <id/communication/pompeo-remarks-at-reagan-national-defense-forum>
            lpo:after <id/communication/pompeo-sends-letter-to-soleimani> .
    }""")


def test_the_two_refusals_and_who_vouches_for_each(sparql):
    rows = sparql("""
        SELECT ?status ?claimant WHERE {
          ?refusal a lpo:Refusal ; lpo:sender <id/person/qassem-soleimani> ;
                   schema:object <id/letter/2017-11-pompeo-letter-to-soleimani> ; lpo:status ?status .
          ?claim lpo:assertsEvent ?refusal ; lpo:claimedBy ?claimant .
        }""")
    assert pairs(rows, "status", "claimant") == {
        ("ontology#RefusedToOpen", "id/person/mike-pompeo"),
        ("ontology#RefusedToReceive", "id/person/mohammad-mohammadi-golpayegani"),
    }


def test_every_communication_a_schema_or_prov_client_can_find(sparql):
    rows = sparql("SELECT ?c WHERE { ?c a lpo:Communication , schema:CommunicateAction , prov:Activity }")
    assert len(column(rows, "c")) == 14
    refusals = sparql("SELECT ?c WHERE { ?c a schema:RejectAction , schema:CommunicateAction }")
    assert len(column(refusals, "c")) == 2


# ---------------------------------------------------------------------------
# Quotes: exact text, speaker, occasion, date
# ---------------------------------------------------------------------------

def test_how_many_quotes_each_speaker_has(sparql):
    rows = sparql("""
        SELECT ?speaker (COUNT(?q) AS ?n) WHERE { ?q a schema:Quotation ; prov:wasAttributedTo ?speaker }
        GROUP BY ?speaker""")
    assert pairs(rows, "speaker", "n") == {
        ("id/person/mike-pompeo", "3"), ("id/person/david-petraeus", "2"),
        ("id/person/qassem-soleimani", "1"), ("id/person/mohammad-mohammadi-golpayegani", "1"),
        ("id/organization/cia", "1"), ("id/organization/press-tv", "1"),
    }


def test_golpayegani_quote_is_verbatim_with_curly_apostrophe(sparql):
    row = one(sparql("SELECT ?text WHERE { <id/quote/golpayegani-to-fars-news-agency> schema:text ?text }"))
    assert row["text"] == ("Our commander refused to receive the letter saying we don\u2019t have anything "
                           "in common for discussion,")


def test_quotes_keep_the_speakers_own_grammar(sparql):
    rows = sparql("SELECT ?q ?text WHERE { ?q a lpo:Quote ; schema:text ?text }")
    texts = {short(r["q"]): r["text"] for r in rows}
    assert "we will hold he and Iran accountable" in texts["id/quote/pompeo-rndf-3"]
    assert "he is very capable and resourceful individual, a worthy adversary" in texts["id/quote/petraeus-2015-1"]
    assert "It didn't break my heart" in texts["id/quote/pompeo-rndf-2"]  # a straight apostrophe, as printed
    assert texts["id/quote/petraeus-2015-2"] == "But this is a long game, so let\u2019s see how events transpire."


def test_pompeo_quotes_were_said_at_the_forum_on_december_2(sparql):
    rows = sparql("""
        SELECT ?q ?occasion ?phrase WHERE {
          ?q a lpo:Quote ; prov:wasAttributedTo <id/person/mike-pompeo> ; prov:wasGeneratedBy ?act .
          ?act lpo:occasion ?occasion ; time:hasTime/lpo:phrase ?phrase .
        }""")
    assert {(short(r["q"]), short(r["occasion"]), r["phrase"]) for r in rows} == {
        (f"id/quote/pompeo-rndf-{i}", "id/event/reagan-national-defense-forum", "December 2") for i in (1, 2, 3)}


def test_petraeus_quotes_come_from_the_2015_interview(sparql):
    rows = sparql("""
        SELECT ?q ?outlet ?year WHERE {
          ?q a lpo:Quote ; prov:wasAttributedTo <id/person/david-petraeus> ; prov:wasGeneratedBy ?act .
          ?act lpo:addressee ?outlet ; time:hasTime/time:inXSDgYear ?year .
        }""")
    assert {(short(r["q"]), short(r["outlet"]), r["year"]) for r in rows} == {
        ("id/quote/petraeus-2015-1", "id/organization/the-washington-post", "2015"),
        ("id/quote/petraeus-2015-2", "id/organization/the-washington-post", "2015"),
    }


def test_each_quote_is_exactly_the_text_of_one_of_its_spans(sparql):
    rows = sparql("""
        SELECT ?q ?text WHERE {
          ?q a lpo:Quote ; schema:text ?text .
          FILTER NOT EXISTS { ?q lpo:supportedBy/oa:hasSelector/oa:exact ?exact FILTER (STR(?exact) = STR(?text)) }
        }""")
    assert rows == []
    assert len(sparql("SELECT ?q WHERE { ?q a lpo:Quote }")) == 9


def test_reproduced_posts_are_quoted_from_the_posts(sparql):
    rows = sparql("SELECT ?q ?post ?author WHERE { ?q prov:wasQuotedFrom ?post . ?post schema:author ?author }")
    assert {(short(r["q"]), short(r["post"]), short(r["author"])) for r in rows} == {
        ("id/quote/cia-2017-12-03", "id/tweet/cia-2017-12-03", "id/organization/cia"),
        ("id/quote/press-tv-2017-11-16", "id/tweet/press-tv-2017-11-16", "id/organization/press-tv"),
    }


def test_the_2008_message_contains_soleimanis_quote(sparql):
    row = one(sparql("""
        SELECT ?q ?text WHERE { <id/message/2008-soleimani-message-to-petraeus> schema:hasPart ?q . ?q schema:text ?text }"""))
    assert row["q"] == "id/quote/soleimani-2008-message-to-petraeus"
    assert row["text"].startswith("General Petraeus, you should be aware that I, Qassem Soleimani, control Iran\u2019s")


# ---------------------------------------------------------------------------
# Claims: attributed, structured, disagreeing accounts side by side
# ---------------------------------------------------------------------------

def test_what_each_source_says_became_of_the_letter(sparql):
    rows = sparql("""
        SELECT ?claimant ?status WHERE {
          ?c a lpo:Claim ; lpo:claimedBy ?claimant ;
             rdf:subject <id/letter/2017-11-pompeo-letter-to-soleimani> ; rdf:predicate lpo:status ; rdf:object ?status .
        }""")
    assert pairs(rows, "claimant", "status") == {
        ("id/person/mike-pompeo", "ontology#Sent"),
        ("id/person/mike-pompeo", "ontology#RefusedToOpen"),
        ("id/person/mohammad-mohammadi-golpayegani", "ontology#Received"),
        ("id/person/mohammad-mohammadi-golpayegani", "ontology#RefusedToReceive"),
    }


def test_a_disputed_status_is_not_asserted_as_fact(sparql):
    assert not sparql("ASK { <id/letter/2017-11-pompeo-letter-to-soleimani> lpo:status ?s }")


def test_where_each_conflicting_account_was_given(sparql):
    rows = sparql("""
        SELECT ?status ?act ?quote WHERE {
          ?c rdf:subject <id/letter/2017-11-pompeo-letter-to-soleimani> ; rdf:predicate lpo:status ; rdf:object ?status ;
             prov:wasGeneratedBy ?act ; lpo:expressedBy ?quote .
          FILTER (?status IN (lpo:RefusedToOpen, lpo:RefusedToReceive))
        }""")
    assert {(short(r["status"]), short(r["act"]), short(r["quote"])) for r in rows} == {
        ("ontology#RefusedToOpen", "id/communication/pompeo-remarks-at-reagan-national-defense-forum",
         "id/quote/pompeo-rndf-2"),
        ("ontology#RefusedToReceive", "id/communication/golpayegani-statement-to-fars-news-agency",
         "id/quote/golpayegani-to-fars-news-agency"),
    }


def test_golpayegani_account_of_the_receipt(sparql):
    row = one(sparql("""
        SELECT ?who ?intermediary ?month WHERE {
          ?c lpo:claimedBy <id/person/mohammad-mohammadi-golpayegani> ; lpo:assertsEvent ?receipt .
          ?receipt a lpo:Receipt ; schema:agent ?who ; lpo:intermediary ?intermediary ;
                   schema:object <id/letter/2017-11-pompeo-letter-to-soleimani> ;
                   time:hasTime/time:inDateTime/time:month ?month .
        }"""))
    assert row == {"who": "id/person/qassem-soleimani",
                   "intermediary": "id/agent/intermediary-for-pompeo-letter", "month": "--11"}


def test_the_refusal_to_receive_has_a_stated_reason_reported_by_golpayegani(sparql):
    row = one(sparql("""
        SELECT ?reason ?claimant ?reporter WHERE {
          <id/communication/soleimani-refuses-to-receive-letter> lpo:statedReason ?reason .
          ?reason lpo:claimedBy ?claimant ; lpo:reportedBy ?reporter .
        }"""))
    assert row == {"reason": "id/claim/soleimani-nothing-in-common-for-discussion",
                   "claimant": "id/person/qassem-soleimani",
                   "reporter": "id/person/mohammad-mohammadi-golpayegani"}


def test_the_articles_hedge_is_the_articles_own_claim(sparql):
    row = one(sparql("""
        SELECT ?claimant ?hedge ?subject ?predicate ?object WHERE {
          ?c a lpo:HedgedClaim ; lpo:claimedBy ?claimant ; lpo:hedge ?hedge ;
             rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object .
        }"""))
    assert row == {"claimant": "id/document/pompeo-soleimani-letter", "hedge": "appeared to be",
                   "subject": "id/communication/pompeo-remarks-at-reagan-national-defense-forum",
                   "predicate": "ontology#respondsTo", "object": "id/work/news-stories-in-iran"}


def test_the_hedged_relation_is_not_asserted_as_fact(sparql):
    assert not sparql("""ASK { <id/communication/pompeo-remarks-at-reagan-national-defense-forum>
                               lpo:respondsTo <id/work/news-stories-in-iran> }""")


def test_whom_the_letter_holds_accountable_and_for_what(sparql):
    rows = sparql("""
        SELECT ?who ?for WHERE {
          ?c lpo:claimedBy <id/person/mike-pompeo> ; lpo:holdsResponsible ?who ; schema:about ?for .
          ?for lpo:status lpo:Hypothetical .
        }""")
    assert pairs(rows, "who", "for") == {
        ("id/person/qassem-soleimani", "id/event/attacks-on-us-interests-in-iraq"),
        ("id/place/iran", "id/event/attacks-on-us-interests-in-iraq"),
    }


def test_whom_soleimani_blamed_for_isis(sparql):
    rows = sparql("""
        SELECT ?who ?for ?act WHERE {
          ?c lpo:claimedBy <id/person/qassem-soleimani> ; lpo:holdsResponsible ?who ; schema:about ?for ;
             prov:wasGeneratedBy ?act .
        }""")
    assert {(short(r["who"]), short(r["for"])) for r in rows} == {
        ("id/place/united-states", "id/event/isis-formation"), ("id/place/united-states", "id/event/isis-crimes"),
        ("id/place/israel", "id/event/isis-formation"), ("id/place/israel", "id/event/isis-crimes"),
    }
    assert column(rows, "act") == {"id/communication/soleimani-sends-letter-to-khamenei"}


def test_what_the_cia_relayed_from_pompeo(sparql):
    rows = sparql("""
        SELECT ?c WHERE { ?c lpo:reportedBy <id/organization/cia> ; lpo:claimedBy <id/person/mike-pompeo> }""")
    assert column(rows, "c") == {"id/claim/pompeo-letter-expressed-concerns", "id/claim/cia-pompeo-sent-letter",
                                 "id/claim/cia-us-forces-support-iraqi-government",
                                 "id/claim/cia-support-at-iraqi-request", "id/claim/cia-us-forces-help-stabilize-iraq",
                                 "id/claim/cia-letter-also-to-iranian-leaders"}


def test_how_the_united_states_views_soleimani(sparql):
    row = one(sparql("""
        SELECT ?subject ?predicate ?object WHERE {
          ?c lpo:claimedBy <id/place/united-states> ; rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object .
        }"""))
    assert row == {"subject": "id/work/iran-strategy-to-build-influence", "predicate": "http://schema.org/creator",
                   "object": "id/person/qassem-soleimani"}


def test_what_policy_soleimani_said_he_controls_and_for_where(sparql):
    rows = sparql("""
        SELECT ?place WHERE {
          ?c lpo:claimedBy <id/person/qassem-soleimani> ; rdf:predicate lpo:controlledBy ;
             rdf:object <id/person/qassem-soleimani> ; rdf:subject ?policy .
          ?policy a prov:Plan ; schema:spatialCoverage ?place .
        }""")
    assert column(rows, "place") == {"id/place/iraq", "id/place/syria", "id/place/lebanon", "id/place/gaza",
                                     "id/place/afghanistan"}


def test_press_tv_reports_a_planned_assault_and_by_whom(sparql):
    rows = sparql("""
        SELECT ?agent ?target WHERE {
          ?c lpo:claimedBy <id/organization/press-tv> ; rdf:predicate lpo:status ; rdf:object lpo:Planned ;
             rdf:subject ?assault .
          ?assault schema:agent ?agent ; schema:object ?target ; schema:location <id/place/abu-kamal> .
        }""")
    assert pairs(rows, "agent", "target") == {
        ("id/organization/syrian-army", "id/organization/daesh"),
        ("id/group/syrian-army-allies", "id/organization/daesh"),
    }


def test_who_thanked_soleimani_for_coordinating_what(sparql):
    row = one(sparql("""
        SELECT ?claimant ?campaign WHERE {
          ?c lpo:claimedBy ?claimant ; rdf:subject ?campaign ; rdf:predicate schema:organizer ;
             rdf:object <id/person/qassem-soleimani> .
        }"""))
    assert row == {"claimant": "id/person/hassan-rouhani", "campaign": "id/event/campaign-against-isis"}


# ---------------------------------------------------------------------------
# Events and places
# ---------------------------------------------------------------------------

def test_abu_kamal_is_in_syria(sparql):
    assert column(sparql("SELECT ?c WHERE { <id/place/abu-kamal> schema:containedInPlace ?c }"), "c") == {
        "id/place/syria"}


def test_soleimani_was_in_abu_kamal_at_the_time_just_after_isis_was_pushed_out(sparql):
    row = one(sparql("""
        SELECT ?e ?before ?pushed WHERE {
          ?e prov:wasAssociatedWith <id/person/qassem-soleimani> ; schema:location <id/place/abu-kamal> ;
             time:hasTime <id/time/november> ; lpo:after ?before .
          ?before schema:object ?pushed .
        }"""))
    assert row == {"e": "id/event/soleimani-in-abu-kamal", "before": "id/event/isis-pushed-out-of-abu-kamal",
                   "pushed": "id/organization/isis"}


def test_who_fought_whom_in_2008(sparql):
    rows = sparql("""
        SELECT ?side WHERE {
          ?fight time:hasTime <id/time/2008> ; a schema:Event ; prov:wasAssociatedWith ?side .
        }""")
    assert column(rows, "side") == {"id/organization/iraqi-security-forces",
                                    "id/organization/iran-backed-shiite-militias"}


def test_what_is_part_of_the_fight_against_isis(sparql):
    rows = sparql("SELECT ?e WHERE { ?e schema:superEvent <id/event/fight-against-isis> }")
    assert column(rows, "e") == {"id/event/soleimani-travels-to-front-lines",
                                 "id/event/iraqi-government-fight-against-isis",
                                 "id/event/campaign-against-isis"}


def test_the_reagan_national_defense_forum_took_place_in_california(sparql):
    rows = sparql("""SELECT ?region WHERE { <id/event/reagan-national-defense-forum> schema:location/schema:containedInPlace ?region }""")
    assert column(rows, "region") == {"id/place/california"}


def test_where_soleimani_has_been_photographed_and_with_whom(sparql):
    rows = sparql("""
        SELECT ?with ?where WHERE {
          <id/event/soleimani-photographed-with-shiite-militias> prov:wasAssociatedWith ?with ; schema:location ?where .
          FILTER (?with != <id/person/qassem-soleimani>)
        }""")
    assert pairs(rows, "with", "where") == {("id/organization/shiite-militias", "id/place/iraq"),
                                            ("id/organization/shiite-militias", "id/place/syria")}


# ---------------------------------------------------------------------------
# Dates and their precision; stated versus inferred
# ---------------------------------------------------------------------------

def test_every_time_the_text_gives_with_its_precision(sparql):
    rows = sparql("SELECT ?phrase ?precision WHERE { ?t a lpo:TimeExpression ; lpo:phrase ?phrase ; lpo:precision ?precision }")
    assert pairs(rows, "phrase", "precision") == {
        ("December 2", "ontology#precisionDay"),
        ("December 3, 2017", "ontology#precisionDay"),
        ("November 16, 2017", "ontology#precisionDay"),
        ("November", "ontology#precisionMonth"),
        ("late November", "ontology#precisionPartOfMonth"),
        ("2008", "ontology#precisionYear"),
        ("2015", "ontology#precisionYear"),
        ("the past few weeks", "ontology#precisionRelative"),
        ("soon", "ontology#precisionRelative"),
    }


def test_which_times_have_a_stated_year(sparql):
    rows = sparql("""
        SELECT ?phrase ?value WHERE {
          ?t lpo:phrase ?phrase .
          { ?t time:inXSDDate ?value } UNION { ?t time:inXSDgYearMonth ?value } UNION { ?t time:inXSDgYear ?value }
        }""")
    assert pairs(rows, "phrase", "value") == {("December 3, 2017", "2017-12-03"), ("November 16, 2017", "2017-11-16"),
                                              ("2008", "2008"), ("2015", "2015")}


def test_december_2_has_no_stated_year_only_an_inferred_one(sparql):
    assert not sparql("""ASK {
        { <id/time/december-2> time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?v }
        UNION { <id/time/december-2> time:inDateTime/time:year ?y }
    }""")
    row = one(sparql("""
        SELECT ?month ?day ?inferred ?basis WHERE {
          <id/time/december-2> time:inDateTime [ time:month ?month ; time:day ?day ] ;
                               lpo:inference [ a lpo:Inference ; lpo:inferredValue ?inferred ; lpo:basis ?basis ] .
          ?basis a lpo:SocialMediaPost .
        }"""))
    assert row == {"month": "--12", "day": "---02", "inferred": "2017-12-02", "basis": "id/tweet/cia-2017-12-03"}


def test_every_inferred_value_and_what_it_rests_on(sparql):
    rows = sparql("""
        SELECT ?phrase ?value ?post WHERE {
          ?t lpo:phrase ?phrase ; lpo:inference ?i . ?i lpo:inferredValue ?value ; lpo:basis ?post .
          ?post a lpo:SocialMediaPost .
        }""")
    assert {(r["phrase"], r["value"], short(r["post"])) for r in rows} == {
        ("December 2", "2017-12-02", "id/tweet/cia-2017-12-03"),
        ("November", "2017-11", "id/tweet/press-tv-2017-11-16"),
        ("late November", "2017-11", "id/tweet/press-tv-2017-11-16"),
    }


def test_stated_dates_carry_no_inference(sparql):
    assert not sparql("""ASK { ?t lpo:inference ?i .
        { ?t time:inXSDDate ?v } UNION { ?t time:inXSDgYear ?v } UNION { ?t time:inXSDgYearMonth ?v } }""")


def test_the_past_few_weeks_are_before_the_remarks(sparql):
    assert sparql("""ASK {
        <id/event/iranian-efforts-to-exert-influence-in-iraq> time:hasTime ?t .
        ?t time:before ?day . <id/communication/pompeo-remarks-at-reagan-national-defense-forum> time:hasTime ?day .
    }""")


# ---------------------------------------------------------------------------
# Provenance: which span of text supports a fact
# ---------------------------------------------------------------------------

def test_which_words_support_pompeos_refusal_claim(sparql):
    row = one(sparql("""
        SELECT ?start ?end ?exact WHERE {
          <id/claim/pompeo-soleimani-refused-to-open-letter> lpo:supportedBy ?span .
          ?span oa:hasSource <id/document/pompeo-soleimani-letter> ;
                oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] ,
                               [ a oa:TextQuoteSelector ; oa:exact ?exact ] .
        }"""))
    assert row["exact"] == "He refused to open the letter"
    assert (int(row["start"]), int(row["end"])) == (TEXT.index("He refused to open the letter"),
                                                     TEXT.index("He refused to open the letter") + 29)


def test_every_quote_claim_communication_and_role_is_supported_by_a_span(sparql):
    rows = sparql("""
        SELECT ?s WHERE {
          VALUES ?class { lpo:Quote lpo:Claim lpo:Communication lpo:Receipt org:Membership lpo:TimeExpression }
          ?s a ?class .
          FILTER NOT EXISTS { ?s lpo:supportedBy/oa:hasSelector/oa:exact ?exact }
        }""")
    assert rows == []
    counted = sparql("""
        SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
          VALUES ?class { lpo:Quote lpo:Claim lpo:Communication org:Membership } ?s a ?class }""")
    assert counted == [{"n": "69"}]


def test_every_span_agrees_with_the_text_file(sparql):
    rows = sparql("""
        SELECT ?span ?source ?start ?end ?exact WHERE {
          ?span a lpo:TextSpan ; oa:hasSource ?source ;
                oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] ,
                               [ a oa:TextQuoteSelector ; oa:exact ?exact ] .
        }""")
    assert len(rows) == len(column(rows, "span")) == 209
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        assert short(row["source"]) == f"id/document/{DOC}"
        assert 0 <= start < end <= len(TEXT)
        assert TEXT[start:end] == row["exact"], row["span"]
        assert short(row["span"]) == f"id/span/{DOC}-{start}-{end}"


def test_every_span_agrees_with_the_published_text(sparql):
    # The same check inside the graph: SUBSTR counts code points from 1.
    assert not sparql("""ASK {
        ?span oa:hasSource ?doc ;
              oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] ,
                             [ a oa:TextQuoteSelector ; oa:exact ?exact ] .
        ?doc schema:text ?text .
        FILTER (SUBSTR(STR(?text), ?start + 1, ?end - ?start) != STR(?exact))
    }""")


def test_the_document_carries_its_text_and_a_title_marked_as_ours(sparql):
    row = one(sparql("""
        SELECT ?text ?title ?lang WHERE {
          <id/document/pompeo-soleimani-letter> a lpo:SourceDocument , schema:Article ; schema:text ?text ;
              lpo:suppliedTitle ?title ; schema:inLanguage ?lang .
        }"""))
    assert row["text"] == TEXT
    assert row["title"] == "Pompeo says he sent a letter to Qods Force commander Qassem Soleimani"
    assert row["lang"] == "en"


# ---------------------------------------------------------------------------
# What the text does not say
# ---------------------------------------------------------------------------

NAMING = "schema:name|foaf:name|schema:givenName|schema:familyName|owl:sameAs|schema:sameAs|skos:exactMatch|schema:identifier"


def test_unnamed_agents_have_no_name_and_are_not_identified(sparql):
    assert len(sparql("SELECT ?a WHERE { ?a a lpo:UnnamedAgent }")) == 10
    assert sparql(f"SELECT ?a ?p WHERE {{ ?a a lpo:UnnamedAgent ; ?p ?v . ?a {NAMING} ?v }}") == []
    assert not sparql("ASK { ?x owl:sameAs|schema:sameAs|skos:exactMatch ?a . ?a a lpo:UnnamedAgent }")


def test_nothing_is_identified_with_an_outside_resource(sparql):
    assert not sparql("ASK { ?x owl:sameAs|schema:sameAs|skos:exactMatch|skos:closeMatch ?y . ?x a prov:Agent }")


def test_daesh_is_not_identified_with_isis(sparql):
    assert not sparql("""ASK { { <id/organization/daesh> ?p <id/organization/isis> }
                               UNION { <id/organization/isis> ?p <id/organization/daesh> } }""")


def test_the_text_names_no_state_for_the_president_or_the_supreme_leader(sparql):
    rows = sparql("""
        SELECT ?role WHERE {
          ?m org:role ?role . VALUES ?role { <id/role/president> <id/role/supreme-leader> }
          FILTER NOT EXISTS { ?m org:organization ?o } FILTER NOT EXISTS { ?m lpo:polity ?p }
        }""")
    assert column(rows, "role") == {"id/role/president", "id/role/supreme-leader"}


def test_undated_communications(sparql):
    rows = sparql("SELECT ?c WHERE { ?c a lpo:Communication FILTER NOT EXISTS { ?c time:hasTime ?t } }")
    assert column(rows, "c") == {
        "id/communication/pompeo-sends-letter-to-soleimani",
        "id/communication/golpayegani-statement-to-fars-news-agency",
        "id/communication/rouhani-praises-soleimani",
        "id/communication/soleimani-indicates-forces-might-threaten-us-interests",
        "id/communication/his-commander-indicates-willingness-to-attack",
        "id/communication/iraqi-government-request-for-support",
        "id/communication/soleimani-refuses-to-open-letter",
        "id/communication/soleimani-refuses-to-receive-letter",
    }


def test_the_surprise_visit_has_no_date_of_its_own(sparql):
    assert not sparql("ASK { <id/event/soleimani-visit-to-abu-kamal> time:hasTime ?t }")
    assert sparql("""ASK { ?c lpo:assertsEvent <id/event/soleimani-visit-to-abu-kamal> ;
                             lpo:claimedBy <id/organization/press-tv> }""")


def test_his_commander_is_not_resolved_to_anyone(sparql):
    assert not sparql("""ASK { { <id/person/his-commander> ?p ?o . FILTER (?p IN (owl:sameAs, schema:sameAs)) }
                               UNION { ?m org:member <id/person/his-commander> } }""")
