"""A learner on a bus: lessons opened online stay readable offline, practice answers queue and sync once."""

from __future__ import annotations

import json
import time

import pytest

from resetlab.extensions import db
from resetlab.models import ReviewLog

from .conftest import fill_answer

pytestmark = pytest.mark.browser

LESSON = "/lessons/obama-medvedev"
PRACTICE = "/practice/obama-medvedev"
QUEUE = "resetlab.practice.queue"


def review_logs(app) -> list[ReviewLog]:
    with app.app_context():
        rows = list(db.session.scalars(db.select(ReviewLog)))
        db.session.remove()
        return rows


def queued(page) -> list[dict]:
    return page.evaluate(f"JSON.parse(localStorage.getItem('{QUEUE}') || '[]')")


def until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression (wait_for_function would need 'unsafe-eval', which the CSP refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def wait_until_controlled(page) -> None:
    """The service worker is active and controls this page (the first visit is not controlled yet)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("Boolean(navigator.serviceWorker.controller)"):
        page.reload()
    until(page, "Boolean(navigator.serviceWorker.controller)")


def answer_question(page) -> None:
    """Answer the practice question on screen, whatever its type, and check it."""
    fill_answer(page.locator("fieldset.question"))
    page.get_by_role("button", name="Check my answer").click()
    page.locator(".verdict").wait_for()


def test_lessons_stay_readable_offline_and_practice_answers_sync_exactly_once(live_server, phone):
    app, base = live_server
    page = phone
    context = page.context

    page.goto(base + LESSON)
    wait_until_controlled(page)
    page.reload()  # now through the service worker, which keeps a copy
    assert page.evaluate(f"caches.match('{LESSON}', {{ignoreVary: true}}).then(Boolean)")
    assert page.locator(".offline-banner").inner_text() == ""

    page.get_by_role("link", name="Practise offline").click()
    page.get_by_text("Question 1 of").first.wait_for()
    pack = "/api/practice/obama-medvedev.json"
    assert page.evaluate(f"caches.match('{pack}', {{ignoreVary: true}}).then(Boolean)")

    context.set_offline(True)
    page.goto(base + LESSON)
    assert "перезагрузка" in page.locator("article").inner_text()
    banner = page.locator(".offline-banner")
    assert "You are offline — lessons you opened are still here" in banner.inner_text()
    assert banner.is_visible()

    page.goto(base + PRACTICE)
    page.get_by_text("Question 1 of").first.wait_for()
    answered = []
    for n in range(3):
        answer_question(page)
        answered.append(queued(page)[-1]["question_id"])
        page.get_by_role("button", name="Next question").click()
        page.get_by_text(f"Question {n + 2} of").first.wait_for()
    assert len(queued(page)) == 3
    assert "3 answers are waiting" in page.locator("[data-sync-status]").inner_text()
    assert review_logs(app) == []  # nothing reached the server
    items = queued(page)

    page.goto(base + "/progress")  # a private page that was never stored: the offline page instead
    assert page.locator("h1").inner_text() == "This page is not on this device"
    page.goto(base + PRACTICE)

    context.set_offline(False)
    until(page, f"JSON.parse(localStorage.getItem('{QUEUE}') || '[]').length === 0")
    page.get_by_text("All your practice answers are saved").wait_for()
    assert banner.inner_text() == ""
    rows = review_logs(app)
    assert sorted(r.question_id for r in rows) == sorted(answered)
    assert {r.source for r in rows} == {"offline"}
    assert sorted(r.client_id for r in rows) == sorted(i["id"] for i in items)

    # The same answers sent again (a lost response, a second tab): each still counts once.
    page.evaluate(f"localStorage.setItem('{QUEUE}', {json.dumps(json.dumps(items))})")
    page.reload()
    until(page, f"JSON.parse(localStorage.getItem('{QUEUE}') || '[]').length === 0")
    assert len(review_logs(app)) == 3


def test_a_lesson_opened_from_a_link_is_kept_for_offline_reading(live_server, phone):
    """The very first page a visitor opens (from a shared link, before any service worker) is stored."""
    _, base = live_server
    page = phone
    page.goto(base + LESSON)  # the first visit: the page loads before the worker exists
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    until(page, f"caches.match('{LESSON}', {{ignoreVary: true}}).then(Boolean)")
    page.context.set_offline(True)
    page.goto(base + LESSON)
    assert "перезагрузка" in page.locator("article").inner_text()
    assert "This page is not on this device" not in page.content()


def test_practice_explains_itself_without_javascript(live_server, browser):
    _, base = live_server
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(base + PRACTICE)
    assert "Offline practice needs JavaScript" in page.locator("main").inner_text()
    page.get_by_role("link", name="Take the quiz instead").click()
    page.get_by_role("button", name="Start the quiz").wait_for()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_practice_and_offline_pages_pass_axe(live_server, phone, scheme):
    from axe_playwright_python.sync_playwright import Axe

    _, base = live_server
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                     "best-practice"]}, "resultTypes": ["violations"]}
    page = phone
    page.emulate_media(color_scheme=scheme)
    page.goto(base + PRACTICE)
    page.get_by_text("Question 1 of").first.wait_for()
    screens = {"question": axe.run(page, options=options)}
    answer_question(page)
    screens["feedback"] = axe.run(page, options=options)
    page.context.set_offline(True)
    page.locator(".offline-banner", has_text="You are offline").wait_for()
    screens["offline banner"] = axe.run(page, options=options)
    page.context.set_offline(False)
    page.goto(base + "/offline")
    screens["offline page"] = axe.run(page, options=options)
    for name, results in screens.items():
        assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"


def test_logging_out_forgets_queued_practice_answers(live_server, phone):
    _, base = live_server
    page = phone
    page.goto(base + "/auth/signup")
    page.get_by_label("Your name").fill("Shared Phone")
    page.get_by_label("Email").fill("shared@example.org")
    page.get_by_label("Password", exact=True).fill("a long enough secret")
    page.get_by_role("button", name="Create account").click()
    page.evaluate(f"localStorage.setItem('{QUEUE}', JSON.stringify([{{id: 'left-behind'}}]))")
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out").wait_for()
    assert page.evaluate(f"JSON.parse(localStorage.getItem('{QUEUE}') || '[]').length") == 0
