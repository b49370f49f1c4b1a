"""Reading and checking request bodies: the API's half of validation.

The library checks the texts themselves (:func:`classifier.validate_text`, called by
:meth:`classifier.Analyzer.analyze`); this module checks the envelope around them:
content type, JSON syntax, field names and JSON types. Everything it rejects is an
:class:`~api.errors.ApiError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from classifier import validate_text
from classifier.errors import InvalidTextError
from classifier.textio import decode_text

from .errors import ApiError, ClientTimeout

__all__ = ["Document", "analyze_request", "batch_request", "document", "document_id"]

#: Analysis options with their defaults (the library's).
OPTIONS = {"readability": True, "terms": True, "explain": False}
ANALYZE_FIELDS = ("text", "title", "options")
BATCH_FIELDS = ("documents", "options")
DOCUMENT_FIELDS = ("id", "text", "title")
_PLAIN_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}
_FLAGS = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True)
class Document:
    """One text to analyse; ``text`` and ``title`` are checked later by the library."""

    text: Any
    title: Any = None


def json_type(value: Any) -> str:
    """The JSON name of ``value``'s type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _body() -> bytes:
    """The raw body; 413 when it is over MAX_CONTENT_LENGTH, even when sent chunked.

    Werkzeug stops reading a chunked body at the limit without complaint, so a body
    that fills the limit exactly counts as too large.
    """
    try:
        data = request.get_data(cache=False)
    except HTTPException:
        raise
    except ClientTimeout as exc:  # slant serve's worker gave up waiting for the client
        raise ApiError("request_timeout", f"the body stopped arriving: {exc}") from None
    except Exception as exc:
        # The WSGI server raises its own errors for a body it cannot read, such as
        # gunicorn's InvalidChunkSize for a broken chunked body: the request's fault.
        raise ApiError("bad_request", f"the body could not be read: {exc}") from None
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        raise RequestEntityTooLarge()
    return data


def json_body() -> dict[str, Any]:
    """The request's JSON object (415 unless JSON, 413 if too big, 400 if malformed)."""
    if not request.is_json:
        raise ApiError("unsupported_media_type",
                       f"send the body as application/json, not {request.mimetype or 'nothing'}")
    try:
        body = current_app.json.loads(_body())
    except (ValueError, RecursionError) as exc:
        raise ApiError("malformed_json", f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError("invalid_type", f"the body must be a JSON object, not {json_type(body)}")
    return body


def _plain_text_body() -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in _PLAIN_CHARSETS:
        raise ApiError("unsupported_media_type",
                       f"send text/plain bodies in UTF-8, not {charset}")
    try:
        return decode_text(_body(), source="the body")
    except InvalidTextError as exc:
        exc.field = "text"
        raise


def _check_fields(obj: dict[str, Any], known: tuple[str, ...], prefix: str = "") -> None:
    for key in obj:
        if key not in known:
            raise ApiError("unknown_field",
                           f"unknown field {key!r}; expected {', '.join(known)}",
                           field=f"{prefix}{key}")


def _options(value: Any, base: dict[str, bool]) -> dict[str, bool]:
    if value is None:
        return base
    if not isinstance(value, dict):
        raise ApiError("invalid_type", f"options must be an object, not {json_type(value)}",
                       field="options")
    options = dict(base)
    for key, flag in value.items():
        if key not in OPTIONS:
            raise ApiError("unknown_field",
                           f"unknown option {key!r}; expected {', '.join(OPTIONS)}",
                           field=f"options.{key}")
        if not isinstance(flag, bool):
            raise ApiError("invalid_type",
                           f"options.{key} must be true or false, not {json_type(flag)}",
                           field=f"options.{key}")
        options[key] = flag
    return options


def _query() -> tuple[str | None, dict[str, bool]]:
    """``title`` and options from the query string (``?title=...&explain=true``).

    An empty value (``?title=``) counts as absent, as HTML forms send them.
    """
    options = dict(OPTIONS)
    title = None
    for key in request.args:
        if key != "title" and key not in OPTIONS:
            raise ApiError("unknown_field",
                           f"unknown query parameter {key!r}; expected title, "
                           f"{', '.join(OPTIONS)}", field=key)
        values = [value for value in request.args.getlist(key) if value]
        if len(values) > 1:
            raise ApiError("invalid_input", f"query parameter {key!r} is given more than once",
                           field=key)
        if not values:
            continue
        if key == "title":  # checked even when a JSON body's title replaces it
            title = validate_text(values[0], field="title",
                                  max_chars=current_app.config["MAX_TEXT_CHARS"])
        elif values[0].lower() in _FLAGS:
            options[key] = _FLAGS[values[0].lower()]
        else:
            raise ApiError("invalid_type",
                           f"query parameter {key!r} must be true or false, not {values[0]!r}",
                           field=key)
    return title, options


def analyze_request() -> tuple[Document, dict[str, bool]]:
    """The document and options of ``POST /v1/analyze`` (JSON or text/plain body).

    Options come from the defaults, then the query string, then the JSON body.
    """
    title, options = _query()
    if request.mimetype == "text/plain":
        return Document(_plain_text_body(), title), options
    body = json_body()
    _check_fields(body, ANALYZE_FIELDS)
    if "text" not in body:
        raise ApiError("missing_field", "text is required", field="text")
    if body.get("title") is not None:
        title = body["title"]
    return Document(body["text"], title), _options(body.get("options"), options)


def batch_request(max_documents: int) -> tuple[list[Any], dict[str, bool]]:
    """The raw documents and shared options of ``POST /v1/analyze/batch``."""
    body = json_body()
    _check_fields(body, BATCH_FIELDS)
    if "documents" not in body:
        raise ApiError("missing_field", "documents is required", field="documents")
    documents = body["documents"]
    if not isinstance(documents, list):
        raise ApiError("invalid_type",
                       f"documents must be an array, not {json_type(documents)}",
                       field="documents")
    if len(documents) > max_documents:
        raise ApiError("too_many_documents",
                       f"the batch holds {len(documents):,} documents; the limit is "
                       f"{max_documents:,}", field="documents")
    return documents, _options(body.get("options"), dict(OPTIONS))


def document_id(item: Any) -> str | int | None:
    """The document's ``id`` when it is a usable one (a string or an integer), else None."""
    if not isinstance(item, dict):
        return None
    value = item.get("id")
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None


def document(item: Any, index: int) -> Document:
    """Check one batch entry's envelope; its text and title are checked by the library."""
    field = f"documents[{index}]"
    if not isinstance(item, dict):
        raise ApiError("invalid_type", f"{field} must be an object, not {json_type(item)}",
                       field=field)
    _check_fields(item, DOCUMENT_FIELDS, prefix=f"{field}.")
    if "text" not in item:
        raise ApiError("missing_field", f"{field}.text is required", field=f"{field}.text")
    if item.get("id") is not None and document_id(item) is None:
        raise ApiError("invalid_type",
                       f"{field}.id must be a string or an integer, not {json_type(item['id'])}",
                       field=f"{field}.id")
    return Document(item["text"], item.get("title"))
