"""Reset Lab as an LTI 1.3 tool, against the local test platform (tests/lti/platform.py) on loopback:
launches and every rejection, identity by issuer + subject, classes and co-instructors, Deep Linking,
grade passback through the outbox (retries, 401, refusals, pending), NRPS, framing and cookies, the CLI."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest

from resetlab.core.questions import form_values, key_answer
from resetlab.core.rubrics import parse_rubric
from resetlab.database import begin_write
from resetlab.extensions import db
from resetlab.factory import create_app
from resetlab.grading import services as grading
from resetlab.lti import grades, keys, sender
from resetlab.models import (
    Assignment,
    Attempt,
    Classroom,
    ClassroomInstructor,
    Enrollment,
    LtiIdentity,
    LtiScoreOutbox,
    User,
    WrittenGrade,
    utcnow,
)
from resetlab.study import attempts

from ..helpers import make_config, post, signup, submit_attempt
from ..web.test_teach import key_data
from .platform import (
    CONTENT_DEVELOPER,
    INSTITUTION_INSTRUCTOR,
    INSTRUCTOR,
    LEARNER,
    MENTOR,
    TEACHING_ASSISTANT,
    Context,
    Forgery,
    ResourceLink,
    TestPlatform,
    parse_forms,
)
from .platform import (
    User as LmsUser,
)

TEACHER = LmsUser("teacher-1", name="Kay Ito", email="teacher@example.org")
ANA = LmsUser("ana-1", name="Ana Lima", email="ana@example.org")
BOB = LmsUser("bob-2", name="Bob Ray")
COURSE = Context("hist-101", label="HIST 101", title="U.S.-Russia relations")
GRADED = {"resetlab_kind": "assignment", "resetlab_bank": "alpha", "resetlab_attempts": "3"}
QUIZ = ResourceLink("rl-alpha", title="Alpha quiz", custom=GRADED)
DEEP = "LtiDeepLinkingRequest"


def register(app, platform: TestPlatform, base: str = "http://localhost", **extra):
    """The tool registered in the platform (its JWKS given as a dict) and the platform in the tool."""
    with app.app_context():
        if not keys.tool_keys():
            keys.new_key()
        jwks = keys.jwks()
    tool = platform.register_tool(login_url=f"{base}/lti/login", target_link_uri=f"{base}/lti/launch",
                                  jwks=jwks, **extra)
    settings = tool.platform_settings()
    with app.app_context():
        keys.add_platform(issuer=settings["issuer"], client_id=settings["client_id"], name="Test LMS",
                          auth_login_url=settings["auth_login_url"],
                          auth_token_url=settings["auth_token_url"], key_set_url=settings["key_set_url"],
                          deployment_ids=settings["deployment_ids"])
    return tool


@pytest.fixture
def lms(app):
    with TestPlatform() as platform:
        register(app, platform)
        yield platform


def launch(app, platform, user, roles, context=COURSE, link=QUIZ, client=None, **kwargs):
    """Drive a launch with a test client (a fresh one unless given); (client, the launch's response)."""
    client = client or app.test_client()
    url = platform.launch_url(user, roles, context, link, **kwargs)
    return client, platform.drive_launch(client, url)


def set_up(app, lms):
    """The teacher opens the quiz link once (the class and the assignment exist from then on)."""
    teacher, response = launch(app, lms, TEACHER, [INSTRUCTOR])
    assert response.status_code == 303, response.get_data(as_text=True)
    return teacher


def only(app, model, *where):
    with app.app_context():
        return db.session.scalars(db.select(model).where(*where)).all()


def take_quiz(app, client, response, right=True):
    """From a learner's launch to a submitted attempt; the attempt id."""
    assignment_page = response.headers["Location"]
    assignment_id = int(assignment_page.rstrip("/").rsplit("/", 1)[1])
    started = post(client, f"/assignments/{assignment_id}/start")
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    data = key_data(app, attempt_id) if right else {}
    assert submit_attempt(app, client, attempt_id, data).status_code == 302
    return attempt_id


def send(app, when=None):
    with app.app_context():
        return sender.send_due(when or utcnow())


# ----- launches -------------------------------------------------------------------------------------


def test_jwks_publishes_the_tool_keys_with_their_thumbprints(app, client):
    with app.app_context():
        first = keys.new_key().kid
        second = keys.new_key().kid
        keys.retire_key(second)
    response = client.get("/lti/jwks")
    kids = [k["kid"] for k in response.json["keys"]]
    assert kids == [first] and response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.json["keys"][0]["alg"] == "RS256" and "d" not in response.json["keys"][0]


def test_instructor_launch_makes_the_class_and_signs_in_by_issuer_and_subject(app, lms, student):
    teacher, response = launch(app, lms, TEACHER, [INSTRUCTOR])
    assert response.status_code == 303 and "/teach/assignments/" in response.headers["Location"]
    assert teacher.get(response.headers["Location"]).status_code == 200
    (classroom,) = only(app, Classroom)
    assert classroom.name == COURSE.title
    users = only(app, User, User.display_name == "Kay Ito")
    assert len(users) == 1 and users[0].email is None and users[0].role == "instructor"
    # the LMS says the teacher's email is teacher@...; a local account with that email stays separate
    local = app.test_client()
    signup(local, "teacher@example.org", "Local Teacher", code="teach-2026")
    launch(app, lms, TEACHER, [INSTRUCTOR])
    assert len(only(app, User, User.display_name == "Kay Ito")) == 1
    assert len(only(app, LtiIdentity)) == 1
    assert only(app, User, User.email == "teacher@example.org")[0].display_name == "Local Teacher"
    (assignment,) = only(app, Assignment)
    assert (assignment.bank_slug, assignment.attempts_allowed) == ("alpha", 3)


def test_a_launch_rotates_the_session(app, lms, student):
    before = student.get_cookie("session").value
    assert student.get("/teach/").status_code == 403
    _, response = launch(app, lms, TEACHER, [INSTRUCTOR], client=student)
    assert response.status_code == 303
    assert student.get_cookie("session").value != before
    assert student.get("/teach/").status_code == 200  # the same browser is now the LMS teacher
    with app.app_context():
        ana = db.session.scalar(db.select(User).where(User.email == "ana@example.org"))
        assert db.session.scalar(db.select(LtiIdentity).where(LtiIdentity.user_id == ana.id)) is None


def test_learners_join_the_class_and_take_the_quiz(app, lms):
    set_up(app, lms)
    learner, response = launch(app, lms, ANA, [LEARNER])
    assert response.status_code == 303 and "/assignments/" in response.headers["Location"]
    assert learner.get(response.headers["Location"]).status_code == 200
    take_quiz(app, learner, response)
    (classroom,) = only(app, Classroom)
    (enrolment,) = only(app, Enrollment, Enrollment.classroom_id == classroom.id)
    assert enrolment.active
    assert send(app).sent == 1
    result = lms.result(ANA, lms.lineitem_for(QUIZ))
    assert (result.score_given, result.score_maximum, result.grading_progress) == (100, 100, "FullyGraded")
    assert result.activity_progress == "Completed"


def test_a_learner_before_any_instructor_gets_a_clear_page(app, lms):
    _, response = launch(app, lms, ANA, [LEARNER])
    assert response.status_code == 403
    assert "needs to open it from the course once" in response.get_data(as_text=True)
    assert only(app, Classroom) == []


@pytest.mark.parametrize("roles, allowed", [
    ([TEACHING_ASSISTANT], True), ([CONTENT_DEVELOPER], True), ([MENTOR], False),
    ([INSTITUTION_INSTRUCTOR], False), (["Instructor"], True)])
def test_only_context_roles_count(app, lms, roles, allowed):
    set_up(app, lms)
    _, response = launch(app, lms, BOB, roles)
    assert (response.status_code == 303) is allowed, response.get_data(as_text=True)[:300]
    if not allowed:
        assert "Reason: <code>role</code>" in response.get_data(as_text=True)


def test_a_co_instructor_teaches_the_class_but_only_the_owner_may_delete_it(app, lms):
    set_up(app, lms)
    other = LmsUser("teacher-2", name="Lee Park")
    colleague, response = launch(app, lms, other, [INSTRUCTOR])
    assert response.status_code == 303
    (classroom,) = only(app, Classroom)
    assert len(only(app, ClassroomInstructor, ClassroomInstructor.classroom_id == classroom.id)) == 1
    assert colleague.get(f"/teach/classes/{classroom.id}").status_code == 200
    assert colleague.get(f"/teach/classes/{classroom.id}/roster").status_code == 200
    assert "U.S.-Russia relations" in colleague.get("/teach/").get_data(as_text=True)
    assert colleague.get(f"/teach/classes/{classroom.id}/delete").status_code == 404
    stranger = app.test_client()
    signup(stranger, "s@example.org", "Stranger", code="teach-2026")
    assert stranger.get(f"/teach/classes/{classroom.id}").status_code == 404
    assert stranger.get(f"/lti/classes/{classroom.id}").status_code == 404


# ----- every rejection -------------------------------------------------------------------------------


@pytest.mark.parametrize("forgery, reason", [
    (Forgery(expired=True), "expired"),
    (Forgery(iat_offset=600), "clock"),
    (Forgery(wrong_key=True), "signature"),
    (Forgery(unknown_kid=True), "signature"),
    (Forgery(deployment_id="deployment-unknown"), "unknown_deployment"),
    (Forgery(nonce="forged-nonce"), "nonce"),
    (Forgery(audience="another-client"), "unknown_platform"),
    (Forgery(issuer="https://evil.example"), "unknown_platform"),
    (Forgery(drop_claims=("https://purl.imsglobal.org/spec/lti/claim/roles",)), "bad_message"),
    (Forgery(extra_claims={"https://purl.imsglobal.org/spec/lti/claim/version": "1.1"}), "bad_message"),
])
def test_forged_launches_are_refused_with_a_clear_page(app, lms, forgery, reason):
    client, response = launch(app, lms, TEACHER, [INSTRUCTOR], forgery=forgery)
    assert response.status_code in (400, 403), response.status_code
    text = response.get_data(as_text=True)
    assert f"Reason: <code>{reason}</code>" in text and "could not open this link" in text
    assert client.get("/teach/").status_code == 302  # nobody signed in
    assert only(app, Classroom) == [] and only(app, LtiIdentity) == []


def test_a_replayed_launch_is_refused_even_from_the_same_browser(app, lms):
    client, first = launch(app, lms, TEACHER, [INSTRUCTOR])
    assert first.status_code == 303
    again = client.post("/lti/launch", data=lms.launches[-1].form)
    assert again.status_code == 400 and "Reason: <code>replay</code>" in again.get_data(as_text=True)
    stranger = app.test_client().post("/lti/launch", data=lms.launches[-1].form)
    assert stranger.status_code == 400


def test_a_launch_without_the_state_cookie_is_refused(app, lms):
    url = lms.launch_url(TEACHER, [INSTRUCTOR], COURSE, QUIZ)
    method, login_url, params = lms.login_initiation(url)
    started = app.test_client().get(login_url, query_string=params)
    action, fields = lms.authorize(started.headers["Location"])
    response = app.test_client().post(action, data=fields)
    assert response.status_code == 400 and "Reason: <code>cookies</code>" in response.get_data(as_text=True)


def test_unknown_platforms_and_empty_requests_are_refused(app, lms, client):
    assert "Reason: <code>unknown_platform</code>" in client.get("/lti/login", query_string={
        "iss": "https://nobody.example", "login_hint": "x"}).get_data(as_text=True)
    assert client.post("/lti/launch").status_code == 400
    assert client.post("/lti/launch", data={"state": "s", "id_token": "a.b"}).status_code == 400


@pytest.mark.parametrize("payload", ["[1]", "5", '"x"', "null", '{"nonce": ["a"]}',
                                     '{"nonce": "n", "iss": 7}',
                                     '{"nonce": "n", "iss": "https://lms.example", "aud": [1]}'])
def test_a_made_up_id_token_of_any_shape_is_a_clear_refusal(client, payload):
    """Nobody needs to be signed in to post a launch: an unsigned token whose body is not the object
    pylti1p3 assumes (read before the signature is checked) is refused as malformed, never a 500."""
    header, body = (base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
                    for text in ('{"alg": "RS256", "kid": "k"}', payload))
    client.set_cookie("lti1p3-S", "S", path="/lti/")
    response = client.post("/lti/launch", data={"state": "S", "id_token": f"{header}.{body}.sig"})
    assert response.status_code == 400
    assert "Reason: <code>bad_message</code>" in response.get_data(as_text=True)


def test_post_login_initiation_with_query_parameters(app, lms):
    _, response = launch(app, lms, TEACHER, [INSTRUCTOR], login_method="POST")
    assert response.status_code == 303


# ----- Deep Linking ----------------------------------------------------------------------------------


def test_deep_linking_places_a_quiz_that_learners_then_launch(app, lms):
    teacher, response = launch(app, lms, TEACHER, [INSTRUCTOR], link=None, message_type=DEEP)
    assert response.status_code == 303 and response.headers["Location"] == "/lti/pick"
    page = teacher.get("/lti/pick").get_data(as_text=True)
    assert "Quiz: Alpha quiz" in page and "Lesson: " in page
    answer = post(teacher, "/lti/pick", {"choice": "assignment:beta", "attempts": "2", "grading": "latest",
                                         "reveal": "after_due", "draw": "3"}, )
    assert answer.status_code == 200
    assert f"form-action 'self' {lms.base_url}" in answer.headers["Content-Security-Policy"]
    forms = parse_forms(answer.get_data(as_text=True))
    (form,) = [f for f in forms if f["id"] == "lti13_deep_link_auto_submit"]
    assert form["action"] == lms.deep_link_return_url
    status, _, body = lms.http("POST", form["action"], form["fields"])
    assert status == 200, body
    (returned,) = lms.deep_link_returns
    assert returned.error is None
    (item,) = returned.content_items
    assert item["custom"]["resetlab_bank"] == "beta" and item["lineItem"]["scoreMaximum"] == 100
    assert "url" in item and None not in item.values()
    placed = lms.link_from_content_item(item, COURSE)
    learner, response = launch(app, lms, ANA, [LEARNER], link=placed)
    assert response.status_code == 303
    (assignment,) = only(app, Assignment)
    assert (assignment.bank_slug, assignment.attempts_allowed, assignment.grading, assignment.reveal,
            assignment.draw) == ("beta", 2, "latest", "after_due", 3)
    take_quiz(app, learner, response)
    assert send(app).sent == 1
    assert lms.result(ANA, lms.lineitem_for(placed)).score_given == 100
    assert teacher.get("/lti/pick").status_code == 404  # the request was answered; no second answer


def test_learners_cannot_deep_link_and_a_link_to_someone_elses_bank_is_refused(app, lms):
    _, response = launch(app, lms, ANA, [LEARNER], link=None, message_type=DEEP)
    assert response.status_code == 403
    set_up(app, lms)
    other = app.test_client()
    signup(other, "owner@example.org", "Bank Owner", code="teach-2026")
    made = post(other, "/teach/banks/new", {"text": "::q::Is it?{TRUE ####Yes.}\n", "format": "gift",
                                            "title": "Private", "lesson": "", "action": "save"})
    bank_id = int(made.headers["Location"].rsplit("/", 1)[1])
    forged = ResourceLink("rl-forged", custom={"resetlab_kind": "assignment", "resetlab_bank": f"b{bank_id}"})
    _, response = launch(app, lms, TEACHER, [INSTRUCTOR], link=forged)
    assert response.status_code == 403 and "unknown_content" in response.get_data(as_text=True)


def test_a_teachers_own_bank_can_be_placed_and_graded(app, lms):
    teacher = set_up(app, lms)
    text = "::q::Is it?{TRUE ####Yes.}\n\n::r::Or not?{F ####No.}\n"
    made = post(teacher, "/teach/banks/new", {"text": text, "format": "gift", "title": "Mine", "lesson": "",
                                              "action": "save"})
    assert made.status_code == 302, made.get_data(as_text=True)[:500]
    bank_id = int(made.headers["Location"].rsplit("/", 1)[1])
    link = ResourceLink("rl-mine", custom={"resetlab_kind": "assignment", "resetlab_bank": f"b{bank_id}"})
    launch(app, lms, TEACHER, [INSTRUCTOR], link=link)
    learner, response = launch(app, lms, ANA, [LEARNER], link=link)
    take_quiz(app, learner, response)
    assert send(app).sent == 1 and lms.result(ANA, lms.lineitem_for(link)).score_given == 100


# ----- grade passback --------------------------------------------------------------------------------


def test_scores_are_retried_after_failures_and_never_lost(app, lms):
    set_up(app, lms)
    learner, response = launch(app, lms, ANA, [LEARNER])
    lms.fail_next_scores(2)
    take_quiz(app, learner, response)
    first = send(app)
    assert (first.sent, first.retried) == (0, 1)
    (row,) = only(app, LtiScoreOutbox)
    assert row.status == "pending" and row.last_status == 500 and row.next_try_at > utcnow()
    assert send(app).sent == 0  # not due yet
    second = send(app, utcnow() + timedelta(minutes=2))
    assert second.retried == 1
    third = send(app, utcnow() + timedelta(hours=1))
    assert third.sent == 1 and lms.failed_requests == [("scores", 500), ("scores", 500)]
    assert lms.result(ANA, lms.lineitem_for(QUIZ)).score_given == 100
    assert only(app, LtiScoreOutbox)[0].status == "sent"


def test_a_refused_token_is_fetched_again_and_tokens_are_reused(app, lms):
    set_up(app, lms)
    learner, response = launch(app, lms, ANA, [LEARNER])
    take_quiz(app, learner, response, right=False)
    assert send(app).sent == 1
    lms.expire_tokens()
    bob, response = launch(app, lms, BOB, [LEARNER])
    take_quiz(app, bob, response)
    assert send(app).sent == 1
    assert [r["ok"] for r in lms.token_requests] == [True, True]  # one per expiry, not one per score
    assert lms.result(BOB, lms.lineitem_for(QUIZ)).score_given == 100


def test_a_platform_refusal_is_final_and_can_be_sent_again(app, lms):
    teacher = set_up(app, lms)
    learner, response = launch(app, lms, ANA, [LEARNER])
    lms.fail_next_scores(1, status=422)
    take_quiz(app, learner, response)
    assert send(app).dead == 1
    (classroom,) = only(app, Classroom)
    page = teacher.get(f"/lti/classes/{classroom.id}").get_data(as_text=True)
    assert "Grades not sent to the LMS (1)" in page and "HTTP 422" in page
    (row,) = only(app, LtiScoreOutbox)
    assert post(teacher, f"/lti/classes/{classroom.id}/send-again", {"score": str(row.id)}).status_code == 302
    assert send(app).sent == 1 and lms.result(ANA, lms.lineitem_for(QUIZ)).score_given == 100


def test_the_counted_score_is_sent_again_only_when_it_changes(app, lms):
    set_up(app, lms)
    learner, response = launch(app, lms, ANA, [LEARNER])
    take_quiz(app, learner, response, right=False)
    take_quiz(app, learner, response, right=True)
    take_quiz(app, learner, response, right=False)  # highest counts: still 100
    assert send(app).sent == 1  # the 0 was superseded by the 100 before it was sent
    assert [r.status for r in only(app, LtiScoreOutbox)] == ["superseded", "sent"]
    assert [s.score_given for s in lms.scores_for(ANA)] == [100]


def test_a_pending_counted_score_is_sent_as_pending_manual_without_a_score(app, lms):
    set_up(app, lms)
    learner, response = launch(app, lms, ANA, [LEARNER])
    attempt_id = take_quiz(app, learner, response, right=False)  # 0: a pending attempt could beat it
    assert send(app).sent == 1
    second = take_quiz(app, learner, response)
    with app.app_context():  # a written response awaiting the instructor: finished, score NULL
        begin_write()
        db.session.execute(db.update(Attempt).where(Attempt.id == second).values(score=None))
        user_id, assignment_id = db.session.execute(db.select(Attempt.user_id, Attempt.assignment_id)
                                                    .where(Attempt.id == attempt_id)).one()
        assert grades.score_changed(assignment_id, user_id, utcnow()) == 1
        db.session.commit()
    assert send(app).sent == 1
    pending = lms.scores_for(ANA)[-1]
    assert (pending.grading_progress, pending.activity_progress, pending.score_given) == (
        "PendingManual", "Submitted", None)
    assert "scoreGiven" not in pending.body
    with app.app_context():  # graded: 0.5, and the highest of 0 and 0.5 counts
        begin_write()
        db.session.execute(db.update(Attempt).where(Attempt.id == second).values(score=0.5))
        assert grades.score_changed(assignment_id, user_id, utcnow()) == 1
        db.session.commit()
    assert send(app).sent == 1
    assert lms.result(ANA, lms.lineitem_for(QUIZ)).score_given == 50
    assert lms.result(ANA, lms.lineitem_for(QUIZ)).grading_progress == "FullyGraded"
    with app.app_context():  # a full score already counts under "highest": a pending attempt changes nothing
        begin_write()
        db.session.execute(db.update(Attempt).where(Attempt.id == second).values(score=1.0))
        db.session.execute(db.update(Attempt).where(Attempt.id == attempt_id).values(score=None))
        assert grades.counted(db.session.get(Assignment, assignment_id), user_id) == ("graded", 1.0)
        db.session.rollback()


def test_a_written_answer_is_pending_in_the_lms_until_graded_and_released(app, lms):
    set_up(app, lms)
    with app.app_context():  # the teacher includes the bank's written prompt in the LMS's assignment
        begin_write()
        db.session.execute(db.update(Assignment).values(include_written=True))
        db.session.commit()
    learner, response = launch(app, lms, ANA, [LEARNER])
    assignment_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    started = post(learner, f"/assignments/{assignment_id}/start")
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        data: dict = {}
        for item, q in attempts.served(db.session.get(Attempt, attempt_id)):
            if q.kind.manual:
                data[f"a{item.position}"] = ["The reset began in Geneva in March 2009 and ended by 2014."]
            else:
                data.update(form_values(q, item.position, key_answer(q)))
        assert any(q.kind.manual for _, q in attempts.served(db.session.get(Attempt, attempt_id)))
    assert submit_attempt(app, learner, attempt_id, data).status_code == 302
    assert send(app).sent == 1
    pending = lms.result(ANA, lms.lineitem_for(QUIZ))
    assert (pending.grading_progress, pending.score_given) == ("PendingManual", None)
    with app.app_context():  # graded in Reset Lab: still pending for the LMS until the grades are released
        grade = db.session.scalar(db.select(WrittenGrade).where(WrittenGrade.attempt_id == attempt_id))
        teacher = db.session.scalar(db.select(User).join(Classroom, Classroom.instructor_id == User.id))
        top = [len(c.levels) - 1 for c in parse_rubric(grade.rubric).criteria]
        grading.save_grade(grade, top, "Clear and dated.", teacher)
    assert send(app).sent == 0
    with app.app_context():
        grading.release(db.session.get(Assignment, assignment_id))
        assert db.session.get(Attempt, attempt_id).score == 1.0
    assert send(app).sent == 1
    final = lms.result(ANA, lms.lineitem_for(QUIZ))
    assert (final.grading_progress, final.activity_progress, final.score_given) == (
        "FullyGraded", "Completed", 100)
    assert [r.status for r in only(app, LtiScoreOutbox)] == ["sent", "sent"]


def test_students_who_joined_by_code_get_no_lms_score(app, lms, student):
    set_up(app, lms)
    (classroom,) = only(app, Classroom)
    with app.app_context():
        code = db.session.get(Classroom, classroom.id).join_code
        assert post(student, "/join", {"code": code}).status_code == 302
        (assignment,) = db.session.scalars(db.select(Assignment)).all()
    started = post(student, f"/assignments/{assignment.id}/start")
    attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
    submit_attempt(app, student, attempt_id, key_data(app, attempt_id))
    assert only(app, LtiScoreOutbox) == []


def test_scores_are_sent_after_the_response_of_a_live_server(tmp_path):
    """On a real server the score goes out after the submit's response, without cron."""
    from ..browser.conftest import serving

    with serving(tmp_path) as (app, base), TestPlatform() as platform:
        app.config["LTI_SEND_EVERY"] = 0
        register(app, platform, base)
        from .platform import PlatformBrowser

        shipped = ResourceLink("rl-obama", custom={"resetlab_kind": "assignment",
                                                   "resetlab_bank": "obama-medvedev"})
        teacher = PlatformBrowser()
        assert teacher.open(platform.launch_url(TEACHER, [INSTRUCTOR], COURSE, shipped)).status == 200
        browser = PlatformBrowser()
        page = browser.open(platform.launch_url(ANA, [LEARNER], COURSE, shipped))
        assert page.status == 200 and "/assignments/" in page.url
        (start,) = [f for f in page.forms() if f["action"].endswith("/start")]
        quiz = browser.open(base + start["action"], "POST", start["fields"])
        (form,) = [f for f in quiz.forms() if re.search(r"/attempts/\d+$", f["action"])]
        done = browser.open(base + form["action"], "POST", {**form["fields"], "confirm": "1"})
        assert done.status == 200 and "/attempts/" in done.url
        for _ in range(50):
            if platform.scores:
                break
            import time

            time.sleep(0.05)
        (score,) = platform.scores
        assert score.user_id == ANA.sub and score.grading_progress == "FullyGraded"


# ----- roster sync, framing, cookies, CLI ------------------------------------------------------------


def test_roster_sync_from_names_and_roles(app, lms):
    teacher = set_up(app, lms)
    launch(app, lms, ANA, [LEARNER])
    lms.add_member(COURSE, BOB, [LEARNER])
    lms.add_member(COURSE, LmsUser("cy-3", name="Cy Ode"), [TEACHING_ASSISTANT])
    lms.add_member(COURSE, ANA, [LEARNER], status="Inactive")
    lms.page_size = 1
    (classroom,) = only(app, Classroom)
    assert post(teacher, f"/lti/classes/{classroom.id}/sync").status_code == 302
    with app.app_context():
        active = set(db.session.scalars(db.select(User.display_name)
                                        .join(Enrollment, Enrollment.user_id == User.id)
                                        .where(Enrollment.active.is_(True))))
        assistants = db.session.scalars(db.select(ClassroomInstructor.assistant)).all()
    assert active == {"Bob Ray"} and assistants == [True]
    assert "Roster synced: 1 learners active, 1 instructors, 1 taken off" in teacher.get(
        f"/lti/classes/{classroom.id}").get_data(as_text=True)


def test_lti_sessions_may_be_framed_by_their_lms_only(app, lms, student):
    teacher, _ = launch(app, lms, TEACHER, [INSTRUCTOR])
    headers = teacher.get("/").headers
    assert f"frame-ancestors 'self' {lms.base_url}" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers
    assert "frame-ancestors 'none'" in student.get("/").headers["Content-Security-Policy"]
    assert student.get("/").headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in app.test_client().get("/").headers["Content-Security-Policy"]


def test_embed_mode_cookies_and_the_cookie_check_page(tmp_path):
    app = create_app(make_config(tmp_path, LTI_EMBED=True, SECURE_COOKIES=True))
    with app.app_context():
        db.drop_all()
        db.create_all()
    try:
        with TestPlatform() as platform:
            register(app, platform)
            client = app.test_client()
            url = platform.launch_url(TEACHER, [INSTRUCTOR], COURSE, QUIZ)
            _, login_url, params = platform.login_initiation(url)
            check = client.get(login_url, query_string=params)
            assert check.status_code == 200 and 'id="lti1p3-new-tab-link"' in check.get_data(as_text=True)
            assert "<script>" not in check.get_data(as_text=True).replace("<script src", "")
            response = platform.drive_launch(client, url)
            assert response.status_code == 303
            cookies = response.headers.getlist("Set-Cookie")
            session_cookie = next(h for h in cookies if h.startswith("session="))
            assert all(flag in session_cookie for flag in ("SameSite=None", "Secure", "Partitioned"))
            state = [h for h in check.headers.getlist("Set-Cookie")] + [
                h for h in client.get(login_url, query_string={**params, "lti1p3_new_window": "1"})
                .headers.getlist("Set-Cookie")]
            assert any("lti1p3-state" in h and "SameSite=None" in h and "Path=/lti/" in h for h in state)
            plain = app.test_client()
            signed = signup(plain, "kim@example.org", "Kim")
            cookie = next(h for h in signed.headers.getlist("Set-Cookie") if h.startswith("session="))
            assert "SameSite=Lax" in cookie
    finally:
        with app.app_context():
            db.drop_all()
            db.engine.dispose()


def test_embed_mode_needs_secure_cookies(tmp_path):
    from resetlab.config import ConfigError

    with pytest.raises(ConfigError, match="LTI_EMBED needs RESETLAB_SECURE_COOKIES"):
        create_app(make_config(tmp_path, LTI_EMBED=True))


def test_cli_registers_lists_rotates_keys_and_sends(app, runner):
    lms = "https://lms.example.edu"
    result = runner.invoke(args=["lti", "add-platform", "--issuer", lms, "--client-id", "c1",
                                 "--name", "Campus LMS", "--auth-login-url", f"{lms}/auth",
                                 "--auth-token-url", f"{lms}/token", "--key-set-url",
                                 f"{lms}/jwks", "--deployment", "d1", "--deployment", "d2"])
    assert result.exit_code == 0, result.output
    assert "made the tool's first key pair" in result.output and "/lti/login" in result.output
    listed = runner.invoke(args=["lti", "list"]).output
    assert "Campus LMS" in listed and "d1, d2" in listed and "frames https://lms.example.edu" in listed
    again = runner.invoke(args=["lti", "add-platform", "--issuer", lms, "--client-id", "c1",
                                "--auth-login-url", f"{lms}/auth", "--auth-token-url", f"{lms}/token",
                                "--key-set-url", "nope", "--deployment", "d3"])
    assert again.exit_code == 1 and "not an http(s) URL: nope" in again.output
    with app.app_context():
        (old,) = keys.tool_keys()
        old_kid = old.kid
    rotated = runner.invoke(args=["lti", "keys", "--new"])
    new_kid = re.search(r"made key (\S+)", rotated.output).group(1)
    assert runner.invoke(args=["lti", "keys", "--retire", old_kid]).exit_code == 1  # it still signs
    assert runner.invoke(args=["lti", "keys", "--use", new_kid]).exit_code == 0
    final = runner.invoke(args=["lti", "keys", "--retire", old_kid]).output
    assert f"{old_kid}  retired" in final and f"{new_kid}  signing" in final
    assert "0 sent" in runner.invoke(args=["lti", "send-scores"]).output
    assert "expired entries deleted" in runner.invoke(args=["lti", "purge"]).output


def test_keys_are_encrypted_at_rest_with_a_passphrase(tmp_path):
    app = create_app(make_config(tmp_path, LTI_KEY_PASSPHRASE="correct horse"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        key = keys.new_key()
        assert "ENCRYPTED PRIVATE KEY" in key.private_pem
        public, private = keys.signing_key()
        assert private.startswith("-----BEGIN PRIVATE KEY-----") and public == key.public_pem
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
