"""What the query page's editor reads besides the page: the completions it offers, as JSON, once per build."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..sparql.completions import completions
from .cache import cached
from .context import names, store
from .http import allow_cors

blueprint = Blueprint("query_page", __name__)


@blueprint.route("/sparql/completions.json")
def completions_json():
    found = cached(("sparql-completions",), lambda: completions(store(), names()))
    response = jsonify(found)
    response.headers["Cache-Control"] = "public, max-age=300"
    return allow_cors(response)
