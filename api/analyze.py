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
    items, options = inputs.batch_request(current_app.config["MAX_BATCH_DOCUMENTS"])
    analyzer: Analyzer = current_app.extensions["slant"]
    entries: list[dict[str, Any]] = []
    documents: dict[int, inputs.Document] = {}  # entry index -> its well-formed document
    for index, item in enumerate(items):
        entries.append({"id": inputs.document_id(item), "index": index})
        try:
            documents[index] = inputs.document(item, index)
        except ApiError as exc:
            entries[index].update(error_body(exc.code, exc.message, exc.field))
    outcomes = analyzer.analyze_each([(d.text, d.title) for d in documents.values()],
                                     **options)
    for index, outcome in zip(documents, outcomes, strict=True):
        if isinstance(outcome, InputError):
            entries[index].update(library_error(outcome, f"documents[{index}].")[1])
        elif isinstance(outcome, Exception):
            raise outcome  # a bug: the error handler answers 500
        else:
            entries[index]["result"] = outcome.to_dict()
    return {"results": entries}
