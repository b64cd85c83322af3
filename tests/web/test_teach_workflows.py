"""An instructor's workflows with a big class: assignments changed, deleted and copied; every destructive
action asks in words first; the roster searches, pages and acts in bulk; removal can be undone; the
attention list and the grid agree; the CSV files read right; and a student's side of joining."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest

from resetlab.extensions import db
from resetlab.models import (
    Accommodation,
    Assignment,
    Attempt,
    AttemptState,
    Classroom,
    Enrollment,
    User,
    utcnow,
)
from resetlab.study import summaries

from ..helpers import csrf_token, post, signup
from .test_teach import FMT, assign, assignment_ids, code_of, key_data, make_class, populate, start, submit


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.email == email))


def text(response) -> str:
    """The page as a reader sees its characters (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def room(app, instructor, student):
    """A class with the `student` (Ana) in it and one open assignment on alpha."""
    classroom_id = make_class(instructor)
    assert post(student, "/join", {"code": code_of(app, classroom_id)}).status_code == 302
    assert assign(instructor, classroom_id).status_code == 302
    return classroom_id, assignment_ids(app, classroom_id)[0]


def rules_form(**changes) -> dict:
    now = utcnow()
    data = {"open_at": (now - timedelta(hours=2)).strftime(FMT),
            "due_at": (now + timedelta(days=3)).strftime(FMT), "attempts_allowed": "2", "grading": "latest",
            "draw": "3", "time_limit_minutes": "15", "reveal": "after_due"}
    data.update(changes)
    return data


# --- assignments: listed, edited, deleted, copied --------------------------------------------------------

def test_assignments_are_listed_on_the_class_page_before_any_student_joins(app, instructor):
    classroom_id = make_class(instructor)
    assign(instructor, classroom_id, banks=("alpha", "beta"))
    page = text(instructor.get(f"/teach/classes/{classroom_id}"))
    assert "Assignments (2)" in page and "Alpha quiz" in page and "Beta quiz" in page
    for work in assignment_ids(app, classroom_id):
        assert f"/teach/assignments/{work}/edit" in page and f"/teach/assignments/{work}/delete" in page


def test_edit_changes_the_rules_and_says_what_happens_to_attempts_made(app, instructor, student, room):
    classroom_id, work = room
    attempt = start(student, work)
    submit(student, attempt, key_data(app, attempt))
    form = text(instructor.get(f"/teach/assignments/{work}/edit"))
    assert "1 student made 1 finished attempt. Under each setting: what changing it does to them." in form
    assert "Finished attempts are marked late or on time again against the new due date." in form
    assert 'aria-describedby="due_at-hint"' in form and "open attempts keep their deadline" in form
    assert 'type="datetime-local"' in form and 'type="number"' in form
    response = post(instructor, f"/teach/assignments/{work}/edit", rules_form())
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Assignment, work)
        rules = (saved.attempts_allowed, saved.grading, saved.draw, saved.time_limit_minutes, saved.reveal)
        assert rules == (2, "latest", 3, 15, "after_due")


def test_moving_the_due_date_marks_finished_attempts_late_or_on_time_again(app, instructor, student, room):
    classroom_id, work = room
    attempt = start(student, work)
    submit(student, attempt, key_data(app, attempt))
    past = (utcnow() - timedelta(hours=1)).strftime(FMT)
    earlier = (utcnow() - timedelta(days=2)).strftime(FMT)
    response = post(instructor, f"/teach/assignments/{work}/edit", rules_form(open_at=earlier, due_at=past),
                    follow_redirects=True)
    assert "1 attempt changed between on time and late" in text(response)
    with app.app_context():
        assert db.session.get(Attempt, attempt).late is True
    post(instructor, f"/teach/assignments/{work}/edit", rules_form())
    with app.app_context():
        assert db.session.get(Attempt, attempt).late is False


