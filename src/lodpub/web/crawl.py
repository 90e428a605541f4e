"""What crawlers ask a site for: /robots.txt, /sitemap.xml (every document page, from the build's full-text
index, in files of at most 50,000 URLs as the sitemaps protocol allows), and /favicon.ico."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from .links import document_path
from .search import searcher

blueprint = Blueprint("crawl", __name__)
PER_FILE = 50_000


@blueprint.get("/robots.txt")
def robots():
    root = request.url_root
    text = (f"User-agent: *\nAllow: /\n# Queries are for people and programs, not for crawling.\nDisallow: /sparql?\n"
            f"Sitemap: {root}sitemap.xml\n")
    return Response(text, mimetype="text/plain")


def _documents(offset: int, limit: int) -> list[str]:
    index = searcher()
    if index is None:
        return []
    return [path for iri in index.iris(offset, limit) if (path := document_path(iri)) is not None]


@blueprint.get("/sitemap.xml")
def sitemap():
    """One sitemap while the pages fit in one, else a sitemap index of the numbered files."""
    index = searcher()
    total = index.count() if index is not None else 0
    root = request.url_root.rstrip("/")
    if total <= PER_FILE:
        paths = ["/", *_documents(0, PER_FILE)]
        body = render_template("sitemap.xml", root=root, paths=paths)
    else:
        files = [f"/sitemap-{n}.xml" for n in range(1, -(-total // PER_FILE) + 1)]
        body = render_template("sitemap_index.xml", root=root, files=files)
    return Response(body, mimetype="application/xml")


@blueprint.get("/sitemap-<int:number>.xml")
def sitemap_file(number: int):
    paths = _documents((number - 1) * PER_FILE, PER_FILE) if number >= 1 else []
    if not paths:
        abort(404, f"there is no sitemap file {number}")
    body = render_template("sitemap.xml", root=request.url_root.rstrip("/"), paths=paths)
    return Response(body, mimetype="application/xml")


@blueprint.get("/favicon.ico")
def favicon():
    return current_app.send_static_file("favicon.svg")
