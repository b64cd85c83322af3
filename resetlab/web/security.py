"""Security headers on every response; private pages are never cached; one trusted proxy hop."""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_login import current_user

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def security_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers every response carries (unless its view set its own)."""
    fixed = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
             ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY")]
    if app.config.get("SECURE_COOKIES"):  # the site is served over HTTPS: tell browsers to insist on it
        fixed.append(("Strict-Transport-Security",
                      f"max-age={int(app.config['HSTS_SECONDS'])}; includeSubDomains"))
    return fixed


def register_security(app: Flask) -> None:
    """Headers on every response, and ProxyFix when the app runs behind one reverse proxy."""
    remember = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")

    def signed_in() -> bool:
        """Whether a signed-in user made this request. With no user in the session, no remember-me cookie
        and no log-in during the request nobody is, so the user is not looked up just to say so."""
        if "_login_user" in g:
            return current_user.is_authenticated
        if "HTTP_COOKIE" not in request.environ:  # no session cookie and no remember-me cookie
            return False
        if "_user_id" in session or remember in request.cookies:
            return current_user.is_authenticated
        return False

    names = [(name.lower(), name, value) for name, value in security_headers(app)]

    @app.after_request
    def _headers(response):
        """Each header unless the view set its own (one pass over the response's headers)."""
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        headers.extend([(name, value) for lower, name, value in names if lower not in present])
        if request.endpoint != "static" and signed_in():
            headers["Cache-Control"] = "no-store"
        return response

    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
