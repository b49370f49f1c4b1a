"""The web page at ``/`` in a real headless Chromium (Debian's), driven by Playwright.

The app runs with the committed default model on a free loopback port in a thread (one
test runs it under `slant serve` instead).
Screenshots go to ``test-artifacts/`` at the repository root (gitignored).
Playwright must never download a browser here: it launches ``/usr/bin/chromium``.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from api import create_app
from classifier import default_model_path

from .conftest import ROOT, SEEDS

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
CONFIG_KEYS = ("MODEL", "MAX_TEXT_CHARS", "MAX_BATCH_DOCUMENTS", "MAX_CONTENT_LENGTH",
               "CORS_ORIGINS", "RATE_LIMIT", "WARMUP")
XSS = '<img src=x onerror="window.__xss=1"> and <script>window.__xss=1</script>'

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright Python package is not installed")


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def base_url():
    """The app with the default model, served by werkzeug on a free loopback port."""
    from werkzeug.serving import make_server

    with pytest.MonkeyPatch.context() as monkeypatch:
        for key in CONFIG_KEYS:
            monkeypatch.delenv(f"SLANT_{key}", raising=False)
        app = create_app({"MODEL": str(default_model_path()), "MAX_TEXT_CHARS": 20_000})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    """A fresh desktop-sized page on ``/``; fails the test on any outside request,
    CSP violation or script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    outside, problems = [], []
    page.on("request", lambda r: None if r.url.startswith(base_url) else outside.append(r.url))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(base_url + "/")
    yield page
    context.close()
    assert not outside, f"the page requested outside URLs: {outside}"
    assert not [p for p in problems if "Failed to load resource" not in p], problems


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def analyse(page, text: str, title: str = "", tap: bool = False) -> None:
    page.fill("#title", title)
    page.fill("#text", text)
    # The form is aria-busy from the click until the answer is shown.
    page.tap("#analyze") if tap else page.click("#analyze")
    page.wait_for_selector("#analyze-form:not([aria-busy])", state="attached")


def term_texts(page) -> list[str]:
    return page.locator("#article .term").all_text_contents()


