"""Stored XSS: IRIs with javascript:, data: and vbscript: schemes (any case) in the data never become links.

The data is the project's own plus hostile `owl:sameAs` and `rdfs:seeAlso` objects on a person. Headless
Chromium, driven through chromedriver, opens the person's page, the search page and the SPARQL results table,
reads where every link of each page points, then clicks every link (and every span of the results table that
shows a hostile IRI): no script may run (no alert, no marker set on the page).
"""

from __future__ import annotations

import shutil
from urllib.parse import quote, urlsplit

import pytest

from lodpub.build import build
from lodpub.web.links import safe_href

from .conftest import BASE, ROOT, LiveServer, project_settings
from .webdriver import module_browser

pytestmark = pytest.mark.probe("XSS and headers")
HOSTILE = [
    "javascript:window.top.xss='sameAs'",
    "JaVaScRiPt:alert(document.domain)",
    "javascript:alert(document.domain)//http://example.org/",
    "data:text/html;base64,PHNjcmlwdD53aW5kb3cudG9wLnhzcz0nZGF0YSc8L3NjcmlwdD4=",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(2)",
]
SAFE = ["http://127.0.0.1:9/pompeo", "mailto:press@example.org"]   # port 9: refused at once, offline


@pytest.mark.parametrize("iri, expected", [
    *[(iri, None) for iri in HOSTILE],
    ("\tjavascript:alert(1)", None), ("java\nscript:alert(1)", None), (" https://example.org/", None),
    ("jav&#x61;script:alert(1)", None), ("file:///etc/passwd", None), ("//evil.example/", None),
    ("HTTPS://example.org/x", "HTTPS://example.org/x"), *[(iri, iri) for iri in SAFE],
])
def test_one_function_decides_which_iri_becomes_a_link(iri, expected):
    from flask import Flask

    app = Flask(__name__)
    from lodpub.config import Settings
    from lodpub.vocab import Names

    app.extensions["lodpub"] = {"settings": Settings(), "names": Names(BASE)}
    with app.app_context():
        assert safe_href(iri) == expected
        assert safe_href(BASE + "id/person/x") == "/id/person/x"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    data = work / "data"
    shutil.copytree(ROOT / "data", data)
    ttl = next(data.glob("*.ttl"))
    objects = ", ".join(f"<{iri}>" for iri in HOSTILE + SAFE)
    ttl.write_text(ttl.read_text() + f"\nperson:mike-pompeo <http://www.w3.org/2002/07/owl#sameAs> {objects} ;\n"
                   f"    <http://www.w3.org/2000/01/rdf-schema#seeAlso> {objects} .\n")
    settings = project_settings(work / "dist", data_dir=data)
    build(settings)
    live = LiveServer(settings)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from module_browser(tmp_path_factory)


PAGES = {
    "entity page": "doc/person/mike-pompeo",
    "search page": "search?q=" + quote("Pompeo"),
    "SPARQL results table": "sparql?format=html&query=" + quote(
        "SELECT ?o WHERE { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }"),
}


def open_settled(browser, url: str) -> str:
    """Open a page and wait until the query page's script has drawn its results; return where it settled."""
    browser.get(url)
    browser.wait_for("!document.getElementById('sparql-answer') || document.querySelector('[data-running=done]')")
    return browser.current_url


@pytest.mark.parametrize("page", list(PAGES))
def test_a_browser_clicking_every_hostile_iri_runs_no_script(hostile_server, browser, page):
    url = open_settled(browser, hostile_server.url + PAGES[page])
    hrefs = browser.run("return Array.from(document.links, a => a.href)")
    assert hrefs, f"no link on the {page}"
    bad = [h for h in hrefs if urlsplit(h).scheme.lower() not in ("http", "https", "mailto")]
    assert bad == [], f"links with other schemes on the {page}: {bad}"

    shown = browser.run("return document.body.innerText")
    hostile_shown = [iri for iri in HOSTILE if iri in shown or iri.lower() in shown.lower()]
    if page != "search page":   # the search page lists things, not their sameAs
        assert hostile_shown, f"the hostile IRIs are not shown as text on the {page}"
    # Click every link of the page, and every span of the results table that shows a hostile IRI.
    clickable = "a, table.sparql-results span"
    clicked = hostile = 0
    count = len(browser.find_all(clickable))
    for index in range(count):
        if browser.current_url != url:
            open_settled(browser, url)        # the last click went somewhere: back to the page
        found = browser.find_all(clickable)
        assert len(found) == count, f"the {page} drew {count} clickable elements, then {len(found)}"
        element = found[index]
        text = browser.run("return arguments[0].innerText + ' ' + (arguments[0].title || '')", "el:" + element)
        shows_hostile = any(iri.lower() in text.lower() for iri in HOSTILE)
        tag = browser.run("return arguments[0].tagName", "el:" + element)
        if tag != "A" and not shows_hostile:
            continue
        browser.run("window.xss = undefined")
        try:
            browser.click(element)
        except Exception as error:    # an element that is not a link may not be clickable: nothing happened
            assert "not interactable" in str(error) or "intercepted" in str(error), error
        clicked += 1
        hostile += shows_hostile
        assert browser.alert_text() is None, f"a script ran an alert on the {page}"
        # Where a click leads: a page of ours, an http(s) page elsewhere (the browser's error page offline).
        assert urlsplit(browser.current_url).scheme in ("http", "https", "chrome-error"), browser.current_url
        if browser.current_url == url:
            assert browser.run("return window.xss === undefined"), f"a script ran on the {page}"
    assert clicked >= len(hrefs)
    if page != "search page":
        assert hostile >= len(HOSTILE), f"only {hostile} elements show hostile IRIs on the {page}"
