"""Real server processes for tests: Redis on a unix socket, gunicorn, nginx; and a small HTTP browser.

Every process listens on loopback or a unix socket inside the test's temp folder, and is stopped by
its own pid at the end. A missing binary fails the test in CI (CI=true) and skips it elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from .helpers import CONTENT, ROOT

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def binary(name: str, *extra_paths: str) -> str:
    """The path of a program the test needs; fail in CI, skip elsewhere, when it is missing."""
    found = shutil.which(name) or next((p for p in extra_paths if os.access(p, os.X_OK)), None)
    if found:
        return found
    message = f"{name} is not installed (.ci/run installs it from Debian's packages)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 15 s, of one process we started."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(check, what: str, proc: subprocess.Popen | None = None, seconds: float = 30) -> None:
    """Poll `check()` until true; fail with `what` if the process died or time ran out."""
    deadline = time.monotonic() + seconds
    while not check():
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A private Redis on a unix socket (no port, no persistence); yields its storage URI."""
    server = binary("redis-server")
    sock = workdir / "redis.sock"
    proc = subprocess.Popen([server, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
                             "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for(sock.exists, "redis-server", proc)
        yield f"redis+unix://{sock}"
    finally:
        stop(proc)


def server_env(database_uri: str, **settings: object) -> dict[str, str]:
    """Environment for app processes on the fixture course and the test's database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RESETLAB_")}
    env.update(DATABASE_URL=database_uri, PYTHONUNBUFFERED="1", RESETLAB_SECRET_KEY="test-secret-0123456789",
               RESETLAB_LESSONS_DIR=str(CONTENT / "lessons"),
               RESETLAB_QUIZZES_DIR=str(CONTENT / "quizzes"),
               RESETLAB_CONTENT_ROOT=str(CONTENT), RESETLAB_PASSWORD_HASH_MEMORY_KIB="1024",
               RESETLAB_INSTRUCTOR_SIGNUP_CODE="teach-2026",
               RESETLAB_CONTENT_RULES=json.dumps({"min_questions": 3, "min_words": 10, "max_words": 5000}))
    for key, value in settings.items():
        env[f"RESETLAB_{key}"] = value if isinstance(value, str) else json.dumps(value)
    return env


def flask_command(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """`flask --app app ARGS` in the repository, as an operator runs it."""
    flask = str(Path(sys.executable).parent / "flask")
    return subprocess.run([flask, "--app", "app", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


class Browser:
    """A requests session that reads CSRF tokens like a browser; `address` goes in X-Forwarded-For."""

    def __init__(self, base: str, address: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.http = requests.Session()
        if address:
            self.http.headers["X-Forwarded-For"] = address

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET without following redirects."""
        return self.http.get(self.base + path, allow_redirects=False, timeout=60, **kwargs)

    def token(self, path: str = "/auth/login") -> str:
        """The CSRF token of a page's form (or its meta tag)."""
        page = self.get(path).text
        match = TOKEN.search(page) or META.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, path: str, data: dict | None = None, token_from: str = "/auth/login") -> requests.Response:
        """POST a form with a fresh CSRF token, without following redirects."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from))
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=60)

    def post_json(self, path: str, body: object, token_from: str = "/practice/alpha") -> requests.Response:
        """POST JSON with the CSRF token in X-CSRFToken, as static/js/offline.js does."""
        headers = {"X-CSRFToken": self.token(token_from)}
        return self.http.post(self.base + path, json=body, headers=headers, allow_redirects=False, timeout=60)
