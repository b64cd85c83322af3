"""`python -m bench.floor`: the stack's floor for a quiz submit (`bench/floor_app.py`), measured as
`make bench` measures Reset Lab: gunicorn -w 4 (sync), wrk with 16 connections, hello-world before each
endpoint, three interleaved rounds; each figure is the median ratio to the hello-world. Writes
`bench-results/floor.json`."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from . import RESULTS, USER_AGENT, load, server
from .submissions import Submission

STUDENTS = 16
# (key, server, path prefix, what it adds): the ladder, each step a layer more than the one before.
STEPS = [
    ("me", "orm", "/me", "GET signed in: session cookie, Flask-Login, the user through the ORM"),
    ("noop", "orm", "/noop", "+ POST with ten answers: CSRF check, form parsed, redirect"),
    ("read", "orm", "/read", "+ the attempt and its ten items through the ORM, graded"),
    ("submit", "orm", "/submit",
     "+ one write transaction through the ORM: the claim, ten answers, ten log rows"),
    ("driver", "orm", "/driver", "the same submit as the driver's own SQL (the user still through the ORM)"),
    ("driver_user", "driver", "/driver", "the same, and the user loaded by the driver's SELECT too"),
]
POSTED = {"noop", "read", "submit", "driver", "driver_user"}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--per-round", type=int, default=4000,
                        help="attempts each posting step may hand in per round")
    return parser.parse_args(argv)


def _prepare(url: str, rounds: int, per_round: int):
    """The database: STUDENTS users, an open attempt of ten items per POST any step may send; each
    student's session cookie and CSRF token; the POSTs per (step, round), a list per student."""
    from .floor_app import QUESTIONS, FloorAttempt, FloorItem, FloorUser, create_app, db

    app = create_app(url, login_route=True)
    per_student = -(-per_round // STUDENTS)
    posts: dict[tuple[str, int], list[list[Submission]]] = {}
    with app.app_context():
        db.create_all()
        db.session.add_all([FloorUser(id=u, email=f"student{u}@example.org") for u in range(1, STUDENTS + 1)])
        db.session.commit()
    cookies = {}
    for u in range(1, STUDENTS + 1):  # outside the app context: its `g` would keep the first CSRF token
        client = app.test_client()
        token = client.get(f"/login/{u}").get_data(as_text=True)
        cookies[u] = (f"session={client.get_cookie('session').value}", token)
    with app.app_context():
        next_id = 1
        for key in sorted(POSTED):
            for r in range(rounds):
                per: list[list[Submission]] = []
                attempts, items = [], []
                for u in range(1, STUDENTS + 1):
                    cookie, token = cookies[u]
                    body = "&".join(f"q{p}=b" for p in range(QUESTIONS)) + f"&csrf_token={token}"
                    ids = range(next_id, next_id + per_student)
                    next_id += per_student
                    attempts += [{"id": a, "user_id": u} for a in ids]
                    items += [{"attempt_id": a, "position": p, "key": "abcd"[p % 4]}
                              for a in ids for p in range(QUESTIONS)]
                    prefix = dict((k, p) for k, _, p, _ in STEPS)[key]
                    per.append([Submission(cookie, f"{prefix}/{a}", body) for a in ids])
                db.session.execute(db.insert(FloorAttempt), attempts)
                db.session.execute(db.insert(FloorItem), items)
                posts[(key, r)] = per
        db.session.commit()
        db.engine.dispose()
    return cookies[1][0], posts


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    wrk = load.find_wrk(print)
    if wrk is None:
        print("wrk is needed (apt-get install wrk)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="resetlab-floor-") as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'floor.sqlite'}"
        print("Preparing the floor's database")
        cookie, posts = _prepare(url, args.rounds, args.per_round)
        env = dict(os.environ, FLOOR_DATABASE_URL=url, PYTHONUNBUFFERED="1")
        runs: dict[str, list[dict[str, float]]] = {key: [] for key, *_ in STEPS}
        with server.gunicorn(env, work, app="bench.hello:app", name="hello", probe="/") as (hello, _), \
                server.gunicorn(env, work, app="bench.floor_app:create_app()", name="orm",
                                probe="/ready") as (orm, _), \
                server.gunicorn({**env, "FLOOR_USER": "driver"}, work, app="bench.floor_app:create_app()",
                                name="driver", probe="/ready") as (driver, _):
            ports = {"orm": orm, "driver": driver}
            for r in range(args.rounds):
                print(f"  round {r + 1} of {args.rounds}")
                for key, where, path, _ in STEPS:
                    pair = load.run_wrk(wrk, "hello-world", hello, "/", args.seconds, work, agent=USER_AGENT)
                    sent = posts.get((key, r))
                    result = load.run_wrk(wrk, key, ports[where], path if sent is None else sent[0][0].path,
                                          args.seconds, work, sent, USER_AGENT,
                                          cookie="" if sent else cookie)
                    if result.errors or result.socket_errors:
                        raise RuntimeError(f"{key}: {result.errors} errors, "
                                           f"{result.socket_errors} socket errors")
                    ratio = result.rps / pair.rps
                    runs[key].append({"rps": result.rps, "hello_rps": pair.rps, "ratio": ratio,
                                      "p99_ms": result.latency_ms.get("p99", 0.0)})
                    print(f"    {key:<12}{result.rps:>8.0f} req/s  (hello {pair.rps:.0f}, ratio {ratio:.3f})")
    steps = {key: {"what": what, "ratio_median": statistics.median(r["ratio"] for r in runs[key]),
                   "rounds": runs[key]} for key, _, _, what in STEPS}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "floor.json"
    out.write_text(json.dumps({"when": datetime.now(UTC).isoformat(timespec="seconds"),
                               "cpus": os.cpu_count(), "steps": steps}, indent=1) + "\n")
    print("")
    for key, step in steps.items():
        print(f"{key:<12} {step['ratio_median']:.3f} × hello   {step['what']}")
    print(f"Written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
