"""``GET /``: a web page to paste an article and see its loaded words and stance.

The page is ``templates/index.html``; its script, style sheet and icon are
``static/page.*``, served by the docs blueprint's static route (``/docs/static/``).
The script calls ``POST /v1/analyze`` and builds the results with DOM methods only,
so nothing the user pastes is ever parsed as HTML. Nothing is loaded from elsewhere,
and the Content-Security-Policy forbids inline scripts and styles.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("page", __name__)

#: Same-origin assets only; no inline script or style, no plugins, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer"}


@bp.get("/")
def index():
    """The web page; the article length limit comes from ``MAX_TEXT_CHARS``."""
    html = render_template("index.html", max_chars=current_app.config["MAX_TEXT_CHARS"])
    return html, {"Content-Type": "text/html; charset=utf-8", **HEADERS}
