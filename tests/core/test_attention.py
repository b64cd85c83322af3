"""Who needs attention: every listed student has a stated reason, the order is the documented urgency,
and the rules read the same marks as the grid (properties, then examples)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from resetlab.core import attention as a
from resetlab.core import rules as policy

NOW = datetime(2026, 11, 30, 12, 0)
STATUSES = (a.NOT_STARTED, a.IN_PROGRESS, a.DONE, a.LATE, a.MISSING, a.PENDING)


@st.composite
def works(draw, min_size=1, max_size=8):
    """Assignments due from six weeks ago to three days ahead."""
    hours = draw(st.lists(st.integers(-6 * 7 * 24, 72), min_size=min_size, max_size=max_size))
    return [a.Work(i, f"A{i}", NOW + timedelta(hours=h), draw(st.booleans())) for i, h in enumerate(hours)]


def marks_for(draw, works_):
    """A consistent mark per assignment: missing only after the due date, scores only when handed in."""
    row = []
    for work in works_:
        status = draw(st.sampled_from(STATUSES))
        if status == a.MISSING and work.due_at >= NOW:
            status = a.NOT_STARTED
        if status == a.NOT_STARTED and work.due_at < NOW:
            status = a.MISSING
        score = draw(st.none() | st.floats(0, 1)) if status in (a.DONE, a.LATE) else None
        row.append(a.Mark(status, score, pending=status in a.HANDED_IN and score is None,
                          late=status == a.PENDING and draw(st.booleans())))
    return row


@st.composite
def classes(draw):
    """A class: assignments and a row of marks for each of several students."""
    ws = draw(works())
    n = draw(st.integers(0, 12))
    return ws, [(i, f"Student {draw(st.sampled_from('ABCDE'))}{i}", marks_for(draw, ws)) for i in range(n)]


def assessed(ws, students):
    return [a.assess(sid, name, ws, row, NOW) for sid, name, row in students]


@settings(max_examples=150)
@given(classes())
def test_nobody_is_listed_without_a_stated_reason(data):
    ws, students = data
    for found in a.rank(assessed(ws, students)):
        assert found.reasons and found.summary
        assert all(r.text and r.points > 0 and r.rule in a.RULE_KEYS for r in found.reasons)
        assert found.points == sum(r.points for r in found.reasons) > 0


@settings(max_examples=150)
@given(classes())
def test_the_order_is_the_documented_urgency(data):
    ws, students = data
    ranked = a.rank(assessed(ws, students))
    for before, after in zip(ranked, ranked[1:], strict=False):
        assert before.points >= after.points
        if before.points == after.points:
            low = -1 if before.facts.average is None else before.facts.average
            high = -1 if after.facts.average is None else after.facts.average
            assert low <= high


@settings(max_examples=150)
@given(classes())
def test_everyone_a_rule_fires_for_is_listed_and_filters_agree(data):
    ws, students = data
    everyone = assessed(ws, students)
    listed = {x.student for x in a.rank(everyone)}
    assert listed == {x.student for x in everyone if x.reasons}
    for key in a.RULE_KEYS:
        assert {x.student for x in a.rank(everyone, key)} == {x.student for x in everyone if key in x.rules}


@settings(max_examples=150)
@given(classes())
def test_reasons_match_the_grid(data):
    """Overdue = the row's work due in the last 14 days and not handed in (the grid shows it as missing or
    in progress); low = the grid's average under 60%."""
    ws, students = data
    for found, (_, _, row) in zip(assessed(ws, students), students, strict=True):
        overdue = {w.id for w, m in zip(ws, row, strict=True)
                   if not m.handed_in and NOW - a.RECENT <= w.due_at < NOW}
        assert ("overdue" in found.rules) == bool(overdue)
        assert {w.id for w in found.facts.overdue} == overdue
        soon = {w.id for w, m in zip(ws, row, strict=True)
                if not m.handed_in and NOW <= w.due_at <= NOW + a.SOON}
        assert {w.id for w in found.facts.due_soon} == soon and ("not-started" in found.rules) == bool(soon)
        scores = [m.score for m in row if m.score is not None]
        average = sum(scores) / len(scores) if scores else None
        assert found.facts.average == average
        assert ("low" in found.rules) == (average is not None and a.band(average) == "low")
        shown = a.percent(average) if average is not None else None
        assert ("low" in found.rules) == (shown is not None and int(shown[:-1]) < 60)


