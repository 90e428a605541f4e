"""Security headers on every response the application writes: pages, documents, dumps, SPARQL answers, errors.

One `after_request` hook sets them from two tables. The Content-Security-Policy allows scripts, styles and
everything else from our own origin only: no inline script or style, no third-party host, no plugin, no framing;
a page that needs more (a vendored editor's worker, say) extends `CSP` here, in one place. Answers kept by the
response cache were written through this hook, so they carry the same headers.
"""

from __future__ import annotations

from flask import Flask, Response

__all__ = ["CSP", "HEADERS", "register"]

# Directive -> sources. 'self' is this server; nothing else is allowed anywhere.
CSP: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "font-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def policy(csp: dict[str, tuple[str, ...]] = CSP) -> str:
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in csp.items())


def register(app: Flask) -> None:
    headers = [("Content-Security-Policy", policy()), *HEADERS.items()]

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in headers:
            response.headers.setdefault(name, value)
        return response
