"""Walking the whole dataset: every IRI of the data under the base answers, in every format, with a
document that parses and mentions it; and the HTML pages link to nothing that is not there."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urldefrag, urlsplit

import pytest

from .conftest import BASE
from .linkeddata import ALL_TYPES, Page, get, internal, media_type, mentions, parse, url_of

# Not descriptions: the SPARQL endpoint (its own tests) and the dump files, the current build's and each kept
# build's (test_dataset_http.py, test_build_versions.py).
NOT_DESCRIBED = (BASE + "sparql", BASE + "dumps/")
VERSIONED_DUMP = re.compile(re.escape(BASE) + r"builds/[^/]+/dumps/")
THREADS = 4


@pytest.fixture(scope="module")
def iris_by_document(sparql) -> dict[str, list[str]]:
    """Every IRI under the base in any position of any quad, grouped by the document that answers for it
    (hash IRIs such as `ontology#Letter` are answered by `ontology`)."""
    rows = sparql(f"""SELECT DISTINCT ?x WHERE {{
        {{ ?x ?p ?o }} UNION {{ ?s ?x ?o }} UNION {{ ?s ?p ?x }} UNION {{ GRAPH ?x {{ ?s ?p ?o }} }}
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}")) }}""")
    grouped: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        iri = row["x"]
        if iri.startswith(NOT_DESCRIBED) or VERSIONED_DUMP.match(iri) or iri == BASE:
            continue
        grouped[urldefrag(iri)[0]].append(iri)
    assert len(grouped) > 20
    return dict(grouped)


def fetch_and_check(server, document: str, iris: list[str], media: str, parser: str | None) -> list[str]:
    """Problems with one document in one format (an empty list when all is well)."""
    response = get(url_of(server, document), media)
    if response.status_code != 200:
        return [f"{document} as {media}: {response.status_code}"]
    if media_type(response) != media:
        return [f"{document} as {media}: got {media_type(response)}"]
    problems = []
    if parser is None:
        page = Page(response.text)
        for iri in iris:
            fragment = urldefrag(iri)[1]
            if fragment and fragment not in page.ids:
                problems.append(f"{document} as HTML has no anchor #{fragment} for {iri}")
            elif not fragment and html.escape(iri) not in response.text:
                problems.append(f"{document} as HTML does not mention {iri}")
        return problems
    try:
        graph = parse(response, parser)
    except Exception as error:  # noqa: BLE001 - any parse failure is the finding
        return [f"{document} as {media} does not parse: {error}"]
    return [f"{document} as {media} does not mention {iri}" for iri in iris if not mentions(graph, iri)]


@pytest.mark.parametrize(("media", "extension", "parser"), ALL_TYPES, ids=[t[1] for t in ALL_TYPES])
def test_every_iri_of_the_data_dereferences_in_every_format(server, iris_by_document, media, extension, parser):
    with ThreadPoolExecutor(THREADS) as pool:
        results = pool.map(lambda item: fetch_and_check(server, item[0], item[1], media, parser),
                           sorted(iris_by_document.items()))
        problems = [p for found in results for p in found]
    assert not problems, f"{len(problems)} problems, e.g.:\n" + "\n".join(problems[:20])


def test_the_html_links_to_nothing_that_is_not_there(server):
    """Crawl every page reachable from the home page; every internal link answers, every #anchor exists."""
    start = server.url
    seen: set[str] = {start}
    frontier = [start]
    pages: dict[str, Page] = {}
    wanted_anchors: dict[str, set[tuple[str, str]]] = defaultdict(set)
    broken: list[str] = []

    def visit(url: str):
        response = get(url, "text/html")
        return url, response

    with ThreadPoolExecutor(THREADS) as pool:
        while frontier:
            batch, frontier = frontier, []
            for url, response in pool.map(visit, batch):
                if response.status_code != 200:
                    broken.append(f"{url}: {response.status_code}")
                    continue
                if media_type(response) != "text/html":
                    continue
                page = pages[response.url] = pages[url] = Page(response.text)
                for href in page.hrefs:
                    target = internal(server, url, href)
                    if target is None:
                        continue
                    address, fragment = urldefrag(target)
                    if fragment:
                        wanted_anchors[address].add((fragment, url))
                    path = urlsplit(address).path
                    leaf = path.startswith(("/sparql", "/dumps/", "/static/"))
                    if address not in seen and not leaf:
                        seen.add(address)
                        frontier.append(address)
                    elif leaf and address not in seen:
                        seen.add(address)
                        ok = get(address).status_code
                        if ok != 200:
                            broken.append(f"{address} (linked from {url}): {ok}")
    assert len(pages) > 50, "the crawl reached the whole site"
    for address, anchors in wanted_anchors.items():
        page = pages.get(address)
        if page is None:
            continue
        for fragment, source in anchors:
            if fragment not in page.ids:
                broken.append(f"{address}#{fragment} (linked from {source}): no such anchor")
    assert not broken, f"{len(broken)} broken links, e.g.:\n" + "\n".join(sorted(broken)[:20])
