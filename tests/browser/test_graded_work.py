"""A timed assignment on a phone: answers saved as you go, resumed on another device after logging in
again, kept on the device while offline and sent when back, a visible and announced timer, and a
warning before submitting with questions unanswered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from resetlab.auth.services import create_user
from resetlab.classwork import services as classwork
from resetlab.extensions import db
from resetlab.models import Attempt, Role, utcnow
from resetlab.teach import services as teach

from .conftest import PHONE, fill_answer

pytestmark = pytest.mark.browser
PASSWORD = "a long enough secret"
ANSWERED = """() => [...document.querySelectorAll('fieldset.question')].filter(q =>
  q.querySelector('input:checked:not([name^=g])') || [...q.querySelectorAll('select')].some(s => s.value) ||
  [...q.querySelectorAll('input[type=text]')].some(t => t.value.trim())).length"""


def timed_assignment(app, minutes: int = 5) -> int:
    with app.app_context():
        teacher = create_user("tutor@example.org", "Tutor", PASSWORD, Role.INSTRUCTOR)
        room = teach.create_classroom(teacher, "History 11")
        now = utcnow()
        settings = teach.AssignmentSettings(open_at=now - timedelta(hours=1), due_at=now + timedelta(days=1),
                                            attempts_allowed=1, grading="highest", draw=None,
                                            time_limit_minutes=minutes, reveal="immediately")
        (work,) = teach.assign(room, [app.extensions["resetlab.catalog"].bank("trump-biden")], settings)
        pupil = create_user("kim@example.org", "Kim", PASSWORD)
        classwork.join(pupil, room)
        return work.id


def log_in(page, base: str) -> None:
    page.goto(base + "/auth/login")
    page.get_by_label("Email").fill("kim@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Welcome back").wait_for()


def draft_size(app, attempt_id: int) -> int:
    with app.app_context():
        draft = db.session.get(Attempt, attempt_id).draft or {}
        return len({name.split("-")[0] for name in draft if name.startswith("a")})


def test_a_timed_quiz_survives_a_closed_tab_another_device_and_a_lost_connection(live_server, browser):
    app, base = live_server
    work_id = timed_assignment(app)

    first = browser.new_context(**PHONE)
    page = first.new_page()
    log_in(page, base)
    page.goto(f"{base}/assignments/{work_id}")
    page.get_by_role("button", name="Start").click()
    page.locator("fieldset.question").first.wait_for()
    attempt_id = int(page.url.rsplit("/", 1)[1])
    timer = page.locator(".timer")
    assert timer.is_visible() and "time left" in timer.inner_text()
    assert "5 minutes left" in page.locator("[data-timer-announce]").inner_text()  # said politely, once
    total = page.locator("fieldset.question").count()
    half = total // 2
    for _ in range(half):
        fill_answer(page.locator("fieldset.question:visible"))
        page.get_by_role("button", name="Next").click()
    page.locator("[data-save-status]", has_text="Answers saved").wait_for()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = timer.bounding_box()
    assert box is not None and 0 <= box["y"] < 844, box  # still in view at the bottom of the page
    first.close()  # the tab is gone
    assert draft_size(app, attempt_id) == half

    second = browser.new_context(**PHONE)
    page = second.new_page()
    log_in(page, base)
    page.goto(f"{base}/assignments/{work_id}")
    page.get_by_role("link", name="Resume your attempt").click()
    page.locator("fieldset.question").first.wait_for()
    assert page.evaluate(ANSWERED) == half  # the answers are in place
    for _ in range(half):
        page.get_by_role("button", name="Next").click()
    second.set_offline(True)
    fill_answer(page.locator("fieldset.question:visible"))
    page.locator("[data-save-status]", has_text="Saved on this device").wait_for()
    assert draft_size(app, attempt_id) == half  # the server has not heard yet
    second.set_offline(False)
    page.locator("[data-save-status]", has_text="Answers saved").wait_for()
    assert draft_size(app, attempt_id) == half + 1

    while page.get_by_role("button", name="Next").is_visible():
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit answers").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    unanswered = total - half - 1
    assert f"{unanswered} questions not answered yet" in dialog.inner_text()
    page.get_by_role("button", name="Go back to the questions").click()
    assert not dialog.is_visible()
    assert page.locator("fieldset.question:visible legend").inner_text() == f"Question {half + 2} of {total}"
    while page.get_by_role("button", name="Next").is_visible():
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("button", name="Submit anyway").click()
    page.locator("h1", has_text="Result").wait_for()
    assert page.locator(".review > li").count() == total
    with app.app_context():
        stored = db.session.get(Attempt, attempt_id)
        assert stored.finished and stored.score is not None
        assert sum(1 for item in stored.items if item.response is not None) == half + 1
    second.close()
