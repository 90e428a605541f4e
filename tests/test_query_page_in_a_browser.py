"""Querying in a real browser: Debian's headless Chromium, driven through chromedriver, on the query page.

Every request to a host other than the server is blocked (a proxy that nothing listens on; loopback goes
direct), and the browser's own log of requests is read to show that the page asked nothing of any other host.
Typing in the editor offers completions from our data; running a query shows a sortable table, downloads in
every format, and the timeline and network views.

`LODPUB_SCREENSHOTS=<folder>` keeps a screenshot of the page (docs/screenshots/query.png is one).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from lodpub.sparql.examples import examples
from lodpub.vocab import Names

from .conftest import BASE, free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if (CHROMIUM is None or CHROMEDRIVER is None) and not os.environ.get("CI"):
    pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
                allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WAIT = 30


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert CHROMIUM and CHROMEDRIVER, "CI must have chromium and chromedriver: .ci/run installs them"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1300", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-quic",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                     # Every other host is unreachable: requests go to a proxy on a port nothing listens on;
                     # the server on loopback is reached directly.
                     f"--proxy-server=127.0.0.1:{free_port()}", "--proxy-bypass-list=127.0.0.1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    # Record what a Content-Security-Policy refuses, from the first script of every page on.
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.cspRefused = [];
        document.addEventListener("securitypolicyviolation", function (e) {
          window.cspRefused.push([e.violatedDirective, e.blockedURI, e.sourceFile || ""]);
        });"""})
    yield driver
    driver.quit()


