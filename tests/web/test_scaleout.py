"""The scale-out rehearsal (bench/scaleout.py) against real processes: two gunicorn servers behind
Debian's nginx, one PostgreSQL, one Redis. Runs in CI's PostgreSQL pass (see tests/conftest.py)."""

from __future__ import annotations

import pytest

from bench.scaleout import rehearse

from ..processes import binary, server_env
from .test_migrations import fresh_database  # noqa: F401  (fixture: an empty database)

STUDENTS = 30


@pytest.mark.postgres
def test_two_servers_behind_nginx_on_one_postgres_and_one_redis(fresh_database, tmp_path):  # noqa: F811
    figures = rehearse(server_env(fresh_database), tmp_path, STUDENTS, binary("redis-server"),
                       binary("nginx", "/usr/sbin/nginx"))
    print(f"\nscale-out rehearsal: {figures}")
    responses = figures["responses"]
    assert not [k for k in responses if k.split()[-1].startswith("5")], responses
    assert responses["signup 302"] == STUDENTS
    # every acknowledged submit is stored, and graded once although each was sent twice
    assert figures["submits_acknowledged"] == figures["submits_stored_finished"] == STUDENTS
    assert responses["submit 302"] == 2 * STUDENTS  # the second copy shows the stored result
    assert figures["sync_items_acknowledged"] == figures["sync_items_stored"] > 0
    assert figures["sync_items_stored_twice"] == 0
    assert responses["sync accepted"] + responses["sync duplicates"] == 2 * figures["sync_items_stored"]
    # the log-in limit (10 per account and address) holds across both servers
    assert figures["wrong_passwords"] == {"sent": 30, "checked": 10, "refused_429": 20,
                                          "servers_answering": 2}
    assert figures["owner_login_after_attack"] == 302  # from the owner's own address
    assert figures["session_on_each_server"] == {"a": 200, "b": 200}
