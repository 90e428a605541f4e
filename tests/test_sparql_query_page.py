"""Querying from a browser: the page at /sparql works with no JavaScript and no network, offers example
questions about the article, and shows results as a table whose IRIs link to their pages.

The page is read as a browser without JavaScript would: its form is parsed and submitted as it stands.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SCHEMA = "http://schema.org/"


class Page(HTMLParser):
    """What a browser without JavaScript uses: forms and their fields, links, script sources, stylesheets."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.table_links: list[str] = []
        self.examples: dict[str, str] = {}
        self._field: dict | None = None
        self._in_table = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "method": (attrs.get("method") or "get").lower(),
                               "fields": {}, "selects": {}})
        elif tag == "textarea" and self.forms:
            self._field = {"name": attrs.get("name"), "text": ""}
        elif tag == "select" and self.forms:
            self.forms[-1]["selects"][attrs.get("name")] = []
        elif tag == "option" and self.forms and self.forms[-1]["selects"]:
            name = list(self.forms[-1]["selects"])[-1]
            self.forms[-1]["selects"][name].append((attrs.get("value"), "selected" in attrs))
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
            if "data-example" in attrs:
                self.examples[attrs["data-example"]] = attrs["href"]
            if self._in_table:
                self.table_links.append(attrs["href"])
        elif tag == "script" and "src" in attrs:
            self.scripts.append(attrs["src"])
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs.get("href", ""))
        elif tag == "table":
            self._in_table = True

    def handle_endtag(self, tag):
        if tag == "textarea" and self._field is not None:
            self.forms[-1]["fields"][self._field["name"]] = self._field["text"]
            self._field = None
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._field is not None:
            self._field["text"] += data


