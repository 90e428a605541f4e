"""Browsing with a real browser: headless Chromium opens the home page and follows links to a person, a letter
and a quote, reading what it finds. Each page is loaded with `chromium --headless --dump-dom`, which prints
the DOM as the browser built it; the next URL is a link read from that DOM.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from .conftest import BASE
from .linkeddata import Page

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (.ci/run installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def browse(tmp_path_factory):
    assert CHROMIUM, "CI must have chromium: .ci/run installs it"
    profile = tmp_path_factory.mktemp("chromium-profile")

    def open_page(url: str) -> Page:
        result = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        assert "<html" in result.stdout, result.stderr[-2000:]
        return Page(result.stdout)

    return open_page


def follow(page: Page, base_url: str, wanted) -> str:
    """The URL of the first link whose (href, text) satisfies `wanted`."""
    for href, text in page.anchors:
        if wanted(href, text):
            return urljoin(base_url, href)
    raise AssertionError(f"no such link on {base_url}: {page.anchors[:40]}")


def class_link(iri: str):
    """A link to the list of a class's members."""
    return lambda href, text: parse_qs(urlsplit(href).query).get("class") == [iri]


def test_a_browser_goes_from_home_to_a_person_a_letter_and_a_quote(server, browse, sparql):
    home_url = server.url
    home = browse(home_url)
    assert "Classes" in home.text

    # A person: the class list of schema:Person, then Mike Pompeo.
    people_url = follow(home, home_url, class_link("http://schema.org/Person"))
    people = browse(people_url)
    person_url = follow(people, people_url, lambda href, text: text == "Mike Pompeo")
    person = browse(person_url)
    assert "Mike Pompeo" in person.text
    assert "Links to Mike Pompeo" in person.text

    # A letter: the class list of lpo:Letter, then its first member.
    letters_url = follow(home, home_url, class_link(BASE + "ontology#Letter"))
    letters = browse(letters_url)
    letter_url = follow(letters, letters_url, lambda href, text: href.startswith("/id/"))
    letter = browse(letter_url)
    letter_iri = BASE + letter_url[len(server.url):]
    label = sparql(f"SELECT ?l WHERE {{ <{letter_iri}> rdfs:label ?l }}")[0]["l"]
    assert label in letter.text

    # A quote: from the person's page, a quote of theirs, whose words and speaker the page shows.
    quote_url = follow(person, person_url, lambda href, text: href.startswith("/id/quote/"))
    quote = browse(quote_url)
    quote_iri = BASE + quote_url[len(server.url):]
    words = sparql(f"SELECT ?t WHERE {{ <{quote_iri}> schema:text ?t }}")[0]["t"]
    assert " ".join(words.split()) in quote.text
    assert "Mike Pompeo" in quote.text

    # And from the quote to its span, highlighted on the source's page.
    span_url = follow(quote, quote_url, lambda href, text: "#span-" in href)
    source = browse(span_url)
    assert span_url.split("#", 1)[1] in source.ids
