"""``POST /v1/analyze`` and ``POST /v1/analyze/batch``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from classifier import Analyzer, InputError

from . import inputs
from .errors import ApiError, error_body, library_error

bp = Blueprint("analyze", __name__, url_prefix="/v1/analyze")


@bp.post("")
def analyze():
    """Analyse one article; the response is ``AnalysisResult.to_dict()``."""
    document, options = inputs.analyze_request()
    analyzer: Analyzer = current_app.extensions["slant"]
    return analyzer.analyze(document.text, document.title, **options).to_dict()


@bp.post("/batch")
def analyze_batch():
    """Analyse several articles; a bad one gets an error entry and the rest are scored."""
    documents, options = inputs.batch_request(current_app.config["MAX_BATCH_DOCUMENTS"])
    analyzer: Analyzer = current_app.extensions["slant"]
    return {"results": [_entry(analyzer, item, index, options)
                        for index, item in enumerate(documents)]}


def _entry(analyzer: Analyzer, item: Any, index: int, options: dict[str, bool]) -> dict:
    entry: dict[str, Any] = {"id": inputs.document_id(item), "index": index}
    try:
        document = inputs.document(item, index)
        entry["result"] = analyzer.analyze(document.text, document.title, **options).to_dict()
    except ApiError as exc:
        entry.update(error_body(exc.code, exc.message, exc.field))
    except InputError as exc:
        entry.update(library_error(exc, f"documents[{index}].")[1])
    return entry