def test_edit_refuses_bad_input_and_changes_nothing(app, instructor, room):
    _, work = room
    before_opening = (utcnow() - timedelta(days=5)).strftime(FMT)
    for bad in (rules_form(due_at=before_opening), rules_form(draw="0"), rules_form(time_limit_minutes="-3"),
                rules_form(attempts_allowed="x"), rules_form(reveal="sometimes")):
        response = post(instructor, f"/teach/assignments/{work}/edit", bad)
        assert response.status_code == 422, bad
        assert 'aria-invalid="true"' in text(response)
    with app.app_context():
        assert db.session.get(Assignment, work).grading == "highest"


def test_delete_asks_in_words_then_deletes_open_attempts_and_keeps_shown_work(app, instructor, student, room):
    classroom_id, work = room
    finished = start(student, work)
    submit(student, finished, key_data(app, finished))
    other = app.test_client()
    signup(other, "bo@example.org", "Bo")
    post(other, "/join", {"code": code_of(app, classroom_id)})
    open_attempt = start(other, work)
    page = text(instructor.get(f"/teach/assignments/{work}/delete"))
    assert "Delete this assignment?" in page and "Alpha quiz" in page
    assert "1 attempt is still open: it is deleted, with the answers saved so far." in page
    assert "1 finished attempt stay in students' own history as practice" in page
    assert "This cannot be undone" in page and "Cancel: keep it" in page
    with app.app_context():
        assert db.session.get(Assignment, work) is not None  # asking changed nothing
    response = post(instructor, f"/teach/assignments/{work}/delete", follow_redirects=True)
    assert "“Alpha quiz” deleted; 1 finished attempt kept in students' history as practice." in text(response)
    with app.app_context():
        assert db.session.get(Assignment, work) is None
        assert db.session.get(Attempt, open_attempt) is None
        kept = db.session.get(Attempt, finished)
        assert kept.assignment_id is None and kept.state == AttemptState.FINISHED
    assert student.get(f"/attempts/{finished}").status_code == 200


def test_deleting_an_assignment_whose_answers_are_hidden_deletes_its_attempts(app, instructor, student):
    classroom_id = make_class(instructor)
    post(student, "/join", {"code": code_of(app, classroom_id)})
    assign(instructor, classroom_id, reveal="never")
    work = assignment_ids(app, classroom_id)[0]
    attempt = start(student, work)
    submit(student, attempt, {})
    page = text(instructor.get(f"/teach/assignments/{work}/delete"))
    assert "1 finished attempt is deleted too" in page and "never shown" in page
    post(instructor, f"/teach/assignments/{work}/delete")
    with app.app_context():
        assert db.session.get(Attempt, attempt) is None  # kept as practice, it would show the hidden keys


def test_delete_needs_the_csrf_token_and_the_owner(app, instructor, room):
    _, work = room
    assert instructor.post(f"/teach/assignments/{work}/delete").status_code in (302, 400, 200)
    stranger = app.test_client()
    signup(stranger, "other@example.org", "Other Teacher", code="teach-2026")
    assert post(stranger, f"/teach/assignments/{work}/delete").status_code == 404
    assert stranger.get(f"/teach/assignments/{work}/edit").status_code == 404
    with app.app_context():
        assert db.session.get(Assignment, work) is not None


def test_copy_to_another_class_of_the_same_instructor(app, instructor, room):
    classroom_id, work = room
    alone = text(instructor.get(f"/teach/assignments/{work}/copy"))
    assert "You have no other class to copy it to" in alone
    target = make_class(instructor, "History 102")
    page = text(instructor.get(f"/teach/assignments/{work}/copy"))
    assert "History 102" in page and "same quiz and rules" in page
    open_at, due_at = utcnow() + timedelta(days=1), utcnow() + timedelta(days=8)
    response = post(instructor, f"/teach/assignments/{work}/copy",
                    {"target": str(target), "open_at": open_at.strftime(FMT), "due_at": due_at.strftime(FMT)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/teach/classes/{target}#assignments-h")
    with app.app_context():
        source = db.session.get(Assignment, work)
        copy = db.session.scalar(db.select(Assignment).where(Assignment.classroom_id == target))
        assert (copy.bank_slug, copy.draw, copy.grading, copy.reveal, copy.attempts_allowed) == \
            (source.bank_slug, source.draw, source.grading, source.reveal, source.attempts_allowed)
        assert copy.due_at.strftime(FMT) == due_at.strftime(FMT)


def test_copy_refuses_a_class_of_another_instructor(app, instructor, room):
    _, work = room
    stranger = app.test_client()
    signup(stranger, "other@example.org", "Other Teacher", code="teach-2026")
    theirs = make_class(stranger, "Not yours")
    make_class(instructor, "Mine too")
    response = post(instructor, f"/teach/assignments/{work}/copy", {
        "target": str(theirs), "open_at": utcnow().strftime(FMT),
        "due_at": (utcnow() + timedelta(days=1)).strftime(FMT)})
    assert response.status_code == 422 and "Not a valid choice" in text(response)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Assignment)
                                 .where(Assignment.classroom_id == theirs)) == 0


