"""Browser fixtures: the app served on a free loopback port, Debian Chromium via Playwright."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from resetlab.extensions import db
from resetlab.factory import create_app

from ..helpers import database_url

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def pytest_collection_modifyitems(config, items):
    """Every test here is marked `browser`; they run whenever Chromium is here, and must in CI (CI=true)."""
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but Chromium is missing at {CHROMIUM}")
    marker = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (CI installs it)")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(marker)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def _closing(app):
    """The app, its every response closed once sent (or, if the browser went away first, once the
    response is collected). werkzeug's development server closes a response after draining the socket,
    and skips that when the socket was already reset (a navigation cancelling a stylesheet's load), so a
    static file's handle would be left to the garbage collector, whose warning fails a later test."""
    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()
    return serve


@contextmanager
def serving(folder: Path, **config):
    """The bundled course served by a real WSGI server in a thread: (app, base URL), with extra settings."""
    app = create_app({"SECRET_KEY": "browser-test-secret", "PASSWORD_HASH_MEMORY_KIB": 1024,
                      "SQLALCHEMY_DATABASE_URI": database_url(folder),
                      "INSTRUCTOR_SIGNUP_CODE": "teach-2026", "RATELIMIT_ENABLED": False, **config})
    with app.app_context():
        db.drop_all()
        db.create_all()
    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.fixture
def live_server(tmp_path):
    """A fresh server for one test."""
    with serving(tmp_path) as served:
        yield served


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def _page(browser, request, options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def phone(browser, request):
    """A page on a phone-sized screen (390×844)."""
    yield from _page(browser, request, PHONE)


@pytest.fixture
def desktop(browser, request):
    """A page on a desktop screen (1280×800)."""
    yield from _page(browser, request, DESKTOP)


def fill_answer(question) -> None:
    """Answer one question (a locator for its fieldset), whatever its type, with a plausible reply."""
    radios = question.locator("input[type=radio]")
    boxes = question.locator("input[type=checkbox]:not([name=unsure]):not([name^=g])")
    selects = question.locator("select")
    text = question.locator("input[type=text]")
    area = question.locator("textarea")
    if area.count():
        area.first.fill("The reset began with a mistranslated button in Geneva in March 2009 and ended with "
                        "Crimea in 2014: interests, not words, decided it.")
    elif radios.count():
        radios.first.check()
    elif boxes.count():
        boxes.first.check()
    elif selects.count():
        for i in range(selects.count()):
            selects.nth(i).select_option(index=i + 1)
    elif text.count():
        mode = text.first.get_attribute("inputmode")
        text.first.fill("2009" if mode == "numeric" else "perezagruzka")
