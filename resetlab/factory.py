"""The application factory, in small register_* steps."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from flask import Flask

from .cli import register_cli
from .config import ROOT, ConfigError, load_config
from .core.content import ContentError, blocking
from .course import check_configured_course
from .database import sqlite_engine_options  # also installs the SQLite connection events
from .extensions import csrf, db, limiter, login_manager
from .ops import register_health
from .web.converters import CONVERTERS
from .web.errors import register_errors
from .web.filters import register_filters
from .web.input_guard import register_input_guard
from .web.limits import apply_limits
from .web.security import register_security
from .web.sessions import QuietSessionInterface, shows_messages
from .web.signing import register_csrf

log = logging.getLogger("resetlab")


class ResetLab(Flask):
    """Flask, for an app whose views and hooks are all plain functions (tests/web/test_factory.py checks
    that none is a coroutine): Flask asks of each hook and view, on every request, whether it is one."""

    def ensure_sync(self, func: Any) -> Any:
        return func


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; refuses to start on invalid content, listing every problem."""
    app = ResetLab("resetlab", root_path=str(ROOT), instance_path=str(ROOT / "instance"),
                template_folder="templates", static_folder="static")
    try:
        app.config.update(load_config(Path(app.instance_path), config))
    except ConfigError as err:
        print(err, file=sys.stderr)
        raise
    register_input_guard(app)
    register_extensions(app)
    register_content(app)
    register_blueprints(app)
    register_health(app)
    apply_limits(app)
    register_errors(app)
    register_security(app)
    register_filters(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind db, migrations, CSRF, rate limits and login to this app."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite_engine_options(options)
    db.init_app(app)
    csrf.init_app(app)
    register_csrf(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in (or create a free account) to take quizzes and keep progress."
    login_manager.login_message_category = "info"
    # Flask-Login's "basic" protection only marks a session not fresh, a session write on pages that only
    # render; nothing here asks for a fresh login (changing the password asks for the current one).
    login_manager.session_protection = None
    app.session_interface = QuietSessionInterface()  # see resetlab/web/sessions.py
    app.jinja_env.globals["shows_messages"] = shows_messages


def register_content(app: Flask) -> None:
    """Load and validate the course once; Markdown is rendered here, not per request.

    The item-writing lint runs here too: its findings are logged as warnings and stop the app only when
    CONTENT_STRICT is true. `flask content check` reads the course without building the app, so it can
    report a broken one.
    """
    catalog, problems = check_configured_course(app.config)
    stopping = blocking(problems, strict=bool(app.config["CONTENT_STRICT"]))
    if catalog is None or stopping:
        print("Reset Lab cannot start: the course content has errors"
              + (" (CONTENT_STRICT: warnings count)" if catalog is not None else "") + ".\n"
              + "\n".join(str(p) for p in stopping), file=sys.stderr)
        raise ContentError(stopping)
    for warning in catalog.warnings:
        log.warning("content: %s", warning)
    app.extensions["resetlab.catalog"] = catalog


def register_blueprints(app: Flask) -> None:
    """One blueprint per audience; deny by default (see resetlab.web.access)."""
    from . import ops
    from .account.views import bp as account
    from .auth.views import bp as auth
    from .banks.views import bp as banks
    from .classwork.views import bp as classwork
    from .grading.views import bp as grading
    from .lti import register_lti
    from .lti.views import bp as lti
    from .offline.views import bp as offline
    from .review.views import bp as review
    from .rosters.views import bp as rosters
    from .study.views import bp as study
    from .teach.views import bp as teach
    from .web.access import require_login

    app.url_map.converters.update(CONVERTERS)
    for blueprint in (auth, study, classwork, teach, grading, review, ops.bp, offline, account, banks,
                      rosters, lti):
        app.register_blueprint(blueprint)
    register_lti(app)
    app.before_request(require_login)