# --- confirmations in words ----------------------------------------------------------------------------

def test_the_roster_has_no_one_tap_destructive_button(app, instructor, room):
    classroom_id, _ = room
    page = text(instructor.get(f"/teach/classes/{classroom_id}/roster"))
    forms = re.findall(r'<form method="post" action="([^"]+)"', page)
    assert not [f for f in forms if f.endswith("/remove")], forms
    actions = set(re.findall(r'name="action" value="([^"]+)"', page))
    assert not actions & {"new-code", "archive"}, actions  # those are links to a page that asks first
    for asks in ("new-code", "archive"):
        assert f"/teach/classes/{classroom_id}/{asks}" in page


@pytest.mark.parametrize("action,words,button", [
    ("new-code", "stop working at once; students already in the class stay in it", "Make a new join code"),
    ("archive", "Nothing is deleted: you can restore the class", "Archive the class"),
])
def test_new_code_and_archive_ask_in_words_first(app, instructor, room, action, words, button):
    classroom_id, _ = room
    before = code_of(app, classroom_id)
    page = text(instructor.get(f"/teach/classes/{classroom_id}/{action}"))
    assert words in page and f">{button}</button>" in page and "Cancel: change nothing" in page
    assert code_of(app, classroom_id) == before  # asking changed nothing
    post(instructor, f"/teach/classes/{classroom_id}/settings", {"action": action})
    with app.app_context():
        room_now = db.session.get(Classroom, classroom_id)
        assert room_now.join_code != before if action == "new-code" else room_now.archived


def test_remove_asks_in_words_then_can_be_undone(app, instructor, student, room):
    classroom_id, _ = room
    ana = user_id(app, "ana@example.org")
    page = text(instructor.get(f"/teach/classes/{classroom_id}/students/{ana}/remove"))
    assert "Remove Ana from “History 101”?" in page
    assert "The join code will not let them back in" in page and "Cancel: keep Ana" in page
    response = post(instructor, f"/teach/classes/{classroom_id}/students/remove", {"ids": [str(ana)]},
                    follow_redirects=True)
    roster = text(response)
    assert "Ana removed from the class" in roster and "Undo the removal" in roster and "Roster (0)" in roster
    refused = post(student, "/join", {"code": code_of(app, classroom_id)}, follow_redirects=True)
    assert "removed you from this class" in text(refused)
    back = post(instructor, f"/teach/classes/{classroom_id}/students/undo", follow_redirects=True)
    assert "Undone: 1 student back on the roster." in text(back) and "Roster (1)" in text(back)
    assert "Undo the removal" not in text(instructor.get(f"/teach/classes/{classroom_id}/roster"))


def test_undo_expires_after_fifteen_minutes(app, instructor, room):
    classroom_id, _ = room
    ana = user_id(app, "ana@example.org")
    post(instructor, f"/teach/classes/{classroom_id}/students/{ana}/remove")
    with instructor.session_transaction() as session:
        session["teach_undo"]["at"] = (utcnow() - timedelta(minutes=16)).isoformat()
        session.modified = True
    assert "Undo the removal" not in text(instructor.get(f"/teach/classes/{classroom_id}/roster"))
    response = post(instructor, f"/teach/classes/{classroom_id}/students/undo", follow_redirects=True)
    assert "no removal to undo" in text(response) and "Roster (0)" in text(response)