@settings(max_examples=200)
@given(classes(), st.data())
def test_more_trouble_never_hides_a_student(data, more):
    """Handing in nothing instead makes a past-due assignment overdue; a lower score never lifts the
    average nor takes "low" away."""
    ws, students = data
    if not students:
        return
    sid, name, row = students[0]
    base = a.assess(sid, name, ws, row, NOW)
    i = more.draw(st.integers(0, len(ws) - 1))
    if NOW - a.RECENT <= ws[i].due_at < NOW:
        after = a.assess(sid, name, ws, row[:i] + [a.Mark(a.MISSING)] + row[i + 1:], NOW)
        assert "overdue" in after.rules and ws[i] in after.facts.overdue
    if row[i].score is not None and row[i].score > 0:
        after = a.assess(sid, name, ws, row[:i] + [replace(row[i], score=0.0)] + row[i + 1:], NOW)
        assert after.facts.average <= base.facts.average
        assert ("low" in after.rules) >= ("low" in base.rules)


@settings(max_examples=150)
@given(classes())
def test_awaiting_grading_is_handed_in_and_never_a_reason(data):
    """Work awaiting grading is never overdue nor "not started", and replacing it by a low score can only
    add reasons (so it never counted as one)."""
    ws, students = data
    for found, (_, _, row) in zip(assessed(ws, students), students, strict=True):
        waiting = {w.id for w, m in zip(ws, row, strict=True) if m.status == a.PENDING}
        assert not waiting & {w.id for w in found.facts.overdue + found.facts.due_soon}
        assert all(w.id not in waiting for r in found.reasons for w in r.works)
        assert all(w.id not in waiting for w, _ in found.facts.latest)
        counted = [m.score for m in row if m.score is not None and m.status != a.PENDING and not m.pending]
        assert found.facts.average == (sum(counted) / len(counted) if counted else None)


def test_pending_scores_count_nowhere():
    ws = [a.Work(1, "Essay", NOW - timedelta(days=3)), a.Work(2, "Quiz", NOW - timedelta(days=1))]
    pending = [a.Mark(a.DONE, 0.9), a.Mark(a.DONE, None, pending=True)]
    found = a.assess(7, "Pat", ws, pending, NOW)
    assert found.reasons == () and found.facts.average == 0.9
    summary = a.summarise(ws, [pending], NOW)
    assert summary.average == 0.9 and summary.completion == 1.0
    waiting = [a.Mark(a.DONE, 0.9), a.Mark(a.PENDING, None, pending=True, late=True)]  # main's status
    found = a.assess(7, "Pat", ws, waiting, NOW)
    assert found.reasons == () and found.facts.average == 0.9
    summary = a.summarise(ws, [waiting], NOW)
    assert summary.completion == 1.0 and summary.on_time == 0.5 and summary.average == 0.9


def test_examples_and_their_words():
    ws = [a.Work(1, "What is a reset?", NOW - timedelta(days=20)),
          a.Work(2, "The 2009 reset", NOW - timedelta(days=3), closed=True),
          a.Work(3, "Bush and Putin", NOW + timedelta(hours=10))]
    row = [a.Mark(a.DONE, 0.75), a.Mark(a.IN_PROGRESS), a.Mark(a.NOT_STARTED)]
    found = a.assess(1, "Ana", ws, row, NOW)
    assert [r.rule for r in found.reasons] == ["overdue", "not-started"]
    assert found.summary == "Overdue: The 2009 reset; Not started: Bush and Putin"
    assert found.points == 3 and found.reasons[0].works[0].closed
    low = a.assess(2, "Bo", ws[:1], [a.Mark(a.DONE, 0.25)], NOW)  # one score is enough: no hidden minimum
    assert low.summary == "Low scores: average 25%" and low.points == 4
    falling = a.assess(3, "Cy", ws[:2], [a.Mark(a.DONE, 0.9), a.Mark(a.LATE, 0.6)], NOW)
    assert falling.summary == "Falling: 90% → 60% on The 2009 reset" and falling.rules == {"falling"}
    steady = a.assess(4, "Di", ws[:2], [a.Mark(a.DONE, 0.9), a.Mark(a.DONE, 0.85)], NOW)
    assert steady.reasons == ()
    ranked = a.rank([steady, falling, low, found])
    assert [x.name for x in ranked] == ["Bo", "Ana", "Cy"]  # 4 points, 3 points, 2 points
    assert [x.name for x in a.rank([steady, falling, low, found], "falling")] == ["Cy"]


