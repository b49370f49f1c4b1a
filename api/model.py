"""``GET /v1/model``: the loaded model's metadata and model card."""

from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("model", __name__, url_prefix="/v1")


@bp.get("/model")
def model():
    """Name and version, full ``metadata.json``, and ``MODEL_CARD.md`` (or null)."""
    slant_model = current_app.extensions["slant"].model
    return {
        "info": slant_model.info,
        "metadata": slant_model.metadata,
        "card": current_app.extensions["slant.model_card"],
    }
