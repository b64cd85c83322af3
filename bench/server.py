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


def _ready(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


HOOK = """import pathlib
def post_worker_init(worker):
    pathlib.Path(%r, f"worker-{worker.pid}").touch()
"""


@contextmanager
def gunicorn(env: dict[str, str], workdir: Path, workers: int = 4) -> Iterator[tuple[int, int]]:
    """Yield (port, master pid) once every worker has loaded the app and /healthz answers;
    SIGTERM (then SIGKILL) on the way out, whatever happened."""
    port = free_port()
    ready, log = workdir / "ready", workdir / "gunicorn.log"
    ready.mkdir(exist_ok=True)
    config = workdir / "gunicorn_bench.py"
    config.write_text(HOOK % str(ready))
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(config), "-w", str(workers), "-b", f"{HOST}:{port}",
             "--graceful-timeout", "5", "--log-level", "warning", "app:create_app()"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while len(list(ready.glob("worker-*"))) < workers or not _ready(port):
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


def workers_peak_rss_mib(master: int) -> list[float]:
    """VmHWM of each live child of the gunicorn master, in MiB (Linux /proc)."""
    peaks = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return sorted(peaks)