def requested_urls(browser) -> list[str]:
    """Every URL that went to the network since the last call, from Chromium's own log (not data:, blob: or
    the browser's own chrome:// pages)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if url.split(":", 1)[0] in ("http", "https", "ws", "wss", "ftp"):
                urls.append(url)
    return urls


def wait_for(browser, condition, what: str):
    return WebDriverWait(browser, WAIT).until(lambda d: condition(d), message=f"waited {WAIT} s for {what}")


def editor_value(browser) -> str:
    return browser.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()")


def type_into_editor(browser, text: str) -> None:
    browser.execute_script("const editor = document.querySelector('.CodeMirror').CodeMirror;"
                           "editor.setValue(''); editor.focus();")
    # Keys typed as a user types them, into what has the focus (CodeMirror's hidden textarea): chromedriver 150
    # refuses to send keys to that textarea by element, as too small to count as interactable.
    ActionChains(browser).send_keys(text).perform()


def hints(browser) -> list[str]:
    # Read in the page in one step: the list is drawn again as the completions arrive, and an element found
    # before that is stale by the time its text is asked.
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('.CodeMirror-hints li'), e => e.textContent)")


def example_rows(sparql, slug: str) -> list[dict]:
    (example,) = [e for e in examples(Names(BASE)) if e.slug == slug]
    return sparql(example.query)


def run_example(browser, question: str) -> None:
    browser.execute_script("document.getElementById('sparql-form').removeAttribute('data-running')")
    browser.find_element(By.PARTIAL_LINK_TEXT, question).click()
    wait_for(browser, lambda d: d.find_element(By.ID, "sparql-form").get_attribute("data-running") == "done",
             "the query to run")


def select_view(browser, name: str) -> None:
    button = browser.find_element(By.CSS_SELECTOR, f".yasr .select_{name}")
    assert "disabled" not in (button.get_attribute("class") or ""), f"the {name} view is not offered"
    button.click()


@pytest.fixture(scope="module")
def query_page(site, browser):
    browser.get(site.url + "sparql")
    wait_for(browser, lambda d: d.find_element(By.ID, "sparql-form").get_attribute("data-completions-ready"),
             "the completions")
    assert browser.find_element(By.ID, "sparql-form").get_attribute("data-completions-ready") == "true"
    return browser


def test_the_editor_and_its_completions_come_from_this_server(site, query_page):
    assert query_page.find_elements(By.CSS_SELECTOR, ".CodeMirror"), "no editor: the vendored YASQE did not load"
    assert not query_page.find_element(By.ID, "query").is_displayed()
    urls = requested_urls(query_page)
    assert any(u.endswith("/static/vendor/yasgui/yasgui.min.js") for u in urls)
    assert any(u.endswith("/sparql/completions.json") for u in urls)
    assert urls and all(u.startswith(site.url) for u in urls), urls


def test_typing_a_class_offers_the_ontologys_classes_and_declares_the_prefix(query_page):
    type_into_editor(query_page, "SELECT * WHERE {\n?letter a lpo:Lett")
    wait_for(query_page, lambda d: hints(d), "completions")
    assert "lpo:Letter" in hints(query_page) and "lpo:LetterSending" in hints(query_page)
    value = editor_value(query_page)
    assert value.count("PREFIX lpo:") == 1 and "/ontology#>" in value


def test_typing_a_property_offers_the_properties_the_data_uses(query_page):
    type_into_editor(query_page, "SELECT * WHERE {\n?person schema:fam")
    wait_for(query_page, lambda d: "schema:familyName" in hints(d), "schema:familyName offered")
    assert editor_value(query_page).count("PREFIX schema: <http://schema.org/>") == 1


def test_a_query_shows_a_sortable_table(query_page, sparql):
    run_example(query_page, "The people the article names")
    names = sorted(row["name"] for row in sparql("SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name }"))

    def column(index: int) -> list[str]:
        return [cell.text for cell in query_page.find_elements(
            By.CSS_SELECTOR, f".yasr table.dataTable tbody tr td:nth-child({index})")]

    wait_for(query_page, lambda d: len(column(3)) == len(names), "the table's rows")
    headers = query_page.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable thead th")
    name_column = 1 + [h.text.strip() for h in headers].index("name")
    assert sorted(column(name_column)) == names
    header = headers[name_column - 1]
    header.click()
    wait_for(query_page, lambda d: column(name_column) in (names, names[::-1]), "sorted by name")
    first = column(name_column)
    header.click()
    wait_for(query_page, lambda d: column(name_column) == first[::-1], "sorted by name the other way")


def test_the_results_download_in_every_format_the_endpoint_offers(query_page, site):
    run_example(query_page, "The people the article names")
    links = {a.get_attribute("data-format"): a for a in
             query_page.find_elements(By.CSS_SELECTOR, "#sparql-downloads a")}
    assert set(links) == {"json", "xml", "csv", "tsv"}
    rows = len(query_page.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable tbody tr"))
    for key, link in links.items():
        assert link.get_attribute("download"), key
        response = requests.get(urljoin(site.url, link.get_attribute("href")))
        assert response.status_code == 200, key
        assert response.headers["Content-Type"].split(";")[0] == link.get_attribute("type"), key
    assert len(json.loads(requests.get(links["json"].get_attribute("href")).text)["results"]["bindings"]) == rows
    assert len(list(csv.reader(io.StringIO(requests.get(links["csv"].get_attribute("href")).text)))) == rows + 1
    # A CONSTRUCT downloads in the graph formats instead.
    run_example(query_page, "as a graph (CONSTRUCT)")
    formats = {a.get_attribute("data-format") for a in query_page.find_elements(By.CSS_SELECTOR, "#sparql-downloads a")}
    assert formats == {"turtle", "ntriples", "jsonld", "rdfxml"}


def test_dates_show_on_a_timeline_at_their_precision(query_page, sparql):
    run_example(query_page, "Every communication, by date")
    select_view(query_page, "timeline")
    items = wait_for(query_page, lambda d: d.find_elements(By.CSS_SELECTOR, ".lodpub-timeline li"), "the timeline")
    assert len(items) == len(example_rows(sparql, "communications-by-date"))
    text = query_page.find_element(By.CSS_SELECTOR, ".lodpub-timeline").text
    assert "16 November 2017" in text            # a day, stated in full
    assert "2008" in text                         # a year alone, as the text gives it
    assert "2 December 2017" in text and "year inferred" in text   # a year the text omits, marked
    dated = [i.find_element(By.CSS_SELECTOR, ".when").text for i in items if "undated" not in i.get_attribute("class")]
    assert dated[0].startswith("2008")


def test_agents_linked_by_communications_show_as_a_network(query_page, sparql):
    run_example(query_page, "Who communicated with whom")
    select_view(query_page, "network")
    nodes = wait_for(query_page, lambda d: d.find_elements(By.CSS_SELECTOR, "svg.lodpub-network .node"), "the network")
    labels = {n.find_element(By.CSS_SELECTOR, "text").text for n in nodes}
    assert {"Mike Pompeo", "Qassem Soleimani"} <= labels
    edges = query_page.find_elements(By.CSS_SELECTOR, "svg.lodpub-network .edge")
    assert len(edges) == len(example_rows(sparql, "who-to-whom"))
    # A node is a link to the agent's page on this server.
    link = next(n for n in nodes if n.find_element(By.CSS_SELECTOR, "text").text == "Mike Pompeo")
    assert link.get_dom_attribute("href") == "/id/person/mike-pompeo"
    directory = os.environ.get("LODPUB_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        query_page.set_window_size(1280, 1750)
        query_page.execute_script("window.scrollTo(0, 0)")
        time.sleep(0.5)
        query_page.save_screenshot(str(Path(directory) / "query.png"))


def test_no_request_left_the_server(site, query_page):
    urls = requested_urls(query_page)
    assert urls and all(u.startswith(site.url) for u in urls), urls


def test_nothing_a_content_security_policy_refuses_is_needed(query_page):
    """Whatever policy the server sends: the page has no inline script and no inline handler, so the only
    thing a policy of `style-src 'self'` refuses is the <style> that YASR's table adds for its column grips,
    whose rules static/query.css carries too."""
    refused = query_page.execute_script("return window.cspRefused || []")
    assert all(directive.startswith("style-src") and uri == "inline" for directive, uri, _ in refused), refused
    assert query_page.find_elements(By.CSS_SELECTOR, "script:not([src]):not([type='application/ld+json'])") == []
