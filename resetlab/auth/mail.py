"""Password reset by email, when RESETLAB_SMTP_HOST is set.

The request is answered at once, the same way whether or not the address has an account; looking the
account up, issuing the token and talking to the SMTP server happen on a background thread, so the
answer's timing does not tell either.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage

from flask import Flask, current_app, url_for

from ..extensions import db
from ..models import User, utcnow
from . import tokens
from .services import normalise_email

log = logging.getLogger("resetlab.mail")


def email_enabled(app: Flask) -> bool:
    """Whether learners may ask for a reset email (SMTP is configured)."""
    return bool(app.config.get("SMTP_HOST"))


def public_link(app: Flask, endpoint: str, **values: str) -> str:
    """An absolute link on RESETLAB_PUBLIC_URL (never the request's Host header, which a client sets)."""
    base = app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
    with app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def _executor(app: Flask) -> ThreadPoolExecutor:
    if "resetlab.mail" not in app.extensions:
        app.extensions["resetlab.mail"] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")
    return app.extensions["resetlab.mail"]


def request_reset_email(email: str) -> Future[bool]:
    """Queue a reset email for `email`; the future says whether one was sent (for tests and logs)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _executor(app).submit(_send_reset, app, normalise_email(email)[:254])


def _send_reset(app: Flask, email: str) -> bool:
    with app.app_context():
        try:
            user = db.session.scalar(db.select(User).where(
                User.email == email, User.is_guest.is_(False), User.deleted_at.is_(None)))
            if user is None:
                return False
            hours = float(app.config["RESET_TOKEN_HOURS"])
            token = tokens.issue(user, hours, utcnow())
            send(app, user.email or email, "Reset your Reset Lab password", reset_text(
                user.display_name, public_link(app, "auth.reset_link", token=token), hours))
            return True
        except Exception:  # a background thread has nobody to answer: log it for the operator
            log.exception("could not send a password reset email")
            db.session.rollback()
            return False
        finally:
            db.session.remove()


def reset_text(name: str, link: str, hours: float) -> str:
    """The body of a reset email."""
    return (f"Hello {name},\n\nSomeone (we hope you) asked to reset your Reset Lab password. Open this "
            f"link within {hours:g} hour{'s' if hours != 1 else ''} to choose a new one:\n\n{link}\n\n"
            "The link works once. If you did not ask, ignore this email: your password stays as it is.\n")


def send(app: Flask, to: str, subject: str, body: str) -> None:
    """Send one plain-text email with the configured SMTP server."""
    config = app.config
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["SMTP_SENDER"], to, subject
    message.set_content(body)
    host, port, timeout = config["SMTP_HOST"], int(config["SMTP_PORT"]), float(config["SMTP_TIMEOUT"])
    security = config["SMTP_SECURITY"]
    context = ssl.create_default_context()
    smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context) if security == "tls" \
        else smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
