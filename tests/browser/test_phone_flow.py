"""A student on a phone: sign up, read a lesson, take its quiz, see the result and progress."""

from __future__ import annotations

import pytest

from .conftest import fill_answer

pytestmark = pytest.mark.browser


def test_student_on_phone_signs_up_reads_quizzes_and_sees_progress(live_server, phone):
    _, base = live_server
    page = phone
    page.goto(base + "/")
    assert page.locator("h1").count() == 1
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Your name").fill("Dana")
    page.get_by_label("Email").fill("dana@example.org")
    page.get_by_label("Password", exact=True).fill("a long enough secret")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Your account is ready").wait_for()

    page.get_by_role("link", name="Obama and Medvedev").first.click()
    assert page.locator("#geneva-button").count() == 1
    assert "перезагрузка" in page.locator("article").inner_text()
    no_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_scroll, "the lesson scrolls sideways on a phone"
    page.get_by_role("button", name="Mark as read").click()
    page.get_by_text("You have read this lesson").wait_for()

    page.get_by_role("link", name="Take the quiz").click()
    page.get_by_role("button", name="Start the quiz").click()
    page.locator("fieldset.question").first.wait_for(state="attached")  # count() does not wait
    total = page.locator("fieldset.question").count()
    assert total == 8
    assert page.locator("fieldset.question:visible").count() == 1  # one question per screen
    for n in range(total):
        assert page.get_by_text(f"Question {n + 1} of {total}").first.is_visible()
        fill_answer(page.locator("fieldset.question:visible"))
        if n < total - 1:
            page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Submit answers").click()

    page.locator("h1", has_text="Result").wait_for()
    assert page.locator(".score strong").inner_text().endswith("%")
    assert page.locator(".review > li").count() == 8
    assert page.locator(".explanation").count() == 8
    assert page.get_by_role("link", name="Reread:").count() == 8

    page.get_by_role("link", name="See your progress").click()
    row = page.locator("tr", has_text="Obama and Medvedev")
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == "Yes" and cells[1] == "1"
    assert cells[4] in ("Attempted", "Familiar", "Proficient")


def test_quiz_works_without_javascript(live_server, browser):
    _, base = live_server
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(base + "/auth/signup")
    page.get_by_label("Your name").fill("Eli")
    page.get_by_label("Email").fill("eli@example.org")
    page.get_by_label("Password", exact=True).fill("a long enough secret")
    page.get_by_role("button", name="Create account").click()
    page.goto(base + "/quiz/what-is-a-reset")
    page.get_by_role("button", name="Start the quiz").click()
    page.locator("fieldset.question").first.wait_for()  # count() does not wait for the new page
    assert page.locator("fieldset.question:visible").count() == 8  # all on one page without JS
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("heading", name="8 of 8 questions not answered yet").wait_for()  # asks first
    page.get_by_role("link", name="Go back to the questions").click()
    assert page.locator("fieldset.question:visible").count() == 8
    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("button", name="Submit anyway").click()
    page.locator("h1", has_text="Result").wait_for()
    assert "0%" in page.locator(".score").inner_text()
    context.close()
