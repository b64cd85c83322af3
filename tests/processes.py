"""Real server processes for tests (Redis here; gunicorn and nginx in bench/), and their environment.

Every process listens on loopback or a unix socket inside the test's temp folder, and is stopped by
its own pid at the end. A missing binary fails the test in CI (CI=true) and skips it elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .helpers import CONTENT


def binary(name: str, *extra_paths: str) -> str:
    """The path of a program the test needs; fail in CI, skip elsewhere, when it is missing."""
    found = shutil.which(name) or next((p for p in extra_paths if os.access(p, os.X_OK)), None)
    if found:
        return found
    message = f"{name} is not installed (.ci/run installs it from Debian's packages)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A private Redis on a unix socket (no port, no persistence); yields its storage URI."""
    from bench.scaleout import redis_server as private_redis

    with private_redis(binary("redis-server"), workdir) as uri:
        yield uri


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
