"""Exceptions raised by the Slant library.

Every error a user can cause is a subclass of :class:`SlantError`. Each class
carries a stable machine-readable ``code`` that the CLI prints and the HTTP API
puts in its JSON error body, so the edges never have to guess.
"""

from __future__ import annotations

__all__ = [
    "SlantError",
    "InputError",
    "InvalidTypeError",
    "EmptyTextError",
    "TextTooLongError",
    "InvalidTextError",
    "ModelError",
    "ModelNotFoundError",
    "ModelIntegrityError",
    "ModelVersionError",
    "DataError",
]


class SlantError(Exception):
    """Base class of every error Slant raises on purpose."""

    code = "slant_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InputError(SlantError, ValueError):
    """The text handed to the analyzer cannot be analysed."""

    code = "invalid_input"


class InvalidTypeError(InputError, TypeError):
    """The input is not a ``str`` (bytes, numbers, ``None``...)."""

    code = "invalid_type"


class EmptyTextError(InputError):
    """The text is empty or holds only whitespace."""

    code = "empty_text"


class TextTooLongError(InputError):
    """The text is longer than the configured limit (``MAX_TEXT_CHARS`` by default)."""

    code = "text_too_long"

    def __init__(self, length: int, limit: int, *, field: str | None = None,
                 unit: str = "characters", more_than: bool = False) -> None:
        qualifier = "more than " if more_than else ""
        super().__init__(
            f"text is {qualifier}{length:,} {unit} long; the limit is {limit:,} characters",
            field=field,
        )
        self.length = length
        self.limit = limit


class InvalidTextError(InputError):
    """The text holds binary data or control characters, or could not be decoded."""

    code = "invalid_text"


class ModelError(SlantError):
    """A model cannot be loaded or used."""

    code = "model_error"


class ModelNotFoundError(ModelError):
    """No model artifact at the given path."""

    code = "model_not_found"


class ModelIntegrityError(ModelError):
    """The artifact does not match the sha256 recorded in its metadata, or is unreadable."""

    code = "model_integrity"


class ModelVersionError(ModelError):
    """The artifact was trained with a different scikit-learn version than the one installed."""

    code = "model_version"


class DataError(SlantError):
    """A training or evaluation data set is missing or malformed."""

    code = "data_error"