def test_undo_leaves_students_removed_at_another_time_alone(app, instructor, room):
    classroom_id, _ = room
    ana = user_id(app, "ana@example.org")
    bo = app.test_client()
    signup(bo, "bo@example.org", "Bo")
    post(bo, "/join", {"code": code_of(app, classroom_id)})
    post(instructor, f"/teach/classes/{classroom_id}/students/{ana}/remove")
    post(instructor, f"/teach/classes/{classroom_id}/students/{user_id(app, 'bo@example.org')}/remove")
    post(instructor, f"/teach/classes/{classroom_id}/students/undo")  # undoes Bo's removal, the last one
    with app.app_context():
        active = dict(db.session.execute(db.select(Enrollment.user_id, Enrollment.active).where(
            Enrollment.classroom_id == classroom_id)).all())
    assert active == {ana: False, user_id(app, "bo@example.org"): True}


# --- the roster for 200 --------------------------------------------------------------------------------

@pytest.fixture
def big(app, instructor):
    classroom_id = make_class(instructor, "Big class")
    assign(instructor, classroom_id, banks=("alpha",))
    populate(app, classroom_id, 120)
    return classroom_id


def test_roster_searches_pages_and_sorts(app, instructor, big):
    page = text(instructor.get(f"/teach/classes/{big}/roster"))
    assert "Roster (120)" in page and page.count('name="ids"') == 50 and "Students 1–50 of 120" in page
    third = text(instructor.get(f"/teach/classes/{big}/roster?page=3"))
    assert third.count('name="ids"') == 20 and "Students 101–120 of 120" in third
    found = text(instructor.get(f"/teach/classes/{big}/roster?q=student+007"))
    assert found.count('name="ids"') == 1 and "1 of 120 students match “student 007”" in found
    by_email = text(instructor.get(f"/teach/classes/{big}/roster?q=S11-"))  # case-insensitive, emails too
    assert by_email.count('name="ids"') == 1
    newest = text(instructor.get(f"/teach/classes/{big}/roster?sort=joined"))
    people = newest[newest.index('<ul class="people">'):]
    assert people.index("Student 119") < people.index("Student 118") and "Student 000" not in people
    assert instructor.get(f"/teach/classes/{big}/roster?page=999&sort=nonsense&show=zz").status_code == 200


def test_roster_search_ignores_accents_and_case(app, instructor):
    classroom_id = make_class(instructor)
    pupil = app.test_client()
    signup(pupil, "chloe@example.org", "Chloé Lefèvre")
    post(pupil, "/join", {"code": code_of(app, classroom_id)})
    page = text(instructor.get(f"/teach/classes/{classroom_id}/roster?q=CHLOE+lefevre"))
    assert "Chloé Lefèvre" in page and "1 of 1 students match" in page


def test_bulk_accommodation_and_bulk_removal_ask_first(app, instructor, big):
    with app.app_context():
        ids = list(db.session.scalars(db.select(Enrollment.user_id).where(
            Enrollment.classroom_id == big).order_by(Enrollment.user_id).limit(3)))
    query = "&".join(f"ids={i}" for i in ids)
    form = text(instructor.get(f"/teach/classes/{big}/students/selected?action=accommodate&{query}"))
    assert "Accommodations for 3 students" in form and form.count('name="ids"') == 3
    post(instructor, f"/teach/classes/{big}/students/accommodation",
         {"ids": [str(i) for i in ids], "time_multiplier": "1.5", "extra_attempts": "2"})
    with app.app_context():
        rows = db.session.scalars(db.select(Accommodation).where(Accommodation.classroom_id == big)).all()
        assert sorted(r.user_id for r in rows) == ids
        assert {(r.time_multiplier, r.extra_attempts) for r in rows} == {(1.5, 2)}
    roster = text(instructor.get(f"/teach/classes/{big}/roster?show=accommodated"))
    assert roster.count('name="ids"') == 3 and "×1.5 time, +2 attempts" in roster
    confirm = text(instructor.get(f"/teach/classes/{big}/students/selected?action=remove&{query}"))
    assert "Remove 3 students from “Big class”?" in confirm and "Student 000" in confirm
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Enrollment).where(
            Enrollment.classroom_id == big, Enrollment.active.is_(True))) == 120  # asking changed nothing
    done = post(instructor, f"/teach/classes/{big}/students/remove", {"ids": [str(i) for i in ids]},
                follow_redirects=True)
    assert "3 students removed from the class" in text(done) and "Roster (117)" in text(done)
    again = post(instructor, f"/teach/classes/{big}/students/undo", follow_redirects=True)
    assert "Undone: 3 students back on the roster." in text(again)


