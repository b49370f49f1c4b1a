"""One JSON error shape for every error the API returns.

Every error body is ``{"error": {"code": ..., "message": ..., "field": ...}}``.
``code`` is stable and machine-readable (the library's codes for text problems, see
:mod:`classifier.errors`), ``message`` is for people, and ``field`` names the request
field at fault (``"text"``, ``"options.explain"``, ``"documents[2].title"``) or is
``null``. :data:`ERROR_CODES` lists every code with its HTTP status; the OpenAPI
document is generated from it, so the two cannot drift apart.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from classifier.errors import ModelError, SlantError

__all__ = ["ApiError", "ClientTimeout", "ConfigError", "ERROR_CODES", "INTERNAL_ERROR_MESSAGE",
           "error_body", "error_response", "library_error", "register_error_handlers"]

#: Every error code the API can return -> (HTTP status, description).
ERROR_CODES: dict[str, tuple[int, str]] = {
    "malformed_json": (400, "The body is not valid JSON (or is nested too deeply)."),
    "bad_request": (400, "The request is malformed in some other way."),
    "http_error": (400, "Any other HTTP-level error; the status tells which (416 for an "
                        "unsatisfiable Range header, ...)."),
    "not_found": (404, "No such route."),
    "method_not_allowed": (405, "The route exists but not with this method; see `Allow`."),
    "request_timeout": (408, "The client went silent while sending its request, for longer "
                             "than `slant serve --client-timeout` allows."),
    "body_too_large": (413, "The body is longer than MAX_CONTENT_LENGTH bytes."),
    "text_too_long": (413, "A text or title is longer than MAX_TEXT_CHARS characters."),
    "too_many_documents": (413, "A batch holds more than MAX_BATCH_DOCUMENTS documents."),
    "unsupported_media_type": (415, "The content type is not one the route accepts."),
    "missing_field": (422, "A required field is absent."),
    "unknown_field": (422, "A field, option or query parameter the API does not know."),
    "invalid_type": (422, "A field has the wrong JSON type."),
    "empty_text": (422, "A text or title is empty or only whitespace."),
    "invalid_text": (422, "A text holds control characters, NUL bytes, unpaired "
                          "surrogates, or bytes that are not UTF-8."),
    "invalid_input": (422, "Any other unusable input."),
    "rate_limited": (429, "Too many requests from this client; see `Retry-After`."),
    "internal_error": (500, "A bug in Slant. Please report it."),
    "model_unavailable": (503, "The model is not loaded."),
    "timeout": (503, "The request took longer than the server's timeout (`slant serve "
                     "--timeout`); its worker was restarted."),
}

#: The message of every ``internal_error``, from the app or from ``slant serve``'s workers.
INTERNAL_ERROR_MESSAGE = "internal error: this is a bug in Slant"

#: Library error codes whose HTTP status is not 422.
_LIBRARY_STATUS = {"text_too_long": 413}


class ConfigError(SlantError):
    """A configuration value :func:`api.create_app` cannot use (never an HTTP response)."""

    code = "config_error"


class ClientTimeout(Exception):
    """The client sent nothing for ``seconds`` while its request was being read.

    Raised by ``slant serve``'s worker sockets (:mod:`api.server`). It is deliberately not
    an ``OSError``: gunicorn handles those itself, as broken connections.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no data from the client for {seconds:g} seconds")
        self.seconds = seconds


class ApiError(Exception):
    """An error raised by the API layer itself (not by the library).

    Parameters
    ----------
    code : str
        A key of :data:`ERROR_CODES`, which also gives the HTTP status.
    message : str
        A sentence for people.
    field : str, optional
        The request field at fault.
    headers : dict, optional
        Extra response headers (``Retry-After``...).
    """

    def __init__(self, code: str, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return ERROR_CODES[self.code][0]


def error_body(code: str, message: str, field: str | None = None) -> dict:
    """The error object, as it appears in responses and in batch entries."""
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(code: str, message: str, field: str | None = None, *,
                   status: int | None = None,
                   headers: dict[str, str] | None = None) -> tuple[Response, int]:
    """A JSON error response in the one shape; ``status`` defaults to the code's."""
    g.slant_error_code = code  # for the metrics
    response = jsonify(error_body(code, message, field))
    response.headers.update(headers or {})
    return response, status or ERROR_CODES[code][0]


def library_error(exc: SlantError, field_prefix: str = "") -> tuple[int, dict]:
    """HTTP status and error body for a library error (``field`` gets ``field_prefix``)."""
    if isinstance(exc, ModelError):
        return 503, error_body("model_unavailable", exc.message)
    field = f"{field_prefix}{exc.field}" if exc.field else (field_prefix.rstrip(".") or None)
    code = exc.code if exc.code in ERROR_CODES else "invalid_input"
    return _LIBRARY_STATUS.get(code, 422), error_body(code, exc.message, field)


_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _handle_api_error(exc: ApiError):
    return error_response(exc.code, exc.message, exc.field, headers=exc.headers)


def _handle_library_error(exc: SlantError):
    status, body = library_error(exc)
    return error_response(**body["error"], status=status)


def _handle_http_error(exc: HTTPException):
    status = exc.code or 400
    code = _HTTP_CODES.get(status, "http_error")
    message, headers = f"{exc.name}: {exc.description}", {}
    if status == 404:
        message = f"no route {request.path}; see /docs for the endpoints"
    elif status == 405:
        allowed = sorted(getattr(exc, "valid_methods", None) or [])
        headers["Allow"] = ", ".join(allowed)
        message = f"{request.method} is not allowed on {request.path}; use {', '.join(allowed)}"
    elif status == 413:
        message = (f"the body is larger than the limit of "
                   f"{current_app.config['MAX_CONTENT_LENGTH']:,} bytes (MAX_CONTENT_LENGTH)")
    return error_response(code, message, status=status, headers=headers)


def _handle_internal_error(exc: InternalServerError):
    original = getattr(exc, "original_exception", None) or exc
    current_app.logger.error("unhandled error in %s %s", request.method, request.path,
                             exc_info=(type(original), original, original.__traceback__))
    return error_response("internal_error", INTERNAL_ERROR_MESSAGE)


def register_error_handlers(app: Flask) -> None:
    """Route every error, expected or not, to a JSON response in the one shape."""
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(SlantError, _handle_library_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(InternalServerError, _handle_internal_error)
