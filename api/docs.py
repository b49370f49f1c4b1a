"""``GET /openapi.json`` and ``GET /docs`` (a small page rendering it, no CDN)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app

from .openapi import openapi_spec

bp = Blueprint("docs", __name__, static_folder="static", static_url_path="/docs/static")

_CSP = "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:"


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document, with this server's limits."""
    return openapi_spec(current_app.config)


@bp.get("/docs")
def docs():
    """Browsable API documentation, rendered from /openapi.json by docs.js."""
    page = Path(bp.static_folder, "docs.html").read_bytes()
    return Response(page, mimetype="text/html", headers={"Content-Security-Policy": _CSP})
