"""A web worker carries the LTI network stack (pylti1p3, requests, PyJWT, cryptography, jwcrypto: ~15 MiB
resident) only once it serves an LTI feature. Checked in a fresh interpreter: this test process has long
imported them. That a launch, Deep Linking, passback and roster sync still work: tests/lti/test_tool.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from ..helpers import ROOT

HEAVY = ("pylti1p3", "requests", "jwt", "cryptography", "jwcrypto")

SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path

    from resetlab.extensions import db
    from resetlab.factory import create_app
    from resetlab.lti import grades
    from tests.helpers import make_config

    HEAVY = {heavy!r}

    def loaded():
        return sorted(m for m in HEAVY if m in sys.modules)

    app = create_app(make_config(Path(sys.argv[1])))
    seen = {{"create_app": loaded()}}
    with app.app_context():
        db.create_all()
    rounds = []
    due = grades.due
    grades.due = lambda now, limit: rounds.append(limit) or due(now, limit)  # proves the sender round ran
    client = app.test_client()
    for path in ("/auth/login", "/healthz"):
        client.get(path).close()  # close() runs the after-response sender (no score is due)
    seen["requests"], seen["rounds"] = loaded(), len(rounds)
    client.get("/lti/jwks").close()  # an LTI feature: the tool's keys
    seen["jwks"] = loaded()
    print(json.dumps(seen))
""")


def test_building_the_app_and_serving_pages_leave_the_lti_stack_unloaded(tmp_path):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(heavy=HEAVY), str(tmp_path)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["create_app"] == [] and seen["requests"] == []
    assert seen["rounds"] >= 1
    assert {"pylti1p3", "cryptography"} <= set(seen["jwks"])
