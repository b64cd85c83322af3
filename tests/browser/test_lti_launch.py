"""A real LTI launch in Chromium, inside the LMS's iframe: the platform's course page → login initiation
→ the cookie check → launch → the quiz → submit → the platform has the score.

The platform is addressed as localhost and the tool as 127.0.0.1, so the frame is cross-site, as an LMS
and Reset Lab are: only the LTI session's `SameSite=None; Secure` cookies (embed mode) get through.
"""

from __future__ import annotations

import time

import pytest

from resetlab.extensions import db
from resetlab.models import Attempt

from ..lti.platform import INSTRUCTOR, LEARNER, Context, ResourceLink, TestPlatform, User
from ..lti.test_tool import register
from .conftest import ARTIFACTS, fill_answer, serving

pytestmark = pytest.mark.browser
COURSE = Context("hist-201", title="Resets, 1993–2025")
LINK = ResourceLink("rl-obama", title="The 2009 reset: quiz",
                    custom={"resetlab_kind": "assignment", "resetlab_bank": "obama-medvedev"})
TEACHER = User("teacher-7", name="Dana Cole")
STUDENT = User("student-8", name="Sam Ortiz")


def test_a_student_launches_from_the_lms_frame_takes_the_quiz_and_the_lms_gets_the_score(tmp_path, browser,
                                                                                           phone):
    with serving(tmp_path, LTI_EMBED=True, SECURE_COOKIES=True, LTI_SEND_EVERY=0) as (app, base), \
            TestPlatform(url_host="localhost") as platform:
        register(app, platform, base)
        desk = browser.new_context()  # the teacher opened the link once: the class and assignment exist
        teacher = desk.new_page()
        teacher.goto(platform.launch_url(TEACHER, [INSTRUCTOR], COURSE, LINK))
        teacher.wait_for_url("**/teach/assignments/**")
        desk.close()

        page = phone  # screenshots land in test-artifacts/ when the test fails
        page.set_default_timeout(15_000)
        page.goto(platform.launch_url(STUDENT, [LEARNER], COURSE, LINK, embed=True))
        frame = page.frame_locator("iframe[name=tool]")
        frame.locator("h1", has_text="The 2009 reset").wait_for()
        frame.get_by_role("button", name="Start").click()
        frame.locator("fieldset.question").first.wait_for()
        total = frame.locator("fieldset.question").count()
        for i in range(total):  # one question per screen when the frame is narrow, else all at once
            question = frame.locator("fieldset.question").nth(i)
            if not question.is_visible():
                frame.get_by_role("button", name="Next").click()
            fill_answer(question)
        frame.get_by_role("button", name="Submit answers").click()
        anyway = frame.get_by_role("button", name="Submit anyway")  # an order question may be left as shown
        result = frame.locator("h1", has_text="Result")
        anyway.or_(result).first.wait_for()
        if anyway.is_visible():
            anyway.click()
        result.wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lti-result-in-frame-phone.png"), full_page=True)

        deadline = time.monotonic() + 60  # the sender runs in the background; a busy machine is slow
        while not platform.scores and time.monotonic() < deadline:
            time.sleep(0.05)
        with app.app_context():
            (attempt,) = db.session.scalars(db.select(Attempt)).all()
            expected = round(attempt.score * 100, 2)
        result = platform.result(STUDENT, platform.lineitem_for(LINK))
        assert result is not None, platform.score_errors
        assert (result.score_given, result.score_maximum) == (expected, 100)
        assert result.grading_progress == "FullyGraded" and result.activity_progress == "Completed"
        assert len(platform.launches) == 2 and not platform.errors
