"""Helpers for the tests that talk to a live server as a Linked Data client would."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import rdflib
import requests

from lodpub.formats import GRAPH_FORMATS

from .conftest import BASE

# Every graph format a description is offered in, plus HTML: (media type, extension, rdflib parser or None).
RDF_TYPES = [(f.media_type, f.extension, f.rdflib) for f in GRAPH_FORMATS]
ALL_TYPES = [("text/html", "html", None), *RDF_TYPES]


def url_of(server, iri: str) -> str:
    """Where the server answers for an IRI of the data (whose base is the build's, not the server's)."""
    assert iri.startswith(BASE), iri
    return server.url + iri[len(BASE):]


def get(url: str, accept: str | None = None, **kwargs) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if accept is not None:
        headers["Accept"] = accept
    kwargs.setdefault("timeout", 30)
    return requests.get(url, headers=headers, **kwargs)


def parse(response: requests.Response, rdflib_format: str) -> rdflib.Graph:
    """The response body as a graph; relative IRIs (none are expected) resolve against the data's base."""
    return rdflib.Graph().parse(data=response.content, format=rdflib_format, publicID=BASE)


def mentions(graph: rdflib.Graph, iri: str) -> bool:
    node = rdflib.URIRef(iri)
    return (node, None, None) in graph or (None, None, node) in graph or (None, node, None) in graph


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[a-zA-Z]+="[^"]*"\s*)*)')


def links(response: requests.Response) -> list[dict[str, str]]:
    """The Link header, one dict per link: {"href": ..., "rel": ..., "type": ...}."""
    found = []
    for match in LINK.finditer(response.headers.get("Link", "")):
        params = dict(re.findall(r'([a-zA-Z]+)="([^"]*)"', match.group(2)))
        found.append({"href": match.group(1), **params})
    return found


class Page(HTMLParser):
    """What a test reads from an HTML page: links, element ids, and the visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.text_parts: list[str] = []
        self.anchors: list[tuple[str, str]] = []   # (href, link text)
        self._open_links: list[list] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag in ("a", "link") and attrs.get("href"):
            self.hrefs.append(attrs["href"])
            if tag == "a":
                self._open_links.append([attrs["href"], ""])
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._open_links:
            href, text = self._open_links.pop()
            self.anchors.append((href, " ".join(text.split())))
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text_parts.append(data)
            for link in self._open_links:
                link[1] += data

    @property
    def raw_text(self) -> str:
        """The text exactly as the page holds it, whitespace included."""
        return "".join(self.text_parts)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def internal(server, page_url: str, href: str) -> str | None:
    """The absolute URL of a link if it stays on this server, else None."""
    target = urljoin(page_url, href)
    parts, root = urlsplit(target), urlsplit(server.url)
    if (parts.scheme, parts.netloc) != (root.scheme, root.netloc):
        return None
    return target