def test_several_assignments_name_the_latest_and_older_work_is_off_the_list():
    ws = [a.Work(i, f"Quiz {i}", NOW - timedelta(days=i * 4 + 1)) for i in range(5)]  # 1 to 17 days ago
    found = a.assess(1, "Ana", ws, [a.Mark(a.MISSING)] * 5, NOW)
    assert found.summary == "Overdue: 4 assignments, the latest Quiz 0" and found.points == 8


def test_summary_strip():
    ws = [a.Work(1, "Old", NOW - timedelta(days=20)), a.Work(2, "Recent", NOW - timedelta(days=2)),
          a.Work(3, "Ahead", NOW + timedelta(days=5))]
    grid = [[a.Mark(a.DONE, 0.6), a.Mark(a.LATE, 0.8), a.Mark(a.NOT_STARTED)],
            [a.Mark(a.DONE, 0.4), a.Mark(a.MISSING), a.Mark(a.DONE, 1.0)]]
    s = a.summarise(ws, grid, NOW)
    assert s.due_so_far == 2 and s.completion == 3 / 4 and s.on_time == 2 / 4
    assert s.average == (0.6 + 0.8 + 0.4 + 1.0) / 4
    assert s.recent == 0.8 and s.before == 0.5 and round(s.trend) == 30
    assert a.summarise([], [], NOW).completion is None


def test_bands_mark_low_scores():
    assert [a.band(x) for x in (None, 0.0, 0.59, 0.6, 0.79, 0.8, 1.0)] == ["", "low", "low", "mid", "mid",
                                                                        "high", "high"]


def test_rules_read_the_percentage_the_page_shows():
    """59.6% is shown as 60%: it is neither marked low in the grid nor listed as "under 60%"; a fall shown
    as 80% → 60% is a 20-point fall even when the unrounded figures differ by a little less."""
    ws = [a.Work(1, "One", NOW - timedelta(days=3)), a.Work(2, "Two", NOW - timedelta(days=1))]
    assert a.band(0.596) == "mid" and a.percent(0.596) == "60%"
    assert a.assess(1, "Ana", ws[:1], [a.Mark(a.DONE, 0.596)], NOW).reasons == ()
    assert a.assess(2, "Bo", ws[:1], [a.Mark(a.DONE, 0.594)], NOW).rules == {"low"}
    fell = a.assess(3, "Cy", ws, [a.Mark(a.DONE, 0.797), a.Mark(a.DONE, 0.603)], NOW)
    assert fell.summary == "Falling: 80% → 60% on Two"


@settings(max_examples=200)
@given(st.floats(0, 1), st.floats(0, 1))
def test_a_stated_fall_is_always_a_fall_of_the_stated_size(before, last):
    ws = [a.Work(1, "One", NOW - timedelta(days=3)), a.Work(2, "Two", NOW - timedelta(days=1))]
    found = a.assess(1, "Ana", ws, [a.Mark(a.DONE, before), a.Mark(a.DONE, last)], NOW)
    shown_before, shown_last = int(a.percent(before)[:-1]), int(a.percent(last)[:-1])
    assert ("falling" in found.rules) == (shown_before - shown_last >= 20 and shown_last < 70)


def test_every_rule_is_stated_in_words():
    assert [r.key for r in a.RULES] == ["overdue", "not-started", "low", "falling"]
    assert all(r.statement.endswith(".") and "point" in r.statement for r in a.RULES)


def test_the_grid_rules_in_core_rules_use_the_same_rules():
    cells = [(policy.MISSING, None, NOW - timedelta(days=3)), (policy.DONE, 0.3, NOW - timedelta(days=2))]
    assert [x.reason for x in policy.needs_attention(cells, NOW)] == ["overdue", "low scores"]
