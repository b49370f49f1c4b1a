"""The HTTP API through Flask's test client, with the tiny model.

Every response any test here receives is checked after the test: an error has exactly
the one error shape with a known code and its status, and a response to a documented
operation matches its schema in /openapi.json.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import re
import shutil
import socket
import sys

import jsonschema_rs
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from api import create_app
from api.errors import ERROR_CODES, ClientTimeout, ConfigError
from api.openapi import TEXT_PATTERN, openapi_spec
from api.ratelimit import TokenBuckets, parse_rate
from classifier import (
    InputError,
    ModelError,
    ModelIntegrityError,
    ModelNotFoundError,
    validate_text,
)
from classifier.cli import cli
from classifier.model import read_metadata

CONFIG_KEYS = ("MODEL", "MAX_TEXT_CHARS", "MAX_BATCH_DOCUMENTS", "MAX_CONTENT_LENGTH",
               "CORS_ORIGINS", "RATE_LIMIT", "WARMUP")
TEXT = ("The council made a shameful decision that everyone should condemn. "
        'The mayor said the bridge will reopen in May. "It is outrageous," one resident said.')


# ---------------------------------------------------------------- fixtures
class RecordingClient(FlaskClient):
    """A test client that keeps every response for the checks after each test."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.exchanges = []

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)  # read static files and close them at once
        response = super().open(*args, **kwargs)
        self.exchanges.append((response.request.method, response.request.path, response))
        return response


@pytest.fixture
def make_app(tiny_model_dir, monkeypatch):
    """``make_app(**config)``: an app over the tiny model, ignoring the caller's SLANT_*."""
    for key in CONFIG_KEYS:
        monkeypatch.delenv(f"SLANT_{key}", raising=False)

    def make(**config):
        app = create_app({"TESTING": True, "MODEL": str(tiny_model_dir), **config})
        app.test_client_class = RecordingClient
        return app

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    client = app.test_client()
    yield client
    check_exchanges(app, client.exchanges)


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def client_for(make_app):
    """``client_for(**config)``: a checked client for an app with other settings."""
    made = []

    def make(**config):
        app = make_app(**config)
        made.append((app, app.test_client()))
        return made[-1][1]

    yield make
    for app, client in made:
        check_exchanges(app, client.exchanges)


# ---------------------------------------------------------------- checks after each test
def assert_error_shape(response) -> str:
    body = response.get_json()
    assert response.mimetype == "application/json", response.data
    assert isinstance(body, dict) and list(body) == ["error"], body
    error = body["error"]
    assert list(error) == ["code", "message", "field"], error
    assert error["code"] in ERROR_CODES, error
    assert isinstance(error["message"], str) and error["message"], error
    assert error["field"] is None or isinstance(error["field"], str), error
    expected = ERROR_CODES[error["code"]][0]
    if error["code"] == "http_error":
        assert 400 <= response.status_code < 500
    else:
        assert response.status_code == expected, (response.status_code, error)
    return error["code"]


def spec_validator(spec: dict, schema: dict):
    return jsonschema_rs.validator_for({**schema, "components": spec["components"]})


def assert_conforms(spec: dict, method: str, path: str, response) -> None:
    """The response is documented for this operation and matches its schema."""
    operation = spec["paths"].get(path, {}).get(method.lower())
    if operation is None:  # unknown routes, other methods, static files
        if response.status_code >= 400:
            assert_error_shape(response)
        return
    documented = operation["responses"].get(str(response.status_code))
    if response.status_code == 500:  # never documented: the error shape is all we promise
        assert_error_shape(response)
        return
    assert documented, f"{method} {path} answered {response.status_code}, not documented"
    media = documented["content"]
    assert response.mimetype in media, (response.mimetype, list(media))
    schema = media[response.mimetype]["schema"]
    if response.mimetype == "application/json":
        validator = spec_validator(spec, schema)
        errors = [str(e) for e in validator.iter_errors(response.get_json())]
        assert not errors, (method, path, errors[:3])
    for name in documented.get("headers", {}):
        assert name in response.headers, name


def check_exchanges(app, exchanges) -> None:
    spec = openapi_spec(app.config)
    for method, path, response in exchanges:
        if response.status_code >= 400:
            assert_error_shape(response)
        assert_conforms(spec, method, path, response)


