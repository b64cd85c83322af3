"""The stack's floor (bench/floor_app.py): what `python -m bench.floor` measures is a real submit, signed
in, CSRF-checked, scoped to the student and graded exactly once, whichever way it reads and writes."""

from __future__ import annotations

import pytest

from bench.floor_app import QUESTIONS, FloorAttempt, FloorItem, FloorLog, FloorUser, create_app, db

RIGHT = {f"q{p}": "a" for p in range(QUESTIONS)}  # the keys run a, b, c, d, a, …: right at 0, 4, 8


@pytest.fixture(params=["orm", "driver"])
def floor(tmp_path, request):
    app = create_app(f"sqlite:///{tmp_path / 'floor.sqlite'}", user=request.param, login_route=True)
    with app.app_context():
        db.create_all()
        db.session.execute(db.insert(FloorUser), [{"id": u, "email": f"{name}@example.org"}
                                                  for u, name in ((1, "one"), (2, "two"))])
        db.session.execute(db.insert(FloorAttempt), [{"id": a, "user_id": a} for a in (1, 2)])
        db.session.execute(db.insert(FloorItem),
                           [{"attempt_id": a, "position": p, "key": "abcd"[p % 4]}
                            for a in (1, 2) for p in range(QUESTIONS)])
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _signed_in(app, user: int):
    client = app.test_client()
    return client, client.get(f"/login/{user}").get_data(as_text=True)


def test_me_needs_a_session(floor):
    assert floor.test_client().get("/me").status_code == 401
    client, _ = _signed_in(floor, 2)
    assert client.get("/me").get_data(as_text=True) == "signed in as two@example.org"


@pytest.mark.parametrize("step", ["submit", "driver"])
def test_a_submit_is_graded_exactly_once(floor, step):
    client, token = _signed_in(floor, 1)
    assert client.post(f"/{step}/1", data=RIGHT).status_code == 400  # no CSRF token
    for _ in range(2):
        assert client.post(f"/{step}/1", data={**RIGHT, "csrf_token": token}).status_code == 302
    with floor.app_context():
        attempt = db.session.get(FloorAttempt, 1)
        assert (attempt.state, attempt.score) == ("done", pytest.approx(3 / QUESTIONS))
        assert [(i.response, i.score) for i in attempt.items] == [
            ("a", float(p % 4 == 0)) for p in range(QUESTIONS)]
        assert db.session.scalar(db.select(db.func.count()).select_from(FloorLog)) == QUESTIONS
        assert db.session.get(FloorAttempt, 2).state == "open"


@pytest.mark.parametrize("step", ["read", "submit", "driver"])
def test_another_students_attempt_is_not_found(floor, step):
    client, token = _signed_in(floor, 2)
    assert client.post(f"/{step}/1", data={**RIGHT, "csrf_token": token}).status_code == 404
    with floor.app_context():
        assert db.session.get(FloorAttempt, 1).state == "open"
