"""Optional CORS headers for browser extensions and web pages (``SLANT_CORS_ORIGINS``).

Off by default. ``CORS_ORIGINS`` is ``"*"``, a comma-separated string or a list of
origins such as ``chrome-extension://abcdef...`` or ``https://tool.example.org``.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

__all__ = ["allowed_origins", "init_app"]

MAX_AGE = "600"


def allowed_origins(value) -> frozenset[str]:
    """The configured origins as a set (``{"*"}`` allows any)."""
    if not value:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(str(item).strip().rstrip("/") for item in items if str(item).strip())


def _add_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    allowed = current_app.extensions["slant.cors_origins"]
    if not origin or ("*" not in allowed and origin.rstrip("/") not in allowed):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
    response.vary.add("Origin")
    response.headers["Access-Control-Expose-Headers"] = "Retry-After"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Content-Type")
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response


def init_app(app: Flask) -> None:
    """Add CORS headers to responses when ``CORS_ORIGINS`` is set."""
    origins = allowed_origins(app.config.get("CORS_ORIGINS"))
    if origins:
        app.extensions["slant.cors_origins"] = origins
        app.after_request(_add_headers)
