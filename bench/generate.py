"""A synthetic corpus for the benchmark: source documents (text + Turtle) written as a lodpub data/ folder.

Each document is a made-up news report: agents (people, organizations, unnamed agents), their dated roles,
communications between them (letters, remarks, posts, interviews, messages through intermediaries), the
messages they convey, direct quotes, and the span of the document's text that supports every fact, with
0-based code point offsets and the exact text (Web Annotation selectors, as blank nodes). Sizes are skewed
the way archives are: most documents are short, a few are long, and a few agents appear almost everywhere
(Zipf), so incoming-link and GROUP BY queries meet hubs.

The corpus is a pure function of (size, seed): two runs write the same bytes.

    python bench/generate.py --triples 1000000 --out bench/out/1m/data
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

# Enrichment (superclasses and superproperties from the ontology) and the build's schema:text add to what
# the Turtle states; this is the measured ratio of dump triples to generated triples, used to aim at a size.
ENRICHMENT = 1.24

FIRST = ("Amal Anna Arash Ben Carla Chen Dana Diego Elif Emre Eva Farah Hana Hugo Ines Ivan Jamal Jonas Karim "
         "Kofi Lara Leila Luca Mara Maya Mehdi Nadia Noor Omar Oskar Priya Rafael Rania Sami Sara Sofia Tariq "
         "Timo Umar Vera Wen Yara Yusuf Zainab Zoë José Renée Łukasz Søren Chloé").split()
LAST = ("Abadi Alvarez Bauer Benali Castro Costa Dahl Diallo Eriksen Farouk Fischer Garcia Haddad Hassan Ivanova "
        "Jensen Kader Kim Kowalski Larsen Mansour Meyer Moreau Nakamura Nasser Novak Okafor Olsen Park Petrov "
        "Quinn Rahimi Rossi Saleh Santos Schmidt Silva Tahir Takahashi Varga Wagner Weiss Yilmaz Zaidi Núñez "
        "Müller Öztürk Đorđević").split()
ORG_KINDS = ("Ministry of Foreign Affairs", "Ministry of Defence", "Office of the President", "National Assembly",
             "Central Bank", "Armed Forces", "Revolutionary Guard", "Border Police", "Intelligence Agency",
             "Press Agency", "Daily Courier", "Evening Herald", "Coastal Militia", "Trade Council")
COUNTRIES = ("Arland", "Borvia", "Cestria", "Dalmor", "Estova", "Farnesia", "Galdor", "Hestria", "Istrane",
             "Jorvik", "Kaldera", "Lunaria", "Morvane", "Nordhal", "Ostrava", "Pelagia")
OFFICES = ("minister", "deputy minister", "spokesperson", "director", "commander", "ambassador", "adviser",
           "chief of staff", "editor", "president", "general", "envoy")
UNNAMED = ("an intermediary", "an official", "a senior diplomat", "a spokesperson", "a military officer",
           "an aide", "a person familiar with the matter", "a government adviser")
WORDS = ("ceasefire talks border trade sanctions embargo negotiation security cooperation agreement withdrawal "
         "election inquiry budget reform protest strike harbour pipeline treaty aid summit deadline warning "
         "proposal evidence accusation responsibility escalation dialogue restraint consequences").split()
# (class, medium, message class or None, verb phrase)
KINDS = (
    ("LetterSending", "LetterMedium", "Letter", "sent a letter to"),
    ("Remarks", "SpokenRemarksMedium", None, "spoke about"),
    ("Posting", "SocialMediaMedium", "SocialMediaPost", "posted a message addressed to"),
    ("Interview", "InterviewMedium", None, "told an interviewer about"),
    ("MessageConveyance", "IntermediaryMedium", "Message", "had a message passed to"),
    ("PressStatement", "NewsAgencyMedium", None, "issued a statement about"),
)
MONTHS = ("January February March April May June July August September October November December").split()

PREFIXES = """@prefix lpo: <ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <http://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix document: <id/document/> .
@prefix person: <id/person/> .
@prefix organization: <id/organization/> .
@prefix place: <id/place/> .
@prefix agent: <id/agent/> .
@prefix role: <id/role/> .
@prefix office: <id/office/> .
@prefix communication: <id/communication/> .
@prefix message: <id/message/> .
@prefix quote: <id/quote/> .
@prefix time-expr: <id/time/> .
@prefix span: <id/span/> .
@prefix account: <id/account/> .