def test_bulk_actions_ignore_students_of_other_classes_and_empty_selections(app, instructor, big):
    other = make_class(instructor, "Other")
    populate(app, other, 2)
    with app.app_context():
        stranger = db.session.scalar(db.select(Enrollment.user_id).where(Enrollment.classroom_id == other))
    response = instructor.get(f"/teach/classes/{big}/students/selected?action=remove&ids={stranger}")
    assert response.status_code == 302  # nobody of this class selected: back to the roster
    post(instructor, f"/teach/classes/{big}/students/remove", {"ids": [str(stranger)]})
    with app.app_context():
        assert db.session.scalar(db.select(Enrollment.active).where(Enrollment.user_id == stranger))
    for ids in (["abc"], ["99999999999999999999999"], ["-1"], ["0x10"], ["1", "²"]):
        assert post(instructor, f"/teach/classes/{big}/students/remove", {"ids": ids}).status_code == 302
        assert post(instructor, f"/teach/classes/{big}/students/accommodation",
                    {"ids": ids, "time_multiplier": "1", "extra_attempts": "0"}).status_code == 422
    assert instructor.get(f"/teach/classes/{big}?page=99999999999999999999999").status_code == 200
    assert instructor.get(f"/teach/classes/{big}/students/selected?ids=1x&ids=99999999999").status_code == 302


def test_accommodation_page_per_student_returns_where_it_came_from(app, instructor, room):
    classroom_id, _ = room
    ana = user_id(app, "ana@example.org")
    page = text(instructor.get(f"/teach/classes/{classroom_id}/students/{ana}/accommodation?back=overview"))
    assert "Accommodations for Ana" in page and 'name="back" value="overview"' in page
    response = post(instructor, f"/teach/classes/{classroom_id}/students/{ana}/accommodation",
                    {"time_multiplier": "2", "extra_attempts": "1", "back": "overview"})
    assert response.headers["Location"].endswith(f"/teach/classes/{classroom_id}")
    again = text(instructor.get(f"/teach/classes/{classroom_id}/students/{ana}/accommodation"))
    assert 'value="2' in again


# --- the overview: attention list and grid agree -----------------------------------------------------

def grid_rows(page: str) -> dict[str, str]:
    """Each grid row's HTML by student name."""
    body = page[page.index('<table class="grid"'):]
    row = re.compile(r'<tr[^>]*><th scope="row"><a [^>]+>([^<]+)</a>.*?</tr>', re.S)
    return {m.group(1): m.group(0) for m in row.finditer(body)}


def test_the_attention_list_and_the_grid_never_disagree(app, instructor):
    classroom_id = make_class(instructor, "Mixed")
    assign(instructor, classroom_id, banks=("alpha",), open_delta=-200, due_delta=-100)  # overdue 4 days
    assign(instructor, classroom_id, banks=("beta",), open_delta=-24, due_delta=10)  # due within 48 h
    populate(app, classroom_id, 4)  # blank answers: 0% on both
    with app.app_context():
        late, soon = assignment_ids(app, classroom_id)
        # Student 000 never handed in the overdue one; Student 001 has nothing on the one due soon.
        for name, work in (("Student 000", late), ("Student 001", soon), ("Student 002", soon)):
            uid = db.session.scalar(db.select(User.id).where(User.display_name == name,
                                                             User.email.like(f"%-{classroom_id}@%")))
            db.session.execute(db.delete(Attempt).where(Attempt.user_id == uid,
                                                        Attempt.assignment_id == work))
        db.session.commit()
    page = text(instructor.get(f"/teach/classes/{classroom_id}"))
    attention = page[page.index('<ol class="attention">'):page.index("How this list is made")]
    listed = re.findall(r'<p class="who"><a [^>]+>([^<]+)</a></p>', attention)
    rows = grid_rows(text(instructor.get(f"/teach/classes/{classroom_id}?show=attention")))
    assert sorted(listed) == sorted(rows)  # "see all" shows exactly the students of the list
    for name in listed:
        item = attention[attention.index(f">{name}</a>"):]
        item = item[:item.index("</li>")]
        row = rows[name]
        assert ("Overdue" in item) == ("missing" in row)
        assert ("Not started" in item) == ("not started" in row)
        average = re.search(r'class="avg"[^>]*>.*?(\d+)%', row, re.S)
        assert ("Low scores" in item) == bool(average and int(average.group(1)) < 60)
    assert "Student 000" in listed and "Student 003" in listed  # 0% average: low scores, stated


