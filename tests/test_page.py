"""The web page at ``/`` through Flask's test client: headers, assets, nothing remote.

The page's behaviour in a real browser is tested in ``test_browser.py``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from api import create_app

CONFIG_KEYS = ("MODEL", "MAX_TEXT_CHARS", "MAX_BATCH_DOCUMENTS", "MAX_CONTENT_LENGTH",
               "CORS_ORIGINS", "RATE_LIMIT", "WARMUP")
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


class Tags(HTMLParser):
    """Every start tag of a document, as ``(tag, attributes)``, and the inline script text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text += data

    def find(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def app(tiny_model_dir):
    with pytest.MonkeyPatch.context() as monkeypatch:
        for key in CONFIG_KEYS:
            monkeypatch.delenv(f"SLANT_{key}", raising=False)
        return create_app({"TESTING": True, "MODEL": str(tiny_model_dir),
                           "MAX_TEXT_CHARS": 12345})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def page(client):
    return client.get("/")


@pytest.fixture
def tags(page) -> Tags:
    return Tags(page.get_data(as_text=True))


def assets(tags: Tags) -> list[str]:
    return ([attrs["src"] for attrs in tags.find("script")]
            + [attrs["href"] for attrs in tags.find("link")])


def get(client, path: str):
    response = client.get(path, buffered=True)
    response.close()
    return response


def test_page_is_html_with_a_strict_csp(page):
    assert page.status_code == 200
    assert page.mimetype == "text/html" and page.mimetype_params["charset"] == "utf-8"
    csp = page.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp and "*" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_page_has_no_inline_script_style_or_handlers(tags):
    assert tags.script_text.strip() == "", "scripts must come from files (CSP)"
    assert all(attrs.get("src") for attrs in tags.find("script"))
    assert not tags.find("style")
    for tag, attrs in tags.tags:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)


def test_every_asset_is_served_with_its_content_type(client, tags):
    paths = assets(tags)
    assert sorted(path.rsplit(".", 1)[1] for path in paths) == ["css", "js", "png"]
    for path in paths:
        assert path.startswith("/"), path
        response = get(client, path)
        assert response.status_code == 200, path
        assert response.mimetype == CONTENT_TYPES["." + path.rsplit(".", 1)[1]], path


def test_nothing_is_loaded_from_elsewhere(client, page, tags):
    texts = [page.get_data(as_text=True)]
    texts += [get(client, path).get_data(as_text=True) for path in assets(tags)
              if not path.endswith(".png")]
    for text in texts:
        assert not re.search(r"https?://", text, re.IGNORECASE)
        assert not re.search(r"""(?:src|href|url)\s*[=(]\s*["']?//""", text)
        assert "@import" not in text


def test_script_never_parses_html(client, tags):
    script = get(client, next(a for a in assets(tags) if a.endswith(".js"))).get_data(
        as_text=True)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                 "eval(", "new Function", "setAttribute(\"style\""):
        assert sink not in script, sink
    assert "textContent" in script and "createElement" in script


def test_script_finds_every_element_it_needs(client, tags):
    ids = {attrs.get("id") for _, attrs in tags.tags}
    script = get(client, next(a for a in assets(tags) if a.endswith(".js"))).get_data(
        as_text=True)
    wanted = set(re.findall(r'getElementById\("([^"]+)"\)', script))
    assert wanted and wanted <= ids, wanted - ids


def test_controls_are_labelled_and_results_are_announced(tags):
    labelled = {attrs["for"] for attrs in tags.find("label")}
    controls = tags.find("input") + tags.find("textarea") + tags.find("select")
    assert len(controls) >= 3
    for attrs in controls:
        assert attrs["id"] in labelled, attrs
    live = {attrs["id"]: attrs for _, attrs in tags.tags if "aria-live" in attrs}
    assert live["status"]["role"] == "status" and live["error"]["role"] == "alert"
    assert tags.find("html")[0]["lang"] == "en"
    assert any(attrs.get("name") == "viewport" for attrs in tags.find("meta"))


def test_page_states_the_configured_limit_and_endpoint(page, tags):
    form = next(attrs for attrs in tags.find("form") if attrs.get("id") == "analyze-form")
    assert form["data-endpoint"] == "/v1/analyze"
    assert form["data-max-chars"] == "12345"
    assert "limit 12,345" in page.get_data(as_text=True)


def test_openapi_describes_the_page(client):
    operation = client.get("/openapi.json").get_json()["paths"]["/"]["get"]
    assert list(operation["responses"]["200"]["content"]) == ["text/html"]


@pytest.mark.parametrize("method, status", [("HEAD", 200), ("POST", 405), ("DELETE", 405)])
def test_other_methods(client, method, status):
    response = client.open("/", method=method)
    assert response.status_code == status
    if status == 405:
        assert response.get_json()["error"]["code"] == "method_not_allowed"
