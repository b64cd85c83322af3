"""Service tests: the app's database and course, no HTTP. `ctx` is an app with its context pushed."""

from __future__ import annotations

import itertools

import pytest

from resetlab.auth.services import create_user
from resetlab.models import Role, User

_emails = itertools.count(1)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def make_user(role: Role = Role.STUDENT, name: str = "Ana") -> User:
    """A real account, saved."""
    return create_user(f"user{next(_emails)}@example.org", name, "correct horse battery", role)
