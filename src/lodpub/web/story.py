"""The story a page tells before its properties: who communicated what to whom, when, through whom, and who
says so. Every answer comes from bounded SPARQL queries over the ontology's terms (`lpo:sender`,
`lpo:addressee`, `lpo:claimedBy`, `lpo:assertsEvent`, `org:member`...), never from one data set's IRIs.

- `acts_of(agent)` / `all_acts()`: communications (and receipts) with counterpart, medium, occasion, status,
  date at the text's precision, the claims that alone vouch for them, and their evidence spans.
- `roles_of(agent)`: the offices and ranks the text gives, with the times as of which it attests them.
- `claims_around(thing)`: the claims it makes and those about it, grouped by claimant.
- `accounts_of(thing)`: claims that give different values of one property of it, side by side by claimant.
- `vouched_by(things)`: the claims that alone vouch for an event (`lpo:assertsEvent`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ..vocab import ORG, RDF, SCHEMA, XSD
from .context import names
from .describe import TIME_PROPERTIES, construct, iri_ref, select, values
from .graph import Index
from .links import document_path

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
PARTS = {"early": 0, "mid": 1, "late": 2}


def _lpo(local: str) -> str:
    return names().lpo + local


def _int(term) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


# --- evidence ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    span: ox.NamedNode | ox.BlankNode
    source: ox.NamedNode | None
    start: int | None
    end: int | None

    @property
    def href(self) -> str | None:
        if self.source is None or self.start is None or self.end is None:
            return None
        path = document_path(self.source.value)
        return f"{path}#span-{self.start}-{self.end}" if path else None


def spans_of(things) -> dict:
    """thing -> its evidence spans (with offsets), for named things.

    One join without OPTIONAL: with the selectors OPTIONAL, Oxigraph read every span of the store first.
    """
    named = sorted({t.value for t in things if isinstance(t, ox.NamedNode)})
    if not named:
        return {}
    rows = select(f"""
SELECT DISTINCT ?x ?span ?source ?start ?end WHERE {{
  {values("?x", named)}
  ?x lpo:supportedBy ?span . ?span oa:hasSource ?source ; oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end
}}""")
    found: dict = {}
    for row in rows:
        source = row.get("source")
        span = Span(row["span"], source if isinstance(source, ox.NamedNode) else None,
                    _int(row.get("start")), _int(row.get("end")))
        bucket = found.setdefault(row["x"], [])
        if span not in bucket:
            bucket.append(span)
    for bucket in found.values():
        bucket.sort(key=lambda s: (s.start if s.start is not None else -1, str(s.span)))
    return found


# --- times -----------------------------------------------------------------------------------------------

@dataclass
class When:
    """A time as the text gives it: its phrase, its precision, stated parts, and any inferred year."""

    term: object
    phrase: str | None = None
    precision: str | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    part: str | None = None
    inference: ox.NamedNode | None = None
    inferred: str | None = None           # the inferred value, as written (2017-12-02)
    basis: list = field(default_factory=list)

    @property
    def year_stated(self) -> bool:
        return self.year is not None

    @property
    def text(self) -> str:
        """The date at the text's precision: never more precise than the text (a day with no year stays so)."""
        if self.phrase:
            return self.phrase
        parts = []
        if self.part:
            parts.append(self.part)
        if self.month:
            parts.append(MONTHS[self.month - 1] + (f" {self.day}" if self.day else ""))
        if self.year is not None:
            parts.append(f"{',' if self.day else ''} {self.year}".strip() if parts else str(self.year))
        return " ".join(parts).replace(" ,", ",") or (str(self.term.value) if isinstance(self.term, ox.Literal)
                                                      else "a time")

    @property
    def inferred_year(self) -> int | None:
        try:
            return int(self.inferred[:4]) if self.inferred else None
        except ValueError:
            return None

    @property
    def sort_key(self) -> tuple:
        year = self.year if self.year is not None else self.inferred_year
        return (year if year is not None else 9999, self.month or 0, self.day or 0,
                PARTS.get(self.part or "", 1))


def _parse_date(when: When, value: ox.Literal) -> None:
    """Fill the stated parts from a typed literal (xsd:date, gYearMonth, gYear, dateTime, gMonth, gDay)."""
    text, dt = value.value, value.datatype.value if value.datatype else ""
    try:
        if dt in (XSD + "date", XSD + "dateTime"):
            when.year, when.month, when.day = int(text[:4]), int(text[5:7]), int(text[8:10])
        elif dt == XSD + "gYearMonth":
            when.year, when.month = int(text[:4]), int(text[5:7])
        elif dt == XSD + "gYear":
            when.year = int(text[:4])
        elif dt == XSD + "gMonth":
            when.month = int(text.lstrip("-")[:2])
        elif dt == XSD + "gDay":
            when.day = int(text.lstrip("-")[:2])
    except ValueError:
        pass


