"""Slant: sentence-by-sentence loaded language and editorial stance in news text.

>>> from classifier import analyze
>>> result = analyze("Officials said the bridge will close on Monday.")
>>> result.to_dict()["sentences"][0]["loaded"]  # doctest: +SKIP
0.12
"""

__version__ = "0.1.0"

from ._lazy import defer_import  # noqa: E402

# Before anything imports textstat, which imports NLTK only for what readability replaces.
defer_import("nltk")

from .analyzer import MAX_TEXT_CHARS, Analyzer, analyze, validate_text  # noqa: E402
from .errors import (  # noqa: E402
    DataError,
    EmptyTextError,
    InputError,
    InvalidTextError,
    InvalidTypeError,
    ModelError,
    ModelIntegrityError,
    ModelNotFoundError,
    ModelVersionError,
    SlantError,
    TextTooLongError,
)
from .model import SlantModel, default_model_path, load_model  # noqa: E402
from .results import AnalysisResult, ArticleSummary, SentenceResult, Term  # noqa: E402

__all__ = [
    "__version__",
    "analyze",
    "Analyzer",
    "AnalysisResult",
    "ArticleSummary",
    "SentenceResult",
    "Term",
    "SlantModel",
    "load_model",
    "default_model_path",
    "validate_text",
    "MAX_TEXT_CHARS",
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
