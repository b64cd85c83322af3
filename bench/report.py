"""Goals (issue 13), a readable table and bench-results/latest.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import RESULTS

PAGE_GOAL_MS = 60  # overview and item analysis at 1,000 × 20, in-process median
SCALE_GOAL_MS, SCALE_STUDENTS = 300, "10000"
DASHBOARD_RPS = 20  # at 4 connections
RATIO_GOALS = {"lesson": 0.6, "home": 0.6, "healthz": 0.8, "submit": 0.15}
SUBMIT_P99_MS = 150
WORKER_MIB = 100


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal with its figure and whether it is met."""
    pages, ratios, scale = results["pages"], results["ratios"], results["scale"]
    overview, analysis = pages["overview"]["median_ms"], pages["item_analysis"]["median_ms"]
    found = [
        {"goal": f"class overview median ≤ {PAGE_GOAL_MS} ms ({results['demo']['students']} students)",
         "value": round(overview, 1), "met": overview <= PAGE_GOAL_MS},
        {"goal": f"item analysis median ≤ {PAGE_GOAL_MS} ms", "value": round(analysis, 1),
         "met": analysis <= PAGE_GOAL_MS},
    ]
    if SCALE_STUDENTS in scale:
        found.append({"goal": f"class overview median < {SCALE_GOAL_MS} ms at {SCALE_STUDENTS} students",
                      "value": round(scale[SCALE_STUDENTS]["median_ms"], 1),
                      "met": scale[SCALE_STUDENTS]["median_ms"] < SCALE_GOAL_MS})
    queries = {size: s["queries"] for size, s in scale.items()}
    found.append({"goal": "the overview issues the same number of SQL queries at every class size",
                  "value": queries, "met": len(set(queries.values())) == 1})
    for key, rps in results["dashboards_rps_4_connections"].items():
        found.append({"goal": f"{key.replace('_', ' ')} ≥ {DASHBOARD_RPS} req/s at 4 connections",
                      "value": round(rps, 1), "met": rps >= DASHBOARD_RPS})
    for key, goal in RATIO_GOALS.items():
        value = ratios[f"{key}_vs_hello"]
        found.append({"goal": f"{key} ≥ {goal} × hello-world (median of the rounds' ratios)",
                      "value": round(value, 3), "met": value >= goal})
    p99 = results["submit_p99_ms"]
    found.append({"goal": f"submit p99 < {SUBMIT_P99_MS} ms at 16 connections (worst round)",
                  "value": p99, "met": p99 is not None and p99 < SUBMIT_P99_MS})
    rss = [w["rss"] for w in results["memory"]["resetlab_workers_mib"]]
    found.append({"goal": f"each gunicorn worker ≤ {WORKER_MIB} MiB resident after the bench",
                  "value": rss, "met": bool(rss) and max(rss) <= WORKER_MIB})
    runs = results["load"]["runs"]
    errors = sum(run["errors"] + run["socket_errors"] for run in runs)
    not_graded = sum(run["submissions"]["not_graded"] for run in runs if "submissions" in run)
    found.append({"goal": "no errors (non-2xx/3xx, socket errors, submissions answered but not graded)",
                  "value": errors + not_graded, "met": errors == 0 and not_graded == 0})
    timing = results.get("login_timing")
    if timing:
        found.append({"goal": "log-in: unknown email within 20% of a known one (medians)",
                      "value": timing["unknown_over_known"], "met": timing["met"]})
    return found


def _mark(met: bool) -> str:
    return "ok" if met else "MISSED"


def _ms(value: float | None) -> str:
    return f"{value:>7.1f}ms" if value is not None else f"{'n/a':>9}"


