"""Slant's HTTP API: a Flask app that scores news text with one loaded model.

>>> from api import create_app
>>> app = create_app({"MODEL": "models/default"})  # doctest: +SKIP
>>> client = app.test_client()  # doctest: +SKIP
>>> client.post("/v1/analyze", json={"text": "It was a disgrace."}).json  # doctest: +SKIP

Configuration comes from the defaults below, then ``SLANT_*`` environment variables
(``SLANT_MAX_TEXT_CHARS=100000`` sets ``MAX_TEXT_CHARS``; values are parsed as JSON
when they can be), then ``test_config``. See ``docs/api.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from classifier import MAX_TEXT_CHARS, Analyzer, default_model_path, load_model
from classifier.model import CARD_NAME

from . import analyze, cors, docs, health, metrics, model, page, ratelimit
from .errors import ConfigError, register_error_handlers
from .jsonprovider import OrjsonProvider

__all__ = ["create_app"]

_POSITIVE_INTS = ("MAX_TEXT_CHARS", "MAX_BATCH_DOCUMENTS", "MAX_CONTENT_LENGTH")
WARMUP_TEXT = 'Warm-up: the council closed the bridge. "It is a disgrace," she said.'


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app and load its model once, into ``app.extensions["slant"]``.

    Raises
    ------
    ModelError
        The model cannot be loaded (missing, modified, or from another scikit-learn).
    ConfigError
        A configuration value is unusable.
    """
    app = Flask(__name__, static_folder=None)
    app.json = OrjsonProvider(app)
    app.config.from_mapping(
        MODEL=None,  # a model directory; None: $SLANT_MODEL or the committed default
        MAX_TEXT_CHARS=MAX_TEXT_CHARS,
        MAX_BATCH_DOCUMENTS=64,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        CORS_ORIGINS=None,  # "*", "https://a.example,chrome-extension://id", or a list
        RATE_LIMIT=None,  # e.g. "60/minute" per client
        WARMUP=True,  # analyse one short text at start-up, before gunicorn forks
    )
    app.config.from_prefixed_env("SLANT")
    if test_config is not None:
        app.config.from_mapping(test_config)
    _check_config(app.config)

    model_dir = Path(str(app.config["MODEL"] or default_model_path()))
    analyzer = Analyzer(load_model(model_dir), max_chars=app.config["MAX_TEXT_CHARS"])
    if app.config["WARMUP"]:
        analyzer.analyze(WARMUP_TEXT, "Warm-up", explain=True)
    app.extensions["slant"] = analyzer
    app.extensions["slant.model_card"] = _read_card(model_dir)

    register_error_handlers(app)
    for blueprint in (analyze.bp, model.bp, health.bp, docs.bp, page.bp):
        app.register_blueprint(blueprint)
    metrics.init_app(app)  # first: its timer wraps the other hooks
    ratelimit.init_app(app)
    cors.init_app(app)
    return app


def _check_config(config) -> None:
    for key in _POSITIVE_INTS:
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{key} must be a positive integer, not {value!r}", field=key)
    if config["RATE_LIMIT"]:
        ratelimit.parse_rate(config["RATE_LIMIT"])


def _read_card(model_dir: Path) -> str | None:
    directory = model_dir if model_dir.is_dir() else model_dir.parent
    card = directory / CARD_NAME
    return card.read_text(encoding="utf-8") if card.is_file() else None
