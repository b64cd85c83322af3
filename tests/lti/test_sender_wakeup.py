"""The after-response score sender survives a response the server never closes.

A server may drop a response without closing it (Werkzeug's does when the client resets the
connection), and with it the send that was to run after it. The wake-up is cleared only when a send
starts, so the next response takes it over.
"""

from __future__ import annotations

from werkzeug.test import EnvironBuilder

from resetlab.lti import grades


def test_a_wake_up_outlives_a_response_that_was_never_closed(app, monkeypatch):
    app.config["LTI_SEND_EVERY"] = 0  # only a queued score starts a send
    rounds = []
    monkeypatch.setattr(grades, "due", lambda now, limit: rounds.append(now) or [])
    with app.app_context():
        grades.wake()  # a score was committed in this process
    state = grades.sender_state(app)

    def started(status, headers, exc_info=None):
        return lambda data: None

    dropped = app(EnvironBuilder(path="/healthz").get_environ(), started)  # iterated, never closed
    assert b"".join(dropped) and rounds == [] and state.queued.is_set()

    app.test_client().get("/healthz").close()  # the next response sends
    assert len(rounds) == 1 and not state.queued.is_set()
    app.test_client().get("/healthz").close()  # and nothing is left to wake another round
    assert len(rounds) == 1
