"""Goals, a readable table and bench-results/latest.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import RESULTS

PAGE_GOAL_MS = 200
LESSON_GOAL, SUBMIT_GOAL = 0.5, 0.2


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal with its figure and whether it is met."""
    pages, ratios = results["pages"], results["ratios"]
    errors = sum(run["errors"] + run["socket_errors"] for run in results["load"]["runs"])
    return [
        {"goal": f"class overview median < {PAGE_GOAL_MS} ms",
         "value": round(pages["overview"]["median_ms"], 1),
         "met": pages["overview"]["median_ms"] < PAGE_GOAL_MS},
        {"goal": f"item analysis median < {PAGE_GOAL_MS} ms",
         "value": round(pages["item_analysis"]["median_ms"], 1),
         "met": pages["item_analysis"]["median_ms"] < PAGE_GOAL_MS},
        {"goal": f"lesson ≥ {LESSON_GOAL} × trivial (/healthz)", "value": round(ratios["lesson/healthz"], 2),
         "met": ratios["lesson/healthz"] >= LESSON_GOAL},
        {"goal": f"submit ≥ {SUBMIT_GOAL} × trivial (/healthz)", "value": round(ratios["submit/healthz"], 2),
         "met": ratios["submit/healthz"] >= SUBMIT_GOAL},
        {"goal": "no errors (non-2xx/3xx, socket errors, submissions not graded)",
         "value": errors + results["load"]["submissions"]["not_graded"],
         "met": errors == 0 and results["load"]["submissions"]["not_graded"] == 0},
        {"goal": "log-in: unknown email within 20% of a known one (medians)",
         "value": results["login_timing"]["unknown_over_known"], "met": results["login_timing"]["met"]},
    ]


def _latency(latency: dict[str, float], key: str) -> str:
    return f"{latency[key]:>7.1f}ms" if key in latency else f"{'n/a':>9}"


def _mark(met: bool) -> str:
    return "ok" if met else "MISSED"


def table(results: dict[str, Any]) -> str:
    """The results as plain text, each goal next to its figure."""
    demo, pages, load, memory = results["demo"], results["pages"], results["load"], results["memory"]
    lines = [f"Demo: {demo['summary']} (command took {demo['build_seconds']:.1f} s)", "",
             f"{'In-process page':<26}{'median':>10}{'min':>9}{'max':>9}{'KiB':>7}{'SQL':>5}   goal"]
    for key, label in (("overview", "class overview"), ("item_analysis", "item analysis")):
        p = pages[key]
        lines.append(f"{label:<26}{p['median_ms']:>8.1f}ms{p['min_ms']:>7.1f}ms{p['max_ms']:>7.1f}ms"
                     f"{p['bytes'] / 1024:>7.0f}{p['queries']:>5}   < {PAGE_GOAL_MS} ms: "
                     f"{_mark(p['median_ms'] < PAGE_GOAL_MS)}")
    lines.append(f"  ({pages['overview']['runs']} runs after a warm-up; item analysis of "
                 f"“{pages['item_analysis']['assignment']}”)")
    timing = results["login_timing"]
    known = timing["median_ms"]["known_wrong_password"]
    lines.append(f"Log-in, median of {timing['runs']}: known email {known} ms, "
                 f"unknown {timing['median_ms']['unknown_email']} ms (×{timing['unknown_over_known']}; "
                 f"within 20%: {_mark(timing['met'])})")
    lines += ["", f"Peak RSS: bench process {memory['bench_process_mib']:.0f} MiB, demo build "
              f"{memory['demo_build_mib']:.0f} MiB, gunicorn workers "
              + ", ".join(f"{m:.0f}" for m in memory["gunicorn_workers_mib"]) + " MiB", "",
              f"Load: {load['tool']}, {load['connections']} connections, gunicorn -w {load['workers']} "
              f"(sync), {load['seconds']:.0f} s each; load average before/after "
              + " / ".join(f"{la[0]:.1f}" for la in (results['machine']['loadavg_before'],
                                                     results['machine']['loadavg_after'])),
              f"{'endpoint':<26}{'req/s':>9}{'requests':>10}{'errors':>8}{'p50':>9}{'p99':>9}   goal"]
    ratios = results["ratios"]
    goal_text = {"/lessons/obama-medvedev": f"≥ {LESSON_GOAL} × /healthz: {ratios['lesson/healthz']:.2f} "
                                            f"{_mark(ratios['lesson/healthz'] >= LESSON_GOAL)}",
                 "/attempts/<id>": f"≥ {SUBMIT_GOAL} × /healthz: {ratios['submit/healthz']:.2f} "
                                   f"{_mark(ratios['submit/healthz'] >= SUBMIT_GOAL)}"}
    for run in load["runs"]:
        lat = run["latency_ms"]
        errors = run["errors"] + run["socket_errors"]
        lines.append(f"{run['name']:<26}{run['rps']:>9.1f}{run['requests']:>10}{errors:>8}"
                     f"{_latency(lat, 'p50')}{_latency(lat, 'p99')}   "
                     + goal_text.get(run["path"], "no errors: " + _mark(errors == 0)))
        if run.get("note"):
            lines.append(f"  {run['note']}")
    subs = load["submissions"]
    lines.append(f"  submissions: {subs['prepared']} attempts prepared, {subs['answered']} POSTs answered "
                 f"2xx/3xx, {subs['graded']} attempts graded"
                 + (" (nearly all used: later POSTs may hit graded attempts)" if subs["exhausted"] else ""))
    lines += ["", "Ratios: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()), "", "Goals:"]
    for goal in results["goals"]:
        lines.append(f"  [{_mark(goal['met'])}] {goal['goal']}: {goal['value']}")
    phases = ", ".join(f"{k.replace('_', ' ')} {v:.0f} s" for k, v in results["phase_seconds"].items())
    lines.append(f"\nTotal {results['total_seconds']:.0f} s ({phases}). Written to {results['path']}")
    return "\n".join(lines)


def write(results: dict[str, Any]) -> Path:
    """bench-results/latest.json (git-ignored)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "latest.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return path