"""


def lit(value: str, lang: str | None = "en") -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: str, datatype: str) -> str:
    return f'"{value}"^^xsd:{datatype}'


class Zipf:
    """Draws 0..n-1 with probability proportional to 1/(k+1)^s: a few agents appear almost everywhere."""

    def __init__(self, n: int, s: float, rng: random.Random) -> None:
        total, self.cumulative = 0.0, []
        for k in range(n):
            total += 1.0 / (k + 1) ** s
            self.cumulative.append(total)
        self.total, self.rng = total, rng

    def draw(self) -> int:
        return bisect.bisect_left(self.cumulative, self.rng.random() * self.total)


@dataclass
class World:
    """The agents every document draws from: people, organizations, countries."""

    people: list[tuple[str, str]]        # (slug, name)
    organizations: list[tuple[str, str, str]]  # (slug, name, country slug)
    countries: list[tuple[str, str]]
    pick_person: Zipf
    pick_org: Zipf
    seen: set = field(default_factory=set)   # IRIs (prefixed) some document describes

    @classmethod
    def make(cls, documents: int, rng: random.Random) -> World:
        n_people = max(50, documents * 4)
        people, seen = [], set()
        for i in range(n_people):
            name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST) + i) % len(LAST)]}"
            if i >= len(FIRST) * len(LAST):
                name = f"{FIRST[i % len(FIRST)]} {chr(65 + (i // 7) % 26)}. {LAST[(i // 3) % len(LAST)]}"
            slug = _slug(name)
            n = 2
            while slug in seen:
                slug, n = f"{_slug(name)}-{n}", n + 1
            seen.add(slug)
            people.append((slug, name))
        countries = [(_slug(c), c) for c in COUNTRIES]
        organizations = []
        for i in range(max(20, documents // 4)):
            country = countries[i % len(countries)]
            kind = ORG_KINDS[(i // len(countries)) % len(ORG_KINDS)]
            generation = i // (len(countries) * len(ORG_KINDS))
            name = f"{kind} of {country[1]}" + (f" ({generation + 1})" if generation else "")
            organizations.append((_slug(name), name, country[0]))
        return cls(people, organizations, countries, Zipf(len(people), 1.1, rng), Zipf(len(organizations), 1.0, rng))


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ł", "L").replace("ł", "l")
                                       .replace("Đ", "D").replace("đ", "d"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


@dataclass
class Doc:
    """One document being written: its text grows sentence by sentence, and every fact cites a span of it."""

    slug: str
    text: list[str] = field(default_factory=list)
    length: int = 0
    turtle: list[str] = field(default_factory=list)
    seen_spans: set = field(default_factory=set)
    triples: int = 0

    def say(self, sentence: str, *parts: str) -> list[str]:
        """Append a sentence; return a span IRI for each part (which must occur in it), in order."""
        start = self.length
        found, cursor = [], 0
        for part in parts:
            at = sentence.find(part, cursor)
            at = sentence.index(part) if at < 0 else at
            cursor = at  # parts may nest (an office phrase holds the organization)
            found.append(self.span(start + at, part))
        self.text.append(sentence + " ")
        self.length += len(sentence) + 1
        return found

    def span(self, start: int, exact: str) -> str:
        end = start + len(exact)
        iri = f"span:{self.slug}-{start}-{end}"   # the shapes want a span named by its offsets
        if iri in self.seen_spans:
            return iri
        self.seen_spans.add(iri)
        self.add(f"{iri} a lpo:TextSpan , oa:SpecificResource ;\n"
                 f"    oa:hasSource document:{self.slug} ;\n"
                 f"    oa:hasSelector [ a oa:TextPositionSelector ;"
                 f" oa:start {typed(str(start), 'nonNegativeInteger')} ;"
                 f" oa:end {typed(str(end), 'nonNegativeInteger')} ] ,\n"
                 f"        [ a oa:TextQuoteSelector ; oa:exact {lit(exact, None)} ] .", 10)
        return iri

    def add(self, block: str, triples: int) -> None:
        self.turtle.append(block)
        self.triples += triples


def write_document(doc_index: int, world: World, rng: random.Random, out: Path) -> int:
    """Write one document; return how many triples its Turtle states."""
    slug = f"report-{doc_index:07d}"
    doc = Doc(slug)
    day0 = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
    published = day0 + timedelta(days=rng.randrange(1, 30))
    outlet = world.organizations[world.pick_org.draw()]
    # Lognormal sizes: median ~8 communications, a long tail of long reports.
    n_comms = max(1, min(80, int(rng.lognormvariate(math.log(5), 0.7))))
    title = f"Report {doc_index}: {rng.choice(WORDS)} and {rng.choice(WORDS)}"
    [title_span] = doc.say(title + ".", title)

    described: set[str] = set()
    people = [world.people[world.pick_person.draw()] for _ in range(max(3, n_comms + 2))]

    def person(p: tuple[str, str], cite: str) -> str:
        iri = f"person:{p[0]}"
        if iri not in described:
            described.add(iri)
            doc.add(f"{iri} a schema:Person , foaf:Person , prov:Agent ;\n"
                    f"    schema:name {lit(p[1])} ; rdfs:label {lit(p[1])} ;\n"
                    f"    lpo:supportedBy {cite} .", 6)
        return iri

    def organization(o: tuple[str, str, str], cite: str) -> str:
        iri = f"organization:{o[0]}"
        if iri not in described:
            described.add(iri)
            doc.add(f"{iri} a schema:Organization , org:Organization , prov:Agent ;\n"
                    f"    schema:name {lit(o[1])} ; rdfs:label {lit(o[1])} ;\n"
                    f"    lpo:polity place:{o[2]} ;\n"
                    f"    lpo:supportedBy {cite} .", 7)
            country = f"place:{o[2]}"
            if country not in described:
                described.add(country)
                name = next(c[1] for c in world.countries if c[0] == o[2])
                doc.add(f"{country} a schema:Country , schema:Place ; schema:name {lit(name)} ;"
                        f" rdfs:label {lit(name)} .", 4)
        return iri

    def time_expression(day: date, cite: str) -> str:
        iri = f"time-expr:{slug}-t{doc.triples}"
        phrase = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        doc.add(f"{iri} a lpo:TimeExpression , time:Instant ;\n"
                f"    lpo:phrase {lit(phrase)} ; lpo:precision lpo:precisionDay ;\n"
                f"    time:inXSDDate {typed(day.isoformat(), 'date')} ; lpo:supportedBy {cite} .", 6)
        return iri

    # Roles: n-ary, attested as of the report's date.
    for r, p in enumerate(people[: max(1, len(people) // 3)]):
        o = world.organizations[world.pick_org.draw()]
        office = OFFICES[rng.randrange(len(OFFICES))]
        as_of = f"{published.day} {MONTHS[published.month - 1]} {published.year}"
        sentence = f"{p[1]}, the {office} of the {o[1]}, was named in the report of {as_of}."
        name_span, office_span, org_span, date_span = doc.say(sentence, p[1], f"the {office} of the {o[1]}",
                                                              o[1], as_of)
        who, where = person(p, name_span), organization(o, org_span)
        office_iri = f"office:{_slug(office)}"
        when = time_expression(published, date_span)
        doc.add(f"role:{slug}-r{r} a org:Membership ;\n"
                f"    org:member {who} ; org:organization {where} ; org:role {office_iri} ;\n"
                f"    lpo:attestedAt {when} ; lpo:supportedBy {office_span} .", 6)
        if office_iri not in described:
            described.add(office_iri)
            doc.add(f"{office_iri} a lpo:Office , org:Role ; rdfs:label {lit(office)} .", 3)

    for c in range(n_comms):
        cls, medium, message_cls, verb = KINDS[rng.randrange(len(KINDS))]
        sender, addressee = people[c], people[c + 1]
        day = day0 + timedelta(days=rng.randrange(0, 400))
        phrase = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        topic = " ".join(rng.sample(WORDS, 2))
        sentence = f"On {phrase}, {sender[1]} {verb} {addressee[1]} about {topic}."
        date_span, s_span, a_span, act_span = doc.say(sentence, phrase, sender[1], addressee[1], sentence)
        s_iri, a_iri = person(sender, s_span), person(addressee, a_span)
        comm = f"communication:{slug}-c{c}"
        lines = [f"{comm} a lpo:{cls} ;",
                 f"    rdfs:label {lit(f'{sender[1]} {verb} {addressee[1]}')} ;",
                 f"    lpo:sender {s_iri} ; lpo:addressee {a_iri} ;",
                 f"    lpo:medium lpo:{medium} ; time:hasTime {time_expression(day, date_span)} ;",
                 f"    schema:about {lit(topic)} ;"]
        n = 7
        if cls == "MessageConveyance" or rng.random() < 0.1:
            go_between = UNNAMED[rng.randrange(len(UNNAMED))]
            [via_span] = doc.say(f"The message went through {go_between}.", go_between)
            unnamed = f"agent:{slug}-u{c}"
            doc.add(f"{unnamed} a lpo:UnnamedAgent , prov:Agent ; lpo:phrase {lit(go_between)} ;"
                    f" rdfs:label {lit(go_between)} ; lpo:supportedBy {via_span} .", 5)
            lines.append(f"    lpo:intermediary {unnamed} ;")
            n += 1
        if cls == "Posting":
            handle = sender[0].replace("-", "_")
            account = f"account:{sender[0]}"
            if account not in described:
                described.add(account)
                doc.add(f"{account} a lpo:SocialMediaAccount , foaf:OnlineAccount ; rdfs:label {lit('@' + handle)} ;"
                        f" foaf:accountName {lit(handle, None)} ; lpo:supportedBy {s_span} .\n"
                        f"{s_iri} foaf:account {account} .", 6)
            lines.append(f"    lpo:channel {account} ;")
            n += 1
        if message_cls:
            msg = f"message:{slug}-m{c}"
            doc.add(f"{msg} a lpo:{message_cls} ; rdfs:label {lit(f'{message_cls} from {sender[1]}')} ;"
                    f" schema:author {s_iri} ; lpo:supportedBy {act_span} .", 4)
            lines.append(f"    lpo:conveys {msg} ; lpo:status lpo:{rng.choice(('Sent', 'Received'))} ;")
            n += 2
        if rng.random() < 0.7:
            said = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(6, 18)))
            said = said[0].upper() + said[1:] + rng.choice((".", "!", "?", " — that’s all."))
            sentence = f"{sender[1]} said: “{said}”"
            speaker_span, quote_span = doc.say(sentence, sender[1], said)
            doc.add(f"quote:{slug}-q{c} a lpo:Quote , schema:Quotation ;\n"
                    f"    schema:text {lit(said)} ; prov:wasAttributedTo {s_iri} ;\n"
                    f"    prov:wasGeneratedBy {comm} ; lpo:supportedBy {quote_span} .", 6)
        if c and rng.random() < 0.2:
            lines.append(f"    lpo:respondsTo communication:{slug}-c{rng.randrange(c)} ;")
            n += 1
        lines.append(f"    lpo:supportedBy {act_span} .")
        doc.add("\n".join(lines), n)

    outlet_iri = organization(outlet, title_span)
    doc.add(f"document:{slug} a lpo:SourceDocument , schema:NewsArticle ;\n"
            f"    lpo:suppliedTitle {lit(title)} ; schema:headline {lit(title)} ;\n"
            f"    schema:publisher {outlet_iri} ; schema:datePublished {typed(published.isoformat(), 'date')} ;\n"
            f"    schema:inLanguage \"en\" .", 7)
    world.seen.update(described)
    (out / f"{slug}.txt").write_text("".join(doc.text), encoding="utf-8", newline="")
    (out / f"{slug}.ttl").write_text(PREFIXES + "\n\n".join(doc.turtle) + "\n", encoding="utf-8")
    return doc.triples


def generate(triples: int, out: Path, seed: int = 42, progress: bool = False) -> dict:
    """Write documents into `out` (emptied first) until they state about triples/ENRICHMENT triples."""
    target = int(triples / ENRICHMENT)
    rng = random.Random(seed)
    expected_docs = max(1, target // 330)
    world = World.make(expected_docs, rng)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written, n = 0, 0
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=target, unit="triple", unit_scale=True, desc="generate")
    while written < target:
        count = write_document(n, world, rng, out)
        written, n = written + count, n + 1
        if bar:
            bar.update(count)
    if bar:
        bar.close()
    def described(kind: str, pick, pool, count: int) -> list[str]:
        """Entities some document describes, drawn with the corpus's skew (hubs come up often)."""
        found, tries = [], 0
        while len(found) < count and tries < count * 200:
            tries += 1
            slug = pool[pick.draw()][0]
            if f"{kind}:{slug}" in world.seen:
                found.append(f"id/{kind}/{slug}")
        return found

    params = {
        "documents": n,
        "stated_triples": written,
        "hubs": [f"id/person/{p[0]}" for p in world.people[:5] if f"person:{p[0]}" in world.seen],
        "people": described("person", world.pick_person, world.people, 200),
        "organizations": described("organization", world.pick_org, world.organizations, 50),
        "communications": [f"id/communication/report-{rng.randrange(n):07d}-c0" for _ in range(200)],
        "documents_sample": [f"id/document/report-{rng.randrange(n):07d}" for _ in range(50)],
        "words": list(WORDS),
    }
    (out.parent / "params.json").write_text(json.dumps(params, indent=1) + "\n", encoding="utf-8")
    return params


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, required=True, help="about how many triples the build publishes")
    parser.add_argument("--out", type=Path, required=True, help="the data folder to write (emptied first)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    params = generate(args.triples, args.out, args.seed, progress=sys.stderr.isatty())
    print(f"wrote {params['documents']} documents, {params['stated_triples']} stated triples into {args.out}")


if __name__ == "__main__":
    main()
