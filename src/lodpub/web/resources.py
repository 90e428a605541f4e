"""Blueprint placeholder: filled in by its own issue."""

from flask import Blueprint

blueprint = Blueprint("resources", __name__)
