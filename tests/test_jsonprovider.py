import json

import numpy as np
import pytest
from flask.json.provider import DefaultJSONProvider

from api import create_app
from api.jsonprovider import OrjsonProvider

TEXT = 'The reckless plan failed. "It is a disgrace," the mayor said of the 3.5% rise.'


@pytest.fixture
def app(tiny_model_dir):
    return create_app({"TESTING": True, "MODEL": str(tiny_model_dir)})


def test_app_uses_the_orjson_provider(app):
    assert isinstance(app.json, OrjsonProvider)


def test_responses_are_byte_for_byte_flasks_compact_json_for_ascii(app):
    response = app.test_client().post("/v1/analyze", json={"text": TEXT})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    expected = app.extensions["slant"].analyze(TEXT).to_dict()
    standard = DefaultJSONProvider(app)
    standard.sort_keys = False
    # Same floats, same field order, same separators, same trailing newline.
    assert response.data.decode() == standard.dumps(expected, separators=(",", ":")) + "\n"


def test_non_ascii_text_is_written_as_utf8(app):
    text = "Le maire a qualifié le projet de « désastre » — « honteux »."
    response = app.test_client().post("/v1/analyze", json={"text": text})
    assert "désastre".encode() in response.data
    body = json.loads(response.data.decode("utf-8"))
    assert body == app.extensions["slant"].analyze(text).to_dict()
    for sentence in body["sentences"]:
        assert text[sentence["start"]:sentence["end"]] == sentence["text"]


def test_errors_are_compact_json_too(app):
    response = app.test_client().get("/no/such/route")
    assert response.status_code == 404
    assert response.data.endswith(b"}\n") and b"\n" not in response.data[:-1]
    assert json.loads(response.data)["error"]["code"]


def test_debug_mode_indents_as_flask_does(app):
    compact = app.test_client().post("/v1/analyze", json={"text": TEXT}).data
    app.debug = True
    indented = app.test_client().post("/v1/analyze", json={"text": TEXT}).data
    assert indented.startswith(b'{\n  "model"') and not compact.startswith(b'{\n')
    assert json.loads(indented) == json.loads(compact)


def test_numpy_numbers_are_written_as_the_standard_library_writes_them(app):
    value = {"score": np.float64(0.1234), "count": np.int64(3), "flag": np.bool_(True)}
    with app.app_context():
        body = app.json.response(value).get_data(as_text=True)
    assert json.loads(body) == {"score": 0.1234, "count": 3, "flag": True}


def test_unpaired_surrogates_are_escaped_not_refused(app):
    # JSON carries them as \u escapes and Python parses them into str; orjson refuses to
    # write them, so such a response falls back to the standard library.
    value = {"id": "\ud800", "name": "café", "n": 1}
    with app.app_context():
        body = app.json.response(value).get_data(as_text=True)
    assert body == '{"id":"\\ud800","name":"caf\\u00e9","n":1}\n'
    assert json.loads(body) == value
