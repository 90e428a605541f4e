"""Pages for people that are not one thing's description: the home page, a list per class, search by label."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, abort, render_template, request, url_for

from ..vocab import DCTERMS, FOAF, ORG, RDFS, SCHEMA, VOID
from . import story
from .cache import cached
from .context import names, settings
from .describe import dataset_description, iri_ref, labels_and_types, select, values
from .embed import jsonld
from .graph import Index
from .http import page_argument
from .links import is_safe_iri
from .network import layout
from .view import View, best_literal

blueprint = Blueprint("pages", __name__)


@blueprint.app_context_processor
def site():
    """What every page's frame shows."""
    return {"lodpub_license": lambda: settings().license}



@dataclass
class ClassCount:
    iri: ox.NamedNode
    count: int
    ours: bool


def dataset_summary() -> Index:
    """The dataset's own description (its counts and partitions), which is what the home page shows."""
    return cached(("dataset-summary", names().dataset), lambda: Index(dataset_description()),
                  lambda i: 300 * len(i.triples))


def class_counts(index: Index) -> list[ClassCount]:
    """The classes of the dataset with their instance counts, from the VoID class partitions of the build."""
    dataset = ox.NamedNode(names().dataset)
    found = []
    for partition in index.objects(dataset, VOID + "classPartition"):
        cls, count = index.value(partition, VOID + "class"), index.value(partition, VOID + "entities")
        if isinstance(cls, ox.NamedNode) and isinstance(count, ox.Literal):
            found.append(ClassCount(cls, int(count.value), cls.value.startswith(names().lpo)))
    return found


# The entry points of the home page: (heading, class), in the order a reader looks for them.
# A class of its own list (the first), and the classes whose members it shows.
ENTRY_POINTS = (("People", (SCHEMA + "Person", FOAF + "Person")),
                ("Organizations", (SCHEMA + "Organization", FOAF + "Organization", ORG + "Organization",
                                   SCHEMA + "GovernmentOrganization", SCHEMA + "NewsMediaOrganization")),
                ("Places", (SCHEMA + "Place",)),
                ("Source documents", ("lpo:SourceDocument",)))
ENTRY_SIZE = 24


@dataclass
class EntryPoint:
    heading: str
    cls: ox.NamedNode
    members: list
    total: int


def entry_points(counts: list[ClassCount]) -> list[EntryPoint]:
    def load():
        found = []
        for heading, classes in ENTRY_POINTS:
            iris = [names().lpo + c[4:] if c.startswith("lpo:") else c for c in classes]
            members = f"{values('?c', iris)} ?s a ?c FILTER(isIRI(?s))"
            # The first members the store yields (no ORDER BY over every person of a large data set).
            rows = select(f"SELECT DISTINCT ?s WHERE {{ {members} }} LIMIT {ENTRY_SIZE}")
            if rows:
                total = select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {members} }}")[0]["n"]
                found.append(EntryPoint(heading, ox.NamedNode(iris[0]), [r["s"] for r in rows], int(total.value)))
        return found

    return cached(("entry-points",), load)


def communications() -> list:
    """The data set's communications, one page of them (the first by IRI), in date order."""
    size = settings().page_size
    return cached(("communications", size), lambda: story.acts(story.all_act_terms(size)))


@blueprint.get("/")
def home():
    index = dataset_summary()
    dataset = ox.NamedNode(names().dataset)
    counts = class_counts(index)
    sources = _sources()
    entries = entry_points(counts)
    acts = communications()
    mentioned = {c.iri for c in counts} | set(sources) | {m for e in entries for m in e.members}
    for act in acts:
        mentioned |= act.mentioned
    view = View(Index([*index.triples, *labels_and_types(mentioned)]))
    for entry in entries:
        entry.members = sorted(entry.members, key=lambda m: view.label(m).lower())
    ours = sorted((c for c in counts if c.ours), key=lambda c: view.label(c.iri).lower())
    others = sorted((c for c in counts if not c.ours), key=lambda c: (-c.count, view.curie(c.iri.value)))
    return render_template(
        "home.html", view=view, dataset=dataset,
        title=best_literal(index, dataset, (DCTERMS + "title", RDFS + "label")) or settings().title,
        description=best_literal(index, dataset, (DCTERMS + "description", RDFS + "comment")),
        triples=index.value(dataset, VOID + "triples"), entities=index.value(dataset, VOID + "entities"),
        ours=ours, others=others, sources=sources, class_url=class_url, entries=entries, acts=acts,
        jsonld=jsonld(index.triples, names().dataset),
        network=layout(acts, view), names_lpo=names().lpo, acts_cut=len(acts) >= settings().page_size)


def _sources() -> list[ox.NamedNode]:
    def load():
        rows = select("SELECT DISTINCT ?d WHERE { ?d a lpo:SourceDocument FILTER(isIRI(?d)) } ORDER BY ?d LIMIT 200")
        return [row["d"] for row in rows]

    return cached(("sources",), load)


def class_url(cls: ox.NamedNode, page: int = 1) -> str:
    args = {"class": cls.value}
    if page > 1:
        args["page"] = page
    return url_for("pages.class_list", **args)


@blueprint.get("/list")
def class_list():
    """The members of one class, a page at a time, by IRI (slugs are readable, so this reads alphabetically).

    Members that are blank nodes have no page of their own: the list names the resources that hold them.
    """
    raw = request.args.get("class", "")
    if not raw or not is_safe_iri(raw) or ":" not in raw:
        abort(400, "give the class to list as ?class=<IRI>, e.g. ?class=http://schema.org/Person")
    page = page_argument()
    size = settings().page_size
    ref = iri_ref(raw)

    def load():
        counts = select(f"SELECT (COUNT(?s) AS ?all) (SUM(IF(isIRI(?s), 1, 0)) AS ?n) WHERE {{ "
                        f"{{ SELECT DISTINCT ?s WHERE {{ ?s a {ref} }} }} }}")
        total, named = (int(counts[0][k].value) for k in ("all", "n"))
        if named:
            members = select(f"SELECT DISTINCT ?s WHERE {{ ?s a {ref} FILTER(isIRI(?s)) }} ORDER BY ?s "
                             f"LIMIT {size} OFFSET {(page - 1) * size}")
            return total, named, False, [row["s"] for row in members]
        holders = f"?b a {ref} FILTER(isBlank(?b)) ?s ?p ?b FILTER(isIRI(?s))"
        count = select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {holders} }}")
        rows = select(f"SELECT DISTINCT ?s WHERE {{ {holders} }} ORDER BY ?s LIMIT {size} OFFSET {(page - 1) * size}")
        return total, int(count[0]["n"].value), True, [row["s"] for row in rows]

    total, listed, blank_only, members = cached(("list", raw, page), load)
    pages = max(1, -(-listed // size))
    if total == 0:
        abort(404, f"nothing in the dataset is a {raw}")
    if page > pages:
        abort(404, f"the list of {raw} has {pages} page(s), not {page}")
    cls = ox.NamedNode(raw)
    view = View(Index(labels_and_types({*members, cls})))
    page_data = {"@context": {"schema": "http://schema.org/"}, "@type": "schema:CollectionPage",
                 "schema:about": {"@id": raw}, "schema:hasPart": [{"@id": m.value} for m in members]}
    return render_template("class_list.html", view=view, cls=cls, members=members, total=total, listed=listed,
                           jsonld=page_data,
                           blank_only=blank_only, page=page, pages=pages, first=(page - 1) * size + 1,
                           class_url=class_url)
