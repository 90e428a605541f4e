"""Pages for people that are not one thing's description: the home page, a list per class, search by label."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, abort, render_template, request, url_for

from ..vocab import DCTERMS, RDFS, VOID
from .cache import cached
from .context import names, settings
from .describe import LABEL_PROPERTIES, graph_triples, iri_ref, labels_and_types, select, values
from .graph import Index
from .http import page_argument
from .links import is_safe_iri
from .view import View, best_literal

blueprint = Blueprint("pages", __name__)
MAX_QUERY = 200


@blueprint.app_context_processor
def site():
    """What every page's frame shows."""
    return {"lodpub_license": lambda: settings().license}



@dataclass
class ClassCount:
    iri: ox.NamedNode
    count: int
    ours: bool


def dataset_index() -> Index:
    return cached(("graph", names().dataset), lambda: Index(graph_triples(names().dataset)),
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


@blueprint.get("/")
def home():
    index = dataset_index()
    dataset = ox.NamedNode(names().dataset)
    counts = class_counts(index)
    sources = _sources()
    view = View(Index([*index.triples, *labels_and_types({c.iri for c in counts} | set(sources))]))
    ours = sorted((c for c in counts if c.ours), key=lambda c: view.label(c.iri).lower())
    others = sorted((c for c in counts if not c.ours), key=lambda c: (-c.count, view.curie(c.iri.value)))
    return render_template(
        "home.html", view=view, dataset=dataset,
        title=best_literal(index, dataset, (DCTERMS + "title", RDFS + "label")) or settings().title,
        description=best_literal(index, dataset, (DCTERMS + "description", RDFS + "comment")),
        triples=index.value(dataset, VOID + "triples"), entities=index.value(dataset, VOID + "entities"),
        ours=ours, others=others, sources=sources, class_url=class_url)


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
    return render_template("class_list.html", view=view, cls=cls, members=members, total=total, listed=listed,
                           blank_only=blank_only, page=page, pages=pages, first=(page - 1) * size + 1,
                           class_url=class_url)


def sparql_string(text: str) -> str:
    """A SPARQL string literal holding exactly this text (quotes, backslashes and line ends escaped)."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


@blueprint.get("/search")
def search():
    """Resources whose label contains the words asked for, case-insensitively."""
    query = request.args.get("q", "")
    if len(query) > MAX_QUERY:
        abort(400, f"a search is at most {MAX_QUERY} characters")
    if any(ord(c) < 32 and c not in "\t" for c in query):
        abort(400, "a search cannot hold control characters")
    query = " ".join(query.split())
    page = page_argument()
    size = settings().page_size
    results: list = []
    more = False
    if query:
        props = values("?p", LABEL_PROPERTIES)

        def load():
            # Grouped in a subquery, ordered outside it: Virtuoso 7.2 refuses an ORDER BY on an expression of
            # an aggregate's name in the same query.
            rows = select(f"""
SELECT ?s ?label WHERE {{ {{
  SELECT ?s (MIN(STR(?l)) AS ?label) WHERE {{
    {props} ?s ?p ?l FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?l)), LCASE({sparql_string(query)})))
  }} GROUP BY ?s
}} }} ORDER BY LCASE(?label) ?s LIMIT {size + 1} OFFSET {(page - 1) * size}""")
            return [row["s"] for row in rows if "s" in row]

        results = cached(("search", query, page), load)
        more = len(results) > size
        results = results[:size]
        if page > 1 and not results:
            abort(404, f"no page {page} of results for {query!r}")
    view = View(Index(labels_and_types(set(results))))
    return render_template("search.html", view=view, search_query=query, results=results, page=page, more=more,
                           first=(page - 1) * size + 1,
                           page_url=lambda n: url_for("pages.search", q=query, **({"page": n} if n > 1 else {})))