def test_one_low_score_is_enough_and_the_rules_are_stated(app, instructor, student, room):
    classroom_id, work = room
    attempt = start(student, work)
    submit(student, attempt, {})  # 0% on the only assignment
    page = text(instructor.get(f"/teach/classes/{classroom_id}"))
    assert "Low scores" in page and "average 0%" in page
    assert "whatever the number of assignments" in page
    for rule in ("Overdue", "Not started", "Low scores", "Falling"):
        assert f"<dt>{rule} " in page
    assert "Most urgency points first" in page and "pending" in page
    assert "▼ " in page  # a low score is marked with a sign, not colour alone


def test_work_awaiting_grading_is_its_own_state_never_a_low_score(app, instructor, student, room):
    """A finished attempt without a score (a written answer to grade) is handed in, shown as pending in
    the grid, never listed as low or overdue, and "awaiting grading" beside an empty score in the CSV."""
    classroom_id, work = room
    attempt = start(student, work)
    submit(student, attempt, {})  # 0%: low scores
    assert "average 0%" in text(instructor.get(f"/teach/classes/{classroom_id}"))
    with app.app_context():
        finished = db.session.get(Attempt, attempt)
        finished.score = None
        summaries.rebuild([finished.assignment_id])  # as grading does when it takes a score back
        db.session.commit()
    page = text(instructor.get(f"/teach/classes/{classroom_id}"))
    assert "Low scores:" not in page and "average 0%" not in page and "Overdue:" not in page
    row = grid_rows(page)["Ana"]
    assert '<span class="st">awaiting grading</span>' in row and "▼" not in row
    rows = read_csv(instructor.get(f"/teach/classes/{classroom_id}/gradebook.csv"))
    ana = rows[1]
    assert ana[2] == "" and ana[3] == "" and ana[4] == "awaiting grading"


def test_overview_lists_at_most_ten_most_urgent_first(app, instructor):
    classroom_id = make_class(instructor, "Thirty")
    assign(instructor, classroom_id, banks=("alpha",))
    populate(app, classroom_id, 30)  # all 0%: everyone has low scores
    page = text(instructor.get(f"/teach/classes/{classroom_id}"))
    start_at = page.index('<ol class="attention">')
    attention = page[start_at:page.index("</ol>", start_at)]
    assert attention.count("<li") == 10 and "30 of 30 students meet a rule" in page
    assert f"/teach/classes/{classroom_id}?show=attention&sort=urgency" in page
    assert "Grant time" in attention and "/accommodation?back=overview" in attention


def test_overview_filters_sort_and_pages(app, instructor, big):
    page = text(instructor.get(f"/teach/classes/{big}?show=low&sort=average&page=2"))
    assert "Low scores: 120 students, 51–100 on this page" in page
    assert instructor.get(f"/teach/classes/{big}?show=nonsense&sort=zz&page=-4").status_code == 200


def spread_scores(app, classroom_id: int) -> dict[str, int]:
    """Give each student of the class a different score on its one assignment (as grading would write
    it); returns each student's percentage by name."""
    with app.app_context():
        work = db.session.scalar(db.select(Assignment.id).where(Assignment.classroom_id == classroom_id))
        found = db.session.execute(db.select(Attempt, User.display_name)
                                   .join(User, User.id == Attempt.user_id)
                                   .where(Attempt.assignment_id == work)).all()
        percent = {}
        for attempt, name in found:
            percent[name] = (int(name.split()[-1]) * 37) % 101  # some ties: broken by name
            attempt.score = percent[name] / 100
        summaries.rebuild([work])
        db.session.commit()
    return percent


