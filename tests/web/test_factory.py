"""The factory: refuses bad content, errors never leak, health check, CLI check, migrations."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from resetlab.core.content import ContentError
from resetlab.extensions import db
from resetlab.factory import create_app

from ..helpers import CONTENT, ROOT, make_config


def broken_course(tmp_path: Path) -> Path:
    course = tmp_path / "broken"
    shutil.copytree(CONTENT, course)
    bank = course / "quizzes" / "alpha.toml"
    bank.write_text(bank.read_text().replace('type = "single"', 'type = "poem"', 1))
    return course


def test_app_refuses_to_start_on_invalid_content(tmp_path, capsys):
    course = broken_course(tmp_path)
    with pytest.raises(ContentError) as err:
        create_app(make_config(tmp_path, LESSONS_DIR=str(course / "lessons"),
                               QUIZZES_DIR=str(course / "quizzes"), CONTENT_ROOT=str(course)))
    assert "quizzes/alpha.toml:7: unknown question type 'poem'" in str(err.value)
    assert "cannot start" in capsys.readouterr().err


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "lessons": 2, "questions": 14, "database": True}


def test_healthz_reports_unreachable_database(tmp_path):
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent/dir/x.db"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] is False


def test_500_page_hides_internals(tmp_path):
    app = create_app(make_config(tmp_path))

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    from resetlab.web.access import public

    public(boom)
    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in page and "Traceback" not in page
    assert "request id" in page


def test_404_json_for_api_paths(client):
    response = client.get("/api/nothing-here")
    assert response.status_code in (302, 404)


def test_content_check_command_passes_on_good_content(app, runner):
    with app.app_context():
        result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "OK: 2 lessons, 3 banks, 14 questions" in result.output


def broken_env(tmp_path: Path) -> dict[str, str]:
    course = broken_course(tmp_path)
    return {"PATH": str(Path(sys.executable).parent), "RESETLAB_LESSONS_DIR": str(course / "lessons"),
            "RESETLAB_QUIZZES_DIR": str(course / "quizzes"), "RESETLAB_CONTENT_ROOT": str(course),
            "RESETLAB_SECRET_KEY": "x" * 32, "HOME": str(tmp_path)}


FLASK_COMMANDS = [[str(Path(sys.executable).parent / "flask")], [sys.executable, "-m", "flask"]]


@pytest.mark.parametrize("flask", FLASK_COMMANDS, ids=["flask", "python -m flask"])
def test_content_check_cli_reports_path_line_and_fails(tmp_path, flask):
    result = subprocess.run([*flask, "--app", "app", "content", "check"], cwd=ROOT, env=broken_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "quizzes/alpha.toml:7: unknown question type 'poem'" in result.stdout
    assert "error(s)" in result.stderr and "Traceback" not in result.stderr


def test_content_stats_on_a_broken_course_says_so(tmp_path):
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "content", "stats"], cwd=ROOT,
                            env=broken_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "the course has errors" in result.stderr and "Traceback" not in result.stderr


def test_settings_come_from_prefixed_environment_names(tmp_path, monkeypatch):
    from resetlab.config import load_config

    monkeypatch.setenv("RESETLAB_DATABASE_URL", "postgresql://u:p@db/resetlab")
    monkeypatch.setenv("RESETLAB_INSTRUCTOR_SIGNUP_CODE", "12345")  # reads as JSON, is meant as text
    monkeypatch.setenv("RESETLAB_SECURE_COOKIES", "true")
    monkeypatch.setenv("RESETLAB_SECRET_KEY", "k" * 32)
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/resetlab"
    assert config["INSTRUCTOR_SIGNUP_CODE"] == "12345"
    assert config["SESSION_COOKIE_SECURE"] is True and config["SECRET_KEY"] == "k" * 32


def test_bundled_course_is_valid(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.db"})
    catalog = app.extensions["resetlab.catalog"]
    assert len(catalog.lessons) == 7
    assert all(len(b.questions) >= 15 for b in catalog.banks.values() if b.pool == "bank")
    assert {q.type for b in catalog.banks.values() for q in b.questions} == {
        "single", "multi", "truefalse", "text", "numeric", "order", "match", "essay", "source"}


def test_migrations_match_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from resetlab.cli.database import bind_migrations

    bind_migrations(app)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(directory=str(ROOT / "migrations"))
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []


def test_no_view_or_hook_is_a_coroutine(app):
    """The app's Flask skips Flask's per-call coroutine check (factory.ResetLab.ensure_sync)."""
    import inspect

    hooks = [f for table in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
                             app.teardown_appcontext_funcs, app.template_context_processors)
             for funcs in (table.values() if isinstance(table, dict) else [table]) for f in funcs]
    handlers = [h for codes in app.error_handler_spec.values() for by_class in codes.values()
                for h in by_class.values()]
    for func in [*app.view_functions.values(), *hooks, *handlers]:
        assert not inspect.iscoroutinefunction(inspect.unwrap(func)), func
    assert len(app.view_functions) > 50 and hooks and handlers


def test_healthz_reports_an_unreachable_server_where_the_pool_pings(tmp_path):
    """With pool_pre_ping (the PostgreSQL default) getting a connection is the check: a server nobody
    listens on is reported, not assumed."""
    url = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/none?connect_timeout=2"
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] is False and response.get_json()["status"] == "degraded"
