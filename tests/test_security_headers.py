"""Every response carries security headers: pages, documents, dumps, SPARQL answers, refusals, errors, 404s.

The Content-Security-Policy allows nothing from another origin and no inline script; the pages, opened in
Chromium, load nothing from another host.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
import requests

from .linkeddata import get

pytestmark = pytest.mark.probe("XSS and headers")
Q = quote("SELECT * WHERE { ?s ?p ?o } LIMIT 3")
DEEP = ("SELECT * WHERE " + "{" * 5000 + "}" * 5000).encode()
# (method, path, headers, body, the status expected)
REQUESTS = {
    "home page": ("GET", "", {"Accept": "text/html"}, None, 200),
    "entity page": ("GET", "doc/person/mike-pompeo", {"Accept": "text/html"}, None, 200),
    "entity as Turtle": ("GET", "doc/person/mike-pompeo", {"Accept": "text/turtle"}, None, 200),
    "entity as JSON-LD": ("GET", "doc/person/mike-pompeo.jsonld", {}, None, 200),
    "thing IRI (303)": ("GET", "id/person/mike-pompeo", {"Accept": "text/turtle"}, None, 303),
    "HEAD of a page": ("HEAD", "doc/person/mike-pompeo", {"Accept": "text/html"}, None, 200),
    "dataset page": ("GET", "dataset", {"Accept": "text/html"}, None, 200),
    "VoID": ("GET", ".well-known/void", {"Accept": "text/turtle"}, None, 200),
    "dump": ("GET", "dumps/lodpub.nt", {}, None, 200),
    "gzip dump": ("GET", "dumps/lodpub.nt.gz", {}, None, 200),
    "ontology": ("GET", "ontology", {"Accept": "text/html"}, None, 200),
    "shapes": ("GET", "shapes.ttl", {}, None, 200),
    "stylesheet": ("GET", "static/style.css", {}, None, 200),
    "search": ("GET", "search?q=Pompeo", {"Accept": "text/html"}, None, 200),
    "query page": ("GET", "sparql", {"Accept": "text/html"}, None, 200),
    "service description": ("GET", "sparql", {"Accept": "text/turtle"}, None, 200),
    "SPARQL JSON": ("GET", f"sparql?query={Q}", {"Accept": "application/sparql-results+json"}, None, 200),
    "SPARQL results page": ("GET", f"sparql?query={Q}&format=html", {}, None, 200),
    "SPARQL by POST": ("POST", "sparql", {"Content-Type": "application/sparql-query"},
                       b"ASK { ?s ?p ?o }", 200),
    "CORS preflight": ("OPTIONS", "sparql", {"Origin": "https://example.org",
                                            "Access-Control-Request-Method": "POST"}, None, 204),
    "syntax error": ("GET", "sparql?query=SELEKT", {}, None, 400),
    "deep query refused": ("POST", "sparql", {"Content-Type": "application/sparql-query"}, DEEP, 400),
    "update refused": ("POST", "sparql", {"Content-Type": "application/sparql-update"}, b"CLEAR ALL", 403),
    "SERVICE refused": ("GET", "sparql?query=" + quote("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"),
                        {}, None, 400),
    "not acceptable": ("GET", "doc/person/mike-pompeo", {"Accept": "image/png"}, None, 406),
    "unsupported media type": ("POST", "sparql", {"Content-Type": "text/plain"}, b"x", 415),
    "too large": ("POST", "sparql", {"Content-Type": "application/sparql-query"}, b"#" * 2_000_000, 413),
    "404 page": ("GET", "doc/person/nobody", {"Accept": "text/html"}, None, 404),
    "404 plain": ("GET", "no/such/path", {}, None, 404),
    "405": ("DELETE", "sparql", {}, None, 405),
}


def check_headers(response: requests.Response) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    assert csp, "no Content-Security-Policy"
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    for sources in directives.values():
        assert set(sources) <= {"'self'", "'none'", "data:"}, csp     # no other origin, no unsafe-inline
    assert directives["script-src"] == ["'self'"] or directives.get("default-src") == ["'self'"], csp
    assert directives["frame-ancestors"] == ["'none'"], csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("X-Frame-Options") == "DENY"
    assert headers.get("Referrer-Policy")


@pytest.mark.parametrize("case", list(REQUESTS))
def test_every_response_carries_security_headers(server, case):
    method, path, headers, body, status = REQUESTS[case]
    response = requests.request(method, server.url + path, headers=headers, data=body, timeout=30,
                                allow_redirects=False)
    assert response.status_code == status, response.text[:300]
    check_headers(response)


def test_a_cached_answer_carries_them_too(server):
    url = server.url + "doc/person/mike-pompeo.ttl"
    for _ in range(3):
        check_headers(get(url))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from .webdriver import module_browser

    yield from module_browser(tmp_path_factory)


@pytest.mark.parametrize("path", ["", "doc/person/mike-pompeo", "sparql", f"sparql?query={Q}&format=html",
                                  "search?q=Pompeo", "dataset", "ontology"])
def test_pages_load_nothing_from_another_host_and_keep_their_style(server, browser, path):
    browser.get(server.url + path)
    loaded = browser.run("return performance.getEntriesByType('resource').map(e => e.name)")
    origin = urlsplit(server.url).netloc
    assert all(urlsplit(url).netloc == origin for url in loaded), loaded
    # The stylesheets loaded under the policy (an inline one would be blocked and empty).
    assert browser.run("return document.styleSheets.length") >= 1
    assert browser.run("return Array.from(document.styleSheets).every(s => s.cssRules.length > 0)")
