"""`python -m bench`: demo classes, dashboard timings in-process, then Reset Lab and a bare Flask
hello-world under the same gunicorn settings, measured in interleaved rounds so every throughput figure
is a ratio taken in one run."""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import resource
import shutil
import signal
import sqlite3
import statistics
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
    parser.add_argument("--students", type=int, default=1000, help="students in the measured class")
    parser.add_argument("--assignments", type=int, default=20)
    parser.add_argument("--scale", default="100,1000,10000",
                        help="class sizes whose overview is timed too (comma-separated; '' for none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=9, help="timed runs per page (median; at least 7)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved load rounds (at least 3)")
    parser.add_argument("--seconds", type=float, default=5, help="length of each load run")
    parser.add_argument("--submissions", type=int, default=4000,
                        help="open attempts prepared for each round's submit run")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="PostgreSQL server to bench on (a temp database is made there); default SQLite")
    parser.add_argument("--no-login-timing", action="store_true",
                        help="skip login_timing (150 argon2 log-ins)")
    parser.add_argument("--python-load", action="store_true", help="skip wrk, use the Python load")
    return parser.parse_args(argv)


def measure_pages(app, built: build.Built, runs: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The main class's overview and item analysis, and the overview of every class size."""
    main = built.main
    client = pages.logged_in(app, main.instructor_email, main.instructor_password)
    say(f"Timing the class overview and item analysis ({runs} runs each after a warm-up)")
    overview = pages.time_page(app, client, f"/teach/classes/{main.classroom_id}", runs)
    target, title = pages.analysis_target(app, main.classroom_id)
    analysis = pages.time_page(app, client, f"/teach/assignments/{target}", runs)
    scale = {}
    kept = ("median_ms", "cpu_median_ms", "queries", "url")
    for room in sorted(built.classes, key=lambda c: c.students):
        if room is main:
            scale[str(room.students)] = {k: overview[k] for k in kept}
            continue
        other = pages.logged_in(app, room.instructor_email, room.instructor_password)
        timed = pages.time_page(app, other, f"/teach/classes/{room.classroom_id}", runs)
        scale[str(room.students)] = {k: timed[k] for k in kept}
        say(f"  overview at {room.students} students: {timed['median_ms']:.1f} ms")
    return {"overview": overview, "item_analysis": {**analysis, "assignment": title}}, scale


@dataclasses.dataclass
class Target:
    """One endpoint of a load round."""

    key: str
    name: str
    path: str
    connections: int = load.CONNECTIONS
    cookie: str = ""
    paired: bool = True  # measured right after a hello-world run, for a ratio


def run_load(args, app, built: build.Built, work: Path, prepared: submissions.Prepared,
             instructor_cookie: str, analysis_path: str) -> dict[str, Any]:
    """Rounds of: hello then each page (a ratio per pair), the submit run, the dashboards at 4
    connections; worker memory at the end."""
    wrk = None if args.python_load else load.find_wrk(say)
    say(f"Load tool: {wrk or 'Python thread pool (wrk not available)'}")
    env = build.bench_env(built.database_url)
    main = built.main
    targets = [Target("healthz", "GET /healthz", "/healthz"),
               Target("home", "GET / (course home, anonymous)", "/"),
               Target("lesson", "GET /lessons/obama-medvedev (anonymous)", "/lessons/obama-medvedev"),
               Target("submit", "POST /attempts/<id> (assignment quiz)", "/attempts/<id>"),
               Target("overview", f"class overview, {main.students} students",
                      f"/teach/classes/{main.classroom_id}", 4, instructor_cookie, paired=False),
               Target("item_analysis", "item analysis", analysis_path, 4, instructor_cookie, paired=False)]

    def hit(port: int, name: str, path: str, seconds: float, connections: int = load.CONNECTIONS,
            cookie: str = "", posts=None) -> load.Load:
        if wrk:
            result = load.run_wrk(wrk, name, port, path, seconds, work, posts, USER_AGENT, connections,
                                  cookie)
        else:
            result = load.run_python(name, port, path, seconds, posts, USER_AGENT, connections, cookie)
        if result.errors or result.socket_errors:
            result.note = load.probe(port, path if posts is None else posts[0][0].path)
        return result

    runs: list[dict[str, Any]] = []
    with server.gunicorn(env, work, app="bench.hello:app", name="hello", probe="/") as (hello_port, _), \
            server.gunicorn(env, work) as (port, master):
        say(f"gunicorn -w 4 (sync): hello-world on 127.0.0.1:{hello_port}, Reset Lab on 127.0.0.1:{port}")
        hit(hello_port, "warm-up", "/", 2)
        for t in targets:
            if t.key != "submit":
                hit(port, "warm-up", t.path, 2, t.connections, t.cookie)
        for r in range(args.rounds):
            say(f"  round {r + 1} of {args.rounds} ({args.seconds:.0f} s per run)")
            for t in targets:
                pair = None
                if t.paired:
                    pair = hit(hello_port, "hello-world", "/", args.seconds)
                posts = prepared.rounds[r] if t.key == "submit" else None
                result = hit(port, t.name, t.path, args.seconds, t.connections, t.cookie, posts)
                row = {"round": r + 1, "key": t.key, **dataclasses.asdict(result)}
                if pair is not None:
                    row["hello_rps"] = pair.rps
                    row["ratio"] = result.rps / pair.rps if pair.rps else 0.0
                if posts is not None:
                    done = submissions.graded(app, prepared.attempt_ids[r])
                    posted = result.requests - result.errors
                    # Near the end of a round's attempts a POST may hit an already graded one (302 too).
                    exhausted = done >= 0.9 * len(prepared.attempt_ids[r])
                    row["submissions"] = {"prepared": len(prepared.attempt_ids[r]), "answered": posted,
                                          "graded": done, "exhausted": exhausted,
                                          "not_graded": 0 if exhausted else max(0, posted - done)}
                runs.append(row)
                say(f"    {t.key:<14}{result.rps:>9.1f} req/s"
                    + (f"  (hello {pair.rps:.0f}, ratio {row['ratio']:.2f})" if pair else "")
                    + (f"  p99 {result.latency_ms.get('p99', 0):.0f} ms" if posts is not None else ""))
        memory = server.workers_memory_mib(master)
        hello_memory = server.workers_memory_mib(_)
    RESULTS.mkdir(exist_ok=True)
    shutil.copy(work / "gunicorn.log", RESULTS / "gunicorn.log")  # warnings and errors only
    return {"tool": "wrk" if wrk else "python", "workers": 4, "connections": load.CONNECTIONS,
            "seconds": args.seconds, "rounds": args.rounds, "runs": runs,
            "memory": {"resetlab_workers_mib": memory, "hello_workers_mib": hello_memory}}


def summarise(load_results: dict[str, Any]) -> dict[str, Any]:
    """Per endpoint: the median ratio to hello-world over the rounds, median req/s, worst p99."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in load_results["runs"]:
        by_key.setdefault(row["key"], []).append(row)
    out = {}
    for key, rows in by_key.items():
        p99 = [r["latency_ms"]["p99"] for r in rows if "p99" in r["latency_ms"]]
        out[key] = {"rps_median": statistics.median(r["rps"] for r in rows),
                    "rps_rounds": [round(r["rps"], 1) for r in rows],
                    "p99_ms_worst": max(p99) if p99 else None,
                    "p99_ms_rounds": [round(p, 1) for p in p99],
                    "errors": sum(r["errors"] + r["socket_errors"] for r in rows)}
        if "ratio" in rows[0]:
            out[key]["ratio_median"] = statistics.median(r["ratio"] for r in rows)
            out[key]["ratio_rounds"] = [round(r["ratio"], 3) for r in rows]
            out[key]["hello_rps_median"] = statistics.median(r["hello_rps"] for r in rows)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # SIGTERM unwinds like Ctrl-C, so gunicorn is stopped and the temp dir (and database) removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.runs, args.rounds = max(7, args.runs), max(3, args.rounds)
    sizes = [args.students] + sorted({int(s) for s in args.scale.split(",") if s.strip()} - {args.students})
    started = time.perf_counter()
    load_before = os.getloadavg()
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="resetlab-bench-") as tmp, \
            build.database(Path(tmp), args.database_url) as (url, kind):
        work = Path(tmp)
        say(f"Building the demo classes ({', '.join(map(str, sizes))} students × {args.assignments} "
            f"assignments, seed {args.seed}) on {kind}")
        built = build.build(url, kind, sizes, args.assignments, args.seed, say)
        phases["build"] = time.perf_counter() - started
        demo_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        os.environ.update(build.bench_env(url))
        from resetlab.factory import create_app

        app = create_app()
        page_results, scale = measure_pages(app, built, args.runs)
        timing = None
        if not args.no_login_timing:
            say("Timing log-in with a known and an unknown email (50 each, production argon2 parameters)")
            timing = login_timing.measure(50)
        bench_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        phases["pages"] = time.perf_counter() - started - sum(phases.values())
        say(f"Preparing {args.submissions} open assignment attempts per round for "
            f"{load.CONNECTIONS} students")
        main_class = built.main
        prepared = submissions.prepare(app, main_class.instructor_email, main_class.classroom_id,
                                       main_class.student_password, args.submissions, args.rounds,
                                       load.CONNECTIONS)
        instructor = pages.logged_in(app, main_class.instructor_email, main_class.instructor_password)
        cookie = f"session={instructor.get_cookie('session').value}"
        phases["prepare_submissions"] = time.perf_counter() - started - sum(phases.values())
        load_results = run_load(args, app, built, work, prepared, cookie,
                                page_results["item_analysis"]["url"])
        phases["load"] = time.perf_counter() - started - sum(phases.values())
        with app.app_context():
            from resetlab.extensions import db

            db.engine.dispose()
    endpoints = summarise(load_results)
    memory = load_results.pop("memory")
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "sqlite": sqlite3.sqlite_version, "platform": platform.platform(),
                    "loadavg_before": load_before, "loadavg_after": os.getloadavg()},
        "database": kind,
        "demo": {"students": args.students, "assignments": args.assignments, "seed": args.seed,
                 "classes": [{k: v for k, v in dataclasses.asdict(c).items() if "password" not in k}
                             for c in built.classes]},
        "pages": page_results,
        "scale": scale,
        "ratios": {f"{key}_vs_hello": endpoints[key]["ratio_median"]
                   for key in ("lesson", "home", "healthz", "submit")},
        "submit_p99_ms": endpoints["submit"]["p99_ms_worst"],
        "dashboards_rps_4_connections": {key: endpoints[key]["rps_median"]
                                         for key in ("overview", "item_analysis")},
        "endpoints": endpoints,
        "login_timing": timing,
        "memory": {"bench_process_mib": bench_rss, "demo_build_mib": demo_rss, **memory},
        "load": load_results,
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
