"""The application factory, in small register_* steps."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_login import current_user

from . import database  # noqa: F401  (installs the SQLite connection events)
from .cli import content_paths, register_cli
from .config import ROOT, load_config
from .core.content import ContentError, load_catalog
from .errors import register_errors
from .extensions import csrf, db, limiter, login_manager, migrate

log = logging.getLogger("resetlab")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; refuses to start on invalid content, listing every problem."""
    app = Flask("resetlab", root_path=str(ROOT), instance_path=str(ROOT / "instance"),
                template_folder="templates", static_folder="static")
    app.config.update(load_config(Path(app.instance_path), config))
    register_extensions(app)
    register_content(app)
    register_blueprints(app)
    register_errors(app)
    register_security(app)
    register_templates(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind db, migrations, CSRF and login to this app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in (or create a free account) to take quizzes and keep progress."
    login_manager.login_message_category = "info"


def _cli_checks_content() -> bool:
    """True while `flask content ...` is loading the app: it must start to report problems."""
    return Path(sys.argv[0]).name == "flask" and "content" in sys.argv[1:]


def register_content(app: Flask) -> None:
    """Load and validate the course once; Markdown is rendered here, not per request."""
    lessons, quizzes, root, rules = content_paths(app.config)
    try:
        catalog = load_catalog(lessons, quizzes, rules, root)
    except ContentError as err:
        if _cli_checks_content():
            app.extensions["resetlab.catalog"] = None
            return
        message = "Reset Lab cannot start: the course content has errors.\n" + str(err)
        print(message, file=sys.stderr)
        raise ContentError(err.problems) from None
    for warning in catalog.warnings:
        log.debug("content warning: %s", warning)
    app.extensions["resetlab.catalog"] = catalog


def register_blueprints(app: Flask) -> None:
    """One blueprint per audience; deny by default."""
    from . import api, auth, classwork, offline, review_views, study, teach

    app.register_blueprint(auth.bp)
    app.register_blueprint(study.bp)
    app.register_blueprint(classwork.bp)
    app.register_blueprint(teach.bp)
    app.register_blueprint(review_views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(offline.bp)
    app.before_request(auth.require_login)


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def register_security(app: Flask) -> None:
    """Security headers on every response; private pages are never cached."""

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static" and current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response

    if os.environ.get("RESETLAB_PROXY_FIX", "").lower() == "true":
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]


def register_templates(app: Flask) -> None:
    """Template helpers."""
    from .core.mastery import Level
    from .templating import register_filters

    app.jinja_env.globals["Level"] = Level
    register_filters(app)
