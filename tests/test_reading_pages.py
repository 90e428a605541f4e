"""Reading the pages in a real browser (Debian's headless Chromium, driven through chromedriver), with every
request to a host other than the server blocked: a person's timeline with its dates, a quote's source link
landing on the whole span highlighted, a click on a passage listing what it supports, search finding the
person first, and a page that loads nothing from anywhere else.
"""

from __future__ import annotations

import os

import pytest

from .conftest import BASE
from .webdriver import CHROMEDRIVER, CHROMIUM, Browser

if (CHROMIUM is None or CHROMEDRIVER is None) and not os.environ.get("CI"):
    pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    live = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield live
    live.quit()


def only_from(browser: Browser, server) -> None:
    """Everything the page loaded came from the server under test."""
    loaded = browser.resources()
    assert loaded and all(url.startswith(server.url) for url in loaded), loaded


def test_a_person_page_shows_the_communications_on_a_timeline_with_their_dates(server, browser, sparql):
    person = BASE + "id/person/qassem-soleimani"
    acts = sparql(f"""SELECT DISTINCT ?act WHERE {{
        VALUES ?p {{ lpo:sender lpo:addressee lpo:intermediary schema:sender schema:agent }} ?act ?p <{person}>
        VALUES ?c {{ lpo:Communication lpo:Receipt }} ?act a ?c }}""")
    assert len(acts) > 3
    browser.get(server.url + "doc/person/qassem-soleimani")
    rows = browser.find_all("table.timeline tbody tr")
    assert len(rows) == len(acts)
    links = browser.run("return Array.from(document.querySelectorAll('table.timeline tbody tr td:nth-child(2) a'))"
                        ".map(a => a.getAttribute('href'));")
    assert {"/" + a["act"][len(BASE):] for a in acts} <= set(links)
    text = browser.text(browser.find("table.timeline"))
    # Dates at the text's precision: a bare year, a month with no year stated and its inferred year marked.
    assert "2008" in text
    november = browser.run("return Array.from(document.querySelectorAll('table.timeline tbody tr'))"
                           ".map(r => r.cells[0].innerText).find(t => t.startsWith('November'));")
    assert november and "year not stated" in november and "inferred year 2017" in november
    assert "date not given" in text
    # What only a claim vouches for is marked, with the claimant.
    assert "claimed by Mohammad Mohammadi Golpayegani" in text
    # The offices the text gives, with the dates as of which it attests them.
    roles = browser.text(browser.find("ul.roles"))
    assert "commander of Qods Force" in roles and "November 16, 2017" in roles
    only_from(browser, server)


def test_following_a_quotes_source_link_shows_the_whole_span_highlighted(server, browser, sparql):
    quote = BASE + "id/quote/pompeo-rndf-2"
    span = sparql(f"""SELECT ?start ?end ?exact WHERE {{ <{quote}> lpo:supportedBy ?s . ?s oa:hasSelector ?a , ?b .
        ?a oa:start ?start ; oa:end ?end . ?b oa:exact ?exact }}""")[0]
    browser.get(server.url + "doc/quote/pompeo-rndf-2")
    link = browser.find("figure.quote a.span-link")
    browser.click(link)
    browser.wait_for(f"location.hash === '#span-{span['start']}-{span['end']}'")
    marked = browser.wait_for("Array.from(document.querySelectorAll('#text .seg.target')).map(s => s.textContent)"
                              ".join('') || null")
    assert marked == span["exact"], "every piece of the span, and nothing else, is marked"
    colour = browser.run("return getComputedStyle(document.querySelector('#text .seg.target')).backgroundColor;")
    plain = browser.run("return getComputedStyle(document.querySelector('#text .seg:not(.target)'))"
                        ".backgroundColor;")
    assert colour != plain
    only_from(browser, server)


def test_a_click_on_a_passage_lists_every_resource_it_supports(server, browser, sparql):
    document = BASE + "id/document/pompeo-soleimani-letter"
    at = 1250   # inside "He refused to open the letter"
    expected = sparql(f"""SELECT DISTINCT ?r WHERE {{
        ?span oa:hasSource <{document}> ; oa:hasSelector ?sel . ?sel oa:start ?s ; oa:end ?e
        FILTER(?s <= {at} && {at} < ?e) ?x lpo:supportedBy ?span
        OPTIONAL {{ ?owner ?p ?x FILTER(isBlank(?x) && isIRI(?owner)) }}
        BIND(IF(isIRI(?x), ?x, ?owner) AS ?r) FILTER(BOUND(?r)) }}""")
    assert len(expected) >= 2
    browser.get(server.url + "doc/document/pompeo-soleimani-letter")
    seg = browser.run(f"return Array.from(document.querySelectorAll('#text .seg')).find("
                      f"s => +s.dataset.s <= {at} && {at} < +s.dataset.e).dataset.s;")
    browser.click(browser.find(f'#text .seg[data-s="{seg}"]'))
    listed = browser.wait_for("Array.from(document.querySelectorAll('#passage-supports a'))"
                              ".map(a => a.getAttribute('href')).filter(h => h.startsWith('/id/'))")
    assert {"/" + row["r"][len(BASE):] for row in expected} <= set(listed)
    assert browser.find_all("fieldset.legend input[data-layer]"), "the layers have a legend"
    only_from(browser, server)


def test_typing_soleimani_finds_the_person_first(server, browser):
    browser.get(server.url)
    box = browser.find("#home-search")
    browser.type(box, "soleimani\n")
    browser.wait_for("location.pathname === '/search'")
    first = browser.find("ol.hits li a")
    assert browser.attribute(first, "href").endswith("/id/person/qassem-soleimani")
    assert browser.text(first) == "Qassem Soleimani"
    # Passages of the source with the words marked, and the facts they support.
    assert browser.find_all("ol.passages li mark")
    only_from(browser, server)


def test_a_request_to_another_host_is_blocked(server, browser):
    """The guard the other tests rely on: a page that asks another host gets nothing from it."""
    browser.get(server.url)
    outcome = browser.run("""
        return fetch('http://example.org/').then(function () { return 'loaded'; }, function () { return 'blocked'; });
    """)
    assert outcome == "blocked"


def test_the_copy_button_copies_the_iri(server, browser):
    browser.get(server.url + "doc/person/mike-pompeo")
    button = browser.find("button.copy")
    assert browser.attribute(button, "data-copy") == BASE + "id/person/mike-pompeo"
    browser.click(button)
    assert browser.wait_for("document.querySelector('button.copy').textContent !== 'Copy IRI' && "
                            "document.querySelector('button.copy').textContent") == "Copied"
