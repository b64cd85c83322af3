"""Fuzz every route: out-of-range ids, NUL bytes, odd Unicode digits, deep JSON and wrong types, as a
visitor, a student and an instructor, on the suite's database. Nothing may answer 5xx.

Two parts: a sweep (every rule × method × role × each bad id) and a hypothesis property over random
forms, query strings and JSON bodies (derandomized, so CI runs the same cases every time). Each prints
its case count and 5xx count (`pytest -s`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resetlab.extensions import db
from resetlab.models import ReviewCard, User

from ..helpers import csrf_token, post
from .test_review import answer_all
from .test_review import start as start_practice
from .test_teach import assign, assignment_ids, code_of, make_class, start

BAD_IDS = ["0", "-1", "2147483648", "9223372036854775808", "99999999999999999999", "٣", "²", "1e3",
           "0x1", "%00", "1%00", "01", " 1"]
NASTY = ["\x00", "a\x00b", "sNaN", "NaN", "-Infinity", "1e999999", "²", "٣", "١٢", "9" * 40, "-1", "0",
         "2147483648", "9999-12-31T23:59", "0001-01-01T00:00", "9999-12-31T23:59:59-14:00",
         "0001-01-01T00:00:00+14:00", "", " ", "x" * 5000, "<script>alert(1)</script>",
         "'; DROP TABLE user;--", "\ud7ff", "🔑", "true", "null", "[]", "{}"]
EXTRA_FIELDS = ["code", "action", "closed", "version", "sure", "name", "email", "password", "banks", "page",
                "sort", "time_multiplier", "extra_attempts", "open_at", "due_at", "draw", "q0", "q1-0"]
ROLES = ("visitor", "student", "instructor")
NAME = re.compile(r'name="([^"]+)"')


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


JSON_BODIES = st.one_of(
    st.sampled_from([deep_json(100_000), deep_json(5_000), deep_json(25), "null", "1", '"x"', "[]", "{}",
                     '{"items": null}', '{"items": "x"}', '{"items": [1, "a", null, []]}',
                     '{"items": [{"id": "\\u0000"}]}', "{bad json",
                     '{"items": [' + '{"id":"a"},' * 300 + '{}]}']),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
    .map(lambda v: json.dumps({"items": v if isinstance(v, list) else [v]})),
)


@pytest.fixture
def world(app, instructor, student):
    """Real objects for every kind of id, clients for each role, and every form field name in use."""
    classroom_id = make_class(instructor)
    assert post(student, "/join", {"code": code_of(app, classroom_id)}).status_code == 302
    assert assign(instructor, classroom_id).status_code == 302
    assignment_id = assignment_ids(app, classroom_id)[0]
    graded = start(student, assignment_id)
    practice = start_practice(student)
    answer_all(app, student, start_practice(student, "beta"))
    with app.app_context():
        card_id = db.session.scalars(db.select(ReviewCard.id)).first()
        user_id = db.session.scalar(db.select(User.id).where(User.email == "ana@example.org"))
    args = {"attempt_id": graded, "classroom_id": classroom_id, "assignment_id": assignment_id,
            "user_id": user_id, "card_id": card_id, "slug": "alpha", "code": code_of(app, classroom_id),
            "token": "not-a-token", "filename": "css/app.css", "prompt": "alpha-essay", "grade_id": 1,
            "item_id": 1, "snippet_id": 1}
    clients = {"student": student, "instructor": instructor}
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    fields = set(EXTRA_FIELDS)
    for client in clients.values():
        for rule in rules:
            if "GET" in rule.methods:
                path = path_for(rule, args)
                fields.update(NAME.findall(client.get(path).get_data(as_text=True)))
    fields.discard("csrf_token")
    return {"args": args, "clients": clients, "rules": rules, "fields": sorted(fields), "practice": practice,
            "tokens": {role: csrf_token(client) for role, client in clients.items()}}


def path_for(rule, values: dict[str, str]) -> str:
    """The rule's URL with raw values put in (quoted), bypassing url_for's own validation."""
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", quote(str(values[name]), safe="/%"), path)
    return path


def client_for(app, world, role, rule=None):
    """The role's client; log-out always goes to a fresh visitor so the role's session lives on."""
    if role == "visitor" or (rule is not None and rule.endpoint == "auth.logout"):
        return app.test_client(), None
    return world["clients"][role], world["tokens"][role]


def record(results: Counter, response, what) -> None:
    results["cases"] += 1
    results[f"status {response.status_code}"] += 1
    if response.status_code >= 500:
        results["5xx"] += 1
        results[f"5xx {what}"] += 1
    response.close()


def test_sweep_every_route_with_bad_ids(app, world):
    results: Counter = Counter()
    for rule in world["rules"]:
        id_names = [n for n in rule.arguments if n.endswith("_id")]
        values = [world["args"]] + [{**world["args"], **{n: bad for n in id_names}} for bad in BAD_IDS] \
            if id_names else [world["args"], {**world["args"], **{n: "a\x00b" for n in rule.arguments}}]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                for value in values:
                    client, token = client_for(app, world, role, rule)
                    path = path_for(rule, value)
                    response = client.open(path, method=method, data={"csrf_token": token or ""})
                    record(results, response, (method, path, role))
    print(f"\nfuzz sweep: {results['cases']} cases, {results['5xx']} answers of 5xx; "
          + ", ".join(f"{k}: {v}" for k, v in sorted(results.items()) if k.startswith("status")))
    assert results["5xx"] == 0, [k for k in results if k.startswith("5xx ")]


CASES: Counter = Counter()


@st.composite
def requests_(draw, world):
    rule = draw(st.sampled_from(world["rules"]))
    method = draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    role = draw(st.sampled_from(ROLES))
    values = dict(world["args"])
    for name in rule.arguments:
        if draw(st.booleans()):
            values[name] = draw(st.sampled_from(BAD_IDS + NASTY[:14]) | st.text(min_size=1, max_size=6))
    fields = draw(st.dictionaries(st.sampled_from(world["fields"]) | st.text(max_size=6),
                                  st.lists(st.sampled_from(NASTY) | st.text(max_size=12), min_size=1,
                                           max_size=3), max_size=6))
    query = draw(st.dictionaries(st.sampled_from(["page", "sort", "next", "new", "q"]),
                                 st.sampled_from(NASTY), max_size=2))
    body = draw(JSON_BODIES) if draw(st.integers(0, 3)) == 0 else None
    return rule, method, role, values, fields, query, body


@pytest.mark.parametrize("seed_role", ["all"])
def test_random_forms_query_strings_and_json(app, world, seed_role):
    @settings(max_examples=1500, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests_(world))
    def check(case):
        rule, method, role, values, fields, query, body = case
        client, token = client_for(app, world, role, rule)
        path = path_for(rule, values)
        if body is not None:
            response = client.open(path, method=method, data=body, query_string=query,
                                   content_type="application/json", headers={"X-CSRFToken": token or ""})
        else:
            data = {k: v for k, v in fields.items()}
            if token and "csrf_token" not in data:
                data["csrf_token"] = token
            response = client.open(path, method=method, data=data, query_string=query)
        record(CASES, response, (method, path, role))
        assert response.status_code < 500, (method, path, role, fields, query, (body or "")[:200])

    check()
    print(f"\nfuzz property: {CASES['cases']} cases, {CASES['5xx']} answers of 5xx; "
          + ", ".join(f"{k}: {v}" for k, v in sorted(CASES.items()) if k.startswith("status")))


ITEM = st.fixed_dictionaries({}, optional={
    "id": st.sampled_from(["a1", "", "\x00", "x" * 80]) | st.integers() | st.none(),
    "question_id": st.sampled_from(["alpha-1", "beta-2", "nope"]) | st.integers() | st.lists(st.text()),
    "content_hash": st.text(max_size=20) | st.integers() | st.none(),
    "form": st.dictionaries(st.text(max_size=5), st.lists(st.sampled_from(NASTY), max_size=3) | st.text())
    | st.sampled_from([None, 1, "x", [1]]),
    "answer": st.sampled_from([None, 1, "x", [], {}, [1, 2], {"a": [1]}, "\x00", 1e308]),
    "sure": st.sampled_from([True, False, "yes", None, 1]),
    "answered_at": st.sampled_from(NASTY) | st.integers() | st.none(),
})


def test_the_json_endpoint_with_wrong_types(app, world):
    results: Counter = Counter()

    @settings(max_examples=400, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(("visitor", "student")),
           st.lists(ITEM, max_size=5).map(lambda items: json.dumps({"items": items})) | JSON_BODIES)
    def check(role, body):
        client, token = client_for(app, world, role)
        if role == "visitor":
            token = csrf_token(client, "/auth/login")
        response = client.post("/api/practice/sync", data=body, content_type="application/json",
                               headers={"X-CSRFToken": token})
        record(results, response, ("sync", role))
        assert response.status_code < 500, body[:300]

    check()
    print(f"\nfuzz JSON endpoint: {results['cases']} cases, {results['5xx']} answers of 5xx; "
          + ", ".join(f"{k}: {v}" for k, v in sorted(results.items()) if k.startswith("status")))