def pager_of(page: str) -> str:
    start_at = page.index('<nav class="pager"')
    return page[start_at:page.index("</nav>", start_at)]


def test_overview_sorts_the_whole_class_before_paging(app, instructor, big):
    percent = spread_scores(app, big)
    expected = sorted(percent, key=lambda name: (percent[name], name.casefold()))
    seen = []
    for number in (1, 2, 3):
        page = text(instructor.get(f"/teach/classes/{big}?sort=average&page={number}"))
        seen += list(grid_rows(page))
        nav = pager_of(page)
        assert f"page {number} of 3" in nav
        assert ("Previous page" in nav) == (number > 1) and ("Next page" in nav) == (number < 3)
        for link in re.findall(r'href="([^"]+)"', nav):
            assert "sort=average" in link and link.endswith("#grid-h")  # the links keep the sort
        # the attention list, its counts and completion are the whole class's on every page
        assert "meet a rule below" in page and "(120)" in page
    assert seen == expected  # 50 + 50 + 20 rows: the sort ran over all 120 before paging
    by_name = [name for number in (1, 2, 3)
               for name in grid_rows(text(instructor.get(f"/teach/classes/{big}?page={number}")))]
    assert by_name == sorted(percent, key=str.casefold)


@pytest.mark.parametrize("value, shown", [
    ("abc", 1), ("-1", 1), ("0", 1), ("", 1), ("2", 2), ("3", 3), ("4", 3), ("999999", 3),
    ("99999999999999999999999999", 1), ("２", 1), ("1.5", 1), ("0x2", 1), ("1%00", None), ("%00", None)])
def test_overview_page_numbers_are_clamped_never_an_error(app, instructor, big, value, shown):
    """A page number out of range shows the first or the last page; one that is not a number, the first;
    a NUL byte is refused with a clear 400 before any view runs."""
    response = instructor.get(f"/teach/classes/{big}?page={value}&sort=average")
    if shown is None:
        assert response.status_code == 400 and "NUL character" in text(response)
        return
    assert response.status_code == 200
    assert f"page {shown} of 3" in pager_of(text(response))


def test_reopen_from_the_list_for_closed_overdue_work(app, instructor, student):
    classroom_id = make_class(instructor)
    post(student, "/join", {"code": code_of(app, classroom_id)})
    assign(instructor, classroom_id, open_delta=-48, due_delta=-2)
    work = assignment_ids(app, classroom_id)[0]
    post(instructor, f"/teach/assignments/{work}/close", {"closed": "1"})
    page = text(instructor.get(f"/teach/classes/{classroom_id}"))
    assert "Reopen “Alpha quiz”" in page
    response = post(instructor, f"/teach/assignments/{work}/close", {"closed": "0", "back": "overview"})
    assert response.headers["Location"].endswith(f"/teach/classes/{classroom_id}")
    with app.app_context():
        assert db.session.get(Assignment, work).closed is False


# --- CSV ------------------------------------------------------------------------------------------------

def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_gradebook_has_numbers_only_in_score_columns_and_local_due_dates(app, instructor, student, room):
    classroom_id, work = room
    instructor.set_cookie("tz", "America/Chicago")
    assign(instructor, classroom_id, banks=("beta",))
    attempt = start(student, work)
    submit(student, attempt, key_data(app, attempt))
    rows = read_csv(instructor.get(f"/teach/classes/{classroom_id}/gradebook.csv"))
    header, ana = rows[0], rows[1]
    assert header[:3] == ["Student", "Email", "Average %"]
    scores = [i for i, h in enumerate(header) if h.endswith("score %")]
    statuses = [i for i, h in enumerate(header) if h.endswith("status")]
    assert len(scores) == len(statuses) == 2
    assert all(re.search(r"\(due \d{4}-\d\d-\d\d \d\d:\d\d UTC-0[56]:00\)", header[i]) for i in scores)
    for i in [2, *scores]:
        assert ana[i] == "" or float(ana[i]) >= 0, (header[i], ana[i])
    assert ana[scores[0]] == "100" and ana[statuses[0]] == "done"
    assert ana[scores[1]] == "" and ana[statuses[1]] == "not started"