def times(terms) -> dict:
    """term -> When, for times given as resources (lpo:TimeExpression, OWL-Time) or as typed literals."""
    found: dict = {}
    resources = []
    for t in terms:
        if isinstance(t, ox.Literal):
            when = found.setdefault(t, When(t))
            _parse_date(when, t)
        elif isinstance(t, ox.NamedNode):
            resources.append(t.value)
    if not resources:
        return found
    rows = select(f"""
SELECT ?t ?p ?v ?inf ?value ?basis WHERE {{
  {values("?t", sorted(set(resources)))}
  {{ ?t ?p ?v FILTER(?p IN (lpo:phrase, lpo:precision, lpo:partOfMonth, time:inXSDDate, time:inXSDgYearMonth,
                           time:inXSDgYear, time:inXSDDateTimeStamp)) }}
  UNION {{ ?t time:inDateTime ?d . ?d ?p ?v FILTER(?p IN (time:year, time:month, time:day)) }}
  UNION {{ ?t lpo:inference ?inf OPTIONAL {{ ?inf lpo:inferredValue ?value }} OPTIONAL {{ ?inf lpo:basis ?basis }} }}
}}""")
    lpo = names().lpo
    for row in rows:
        when = found.setdefault(row["t"], When(row["t"]))
        p, v = row.get("p"), row.get("v")
        if p is not None and v is not None:
            if p.value == lpo + "phrase":
                when.phrase = when.phrase or v.value
            elif p.value == lpo + "precision":
                when.precision = v.value
            elif p.value == lpo + "partOfMonth":
                when.part = v.value.rsplit("#", 1)[-1]
            elif isinstance(v, ox.Literal):
                _parse_date(when, v)
        if "inf" in row:
            when.inference = row["inf"]
            if "value" in row:
                when.inferred = row["value"].value
            if "basis" in row and row["basis"] not in when.basis:
                when.basis.append(row["basis"])
    return found


# --- acts ------------------------------------------------------------------------------------------------

ACT_CLASSES = ("Communication", "Receipt")


def _act_properties() -> list[str]:
    lpo = names().lpo
    return [RDF + "type", lpo + "sender", lpo + "addressee", lpo + "intermediary", lpo + "medium",
            lpo + "channel", lpo + "occasion", lpo + "status", lpo + "conveys", SCHEMA + "agent",
            SCHEMA + "sender", SCHEMA + "recipient", SCHEMA + "object", SCHEMA + "location", *TIME_PROPERTIES]


@dataclass
class Act:
    term: ox.NamedNode
    receipt: bool = False
    senders: list = field(default_factory=list)
    addressees: list = field(default_factory=list)
    intermediaries: list = field(default_factory=list)
    media: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    occasions: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    objects: list = field(default_factory=list)
    places: list = field(default_factory=list)
    when: list[When] = field(default_factory=list)
    vouched_by: list = field(default_factory=list)     # (claim, claimant or None): only these vouch for it
    spans: list[Span] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        return (min((w.sort_key for w in self.when), default=(9999, 13, 0, 9)), self.term.value)

    def role_of(self, agent) -> str:
        if agent in self.senders:
            return "sender"
        if agent in self.addressees:
            return "addressee"
        if agent in self.intermediaries:
            return "intermediary"
        return "party"

    def counterparts(self, agent) -> list:
        role = self.role_of(agent)
        if role == "sender":
            return self.addressees
        if role == "addressee":
            return self.senders
        return self.senders + self.addressees

    @property
    def mentioned(self) -> set:
        terms = {self.term, *self.senders, *self.addressees, *self.intermediaries, *self.media, *self.channels,
                 *self.occasions, *self.statuses, *self.objects, *self.places}
        for claim, claimant in self.vouched_by:
            terms |= {claim, claimant}
        for w in self.when:
            terms |= {w.inference, *w.basis}     # a time is shown by its phrase or value, not its label
        return {t for t in terms if isinstance(t, ox.NamedNode)}


def _act_query_filter() -> str:
    return f"FILTER EXISTS {{ ?act a ?class VALUES ?class {{ {' '.join(f'lpo:{c}' for c in ACT_CLASSES)} }} }}"


def act_terms_of(agent: str, limit: int) -> list[ox.NamedNode]:
    """The acts in which the agent takes part (as sender, addressee, intermediary, or receiver): the first
    `limit` the store yields, which the page then orders by date. Sorting all of a hub's acts by IRI first
    cost time in proportion to the hub, for an order no reader sees."""
    ref = iri_ref(agent)
    rows = select(f"""
SELECT DISTINCT ?act WHERE {{
  VALUES ?p {{ lpo:sender lpo:addressee lpo:intermediary schema:sender schema:recipient schema:agent }}
  ?act ?p {ref} FILTER(isIRI(?act)) {_act_query_filter()}
}} LIMIT {limit}""")
    return [row["act"] for row in rows]


