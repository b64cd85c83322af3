"""`python -m bench`: demo database, dashboard timings in-process, then load under gunicorn."""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import resource
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import RESULTS, ROOT, USER_AGENT, build, load, login_timing, pages, report, server, submissions


def say(message: str) -> None:
    print(message, flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--assignments", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=9, help="timed runs per page (median; at least 7)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    parser.add_argument("--submissions", type=int, default=2500,
                        help="in-progress attempts prepared for the submit run")
    parser.add_argument("--python-load", action="store_true", help="skip wrk, use the Python load")
    return parser.parse_args(argv)


def measure_pages(app, built: build.Built, runs: int) -> dict[str, Any]:
    client = pages.logged_in(app, built.instructor_email, built.instructor_password)
    say(f"Timing the class overview and item analysis ({runs} runs each after a warm-up)")
    overview = pages.time_page(app, client, f"/teach/classes/{built.classroom_id}", runs)
    target, title = pages.analysis_target(app, built.classroom_id)
    analysis = pages.time_page(app, client, f"/teach/assignments/{target}", runs)
    return {"overview": overview, "item_analysis": {**analysis, "assignment": title}}


def run_load(args, app, built: build.Built, work: Path, subs, attempt_ids) -> dict[str, Any]:
    wrk = None if args.python_load else load.find_wrk(say)
    say(f"Load tool: {wrk or 'Python thread pool (wrk not available)'}")
    env = build.bench_env(built.database_url)
    targets = [("trivial: GET /healthz", "/healthz"), ("trivial: GET static icon", "/static/icons/icon.svg"),
               ("lesson (anonymous)", "/lessons/obama-medvedev")]

    def hit(name: str, path: str, seconds: float, posts=None) -> load.Load:
        if wrk:
            result = load.run_wrk(wrk, name, port, path, seconds, work, posts, USER_AGENT)
        else:
            result = load.run_python(name, port, path, seconds, posts, USER_AGENT)
        if result.errors or result.socket_errors:
            result.note = load.probe(port, path if posts is None else posts[0][0].path)
        return result

    with server.gunicorn(env, work) as (port, master):
        say(f"gunicorn -w 4 on 127.0.0.1:{port}")
        runs = []
        for name, path in targets:
            hit("warm-up", path, 2)
            say(f"  {name} ({args.seconds:.0f} s)")
            runs.append(hit(name, path, args.seconds))
        say(f"  quiz submission ({args.seconds:.0f} s)")
        runs.append(hit("quiz submission (POST)", "/attempts/<id>", args.seconds, subs))
        workers = server.workers_peak_rss_mib(master)
    RESULTS.mkdir(exist_ok=True)
    shutil.copy(work / "gunicorn.log", RESULTS / "gunicorn.log")  # warnings and errors only
    done = submissions.graded(app, attempt_ids)
    posted = runs[-1].requests - runs[-1].errors
    # Near the end of the prepared attempts a POST may hit an already graded one (302 as well), so
    # "answered but not graded" is only checked while plenty were left.
    exhausted = done >= 0.9 * len(attempt_ids)
    return {"tool": "wrk" if wrk else "python", "workers": 4, "connections": load.CONNECTIONS,
            "seconds": args.seconds, "runs": [dataclasses.asdict(r) for r in runs],
            "submissions": {"prepared": len(attempt_ids), "answered": posted, "graded": done,
                            "exhausted": exhausted, "not_graded": 0 if exhausted else max(0, posted - done)},
            "workers_mib": workers}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # SIGTERM unwinds like Ctrl-C, so gunicorn is stopped and the temp dir removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.runs = max(7, args.runs)
    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="resetlab-bench-") as tmp:
        work = Path(tmp)
        say(f"Building the demo ({args.students} students × {args.assignments} assignments, "
            f"seed {args.seed}) in {work}")
        built = build.build(work, args.students, args.assignments, args.seed)
        phases = {"build": time.perf_counter() - started}
        say(built.summary)
        demo_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        os.environ.update(build.bench_env(built.database_url))
        from resetlab.factory import create_app

        app = create_app()
        page_results = measure_pages(app, built, args.runs)
        say("Timing log-in with a known and an unknown email (50 each, production argon2 parameters)")
        timing = login_timing.measure(50)
        bench_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        phases["pages"] = time.perf_counter() - started - sum(phases.values())
        say(f"Preparing {args.submissions} in-progress attempts and {load.CONNECTIONS} student sessions")
        subs, attempt_ids = submissions.prepare(app, built.classroom_id, built.student_password,
                                                args.submissions, load.CONNECTIONS)
        phases["prepare_submissions"] = time.perf_counter() - started - sum(phases.values())
        load_results = run_load(args, app, built, work, subs, attempt_ids)
        phases["load"] = time.perf_counter() - started - sum(phases.values())
    rps = {r["path"]: r["rps"] for r in load_results["runs"]}
    trivial, static = rps["/healthz"], rps["/static/icons/icon.svg"]
    lesson, submit = rps["/lessons/obama-medvedev"], rps["/attempts/<id>"]
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "sqlite": sqlite3.sqlite_version, "platform": platform.platform(),
                    "loadavg_before": load_before, "loadavg_after": os.getloadavg()},
        "demo": {"students": args.students, "assignments": args.assignments, "seed": args.seed,
                 "build_seconds": built.seconds, "summary": built.summary},
        "pages": page_results,
        "login_timing": timing,
        "memory": {"bench_process_mib": bench_rss, "demo_build_mib": demo_rss,
                   "gunicorn_workers_mib": load_results.pop("workers_mib")},
        "load": load_results,
        "ratios": {"lesson/healthz": lesson / trivial, "submit/healthz": submit / trivial,
                   "lesson/static": lesson / static, "submit/static": submit / static},
        "total_seconds": time.perf_counter() - started,
        "phase_seconds": {k: round(v, 1) for k, v in phases.items()},
        "path": str((ROOT / "bench-results" / "latest.json").relative_to(ROOT)),
    }
    results["goals"] = report.goals(results)
    report.write(results)
    say("")
    say(report.table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