def post(client, path="/v1/analyze", **kwargs):
    return client.post(path, **kwargs)


def error_of(response) -> dict:
    return response.get_json()["error"]


# ---------------------------------------------------------------- POST /v1/analyze
def test_analyze_returns_the_library_schema(client, app):
    response = post(client, json={"text": TEXT})
    assert response.status_code == 200
    body = response.get_json()
    expected = app.extensions["slant"].analyze(TEXT).to_dict()
    assert body == expected
    assert list(body) == ["model", "title", "sentences", "article", "warnings"]
    for sentence in body["sentences"]:
        assert TEXT[sentence["start"]:sentence["end"]] == sentence["text"]


def test_analyze_title_and_options(client):
    body = post(client, json={"text": TEXT, "title": "A shameful vote",
                              "options": {"readability": False, "terms": False,
                                          "explain": True}}).get_json()
    assert body["title"]["text"] == "A shameful vote"
    assert body["article"]["readability"] is None
    assert all(s["readability"] is None and s["terms"] == [] for s in body["sentences"])
    assert all("explain" in s for s in body["sentences"])


def test_analyze_null_title_and_empty_options_are_defaults(client):
    body = post(client, json={"text": TEXT, "title": None, "options": {}}).get_json()
    assert body["title"] is None
    assert body["article"]["readability"] is not None
    assert "explain" not in body["sentences"][0]