def all_act_terms(limit: int) -> list[ox.NamedNode]:
    rows = select(f"SELECT DISTINCT ?act WHERE {{ ?act a ?class FILTER(isIRI(?act)) "
                  f"VALUES ?class {{ {' '.join(f'lpo:{c}' for c in ACT_CLASSES)} }} }} LIMIT {limit}")
    return [row["act"] for row in rows]


def acts(terms: list[ox.NamedNode]) -> list[Act]:
    """The acts with everything a timeline row shows, in date order (undated last)."""
    if not terms:
        return []
    wanted = ", ".join(f"<{p}>" for p in _act_properties())
    index = Index(construct(f"CONSTRUCT {{ ?act ?p ?o }} WHERE {{ {values('?act', [t.value for t in terms])} "
                            f"?act ?p ?o FILTER(?p IN ({wanted})) }}"))
    lpo = names().lpo
    found = []
    for term in terms:
        types = {t.value for t in index.objects(term, RDF + "type")}
        receipt = lpo + "Receipt" in types and lpo + "Communication" not in types
        act = Act(term, receipt=receipt)

        def first(*props, term=term):
            for p in props:
                got = index.objects(term, p)
                if got:
                    return list(got)
            return []

        if receipt:
            act.senders = first(lpo + "sender", SCHEMA + "sender")
            act.addressees = first(SCHEMA + "agent", lpo + "addressee")
        else:
            act.senders = first(lpo + "sender", SCHEMA + "agent")
            act.addressees = first(lpo + "addressee", SCHEMA + "recipient")
        act.intermediaries = first(lpo + "intermediary")
        act.media = first(lpo + "medium")
        act.channels = first(lpo + "channel")
        act.occasions = first(lpo + "occasion")
        act.statuses = first(lpo + "status")
        act.objects = first(lpo + "conveys", SCHEMA + "object")
        act.places = first(SCHEMA + "location")
        found.append(act)
    given = {a.term: [t for p in TIME_PROPERTIES for t in index.objects(a.term, p)] for a in found}
    whens = times({t for terms_ in given.values() for t in terms_})
    for act in found:
        act.when = [whens[t] for t in given[act.term] if t in whens]
    vouch = vouched_by(terms)
    evidence = spans_of(terms)
    for act in found:
        act.vouched_by = vouch.get(act.term, [])
        act.spans = evidence.get(act.term, [])
    return sorted(found, key=lambda a: a.sort_key)


def vouched_by(things) -> dict:
    """thing -> [(claim, claimant)]: the claims that say the event took place (lpo:assertsEvent)."""
    named = sorted({t.value for t in things if isinstance(t, ox.NamedNode)})
    if not named:
        return {}
    rows = select(f"""
SELECT DISTINCT ?x ?claim ?claimant WHERE {{
  {values("?x", named)} ?claim lpo:assertsEvent ?x OPTIONAL {{ ?claim lpo:claimedBy ?claimant }}
}} ORDER BY ?claim""")
    found: dict = {}
    for row in rows:
        found.setdefault(row["x"], []).append((row["claim"], row.get("claimant")))
    return found


# --- roles -----------------------------------------------------------------------------------------------

@dataclass
class Role:
    membership: ox.NamedNode | ox.BlankNode
    role: object = None
    organizations: list = field(default_factory=list)
    principals: list = field(default_factory=list)
    polities: list = field(default_factory=list)
    when: list[When] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


def roles_of(agent: str, limit: int) -> list[Role]:
    """The offices and ranks the text gives the agent (W3C ORG memberships), with the attested times: the
    first `limit` memberships the store finds, in its own order (Oxigraph's ORDER BY over a hub's thousands of
    memberships cost more than the page may take)."""
    rows = select(f"""
SELECT ?m ?p ?o WHERE {{
  {{ SELECT DISTINCT ?m WHERE {{ ?m org:member {iri_ref(agent)} }} LIMIT {limit} }}
  ?m ?p ?o FILTER(?p IN (org:role, org:organization, lpo:principal, lpo:polity, lpo:attestedAt))
}}""")
    lpo = names().lpo
    found: dict = {}
    for row in rows:
        role = found.setdefault(row["m"], Role(row["m"]))
        p, o = row["p"].value, row["o"]
        if p == ORG + "role":
            role.role = role.role or o
        elif p == ORG + "organization":
            role.organizations.append(o)
        elif p == lpo + "principal":
            role.principals.append(o)
        elif p == lpo + "polity":
            role.polities.append(o)
        elif p == lpo + "attestedAt":
            role.when.append(o)
    whens = times({t for r in found.values() for t in r.when})
    evidence = spans_of(found)
    for role in found.values():
        role.when = sorted((whens[t] for t in role.when if t in whens), key=lambda w: w.sort_key)
        role.spans = evidence.get(role.membership, [])
    return sorted(found.values(), key=lambda r: str(r.membership))


