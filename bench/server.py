"""gunicorn on a free loopback port, always stopped at the end; its workers' peak memory."""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import ROOT

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nobody listens on right now (loopback only)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _ready(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False


HOOK = """import pathlib
def post_worker_init(worker):
    pathlib.Path(%r, f"worker-{worker.pid}").touch()
"""


@contextmanager
def gunicorn(env: dict[str, str], workdir: Path, workers: int = 4, app: str = "app:create_app()",
             name: str = "gunicorn", probe: str = "/healthz") -> Iterator[tuple[int, int]]:
    """Yield (port, master pid) once every worker has loaded the app and `probe` answers;
    SIGTERM (then SIGKILL) on the way out, whatever happened. `name` keeps two servers' files apart."""
    port = free_port()
    ready, log = workdir / f"{name}-ready", workdir / f"{name}.log"
    ready.mkdir(exist_ok=True)
    config = workdir / f"{name}_bench.py"
    config.write_text(HOOK % str(ready))
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(config), "-w", str(workers), "-b", f"{HOST}:{port}",
             "--graceful-timeout", "5", "--log-level", "warning", app],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while len(list(ready.glob("worker-*"))) < workers or not _ready(port, probe):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log}:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield port, proc.pid
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def workers_memory_mib(master: int) -> list[dict[str, float]]:
    """Each live child of the gunicorn master: resident memory now (VmRSS) and at its peak (VmHWM),
    in MiB (Linux /proc)."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        found = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in status.splitlines()
                 if line.startswith(("VmRSS:", "VmHWM:"))}
        if found:
            workers.append({"rss": round(found.get("VmRSS", 0.0), 1),
                            "peak": round(found.get("VmHWM", 0.0), 1)})
    return sorted(workers, key=lambda w: w["rss"])
