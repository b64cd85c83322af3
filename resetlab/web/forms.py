"""WTForms (via Flask-WTF, which adds CSRF to every form)."""

from __future__ import annotations

from flask_wtf import FlaskForm


def strip(value: str | None) -> str | None:
    """WTForms filter: surrounding spaces never count."""
    return value.strip() if isinstance(value, str) else value


class ActionForm(FlaskForm):
    """A bare form for POST buttons (log out, mark as read, start quiz): only the CSRF token."""