def screenshot(page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


# ---------------------------------------------------------------- tests
def test_sensational_article_is_highlighted_and_summarised(page):
    analyse(page, seed("sensational.txt"))
    assert page.locator("#error").text_content() == ""
    terms = " | ".join(term_texts(page)).lower()
    for expected in ("barbaric", "wreaked havoc", "fiasco", "bungling", "rotten"):
        assert expected in terms, (expected, terms)
    assert page.locator("#article .term.negative").count() >= 10

    summary = page.locator("#summary").inner_text()
    assert re.search(r"Loaded language\s+0\.\d\d", summary), summary
    assert re.search(r"Stance\s+0\.\d\d", summary), summary
    assert "Reading time" in summary and "Grade level" in summary
    assert page.locator("#summary .top-terms li").count() >= 5
    assert page.locator("#article .sentence.stance-2, #article .sentence.stance-3").count() >= 5
    # The article reads exactly as pasted: highlighting adds no text, apart from the
    # badges and the (hidden) score tags.
    body = page.locator("#article .article-body").evaluate(
        "b => { const c = b.cloneNode(true);"
        " c.querySelectorAll('.badge, .score-tag').forEach(e => e.remove());"
        " return c.textContent; }")
    assert body == seed("sensational.txt")
    screenshot(page, "page-sensational.png")

    page.locator("#article .term", has_text="fiasco").first.hover()
    details = page.locator("#details").inner_text()
    assert "“fiasco”" in details and "negative loaded term" in details
    # The sentence's box says which features moved its scores, its strongest word included.
    page.locator("#article .sentence", has_text="bungling town council").first.hover()
    details = page.locator("#details").inner_text()
    assert "raised loaded: the loaded word “bungling”" in details, details
    page.check("#show-scores")
    assert page.locator("#article .score-tag").first.is_visible()


def test_wire_report_has_fewer_highlights(page):
    analyse(page, seed("sensational.txt"))
    sensational = len(term_texts(page))
    analyse(page, seed("wire_report.txt"))
    wire = len(term_texts(page))
    assert wire < sensational / 2, (wire, sensational)
    screenshot(page, "page-wire.png")


def test_quoted_voices_are_marked_as_quoted(page):
    analyse(page, seed("quoted_voices.txt"), title="Council closes bridge")
    quoted = page.locator("#article .sentence.quoted")
    assert quoted.count() >= 3
    assert quoted.first.locator(".badge").inner_text().lower() == "quoted"
    assert page.locator("#article .article-title .sentence").count() == 1
    screenshot(page, "page-quoted.png")


def test_pasted_markup_stays_inert_text(page):
    analyse(page, f"The council met. {XSS} It was a disgrace.", title=XSS)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#results img, #results script").count() == 0
    assert XSS in page.locator("#article .article-body").text_content()
    assert XSS in page.locator("#article .article-title").text_content()
    page.locator("#article .sentence").nth(1).focus()  # the details panel is safe too
    assert page.evaluate("window.__xss") is None


@pytest.mark.parametrize("text, message", [
    ("", "nothing to analyse"),
    ("   \n  ", "nothing to analyse"),
    ("x" * 20_001, "too long"),
])
def test_bad_input_shows_a_friendly_error(page, text, message):
    analyse(page, text)
    error = page.locator("#error")
    assert message in error.inner_text().lower()
    assert "The server said:" in error.inner_text()
    assert page.get_attribute("#text", "aria-invalid") == "true"
    assert page.locator("#results").is_hidden()
    if not text:
        screenshot(page, "page-error.png")


def test_network_and_server_failures_are_explained(page):
    analyse(page, seed("wire_report.txt"))
    assert page.locator("#results").is_visible()
    page.route("**/v1/analyze", lambda route: route.abort())
    analyse(page, seed("wire_report.txt"))
    assert "Could not reach the Slant server" in page.locator("#error").inner_text()
    assert page.locator("#results").is_hidden()  # no stale results under the error

    page.unroute("**/v1/analyze")
    page.route("**/v1/analyze", lambda route: route.fulfill(
        status=502, content_type="text/html", body="<h1>Bad gateway</h1>"))
    analyse(page, seed("wire_report.txt"))
    assert "cannot read (HTTP 502)" in page.locator("#error").inner_text()
    assert page.evaluate("document.querySelectorAll('#error h1').length") == 0


def test_keyboard_reaches_terms_and_shows_their_details(page):
    analyse(page, seed("sensational.txt"))
    page.focus("#text")
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('#article .term')"):
            break
    else:
        pytest.fail("Tab never reached a highlighted term")
    focused = page.evaluate("document.activeElement.textContent")
    details = page.locator("#details")
    assert details.is_visible()
    text = details.inner_text()
    assert focused in text and "loaded term, score 0." in text and "Why" in text
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    screenshot(page, "page-keyboard.png", full_page=False)  # with the details showing
    page.keyboard.press("Escape")
    assert details.is_hidden()


def test_phone_width_has_no_horizontal_scroll(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        analyse(page, seed("sensational.txt"), title="SHAMEFUL! Spineless council", tap=True)
        widths = page.evaluate("[document.documentElement.scrollWidth,"
                               " document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] == 390, widths
        screenshot(page, "page-phone.png")
        page.locator("#article .term", has_text="rotten").first.tap()
        assert "“rotten”" in page.locator("#details").inner_text()
        box = page.locator("#details").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        screenshot(page, "page-phone-details.png", full_page=False)
    finally:
        context.close()


def test_the_page_works_under_slant_serve(browser, tmp_path):
    """The page as `slant serve` (gunicorn and its workers) serves it, where the other
    tests use werkzeug: the page, its static files and the API from the same server."""
    from .test_api_server import Server

    server = Server(default_model_path(), tmp_path / "serve.log")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems = []
    try:
        server.wait_ready()
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(f"http://127.0.0.1:{server.port}/")
        analyse(page, seed("sensational.txt"))
        assert page.locator("#error").text_content() == ""
        assert "barbaric" in " | ".join(term_texts(page)).lower()
        records = server.access_log("/v1/analyze", 1)
        assets = {r["path"]: r for r in records if r["path"].startswith("/docs/static/")}
        assert {"/docs/static/page.css", "/docs/static/page.js"} <= set(assets), records
        assert all(r["status"] == 200 and r["bytes"] > 0 for r in assets.values()), assets
    finally:
        context.close()
        server.close()
    assert not problems, problems