@pytest.fixture(scope="module")
def page(endpoint) -> tuple[str, Page]:
    response = requests.get(endpoint, headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text, Page(response.text)


def query_form(page: Page) -> dict:
    """The page's query form (the site's header has a search form too)."""
    (form,) = [f for f in page.forms if "query" in f["fields"]]
    return form


def submit(endpoint: str, form: dict, query: str | None = None) -> requests.Response:
    """Submit the form as a browser does: its fields, each select at its selected option."""
    fields = dict(form["fields"])
    if query is not None:
        fields["query"] = query
    for name, options in form["selects"].items():
        fields[name] = next(value for value, selected in options if selected)
    url = urljoin(endpoint, form["action"])
    if form["method"] == "post":
        return requests.post(url, data=fields, headers=BROWSER)
    return requests.get(url, params=fields, headers=BROWSER)


def test_the_page_needs_no_javascript_and_no_network(page, endpoint):
    html, parsed = page
    form = query_form(parsed)
    assert form["method"] in ("get", "post")
    assert urlsplit(urljoin(endpoint, form["action"])).path == "/sparql"
    assert "query" in form["fields"] and form["fields"]["query"].strip()
    assert ("html", True) in form["selects"]["format"]
    # Nothing the page loads comes from elsewhere.
    assert all(not urlsplit(src).netloc for src in parsed.scripts + parsed.stylesheets)
    assert "<button" in html and 'type="submit"' in html


def test_the_editor_is_vendored_and_served_from_this_server(page, endpoint):
    html, parsed = page
    editor = [src for src in parsed.scripts if "vendor/yasgui/" in src]
    assert editor and all(not urlsplit(src).netloc for src in parsed.scripts)
    assert "cdn." not in html and "integrity=" not in html
    for src in (*parsed.scripts, *parsed.stylesheets):
        assert requests.get(urljoin(endpoint, src)).status_code == 200, src
    assert "<script>" not in html and " onclick=" not in html, "inline script: a Content-Security-Policy refuses it"


def test_the_vendored_release_names_its_version_and_license(endpoint):
    version = requests.get(urljoin(endpoint, "/static/vendor/yasgui/VERSION"))
    assert version.status_code == 200 and version.text.startswith("@zazuko/yasgui@")
    license_text = requests.get(urljoin(endpoint, "/static/vendor/yasgui/LICENSE")).text
    assert "MIT" in license_text and "codemirror" in license_text


def test_completions_come_from_our_data(endpoint):
    found = requests.get(endpoint + "/completions.json").json()
    assert found["prefixes"]["lpo"] == "http://localhost:8080/ontology#"
    assert found["prefixes"]["schema"] == SCHEMA
    assert "http://localhost:8080/ontology#Letter" in found["classes"]
    assert SCHEMA + "Person" in found["classes"]
    assert "http://localhost:8080/ontology#sender" in found["properties"]
    assert SCHEMA + "familyName" in found["properties"]


def test_a_run_offers_downloads_in_every_results_format(page, endpoint):
    _, parsed = page
    response = submit(endpoint, query_form(parsed))
    downloads = [link for link in Page(response.text).links if "format=" in link]
    formats = {parse_qs(urlsplit(link).query)["format"][0] for link in downloads}
    assert {"json", "xml", "csv", "tsv"} <= formats
    for link in downloads:
        assert requests.get(urljoin(endpoint, link)).status_code == 200, link


def test_the_form_runs_its_query_and_shows_a_table(page, endpoint):
    _, parsed = page
    form = query_form(parsed)
    response = submit(endpoint, form)
    assert response.status_code == 200
    assert "<table" in response.text


def test_iris_in_results_link_to_their_pages_on_this_server(page, endpoint, sparql):
    _, parsed = page
    form = query_form(parsed)
    people = {row["person"] for row in sparql(f"SELECT ?person WHERE {{ ?person a <{SCHEMA}Person> }}")}
    response = submit(endpoint, form, f"SELECT ?person WHERE {{ ?person a <{SCHEMA}Person> }}")
    links = Page(response.text).table_links
    assert {"/" + p.removeprefix("http://localhost:8080/") for p in people} <= set(links)
    followed = requests.get(urljoin(endpoint, sorted(links)[0]), headers=BROWSER)
    assert followed.status_code == 200
    assert followed.headers["Content-Type"].startswith("text/html")


def test_every_example_answers(page, endpoint):
    _, parsed = page
    assert len(parsed.examples) >= 5
    for slug, link in parsed.examples.items():
        response = requests.get(urljoin(endpoint, link), headers=BROWSER)
        assert response.status_code == 200, (slug, response.text)
        assert "<table" in response.text or "ASK answers" in response.text


def test_the_first_example_says_when_the_letter_was_sent_and_why_so(sparql):
    from lodpub.sparql.examples import examples
    from lodpub.vocab import Names

    (first, *_) = examples(Names("http://localhost:8080/"))
    assert first.question == "Who sent the letter to Soleimani, and when?"
    (row,) = sparql(first.query)
    assert row["senderName"] == "Mike Pompeo" and row["addresseeName"] == "Qassem Soleimani"
    # The text gives no date for the sending, only that Pompeo spoke of it on December 2.
    assert row["when"] == "before December 2"
    assert "no date" in row["whenBasis"] and "Reagan National Defense Forum" in row["whenBasis"]


def test_every_example_finds_something(sparql):
    from lodpub.sparql.examples import examples
    from lodpub.vocab import Names

    for example in examples(Names("http://localhost:8080/")):
        if "CONSTRUCT" in example.query:   # the sparql fixture answers ASK and SELECT
            continue
        answer = sparql(example.query)
        assert answer is True or (isinstance(answer, list) and answer), example.slug


def test_the_examples_ask_about_the_article(page):
    html, _ = page
    for question in ("Who sent the letter to Soleimani", "Every quote", "by date"):
        assert question in html


@pytest.mark.parametrize("slug", ["quotes", "people"])
def test_examples_over_the_standard_types_find_rows(page, endpoint, slug):
    _, parsed = page
    response = requests.get(urljoin(endpoint, parsed.examples[slug]), headers=BROWSER)
    assert response.text.count("<tr><td>") >= 1


def test_a_query_answers_html_to_a_browser(endpoint):
    response = requests.get(endpoint, params={"query": f"ASK {{ ?p a <{SCHEMA}Person> }}"}, headers=BROWSER)
    assert response.headers["Content-Type"].startswith("text/html")
    assert "ASK answers <strong>true</strong>" in response.text


def test_a_construct_shows_its_triples(endpoint):
    response = requests.get(endpoint, params={"query": f"CONSTRUCT WHERE {{ ?p a <{SCHEMA}Person> }}",
                                              "format": "html"})
    assert response.status_code == 200
    assert "<th scope=\"col\">subject</th>" in response.text
    assert "schema:Person" in response.text


def test_everything_shown_is_escaped_and_no_link_runs_script(endpoint):
    query = ('SELECT ?text ?link WHERE { BIND("<script>alert(1)</script>" AS ?text) '
             'BIND(IRI("javascript:alert(2)") AS ?link) }')
    response = requests.get(endpoint, params={"query": query, "format": "html"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert 'href="javascript:' not in response.text


def test_a_malformed_query_is_shown_with_the_parsers_message_and_kept_in_the_editor(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p }", "format": "html"})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert "error at 1:25" in response.text
    form = query_form(Page(response.text))
    assert form["fields"]["query"] == "SELECT * WHERE { ?s ?p }"


def test_a_refused_query_is_explained_in_the_page(endpoint):
    response = requests.get(endpoint, params={"query": "SELECT * WHERE { SERVICE <http://example.org/> { } }"},
                            headers=BROWSER)
    assert response.status_code == 400
    assert "SERVICE" in response.text and "outbound" in response.text
