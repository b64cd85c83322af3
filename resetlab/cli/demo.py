"""`flask --app app demo`: a realistic class to see and measure the dashboards."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError, ProgrammingError

from .demo_data import DemoError, build_demo, summary


@click.command("demo")
@click.option("--students", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--assignments", default=20, show_default=True, type=click.IntRange(1, 500))
@click.option("--seed", type=int, default=None, help="Fix the generated data (passwords stay random).")
@with_appcontext
def demo(students: int, assignments: int, seed: int | None) -> None:
    """Build a demo class with graded attempts, to see and measure the dashboards."""
    try:
        built = build_demo(students, assignments, seed)
    except DemoError as err:
        raise click.ClickException(str(err)) from None
    except (OperationalError, ProgrammingError) as err:
        raise click.ClickException(f"{str(err).splitlines()[0]} "
                                   "(has `flask --app app db upgrade` been run?)") from None
    for line in summary(built):
        click.echo(line)