def test_analyze_plain_text_with_query_options(client):
    response = post(client, data=("\ufeff" + TEXT).encode("utf-8"),
                    content_type="text/plain; charset=utf-8",
                    query_string={"title": "Headline", "readability": "false",
                                  "explain": "1"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"]["text"] == "Headline"
    assert body["sentences"][0]["start"] == 0  # the byte-order mark is dropped
    assert body["article"]["readability"] is None
    assert "explain" in body["sentences"][0]


def test_analyze_empty_query_values_count_as_absent(client):
    body = post(client, json={"text": TEXT}, query_string="title=&explain=").get_json()
    assert body["title"] is None and "explain" not in body["sentences"][0]


def test_analyze_json_body_options_win_over_the_query(client):
    body = post(client, json={"text": TEXT, "options": {"readability": True}},
                query_string={"readability": "false", "title": "From the query"}).get_json()
    assert body["article"]["readability"] is not None
    assert body["title"]["text"] == "From the query"


def test_analyze_json_with_charset_and_suffix_types(client):
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = post(client, data=json.dumps({"text": TEXT}), content_type=content_type)
        assert response.status_code == 200, content_type


DEEP = "[" * 50_000 + "]" * 50_000

# (request keyword arguments, status, error code, field)
BAD_ANALYZE = [
    pytest.param({"data": TEXT}, 415, "unsupported_media_type", None, id="no-content-type"),
    pytest.param({"data": TEXT, "content_type": "text/csv"}, 415, "unsupported_media_type",
                 None, id="csv"),
    pytest.param({"data": {"text": TEXT}}, 415, "unsupported_media_type", None, id="form"),
    pytest.param({"data": TEXT.encode("latin-1"), "content_type": "text/plain; charset=latin-1"},
                 415, "unsupported_media_type", None, id="plain-latin1"),
    pytest.param({"data": "{bad", "content_type": "application/json"}, 400, "malformed_json",
                 None, id="malformed"),
    pytest.param({"data": "", "content_type": "application/json"}, 400, "malformed_json",
                 None, id="empty-body"),
    pytest.param({"data": b'{"text": "caf\xe9"}', "content_type": "application/json"}, 400,
                 "malformed_json", None, id="json-not-utf8"),
    pytest.param({"json": [TEXT]}, 422, "invalid_type", None, id="array-body"),
    pytest.param({"data": "null", "content_type": "application/json"}, 422, "invalid_type",
                 None, id="null-body"),
    pytest.param({"data": '"text"', "content_type": "application/json"}, 422, "invalid_type",
                 None, id="string-body"),
    pytest.param({"json": {}}, 422, "missing_field", "text", id="missing-text"),
    pytest.param({"json": {"title": "T"}}, 422, "missing_field", "text", id="title-only"),
    pytest.param({"json": {"text": TEXT, "lang": "en"}}, 422, "unknown_field", "lang",
                 id="unknown-field"),
    pytest.param({"json": {"text": None}}, 422, "invalid_type", "text", id="text-null"),
    pytest.param({"json": {"text": 5}}, 422, "invalid_type", "text", id="text-number"),
    pytest.param({"json": {"text": True}}, 422, "invalid_type", "text", id="text-bool"),
    pytest.param({"json": {"text": [TEXT]}}, 422, "invalid_type", "text", id="text-array"),
    pytest.param({"json": {"text": {"body": TEXT}}}, 422, "invalid_type", "text",
                 id="text-object"),
    pytest.param({"json": {"text": ""}}, 422, "empty_text", "text", id="text-empty"),
    pytest.param({"json": {"text": " \n\t\u3000"}}, 422, "empty_text", "text",
                 id="text-blank"),
    pytest.param({"json": {"text": "a\x00b"}}, 422, "invalid_text", "text", id="text-nul"),
    pytest.param({"json": {"text": "bell\x07"}}, 422, "invalid_text", "text", id="text-bell"),
    pytest.param({"json": {"text": "esc\x1b[0m"}}, 422, "invalid_text", "text", id="text-esc"),
    pytest.param({"data": '{"text": "a\\ud800b"}', "content_type": "application/json"}, 422,
                 "invalid_text", "text", id="text-lone-surrogate"),
    pytest.param({"json": {"text": TEXT, "\ud800": 1}}, 422, "unknown_field", "\ud800",
                 id="unknown-field-lone-surrogate"),
    pytest.param({"json": {"text": TEXT, "options": {"\udfff": True}}}, 422,
                 "unknown_field", "options.\udfff", id="option-lone-surrogate"),
    pytest.param({"json": {"text": TEXT, "title": ""}}, 422, "empty_text", "title",
                 id="title-empty"),
    pytest.param({"json": {"text": TEXT, "title": 7}}, 422, "invalid_type", "title",
                 id="title-number"),
    pytest.param({"json": {"text": TEXT, "title": "x\x1b"}}, 422, "invalid_text", "title",
                 id="title-control"),
    pytest.param({"json": {"text": TEXT, "options": []}}, 422, "invalid_type", "options",
                 id="options-array"),
    pytest.param({"json": {"text": TEXT, "options": "explain"}}, 422, "invalid_type",
                 "options", id="options-string"),
    pytest.param({"json": {"text": TEXT, "options": {"explain": "yes"}}}, 422, "invalid_type",
                 "options.explain", id="option-string"),
    pytest.param({"json": {"text": TEXT, "options": {"terms": 1}}}, 422, "invalid_type",
                 "options.terms", id="option-number"),
    pytest.param({"json": {"text": TEXT, "options": {"terms": None}}}, 422, "invalid_type",
                 "options.terms", id="option-null"),
    pytest.param({"json": {"text": TEXT, "options": {"colour": True}}}, 422, "unknown_field",
                 "options.colour", id="option-unknown"),
    pytest.param({"data": b"", "content_type": "text/plain"}, 422, "empty_text", "text",
                 id="plain-empty"),
    pytest.param({"data": b"bin\x00ary", "content_type": "text/plain"}, 422, "invalid_text",
                 "text", id="plain-nul"),
    pytest.param({"data": b"caf\xe9", "content_type": "text/plain"}, 422, "invalid_text",
                 "text", id="plain-not-utf8"),
    pytest.param({"data": TEXT, "content_type": "text/plain", "query_string": {"foo": "1"}},
                 422, "unknown_field", "foo", id="query-unknown"),
    pytest.param({"data": TEXT, "content_type": "text/plain",
                  "query_string": {"explain": "maybe"}}, 422, "invalid_type", "explain",
                 id="query-not-boolean"),
    pytest.param({"data": TEXT, "content_type": "text/plain",
                  "query_string": "explain=1&explain=0"}, 422, "invalid_input", "explain",
                 id="query-repeated"),
    pytest.param({"data": TEXT, "content_type": "text/plain", "query_string": {"title": " "}},
                 422, "empty_text", "title", id="query-title-blank"),
    pytest.param({"json": {"text": TEXT}, "query_string": {"title": "\x00"}}, 422,
                 "invalid_text", "title", id="query-title-nul-with-json"),
    pytest.param({"json": {"text": "x" * 201}}, 413, "text_too_long", "text",
                 id="text-too-long"),
    pytest.param({"json": {"text": TEXT, "title": "x" * 201}}, 413, "text_too_long", "title",
                 id="title-too-long"),
    pytest.param({"data": "x" * 201, "content_type": "text/plain"}, 413, "text_too_long",
                 "text", id="plain-too-long"),
    pytest.param({"json": {"text": "x " * 600}}, 413, "body_too_large", None,
                 id="json-body-too-large"),
    pytest.param({"data": "x" * 1500, "content_type": "text/plain"}, 413, "body_too_large",
                 None, id="plain-body-too-large"),
]


@pytest.mark.parametrize("kwargs, status, code, field", BAD_ANALYZE)
def test_analyze_rejects(client_for, kwargs, status, code, field):
    client = client_for(MAX_TEXT_CHARS=200, MAX_CONTENT_LENGTH=1024)
    response = post(client, **kwargs)
    assert response.status_code == status, response.data
    assert error_of(response)["code"] == code
    assert error_of(response)["field"] == field


@pytest.mark.parametrize("body", [DEEP, '{"text": ' + DEEP + "}"])
def test_deeply_nested_json_is_malformed_not_a_crash(client, body):
    response = post(client, data=body, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


CHUNKED = {"headers": {"Transfer-Encoding": "chunked"},
           "environ_overrides": {"wsgi.input_terminated": True}}


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", b"x" * 1024), ("text/plain", b"x" * 5000),
    ("application/json", json.dumps({"text": "x " * 2000}).encode()),
], ids=["plain-at-limit", "plain-over", "json-over"])
def test_chunked_bodies_over_the_limit_are_too_large(client_for, content_type, body):
    client = client_for(MAX_CONTENT_LENGTH=1024)
    response = post(client, input_stream=io.BytesIO(body), content_type=content_type,
                    **CHUNKED)
    assert response.status_code == 413
    assert error_of(response)["code"] == "body_too_large"


def test_chunked_bodies_under_the_limit_are_read(client):
    response = post(client, input_stream=io.BytesIO(TEXT.encode()), content_type="text/plain",
                    **CHUNKED)
    assert response.status_code == 200
    assert response.get_json()["sentences"][-1]["end"] == len(TEXT)


class _ServerParseError(Exception):
    """Like gunicorn's ParseException: not an OSError or ValueError, which werkzeug's
    stream wrapper already turns into a 400."""


class _BrokenChunks(io.BytesIO):
    """A body stream that fails like gunicorn's reader on a malformed chunk size."""

    def read(self, size=-1):
        raise _ServerParseError("Invalid chunk size: b'ZZ'")

    readinto = read


@pytest.mark.parametrize("content_type", ["text/plain", "application/json"])
def test_unreadable_bodies_are_bad_requests(client, content_type):
    response = post(client, input_stream=_BrokenChunks(), content_type=content_type,
                    **CHUNKED)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "bad_request" and "chunk size" in error["message"]


class _StalledBody(io.BytesIO):
    """A body stream whose client went silent, as ``slant serve``'s workers read it."""

    def read(self, size=-1):
        raise ClientTimeout(5)

    readinto = read


@pytest.mark.parametrize("content_type", ["text/plain", "application/json"])
@pytest.mark.parametrize("options", [{"environ_overrides": {"CONTENT_LENGTH": "100"}}, CHUNKED],
                         ids=["content-length", "chunked"])
def test_a_body_that_stops_arriving_is_a_request_timeout(client, content_type, options):
    response = post(client, input_stream=_StalledBody(), content_type=content_type, **options)
    assert response.status_code == 408
    error = error_of(response)
    assert error["code"] == "request_timeout" and "stopped arriving" in error["message"]


def test_error_messages_say_what_is_wrong(client):
    assert "line 1 column 2" in error_of(post(client, data="{bad",
                                              content_type="application/json"))["message"]
    assert "200,000" in error_of(post(client, json={"text": "x" * 200_001}))["message"]
    message = error_of(post(client, json={"text": "ab\x07"}))["message"]
    assert "U+0007" in message and "character 2" in message


# ---------------------------------------------------------------- POST /v1/analyze/batch
def test_batch_scores_in_order_with_ids(client, app):
    documents = [{"id": "a", "text": TEXT}, {"id": 2, "text": "Residents met on Tuesday.",
                                            "title": "Meeting"}, {"text": TEXT}]
    response = post(client, "/v1/analyze/batch", json={"documents": documents})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["id"], r["index"]) for r in results] == [("a", 0), (2, 1), (None, 2)]
    analyzer = app.extensions["slant"]
    assert results[1]["result"] == analyzer.analyze("Residents met on Tuesday.",
                                                    "Meeting").to_dict()


