"""Rendered once: fragments of the course's immutable content, and whole pages for visitors.

The course is loaded at start-up and never changes while the app runs, so a lesson's article (some 400
template calls and fifty passes of the Russian-text filter) is rendered the first time it is asked
for and kept. A page that is the same for everyone who is not signed in (a lesson, the course home) is
kept whole for them; only its CSRF token, when it has a form, is filled in per request. Both are kept
per app and per loaded course: a new catalog starts afresh, and nothing personal is ever kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable

from flask import Response, current_app, g, render_template, request, session
from markupsafe import Markup

from ..course import get_catalog
from .sessions import vary_on_cookie
from .signing import csrf_token

# Stands in for the CSRF token while a visitor's page is rendered for keeping; random per process, so
# no page text can contain it by accident.
TOKEN_SLOT = f"csrf-token-{secrets.token_hex(12)}"


def _kept() -> dict[Hashable, object]:
    """This app's kept renderings, emptied when the loaded course is replaced."""
    store = current_app.extensions.setdefault("resetlab.rendered", {"catalog": None, "items": {}})
    catalog = get_catalog()
    if store["catalog"] is not catalog:
        store["catalog"], store["items"] = catalog, {}
    return store["items"]


def fragment(key: Hashable, template: str, **context: object) -> Markup:
    """A template rendered once (per app and course) with context that never changes while the app
    runs: no user, no request data, no CSRF token."""
    kept = _kept()
    html = kept.get(("fragment", key))
    if html is None:
        html = kept[("fragment", key)] = Markup(render_template(template, **context))
    return html  # type: ignore[return-value]


def visitor() -> bool:
    """Whether this request comes from someone not signed in with nothing waiting for them: no user and
    no flashed message in the session, no remember-me cookie. Their pages are the same for all of them."""
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False
    return "_user_id" not in session and "_flashes" not in session


def visitor_page(key: Hashable, render: Callable[[], str]) -> Response:
    """The page for visitors, rendered once and kept; a CSRF token (the visitor's own) is put in where
    the page has a form. Call only when `visitor()`."""
    kept = _kept()
    page = kept.get(("page", key))
    if page is None:
        name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        setattr(g, name, TOKEN_SLOT)  # what Flask-WTF's csrf_token() returns while this page is rendered
        try:
            html = render()
        finally:
            g.pop(name, None)
        # Kept as UTF-8 bytes around the token's places: a request joins them, with no 30 KB str to
        # search and encode again.
        page = kept[("page", key)] = tuple(part.encode() for part in html.split(TOKEN_SLOT))
    parts: tuple[bytes, ...] = page  # type: ignore[assignment]
    body = csrf_token().encode().join(parts) if len(parts) > 1 else parts[0]
    response = current_app.response_class(body, mimetype="text/html")
    vary_on_cookie(response)
    return response
