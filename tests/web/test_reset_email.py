"""Password reset by email, against a local SMTP server (aiosmtpd) on a loopback port."""

from __future__ import annotations

import email
import email.policy
import re
import time

import pytest
from aiosmtpd.controller import Controller

from bench.server import free_port
from resetlab.extensions import db
from resetlab.factory import create_app

from ..helpers import PASSWORD, login, make_config, post, signup

LINK = re.compile(r"https://resetlab\.example\.org/auth/reset/\S+")


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message.get_content()))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def mail_app(tmp_path, smtp):
    controller, _ = smtp
    app = create_app(make_config(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                                 SMTP_SECURITY="none", SMTP_SENDER="Reset Lab <noreply@example.org>",
                                 PUBLIC_URL="https://resetlab.example.org"))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    settle(app)
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def settle(app) -> None:
    """Wait for the background sender to finish every queued email (no timing assertion)."""
    executor = app.extensions.get("resetlab.mail")
    if executor is not None:
        executor.submit(lambda: None).result(timeout=30)
        executor.shutdown(wait=True)
        del app.extensions["resetlab.mail"]


def test_reset_email_same_answer_whether_or_not_the_address_exists(mail_app, smtp):
    _, inbox = smtp
    client = mail_app.test_client()
    signup(client)
    post(client, "/auth/logout")
    answers = []
    for address in ("ana@example.org", "nobody@example.org"):
        visitor = mail_app.test_client()
        response = post(visitor, "/auth/forgot", {"email": address})
        answers.append((response.status_code, response.headers["Location"],
                        visitor.get(response.headers["Location"]).get_data(as_text=True).count("on its way")))
    assert answers[0] == answers[1] == (302, "/auth/login", 1)
    settle(mail_app)
    deadline = time.monotonic() + 10
    while not inbox.messages and time.monotonic() < deadline:  # delivery is asynchronous
        time.sleep(0.05)
    assert len(inbox.messages) == 1
    sender, recipients, body = inbox.messages[0]
    assert recipients == ["ana@example.org"] and sender == "noreply@example.org"
    link = LINK.search(body).group(0)
    browser = mail_app.test_client()
    assert browser.get(link.removeprefix("https://resetlab.example.org")).status_code == 302
    assert post(browser, "/auth/reset", {"password": "a brand new passphrase"}).status_code == 302
    assert login(browser, password=PASSWORD).status_code == 422
    assert login(browser, password="a brand new passphrase").status_code == 302
    assert browser.get(link.removeprefix("https://resetlab.example.org")).status_code == 302
    assert browser.get("/auth/reset").status_code == 404  # used once


def test_email_reset_needs_a_public_url(tmp_path):
    from resetlab.config import ConfigError

    with pytest.raises(ConfigError, match="RESETLAB_PUBLIC_URL"):
        create_app(make_config(tmp_path, SMTP_HOST="127.0.0.1", SMTP_SENDER="x@example.org"))