def table(results: dict[str, Any]) -> str:
    """The results as plain text, each goal next to its figure."""
    pages, memory, machine = results["pages"], results["memory"], results["machine"]
    lines = [f"Database: {results['database']}; "
             + "; ".join(c["summary"] for c in results["demo"]["classes"]), "",
             f"{'In-process page':<26}{'median':>10}{'min':>9}{'max':>9}{'CPU':>9}{'KiB':>7}{'SQL':>5}"]
    for key, label in (("overview", "class overview"), ("item_analysis", "item analysis")):
        p = pages[key]
        lines.append(f"{label:<26}{p['median_ms']:>8.1f}ms{p['min_ms']:>7.1f}ms{p['max_ms']:>7.1f}ms"
                     f"{p['cpu_median_ms']:>7.1f}ms{p['bytes'] / 1024:>7.0f}{p['queries']:>5}")
    lines.append(f"  ({pages['overview']['runs']} runs after a warm-up, median wall-clock and median CPU "
                 f"time of this process; item analysis of “{pages['item_analysis']['assignment']}”)")
    lines.append("Overview by class size: " + ", ".join(
        f"{size} students {s['median_ms']:.1f} ms (CPU {s['cpu_median_ms']:.1f} ms, {s['queries']} SQL)"
        for size, s in results["scale"].items()))
    timing = results.get("login_timing")
    if timing:
        medians = timing["median_ms"]
        lines.append(f"Log-in, median of {timing['runs']}: known email {medians['known_wrong_password']} ms, "
                     f"unknown {medians['unknown_email']} ms (×{timing['unknown_over_known']})")
    load = results["load"]
    lines += ["", f"Load: {load['tool']}, gunicorn -w {load['workers']} (sync) for both apps, "
              f"{load['rounds']} interleaved rounds of {load['seconds']:.0f} s runs; load average "
              "before/after "
              + " / ".join(f"{la[0]:.1f}" for la in (machine["loadavg_before"], machine["loadavg_after"])),
              f"{'endpoint':<40}{'conn':>5}{'req/s':>9}{'hello':>8}{'ratio':>7}{'p50':>9}{'p99':>9}{'errors':>7}"]
    for run in load["runs"]:
        lat = run["latency_ms"]
        connections = 16 if "hello_rps" in run or "submissions" in run else 4
        lines.append(f"r{run['round']} {run['name']:<37}{connections:>5}{run['rps']:>9.1f}"
                     f"{run.get('hello_rps', 0):>8.0f}{run.get('ratio', 0):>7.2f}"
                     f"{_ms(lat.get('p50'))}{_ms(lat.get('p99'))}{run['errors'] + run['socket_errors']:>7}")
        if run.get("note"):
            lines.append(f"  {run['note']}")
        if "submissions" in run:
            subs = run["submissions"]
            lines.append(f"   submissions: {subs['prepared']} prepared, {subs['answered']} POSTs answered "
                         f"2xx/3xx, {subs['graded']} graded"
                         + (" (nearly all used)" if subs["exhausted"] else ""))
    lines += ["", "Ratios to hello-world (median of rounds): "
              + ", ".join(f"{k} {v:.2f}" for k, v in results["ratios"].items()),
              "Memory (MiB, resident now / peak): Reset Lab workers "
              + ", ".join(f"{w['rss']:.0f}/{w['peak']:.0f}" for w in memory["resetlab_workers_mib"])
              + "; hello workers " + ", ".join(f"{w['rss']:.0f}" for w in memory["hello_workers_mib"])
              + f"; bench process peak {memory['bench_process_mib']:.0f}", "", "Goals:"]
    for goal in results["goals"]:
        lines.append(f"  [{_mark(goal['met'])}] {goal['goal']}: {goal['value']}")
    phases = ", ".join(f"{k.replace('_', ' ')} {v:.0f} s" for k, v in results["phase_seconds"].items())
    lines.append(f"\nTotal {results['total_seconds']:.0f} s ({phases}). Written to {results['path']}")
    return "\n".join(lines)


def write(results: dict[str, Any]) -> Path:
    """bench-results/latest.json (git-ignored), and a copy named after the database."""
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    path = RESULTS / "latest.json"
    path.write_text(text)
    (RESULTS / f"latest-{results['database']}.json").write_text(text)
    return path