# --- claims ----------------------------------------------------------------------------------------------

@dataclass
class Claim:
    claim: ox.NamedNode
    claimants: list = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)


@dataclass
class ClaimGroup:
    claimant: object                 # None: no claimant given
    claims: list[Claim]


@dataclass
class Claims:
    made: list[Claim]                # claims the thing makes
    about: list[ClaimGroup]          # claims about it, by claimant
    more: bool                       # more than were read

    @property
    def mentioned(self) -> set:
        terms = set()
        for c in [*self.made, *(c for g in self.about for c in g.claims)]:
            terms |= {c.claim, *c.claimants}
        return {t for t in terms if isinstance(t, ox.NamedNode)}


ABOUT_PROPERTIES = (SCHEMA + "about", RDF + "subject", RDF + "object")


def claims_around(thing: str, limit: int) -> Claims:
    ref = iri_ref(thing)
    about = " ".join(f"<{p}>" for p in ABOUT_PROPERTIES)
    rows = select(f"""
SELECT DISTINCT ?c ?how WHERE {{
  {{ ?c lpo:claimedBy {ref} BIND("by" AS ?how) }}
  UNION {{ VALUES ?p {{ {about} lpo:holdsResponsible lpo:assertsEvent }} ?c ?p {ref} BIND("about" AS ?how) }}
  FILTER(isIRI(?c)) FILTER EXISTS {{ ?c a lpo:Claim }}
}} ORDER BY ?how ?c LIMIT {limit + 1}""")
    more = len(rows) > limit
    rows = rows[:limit]
    terms = sorted({row["c"].value for row in rows})
    details = select(f"""
SELECT ?c ?p ?o WHERE {{ {values("?c", terms)} ?c ?p ?o FILTER(?p IN (lpo:claimedBy, lpo:hedge)) }}""") \
        if terms else []
    claims = {ox.NamedNode(t): Claim(ox.NamedNode(t)) for t in terms}
    lpo = names().lpo
    for row in details:
        claim = claims[row["c"]]
        if row["p"].value == lpo + "claimedBy":
            claim.claimants.append(row["o"])
        else:
            claim.hedges.append(row["o"].value)
    evidence = spans_of(claims)
    for claim in claims.values():
        claim.spans = evidence.get(claim.claim, [])
    made = [claims[row["c"]] for row in rows if row["how"].value == "by"]
    groups: dict = {}
    for row in rows:
        if row["how"].value != "about":
            continue
        claim = claims[row["c"]]
        for claimant in claim.claimants or [None]:
            bucket = groups.setdefault(claimant, [])
            if claim not in bucket:
                bucket.append(claim)
    return Claims(made, [ClaimGroup(k, v) for k, v in groups.items()], more)


@dataclass
class Account:
    """What one claimant says of one property of the thing."""

    claimant: object
    claims: list = field(default_factory=list)       # (claim, value, asserted events)


@dataclass
class Dispute:
    predicate: ox.NamedNode
    accounts: list[Account]


def accounts_of(thing: str, limit: int) -> list[Dispute]:
    """Properties of the thing that claims by two or more claimants give different values of."""
    rows = select(f"""
SELECT ?c ?pred ?obj ?claimant ?event WHERE {{
  ?c rdf:subject {iri_ref(thing)} ; rdf:predicate ?pred ; rdf:object ?obj .
  OPTIONAL {{ ?c lpo:claimedBy ?claimant }} OPTIONAL {{ ?c lpo:assertsEvent ?event }}
}} ORDER BY ?pred ?claimant ?c LIMIT {limit}""")
    by_predicate: dict = {}
    for row in rows:
        accounts = by_predicate.setdefault(row["pred"], {})
        account = accounts.setdefault(row.get("claimant"), Account(row.get("claimant")))
        entry = next((e for e in account.claims if e[0] == row["c"]), None)
        if entry is None:
            entry = (row["c"], row["obj"], [])
            account.claims.append(entry)
        if "event" in row and row["event"] not in entry[2]:
            entry[2].append(row["event"])
    disputes = []
    for predicate, accounts in by_predicate.items():
        told = {frozenset(e[1] for e in a.claims) for a in accounts.values()}
        if len(accounts) > 1 and len(told) > 1:
            disputes.append(Dispute(predicate, list(accounts.values())))
    return disputes


__all__ = ["Act", "Claims", "Dispute", "Role", "Span", "When", "accounts_of", "act_terms_of", "acts",
           "all_act_terms", "claims_around", "roles_of", "spans_of", "times", "vouched_by"]