def test_batch_bad_documents_get_their_own_errors(client_for):
    client = client_for(MAX_TEXT_CHARS=200)
    documents = [
        {"id": "ok", "text": TEXT},
        {"id": "empty", "text": ""},
        "just a string",
        {"id": "no-text"},
        {"id": "typo", "txt": TEXT},
        {"id": True, "text": TEXT},
        {"id": "long", "text": "x" * 201},
        {"id": "nul", "text": TEXT, "title": "a\x00"},
        {"id": 7, "text": 7},
        # JSON can carry unpaired surrogates ("\ud800"); echoed back, they stay escaped.
        {"id": "\ud800", "text": TEXT},
        {"id": "key", "text": TEXT, "\udfff": 1},
        {"id": "last", "text": TEXT},
    ]
    response = post(client, "/v1/analyze/batch", json={"documents": documents,
                                                      "options": {"readability": False}})
    assert response.status_code == 200
    results = response.get_json()["results"]
    got = [(r["id"], r["error"]["code"], r["error"]["field"]) if "error" in r
           else (r["id"], "ok", None) for r in results]
    assert got == [
        ("ok", "ok", None),
        ("empty", "empty_text", "documents[1].text"),
        (None, "invalid_type", "documents[2]"),
        ("no-text", "missing_field", "documents[3].text"),
        ("typo", "unknown_field", "documents[4].txt"),
        (None, "invalid_type", "documents[5].id"),
        ("long", "text_too_long", "documents[6].text"),
        ("nul", "invalid_text", "documents[7].title"),
        (7, "invalid_type", "documents[8].text"),
        ("\ud800", "ok", None),
        ("key", "unknown_field", "documents[10].\udfff"),
        ("last", "ok", None),
    ]
    assert b'"id":"\\ud800"' in response.data
    assert results[-1]["result"]["article"]["readability"] is None
    for entry in results:
        assert list(entry) == ["id", "index", "error" if "error" in entry else "result"]
        if "error" in entry:
            assert list(entry["error"]) == ["code", "message", "field"]


