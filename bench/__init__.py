"""Benchmarks for Reset Lab: `make bench` runs `python -m bench` (see bench/__main__.py).

Builds a fresh SQLite demo database in a temp dir (1000 students x 20 assignments, fixed seed),
times the instructor dashboards in-process, then measures throughput under gunicorn on loopback.
"""

import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
SECRET_KEY = secrets.token_hex(32)  # one per bench run, shared by the in-process app and gunicorn
USER_AGENT = "resetlab-bench"  # the same for log-in and load, so Flask-Login's session check passes
