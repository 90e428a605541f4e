"""What every handler needs from the running application, in one place."""

from __future__ import annotations

from flask import current_app

from ..config import Settings
from ..vocab import Names


def settings() -> Settings:
    return current_app.extensions["lodpub"]["settings"]


def names() -> Names:
    return current_app.extensions["lodpub"]["names"]


def store():
    return current_app.extensions["lodpub"]["store"]


def manifest() -> dict:
    return current_app.extensions["lodpub"]["manifest"]
