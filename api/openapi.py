"""The OpenAPI 3.1 document served at ``/openapi.json``: the API's single description.

:func:`openapi_spec` builds it from the app's configuration, so the limits it states
are the ones enforced; the error codes come from :data:`api.errors.ERROR_CODES`. The
tests validate the document and check real responses against its schemas, and
schemathesis generates requests from it; ``/docs`` renders it in the browser.
"""

from __future__ import annotations

from typing import Any

from classifier import __version__
from classifier.analyzer import CONTROL_CHARACTERS as LIBRARY_CONTROL  # the one list

from .errors import ERROR_CODES
from .inputs import OPTIONS

__all__ = ["openapi_spec", "TEXT_PATTERN"]



def _char_class(codes: set[int]) -> str:
    """A regex character class body for ``codes``, as \\uXXXX ranges (Python and ECMA-262)."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


# What classifier.validate_text rejects: its control characters, and texts made only of
# characters that str.strip() removes (str.isspace, all below U+3001).
_CONTROL = _char_class(set(LIBRARY_CONTROL))
_BLANK = _char_class(set(LIBRARY_CONTROL) | {c for c in range(0x3001) if chr(c).isspace()})
#: A text has no control characters and at least one non-blank character.
TEXT_PATTERN = rf"^[^{_CONTROL}]*[^{_BLANK}][^{_CONTROL}]*$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": schema, **extra}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _obj(properties: dict[str, Any], required: list[str] | None = None, *,
         additional: bool | dict = False, description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "required": list(properties) if required is None else required,
                              "additionalProperties": additional}
    if description:
        schema["description"] = description
    return schema


_NUMBER = {"type": "number"}
_INTEGER = {"type": "integer", "minimum": 0}
_PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}
_NULLABLE_PROBABILITY = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_ARTICLE_READABILITY = ("flesch_reading_ease", "flesch_kincaid_grade", "gunning_fog",
                        "smog_index", "coleman_liau_index", "automated_readability_index",
                        "dale_chall_readability_score", "reading_time_seconds")
_COUNTS = ("words", "syllables", "characters", "polysyllables")

EXAMPLE_TEXT = ("Port Averly's bungling town council has done it again. Officials said the "
                "bridge will close on Monday.")


def _schemas(config: dict[str, Any]) -> dict[str, Any]:
    max_chars = config["MAX_TEXT_CHARS"]
    text = {"type": "string", "minLength": 1, "maxLength": max_chars, "pattern": TEXT_PATTERN,
            "description": f"UTF-8 text of at most {max_chars:,} characters (code points), "
                           "not blank, without control characters (tab, newlines and form "
                           "feed are fine)."}
    term = _obj({
        "start": _INTEGER, "end": _INTEGER,
        "text": {"type": "string"},
        "score": _PROBABILITY,
        "polarity": {"type": "string", "enum": ["positive", "negative"]},
        "quoted": {"type": "boolean", "description": "Inside a quotation."},
    }, description="A loaded word or phrase; start/end index the submitted text.")
    feature = _obj({"feature": {"type": "string"}, "weight": _NUMBER})
    return {
        "Text": text,
        "Options": _obj({
            name: {"type": "boolean", "default": default}
            for name, default in OPTIONS.items()
        }, required=[], description="readability: readability metrics; terms: loaded terms; "
                                    "explain: the features behind each sentence's scores."),
        "AnalyzeRequest": _obj({
            "text": _ref("Text"),
            "title": {"anyOf": [_ref("Text"), {"type": "null"}],
                      "description": "The headline, scored on its own."},
            "options": {"anyOf": [_ref("Options"), {"type": "null"}]},
        }, required=["text"]),
        "Document": _obj({
            "id": {"type": ["string", "integer", "null"],
                   "description": "Echoed in the result entry."},
            "text": _ref("Text"),
            "title": {"anyOf": [_ref("Text"), {"type": "null"}]},
        }, required=["text"]),
        "BatchRequest": _obj({
            "documents": {"type": "array", "maxItems": config["MAX_BATCH_DOCUMENTS"],
                          "items": _ref("Document"),
                          "description": "At most MAX_BATCH_DOCUMENTS "
                                         f"({config['MAX_BATCH_DOCUMENTS']}) documents."},
            "options": {"anyOf": [_ref("Options"), {"type": "null"}]},
        }, required=["documents"]),
        "ModelInfo": _obj({"name": {"type": "string"}, "version": {"type": "string"},
                           "trained_on": {"type": "string"}}),
        "Term": term,
        "SentenceReadability": _obj(
            {**{name: _NUMBER for name in ("flesch_reading_ease", "flesch_kincaid_grade",
                                           "avg_syllables_per_word")},
             **{name: _INTEGER for name in _COUNTS}}, additional=True),
        "ArticleReadability": _obj(
            {**{name: _NUMBER for name in _ARTICLE_READABILITY},
             "text_standard": {"type": "string"},
             **{name: _INTEGER for name in (*_COUNTS, "sentences", "difficult_words")}},
            additional=True),
        "Explanation": _obj({"terms": {"type": "array", "items": {"type": "string"}}},
                            additional={"type": "array", "items": feature},
                            description="Loaded terms, and per head the features that moved "
                                        "its score most (value times weight)."),
        "Sentence": _obj({
            "index": _INTEGER, "start": _INTEGER, "end": _INTEGER,
            "text": {"type": "string", "description": "Equals text[start:end]."},
            "loaded": _PROBABILITY, "stance": _PROBABILITY,
            "quoted": {"type": "boolean"},
            "terms": {"type": "array", "items": _ref("Term")},
            "readability": {"anyOf": [_ref("SentenceReadability"), {"type": "null"}]},
            "explain": _ref("Explanation"),
        }, required=["index", "start", "end", "text", "loaded", "stance", "quoted", "terms",
                     "readability"]),
        "Article": _obj({
            "loaded": _NULLABLE_PROBABILITY, "stance": _NULLABLE_PROBABILITY,
            "loaded_share": _NULLABLE_PROBABILITY,
            "sentences": _INTEGER, "author_sentences": _INTEGER, "quoted_sentences": _INTEGER,
            "quoted_loaded": _NULLABLE_PROBABILITY,
            "top_terms": {"type": "array", "items": _obj({
                "text": {"type": "string"}, "count": _INTEGER, "quoted": _INTEGER,
                "score": _PROBABILITY,
                "polarity": {"type": "string", "enum": ["positive", "negative"]},
            })},
            "readability": {"anyOf": [_ref("ArticleReadability"), {"type": "null"}]},
        }, description="Averages over the author's (unquoted) sentences."),
        "AnalysisResult": _obj({
            "model": _ref("ModelInfo"),
            "title": {"anyOf": [_ref("Sentence"), {"type": "null"}]},
            "sentences": {"type": "array", "items": _ref("Sentence")},
            "article": _ref("Article"),
            "warnings": {"type": "array", "items": {"type": "string"}},
        }, description="The library's AnalysisResult.to_dict(), unchanged."),
        "BatchResult": _obj({"id": {"type": ["string", "integer", "null"]},
                             "index": _INTEGER, "result": _ref("AnalysisResult")}),
        "BatchError": _obj({"id": {"type": ["string", "integer", "null"]},
                            "index": _INTEGER, "error": _ref("ErrorDetail")}),
        "BatchResponse": _obj({"results": {
            "type": "array", "items": {"oneOf": [_ref("BatchResult"), _ref("BatchError")]},
            "description": "One entry per document, in order."}}),
        "ModelResponse": _obj({
            "info": _ref("ModelInfo"),
            "metadata": {"type": "object", "description": "The model's metadata.json: "
                         "versions, training data and hashes, metrics."},
            "card": {"type": ["string", "null"], "description": "MODEL_CARD.md (Markdown)."},
        }),
        "Health": _obj({"status": {"const": "ok"}}),
        "Ready": _obj({"status": {"const": "ready"}, "model": _ref("ModelInfo")}),
        "ErrorDetail": _obj({
            "code": {"type": "string", "enum": list(ERROR_CODES)},
            "message": {"type": "string"},
            "field": {"type": ["string", "null"],
                      "description": "The request field at fault, e.g. options.explain or "
                                     "documents[2].text."},
        }),
        "Error": _obj({"error": _ref("ErrorDetail")},
                      description="The one error shape. Codes: " + "; ".join(
                          f"`{code}` ({status}) {text}"
                          for code, (status, text) in ERROR_CODES.items())),
    }


def _flag(name: str, default: bool) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True,
            "schema": {"type": "boolean", "default": default},
            "description": f"Option `{name}` (true/false/1/0; empty means absent); a JSON "
                           "body's options win."}


def openapi_spec(config: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI 3.1 document for an app with this configuration."""
    limited = _error("Too many requests (only when RATE_LIMIT is set); see Retry-After.")
    limited["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                          "description": "Seconds until a retry can succeed."}}
    too_large = _error("`body_too_large` (over MAX_CONTENT_LENGTH, "
                       f"{config['MAX_CONTENT_LENGTH']:,} bytes) or `text_too_long` (over "
                       f"MAX_TEXT_CHARS, {config['MAX_TEXT_CHARS']:,} characters).")
    unavailable = _error("`model_unavailable`: the model failed while scoring.")
    client_errors = {
        "400": _error("`malformed_json`: the body is not valid JSON."),
        "408": _error("`request_timeout`: the client stopped sending the body (only under "
                      "`slant serve`, after `--client-timeout` seconds)."),
        "413": too_large,
        "415": _error("`unsupported_media_type`."),
        "422": _error("The body violates the schema: `missing_field`, `unknown_field`, "
                      "`invalid_type`, `empty_text`, `invalid_text`..."),
        "429": limited,
        "503": unavailable,
    }
    example = {"text": EXAMPLE_TEXT, "title": "Council closes bridge",
               "options": {"readability": False}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Slant API",
            "version": __version__,
            "description": (
                "Sentence-by-sentence loaded language and editorial stance in English news "
                "text. Scores are probabilities from a linear model: pointers for a human "
                "reader, not verdicts. Every error has the shape "
                '`{"error": {"code", "message", "field"}}`.'),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": {
            "/v1/analyze": {"post": {
                "operationId": "analyze",
                "summary": "Analyse one article",
                "description": "Send JSON, or the bare text as text/plain with title and "
                               "options in the query string.",
                "parameters": [
                    {"name": "title", "in": "query", "required": False,
                     "allowEmptyValue": True, "schema": _ref("Text"),
                     "description": "The headline (empty means absent; a JSON body's title "
                                    "wins)."},
                    *(_flag(name, default) for name, default in OPTIONS.items()),
                ],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("AnalyzeRequest"), "example": example},
                    "text/plain": {"schema": _ref("Text"), "example": EXAMPLE_TEXT},
                }},
                "responses": {"200": _json(_ref("AnalysisResult"), "The analysis."),
                              **client_errors},
            }},
            "/v1/analyze/batch": {"post": {
                "operationId": "analyzeBatch",
                "summary": "Analyse several articles",
                "description": "Results come in order with their ids. A bad document gets "
                               "an error entry (the error shape's inner object) and the "
                               "others are still scored.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": _ref("BatchRequest"),
                    "example": {"documents": [{"id": "a1", "text": EXAMPLE_TEXT},
                                              {"id": "a2", "text": EXAMPLE_TEXT,
                                               "title": "Bridge to close"}]},
                }}},
                "responses": {"200": _json(_ref("BatchResponse"), "One entry per document."),
                              **client_errors},
            }},
            "/v1/model": {"get": {
                "operationId": "model",
                "summary": "The loaded model: metadata and model card",
                "responses": {"200": _json(_ref("ModelResponse"), "The model."),
                              "429": limited, "503": unavailable},
            }},
            "/healthz": {"get": {
                "operationId": "healthz", "summary": "Liveness",
                "responses": {"200": _json(_ref("Health"), "The process answers.")},
            }},
            "/readyz": {"get": {
                "operationId": "readyz", "summary": "Readiness",
                "responses": {"200": _json(_ref("Ready"), "The model is loaded."),
                              "503": _error("`model_unavailable`: no model is loaded.")},
            }},
            "/metrics": {"get": {
                "operationId": "metrics", "summary": "Prometheus metrics",
                "description": "Request counts by endpoint and status, a latency histogram "
                               "and error counts, totalled over the workers of `slant serve`.",
                "responses": {"200": {"description": "Prometheus text format 0.0.4.",
                                      "content": {"text/plain": {"schema": {
                                          "type": "string"}}}}},
            }},
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1.")},
            }},
            "/docs": {"get": {
                "operationId": "docs", "summary": "This document as a web page",
                "responses": {"200": {"description": "HTML.", "content": {
                    "text/html": {"schema": {"type": "string"}}}}},
            }},
            "/": {"get": {
                "operationId": "page", "summary": "Web page: paste an article, see its "
                                                  "loaded words and stance",
                "description": "For people rather than programs; it calls /v1/analyze. "
                               "Served with a strict Content-Security-Policy; its script "
                               "and styles come from /docs/static/.",
                "responses": {"200": {"description": "HTML.", "content": {
                    "text/html": {"schema": {"type": "string"}}}}},
            }},
        },
        "components": {"schemas": _schemas(config)},
    }