def test_batch_may_be_empty(client):
    assert post(client, "/v1/analyze/batch", json={"documents": []}).get_json() == {
        "results": []}


BAD_BATCH = [
    pytest.param({"data": "{}", "content_type": "text/plain"}, 415, "unsupported_media_type",
                 None, id="plain"),
    pytest.param({"data": "{", "content_type": "application/json"}, 400, "malformed_json",
                 None, id="malformed"),
    pytest.param({"json": [{"text": TEXT}]}, 422, "invalid_type", None, id="array-body"),
    pytest.param({"json": {}}, 422, "missing_field", "documents", id="missing"),
    pytest.param({"json": {"documents": {"text": TEXT}}}, 422, "invalid_type", "documents",
                 id="not-an-array"),
    pytest.param({"json": {"documents": [], "texts": []}}, 422, "unknown_field", "texts",
                 id="unknown-field"),
    pytest.param({"json": {"documents": [], "options": {"fast": True}}}, 422, "unknown_field",
                 "options.fast", id="unknown-option"),
    pytest.param({"json": {"documents": [{"text": TEXT}] * 4}}, 413, "too_many_documents",
                 "documents", id="too-many"),
    pytest.param({"json": {"documents": [{"text": "x " * 300}] * 3}}, 413, "body_too_large",
                 None, id="body-too-large"),
]


@pytest.mark.parametrize("kwargs, status, code, field", BAD_BATCH)
def test_batch_rejects(client_for, kwargs, status, code, field):
    client = client_for(MAX_BATCH_DOCUMENTS=3, MAX_CONTENT_LENGTH=1024)
    response = post(client, "/v1/analyze/batch", **kwargs)
    assert response.status_code == status, response.data
    assert error_of(response)["code"] == code
    assert error_of(response)["field"] == field