def test_responses_give_question_text_beside_ids_and_zone_in_the_header(app, instructor, student, room):
    classroom_id, work = room
    instructor.set_cookie("tz", "Asia/Tokyo")
    attempt = start(student, work)
    submit(student, attempt, key_data(app, attempt))
    rows = read_csv(instructor.get(f"/teach/classes/{classroom_id}/responses.csv"))
    header = rows[0]
    assert header[4] == "Finished (Asia/Tokyo, UTC+09:00)"
    assert header[6:] == ["Question id", "Question", "Type", "Answer", "Score %", "Status",
                          "Grading", "Rubric", "Comment"]
    for row in rows[1:]:
        assert row[7] and "*" not in row[7] and row[7] != row[6]  # the text, as plain words
        assert row[10] in ("0", "100") or 0 <= float(row[10]) <= 100
        assert row[11] == "graded"


def test_export_file_names_are_unique_per_class_and_dated(app, instructor):
    long = "History of U.S.–Russia relations since 1991, section A, autumn term with Ms Example"
    first = make_class(instructor, long)
    second = make_class(instructor, long.replace("section A", "section B"))
    names = set()
    for classroom_id in (first, second):
        for kind in ("gradebook", "responses"):
            response = instructor.get(f"/teach/classes/{classroom_id}/{kind}.csv")
            disposition = response.headers["Content-Disposition"]
            name = re.search(r'filename="([^"]+)"', disposition).group(1)
            assert re.fullmatch(rf"[a-z0-9.-]+-c{classroom_id}-{kind}-\d{{4}}-\d\d-\d\d\.csv", name), name
            names.add(name)
    assert len(names) == 4


# --- a student's side ----------------------------------------------------------------------------------

def test_join_is_prominent_on_the_home_page_and_in_the_menu(app, client, student):
    visitor = text(client.get("/"))
    assert '<a href="/join">Join a class</a>' in visitor and 'class="button primary" href="/join"' in visitor
    learner = text(student.get("/"))
    assert '<a href="/join">Join a class</a>' in learner and "In a class?" in learner


def test_the_join_survives_sign_up_from_the_qr_log_in_page(app, instructor, client):
    classroom_id = make_class(instructor)
    code = code_of(app, classroom_id)
    response = client.get(f"/join/{code}")  # the QR code's link, logged out
    login = response.headers["Location"]
    page = text(client.get(login))
    assert "You are joining a class" in page
    header = page[page.index('<header class="site">'):page.index("</header>")]
    signup_link = re.search(r'<a href="([^"]+)">Sign up</a>', header).group(1).replace("&amp;", "&")
    assert signup_link == f"/auth/signup?next=/join/{code}"
    token = csrf_token(client, signup_link)
    done = client.post(signup_link, data={"csrf_token": token, "display_name": "Noor",
                                          "email": "noor@example.org", "password": "correct horse battery",
                                          "instructor_code": ""})
    assert done.headers["Location"] == f"/join/{code}"
    post(client, f"/join/{code}")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Enrollment).where(
            Enrollment.classroom_id == classroom_id)) == 1


@pytest.mark.parametrize("path", ["/", "/lessons/alpha", "/glossary", "/timeline", "/auth/login",
                                  "/auth/signup", "/quiz/alpha", "/offline"])
def test_every_public_page_has_a_meta_description(client, path):
    response = client.get(path)
    if response.status_code == 404:
        pytest.fail(f"{path} is not a page of the fixture course")
    found = re.search(r'<meta name="description" content="([^"]{40,300})">', text(response))
    assert found, path


def test_progress_table_labels_each_value_for_phones(student):
    page = text(student.get("/progress"))
    assert 'class="progress stack"' in page
    for label in ("Read", "Attempts", "Best", "Latest", "Mastery"):
        assert f'<td data-label="{label}">' in page
    assert "css/tables.css" in page
