"""Every rate limit of the app, in one table, applied to the views at start-up.

Shaped for a class of 30–200 behind one school address: a limit per user (or per account *and*
address, so a stranger guessing passwords elsewhere cannot lock the owner out) does the real work, and
the per-address limit is generous. Counts live in RESETLAB_RATELIMIT_STORAGE_URI: `memory://` is one
process's memory (a single worker); with several workers or servers use Redis (`redis://host:6379`,
`redis+unix:///path/redis.sock`) so every process shares the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any

from flask import Flask, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from ..extensions import limiter

GUEST_CREATION = "guest creation"  # not an endpoint: counted where a visitor becomes a guest


def by_address() -> str:
    """The client's address (the real one behind one proxy when RESETLAB_PROXY_FIX is on)."""
    return "addr:" + get_remote_address()


def by_account_and_address() -> str:
    """The account named in the form, from this address."""
    email = request.form.get("email", "").strip().lower()[:254]
    return f"account:{email}|{by_address()}"


def by_user() -> str:
    """The logged-in user (guests included); see `anonymous` for visitors."""
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else by_address()


def anonymous() -> bool:
    """Per-user limits skip visitors: their requests count against the address limit only."""
    return not current_user.is_authenticated


@dataclass(frozen=True)
class Rule:
    """One limit string (several windows, ';'-separated) counted per key, on some methods."""

    limit: str
    key: Callable[[], str]
    methods: tuple[str, ...] = ("POST",)
    exempt_when: Callable[[], bool] | None = None


PER_USER = anonymous
LIMITS: dict[str, tuple[Rule, ...]] = {
    "auth.signup": (Rule("120 per minute;1000 per hour", by_address),),
    "auth.login": (Rule("10 per 15 minutes", by_account_and_address),
                   Rule("300 per minute;3000 per hour", by_address)),
    "auth.forgot": (Rule("3 per hour", by_account_and_address), Rule("100 per hour", by_address)),
    "auth.reset": (Rule("20 per 15 minutes;60 per hour", by_address),),
    "account.change_password": (Rule("10 per 15 minutes", by_user, exempt_when=PER_USER),),
    "account.delete": (Rule("10 per 15 minutes", by_user, exempt_when=PER_USER),),
    "classwork.join": (Rule("20 per minute;100 per hour", by_user, exempt_when=PER_USER),
                       Rule("600 per minute", by_address)),
    "classwork.join_link": (Rule("20 per minute;100 per hour", by_user, ("GET", "POST"), PER_USER),
                            Rule("600 per minute", by_address, ("GET", "POST"))),
    "study.submit": (Rule("30 per minute", by_user, exempt_when=PER_USER),
                     Rule("3000 per minute", by_address)),
    "offline.sync": (Rule("30 per minute", by_user, exempt_when=PER_USER),
                     Rule("3000 per minute", by_address)),
    "review.answer": (Rule("120 per minute", by_user, exempt_when=PER_USER),
                      Rule("6000 per minute", by_address)),
    "lti.login": (Rule("600 per minute", by_address, ("GET", "POST")),),
    "lti.launch": (Rule("600 per minute", by_address),),  # each launch may fetch the LMS's key set
    GUEST_CREATION: (Rule("30 per minute;200 per hour", by_address),),
}


def apply_limits(app: Flask) -> None:
    """Wrap each limited view with its rules (after the blueprints are registered), and run the
    limiter's request hooks only where a limit applies."""
    for endpoint, rules in LIMITS.items():
        if endpoint == GUEST_CREATION:
            continue
        view = app.view_functions[endpoint]  # a KeyError here: the table names a renamed endpoint
        for rule in rules:
            view = limiter.limit(rule.limit, key_func=rule.key, methods=list(rule.methods),
                                 exempt_when=rule.exempt_when)(view)
        app.view_functions[endpoint] = view
    _hooks_only_where_limited(app)


def _is_limiter_hook(hook: Any) -> bool:
    owner = hook.args[0] if isinstance(hook, partial) and hook.args else getattr(hook, "__self__", None)
    return owner is limiter


def _hooks_only_where_limited(app: Flask) -> None:
    """Flask-Limiter looks at every request before, after and at the end of it. Every limit of this app is
    in LIMITS (there are no default or application-wide limits), so elsewhere those hooks have nothing
    to do: they now run only for the endpoints in the table (a tenth of a millisecond saved on every
    page, /healthz and static files)."""
    limited = frozenset(LIMITS)

    def gated(hook: Callable[..., Any], passthrough: bool) -> Callable[..., Any]:
        @wraps(hook)
        def run(*args: Any) -> Any:
            if request.endpoint in limited:
                return hook(*args)
            return args[0] if passthrough else None  # an after_request hook hands the response on

        run.resetlab_gated = True  # type: ignore[attr-defined]
        return run

    for hooks, passthrough in ((app.before_request_funcs, False), (app.after_request_funcs, True),
                               (app.teardown_request_funcs, False)):
        for scope, funcs in hooks.items():
            hooks[scope] = [gated(f, passthrough) if _is_limiter_hook(f) else f for f in funcs]


def count_guest_creation() -> None:
    """Count one new guest for this address; 429 when the address made too many."""
    if not limiter.enabled:
        return
    for rule in LIMITS[GUEST_CREATION]:
        for item in parse_many(rule.limit):
            if not limiter.limiter.hit(item, "guest-creation", rule.key()):
                raise TooManyRequests("Too many new guest learners from this address. Wait a while, "
                                      "or sign up.", retry_after=item.get_expiry())
