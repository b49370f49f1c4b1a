"""``GET /healthz`` (the process answers) and ``GET /readyz`` (the model is loaded)."""

from __future__ import annotations

from flask import Blueprint, current_app

from classifier import Analyzer

from .errors import ApiError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness: the worker answers requests."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Readiness: a model is loaded and requests can be scored."""
    analyzer = current_app.extensions.get("slant")
    if not isinstance(analyzer, Analyzer):
        raise ApiError("model_unavailable", "the model is not loaded")
    return {"status": "ready", "model": analyzer.model.info}
