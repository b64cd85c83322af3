"""Entry point: `flask --app app run` and gunicorn "app:create_app()"."""

from resetlab.factory import create_app

__all__ = ["create_app"]
