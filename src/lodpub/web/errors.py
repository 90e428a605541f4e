"""Errors as clear 4xx answers, never a 500 with a trace: plain text for machines, a page for people."""

from __future__ import annotations

import logging

from flask import Flask, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("lodpub")


def wants_html() -> bool:
    """Only when HTML is asked for by name: a browser says text/html, curl's */* gets plain text."""
    from .negotiation import ERRORS, HTML, negotiate

    return negotiate(ERRORS) is HTML


PLAIN = "text/plain; charset=utf-8"


def plain_text(code: int, title: str, message: str) -> str:
    """An error for a client that is not a browser: the status, and what is wrong."""
    return f"{code} {title}: {message}\n"


def render_error(code: int, title: str, message: str):
    if wants_html():
        from flask import render_template

        return render_template("error.html", code=code, title=title, message=message), code
    return plain_text(code, title, message), code, {"Content-Type": PLAIN}


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = app.make_response(render_error(error.code or 500, error.name, error.description or ""))
        original = error.get_response().headers
        for key in ("Allow", "Retry-After", "Vary"):
            if key in original:
                response.headers[key] = original[key]
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return http_error(InternalServerError("the server failed on this request; it has been logged"))
