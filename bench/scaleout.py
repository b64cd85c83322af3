"""Scale-out rehearsal: two gunicorn app servers behind Debian's nginx, one PostgreSQL, one Redis.

    DATABASE_URL=postgresql://… python -m bench.scaleout [--students 40]

Everything listens on loopback (Redis on a unix socket) in a temp folder and is stopped by pid at the
end. Each server runs `flask db upgrade` at the same time (as a deploy does), then a bounded load of
sign-ups, quizzes and practice syncs goes through nginx, and three things are checked:
rate limits hold across both servers, a session works on either server, and every acknowledged
submit and synced answer is stored exactly once (each is sent twice, to both servers at once).
The database should be empty (a fresh one): the rehearsal creates its schema with migrations.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import requests
import requests.adapters
from sqlalchemy import create_engine, text

from . import ROOT
from .server import HOST, free_port, gunicorn

PROXY_SNIPPET = ROOT / "deploy" / "resetlab-proxy.conf"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PASSWORD = "rehearsal passphrase 2026"
NGINX_CONF = """worker_processes 2;
{user}pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream resetlab {{
        server {host}:{a};
        server {host}:{b};
        keepalive 16;
    }}
    server {{
        listen {host}:{port};
        add_header X-Upstream $upstream_addr always;   # rehearsal only: which server answered
        include {snippet};
    }}
}}
"""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait(check, what: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)


@contextmanager
def redis_server(binary: str, workdir: Path) -> Iterator[str]:
    """A private Redis on a unix socket in `workdir` (no port, no persistence); yields its storage URI."""
    sock = workdir / "redis.sock"
    proc = subprocess.Popen([binary, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
                             "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait(sock.exists, "redis-server", proc)
        yield f"redis+unix://{sock}"
    finally:
        _stop(proc)


@contextmanager
def nginx_server(binary: str, workdir: Path, upstreams: tuple[int, int]) -> Iterator[int]:
    """Debian's nginx with its own config and prefix, on a loopback port, proxying to `upstreams`."""
    port = free_port()
    conf = workdir / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp folder
    conf.write_text(NGINX_CONF.format(user=user, dir=workdir, host=HOST, a=upstreams[0], b=upstreams[1],
                                      port=port, snippet=PROXY_SNIPPET))
    proc = subprocess.Popen([binary, "-c", str(conf), "-p", str(workdir), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        def answers() -> bool:
            try:
                return requests.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        _wait(answers, "nginx", proc)
        yield port
    finally:
        _stop(proc)


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connections from a chosen loopback address (127.0.0.2 is another client to nginx)."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser:
    """One person's browser: cookies, CSRF tokens read from pages, no redirects followed."""

    def __init__(self, base: str, forwarded_for: str | None = None, source: str | None = None) -> None:
        """`forwarded_for`: an X-Forwarded-For the app trusts when it is reached with no proxy in
        between (RESETLAB_PROXY_FIX); `source`: the loopback address to connect from."""
        self.base, self.http = base, requests.Session()
        if forwarded_for:
            self.http.headers["X-Forwarded-For"] = forwarded_for
        if source:
            self.http.mount("http://", _FromAddress(source))

    def get(self, path: str, base: str | None = None) -> requests.Response:
        return self.http.get((base or self.base) + path, allow_redirects=False, timeout=60)

    def token(self, path: str) -> str:
        page = self.get(path).text
        match = TOKEN.search(page) or META.search(page)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def post(self, path: str, data: dict[str, str] | None = None,
             token_from: str = "/auth/login") -> requests.Response:
        data = {**(data or {}), "csrf_token": self.token(token_from)}
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=60)


def _flask(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def migrate_from_each_server(env: dict[str, str], servers: int = 2) -> None:
    """Every server runs `flask db upgrade` at deploy time, at once; the migration lock makes it safe."""
    runs = [_flask(["db", "upgrade"], env) for _ in range(servers)]
    for run in runs:
        out, _ = run.communicate(timeout=300)
        if run.returncode != 0:
            raise RuntimeError(f"flask db upgrade failed:\n{out[-3000:]}")


def student_session(base: str, n: int, run: str,
                    items: list[dict[str, Any]]) -> tuple[Counter, list[int], list[str]]:
    """Sign up, take and submit a quiz (twice, to both servers at once), sync practice answers twice.

    Returns response counts, the acknowledged attempt ids and the acknowledged answer ids."""
    counts: Counter = Counter()
    acknowledged: list[int] = []
    synced: list[str] = []
    me = Browser(base)
    signup = me.post("/auth/signup", {"display_name": f"Student {n}", "email": f"s{n}-{run}@example.org",
                                      "password": PASSWORD})
    counts[f"signup {signup.status_code}"] += 1
    if signup.status_code != 302:
        return counts, acknowledged, synced
    started = me.post("/quiz/alpha/start", {}, token_from="/quiz/alpha")
    counts[f"start {started.status_code}"] += 1
    if started.status_code != 302:
        return counts, acknowledged, synced
    attempt_path = started.headers["Location"]
    token = me.token(attempt_path)
    # A double click on "Submit anyway" (nothing answered): nginx sends the two to different servers.
    with ThreadPoolExecutor(2) as both:
        answers = list(both.map(lambda _: me.http.post(
            me.base + attempt_path, data={"csrf_token": token, "confirm": "1"}, allow_redirects=False,
            timeout=60), range(2)))
    for answer in answers:
        counts[f"submit {answer.status_code}"] += 1
    if any(a.status_code == 302 for a in answers):
        acknowledged.append(int(attempt_path.rsplit("/", 1)[1]))
    mine = [{**item, "id": f"{run}-{n}-{i}"} for i, item in enumerate(items)]
    csrf = me.token("/practice/alpha")
    with ThreadPoolExecutor(2) as both:
        replies = list(both.map(lambda _: me.http.post(
            me.base + "/api/practice/sync", json={"items": mine}, headers={"X-CSRFToken": csrf}, timeout=60),
            range(2)))
    for reply in replies:
        counts[f"sync {reply.status_code}"] += 1
    if all(r.status_code == 200 for r in replies):
        bodies = [r.json() for r in replies]
        counts["sync accepted"] += sum(len(b["accepted"]) for b in bodies)
        counts["sync duplicates"] += sum(len(b["duplicates"]) for b in bodies)
        synced.extend(i["id"] for i in mine if any(i["id"] in b["accepted"] for b in bodies))
    return counts, acknowledged, synced


def practice_items(base: str) -> list[dict[str, Any]]:
    """Answers a phone would queue: every true/false question of the alpha pack, answered 'true'."""
    pack = requests.get(f"{base}/api/practice/alpha.json", timeout=30).json()
    return [{"question_id": q["id"], "content_hash": q["content_hash"], "answer": True, "sure": True,
             "answered_at": "2026-01-01T10:00:00+00:00"}
            for q in pack["questions"] if q["type"] == "truefalse"]


def rehearse(env: dict[str, str], workdir: Path, students: int, redis_bin: str,
             nginx_bin: str) -> dict[str, Any]:
    """Run the rehearsal; returns its figures (see the module docstring for what is checked)."""
    started = time.perf_counter()
    with ExitStack() as stack:
        storage = stack.enter_context(redis_server(redis_bin, workdir))
        env = {**env, "RESETLAB_RATELIMIT_STORAGE_URI": storage, "RESETLAB_PROXY_FIX": "true"}
        migrate_from_each_server(env)
        ports = []
        for name in ("a", "b"):
            folder = workdir / f"server-{name}"
            folder.mkdir()
            ports.append(stack.enter_context(gunicorn(env, folder, workers=2))[0])
        port = stack.enter_context(nginx_server(nginx_bin, workdir, (ports[0], ports[1])))
        base = f"http://{HOST}:{port}"
        run = uuid.uuid4().hex[:6]
        items = practice_items(base)
        counts: Counter = Counter()
        acknowledged: list[int] = []
        synced: list[str] = []
        load_started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            sessions = pool.map(lambda n: student_session(base, n, run, items), range(students))
            for part, acked, done in sessions:
                counts.update(part)
                acknowledged.extend(acked)
                synced.extend(done)
        load_seconds = time.perf_counter() - load_started

        owner = Browser(base)
        owner.post("/auth/signup", {"display_name": "Owner", "email": f"owner-{run}@example.org",
                                    "password": PASSWORD})
        owner.http.cookies.clear()
        upstreams: Counter = Counter()

        def wrong(_: int) -> int:
            reply = Browser(base, source="127.0.0.2").post(  # a stranger, at another address
                "/auth/login", {"email": f"owner-{run}@example.org", "password": "not the password"})
            upstreams[reply.headers.get("X-Upstream", "?")] += 1
            return reply.status_code

        with ThreadPoolExecutor(6) as pool:
            tries = list(pool.map(wrong, range(30)))
        login = owner.post("/auth/login", {"email": f"owner-{run}@example.org", "password": PASSWORD})
        either = {name: owner.get("/progress", base=f"http://{HOST}:{p}").status_code
                  for name, p in zip(("a", "b"), ports, strict=True)}
        stored = _stored(env["DATABASE_URL"], acknowledged, synced)
    return {
        "students": students, "load_seconds": round(load_seconds, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
        "responses": dict(sorted(counts.items())),
        "submits_acknowledged": len(acknowledged), **stored,
        "sync_items_acknowledged": len(synced),
        "wrong_passwords": {"sent": len(tries), "checked": tries.count(422),
                            "refused_429": tries.count(429),
                            "servers_answering": len([u for u in upstreams if u != "?"])},
        "owner_login_after_attack": login.status_code,
        "session_on_each_server": either,
    }


def _stored(database_url: str, attempts: list[int], synced: list[str]) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            ids = "(SELECT value FROM json_array_elements_text(CAST(:ids AS json)))"
            finished = conn.execute(text(
                f"SELECT count(*) FROM attempt WHERE state = 'finished' AND id::text IN {ids}"),
                {"ids": json.dumps([str(a) for a in attempts])}).scalar_one() if attempts else 0
            logs = conn.execute(text(
                f"SELECT client_id, count(*) FROM review_log WHERE client_id IN {ids} GROUP BY client_id"),
                {"ids": json.dumps(synced)}).all() if synced else []
    finally:
        engine.dispose()
    return {"submits_stored_finished": finished, "sync_items_stored": len(logs),
            "sync_items_stored_twice": sum(1 for _, n in logs if n != 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scaleout", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("Set DATABASE_URL to an empty PostgreSQL database.", file=sys.stderr)
        return 2
    for plain in ("postgresql://", "postgres://"):
        url = url.replace(plain, "postgresql+psycopg://", 1) if url.startswith(plain) else url
    sbin = {name: f"/usr/sbin/{name}" for name in ("redis-server", "nginx")}
    tools = {name: shutil.which(name) or (path if os.access(path, os.X_OK) else None)
             for name, path in sbin.items()}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        print(f"Missing: {', '.join(missing)} (apt-get install redis-server nginx)", file=sys.stderr)
        return 2
    env = {**os.environ, "DATABASE_URL": url, "RESETLAB_SECRET_KEY": os.environ.get(
        "RESETLAB_SECRET_KEY", uuid.uuid4().hex), "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryDirectory(prefix="resetlab-scaleout-") as tmp:
        figures = rehearse(env, Path(tmp), args.students, tools["redis-server"], tools["nginx"])
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
