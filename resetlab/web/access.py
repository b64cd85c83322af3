"""Deny by default: every endpoint needs a logged-in user unless its view is marked @public.

@guest_ok views are open to visitors too; a visitor who does something there becomes a guest
learner (see `current_learner`). `instructor_required` guards the teaching side.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request, session
from flask_login import current_user, login_required, login_user

from ..auth.services import create_guest, user_for_session
from ..extensions import login_manager
from ..models import User
from .limits import count_guest_creation

View = TypeVar("View", bound=Callable[..., Any])
ALWAYS_PUBLIC = frozenset({"static"})


def public(view: View) -> View:
    """Anyone may open this view, logged in or not."""
    view.resetlab_access = "public"  # type: ignore[attr-defined]
    return view


def guest_ok(view: View) -> View:
    """Visitors may use this view; their first action there makes them a guest learner."""
    view.resetlab_access = "guest"  # type: ignore[attr-defined]
    return view


def access_of(app: Flask, endpoint: str | None) -> str:
    """'public', 'guest' or 'login' for an endpoint (unknown endpoints need a login)."""
    if endpoint is None:
        return "public"  # no route matched: let the 404 (or 405) through
    if endpoint in ALWAYS_PUBLIC:
        return "public"
    view = app.view_functions.get(endpoint)
    return getattr(view, "resetlab_access", "login")


def public_endpoints(app: Flask) -> frozenset[str]:
    """Every endpoint a visitor may open (for tests and the README)."""
    return frozenset(e for e in app.view_functions if access_of(app, e) != "login")


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return user_for_session(user_id)


def require_login() -> object | None:
    """App-wide before_request: endpoints not marked public need a session."""
    if access_of(current_app, request.endpoint) != "login":
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def current_learner() -> User:
    """The logged-in user, or a new guest learner for a visitor who starts practising."""
    if current_user.is_authenticated:
        return current_user._get_current_object()
    count_guest_creation()
    guest = create_guest()
    login_user(guest)
    session.permanent = True
    return guest


def instructor_required(view: View) -> View:
    """Only instructors; everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_instructor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
