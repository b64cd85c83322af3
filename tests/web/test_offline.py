"""Offline study over HTTP: manifest, service worker, practice packs and syncing queued answers."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest

from resetlab.core.questions import form_values, from_json, key_answer, to_json
from resetlab.course import get_catalog
from resetlab.extensions import db
from resetlab.models import QuestionVersion, ReviewCard, ReviewLog, User, utcnow

SYNC = "/api/practice/sync"
META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/practice/alpha") -> str:
    """The token every page carries in <meta name="csrf-token"> for scripts."""
    match = META.search(client.get(path).get_data(as_text=True))
    assert match, f"no csrf-token meta on {path}"
    return match.group(1)


def question(app, qid: str):
    with app.app_context():
        return next(q for b in get_catalog().banks.values() for q in b.questions if q.id == qid)


def item(app, qid: str, answer=None, right: bool = True, **fields) -> dict:
    """One queued answer as the device stores it (the key when right, else a wrong answer)."""
    q = question(app, qid)
    if answer is None:
        answer = to_json(q, key_answer(q)) if right else WRONG[qid](q)
    body = {"id": str(uuid.uuid4()), "question_id": qid, "content_hash": q.content_hash, "answer": answer,
            "sure": True, "answered_at": utcnow().isoformat() + "Z"}
    body.update(fields)
    return body


WRONG = {
    "alpha-single": lambda q: q.body.options[1].id,
    "alpha-multi": lambda q: [q.body.options[2].id],
    "alpha-tf": lambda q: False,
    "alpha-text": lambda q: "perestroika",
    "alpha-year": lambda q: 1999,
    "alpha-order": lambda q: [c.id for c in reversed(q.body.items)],
    "alpha-match": lambda q: {left.id: q.body.rights[0].id for left in q.body.lefts},
    "beta-city": lambda q: q.body.options[1].id,
}


def send(client, items, token: str | None = None, **kwargs):
    headers = {"X-CSRFToken": token or csrf_token(client, "/practice/alpha")}
    return client.post(SYNC, data=json.dumps({"items": items}), content_type="application/json",
                       headers=headers, **kwargs)


def logs(app) -> list[ReviewLog]:
    with app.app_context():
        return list(db.session.scalars(db.select(ReviewLog).order_by(ReviewLog.id)))


def test_manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    body = json.loads(response.get_data(as_text=True))
    assert body["name"] == "Reset Lab"
    assert body["start_url"] == "/" and body["display"] == "standalone"
    assert body["theme_color"].startswith("#") and body["background_color"].startswith("#")
    sizes = {i["sizes"] for i in body["icons"] if i["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(i.get("purpose") == "maskable" for i in body["icons"])
    for icon in body["icons"]:
        with client.get(icon["src"]) as found:
            assert found.status_code == 200
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert '<meta name="csrf-token" content="' in page
    assert "js/offline.js" in page


def test_service_worker_is_served_from_the_root_with_a_versioned_shell(app, client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    config = json.loads(source.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["version"] == app.extensions["resetlab.offline"]["version"] != "dev"
    for url in ("/", "/glossary", "/timeline", "/offline", "/static/css/app.css", "/static/js/offline.js"):
        assert url in config["shell"]
    assert not any(u.startswith(("/attempts", "/teach", "/review")) for u in config["shell"])
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_asset_version_changes_with_the_assets(tmp_path):
    from resetlab.offline.views import asset_version

    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("a {}")
    before = asset_version(tmp_path)
    (tmp_path / "css" / "app.css").write_text("a { color: red }")
    assert asset_version(tmp_path) != before


def test_offline_page_and_practice_page_are_public(client):
    assert "not on this device" in client.get("/offline").get_data(as_text=True)
    page = client.get("/practice/alpha").get_data(as_text=True)
    assert "Offline practice needs JavaScript" in page
    assert 'href="/quiz/alpha"' in page
    assert 'data-pack="/api/practice/alpha.json"' in page
    assert client.get("/practice/nope").status_code == 404
    assert client.get("/api/practice/nope.json").status_code == 404
    lesson = client.get("/lessons/alpha").get_data(as_text=True)
    assert 'href="/practice/alpha">Practise offline</a>' in lesson


def test_practice_pack_has_every_question_with_its_key(app, client):
    response = client.get("/api/practice/alpha.json")
    assert response.status_code == 200
    pack = response.get_json()
    assert pack["slug"] == "alpha" and pack["quiz_url"] == "/quiz/alpha"
    assert pack["lesson"]["url"] == "/lessons/alpha"
    by_id = {q["id"]: q for q in pack["questions"]}
    assert set(by_id) == {"alpha-single", "alpha-multi", "alpha-tf", "alpha-text", "alpha-year",
                          "alpha-order", "alpha-match"}
    single = question(app, "alpha-single")
    assert by_id["alpha-single"]["check"] == {"rule": "choice", "field": "a0",
                                              "key": [single.body.correct[0]]}
    assert by_id["alpha-single"]["key_text"] == "peregruzka"
    for option in single.body.options:  # the quiz page's own controls, for position 0
        assert f'name="a0" value="{option.id}"' in by_id["alpha-single"]["inputs_html"]
    assert by_id["alpha-single"]["content_hash"] == single.content_hash
    assert by_id["alpha-single"]["prompt_html"] == single.prompt_html
    assert "<em>peregruzka</em>" in by_id["alpha-single"]["explanation_html"]
    assert by_id["alpha-single"]["section"] == {"url": "/lessons/alpha#button", "title": "The button"}
    assert by_id["alpha-tf"]["check"]["key"] == ["true"]
    # the source excerpt travels with the question asked about it (not as a question of its own); the
    # written answer stays out: an instructor grades those
    assert "We worked hard to get the right Russian word" in by_id["alpha-tf"]["stimulus_html"]
    assert "Geneva, 6 March 2009" in by_id["alpha-tf"]["stimulus_html"]
    assert by_id["alpha-single"]["stimulus_html"] == ""
    assert by_id["alpha-text"]["check"]["accepted"] == ["perezagruzka", "перезагрузка"]
    assert by_id["alpha-year"]["check"] == {"rule": "number", "field": "a0", "key": 2010, "tolerance": 0}
    multi = by_id["alpha-multi"]["check"]
    assert multi["rule"] == "choice" and len(multi["key"]) == 2
    match = question(app, "alpha-match")
    assert by_id["alpha-match"]["check"] == {"rule": "fields",
                                             "key": {f"a0-{left}": right for left, right in match.body.pairs}}
    assert by_id["alpha-match"]["inputs_html"].count("<option value=\"c") == 3 * 4  # a distractor too
    assert by_id["alpha-order"]["section"]["url"] == "/lessons/beta#meeting"


def test_sync_records_each_answer_once(app, student):
    right = [item(app, qid) for qid in WRONG]
    wrong = [item(app, "alpha-single", right=False), item(app, "alpha-order", right=False)]
    batch = right + wrong
    response = send(student, batch)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert sorted(body["accepted"]) == sorted(i["id"] for i in batch)
    assert body["duplicates"] == [] and body["rejected"] == []
    rows = logs(app)
    assert len(rows) == len(batch)
    assert {r.source for r in rows} == {"offline"}
    by_client = {r.client_id: r for r in rows}
    assert all(by_client[i["id"]].score == 1.0 for i in right)
    assert by_client[wrong[0]["id"]].score == 0.0
    assert by_client[wrong[1]["id"]].score == pytest.approx(1 / 3)
    with app.app_context():
        cards = set(db.session.scalars(db.select(ReviewCard.question_id)))
    assert cards == {"alpha-single", "alpha-order"}  # the missed ones are scheduled for review

    again = send(student, batch)
    assert again.status_code == 200
    assert again.get_json() == {"accepted": [], "duplicates": [i["id"] for i in batch], "rejected": []}
    assert len(logs(app)) == len(batch)


def test_sync_uses_the_time_answered_clamped_to_the_last_30_days(app, student):
    yesterday = utcnow() - timedelta(days=1)
    items = [item(app, "alpha-tf", answered_at=yesterday.isoformat() + "+00:00"),
             item(app, "alpha-single", answered_at="2001-01-01T00:00:00Z"),
             item(app, "beta-tf", answered_at="2999-01-01T00:00:00Z", sure=False)]
    before = utcnow()
    assert len(send(student, items).get_json()["accepted"]) == 3
    after = utcnow()
    times = {r.question_id: r.reviewed_at for r in logs(app)}
    assert abs(times["alpha-tf"] - yesterday) < timedelta(seconds=1)
    assert before - timedelta(days=30, seconds=1) <= times["alpha-single"] <= after - timedelta(days=30)
    assert before <= times["beta-tf"] <= after
    assert {r.question_id: r.sure for r in logs(app)}["beta-tf"] is False


def test_sync_rejects_bad_items_and_stores_nothing_for_them(app, student):
    single, match = question(app, "alpha-single"), question(app, "alpha-match")
    good = item(app, "alpha-tf")
    bad = {
        "tampered option": item(app, "alpha-single", answer="c00000000"),
        "tampered match": item(app, "alpha-match", answer={"cnotaleft": match.body.rights[0].id}),
        "tampered order": item(app, "alpha-order", answer=["c1", "c2", "c3"]),
        "unknown question": item(app, "alpha-single", question_id="no-such-question"),
        "wrong hash": item(app, "alpha-single", content_hash="0" * 16),
        "hash not text": item(app, "alpha-single", content_hash=["0"]),
        "wrong shape": item(app, "alpha-multi", answer=single.body.options[0].id),
        "blank": item(app, "alpha-text", answer=""),
        "bad time": item(app, "alpha-single", answered_at="yesterday"),
        "bad sure": item(app, "alpha-single", sure="yes"),
        "huge number": item(app, "alpha-year", answer=10 ** 400),
        "written answer": item(app, "alpha-essay", answer="An essay the server would have to grade."),
        "source excerpt": item(app, "alpha-source", answer="x"),
    }
    newline = {**item(app, "alpha-tf"), "id": "ok12\n"}  # "$" in a pattern would let the newline through
    response = send(student, [good, *bad.values(), {"id": "has spaces", "question_id": "alpha-tf"}, newline,
                              "junk"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["accepted"] == [good["id"]] and body["duplicates"] == []
    reasons = {r["id"]: r["reason"] for r in body["rejected"]}
    assert set(reasons) == {i["id"] for i in bad.values()} | {"has spaces", "ok12\n", None}
    assert "never offered" in reasons[bad["tampered option"]["id"]]
    assert reasons[bad["unknown question"]["id"]] == "unknown question"
    assert reasons[bad["written answer"]["id"]] == reasons[bad["source excerpt"]["id"]] == \
        "this question is not practised offline"
    assert "version" in reasons[bad["wrong hash"]["id"]]
    assert all(reason for reason in reasons.values())
    assert [r.client_id for r in logs(app)] == [good["id"]]


def test_an_answer_to_an_older_version_of_a_question_is_refused_with_a_reason(app, student):
    with app.app_context():
        db.session.add(QuestionVersion(content_hash="f" * 16, question_id="alpha-single", snapshot={}))
        db.session.commit()
    response = send(student, [item(app, "alpha-single", content_hash="f" * 16)])
    [rejected] = response.get_json()["rejected"]
    assert "changed since it was downloaded" in rejected["reason"]
    assert logs(app) == []


def test_sync_needs_csrf_and_a_json_body(app, client):
    body = json.dumps({"items": [item(app, "alpha-tf")]})
    no_token = client.post(SYNC, data=body, content_type="application/json")
    assert no_token.status_code == 400
    assert "Nothing was saved" in no_token.get_json()["error"]
    token = csrf_token(client, "/practice/alpha")
    headers = {"X-CSRFToken": token}
    malformed = client.post(SYNC, data="{not json", content_type="application/json", headers=headers)
    assert malformed.status_code == 400 and "not valid JSON" in malformed.get_json()["error"]
    shapeless = client.post(SYNC, data=json.dumps([1, 2]), content_type="application/json", headers=headers)
    assert shapeless.status_code == 400
    form = client.post(SYNC, data={"csrf_token": token})
    assert form.status_code == 422
    assert logs(app) == []
    assert users(app) == []  # nothing to record: no guest is made


def users(app):
    with app.app_context():
        return db.session.scalars(db.select(User)).all()


def test_a_visitor_syncs_as_a_new_guest(app, client):
    batch = [item(app, "beta-city", right=False), item(app, "beta-tf")]
    response = send(client, batch)
    assert response.status_code == 200
    assert sorted(response.get_json()["accepted"]) == sorted(i["id"] for i in batch)
    [guest] = users(app)
    assert guest.is_guest
    assert {r.user_id for r in logs(app)} == {guest.id}
    assert send(client, batch).get_json()["duplicates"] == [i["id"] for i in batch]
    assert len(users(app)) == 1  # the same guest, and no new rows


def test_duplicates_only_do_not_make_a_guest(app, client, student):
    batch = [item(app, "beta-tf")]
    assert send(student, batch).get_json()["accepted"] == [batch[0]["id"]]
    visitor = app.test_client()
    assert send(visitor, batch).get_json()["duplicates"] == [batch[0]["id"]]
    assert len(users(app)) == 1


def test_same_id_twice_in_one_batch_counts_once(app, student):
    one = item(app, "alpha-tf")
    body = send(student, [one, dict(one)]).get_json()
    assert body == {"accepted": [one["id"]], "duplicates": [], "rejected": []}
    assert len(logs(app)) == 1


def test_a_race_on_the_same_answers_is_survived(app, student, monkeypatch):
    """Another request stores an answer between the batch check and the insert: UNIQUE decides."""
    from resetlab.offline import services as offline_sync

    batch = [item(app, "alpha-tf"), item(app, "beta-tf")]
    assert send(student, batch[:1]).get_json()["accepted"] == [batch[0]["id"]]
    real = offline_sync._existing
    calls = []

    def blind_first(ids):  # the batch check misses what the other request has just committed
        calls.append(ids)
        return set() if len(calls) == 1 else real(ids)

    monkeypatch.setattr(offline_sync, "_existing", blind_first)
    body = send(student, batch).get_json()
    assert body == {"accepted": [batch[1]["id"]], "duplicates": [batch[0]["id"]], "rejected": []}
    assert len(logs(app)) == 2


def test_a_batch_over_200_items_is_refused(app, student):
    batch = [item(app, "alpha-tf") for _ in range(201)]
    response = send(student, batch)
    assert response.status_code == 413
    assert "200" in response.get_json()["error"]
    assert logs(app) == []
    assert len(send(student, batch[:200]).get_json()["accepted"]) == 200


def test_the_body_size_is_limited(app, student):
    huge = [item(app, "alpha-text", answer="x" * 5000) for _ in range(60)]
    assert send(student, huge).status_code == 413
    assert logs(app) == []


@pytest.mark.parametrize("qid", sorted(WRONG))
def test_sync_takes_the_practice_page_form_fields_like_a_quiz_form(app, student, qid):
    """The device sends the controls' values (field -> values); the server parses them as a quiz form."""
    q = question(app, qid)
    right = item(app, qid, form=form_values(q, 0, key_answer(q)))
    wrong = item(app, qid, form=form_values(q, 0, from_json(q, WRONG[qid](q))))
    for body in (right, wrong):
        del body["answer"]
    junk = {"a0": ["cnotanoption"], **{f"a0-{c.id}": ["99"] for c in q.kind.choices(q)}}
    tampered = item(app, qid, form=junk)
    del tampered["answer"]
    malformed = {**item(app, qid), "form": "a0=x"}
    report = send(student, [right, wrong, tampered, malformed]).get_json()
    free_text = q.type == "text"  # any words are an answer to a text question, just a wrong one
    assert report["accepted"] == [right["id"], wrong["id"]] + ([tampered["id"]] if free_text else [])
    refused = ([] if free_text else [tampered["id"]]) + [malformed["id"]]
    assert [r["id"] for r in report["rejected"]] == refused
    scores = [log.score for log in logs(app)]
    assert scores[0] == 1.0 and all(score < 1.0 for score in scores[1:])