def test_batch_limit_is_inclusive(client_for):
    client = client_for(MAX_BATCH_DOCUMENTS=3)
    response = post(client, "/v1/analyze/batch", json={"documents": [{"text": TEXT}] * 3})
    assert response.status_code == 200
    assert len(response.get_json()["results"]) == 3


# ---------------------------------------------------------------- routing errors
@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/nope", 404, "not_found"),
    ("GET", "/v2/analyze", 404, "not_found"),
    ("POST", "/v1/analyze/", 404, "not_found"),
    ("GET", "/docs/static/missing.js", 404, "not_found"),
    ("GET", "/v1/analyze", 405, "method_not_allowed"),
    ("PUT", "/v1/analyze/batch", 405, "method_not_allowed"),
    ("DELETE", "/v1/model", 405, "method_not_allowed"),
    ("POST", "/healthz", 405, "method_not_allowed"),
    ("PATCH", "/openapi.json", 405, "method_not_allowed"),
])
def test_unknown_routes_and_methods(client, method, path, status, code):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert error_of(response)["code"] == code
    if status == 405:
        assert "Allow" in response.headers


# ---------------------------------------------------------------- model, health
def test_model_endpoint(client, tiny_model_dir):
    body = client.get("/v1/model").get_json()
    metadata = read_metadata(tiny_model_dir)
    assert body["metadata"] == metadata
    assert body["info"]["name"] == metadata["name"]
    assert body["card"] == (tiny_model_dir / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_model_without_card(make_app, tiny_model_dir, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    (model_dir / "MODEL_CARD.md").unlink()
    client = make_app(MODEL=str(model_dir)).test_client()
    assert client.get("/v1/model").get_json()["card"] is None
    check_exchanges(client.application, client.exchanges)


def test_health_and_readiness(client, app):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready == {"status": "ready", "model": app.extensions["slant"].model.info}


def test_not_ready_without_a_model(client, app):
    del app.extensions["slant"]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert error_of(response)["code"] == "model_unavailable"
    assert client.get("/healthz").status_code == 200


def test_model_error_during_a_request_is_503(client, app, monkeypatch):
    def broken(*args, **kwargs):
        raise ModelError("the model went away")

    monkeypatch.setattr(app.extensions["slant"], "analyze_many", broken)
    response = post(client, json={"text": TEXT})
    assert response.status_code == 503
    assert error_of(response)["code"] == "model_unavailable"


def test_bugs_become_json_500s(make_app, monkeypatch):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()

    def buggy(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["slant"], "analyze_many", buggy)
    response = post(client, json={"text": TEXT})
    assert response.status_code == 500
    assert error_of(response)["code"] == "internal_error"
    assert "secret" not in response.get_data(as_text=True)
    check_exchanges(app, client.exchanges)


# ---------------------------------------------------------------- start-up
def test_missing_model_refuses_to_start(make_app, tmp_path):
    with pytest.raises(ModelNotFoundError):
        make_app(MODEL=str(tmp_path / "nothing"))


def test_modified_model_refuses_to_start(make_app, tiny_model_dir, tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    with (model_dir / "model.pkl.xz").open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(ModelIntegrityError):
        make_app(MODEL=str(model_dir))


@pytest.mark.parametrize("config", [
    {"MAX_TEXT_CHARS": 0}, {"MAX_BATCH_DOCUMENTS": "ten"}, {"MAX_CONTENT_LENGTH": None},
    {"MAX_BATCH_DOCUMENTS": True}, {"RATE_LIMIT": "fast"}, {"RATE_LIMIT": "0/minute"},
])
def test_bad_config_refuses_to_start(make_app, config):
    with pytest.raises(ConfigError):
        make_app(**config)


def test_config_from_environment(make_app, monkeypatch):
    monkeypatch.setenv("SLANT_MAX_BATCH_DOCUMENTS", "5")
    monkeypatch.setenv("SLANT_RATE_LIMIT", "100/second")
    monkeypatch.setenv("SLANT_CORS_ORIGINS", "https://a.example, chrome-extension://abc")
    app = make_app()
    assert app.config["MAX_BATCH_DOCUMENTS"] == 5
    assert app.config["RATE_LIMIT"] == "100/second"
    spec = app.test_client().get("/openapi.json").get_json()
    assert spec["components"]["schemas"]["BatchRequest"]["properties"]["documents"][
        "maxItems"] == 5


def test_the_model_is_loaded_once(client, app, monkeypatch):
    import classifier.model

    analyzer = app.extensions["slant"]

    def no_loading(*args, **kwargs):
        raise AssertionError("a request loaded a model")

    monkeypatch.setattr(classifier.model, "load_model", no_loading)
    for _ in range(3):
        assert post(client, json={"text": TEXT}).status_code == 200
    assert app.extensions["slant"] is analyzer


# ---------------------------------------------------------------- rate limiting, CORS
def test_rate_limit(client_for):
    client = client_for(RATE_LIMIT="2/minute")
    assert [post(client, json={"text": TEXT}).status_code for _ in range(2)] == [200, 200]
    limited = client.get("/v1/model")
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    assert client.get("/healthz").status_code == 200  # only /v1 is limited
    other = client.get("/v1/model", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_rate_limit_is_off_by_default(client):
    assert all(client.get("/v1/model").status_code == 200 for _ in range(50))


def test_token_bucket_refills():
    now = [0.0]
    buckets = TokenBuckets(*parse_rate("3/second"), clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1 / 3)
    assert buckets.take("b") == 0.0
    now[0] = 0.5
    assert buckets.take("a") == 0.0
    assert parse_rate("60/minute") == (60, 60.0)
    assert parse_rate(" 5 / Hours ") == (5, 3600.0)


def test_cors_is_off_by_default(client):
    response = client.get("/v1/model", headers={"Origin": "https://a.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_for_configured_origins(client_for):
    client = client_for(CORS_ORIGINS="chrome-extension://abc,https://tool.example")
    allowed = post(client, json={"text": TEXT}, headers={"Origin": "chrome-extension://abc"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "chrome-extension://abc"
    assert "Origin" in allowed.headers["Vary"]
    other = post(client, json={"text": TEXT}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    error = post(client, json={}, headers={"Origin": "https://tool.example"})
    assert error.headers["Access-Control-Allow-Origin"] == "https://tool.example"
    preflight = client.options("/v1/analyze", headers={
        "Origin": "chrome-extension://abc", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"


def test_cors_wildcard(client_for):
    client = client_for(CORS_ORIGINS="*")
    response = client.get("/healthz", headers={"Origin": "moz-extension://xyz"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# ---------------------------------------------------------------- metrics
def test_metrics_count_requests_and_errors(client):
    post(client, json={"text": TEXT})
    post(client, json={"text": ""})
    client.get("/nowhere")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'slant_http_requests_total{endpoint="analyze.analyze",status="200"} 1' in text
    assert 'slant_http_requests_total{endpoint="analyze.analyze",status="422"} 1' in text
    assert 'slant_http_requests_total{endpoint="unmatched",status="404"} 1' in text
    assert 'slant_http_errors_total{code="empty_text"} 1' in text
    assert 'slant_http_request_duration_seconds_count{endpoint="analyze.analyze"} 2' in text
    assert re.search(r'_bucket\{endpoint="analyze.analyze",le="\+Inf"\} 2\n', text)
    for line in text.splitlines():  # the exposition format, line by line
        assert line.startswith("# ") or re.fullmatch(r'[a-z_]+\{[^}]*\} [0-9.e+-]+', line), line


def _observe_in_child(metrics) -> None:
    metrics.observe("health.healthz", 200, 0.001)
    metrics.observe("health.healthz", 418, 0.2, "other")


@pytest.mark.skipif(sys.platform != "linux", reason="fork")
def test_metrics_are_shared_by_forked_workers(app):
    metrics = app.extensions["slant.metrics"]
    child = multiprocessing.get_context("fork").Process(target=_observe_in_child,
                                                        args=(metrics,))
    child.start()
    child.join(10)
    assert child.exitcode == 0
    metrics.observe("health.healthz", 200, 0.001)
    text = metrics.render()
    assert 'slant_http_requests_total{endpoint="health.healthz",status="200"} 2' in text
    assert 'slant_http_requests_total{endpoint="health.healthz",status="other"} 1' in text
    assert 'slant_http_errors_total{code="other"} 1' in text


# ---------------------------------------------------------------- OpenAPI and docs
def test_openapi_document_is_valid(client):
    validator = pytest.importorskip("openapi_spec_validator")
    spec = client.get("/openapi.json").get_json()
    validator.validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_openapi_describes_every_route(client, app):
    spec = client.get("/openapi.json").get_json()
    routes = {(rule.rule, method.lower()) for rule in app.url_map.iter_rules()
              if rule.endpoint != "docs.static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert routes == documented


def test_openapi_states_the_configured_limits(client_for):
    spec = client_for(MAX_TEXT_CHARS=1234, MAX_BATCH_DOCUMENTS=7).get(
        "/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert schemas["Text"]["maxLength"] == 1234
    assert schemas["BatchRequest"]["properties"]["documents"]["maxItems"] == 7
    assert schemas["ErrorDetail"]["properties"]["code"]["enum"] == list(ERROR_CODES)


def test_openapi_examples_are_valid_requests(client):
    spec = client.get("/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for operation in item.values():
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                validator = spec_validator(spec, media["schema"])
                assert validator.is_valid(media["example"]), (path, media_type)
                kwargs = ({"json": media["example"]} if media_type == "application/json"
                          else {"data": media["example"], "content_type": media_type})
                assert client.post(path, **kwargs).status_code == 200


def _accepted(text: str) -> bool:
    try:
        validate_text(text)
    except InputError:
        return False
    return True


def test_text_pattern_matches_the_library():
    """TEXT_PATTERN accepts exactly what validate_text accepts (unpaired surrogates aside)."""
    pattern = re.compile(TEXT_PATTERN)
    for code in [*range(0x3001), 0xFEFF, 0xFFFD, 0x1F600, 0x10FFFF]:
        char = chr(code)
        for text in (char, f"a{char}", f"{char}\n"):
            assert bool(pattern.search(text)) == _accepted(text), (hex(code), text)


def test_docs_page_is_self_contained(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/docs/static/[^"]+)"', html)
    assert len(assets) == 2
    for text in [html] + [client.get(a).get_data(as_text=True) for a in assets]:
        assert not re.search(r"https?://", text), "the docs must not load anything remote"
    script = client.get("/docs/static/docs.js")
    assert script.status_code == 200 and "/openapi.json" in script.get_data(as_text=True)


def test_every_error_code_is_exercised():
    tested = {p.values[2] for p in BAD_ANALYZE + BAD_BATCH}
    # request_timeout: above and in test_api_server.py; timeout: test_api_server.py.
    elsewhere = {"not_found", "method_not_allowed", "rate_limited", "internal_error",
                 "model_unavailable", "request_timeout", "timeout"}
    untestable = {"bad_request", "http_error"}  # werkzeug's own, for the unexpected
    assert tested | elsewhere | untestable == set(ERROR_CODES)


# ---------------------------------------------------------------- the serve command
def test_serve_help_has_an_example(runner):
    result = runner.invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "slant serve" in result.output


def test_serve_refuses_to_start_without_a_model(runner, tmp_path):
    result = runner.invoke(cli, ["serve", "--model", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "Error: no model at" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("host, reason", [("127.0.0.1", "Address already in use"),
                                          ("192.0.2.1", "Cannot assign requested address")])
def test_serve_refuses_an_address_it_cannot_listen_on_before_loading_the_model(
        runner, tmp_path, host, reason):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # No model there either: the address is checked first, without waiting for it.
        result = runner.invoke(cli, ["serve", "--host", host, "--port", str(port),
                                     "--model", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert f"Error: cannot listen on {host}:{port}: {reason}" in result.output


def test_ipv6_hosts_are_bracketed_in_urls_and_binds():
    from api.server import url_host

    assert [url_host(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]")] == [
        "127.0.0.1", "localhost", "[::1]", "[::1]"]


def test_serve_refuses_a_bad_setting(runner, tiny_model_dir, monkeypatch):
    monkeypatch.setenv("SLANT_RATE_LIMIT", "lots")
    result = runner.invoke(cli, ["serve", "--model", str(tiny_model_dir)])
    assert result.exit_code == 1
    assert "RATE_LIMIT must look like" in result.output
