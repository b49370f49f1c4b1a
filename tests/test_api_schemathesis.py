"""Property tests generated from /openapi.json by schemathesis, through the WSGI app.

Schemathesis sends valid and invalid requests for every operation and checks that
none gets a 500 and every response matches the document (status, content type,
schema, headers).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection

from api import create_app

CONFIG_KEYS = ("MODEL", "MAX_TEXT_CHARS", "MAX_BATCH_DOCUMENTS", "MAX_CONTENT_LENGTH",
               "CORS_ORIGINS", "RATE_LIMIT", "WARMUP")


@pytest.fixture(scope="module")
def api_schema(tiny_model_dir):
    with pytest.MonkeyPatch.context() as monkeypatch:
        for key in CONFIG_KEYS:
            monkeypatch.delenv(f"SLANT_{key}", raising=False)
        # Small limits so the generated edge cases (maxLength + 1...) stay cheap.
        app = create_app({"TESTING": True, "MODEL": str(tiny_model_dir),
                          "MAX_TEXT_CHARS": 2000, "MAX_BATCH_DOCUMENTS": 4})
    # Texts over the limit are rightly refused with 413, not among schemathesis' defaults.
    config = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {
        "expected-statuses": [400, 404, 405, 413, 415, 422]}}})
    return schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case):
    excluded = []
    # A text/plain body is a string whatever it looks like, so schemathesis' "body of the
    # wrong type" cases ('{}', '1') are just odd texts that deserve a 200. And a batch
    # answers 200 with an error entry for each bad document, by design (the entries are
    # still checked against the response schema). test_api.py covers both rejections.
    if case.media_type == "text/plain" or case.operation.path == "/v1/analyze/batch":
        excluded.append(negative_data_rejection)
    case.call_and_validate(excluded_checks=excluded)
